"""Load the seed catalog (``data/catalog.json``, 61 items) into the catalog tables. Idempotent.

Two inputs:

* ``data/catalog.json`` — the items as the domain notes wrote them (law.md §7): names, basis texts,
  penalty wording, fine rules, measures, notes.
* ``data/structure.json`` (when present) — the same items broken down into legal sources with their
  levels and dated versions, violated and penalty provisions, penalty kinds with their mode (并处 /
  可以并处 / 情节严重), canonical fine rules and the regulation's own repeat-offence escalations
  (``escalations``, :func:`zhifa.law.discretion.escalations_from_json`; e.g. 《娱乐场所管理条例》第五十三条第三款).

Without ``structure.json`` the loader falls back to parsing the basis strings
(《互联网上网服务营业场所管理条例》(2022修订…)第三十一条第（一）项) and mapping the seed's penalty words
through :func:`zhifa.law.penalties.kind_from_wording`, every kind taken as mandatory.

Re-running changes nothing. Sources, provisions and versions are only ever added (an administrator's
corrections win). A seeded item is brought back in line with the seed unless the 权责清单 has been
adjusted for it through an approved :class:`~zhifa.catalog.models.ItemChange` — then the bureau's
version stands and the seed is not applied to it again.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from zhifa.law.errors import RuleViolation
from zhifa.law.fines import parse_fine_rule
from zhifa.law.penalties import kind_from_wording

from .models import (
    Benchmark,
    Domain,
    EnforcementItem,
    ItemChange,
    LegalSource,
    NoPenaltyEntry,
    Provision,
    ProvisionVersion,
)
from .reference import seed_items

STRUCTURE_PATH = Path(__file__).parent / "data" / "structure.json"

UNRECORDED = "\x00unrecorded"  # marks a planned version no item has filled yet
KIND_EXTRAS = ("alternative_group", "mode_below_threshold", "applies_to", "authority", "escalation")

DEFAULT_BENCHMARK_NAME = "平台默认裁量基准（常见做法，待本省基准替换）"

Level = LegalSource.Level


# --- parsing the seed's basis strings (fallback when structure.json is absent) -----------------------
_NUM = "一二三四五六七八九十百零"
_SOURCE = re.compile(r"《([^》]+)》")
_EDITION = re.compile(r"^\s*\(([^()]*)\)")
# Full-width parentheses hold notes, except the item numbers of an article: 第（一）项.
_NOTE = re.compile(rf"（(?![{_NUM}]+）)[^（）]*）")
_ITEMS = re.compile(rf"^(?P<head>.*?)第(?P<items>(?:（[{_NUM}]+）)+)项$")
_ARTICLE_HEAD = re.compile(rf"^(第[{_NUM}]+条(?:第[{_NUM}]+款)?)")


@dataclass
class ParsedSource:
    name: str
    edition: str = ""
    articles: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def parse_basis(text: str) -> list[ParsedSource]:
    """Split a seed basis string into sources, each with its edition note and normalised articles.

    ``《营业性演出管理条例》(2020修订)第四十三条第一款第（一）项、第（二）项`` gives one source with the
    articles ``第四十三条第一款第（一）项`` and ``第四十三条第一款第（二）项``; ``第（二）（三）（四）项`` is
    expanded item by item; ``等`` and notes in full-width parentheses are dropped from the articles and
    kept as notes; a range (``第七十条至第七十五条``) stays one article.
    """
    out: list[ParsedSource] = []
    matches = list(_SOURCE.finditer(text or ""))
    for i, m in enumerate(matches):
        rest = text[m.end(): matches[i + 1].start() if i + 1 < len(matches) else len(text)]
        parsed = ParsedSource(m.group(1).strip())
        ed = _EDITION.match(rest)
        if ed:
            parsed.edition = ed.group(1).strip()
            rest = rest[ed.end():]
        parsed.notes = [n.strip("（）") for n in _NOTE.findall(rest)]
        rest = _NOTE.sub("", rest)
        head = ""
        for piece in re.split(r"[、；;，,]", rest):
            piece = piece.strip().removesuffix("等").strip()
            if not piece.startswith("第"):
                continue
            if piece.startswith("第（") and head:
                piece = head + piece
            found = _ARTICLE_HEAD.match(piece)
            if found:
                head = found.group(1)
            items = _ITEMS.match(piece)
            if items:
                for num in re.findall(rf"（[{_NUM}]+）", items.group("items")):
                    parsed.articles.append(f"{items.group('head')}第{num}项")
            else:
                parsed.articles.append(piece)
        out.append(parsed)
    return out


def guess_level(name: str) -> str:
    """The level of a source from its name, for the fallback only (structure.json states it)."""
    if name.endswith("法") and not name.endswith("办法"):
        return Level.LAW
    if name.endswith("条例"):
        return Level.ADMIN_REGULATION
    if any(w in name for w in ("通知", "意见", "指引", "目录")):
        return Level.NORMATIVE
    return Level.DEPARTMENT_RULE


def _edition_version(edition: str) -> dict | None:
    """A version guessed from an edition note: its 施行 date, else its latest full date, else 1 January of its year."""
    when = re.search(r"(\d{4}-\d{2}-\d{2})施行", edition) or None
    dates = re.findall(r"\d{4}-\d{2}-\d{2}", edition)
    if when:
        day = when.group(1)
    elif dates:
        day = max(dates)
    else:
        year = re.search(r"(19|20)\d{2}", edition)
        if not year:
            return None
        day = f"{year.group(0)}-01-01"
    return {"label": edition[:64], "effective_from": day, "verified": False,
            "source_ref": "由种子目录的版本说明推定，施行日期待核对"}


def fallback_structure(items: list[dict]) -> dict:
    """The structure.json shape, derived from the seed's basis strings and penalty words."""
    sources: dict[str, dict] = {}
    out_items: dict[str, dict] = {}
    for seed in items:
        entry: dict[str, Any] = {"violated": [], "penalty": [], "kinds": [], "amounts_verified": bool(seed["verified"])}
        for key, target in (("basis_violated", "violated"), ("basis_penalty", "penalty")):
            for parsed in parse_basis(seed.get(key, "")):
                src = sources.setdefault(parsed.name, {"name": parsed.name, "level": guess_level(parsed.name),
                                                       "issuer": "", "doc_number": "", "note": "", "versions": []})
                version = _edition_version(parsed.edition) if parsed.edition else None
                if version and version["effective_from"] not in {v["effective_from"] for v in src["versions"]}:
                    src["versions"].append(version)
                if any("未核实" in n for n in parsed.notes):
                    entry["article_unverified"] = True
                entry[target] += [{"source": parsed.name, "article": a} for a in parsed.articles]
        seen = set()
        for word in seed.get("penalties") or []:
            kind = kind_from_wording(word).value
            if kind not in seen:
                seen.add(kind)
                entry["kinds"].append({"kind": kind, "mode": "mandatory", "note": ""})
        raw = seed.get("fine_rule") or seed.get("fine")
        rule = parse_fine_rule(raw) if raw else None
        entry["fine_rule"] = rule.to_json() if rule else None
        out_items[seed["code"]] = entry
    for src in sources.values():
        src["versions"].sort(key=lambda v: v["effective_from"])
    return {"sources": list(sources.values()), "items": out_items}


def load_structure(items: list[dict]) -> tuple[dict, str]:
    """structure.json when present (items it lacks are derived from the seed), else the fallback."""
    if STRUCTURE_PATH.exists():
        data = json.loads(STRUCTURE_PATH.read_text(encoding="utf-8"))
        missing = [s for s in items if s["code"] not in data.get("items", {})]
        if missing:
            extra = fallback_structure(missing)
            data.setdefault("items", {}).update(extra["items"])
            known = {s["name"] for s in data.get("sources", [])}
            data.setdefault("sources", []).extend(s for s in extra["sources"] if s["name"] not in known)
        return data, "structure.json"
    return fallback_structure(items), "catalog.json"


# --- loading ------------------------------------------------------------------------------------------
def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _canonical_kinds(kinds: list[dict]) -> list[dict]:
    """Kinds as stored: Art 9 codes (regulation wording is mapped), a mode, a note, and the optional
    qualifiers structure.json gives (alternative_group: "或者" alternatives; mode_below_threshold;
    applies_to: responsible_persons; authority: another level decides; escalation: imposed only when
    that escalation of the item is met)."""
    out = []
    for k in kinds:
        row = {"kind": kind_from_wording(str(k["kind"])).value, "mode": str(k.get("mode") or "mandatory"),
               "note": str(k.get("note") or "")}
        row.update({x: str(k[x]) for x in KIND_EXTRAS if k.get(x)})
        out.append(row)
    return out


def _canonical_escalations(code: str, data) -> list[dict]:
    """An item's escalations as stored: checked and in canonical form (refused with the item's code)."""
    from zhifa.law.discretion import escalations_from_json, escalations_to_json

    try:
        return escalations_to_json(escalations_from_json(data or []))
    except RuleViolation as err:
        raise RuleViolation(err.code, f"structure.json 事项 {code}：{err.message}", err.field, err.basis) from None


def _canonical_rule(rule) -> dict | None:
    parsed = parse_fine_rule(rule) if rule else None
    return parsed.to_json() if parsed else None


def current_version(versions: list[dict], today: date) -> dict | None:
    """The version in force on ``today`` (the latest that has started), else the earliest."""
    started = [v for v in versions if _day(v["effective_from"]) <= today]
    if started:
        return max(started, key=lambda v: _day(v["effective_from"]))
    return min(versions, key=lambda v: _day(v["effective_from"]), default=None)


def adjusted_codes() -> set[str]:
    """Codes of items the 权责清单 adjusted through an approved change: the seed no longer applies to them."""
    return set(ItemChange.objects.filter(status=ItemChange.Status.APPROVED).values_list("item_code", flat=True))


def load_catalog(*, today: date | None = None) -> dict[str, int]:
    """Load sources, provisions, versions, the 61 items, the platform default benchmark and the sample
    no-penalty entry. Returns counts of what was created or updated (all zero on a re-run)."""
    from zhifa.records.services import record

    today = today or timezone.localdate()
    seeds = seed_items()
    structure, origin = load_structure(seeds)
    counts = {"sources": 0, "provisions": 0, "versions": 0, "items_created": 0, "items_updated": 0,
              "items_kept": 0, "benchmarks": 0, "no_penalty": 0}
    updated_codes: list[str] = []
    with transaction.atomic():
        sources = _load_sources(structure, counts)
        provisions = {(p.source.name, p.article): p for p in Provision.objects.select_related("source")}
        existing_versions = set(ProvisionVersion.objects.values_list("provision_id", "effective_from"))
        domains = {d.code: d for d in Domain.objects.all()}
        items = {i.code: i for i in EnforcementItem.objects.prefetch_related("violated", "penalty_provisions")}
        keep = adjusted_codes()
        versions_of = {s["name"]: s.get("versions", []) for s in structure.get("sources", [])}

        def provision(ref: dict) -> Provision:
            key = (ref["source"], ref["article"])
            if key not in provisions:
                source = sources.get(ref["source"]) or _source(ref["source"], sources, counts)
                provisions[key] = Provision.objects.create(source=source, article=ref["article"][:64],
                                                           note=str(ref.get("note") or "")[:255])
                counts["provisions"] += 1
            return provisions[key]

        # (provision id, effective_from) → the version to create; content set by the items that cite it.
        planned: dict[tuple[int, date], ProvisionVersion] = {}

        def plan(p: Provision, upto: str | None = None) -> dict[str, ProvisionVersion]:
            """The versions of ``p``: those of its source (up to the one labelled ``upto``), by label."""
            versions = sorted(versions_of.get(p.source.name, []), key=lambda v: _day(v["effective_from"]))
            if upto is not None:
                labels = [v.get("label") for v in versions]
                versions = versions[: labels.index(upto) + 1] if upto in labels else []
            out = {}
            for v in versions:
                start = _day(v["effective_from"])
                if (p.pk, start) in existing_versions:
                    continue
                if (p.pk, start) not in planned:
                    following = versions_of.get(p.source.name, [])
                    later = sorted(_day(w["effective_from"]) for w in following if _day(w["effective_from"]) > start)
                    planned[(p.pk, start)] = ProvisionVersion(
                        provision=p, label=str(v.get("label") or start.isoformat())[:64], effective_from=start,
                        effective_to=later[0] - timedelta(days=1) if later else None, kinds=[], fine_rule=None,
                        summary=UNRECORDED, verified=bool(v.get("verified")),
                        source_ref=str(v.get("source_ref") or "")[:255])
                out[str(v.get("label"))] = planned[(p.pk, start)]
            return out

        def fill(version: ProvisionVersion, kinds: list[dict], rule: dict | None, note: str = "") -> None:
            if version.summary == UNRECORDED:
                version.kinds, version.fine_rule, version.summary = kinds, rule, note

        for seed in seeds:
            code = seed["code"]
            entry = structure["items"][code]
            violated = [provision(r) for r in entry.get("violated", [])]
            penalty = [provision(r) for r in entry.get("penalty", [])]
            kinds = _canonical_kinds(entry.get("kinds", []))
            # structure.json: fine_rule null means the seed's fine / fine_rule is complete.
            rule = _canonical_rule(entry["fine_rule"]) if entry.get("fine_rule") is not None else \
                _canonical_rule(seed.get("fine_rule") or seed.get("fine"))
            for p in penalty:
                versions = sorted(versions_of.get(p.source.name, []), key=lambda v: _day(v["effective_from"]))
                current = current_version(versions, today)
                by_label = plan(p)
                if current is not None and str(current.get("label")) in by_label:
                    fill(by_label[str(current.get("label"))], kinds, rule)
            for earlier in entry.get("earlier", []):
                # The penalty part before an amendment (e.g. 2024-12-06), for 《行政处罚法》第三十七条.
                for ref in earlier.get("penalty", []):
                    version = plan(provision(ref), upto=earlier.get("version")).get(str(earlier.get("version")))
                    if version is not None:
                        fill(version, _canonical_kinds(earlier.get("kinds", [])),
                             _canonical_rule(earlier.get("fine_rule")), str(earlier.get("note") or ""))
            if code in keep:
                counts["items_kept"] += 1
                continue
            fields = {
                "name": seed["name"][:255],
                "domain_id": domains[code.split("-")[1]].pk,
                "category": EnforcementItem.Category.PENALTY,
                "basis_violated_text": seed.get("basis_violated", ""),
                "basis_penalty_text": seed.get("basis_penalty", ""),
                "kinds": kinds,
                "fine_rule": rule,
                "escalations": _canonical_escalations(code, entry.get("escalations")),
                "measures": list(seed.get("measures") or []),
                "authority": (seed.get("authority") or "")[:255],
                "verified": bool(seed.get("verified")) and bool(entry.get("amounts_verified", True))
                and not entry.get("article_unverified", False),
                "notes": "\n".join(n for n in (seed.get("notes", ""), entry.get("note", "")) if n),
                "source": seed.get("source", ""),
            }
            item = items.get(code)
            if item is None:
                item = EnforcementItem.objects.create(code=code, **fields)
                item.violated.set(violated)
                item.penalty_provisions.set(penalty)
                counts["items_created"] += 1
                continue
            changed = [k for k, v in fields.items() if getattr(item, k) != v]
            if changed:
                for k in changed:
                    setattr(item, k, fields[k])
                item.save(update_fields=[*changed, "updated_at"])
            if {p.pk for p in item.violated.all()} != {p.pk for p in violated}:
                item.violated.set(violated)
                changed.append("violated")
            if {p.pk for p in item.penalty_provisions.all()} != {p.pk for p in penalty}:
                item.penalty_provisions.set(penalty)
                changed.append("penalty_provisions")
            if changed:
                counts["items_updated"] += 1
                updated_codes.append(code)
        for version in planned.values():
            if version.summary == UNRECORDED:
                version.summary = "该版本罚则未录入，适用时请核对原文（《行政处罚法》第三十七条）"
        ProvisionVersion.objects.bulk_create(planned.values())
        counts["versions"] += len(planned)
        counts["benchmarks"] += _load_default_benchmark()
        counts["no_penalty"] += _load_sample_no_penalty()
        if any(counts[k] for k in counts if k != "items_kept"):
            record("catalog.seed_loaded", actor=None, subject="catalog:seed",
                   payload={"origin": origin, **counts, "updated": updated_codes})
    return counts


def _source(name: str, sources: dict[str, LegalSource], counts: dict) -> LegalSource:
    src, created = LegalSource.objects.get_or_create(name=name[:128], defaults={"level": guess_level(name)})
    counts["sources"] += int(created)
    sources[name] = src
    return src


def _load_sources(structure: dict, counts: dict) -> dict[str, LegalSource]:
    sources = {s.name: s for s in LegalSource.objects.all()}
    for data in structure.get("sources", []):
        if data["name"] in sources:
            continue
        level = data.get("level") or guess_level(data["name"])
        if level not in Level.values:
            raise RuleViolation("source_level", f"法律依据《{data['name']}》的效力层级“{level}”无法识别", "level")
        sources[data["name"]] = LegalSource.objects.create(
            name=data["name"][:128], level=level, issuer=(data.get("issuer") or "")[:128],
            doc_number=(data.get("doc_number") or "")[:64], note=data.get("note") or "")
        counts["sources"] += 1
    return sources


# --- the platform default benchmark -----------------------------------------------------------------
# Written out for when zhifa.law.discretion does not provide DEFAULT_BENCHMARK yet: the conventions
# law.md §3.3 describes ([U], common practice): a range or a maximum split 30% / 70%.
_THIRDS = {"lighter": {"low": "0", "high": "0.3"}, "general": {"low": "0.3", "high": "0.7"},
           "heavier": {"low": "0.7", "high": "1"}}
FALLBACK_BENCHMARK = {
    "jurisdiction": "平台默认",
    "bands": {"range": _THIRDS, "max_only": _THIRDS, "multiple": _THIRDS},
    "aggravating": [
        {"code": "minors", "label": "针对未成年人或者损害未成年人身心健康"},
        {"code": "holiday", "label": "在重大节假日、重大活动期间实施"},
        {"code": "refused_correction", "label": "拒不改正或者责令改正后继续实施"},
        {"code": "obstruction", "label": "阻碍执法，隐匿、销毁证据"},
        {"code": "serious_consequence", "label": "造成严重后果或者安全事故"},
        {"code": "social_impact", "label": "社会影响恶劣或者群众多次投诉举报"},
    ],
    "mitigating": [],
    "params": {"mitigated_floor": "0", "mitigate_threshold": 2, "repeat_window_years": 2, "repeat_count": 1},
    "item_bands": {},
    "source": "常见做法（未核实）；待本省文化市场行政处罚裁量基准替换",
}


def default_benchmark_json() -> dict:
    """DEFAULT_BENCHMARK of zhifa.law.discretion as JSON; the written-out fallback while it is missing."""
    try:
        from zhifa.law import discretion

        bench = discretion.DEFAULT_BENCHMARK
        to_json = getattr(discretion, "benchmark_to_json", None)
        return to_json(bench) if to_json else bench.to_json()
    except (ImportError, AttributeError, NotImplementedError):
        return FALLBACK_BENCHMARK


def _load_default_benchmark() -> int:
    """Create the platform default row (unpublished) once; refresh it only while it still holds the fallback."""
    from .rules import benchmark_fields

    fields = benchmark_fields(default_benchmark_json())
    row = Benchmark.objects.filter(agency__isnull=True, name=DEFAULT_BENCHMARK_NAME).first()
    if row is None:
        Benchmark.objects.create(agency=None, name=DEFAULT_BENCHMARK_NAME, effective_from=date(2021, 7, 15),
                                 published=False, **fields)
        return 1
    fallback = benchmark_fields(FALLBACK_BENCHMARK)
    current = {k: getattr(row, k) for k in fallback}
    if not row.published and current == fallback and fields != fallback:
        for k, v in fields.items():
            setattr(row, k, v)
        row.save(update_fields=list(fields))
        return 1
    return 0


# --- a sample 免罚清单 entry (law.md §3.4) -------------------------------------------------------------
SAMPLE_NO_PENALTY = [
    {
        "item": "WH-NET-007",
        "list_name": "广东省文化市场综合行政执法领域免处罚清单（示例，待本省清单替换）",
        "conditions": ["first_violation", "corrected_promptly", "no_harm"],
        "description": "互联网上网服务营业场所未悬挂《网络文化经营许可证》或者未成年人禁入标志，"
                       "首次被发现、及时改正且未造成危害后果的，不予行政处罚（清单第一项）。不予处罚的，应当对当事人进行教育。",
        "source": "https://leonstrydom.com/whly/open_newgfxwj/content/post_3993016.html（"
                  "2022-08-10印发，2022-08-15施行，有效期5年）",
        "effective_from": date(2022, 8, 15),
        "effective_to": date(2027, 8, 14),
    },
]


def _load_sample_no_penalty() -> int:
    created = 0
    for data in SAMPLE_NO_PENALTY:
        item = EnforcementItem.objects.filter(code=data["item"]).first()
        if item is None:
            continue
        _, made = NoPenaltyEntry.objects.get_or_create(
            agency=None, item=item, list_name=data["list_name"], effective_from=data["effective_from"],
            defaults={k: data[k] for k in ("conditions", "description", "source", "effective_to")})
        created += int(made)
    return created
