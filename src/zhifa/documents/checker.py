"""The document checker (文书检查, issue 6 §7): what is missing or inconsistent in a case's documents.

Each finding names the document, what is wrong, the officer it is charged to (the one who drafted or issued the
document) and how serious it is: ``error`` (the document says something the case contradicts: another party, another
amount, impossible dates) or ``warning`` (something is not done yet: an unfilled field, an issued document not
served). The findings per officer are counted for the assessment of officers (``by_officer``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from zhifa.law.money import amount

from .context import penalty_text
from .models import Document, DocumentType, Service
from .types import SPECS

# Documents made before the case is filed (立案): their dates may precede 立案日期.
BEFORE_FILING = frozenset({"complaint_form", "clue_registration_form", "filing_approval_form",
                           "not_filing_approval_form", "inspection_record", "case_transfer_form",
                           "on_the_spot_decision",
                           "service_address_confirmation", "electronic_service_consent", "service_receipt",
                           "sampling_receipt", "item_list", "preservation_notice", "seizure_decision"})
# Decisions that state the penalty as decided; notices that state it as notified.
DECIDED = frozenset({"penalty_decision", "on_the_spot_decision", "deferral_notice", "performance_reminder",
                     "enforcement_application", "case_closing_report"})
NOTIFIED = frozenset({"penalty_notice", "hearing_rights_notice"})


@dataclass(frozen=True)
class Finding:
    document: Document
    code: str
    message: str
    severity: str  # error / warning
    officer_id: int | None

    @property
    def officer(self):
        return self.document.issued_by if self.document.issued_by_id else self.document.drafted_by


def _fine_of(data: dict | None) -> str:
    if not data or data.get("fine") is None:
        return ""
    return amount(Decimal(str(data["fine"])))


def check_case(case) -> list[Finding]:
    """Every finding on ``case``'s documents (drafts and issued versions in force)."""
    from .services import missing_inputs

    docs = list(Document.objects.filter(case=case).exclude(status__in=[Document.Status.DISCARDED,
                                                                        Document.Status.SUPERSEDED])
                .select_related("number", "issued_by", "drafted_by").order_by("pk"))
    served = set(Service.objects.filter(document__case=case).values_list("document_id", flat=True))
    # as the administrator set it; a type not seeded yet as its default says
    rows = dict(DocumentType.objects.values_list("code", "must_serve"))
    must_serve = {code for code, spec in SPECS.items() if rows.get(code, spec.must_serve)}
    party = case.party.name if case.party_id else ""
    out: list[Finding] = []

    def add(d: Document, code: str, message: str, severity: str = "error") -> None:
        out.append(Finding(d, code, message, severity, d.issued_by_id or d.drafted_by_id))

    for d in docs:
        if d.status == Document.Status.DRAFT:
            for v in missing_inputs(d):
                add(d, "input_missing", f"{d.title}（草稿）：{v.message}", "warning")
            continue
        c = d.content or {}
        doc_party = (c.get("party") or {}).get("name", "")
        if party and doc_party and doc_party != party:
            add(d, "party_mismatch", f"{d} 载明的当事人“{doc_party}”与案件当事人“{party}”不一致")
        if party and not doc_party:
            add(d, "party_missing", f"{d} 未载明当事人")
        fine = (c.get("penalty") or {}).get("fine", "")
        if d.code in DECIDED and case.decided_penalty and fine and fine != _fine_of(case.decided_penalty):
            add(d, "amount_mismatch", f"{d} 载明的罚款 {fine} 元与处罚决定的 {_fine_of(case.decided_penalty)} 元不一致")
        if d.code in NOTIFIED and case.notified_penalty:
            said = (c.get("notice") or {}).get("penalty_text", "")
            if said and said != penalty_text(case.notified_penalty):
                add(d, "notice_mismatch", f"{d} 告知的处罚“{said}”与案件登记的告知内容"
                                          f"“{penalty_text(case.notified_penalty)}”不一致")
        if d.code == "penalty_decision" and case.notified_penalty and case.decided_penalty and \
                _fine_of(case.decided_penalty) and _fine_of(case.notified_penalty) and \
                Decimal(str(case.decided_penalty["fine"])) > Decimal(str(case.notified_penalty["fine"])):
            add(d, "heavier_than_notified", f"{d} 的罚款多于事先告知的罚款（行政处罚法第六十二条：不得因陈述申辩加重）")
        on: date | None = d.issued_on
        if on and case.filed_on and on < case.filed_on and d.code not in BEFORE_FILING:
            add(d, "date_before_filing", f"{d} 的签发日期 {on:%Y-%m-%d} 早于立案日期 {case.filed_on:%Y-%m-%d}")
        if on and d.code == "penalty_decision" and case.notice_served_on and on < case.notice_served_on:
            add(d, "decision_before_notice", f"{d} 的签发日期早于事先告知书送达日期 {case.notice_served_on:%Y-%m-%d}"
                                             "（行政处罚法第四十四条、第六十二条）")
        if on and d.code == "penalty_decision" and case.decided_on and on != case.decided_on:
            add(d, "decision_date_mismatch", f"{d} 的签发日期 {on:%Y-%m-%d} 与案件的决定日期 "
                                             f"{case.decided_on:%Y-%m-%d} 不一致", "warning")
        agency = c.get("agency") or {}
        if d.code in ("penalty_decision", "no_penalty_decision", "seizure_decision") and not (
                agency.get("review_organ") and agency.get("court")):
            add(d, "remedy_missing", f"{d} 未载明行政复议机关或人民法院（政策参数“文书载明的机关信息”未设置；"
                                     "行政处罚法第五十九条）")
        for i in SPECS[d.code].inputs:
            if i.required and not (c.get("f") or {}).get(i.name):
                add(d, "input_missing", f"{d} 的“{i.label}”为空", "warning")
        if d.code in must_serve and d.pk not in served:
            add(d, "not_served", f"{d} 须送达，尚未登记送达", "warning")
    return out


def by_officer(findings: list[Finding]) -> Counter:
    """How many findings each officer is charged with (errors and warnings), for the assessment of officers."""
    return Counter((f.officer_id, f.severity) for f in findings if f.officer_id is not None)


def for_agency(agency, start: date, end: date) -> Counter:
    """The findings per officer over the documents of ``agency`` issued or drafted between ``start`` and ``end``."""
    from zhifa.cases.models import Case

    cases = Case.objects.filter(agency=agency, issued_documents__drafted_at__date__range=(start, end)).distinct()
    total: Counter = Counter()
    for case in cases.select_related("party"):
        total.update(by_officer(check_case(case)))
    return total
