"""The context a document template is filled with, built from the case (issue 6 §2; fields in
:mod:`zhifa.documents.fields`).

Every value is formatted text, so templates never format anything; what the case does not have yet is ''. The
context is frozen into the issued document (``Document.content``): what the party received can be rendered again,
byte for byte the same words, whatever the case becomes later.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from zhifa.catalog.policies import Parameter, values_of
from zhifa.catalog.policies import register as add
from zhifa.law import procedure as proc
from zhifa.law.calendar import cn_date
from zhifa.law.errors import RuleViolation
from zhifa.law.money import amount, upper
from zhifa.law.penalties import KIND_LABELS, PenaltyKind

from . import fields
from .types import SPECS

CN_DIGITS = "〇一二三四五六七八九"
CN_NUMBERS = ("零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十")

PARTICULARS_DEFAULT = {"review_organ": "", "court": "", "payment_bank": ""}
PARTICULAR_LABELS = {"review_organ": "行政复议机关", "court": "管辖人民法院", "payment_bank": "罚款缴纳银行或渠道"}


def _particulars(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not set(value) <= set(PARTICULARS_DEFAULT):
        raise RuleViolation("policy_shape", "取值应为 {\"review_organ\": 复议机关, \"court\": 法院, "
                            "\"payment_bank\": 缴款银行或渠道}", "value")
    out = dict(PARTICULARS_DEFAULT)
    for key, text in value.items():
        if not isinstance(text, str) or len(text.strip()) > 100:
            raise RuleViolation("policy_range", f"{PARTICULAR_LABELS[key]}应为不超过 100 字的文字", "value")
        out[key] = text.strip()
    return out

PARAMETERS_OF_CONTEXT = (
    Parameter("documents.particulars", "文书载明的机关信息", PARTICULARS_DEFAULT, "名称",
              "《中华人民共和国行政处罚法》第五十九条第一款第（五）项、第（六）项（决定书载明履行方式和期限、申请行政复议或者"
              "提起行政诉讼的途径和期限）",
              "行政处罚决定书等文书载明的：行政复议机关（review_organ，如“平舆县人民政府”）、管辖人民法院（court）、"
              "罚款缴纳银行或渠道（payment_bank）。未设置时文书中为空，文书检查会列出。", _particulars),
)


def register() -> None:
    add(*PARAMETERS_OF_CONTEXT)


def cn_upper_date(d: date) -> str:
    """2026-11-27 → 二〇二六年十一月二十七日 (落款 of official documents, GB/T 9704-2012 7.3.5.1 uses Arabic numerals;
    many enforcement formats still write the date in Chinese numerals, so both are offered)."""
    return "".join(CN_DIGITS[int(c)] for c in str(d.year)) + f"年{cn_count(d.month)}月{cn_count(d.day)}日"


def cn_count(n: int) -> str:
    """5 → 五, 15 → 十五, 60 → 六十 (periods as the formats write them)."""
    if n <= 10:
        return CN_NUMBERS[n]
    tens, ones = divmod(n, 10)
    return (CN_NUMBERS[tens] if tens > 1 else "") + "十" + (CN_NUMBERS[ones] if ones else "")


def _d(value: date | None) -> str:
    return cn_date(value) if value else ""


def _money(value: Any) -> tuple[str, str]:
    if value in (None, ""):
        return "", ""
    v = Decimal(str(value))
    return amount(v), upper(v)


def penalty_text(data: dict | None) -> str:
    """警告，并处罚款人民币伍仟元整 — the penalty as a decision states it."""
    if not data:
        return ""
    kinds = [PenaltyKind(k) for k in data.get("kinds") or ()]
    kinds.sort(key=list(PenaltyKind).index)
    parts = []
    for kind in kinds:
        if kind is PenaltyKind.FINE and data.get("fine") is not None:
            parts.append(f"罚款人民币{_money(data['fine'])[1]}")
        elif kind in (PenaltyKind.CONFISCATE_GAINS,) and data.get("confiscation") is not None:
            parts.append(f"没收违法所得人民币{_money(data['confiscation'])[1]}")
        else:
            parts.append(KIND_LABELS[kind])
    if len(parts) > 1:
        return "，并处".join([parts[0], "、".join(parts[1:])])
    return parts[0] if parts else ""


def _party(case) -> dict[str, str]:
    p = case.party
    out = {f.name: "" for f in next(g for g in fields.GROUPS if g.name == "party").fields}
    if p is None:
        return out
    person = p.kind == "person"
    out.update(name=p.name, kind=p.get_kind_display(), address=p.address, phone=p.phone,
               you="你" if p.kind == "person" else "你单位",
               representative=p.representative,
               representative_label={"organisation": "法定代表人（负责人）", "individual": "经营者"}.get(p.kind, ""))
    if person:
        out.update(id_label=p.get_id_type_display() or "身份证件", id_number=p.id_number)
    else:
        out.update(id_label="统一社会信用代码", id_number=p.credit_code)
    return out


def _head_of(agency) -> str:
    """The agency's head (负责人 role; the one titled 局长 first)."""
    from zhifa.org.models import User

    heads = list(User.objects.filter(agency=agency, is_active=True, groups__name="head").order_by("pk")
                 .values_list("full_name", "position"))
    heads.sort(key=lambda h: h[1] != "局长")
    return heads[0][0] if heads else ""


def _refs(case, wanted: dict[str, str]) -> dict[str, str]:
    """The numbers of the case's documents a later one quotes: the issued version in force, else the number the
    registration carries (a paper document)."""
    from zhifa.cases.models import CaseDocument

    out: dict[str, str] = {}
    for code, number in CaseDocument.objects.filter(case=case, code__in=list(wanted)).exclude(number="") \
            .order_by("issued_on", "pk").values_list("code", "number"):
        out[code] = number  # the latest wins: a corrected version's number
    return out


def _officers(case) -> tuple[list[dict[str, str]], dict[str, str]]:
    from zhifa.org.models import Certificate

    handlers = [h for h in case.handlers.select_related("user") if h.removed_on is None]
    handlers.sort(key=lambda h: (not h.is_lead, h.pk))
    certs: dict[int, str] = {}
    for c in Certificate.objects.filter(holder_id__in=[h.user_id for h in handlers]).order_by("issued_on"):
        certs[c.holder_id] = c.number
    rows = [{"name": h.user.full_name or h.user.get_username(), "cert_no": certs.get(h.user_id, ""),
             "role": "主办" if h.is_lead else "协办"} for h in handlers]
    lead = {"name": rows[0]["name"], "cert_no": rows[0]["cert_no"]} if rows else {"name": "", "cert_no": ""}
    return rows, lead


def _items(case) -> list[dict[str, str]]:
    out = []
    for ci in case.case_items.select_related("item").order_by("-is_primary", "pk"):
        item = ci.item
        violated = item.basis_violated_text or "；".join(str(p) for p in item.violated.all())
        basis = item.basis_penalty_text or "；".join(str(p) for p in item.penalty_provisions.all())
        out.append({"name": item.name, "violated": violated, "basis": basis})
    return out


def build(case, code: str, inputs: dict[str, Any], *, on: date, number: str = "", version: int = 1,
          correction: str = "", served: dict[str, str] | None = None, documents: list[dict] | None = None,
          evidence: list[dict] | None = None) -> dict[str, Any]:
    """The context of document ``code`` of ``case`` dated ``on``."""
    from zhifa.cases import clocks as case_clocks

    register()
    agency = case.agency
    policies = values_of(["documents.particulars", "case.statement_days"], agency, on)
    particulars = {**PARTICULARS_DEFAULT, **(policies["documents.particulars"] or {})}
    ctx = fields.empty()
    ctx["agency"].update(name=agency.document_name or agency.name, short_name=agency.short_name,
                         brigade=agency.brigade_name, address=agency.address, phone=agency.phone,
                         supervision_phone=agency.supervision_phone, head=_head_of(agency), **particulars)
    ctx["doc"].update(title=SPECS[code].name if code in SPECS else proc.DOCUMENT_LABELS[code], number=number,
                      date=cn_date(on), date_upper=cn_upper_date(on), version=str(version), correction=correction)
    ctx["case"].update(
        reference=case.reference, title=case.title, procedure=case.get_procedure_display(),
        clue_source=proc.CLUE_SOURCES.get(case.clue_source, ""), clue_received_on=_d(case.clue_received_on),
        clue_note=case.clue_note, act_date=_d(case.act_date), discovered_on=_d(case.discovered_on),
        filed_on=_d(case.filed_on), decided_on=_d(case.decided_on), served_on=_d(case.decision_served_on),
        notice_served_on=_d(case.notice_served_on), closed_on=_d(case.closed_on), archive_no=case.archive_no,
        decision_kind=proc.DECISION_LABELS.get(case.decision_kind, "") if case.decision_kind else "",
        collective_discussion="是" if case.collective_discussion_held else "否")
    ctx["party"] = _party(case)
    ctx["officers"], ctx["lead"] = _officers(case)
    ctx["items"] = _items(case)

    # the decision states the penalty as decided — before the 决定 step (which needs the decision issued) that is the
    # proposal as it stands after 陈述申辩 and 听证 (the case service decides what was proposed); the notices
    # state what was notified (``notice``)
    penalty = case.decided_penalty or case.proposed_penalty or case.notified_penalty
    if penalty:
        fine, fine_up = _money(penalty.get("fine"))
        conf, conf_up = _money(penalty.get("confiscation"))
        total = sum((Decimal(str(penalty[k])) for k in ("fine", "confiscation") if penalty.get(k) is not None),
                    Decimal(0))
        kinds = [KIND_LABELS[PenaltyKind(k)] for k in sorted(penalty.get("kinds") or (),
                                                              key=lambda k: list(PenaltyKind).index(PenaltyKind(k)))]
        ctx["penalty"].update(text=penalty_text(penalty), kinds="、".join(kinds), fine=fine, fine_upper=fine_up,
                              confiscation=conf, confiscation_upper=conf_up,
                              total=amount(total) if total else "", total_upper=upper(total) if total else "",
                              basis="；".join(i["basis"] for i in ctx["items"] if i["basis"]),
                              discretion=case.outside_range_reason)
    notified = case.notified_penalty or case.proposed_penalty
    statement_days = policies["case.statement_days"]
    ctx["notice"].update(penalty_text=penalty_text(notified), statement_days=cn_count(int(statement_days)),
                         hearing_days="五", hearing_right="是" if _hearing_right(case, on) else "否")
    ctx["hearing"].update(requested_on=_d(case.hearing_requested_on), date=_d(case.hearing_date),
                          place=case.hearing_place,
                          host=(case.hearing_host.full_name if case.hearing_host_id else ""),
                          notice_on=_d(case.hearing_notice_on), held_on=_d(case.hearing_held_on))
    payment_deadline = ""
    clock = case.clocks.filter(code="payment").order_by("-pk").first()
    if clock is not None:
        payment_deadline = cn_date(case_clocks.effective_due(clock, on))
    ctx["payment"].update(days="十五", deadline=payment_deadline, deferred_until=_d(case.deferred_until),
                          surcharge=_money(case.surcharge_amount)[0])
    ctx["remedy"].update(review_days="六十日", suit_months="六个月", review_organ=particulars["review_organ"],
                         court=particulars["court"])
    if served:
        ctx["served"].update(served)
    ctx["documents"] = documents or []
    ctx["evidence"] = evidence or []
    ctx["refs"].update(_refs(case, ctx["refs"]))
    ctx["today"].update(date=cn_date(on), date_upper=cn_upper_date(on))
    ctx["f"] = inputs_for(code, inputs)
    return ctx


def _hearing_right(case, on: date) -> bool:
    """Whether the notified (or proposed) penalty gives the party a right to a hearing (Art 63; the thresholds are
    the agency's policy): the procedure's own answer (``cases.facts.hearing_right``)."""
    from zhifa.cases.facts import hearing_right, penalty_from_json

    penalty = penalty_from_json(case.notified_penalty or case.proposed_penalty)
    return penalty is not None and hearing_right(case, penalty, on)


def inputs_for(code: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """The ``f`` of a document: each of its type's inputs, '' (or no rows) when not written."""
    out: dict[str, Any] = {}
    for i in SPECS[code].inputs:
        value = inputs.get(i.name)
        if i.kind == "rows":
            out[i.name] = [dict(r) for r in value] if isinstance(value, list) else []
        else:
            out[i.name] = str(value).strip() if value not in (None, "") else ""
    return out
