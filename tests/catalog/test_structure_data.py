"""``structure.json``: the structure the rules need on top of the seed catalog ``catalog.json``.

Pure data checks (no database): every seed item has its provisions, its penalty kinds with the mode
the regulation's wording gives (并处 → mandatory, 可以并处 → optional, 情节严重的 → serious;
《行政处罚法》第九条 kinds), a fine rule that :func:`zhifa.law.fines.parse_fine_rule` accepts, and
sources with a valid level and dated versions. Spot checks cite the article they encode.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

import zhifa
from zhifa.law.discretion import KindMode
from zhifa.law.errors import RuleViolation
from zhifa.law.fines import parse_fine_rule, statutory_range
from zhifa.law.penalties import PenaltyKind, kind_from_wording

DATA = Path(zhifa.__file__).parent / "catalog" / "data"
SEED = json.loads((DATA / "catalog.json").read_text(encoding="utf-8"))
STRUCTURE = json.loads((DATA / "structure.json").read_text(encoding="utf-8"))
SEED_BY_CODE = {item["code"]: item for item in SEED}
ITEMS = STRUCTURE["items"]
SOURCES = {source["name"]: source for source in STRUCTURE["sources"]}
CODES = sorted(SEED_BY_CODE)

# 法律/行政法规/部门规章/地方性法规/地方政府规章/规范性文件 (《行政处罚法》第十条至第十六条; LegalSource.Level).
LEVELS = {"law", "admin_regulation", "department_rule", "local_regulation", "local_rule", "normative"}
MODES = {mode.value for mode in KindMode}
ARTICLE = re.compile(
    r"^第[一二三四五六七八九十百零]+条(第[一二三四五六七八九十]+款)?(第（[一二三四五六七八九十]+）项)?$"
)
UNVERIFIED_MARKERS = ("未核实", "未逐条核对")


def provisions_of(entry):
    yield from entry["violated"]
    yield from entry["penalty"]
    for earlier in entry.get("earlier", ()):
        yield from earlier["penalty"]


def kinds_of(entry):
    yield from entry["kinds"]
    for earlier in entry.get("earlier", ()):
        yield from earlier["kinds"]


def kind_entry(code, kind):
    (found,) = [k for k in ITEMS[code]["kinds"] if k["kind"] == kind]
    return found


def effective_fine_rule(code):
    """The item's fine rule: the structure's own, else the seed's fine_rule, else the seed's flat fine."""
    seed = SEED_BY_CODE[code]
    return (parse_fine_rule(ITEMS[code]["fine_rule"]) or parse_fine_rule(seed.get("fine_rule"))
            or parse_fine_rule(seed["fine"]))


# --- completeness ---------------------------------------------------------------------------------

def test_every_seed_item_has_an_entry_and_no_extra():
    assert len(SEED) == 61
    assert set(ITEMS) == set(SEED_BY_CODE)


def test_about_says_what_is_unverified():
    assert "未核实" in STRUCTURE["about"]


# --- sources and versions -------------------------------------------------------------------------

def test_source_names_unique_without_title_marks_or_remarks():
    names = [source["name"] for source in STRUCTURE["sources"]]
    assert len(names) == len(set(names))
    for name in names:
        assert not set(name) & set("《》()（）"), name
        assert len(name) <= 128


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_source_level_and_versions(name):
    source = SOURCES[name]
    assert source["level"] in LEVELS
    assert len(source["doc_number"]) <= 64
    labels = [v["label"] for v in source["versions"]]
    assert labels and len(labels) == len(set(labels))
    starts = [v["effective_from"] for v in source["versions"]]
    assert len(starts) == len(set(starts))  # ProvisionVersion is unique on (provision, effective_from)
    for version in source["versions"]:
        effective = date.fromisoformat(version["effective_from"])
        promulgated = date.fromisoformat(version["promulgated"])
        assert effective.isoformat() == version["effective_from"]  # strictly YYYY-MM-DD
        assert promulgated.isoformat() == version["promulgated"]
        assert promulgated <= effective
        # verified only when the text was read and law.md confirms the date of entry into force.
        assert version["verified"] == (version["text_read"] and version["date_verified"])
        assert version["source_ref"] and len(version["source_ref"]) <= 255
        assert len(version["label"]) <= 64
        if not version["verified"]:
            assert version["note"], f"{name} {version['label']}: an unverified version must say why"


def test_only_the_cultural_relics_law_2024_date_is_confirmed_by_law_md():
    # law.md §6: 文物保护法 2024 revision in force from 2025-03-01 (Art 101), read in LawRefBook.
    (relics,) = SOURCES["文物保护法"]["versions"]
    assert (relics["effective_from"], relics["verified"]) == ("2025-03-01", True)
    confirmed = [(s["name"], v["label"]) for s in STRUCTURE["sources"] for v in s["versions"] if v["verified"]]
    assert confirmed == [("文物保护法", "2024年修订")]


REVISED_2024_12_06 = ["出版管理条例", "音像制品管理条例", "印刷业管理条例", "互联网上网服务营业场所管理条例"]


@pytest.mark.parametrize("name", REVISED_2024_12_06)
def test_2024_12_06_revisions_are_dated_but_unverified(name):
    # law.md §6: the 2024-12-06 decision's effective date is [U] there; the decision's own text says 2025-01-20.
    (revision,) = [v for v in SOURCES[name]["versions"] if v["label"] == "2024年修订"]
    assert revision["promulgated"] == "2024-12-06"
    assert revision["effective_from"] == "2025-01-20"
    assert revision["verified"] is False


@pytest.mark.parametrize("name", ["艺术品经营管理办法", "互联网文化管理暂行规定"])
def test_mct_rules_are_department_rules_not_read(name):
    # law.md §0: no MCT departmental rule was available as a full text.
    assert SOURCES[name]["level"] == "department_rule"
    assert all(not v["text_read"] and not v["verified"] for v in SOURCES[name]["versions"])


# --- provisions -------------------------------------------------------------------------------------

@pytest.mark.parametrize("code", CODES)
def test_provisions_are_articles_of_listed_sources(code):
    entry = ITEMS[code]
    for provision in provisions_of(entry):
        assert provision["source"] in SOURCES, provision
        assert ARTICLE.match(provision["article"]), provision
        assert len(provision["article"]) <= 64
        assert len(provision.get("note", "")) <= 255
    penalty = [(p["source"], p["article"]) for p in entry["penalty"]]
    assert len(penalty) == len(set(penalty))
    if entry["kinds"] or SEED_BY_CODE[code].get("measures"):
        assert entry["penalty"], f"{code}: a penalty basis is required (law.md §1.2)"


@pytest.mark.parametrize("code", CODES)
def test_penalty_basis_is_never_a_normative_document(code):
    # 《行政处罚法》第十六条: 其他规范性文件不得设定行政处罚.
    for provision in ITEMS[code]["penalty"]:
        assert SOURCES[provision["source"]]["level"] != "normative"


@pytest.mark.parametrize("code", CODES)
def test_penalty_articles_as_in_the_seed(code):
    """Every article the seed's basis_penalty names appears as a provision, spelled as in the seed."""
    seed_text = SEED_BY_CODE[code]["basis_penalty"]
    for provision in ITEMS[code]["penalty"]:
        if provision.get("derived"):
            continue
        head = re.match(r"^第[^条]+条", provision["article"]).group(0)
        assert head in seed_text, provision


def test_split_and_expanded_provisions():
    # "第六条、第七条" → two provisions; "第四十三条第一款第（一）项、第（二）项、第（三）项" → three full articles.
    assert [p["article"] for p in ITEMS["WH-ART-002"]["violated"]] == ["第六条", "第七条"]
    assert [p["article"] for p in ITEMS["WH-PER-001"]["penalty"]] == [
        "第四十三条第一款第（一）项", "第四十三条第一款第（二）项", "第四十三条第一款第（三）项"]
    assert [p["article"] for p in ITEMS["WH-TRV-003"]["penalty"]] == [
        "第九十六条第（一）项", "第九十六条第（二）项", "第九十六条第（三）项", "第九十六条第（四）项"]
    assert [(p["source"], p["article"]) for p in ITEMS["WH-TRV-014"]["violated"]] == [
        ("旅游法", "第五十七条"), ("旅行社条例", "第二十八条")]


@pytest.mark.parametrize("code", CODES)
def test_article_unverified_where_the_seed_says_so(code):
    seed = SEED_BY_CODE[code]
    basis = seed["basis_violated"] + seed["basis_penalty"]
    if any(marker in basis for marker in UNVERIFIED_MARKERS):
        assert ITEMS[code].get("article_unverified") is True
    for provision in provisions_of(ITEMS[code]):
        assert not any(marker in provision["article"] for marker in UNVERIFIED_MARKERS)


# --- kinds and modes --------------------------------------------------------------------------------

@pytest.mark.parametrize("code", CODES)
def test_kinds_and_modes_are_valid(code):
    for entry in kinds_of(ITEMS[code]):
        PenaltyKind(entry["kind"])
        assert entry["mode"] in MODES
        assert entry["note"], f"{code}: the regulation's wording belongs in note"
        assert entry.get("mode_below_threshold", "optional") in MODES
        assert entry.get("applies_to", "responsible_persons") == "responsible_persons"


@pytest.mark.parametrize("code", CODES)
def test_kinds_cover_exactly_the_seed_penalties(code):
    """One entry per seed penalty, mapped by kind_from_wording (没收非法财物/专用工具 → confiscate_property)."""
    expected = Counter(kind_from_wording(word).value for word in SEED_BY_CODE[code]["penalties"])
    assert Counter(k["kind"] for k in ITEMS[code]["kinds"]) == expected


@pytest.mark.parametrize("code", [c for c in CODES if SEED_BY_CODE[c].get("measures")])
def test_measures_are_not_kinds(code):
    # 取缔、查封、扣押 are measures, not penalties (《行政处罚法》第九条; 《行政强制法》第九条).
    for measure in SEED_BY_CODE[code]["measures"]:
        with pytest.raises(RuleViolation):
            kind_from_wording(measure)


@pytest.mark.parametrize("code", CODES)
def test_alternatives_share_a_mode(code):
    for kinds in [ITEMS[code]["kinds"], *(e["kinds"] for e in ITEMS[code].get("earlier", ()))]:
        groups: dict[str, list[dict]] = {}
        for entry in kinds:
            if "alternative_group" in entry:
                groups.setdefault(entry["alternative_group"], []).append(entry)
        for members in groups.values():
            assert len(members) >= 2
            assert len({m["mode"] for m in members}) == 1


MODE_CASES = [
    # 《互联网上网服务营业场所管理条例》第三十一条: 给予警告，可以并处15000元以下的罚款；
    # 情节严重的，责令停业整顿，直至吊销
    pytest.param("WH-NET-003", "warning", "mandatory", "给予警告", id="net-Art31-warning-mandatory"),
    pytest.param("WH-NET-003", "fine", "optional", "可以并处", id="net-Art31-fine-optional"),
    pytest.param("WH-NET-003", "suspend_business", "serious", "情节严重", id="net-Art31-suspend-serious"),
    pytest.param("WH-NET-003", "revoke_licence", "serious", "直至吊销", id="net-Art31-revoke-serious"),
    # 同条例第二十七条: 没收违法所得及其专用工具、设备 …… 并处 …… 罚款
    pytest.param("WH-NET-001", "fine", "mandatory", "并处", id="net-Art27-fine-mandatory"),
    pytest.param("WH-NET-001", "confiscate_property", "mandatory", "专用工具", id="net-Art27-tools-confiscated"),
    # 《营业性演出管理条例》第四十四条第二款: 给予警告，可以并处3万元以下的罚款
    pytest.param("WH-PER-005", "fine", "optional", "可以并处", id="perf-Art44.2-fine-optional"),
    # 同条例第四十五条: 对原取得的许可证、批准文件予以吊销、撤销 (unconditional)
    pytest.param("WH-PER-007", "revoke_licence", "mandatory", "吊销", id="perf-Art45-revoke-mandatory"),
    # 《旅游法》第九十五条第二款: 除依照前款规定处罚外，并责令停业整顿；情节严重的，吊销
    pytest.param("WH-TRV-002", "suspend_business", "mandatory", "并责令停业整顿", id="tour-Art95.2-suspend-mandatory"),
    pytest.param("WH-TRV-002", "revoke_licence", "serious", "情节严重", id="tour-Art95.2-revoke-serious"),
    # 《旅游法》第一百条: 造成旅游者滞留等严重后果的，吊销旅行社业务经营许可证
    pytest.param("WH-TRV-009", "revoke_licence", "serious", "严重后果", id="tour-Art100-revoke-serious"),
    # 《出版管理条例》第六十二条: 违法经营额不足1万元的，可以处5万元以下的罚款
    pytest.param("WH-PUB-002", "fine", "mandatory", "可以处", id="pub-Art62-fine-tiered"),
    # 《著作权法》第五十三条: 可以并处 …… 罚款
    pytest.param("WH-CPR-001", "fine", "optional", "可以并处", id="copyright-Art53-fine-optional"),
    # 《未成年人保护法》第一百二十三条: 给予警告，没收违法所得，可以并处五万元以下罚款
    pytest.param("WH-MIN-001", "fine", "optional", "可以并处", id="minors-Art123-fine-optional"),
    pytest.param("WH-MIN-001", "warning", "mandatory", "给予警告", id="minors-Art123-warning-mandatory"),
    # 《娱乐场所管理条例》第四十八条: 并处 …… 罚款；情节严重的，责令停业整顿1个月至6个月
    pytest.param("WH-ENT-004", "fine", "mandatory", "并处", id="ent-Art48-fine-mandatory"),
    pytest.param("WH-ENT-004", "suspend_business", "serious", "情节严重", id="ent-Art48-suspend-serious"),
]


@pytest.mark.parametrize(("code", "kind", "mode", "wording"), MODE_CASES)
def test_mode_follows_the_wording(code, kind, mode, wording):
    entry = kind_entry(code, kind)
    assert entry["mode"] == mode
    assert wording in entry["note"]


@pytest.mark.parametrize("code", ["WH-PUB-002", "WH-AV-002", "WH-FLM-001"])
def test_lower_tier_fine_is_optional(code):
    # 出版条例第六十二条、音像条例第四十条“可以处5万元以下”; 电影产业促进法第四十七条“可以并处二十五万元以下”.
    assert kind_entry(code, "fine")["mode_below_threshold"] == "optional"


@pytest.mark.parametrize("code", ["WH-REL-001", "WH-REL-004"])
def test_warning_or_criticism_is_one_of_two(code):
    # 《文物保护法》第八十九条、第九十条: 给予警告或者通报批评.
    warning, criticism = kind_entry(code, "warning"), kind_entry(code, "criticism")
    assert warning["alternative_group"] == criticism["alternative_group"]
    assert warning["mode"] == criticism["mode"] == "mandatory"


def test_guide_card_suspension_targets_responsible_persons():
    # 《旅游法》第九十八条、第一百条: 对直接负责的主管人员和其他直接责任人员 …… 并暂扣或者吊销导游证.
    for code in ("WH-TRV-008", "WH-TRV-009"):
        assert kind_entry(code, "suspend_licence")["applies_to"] == "responsible_persons"


def test_banning_without_licence_has_no_penalty_kind():
    # 《娱乐场所管理条例》第四十一条: 予以取缔 — a measure, no penalty kind, no fine.
    assert ITEMS["WH-ENT-001"]["kinds"] == []
    assert effective_fine_rule("WH-ENT-001") is None


# --- fines ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("code", CODES)
def test_fine_rules_parse(code):
    entry = ITEMS[code]
    parse_fine_rule(entry["fine_rule"])
    for earlier in entry.get("earlier", ()):
        assert parse_fine_rule(earlier["fine_rule"]) is not None
    if "responsible_persons_fine" in entry:
        assert parse_fine_rule(entry["responsible_persons_fine"]["rule"]) is not None


@pytest.mark.parametrize("code", CODES)
def test_a_fine_kind_has_a_fine_rule_and_only_then(code):
    has_fine_kind = any(k["kind"] == "fine" for k in ITEMS[code]["kinds"])
    assert (effective_fine_rule(code) is not None) == has_fine_kind


def test_minors_protection_serious_range():
    # 《未成年人保护法》第一百二十三条: 五万元以下；拒不改正或者情节严重的，五万元以上五十万元以下.
    rule = parse_fine_rule(ITEMS["WH-MIN-001"]["fine_rule"])
    normal, serious = statutory_range(rule), statutory_range(rule, serious=True)
    assert (normal.min, normal.max) == (Decimal(0), Decimal(50000))
    assert (serious.min, serious.max) == (Decimal(50000), Decimal(500000))


@pytest.mark.parametrize(
    ("turnover", "low", "high"),
    [
        pytest.param(5000, 0, 10000, id="below-1wan-range"),  # 不足1万元：1万元以下
        pytest.param(20000, 20000, 60000, id="above-1wan-1to3x"),  # 1万元以上：1倍以上3倍以下
    ],
)
def test_art_business_tiered_rule_from_notes(turnover, low, high):
    # 《艺术品经营管理办法》第二十条 as the seed's notes describe it (memory, unverified).
    assert ITEMS["WH-ART-002"]["amounts_verified"] is False
    fine = statutory_range(parse_fine_rule(ITEMS["WH-ART-002"]["fine_rule"]), {"违法经营额": turnover})
    assert (fine.min, fine.max) == (Decimal(low), Decimal(high))


@pytest.mark.parametrize("code", CODES)
def test_amounts_verified_follows_the_seed(code):
    seed = SEED_BY_CODE[code]
    if not seed["verified"] or "未核实" in seed["notes"]:
        assert ITEMS[code]["amounts_verified"] is False
    else:
        assert ITEMS[code]["amounts_verified"] is True


# --- earlier regimes (lex mitior, 《行政处罚法》第三十七条) ------------------------------------------

@pytest.mark.parametrize("code", [c for c in CODES if "earlier" in ITEMS[c]])
def test_earlier_regimes_name_a_listed_version(code):
    for earlier in ITEMS[code]["earlier"]:
        labels = [v["label"] for v in SOURCES[earlier["source"]]["versions"]]
        assert earlier["version"] in labels
        assert labels.index(earlier["version"]) < len(labels) - 1, "an earlier regime is not the latest version"


def test_publication_2024_amendment_changed_base_and_tier_mode():
    # 2024-12-06 修改决定: 出版管理条例第六十一条 违法经营额（不足1万元“可以处5万元以下”）
    # → 违法所得（“并处25万元以下”）.
    (old,) = ITEMS["WH-PUB-001"]["earlier"]
    old_rule = parse_fine_rule(old["fine_rule"])
    new_rule = parse_fine_rule(SEED_BY_CODE["WH-PUB-001"]["fine_rule"])
    assert (old_rule.base.value, old_rule.max) == ("违法经营额", Decimal(50000))
    assert (new_rule.base.value, new_rule.max) == ("违法所得", Decimal(250000))
    assert [k["mode_below_threshold"] for k in old["kinds"] if k["kind"] == "fine"] == ["optional"]
    assert "mode_below_threshold" not in kind_entry("WH-PUB-001", "fine")


# --- spot checks on sources --------------------------------------------------------------------------

@pytest.mark.parametrize("code", ["WH-NCL-001", "WH-NCL-002"])
def test_internet_culture_items_rest_on_a_department_rule(code):
    # 《互联网文化管理暂行规定》 is a 部门规章 (文化部令): it may only specify within higher law (行政处罚法第十三条).
    (provision,) = ITEMS[code]["penalty"]
    assert provision["source"] == "互联网文化管理暂行规定"
    assert SOURCES["互联网文化管理暂行规定"]["level"] == "department_rule"
    assert ITEMS[code]["amounts_verified"] is False
    assert ITEMS[code]["article_unverified"] is True


# --- the regulations' own repeat-offence escalations (法定升格) ----------------------------------------
# Read in LawRefBook/Laws 行政法规/娱乐场所管理条例(2020-11-29).md and 营业性演出管理条例(2020-11-29).md
# (law.md §3.3 and §4 row 28 [V:LRB]). The articles are 第五十三条第三款 (a paragraph, not an item) and
# 第四十七条第一款.
ESCALATED = [c for c in CODES if ITEMS[c].get("escalations")]
ENT_LADDER = ["ent_suspend_after_warnings_or_fines", "ent_revoke_after_suspensions"]


@pytest.mark.parametrize("code", ESCALATED)
def test_escalations_parse_canonically(code):
    from zhifa.law.discretion import escalations_from_json, escalations_to_json

    raw = ITEMS[code]["escalations"]
    assert escalations_to_json(escalations_from_json(raw)) == raw
    for esc in raw:
        assert esc["verified"] is True and "LawRefBook/Laws" in esc["source_ref"]


@pytest.mark.parametrize(("codes", "expected"), [
    # 《娱乐场所管理条例》第五十三条第三款: every item punished under the regulation, except 取缔 (第四十一条)
    pytest.param([c for c in CODES if c.startswith("WH-ENT-") and c != "WH-ENT-001"], ENT_LADDER,
                 id="ENT-Art53.3-all-but-banning"),
    pytest.param(["WH-ENT-001"], [], id="ENT-Art41-banning-no-escalation"),
    # 《营业性演出管理条例》第五十三条第三款 for every item; 第四十七条第一款 only for the 假唱 item
    pytest.param([c for c in CODES if c.startswith("WH-PER-") and c != "WH-PER-011"],
                 ["perf_heavier_after_two_penalties"], id="PER-Art53.3-all"),
    pytest.param(["WH-PER-011"], ["perf_heavier_after_two_penalties", "perf_revoke_named_again"],
                 id="PER-Art47-named-again"),
])
def test_which_items_carry_which_escalations(codes, expected):
    assert codes
    for code in codes:
        assert [e["code"] for e in ITEMS[code].get("escalations", [])] == expected, code
    others = [c for c in ESCALATED if not c.startswith(("WH-ENT-", "WH-PER-"))]
    assert others == []


@pytest.mark.parametrize(("code", "esc", "article", "window", "count", "prior", "effect", "kinds", "wording"), [
    pytest.param("WH-ENT-008", "ent_suspend_after_warnings_or_fines", "第五十三条第三款", 2, 3, "warning_or_fine",
                 "kinds", ["suspend_business"], "3个月至6个月", id="ENT-Art53.3-3-warnings-or-fines-suspend-3-6m"),
    pytest.param("WH-ENT-008", "ent_revoke_after_suspensions", "第五十三条第三款", 2, 2, "suspend_business",
                 "kinds", ["revoke_licence"], "原发证机关", id="ENT-Art53.3-2-suspensions-revoke"),
    pytest.param("WH-PER-005", "perf_heavier_after_two_penalties", "第五十三条第三款", 2, 2, "any", "heavier", [],
                 "应当从重处罚", id="PER-Art53.3-2-penalties-heavier"),
    pytest.param("WH-PER-011", "perf_revoke_named_again", "第四十七条第一款", 2, 1, "named", "kinds",
                 ["revoke_licence"], "再次被公布", id="PER-Art47-named-again-revoke"),
])
def test_escalation_spot_checks(code, esc, article, window, count, prior, effect, kinds, wording):
    (entry,) = [e for e in ITEMS[code]["escalations"] if e["code"] == esc]
    assert entry["basis"]["article"] == article
    assert (entry["window_years"], entry["prior_count"], entry["prior_kind"], entry["effect"], entry["kinds"]) == \
        (window, count, prior, effect, kinds)
    assert wording in entry["basis"]["note"] + entry["note"]


def test_revocation_replaces_suspension_on_the_ladder():
    (revoke,) = [e for e in ITEMS["WH-ENT-002"]["escalations"] if e["code"] == "ent_revoke_after_suspensions"]
    assert revoke["supersedes"] == ["ent_suspend_after_warnings_or_fines"]


def test_art47_revocation_only_through_its_escalation():
    # 《营业性演出管理条例》第四十七条第一款: 吊销 on 再次被公布, for 演出举办单位、文艺表演团体 (not 个体演员).
    assert kind_entry("WH-PER-011", "revoke_licence")["escalation"] == "perf_revoke_named_again"
    (named,) = [e for e in ITEMS["WH-PER-011"]["escalations"] if e["code"] == "perf_revoke_named_again"]
    assert named["party"] == "organisation" and "个体演员" in named["note"]


@pytest.mark.parametrize("code", CODES)
def test_kind_escalations_name_an_escalation_of_the_item(code):
    codes = {e["code"] for e in ITEMS[code].get("escalations", [])}
    for entry in ITEMS[code]["kinds"]:
        if entry.get("escalation"):
            assert entry["escalation"] in codes
