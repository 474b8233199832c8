"""The seed catalog loads on `load_reference`: 61 items with their sources, provisions and dated versions,
the platform default benchmark and the sample 免罚清单 line; re-running changes nothing, and an item the
权责清单 adjusted through an approved change is never overwritten by the seed."""

import io
import itertools
import json
from datetime import date

import pytest
from django.core.management import call_command

from zhifa.catalog import loader
from zhifa.catalog.models import (
    Benchmark,
    EnforcementItem,
    LegalSource,
    NoPenaltyEntry,
    Provision,
    ProvisionVersion,
)
from zhifa.catalog.reference import seed_items
from zhifa.catalog.services import approve_change, propose_change
from zhifa.law.discretion import benchmark_from_json
from zhifa.law.fines import parse_fine_rule
from zhifa.law.penalties import PenaltyKind
from zhifa.records.models import Event

pytestmark = pytest.mark.django_db


def _load():
    call_command("load_reference", verbosity=0, stdout=io.StringIO())


def _snapshot():
    items = {i.code: (i.name, i.kinds, i.fine_rule, i.verified, i.version, i.updated_at,
                      sorted(i.penalty_provisions.values_list("pk", flat=True)),
                      sorted(i.violated.values_list("pk", flat=True)))
             for i in EnforcementItem.objects.all()}
    return (items, LegalSource.objects.count(), Provision.objects.count(), ProvisionVersion.objects.count(),
            Benchmark.objects.count(), NoPenaltyEntry.objects.count())


def test_all_61_seed_items_load_with_their_domain(domains):
    seeds = seed_items()
    assert len(seeds) == 61 and EnforcementItem.objects.count() == 61
    for seed in seeds:
        item = EnforcementItem.objects.get(code=seed["code"])
        assert item.domain.code == seed["code"].split("-")[1]  # WH-NET-001 → NET, as reference.py does
        assert item.name == seed["name"] and item.basis_penalty_text == seed["basis_penalty"]
        assert item.status == EnforcementItem.Status.ACTIVE and item.version == 1
        for k in item.kinds:  # every kind an Art 9 kind with a mode
            assert PenaltyKind(k["kind"]) and k["mode"] in {"mandatory", "optional", "serious"}
        parse_fine_rule(item.fine_rule)  # canonical and readable
        if item.fine_rule is not None:
            assert "type" in item.fine_rule


def test_every_item_has_a_penalty_provision_in_a_law_regulation_or_rule(domains):
    """《行政处罚法》第十六条: no penalty basis in a 规范性文件."""
    for item in EnforcementItem.objects.prefetch_related("penalty_provisions__source"):
        sources = {p.source.level for p in item.penalty_provisions.all()}
        assert sources, item.code
        assert LegalSource.Level.NORMATIVE not in sources


def test_verified_combines_seed_and_amounts(domains):
    """The 5 unverified seed items (艺术品 ×3, 网络文化 ×2, law.md §7) stay unverified."""
    unverified = set(EnforcementItem.objects.filter(verified=False).values_list("code", flat=True))
    assert {"WH-ART-001", "WH-ART-002", "WH-ART-003", "WH-NCL-001", "WH-NCL-002"} <= unverified
    assert "WH-NET-001" not in unverified


def test_tiered_rule_and_kinds_of_an_item(domains):
    """网吧条例第二十七条: 违法经营额1万元以上 5–10 倍, 不足1万元 1万–5万元 (tiered)."""
    item = EnforcementItem.objects.get(code="WH-NET-001")
    rule = parse_fine_rule(item.fine_rule)
    assert rule.type == "tiered" and rule.threshold == 10000 and rule.min == 10000 and rule.max == 50000
    assert {k["kind"] for k in item.kinds} >= {"confiscate_gains", "fine"}
    assert item.measures == ["取缔", "查封", "扣押"]  # measures, not penalties (Art 9 / 行政强制法第九条)


def test_the_current_version_carries_the_penalty_data(domains):
    """Each penalty provision gets its source's versions; the one in force carries the item's kinds."""
    item = EnforcementItem.objects.get(code="WH-NET-007")
    (provision,) = item.penalty_provisions.all()
    versions = list(provision.versions.order_by("effective_from"))
    structure, _ = loader.load_structure(seed_items())
    source = next(s for s in structure["sources"] if s["name"] == provision.source.name)
    assert [v.effective_from.isoformat() for v in versions] == sorted(v["effective_from"] for v in source["versions"])
    current = [v for v in versions if v.effective_from <= date.today() and
               (v.effective_to is None or v.effective_to >= date.today())]
    assert len(current) == 1 and current[0].kinds == item.kinds
    for older, newer in itertools.pairwise(versions):
        assert older.effective_to is not None and older.effective_to < newer.effective_from


def test_earlier_penalty_regime_is_kept_for_lex_mitior(domains):
    """出版管理条例 before the 2024-12-06 amendment: the 违法经营额 tiers (《行政处罚法》第三十七条)."""
    if not loader.STRUCTURE_PATH.exists():
        pytest.skip("structure.json not present")
    provision = Provision.objects.get(source__name="出版管理条例", article="第六十一条")
    old = provision.versions.order_by("effective_from").first()
    rule = parse_fine_rule(old.fine_rule)
    assert rule is not None and rule.base == "违法经营额" and rule.threshold == 10000
    new = provision.versions.order_by("effective_from").last()
    assert parse_fine_rule(new.fine_rule).base == "违法所得"


def test_platform_default_benchmark_row(domains):
    row = Benchmark.objects.get(agency__isnull=True)
    assert row.name == loader.DEFAULT_BENCHMARK_NAME and not row.published
    from zhifa.catalog.rules import benchmark_json

    bench = benchmark_from_json(benchmark_json(row))  # valid as the engine reads it
    assert set(bench.bands) == {"range", "max_only", "multiple"}


def test_sample_no_penalty_entry_from_law_md(domains):
    """law.md §3.4: Guangdong's list, in force 2022-08-15 for 5 years; first item = 网吧 not displaying the licence."""
    entry = NoPenaltyEntry.objects.get()
    assert entry.agency is None and entry.item.code == "WH-NET-007"
    assert entry.effective_from == date(2022, 8, 15) and entry.effective_to == date(2027, 8, 14)
    assert "first_violation" in entry.conditions and "leonstrydom.com" in entry.source


def test_rerunning_changes_nothing(domains):
    before = _snapshot()
    events = Event.objects.count()
    counts = loader.load_catalog()
    assert not any(v for k, v in counts.items() if k != "items_kept")
    _load()
    assert _snapshot() == before
    assert Event.objects.count() == events  # nothing recorded when nothing changed


def test_first_load_is_recorded(domains):
    ev = Event.objects.filter(action="catalog.seed_loaded").get()
    payload = json.loads(ev.payload)
    assert payload["items_created"] == 61 and ev.actor_id is None


def test_a_seed_item_edited_outside_the_change_log_is_restored(domains):
    EnforcementItem.objects.filter(code="WH-NET-003").update(name="被直接改动的名称")
    counts = loader.load_catalog()
    assert counts["items_updated"] == 1
    assert EnforcementItem.objects.get(code="WH-NET-003").name == next(
        s["name"] for s in seed_items() if s["code"] == "WH-NET-003")


def test_items_adjusted_through_an_approved_change_are_kept(domains, agency, make_user):
    reviewer, head = make_user(agency, roles=("reviewer",)), make_user(agency, roles=("head",))
    item = EnforcementItem.objects.get(code="WH-NET-003")
    change = propose_change(actor=reviewer, item=item, action="update", proposed={"name": "超时营业（本省调整名称）"},
                            reason="按本省权责清单调整名称")
    approve_change(change, actor=head)
    counts = loader.load_catalog()
    item.refresh_from_db()
    assert item.name == "超时营业（本省调整名称）" and item.version == 2
    assert counts["items_kept"] == 1 and counts["items_updated"] == 0


def test_fallback_without_structure_json(db, domains, monkeypatch, tmp_path):
    """Without structure.json the basis strings are parsed and the penalty words mapped (mode mandatory)."""
    NoPenaltyEntry.objects.all().delete()
    EnforcementItem.objects.all().delete()
    ProvisionVersion.objects.all().delete()
    Provision.objects.all().delete()
    LegalSource.objects.all().delete()
    monkeypatch.setattr(loader, "STRUCTURE_PATH", tmp_path / "absent.json")
    counts = loader.load_catalog()
    assert counts["items_created"] == 61
    item = EnforcementItem.objects.get(code="WH-NET-010")
    assert sorted(p.article for p in item.penalty_provisions.all()) == ["第三十三条第（三）项", "第三十三条第（四）项"]
    assert {k["mode"] for k in item.kinds} == {"mandatory"}
    assert LegalSource.objects.get(name="旅游法").level == LegalSource.Level.LAW
    assert LegalSource.objects.get(name="艺术品经营管理办法").level == LegalSource.Level.DEPARTMENT_RULE
    assert loader.load_catalog()["items_created"] == 0


@pytest.mark.parametrize("text, expected", [
    pytest.param("《娱乐场所管理条例》(2020修订)第四十八条第（三）项、第四十八条第（四）项",
                 [("娱乐场所管理条例", ["第四十八条第（三）项", "第四十八条第（四）项"])], id="two-items"),
    pytest.param("《营业性演出管理条例》(2020修订)第四十三条第一款第（一）项、第（二）项、第（三）项",
                 [("营业性演出管理条例", ["第四十三条第一款第（一）项", "第四十三条第一款第（二）项",
                                           "第四十三条第一款第（三）项"])], id="item-continues-article"),
    pytest.param("《旅游法》(2018修正)第九十六条第（一）项、第九十六条第（二）（三）（四）项",
                 [("旅游法", ["第九十六条第（一）项", "第九十六条第（二）项", "第九十六条第（三）项",
                              "第九十六条第（四）项"])], id="items-expanded"),
    pytest.param("《旅游法》(2018修正)第五十七条；《旅行社条例》(2020修订)第二十八条",
                 [("旅游法", ["第五十七条"]), ("旅行社条例", ["第二十八条"])], id="two-sources"),
    pytest.param("《出版管理条例》(2024-12-06修订)第三十五条（第一款批发、第二款零售须经许可）",
                 [("出版管理条例", ["第三十五条"])], id="note-dropped"),
    pytest.param("《出版管理条例》(2024-12-06修订)（进口出版物发行规定）", [("出版管理条例", [])], id="no-article"),
    pytest.param("《印刷业管理条例》(2024-12-06修订)第九条等（印刷经营许可）", [("印刷业管理条例", ["第九条"])],
                 id="deng-dropped"),
])
def test_parse_basis(text, expected):
    assert [(p.name, p.articles) for p in loader.parse_basis(text)] == expected


def test_parse_basis_keeps_edition_and_notes():
    (parsed,) = loader.parse_basis("《艺术品经营管理办法》第二十条（条号及幅度未核实）")
    assert parsed.edition == "" and parsed.notes == ["条号及幅度未核实"] and parsed.articles == ["第二十条"]
    (parsed,) = loader.parse_basis("《文物保护法》(2024修订，2025-03-01施行)第八十九条")
    assert loader._edition_version(parsed.edition)["effective_from"] == "2025-03-01"


# --- the regulations' own escalations (《娱乐场所管理条例》第五十三条第三款 …) -------------------------------------
def test_items_carry_their_escalations(domains):
    """structure.json's escalations are stored in the item in canonical form (zhifa.law.discretion)."""
    from zhifa.law.discretion import escalations_from_json, escalations_to_json

    ent = EnforcementItem.objects.get(code="WH-ENT-008")
    assert [e["code"] for e in ent.escalations] == ["ent_suspend_after_warnings_or_fines",
                                                    "ent_revoke_after_suspensions"]
    assert escalations_to_json(escalations_from_json(ent.escalations)) == ent.escalations
    assert ent.escalations[0]["basis"] == {"source": "《娱乐场所管理条例》", "article": "第五十三条第三款",
                                           "note": ent.escalations[0]["basis"]["note"]}
    per = EnforcementItem.objects.get(code="WH-PER-011")
    assert [e["code"] for e in per.escalations] == ["perf_heavier_after_two_penalties", "perf_revoke_named_again"]
    assert [k.get("escalation") for k in per.kinds if k["kind"] == "revoke_licence"] == ["perf_revoke_named_again"]
    assert EnforcementItem.objects.get(code="WH-ENT-001").escalations == []  # 第四十一条 取缔: none
    assert EnforcementItem.objects.get(code="WH-NET-003").escalations == []


def test_escalations_restored_and_rerun_idempotent(domains):
    EnforcementItem.objects.filter(code="WH-PER-005").update(escalations=[])
    counts = loader.load_catalog()
    assert counts["items_updated"] == 1
    assert EnforcementItem.objects.get(code="WH-PER-005").escalations[0]["code"] == "perf_heavier_after_two_penalties"
    assert loader.load_catalog()["items_updated"] == 0


def test_escalations_of_an_adjusted_item_are_kept(domains, agency, make_user):
    """The bureau removed the escalation through an approved change: the seed does not bring it back."""
    reviewer, head = make_user(agency, roles=("reviewer",)), make_user(agency, roles=("head",))
    item = EnforcementItem.objects.get(code="WH-PER-005")
    approve_change(propose_change(actor=reviewer, item=item, action="update", proposed={"escalations": []},
                                  reason="测试：本省权责清单调整"), actor=head)
    counts = loader.load_catalog()
    item.refresh_from_db()
    assert item.escalations == [] and counts["items_kept"] == 1 and counts["items_updated"] == 0


def test_bad_escalation_in_structure_is_refused_with_the_item(domains, monkeypatch, tmp_path):
    data = json.loads(loader.STRUCTURE_PATH.read_text(encoding="utf-8"))
    data["items"]["WH-PER-005"]["escalations"][0]["prior_kind"] = "repeat"
    path = tmp_path / "structure.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(loader, "STRUCTURE_PATH", path)
    from zhifa.law.errors import RuleViolation

    with pytest.raises(RuleViolation) as err:
        loader.load_catalog()
    assert "WH-PER-005" in err.value.message and err.value.field == "escalations[0].prior_kind"
