"""Catalog lint: what is wrong or doubtful in the 权责清单, each finding with its article.

Errors (the item must not be applied as it stands):

* ``penalty_basis_missing`` — a penalty item without a penalty provision (《行政处罚法》第四条);
* ``penalty_basis_normative`` — a penalty provision in a 规范性文件 (《行政处罚法》第十六条);
* ``kind_detention`` — 行政拘留 in a culture item (《行政处罚法》第十八条第三款);
* ``kinds_invalid`` / ``fine_rule_invalid`` — stored data the rules cannot read.

Warnings (to be checked by the 法制股):

* ``source_cannot_set_kind`` — a provision whose level cannot itself set that kind (《行政处罚法》第十一条至
  第十四条: a 部门规章 or 地方政府规章 sets only 警告、通报批评、罚款 on its own; a 地方性法规 cannot set
  吊销营业执照 — our kinds do not tell 营业执照 from other licences, so that case is not checked);
* ``duplicate_item`` — same violated and same penalty provisions as another item;
* ``overlapping_item`` — shares a violated and a penalty provision with another item, without being equal;
* ``similar_name`` — names nearly identical to another item's: :data:`NAME_SIMILARITY` (difflib ratio
  ≥ 0.9, i.e. at most about one character in ten differs);
* ``provision_superseded`` — a provision has a version that took effect after the item was last reviewed
  (never-reviewed items: after the version the item's penalty data were taken from);
* ``provision_expired`` — a provision's latest version has ended (``effective_to`` in the past) and the
  item was not reviewed since;
* ``amounts_unverified`` — amounts or article numbers not checked against the official text;
* ``fine_kind_without_rule`` / ``fine_rule_without_kind`` / ``no_penalty_kinds``.

Findings come in a fixed order: by item code, then code, then message.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass, field
from datetime import date
from itertools import combinations

from django.utils import timezone

from zhifa.law.citations import XZCFF
from zhifa.law.errors import Citation, RuleViolation
from zhifa.law.fines import parse_fine_rule

from .models import EnforcementItem, LegalSource, Provision

NAME_SIMILARITY = 0.9

ART_4 = Citation(XZCFF, "第四条", "行政处罚依照本法由法律、法规、规章规定")
ART_11 = Citation(XZCFF, "第十一条", "行政法规可以设定除限制人身自由以外的行政处罚")
ART_12 = Citation(XZCFF, "第十二条", "地方性法规可以设定除限制人身自由、吊销营业执照以外的行政处罚")
ART_13 = Citation(XZCFF, "第十三条", "国务院部门规章可以在法律、行政法规规定的范围内作出具体规定；尚未制定法律、"
                  "行政法规的，可以设定警告、通报批评或者一定数额罚款")
ART_14 = Citation(XZCFF, "第十四条", "地方政府规章可以在法律、法规规定的范围内作出具体规定；尚未制定法律、法规的，"
                  "可以设定警告、通报批评或者一定数额罚款")
ART_16 = Citation(XZCFF, "第十六条", "除法律、法规、规章外，其他规范性文件不得设定行政处罚")
ART_18_3 = Citation(XZCFF, "第十八条第三款", "限制人身自由的行政处罚权只能由公安机关和法律规定的其他机关行使")
ART_37 = Citation(XZCFF, "第三十七条",
                  "实施行政处罚，适用违法行为发生时的法律、法规、规章的规定；新规定处罚较轻的，适用新的规定")
ART_9 = Citation(XZCFF, "第九条", "行政处罚的种类")
ART_29 = Citation(XZCFF, "第二十九条", "对当事人的同一个违法行为，不得给予两次以上罚款的行政处罚")

ERROR, WARNING = "error", "warning"
SEVERITY_LABELS = {ERROR: "错误", WARNING: "提示"}


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str  # "error" | "warning"
    item_code: str
    message: str
    basis: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)


def _f(code: str, severity: str, item: str, message: str, *basis: Citation) -> Finding:
    return Finding(code, severity, item, message, [str(b) for b in basis])


def _label(p: Provision) -> str:
    return f"《{p.source.name}》{p.article}"


def _kind_sets():
    from zhifa.law.penalties import PenaltyKind

    light = frozenset({PenaltyKind.WARNING, PenaltyKind.CRITICISM, PenaltyKind.FINE})
    return {
        LegalSource.Level.DEPARTMENT_RULE: (light, ART_13, "部门规章"),
        LegalSource.Level.LOCAL_RULE: (light, ART_14, "地方政府规章"),
        LegalSource.Level.LOCAL_REGULATION: (frozenset(PenaltyKind) - {PenaltyKind.DETENTION}, ART_12, "地方性法规"),
        LegalSource.Level.ADMIN_REGULATION: (frozenset(PenaltyKind) - {PenaltyKind.DETENTION}, ART_11, "行政法规"),
    }


def lint(today: date | None = None, *, only: str | None = None) -> list[Finding]:
    """Every finding over the whole catalog (repealed items are left out).

    ``only``: the findings about one item code (the item page), computed without checking the others: its own
    checks, and the pairs whose finding is reported on it.
    """
    from zhifa.law.penalties import KIND_LABELS, PenaltyKind

    today = today or timezone.localdate()
    items = list(EnforcementItem.objects.exclude(status=EnforcementItem.Status.REPEALED)
                 .prefetch_related("violated__source", "penalty_provisions__source",
                                   "penalty_provisions__versions", "violated__versions")
                 .order_by("code"))
    allowed = _kind_sets()
    out: list[Finding] = []
    for item in items:
        code = item.code
        if only is not None and code != only:
            continue
        penalty = sorted(item.penalty_provisions.all(), key=lambda p: (p.source.name, p.article))
        is_penalty = item.category == EnforcementItem.Category.PENALTY
        if is_penalty and not penalty:
            out.append(_f("penalty_basis_missing", ERROR, code,
                          f"未设定处罚依据（原文表述：{item.basis_penalty_text or '无'}），"
                          "处罚依据须为法律、法规或者规章的条款",
                          ART_4, ART_16))
        for p in penalty:
            if p.source.level == LegalSource.Level.NORMATIVE:
                out.append(_f("penalty_basis_normative", ERROR, code,
                              f"处罚依据{_label(p)}出自规范性文件，规范性文件不得设定行政处罚", ART_16))
        kinds: list[PenaltyKind] = []
        try:
            kinds = [PenaltyKind(k["kind"]) for k in item.kinds or []]
        except (ValueError, KeyError, TypeError):
            out.append(_f("kinds_invalid", ERROR, code, "处罚种类数据无法识别，请通过权责清单调整更正", ART_9))
        if PenaltyKind.DETENTION in kinds:
            out.append(_f("kind_detention", ERROR, code, "设定了行政拘留，文化市场综合执法机构不得实施", ART_18_3))
        for p in penalty:
            rule = allowed.get(p.source.level)
            if rule is None:
                continue
            permitted, basis, level = rule
            beyond = [k for k in dict.fromkeys(kinds) if k not in permitted and k is not PenaltyKind.DETENTION]
            if beyond:
                names = "、".join(KIND_LABELS[k] for k in beyond)
                out.append(_f("source_cannot_set_kind", WARNING, code,
                              f"处罚依据{_label(p)}是{level}，{level}自行设定的处罚不包括{names}；"
                              "请核对是否有法律、行政法规的上位依据", basis))
        try:
            rule = parse_fine_rule(item.fine_rule)
        except RuleViolation as err:
            rule = None
            out.append(_f("fine_rule_invalid", ERROR, code, f"罚款规则无法读取：{err.message}"))
        if is_penalty:
            if not kinds:
                out.append(_f("no_penalty_kinds", WARNING, code, "未设定处罚种类", ART_9))
            if PenaltyKind.FINE in kinds and rule is None and item.fine_rule is None:
                out.append(_f("fine_kind_without_rule", WARNING, code, "处罚种类含罚款，但未设定罚款规则（幅度）",
                              ART_9))
            if rule is not None and PenaltyKind.FINE not in kinds:
                out.append(_f("fine_rule_without_kind", WARNING, code, "设定了罚款规则，但处罚种类不含罚款", ART_9))
        if not item.verified:
            out.append(_f("amounts_unverified", WARNING, code,
                          "罚款数额或者条款序号尚未对照官方文本核对，适用前须核对原文"))
        out.extend(_superseded(item, today))
    out.extend(_pairs(items, only))
    return sorted(out, key=lambda f: (f.item_code, f.code, f.message))


def _superseded(item: EnforcementItem, today: date) -> list[Finding]:
    """Provisions changed since the item was last reviewed (《行政处罚法》第三十七条: the version matters)."""
    out = []
    provisions = sorted({*item.penalty_provisions.all(), *item.violated.all()},
                        key=lambda p: (p.source.name, p.article))
    for p in provisions:
        versions = sorted(p.versions.all(), key=lambda v: v.effective_from)
        if not versions:
            continue
        reviewed = item.reviewed_on
        if reviewed is None:
            # Never reviewed: the item was built from the version carrying its penalty data.
            built = [v.effective_from for v in versions if v.kinds or v.fine_rule]
            reviewed = max(built) if built else None
        if reviewed is not None:
            later = [v for v in versions if v.effective_from > reviewed]
            for v in later:
                when = "起施行" if v.effective_from <= today else "起将施行"
                since = f"最近审查于 {item.reviewed_on:%Y-%m-%d}" if item.reviewed_on else "录入后未经审查"
                out.append(_f("provision_superseded", WARNING, item.code,
                              f"{_label(p)}自 {v.effective_from:%Y-%m-%d}{when}新版本（{v.label}），事项{since}；"
                              "请核对罚则是否变化，按新旧版本从旧兼从轻适用", ART_37))
        last = versions[-1]
        if last.effective_to is not None and last.effective_to < today and \
                (item.reviewed_on is None or item.reviewed_on <= last.effective_to):
            out.append(_f("provision_expired", WARNING, item.code,
                          f"{_label(p)}已于 {last.effective_to:%Y-%m-%d} 失效，事项此后未经审查", ART_37))
    return out


def _pairs(items: list[EnforcementItem], only: str | None = None) -> list[Finding]:
    """Pairs of items that duplicate or overlap each other; a finding is reported on the later item (``b``)."""
    out = []
    facts = {i.code: ({p.pk for p in i.violated.all()}, {p.pk for p in i.penalty_provisions.all()}) for i in items}
    for a, b in combinations(items, 2):
        if only is not None and b.code != only:
            continue
        va, pa = facts[a.code]
        vb, pb = facts[b.code]
        if pa and va and va == vb and pa == pb:
            out.append(_f("duplicate_item", WARNING, b.code,
                          f"与 {a.code}“{a.name}”的违反条款和处罚依据完全相同，可能重复设置，请合并或者区分",
                          ART_29))
        elif (va & vb) and (pa & pb):
            out.append(_f("overlapping_item", WARNING, b.code,
                          f"与 {a.code}“{a.name}”部分违反条款和处罚依据相同，请核对两项的适用范围是否交叉",
                          ART_29))
        matcher = difflib.SequenceMatcher(None, a.name, b.name, autojunk=False)
        if matcher.real_quick_ratio() >= NAME_SIMILARITY and matcher.quick_ratio() >= NAME_SIMILARITY:
            ratio = matcher.ratio()
            if ratio >= NAME_SIMILARITY:
                out.append(_f("similar_name", WARNING, b.code,
                              f"名称与 {a.code}“{a.name}”几乎相同（相似度 {ratio:.2f}），请核对是否重复",
                              ART_29))
    return out


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity == ERROR for f in findings)
