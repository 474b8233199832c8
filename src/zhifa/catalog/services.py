"""Services of the `catalog` app: the only code that changes the 权责清单, benchmarks and 免罚清单.

The list of enforcement items is adjusted, never silently edited: a change is proposed
(:func:`propose_change`), checked field by field against the rules (《行政处罚法》第十六条: no penalty
basis in a 规范性文件; 第十八条第三款: no 行政拘留), and applied only when another person — a 负责人 or
法制审核人员 — approves it (:func:`approve_change`). Every change records an event in the same
transaction (DESIGN.md §2).
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from zhifa.law.citations import XZCFF
from zhifa.law.errors import Citation, RuleViolation
from zhifa.law.fines import parse_fine_rule
from zhifa.records.services import record

from .loader import KIND_EXTRAS
from .models import (
    Benchmark,
    Domain,
    EnforcementItem,
    ItemBenchmark,
    ItemChange,
    LegalSource,
    NoPenaltyEntry,
    Provision,
    ProvisionVersion,
)
from .rules import ART_33, ART_34, benchmark_row_for, provision_key

ART_4 = Citation(XZCFF, "第四条", "行政处罚依照本法由法律、法规、规章规定，并由行政机关依照本法规定的程序实施")
ART_16 = Citation(XZCFF, "第十六条", "除法律、法规、规章外，其他规范性文件不得设定行政处罚")
ART_18_3 = Citation(XZCFF, "第十八条第三款", "限制人身自由的行政处罚权只能由公安机关和法律规定的其他机关行使")
ART_9 = Citation(XZCFF, "第九条", "行政处罚的种类")
LIST_RULES = Citation("中共中央办公厅、国务院办公厅《关于推行地方各级政府工作部门权力清单制度的指导意见》", "",
                      "权力清单实行动态管理，调整须按规定程序审核确认（提出与审批由不同人员负责为本平台内控规则）")
GBF_2022_27 = Citation("《国务院办公厅关于进一步规范行政裁量权基准制定和管理工作的意见》（国办发〔2022〕27号）", "",
                       "下级行政机关可以在上级基准的范围内细化，不得超出上级基准的裁量幅度（文本未核实）")

ITEM_FIELDS: dict[str, str] = {
    "name": "事项名称",
    "domain": "执法领域",
    "category": "类别",
    "violated": "违反条款",
    "penalty_provisions": "处罚依据",
    "basis_violated_text": "违反条款（原文表述）",
    "basis_penalty_text": "处罚依据（原文表述）",
    "kinds": "处罚种类",
    "fine_rule": "罚款规则",
    "escalations": "法定升格处罚",
    "measures": "措施",
    "responsible_unit": "承办机构",
    "authority": "实施主体",
    "verified": "金额与条号已核对",
    "notes": "说明",
    "source": "资料来源",
}
_TEXT_LIMITS = {"name": 255, "authority": 255, "basis_violated_text": 20000, "basis_penalty_text": 20000,
                "notes": 20000, "source": 20000}
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,31}$")


# --- permissions ------------------------------------------------------------------------------------
def _role(user, *roles: str) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and hasattr(user, "has_role")
                and user.has_role(*roles))


def can_propose_changes(user) -> bool:
    """法制审核人员, 负责人 and the 系统管理员 (who keeps the catalog up to date) propose adjustments."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser) or _role(user, "reviewer", "head", "sysadmin")


def can_approve_changes(user) -> bool:
    """Only a 负责人 or a 法制审核人员 approves an adjustment of the 权责清单."""
    return _role(user, "head", "reviewer")


def can_publish_benchmarks(user) -> bool:
    """Publishing a benchmark is the agency's decision (《行政处罚法》第三十四条): its 负责人 publishes it."""
    return _role(user, "head")


def _require(allowed: bool, what: str) -> None:
    if not allowed:
        raise RuleViolation("forbidden", f"您没有{what}的权限")


def _may_act_for(actor, agency) -> bool:
    """An actor acts for their own agency and those under it; a platform superuser without agency for all."""
    if actor.is_superuser and actor.agency_id is None:
        return True
    if agency is None or actor.agency_id is None:
        return False
    return agency.pk == actor.agency_id or actor.agency_id in agency.lineage_ids()


# --- search -----------------------------------------------------------------------------------------
def search_items(q: str = "", *, domain=None, provision=None, status=None) -> QuerySet[EnforcementItem]:
    """Items whose code, name, basis texts, provision article or source name contain ``q`` (each word of it),
    optionally in a ``domain`` (Domain or code), citing a ``provision`` (Provision or id), with a ``status``."""
    qs = EnforcementItem.objects.select_related("domain")
    for word in (q or "").split():
        word = word.strip("《》")
        if not word:
            continue
        qs = qs.filter(Q(code__icontains=word) | Q(name__icontains=word) | Q(basis_violated_text__icontains=word)
                       | Q(basis_penalty_text__icontains=word) | Q(penalty_provisions__article__icontains=word)
                       | Q(penalty_provisions__source__name__icontains=word) | Q(violated__article__icontains=word)
                       | Q(violated__source__name__icontains=word))
    if domain:
        qs = qs.filter(domain=domain) if isinstance(domain, Domain) else qs.filter(domain__code=str(domain))
    if provision:
        pk = provision.pk if isinstance(provision, Provision) else provision
        qs = qs.filter(Q(penalty_provisions__pk=pk) | Q(violated__pk=pk))
    if status:
        qs = qs.filter(status=status)
    return qs.distinct().order_by("code")


# --- the item's fields as JSON ---------------------------------------------------------------------------
def provision_refs(provisions) -> list[dict[str, str]]:
    return [{"source": p.source.name, "article": p.article} for p in sorted(provisions, key=provision_key)]


def item_values(item: EnforcementItem) -> dict[str, Any]:
    """An item's adjustable fields as JSON, in the form :func:`propose_change` takes."""
    return {
        "name": item.name,
        "domain": item.domain.code,
        "category": item.category,
        "violated": provision_refs(item.violated.select_related("source")),
        "penalty_provisions": provision_refs(item.penalty_provisions.select_related("source")),
        "basis_violated_text": item.basis_violated_text,
        "basis_penalty_text": item.basis_penalty_text,
        "kinds": list(item.kinds or []),
        "fine_rule": item.fine_rule,
        "escalations": list(item.escalations or []),
        "measures": list(item.measures or []),
        "responsible_unit": item.responsible_unit_id,
        "authority": item.authority,
        "verified": item.verified,
        "notes": item.notes,
        "source": item.source,
    }


EMPTY_ITEM: dict[str, Any] = {"name": "", "domain": None, "category": EnforcementItem.Category.PENALTY.value,
                              "violated": [], "penalty_provisions": [], "basis_violated_text": "",
                              "basis_penalty_text": "", "kinds": [], "fine_rule": None, "escalations": [],
                              "measures": [],
                              "responsible_unit": None, "authority": "", "verified": False, "notes": "",
                              "source": ""}


def _violation(code: str, field: str, message: str, *basis: Citation) -> RuleViolation:
    return RuleViolation(code, f"{ITEM_FIELDS.get(field, field)}：{message}", field, list(basis))


def _text(value: Any, field: str, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _violation("field_type", field, "应为文字")
    value = value.strip()
    if required and not value:
        raise _violation("field_required", field, "不得为空")
    limit = _TEXT_LIMITS.get(field, 255)
    if len(value) > limit:
        raise _violation("field_too_long", field, f"不得超过 {limit} 个字")
    return value


def _refs(value: Any, field: str) -> list[dict[str, str]]:
    """Provision references → canonical list; each must exist (条款须先在法律依据中登记)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise _violation("field_type", field,
                         "应为条款列表，如 [{\"source\": \"娱乐场所管理条例\", \"article\": \"第五十一条\"}]")
    found: list[Provision] = []
    for ref in value:
        if not isinstance(ref, dict) or not isinstance(ref.get("source"), str) \
                or not isinstance(ref.get("article"), str):
            raise _violation("field_type", field, "每一条应写明 source（法律依据名称）和 article（条款）")
        name, article = ref["source"].strip().strip("《》"), ref["article"].strip()
        p = Provision.objects.select_related("source").filter(source__name=name, article=article).first()
        if p is None:
            raise _violation("provision_unknown", field, f"条款《{name}》{article}尚未登记，请先在法律依据中添加")
        if p not in found:
            found.append(p)
    return provision_refs(found)


def _kinds(value: Any) -> list[dict[str, str]]:
    """Each kind an Art 9 kind with a mode; 行政拘留 is refused (《行政处罚法》第十八条第三款)."""
    from zhifa.law.discretion import KindMode
    from zhifa.law.penalties import KIND_LABELS, PenaltyKind, kind_from_wording

    if value is None:
        return []
    if not isinstance(value, list):
        raise _violation("field_type", "kinds", "应为列表", ART_9)
    out: list[dict[str, str]] = []
    modes = "、".join(m.value for m in KindMode)
    for i, entry in enumerate(value, 1):
        if isinstance(entry, str):
            entry = {"kind": entry, "mode": KindMode.MANDATORY.value}
        if not isinstance(entry, dict) or not isinstance(entry.get("kind"), str):
            raise _violation("field_type", "kinds", f"第 {i} 项应写明 kind（处罚种类）和 mode（适用方式）", ART_9)
        try:
            kind = kind_from_wording(entry["kind"])
        except RuleViolation as err:
            raise _violation(err.code, "kinds", f"第 {i} 项：{err.message}", *err.basis) from None
        try:
            mode = KindMode(entry.get("mode") or KindMode.MANDATORY.value)
        except ValueError:
            raise _violation("kind_mode_unknown", "kinds", f"第 {i} 项的适用方式只能是：{modes}") from None
        if kind is PenaltyKind.DETENTION:
            raise _violation("kind_detention", "kinds", "行政拘留只能由公安机关实施，文化市场执法事项不得设定",
                             ART_18_3)
        note = entry.get("note") or ""
        if not isinstance(note, str) or len(note) > 500:
            raise _violation("field_type", "kinds", f"第 {i} 项的说明应为不超过 500 字的文字")
        row = {"kind": kind.value, "mode": mode.value, "note": note.strip()}
        for extra in KIND_EXTRAS:
            value = entry.get(extra)
            if value in (None, ""):
                continue
            if not isinstance(value, str) or len(value) > 255:
                raise _violation("field_type", "kinds", f"第 {i} 项的 {extra} 应为不超过 255 字的文字")
            if extra == "mode_below_threshold" and value not in {m.value for m in KindMode}:
                raise _violation("kind_mode_unknown", "kinds", f"第 {i} 项的 mode_below_threshold 只能是：{modes}")
            if extra == "applies_to" and value != "responsible_persons":
                raise _violation("field_type", "kinds",
                                 f"第 {i} 项的 applies_to 只能是 responsible_persons（直接责任人员）")
            row[extra] = value.strip()
        if any(r["kind"] == row["kind"] and r["mode"] == row["mode"] for r in out):
            raise _violation("kind_duplicate", "kinds", f"“{KIND_LABELS[kind]}”重复")
        out.append(row)
    return out


def _fine_rule(value: Any) -> dict | None:
    try:
        rule = parse_fine_rule(value)
    except RuleViolation as err:
        raise _violation(err.code, "fine_rule", err.message, *err.basis) from None
    return rule.to_json() if rule else None


def _escalations(value: Any) -> list[dict]:
    """The regulation's own repeat-offence escalations (e.g. 《娱乐场所管理条例》第五十三条第三款), checked by
    :func:`zhifa.law.discretion.escalations_from_json` and stored in its canonical form."""
    from zhifa.law.discretion import escalations_from_json, escalations_to_json

    try:
        return escalations_to_json(escalations_from_json(value))
    except RuleViolation as err:
        raise _violation(err.code, "escalations", err.message.removeprefix("法定升格 "), *err.basis) from None


def _measures(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(m, str) and m.strip() for m in value):
        raise _violation("field_type", "measures", "应为措施名称的列表，如 [\"取缔\", \"查封\"]")
    return [m.strip() for m in value]


def _unit(value: Any) -> int | None:
    from zhifa.org.models import Unit

    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not Unit.objects.filter(pk=value).exists():
        raise _violation("unit_unknown", "responsible_unit", "承办机构不存在")
    return value


def _normalise(field: str, value: Any) -> Any:
    if field == "name":
        return _text(value, field, required=True)
    if field == "domain":
        code = value.code if isinstance(value, Domain) else value
        if not isinstance(code, str) or not Domain.objects.filter(code=code).exists():
            raise _violation("domain_unknown", field, f"没有代码为“{code}”的执法领域")
        return code
    if field == "category":
        if value not in EnforcementItem.Category.values:
            raise _violation("category_unknown", field, "只能是 penalty（行政处罚）或 coercion（行政强制）")
        return value
    if field in ("violated", "penalty_provisions"):
        return _refs(value, field)
    if field == "kinds":
        return _kinds(value)
    if field == "fine_rule":
        return _fine_rule(value)
    if field == "escalations":
        return _escalations(value)
    if field == "measures":
        return _measures(value)
    if field == "responsible_unit":
        return _unit(value)
    if field == "verified":
        if not isinstance(value, bool):
            raise _violation("field_type", field, "应为 是（true）或 否（false）")
        return value
    return _text(value, field)


def check_item(values: dict[str, Any]) -> None:
    """Rules on the whole item, after each field is checked.

    A penalty item needs a penalty basis (《行政处罚法》第四条), and none of it may be a 规范性文件
    (《行政处罚法》第十六条). A kind imposed only through an escalation names one of the item's escalations.
    """
    codes = {e.get("code") for e in values.get("escalations") or []}
    for i, kind in enumerate(values.get("kinds") or [], 1):
        if kind.get("escalation") and kind["escalation"] not in codes:
            raise _violation("kind_escalation_unknown", "kinds",
                             f"第 {i} 项的 escalation“{kind['escalation']}”不是本事项法定升格的代码")
    if values["category"] != EnforcementItem.Category.PENALTY:
        return
    if not values["penalty_provisions"]:
        raise _violation("penalty_basis_missing", "penalty_provisions",
                         "行政处罚事项须写明处罚依据（法律、法规或者规章的条款）", ART_4)
    names = {r["source"] for r in values["penalty_provisions"]}
    normative = sorted(LegalSource.objects.filter(name__in=names, level=LegalSource.Level.NORMATIVE)
                       .values_list("name", flat=True))
    if normative:
        raise _violation("penalty_basis_normative", "penalty_provisions",
                         f"《{'》《'.join(normative)}》是规范性文件，规范性文件不得设定行政处罚，处罚依据须为法律、法规或者规章",
                         ART_16)


def validate_item(proposed: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``proposed`` applied, every field checked; refuses unknown fields."""
    if not isinstance(proposed, dict):
        raise RuleViolation("proposed_shape", "调整内容应为字段和取值的对象", "proposed")
    unknown = sorted(set(proposed) - set(ITEM_FIELDS) - {"code"})
    if unknown:
        raise RuleViolation("field_unknown", f"无法调整的字段：{'、'.join(unknown)}", unknown[0])
    values = dict(base)
    for field, value in proposed.items():
        if field != "code":
            values[field] = _normalise(field, value)
    if not values["name"]:
        raise _violation("field_required", "name", "不得为空")
    if not values["domain"]:
        raise _violation("field_required", "domain", "请选择执法领域")
    check_item(values)
    return values


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list]:
    return {f: [before.get(f), after[f]] for f in ITEM_FIELDS if before.get(f) != after[f]}


# --- proposing and deciding changes ------------------------------------------------------------------------
STATUS_AFTER = {
    ItemChange.Action.SUSPEND: EnforcementItem.Status.SUSPENDED,
    ItemChange.Action.REPEAL: EnforcementItem.Status.REPEALED,
    ItemChange.Action.RESTORE: EnforcementItem.Status.ACTIVE,
}
STATUS_FROM = {
    ItemChange.Action.SUSPEND: {EnforcementItem.Status.ACTIVE},
    ItemChange.Action.REPEAL: {EnforcementItem.Status.ACTIVE, EnforcementItem.Status.SUSPENDED},
    ItemChange.Action.RESTORE: {EnforcementItem.Status.SUSPENDED, EnforcementItem.Status.REPEALED},
}


def _pending(code: str) -> ItemChange | None:
    return ItemChange.objects.filter(item_code=code, status=ItemChange.Status.PENDING).first()


def propose_change(*, actor, item: EnforcementItem | None = None, action: str, proposed: dict | None = None,
                   reason: str, basis: str = "") -> ItemChange:
    """Propose an adjustment of the 权责清单: create, update, suspend, repeal or restore an item.

    ``proposed`` holds the fields to change (create: all fields and ``code``); each is checked, the whole
    item is checked (《行政处罚法》第四条、第十六条、第十八条第三款) and the difference with the current values
    is stored. One pending change per item at a time. Nothing changes until :func:`approve_change`.
    """
    _require(can_propose_changes(actor), "提出权责清单调整")
    if action not in ItemChange.Action.values:
        raise RuleViolation("action_unknown", "调整类型只能是：新增、调整、暂停适用、废止、恢复适用", "action")
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation("reason_required", "请写明调整理由", "reason", [LIST_RULES])
    basis = (basis or "").strip()
    if len(basis) > 255:
        raise RuleViolation("field_too_long", "调整依据不得超过 255 个字", "basis")
    proposed = dict(proposed or {})
    with transaction.atomic():
        if action == ItemChange.Action.CREATE:
            if item is not None:
                raise RuleViolation("item_exists", "新增事项时不应指定已有事项", "item")
            code = proposed.get("code")
            if not isinstance(code, str) or not _CODE.match(code.strip().upper()):
                raise RuleViolation("code_invalid", "事项编码：须为 2 至 32 位大写字母、数字或连字符，如 WH-NET-013",
                                    "code")
            code = code.strip().upper()
            if EnforcementItem.objects.filter(code=code).exists():
                raise RuleViolation("code_taken", f"事项编码：{code} 已存在，请改用“调整”", "code")
            before = dict(EMPTY_ITEM)
            after = validate_item({k: v for k, v in proposed.items() if k != "code"}, before)
            diff = _diff(before, after)
            stored = {"code": code, **after}
        else:
            if item is None:
                raise RuleViolation("item_required", "请指定要调整的执法事项", "item")
            item = EnforcementItem.objects.select_for_update().get(pk=item.pk)
            code = item.code
            before = item_values(item)
            if action == ItemChange.Action.UPDATE:
                if "code" in proposed and proposed["code"] != code:
                    raise RuleViolation("code_immutable", "事项编码不得调整；如需更换编码，请新增事项并废止原事项",
                                        "code")
                proposed.pop("code", None)
                after = validate_item(proposed, before)
                diff = _diff(before, after)
                if not diff:
                    raise RuleViolation("no_change", "调整内容与现行内容相同", "proposed")
                stored = {f: after[f] for f in diff}
            else:
                if item.status not in STATUS_FROM[action]:
                    raise RuleViolation("status_conflict",
                                        f"执法事项 {code} 当前为“{item.get_status_display()}”，不能"
                                        f"{ItemChange.Action(action).label}", "action")
                if action == ItemChange.Action.RESTORE:
                    check_item(before)  # an item restored must meet the rules of today
                target = STATUS_AFTER[action]
                diff = {"status": [item.status, target.value]}
                stored = {"status": target.value}
        if _pending(code) is not None:
            raise RuleViolation("change_pending", f"执法事项 {code} 已有待审批的调整，请先审批或撤回", "item")
        change = ItemChange.objects.create(item=item, item_code=code, action=action, proposed=stored, diff=diff,
                                           reason=reason, basis=basis, proposed_by=actor)
        record("catalog.change_proposed", actor=actor, subject=f"item:{code}",
               payload={"change": change.pk, "code": code, "action": action, "diff": diff, "reason": reason,
                        "basis": basis})
    return change


def _locked_pending(change: ItemChange) -> ItemChange:
    change = ItemChange.objects.select_for_update().get(pk=change.pk)
    if change.status != ItemChange.Status.PENDING:
        raise RuleViolation("change_decided", f"该调整已{change.get_status_display()}，不能再处理", "change")
    return change


def _apply(item: EnforcementItem, values: dict[str, Any]) -> None:
    scalars = {"name", "category", "basis_violated_text", "basis_penalty_text", "kinds", "fine_rule", "escalations",
               "measures", "authority", "verified", "notes", "source"}
    for field, value in values.items():
        if field in scalars:
            setattr(item, field, value)
        elif field == "domain":
            item.domain = Domain.objects.get(code=value)
        elif field == "responsible_unit":
            item.responsible_unit_id = value
        elif field == "status":
            item.status = value
    item.save()
    for field in ("violated", "penalty_provisions"):
        if field in values:
            getattr(item, field).set([Provision.objects.get(source__name=r["source"], article=r["article"])
                                      for r in values[field]])


def approve_change(change: ItemChange, *, actor, note: str = "") -> EnforcementItem:
    """Approve and apply a pending change: another person than the proposer, a 负责人 or 法制审核人员.

    The fields are checked again against today's data; a change whose item was adjusted since it was
    proposed is refused (stale). The item's version goes up by one and ``reviewed_on`` becomes today.
    """
    _require(can_approve_changes(actor), "审批权责清单调整")
    with transaction.atomic():
        change = _locked_pending(change)
        if change.proposed_by_id == actor.pk:
            raise RuleViolation("self_approval", "提出人不得审批本人提出的调整，请由其他负责人或法制审核人员审批",
                                "decided_by", [LIST_RULES])
        today = timezone.localdate()
        values = dict(change.proposed)
        if change.action == ItemChange.Action.CREATE:
            if EnforcementItem.objects.filter(code=change.item_code).exists():
                raise RuleViolation("code_taken", f"事项编码：{change.item_code} 已存在", "code")
            fields = {k: v for k, v in values.items() if k != "code"}
            checked = validate_item(fields, dict(EMPTY_ITEM))
            item = EnforcementItem(code=change.item_code, domain=Domain.objects.get(code=checked["domain"]))
            _apply(item, checked)
            item.version = 1
        else:
            item = EnforcementItem.objects.select_for_update().get(pk=change.item_id)
            current = item_values(item) | {"status": item.status}
            stale = [f for f, (old, _new) in change.diff.items() if current.get(f) != old]
            if stale:
                labels = "、".join(ITEM_FIELDS.get(f, "状态") for f in stale)
                raise RuleViolation("change_stale", f"提出调整后，事项的{labels}已发生变化，请撤回后重新提出", "change")
            if change.action == ItemChange.Action.UPDATE:
                validate_item(values, item_values(item))
            elif change.action == ItemChange.Action.RESTORE:
                check_item(item_values(item))
            _apply(item, values)
            item.version += 1
        item.reviewed_on = today
        item.save(update_fields=["version", "reviewed_on", "updated_at"])
        change.item = item
        change.status = ItemChange.Status.APPROVED
        change.decided_by = actor
        change.decided_at = timezone.now()
        change.decision_note = (note or "").strip()
        change.version_after = item.version
        change.save()
        record("catalog.change_approved", actor=actor, subject=f"item:{item.code}",
               payload={"change": change.pk, "code": item.code, "action": change.action, "diff": change.diff,
                        "version": item.version, "note": change.decision_note,
                        "proposed_by": change.proposed_by_id})
    return item


def reject_change(change: ItemChange, *, actor, note: str) -> ItemChange:
    """Reject a pending change, with the reason (a 负责人 or 法制审核人员 other than the proposer)."""
    _require(can_approve_changes(actor), "审批权责清单调整")
    note = (note or "").strip()
    if not note:
        raise RuleViolation("note_required", "请写明驳回理由", "note")
    with transaction.atomic():
        change = _locked_pending(change)
        if change.proposed_by_id == actor.pk:
            raise RuleViolation("self_approval", "提出人不得审批本人提出的调整；如不再需要，请撤回", "decided_by",
                                [LIST_RULES])
        change.status = ItemChange.Status.REJECTED
        change.decided_by = actor
        change.decided_at = timezone.now()
        change.decision_note = note
        change.save()
        record("catalog.change_rejected", actor=actor, subject=f"item:{change.item_code}",
               payload={"change": change.pk, "code": change.item_code, "action": change.action, "note": note})
    return change


def withdraw_change(change: ItemChange, *, actor) -> ItemChange:
    """The proposer withdraws a pending change."""
    with transaction.atomic():
        change = _locked_pending(change)
        if change.proposed_by_id != actor.pk:
            raise RuleViolation("forbidden", "只有提出人可以撤回调整", "change")
        change.status = ItemChange.Status.WITHDRAWN
        change.decided_at = timezone.now()
        change.save()
        record("catalog.change_withdrawn", actor=actor, subject=f"item:{change.item_code}",
               payload={"change": change.pk, "code": change.item_code, "action": change.action})
    return change


def confirm_review(item: EnforcementItem, *, actor, note: str) -> EnforcementItem:
    """A 负责人 or 法制审核人员 confirms the item still matches its provisions (e.g. after a new version of a
    provision, which ``lint`` reports until then). Nothing but ``reviewed_on`` changes."""
    _require(can_approve_changes(actor), "审查执法事项")
    note = (note or "").strip()
    if not note:
        raise RuleViolation("note_required", "请写明审查意见（例如：新版本未改动本条罚则）", "note")
    with transaction.atomic():
        item = EnforcementItem.objects.select_for_update().get(pk=item.pk)
        before = item.reviewed_on
        item.reviewed_on = timezone.localdate()
        item.save(update_fields=["reviewed_on", "updated_at"])
        record("catalog.item_reviewed", actor=actor, subject=f"item:{item.code}",
               payload={"code": item.code, "before": before, "reviewed_on": item.reviewed_on, "note": note})
    return item


# --- sources, provisions, versions -------------------------------------------------------------------------------
def save_source(*, actor, name: str, level: str, issuer: str = "", doc_number: str = "", note: str = "") -> LegalSource:
    """Add a legal source or correct its particulars (recorded)."""
    _require(can_propose_changes(actor), "维护法律依据")
    name = (name or "").strip().strip("《》")
    if not name or len(name) > 128:
        raise RuleViolation("source_name", "法律依据名称：不得为空，且不超过 128 个字", "name")
    if level not in LegalSource.Level.values:
        raise RuleViolation("source_level", "效力层级只能是：" + "、".join(LegalSource.Level.labels), "level", [ART_16])
    fields = {"level": level, "issuer": (issuer or "").strip()[:128], "doc_number": (doc_number or "").strip()[:64],
              "note": (note or "").strip()}
    with transaction.atomic():
        source = LegalSource.objects.select_for_update().filter(name=name).first()
        before = {k: getattr(source, k) for k in fields} if source else None
        if before == fields:
            return source
        if source is None:
            source = LegalSource.objects.create(name=name, **fields)
        else:
            for k, v in fields.items():
                setattr(source, k, v)
            source.save()
        record("catalog.source_saved", actor=actor, subject=f"source:{source.pk}",
               payload={"name": name, "before": before, "after": fields})
    return source


def save_provision(*, actor, source: LegalSource, article: str, note: str = "") -> Provision:
    """Register an article of a source (recorded)."""
    _require(can_propose_changes(actor), "维护法律依据")
    article = (article or "").strip()
    if not article.startswith("第") or len(article) > 64:
        raise RuleViolation("article_invalid", "条款：应以“第”开头，如“第三十一条第（二）项”，不超过 64 个字",
                            "article")
    note = (note or "").strip()[:255]
    with transaction.atomic():
        provision, created = Provision.objects.get_or_create(source=source, article=article, defaults={"note": note})
        if not created and provision.note == note:
            return provision
        if not created:
            provision.note = note
            provision.save()
        record("catalog.provision_saved", actor=actor, subject=f"provision:{provision.pk}",
               payload={"source": source.name, "article": article, "note": note, "created": created})
    return provision


VERSION_FIELDS = ("label", "effective_to", "summary", "is_offence", "kinds", "fine_rule", "verified", "source_ref")


def save_provision_version(*, actor, provision: Provision, effective_from: date, label: str,
                           effective_to: date | None = None, summary: str = "", is_offence: bool = True,
                           kinds: list | None = None, fine_rule: dict | None = None, verified: bool = False,
                           source_ref: str = "") -> ProvisionVersion:
    """Add or correct the dated version of a provision in force from ``effective_from`` (recorded).

    Versions are what 《行政处罚法》第三十七条 compares (the law at the time of the act, unless a later
    version is lighter); ``lint`` reports items not reviewed since a new version took effect.
    """
    _require(can_propose_changes(actor), "维护法律依据")
    label = (label or "").strip()
    if not label or len(label) > 64:
        raise RuleViolation("version_label", "版本：不得为空，且不超过 64 个字（如“2024年修订”）", "label")
    if not isinstance(effective_from, date):
        raise RuleViolation("version_date", "施行日期：请填写有效日期", "effective_from")
    if effective_to is not None and effective_to < effective_from:
        raise RuleViolation("version_dates", "失效日期不得早于施行日期", "effective_to")
    fields = {"label": label, "effective_to": effective_to, "summary": (summary or "").strip(),
              "is_offence": bool(is_offence), "kinds": _kinds(kinds or []), "fine_rule": _fine_rule(fine_rule),
              "verified": bool(verified), "source_ref": (source_ref or "").strip()[:255]}
    with transaction.atomic():
        version = ProvisionVersion.objects.filter(provision=provision, effective_from=effective_from).first()
        before = {k: getattr(version, k) for k in VERSION_FIELDS} if version else None
        if before == fields:
            return version
        if version is None:
            version = ProvisionVersion.objects.create(provision=provision, effective_from=effective_from, **fields)
        else:
            for k, v in fields.items():
                setattr(version, k, v)
            version.save()
        record("catalog.provision_version_saved", actor=actor, subject=f"provision:{provision.pk}",
               payload={"provision": str(provision), "effective_from": effective_from, "before": before,
                        "after": fields})
    return version


# --- benchmarks ------------------------------------------------------------------------------------------------
def _check_benchmark(data: dict[str, Any]):
    """The benchmark parsed by ``zhifa.law.discretion.benchmark_from_json`` (it refuses bad bands by field)."""
    from zhifa.law.discretion import benchmark_from_json

    return benchmark_from_json(data)


def _within_superior(agency, effective_from: date, bench) -> None:
    """A subordinate agency refines its superior's benchmark without going outside its bands (国办发〔2022〕27号)."""
    if agency is None or agency.parent_id is None:
        return
    from .rules import to_benchmark

    upper_row = benchmark_row_for(agency.parent, effective_from)
    if upper_row is None or upper_row.agency_id is None:
        return
    upper = to_benchmark(upper_row)
    for shape, bands in bench.bands.items():
        for outcome, band in bands.items():
            limit = upper.bands.get(shape, {}).get(outcome)
            if limit is not None and (band.low < limit.low or band.high > limit.high):
                raise RuleViolation(
                    "benchmark_exceeds_superior",
                    f"裁量档次（{shape}/{outcome}）{band.low}–{band.high} 超出上级机关基准“{upper_row.name}”的 "
                    f"{limit.low}–{limit.high}", "bands", [GBF_2022_27])


def save_benchmark(*, actor, agency, name: str, effective_from: date, bands: dict, aggravating: list,
                   mitigating: list, params: dict, source: str, effective_to: date | None = None,
                   row: Benchmark | None = None) -> Benchmark:
    """Save a discretion benchmark (《行政处罚法》第三十四条) for ``agency`` (None: platform-wide), as a new row
    or by correcting an unpublished ``row``. A published benchmark is never edited: save a new one from a
    later date. The data are checked by ``benchmark_from_json``; an agency's bands must stay within those
    of the agency above it (国办发〔2022〕27号)."""
    _require(can_propose_changes(actor) and _may_act_for(actor, agency), "制定本机关裁量基准")
    name = (name or "").strip()
    if not name or len(name) > 128:
        raise RuleViolation("benchmark_name", "名称：不得为空，且不超过 128 个字", "name")
    if not isinstance(effective_from, date):
        raise RuleViolation("benchmark_date", "施行日期：请填写有效日期", "effective_from")
    if effective_to is not None and effective_to < effective_from:
        raise RuleViolation("benchmark_dates", "失效日期不得早于施行日期", "effective_to")
    source = (source or "").strip()
    if not source:
        raise RuleViolation("benchmark_source", "制定依据：请写明文件名称和文号", "source", [ART_34])
    if not isinstance(params, dict):
        raise RuleViolation("benchmark_params", "其他参数应为对象", "params")
    from .rules import benchmark_fields

    data = {"jurisdiction": agency.name if agency else "全平台", "bands": bands, "aggravating": aggravating,
            "mitigating": mitigating, "params": params, "item_bands": {}, "source": source}
    bench = _check_benchmark(data)
    _within_superior(agency, effective_from, bench)
    fields = benchmark_fields(data)
    with transaction.atomic():
        if row is not None:
            row = Benchmark.objects.select_for_update().get(pk=row.pk)
            if row.published:
                raise RuleViolation("benchmark_published", "已公开的裁量基准不得修改，请以新的施行日期另行制定",
                                    "benchmark", [ART_34])
            if row.agency_id != (agency.pk if agency else None):
                raise RuleViolation("benchmark_agency", "不能变更裁量基准的适用机关", "agency")
            for k, v in fields.items():
                setattr(row, k, v)
            row.name, row.effective_from, row.effective_to = name, effective_from, effective_to
            row.save()
        else:
            row = Benchmark.objects.create(agency=agency, name=name, effective_from=effective_from,
                                           effective_to=effective_to, **fields)
        record("catalog.benchmark_saved", actor=actor, agency=agency, subject=f"benchmark:{row.pk}",
               payload={"benchmark": row.pk, "name": name, "effective_from": effective_from,
                        "effective_to": effective_to, **fields})
    return row


def save_item_benchmark(*, actor, benchmark: Benchmark, item: EnforcementItem, bands: dict,
                        conditions: str = "") -> ItemBenchmark:
    """A benchmark's own bands and conditions for one item (细化到事项), only while it is unpublished."""
    _require(can_propose_changes(actor) and _may_act_for(actor, benchmark.agency), "制定本机关裁量基准")
    if benchmark.published:
        raise RuleViolation("benchmark_published", "已公开的裁量基准不得修改", "benchmark", [ART_34])
    from .rules import benchmark_json

    _check_benchmark({**benchmark_json(benchmark), "item_bands": {item.code: bands}})
    with transaction.atomic():
        row, _ = ItemBenchmark.objects.update_or_create(
            benchmark=benchmark, item=item, defaults={"bands": bands, "conditions": (conditions or "").strip()})
        record("catalog.benchmark_saved", actor=actor, agency=benchmark.agency, subject=f"benchmark:{benchmark.pk}",
               payload={"benchmark": benchmark.pk, "item": item.code, "bands": bands, "conditions": row.conditions})
    return row


def publish_benchmark(row: Benchmark, *, actor, on: date | None = None) -> Benchmark:
    """Publish a benchmark (裁量基准应当向社会公布，《行政处罚法》第三十四条): from then on it applies to the
    agency and those below it, and it is no longer edited."""
    _require(can_publish_benchmarks(actor) and _may_act_for(actor, row.agency), "公开裁量基准（仅负责人）")
    with transaction.atomic():
        row = Benchmark.objects.select_for_update().get(pk=row.pk)
        if row.published:
            raise RuleViolation("benchmark_published", "该裁量基准已公开", "benchmark")
        from .rules import to_benchmark

        to_benchmark(row)  # still valid as a whole, with its per-item bands
        row.published = True
        row.published_on = on or timezone.localdate()
        row.save(update_fields=["published", "published_on"])
        record("catalog.benchmark_published", actor=actor, agency=row.agency, subject=f"benchmark:{row.pk}",
               payload={"benchmark": row.pk, "name": row.name, "published_on": row.published_on})
    return row


# --- 免罚清单 ------------------------------------------------------------------------------------------------------
def no_penalty_conditions() -> dict[str, str]:
    """The facts a 免罚清单 line may require, with their labels (the yes/no facts of ``Facts``)."""
    from zhifa.law import discretion

    declared = getattr(discretion, "NO_PENALTY_CONDITIONS", None)
    if declared:
        return dict(declared)
    labels = {"first_violation": "初次违法", "corrected_promptly": "及时改正", "no_fault": "没有主观过错",
              "eliminated_harm": "主动消除或者减轻违法行为危害后果", "coerced": "受他人胁迫或者诱骗",
              "confessed_unknown": "主动供述行政机关尚未掌握的违法行为", "merit": "配合查处有立功表现"}
    names = {f.name for f in dataclasses.fields(discretion.Facts) if f.default is False}
    return {k: v for k, v in labels.items() if k in names}


def save_no_penalty_entry(*, actor, agency, item: EnforcementItem, list_name: str, conditions: list[str],
                          description: str, source: str, effective_from: date, effective_to: date | None = None,
                          entry: NoPenaltyEntry | None = None) -> NoPenaltyEntry:
    """Add or correct a line of a 免罚清单 (《行政处罚法》第三十三条第一款) for ``agency`` (None: platform-wide)."""
    _require(can_propose_changes(actor) and _may_act_for(actor, agency), "维护免罚清单")
    list_name = (list_name or "").strip()
    if not list_name or len(list_name) > 128:
        raise RuleViolation("list_name", "清单名称：不得为空，且不超过 128 个字", "list_name")
    allowed = no_penalty_conditions()
    if not isinstance(conditions, list) or not conditions:
        raise RuleViolation("conditions_required", "适用条件：至少选择一项（如初次违法、及时改正）", "conditions",
                            [ART_33])
    unknown = [c for c in conditions if c not in allowed]
    if unknown:
        raise RuleViolation("condition_unknown", f"适用条件无法识别：{'、'.join(map(str, unknown))}；可用："
                            + "、".join(f"{k}（{v}）" for k, v in allowed.items()), "conditions", [ART_33])
    if item.status != EnforcementItem.Status.ACTIVE:
        raise RuleViolation("item_not_active", f"执法事项 {item.code} {item.get_status_display()}，不能列入免罚清单",
                            "item")
    if not isinstance(effective_from, date):
        raise RuleViolation("entry_date", "施行日期：请填写有效日期", "effective_from")
    if effective_to is not None and effective_to < effective_from:
        raise RuleViolation("entry_dates", "失效日期不得早于施行日期", "effective_to")
    source = (source or "").strip()
    if not source:
        raise RuleViolation("entry_source", "出处：请写明清单文件名称、文号或公开地址", "source", [ART_33])
    fields = {"agency": agency, "item": item, "list_name": list_name, "conditions": list(dict.fromkeys(conditions)),
              "description": (description or "").strip(), "source": source[:255], "effective_from": effective_from,
              "effective_to": effective_to}
    with transaction.atomic():
        if entry is not None and entry.agency_id != (agency.pk if agency is not None else None):
            raise RuleViolation("no_penalty_other_agency", "只能修改本机关免罚清单中的事项", "entry")
        if entry is None:
            entry = NoPenaltyEntry.objects.create(**fields)
        else:
            entry = NoPenaltyEntry.objects.select_for_update().get(pk=entry.pk)
            for k, v in fields.items():
                setattr(entry, k, v)
            entry.save()
        record("catalog.no_penalty_saved", actor=actor, agency=agency, subject=f"item:{item.code}",
               payload={"entry": entry.pk, "item": item.code, "list_name": list_name,
                        "conditions": fields["conditions"], "description": fields["description"], "source": source,
                        "effective_from": effective_from, "effective_to": effective_to})
    return entry
