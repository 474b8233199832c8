"""Documents: templates, drafting, issuing, correcting and serving (issue 6 §2, §5, §6). The only place that
changes the documents app's state.

- **Drafting is free**: a draft's inputs change at will, and nothing is numbered or recorded until it is issued.
- **Issuing freezes**: the number is taken (:mod:`.numbering`), the context built from the case is rendered into
  the .docx (and the PDF when LibreOffice is there), both are stored by digest, and the document's content, number,
  template version and digests go into the full-process record (``documents.issued``), with the document's
  registration on the case (the step ``record_document``) — all in one transaction.
- **An issued document never changes**: a correction is a new draft version with the reason (``correct``), which
  supersedes the old version when it is issued; the old stays readable.
- **Service** records the method, recipient, dates and proof (:mod:`zhifa.law.service`); serving a decision or a
  reminder takes the case's own step (送达 / 催告), so the clocks start on the service date.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from zhifa.cases import files
from zhifa.cases.facts import case_facts, roles_of
from zhifa.cases.models import Case, CaseDocument, CaseHandler
from zhifa.law import procedure as proc
from zhifa.law import service as law_service
from zhifa.law.errors import Citation, RuleViolation
from zhifa.records.services import algorithm, record

from . import context as ctx_mod
from . import numbering
from .models import Document, DocumentType, Service, Template
from .types import SPECS

A = proc.Action
RULES = Citation("本系统执法文书规则（docs/documents.md）", "", "文书签发后不得修改；更正须另行签发新版本并说明理由")
ISSUE_BASIS = Citation("《中华人民共和国行政处罚法》", "第四十七条",
                       "行政机关应当依法以文字、音像等形式，对行政处罚的启动、调查取证、审核、决定、送达、执行等进行"
                       "全过程记录，归档保存")
PACKAGE = "zhifa.documents"
TEMPLATE_DIR = "templates_docx"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class DocumentRefused(RuleViolation):
    """A document step refused: every reason (``violations``), the first as the headline."""

    def __init__(self, violations: list[RuleViolation]):
        first = violations[0]
        super().__init__(first.code, first.message, first.field, list(first.basis))
        self.violations = list(violations)


def _refuse(code: str, message: str, field: str | None = None, *basis: Citation) -> DocumentRefused:
    return DocumentRefused([RuleViolation(code, message, field, list(basis or (RULES,)))])


# --- types and templates --------------------------------------------------------------------------------------

def ensure_types() -> None:
    """The document types of :data:`zhifa.documents.types.SPECS` as rows (idempotent; an administrator's changes
    to an existing row are kept)."""
    have = set(DocumentType.objects.values_list("code", flat=True))
    missing = [DocumentType(code=s.code, name=s.name, layout=s.layout, signer=s.signer, party_signs=s.party_signs,
                            must_serve=s.must_serve, sort=n)
               for n, s in enumerate(SPECS.values()) if s.code not in have]
    if missing:
        DocumentType.objects.bulk_create(missing, ignore_conflicts=True)


def document_type(code: str) -> DocumentType:
    if code not in SPECS:
        raise _refuse("document_unknown", f"没有代码为 {code} 的文书", "code")
    row = DocumentType.objects.filter(code=code).first()
    if row is None:
        ensure_types()
        row = DocumentType.objects.get(code=code)
    return row


def builtin_template(code: str) -> bytes:
    """The template shipped with zhifa for ``code`` (version 0)."""
    return resources.files(PACKAGE).joinpath(TEMPLATE_DIR, f"{code}.docx").read_bytes()


def digest_of(data: bytes, alg: str | None = None) -> str:
    alg = alg or algorithm()
    return hashlib.new(alg, data).hexdigest()


@dataclass(frozen=True)
class InUse:
    """The template a document of one type is rendered with for one agency."""

    content: bytes
    version: int  # 0: built in
    digest: str
    agency_id: int | None
    template: Template | None


def templates_in_use(agency, code: str | None = None) -> dict[str, Template]:
    """The uploaded template in use for each type (or for ``code``): the newest active one of ``agency``, else of
    the nearest agency above it (a province may set one for its counties). Types without one use the built-in."""
    rank = {a: n for n, a in enumerate(agency.lineage_ids())}  # the agency first, then its parents
    rows = Template.objects.filter(agency_id__in=list(rank), is_active=True).select_related("document_type")
    # one type: its file is wanted (rendering); all types: a list, without the files
    rows = rows.filter(document_type__code=code) if code is not None else rows.defer("content")
    out: dict[str, Template] = {}
    for t in sorted(rows, key=lambda t: (rank[t.agency_id], -t.version)):
        out.setdefault(t.document_type.code, t)
    return out


def template_in_use(agency, code: str) -> InUse:
    """The template a document of ``code`` is rendered with for ``agency`` (:func:`templates_in_use`; the built-in
    one when there is none)."""
    t = templates_in_use(agency, code).get(code)
    if t is not None:
        return InUse(bytes(t.content), t.version, t.digest, t.agency_id, t)
    content = builtin_template(code)
    return InUse(content, 0, digest_of(content), None, None)


def upload_template(agency, code: str, content: bytes, *, name: str, note: str, actor) -> Template:
    """A new version of ``agency``'s template for ``code``, checked before it is kept: a broken template (not a
    Word file, a bad tag, a field that does not exist) is refused with every tag at fault named."""
    from .render import check_template

    doc_type = document_type(code)
    note = (note or "").strip()
    if not note:
        raise _refuse("payload_required", "请写明本次修改模板的说明", "note")
    if len(content) > 10 * 1024 * 1024:
        raise _refuse("template_too_large", "模板文件不能超过 10 MB", "file")
    problems = check_template(content, code)
    if problems:
        raise DocumentRefused([RuleViolation("template_invalid", p.message, "file", [RULES]) for p in problems])
    alg = algorithm()
    with transaction.atomic():
        DocumentType.objects.select_for_update().get(pk=doc_type.pk)  # one upload of this type at a time
        last = Template.objects.filter(agency=agency, document_type=doc_type).aggregate(v=Max("version"))["v"] or 0
        t = Template.objects.create(agency=agency, document_type=doc_type, version=last + 1, content=content,
                                    digest=digest_of(content, alg), algorithm=alg, original_name=name[:255],
                                    note=note[:200], is_active=True, uploaded_by=actor, uploaded_at=timezone.now())
        Template.objects.filter(agency=agency, document_type=doc_type).exclude(pk=t.pk).update(is_active=False)
        record("documents.template_uploaded", actor=actor, agency=agency, subject=f"template:{code}",
               payload={"document": code, "version": t.version, "digest": t.digest, "algorithm": alg,
                        "name": t.original_name, "note": note})
    return t


def use_template(agency, code: str, version: int, *, actor) -> None:
    """Go back to an earlier version of ``agency``'s template for ``code`` (0: the built-in one)."""
    doc_type = document_type(code)
    with transaction.atomic():
        rows = Template.objects.select_for_update().filter(agency=agency, document_type=doc_type)
        if version and not rows.filter(version=version).exists():
            raise _refuse("template_unknown", f"没有第{version}版模板", "version")
        rows.update(is_active=False)
        if version:
            rows.filter(version=version).update(is_active=True)
        record("documents.template_activated", actor=actor, agency=agency, subject=f"template:{code}",
               payload={"document": code, "version": version})


# --- who may -------------------------------------------------------------------------------------------------

def may_write(case: Case, user) -> bool:
    """Who may draft, issue, correct and serve a case's documents: its active handlers, and the head, legal
    reviewers and clerks of its agency (the same as who may register a document on the case)."""
    if user is None or not user.is_authenticated:
        return False
    if getattr(user, "agency_id", None) != case.agency_id:
        return False
    if roles_of(user) & {"head", "reviewer", "clerk"}:
        return True
    return CaseHandler.objects.filter(case=case, user=user, removed_on__isnull=True).exists()


def _check_may(case: Case, user) -> None:
    if not may_write(case, user):
        raise _refuse("not_allowed", "只有本案承办人员、负责人或者法制审核、内勤人员可以制作和送达本案文书", "actor")
    if case.state in proc.FINISHED and case.state != proc.State.CLOSED:
        raise _refuse("case_finished", f"案件已{proc.STATE_LABELS[proc.State(case.state)]}，不能再制作文书", "case",
                      proc.ENDED_RULE)


# --- drafting --------------------------------------------------------------------------------------------------

def _clean_inputs(code: str, raw: dict[str, Any]) -> dict[str, Any]:
    from .fields import ROW_COLUMNS

    out: dict[str, Any] = {}
    for i in SPECS[code].inputs:
        value = raw.get(i.name)
        if i.kind == "rows":
            columns = [c.name for c in ROW_COLUMNS[i.columns]]
            rows = []
            for r in value if isinstance(value, list) else []:
                if isinstance(r, dict):
                    row = {c: str(r.get(c) or "").strip()[:2000] for c in columns}
                    if any(row.values()):
                        rows.append(row)
            out[i.name] = rows[:500]
        else:
            text = str(value or "").strip()
            limit = 200 if i.kind in ("text", "date") else 20000
            if len(text) > limit:
                raise _refuse("payload_too_long", f"{i.label}不能超过 {limit} 字", f"f.{i.name}")
            out[i.name] = text
    if code in SERVED_BY and raw.get("_served"):
        try:
            out["_served"] = int(raw["_served"])
        except (TypeError, ValueError):
            raise _refuse("payload_invalid", "所送达的文书无效", "f._served") from None
    return out


def defaults(case: Case, code: str) -> dict[str, Any]:
    """What a new draft starts with: the facts and evidence as the case's latest document wrote them, the case's
    own place and dates where the type asks for them."""
    out: dict[str, Any] = {}
    names = {i.name for i in SPECS[code].inputs}
    for d in Document.objects.filter(case=case).exclude(status=Document.Status.DISCARDED).order_by("-pk")[:20]:
        for name in ("facts", "evidence"):
            if name in names and name not in out and d.inputs.get(name):
                out[name] = d.inputs[name]
    if "place" in names and case.party is not None:
        out.setdefault("place", case.party.address)
    if "address" in names and case.party is not None:
        out.setdefault("address", case.party.address)
    if "facts" in names and "facts" not in out and case.clue_note:
        out["facts"] = case.clue_note
    return out


def draft(case: Case, code: str, inputs: dict[str, Any], *, actor, document: Document | None = None) -> Document:
    """Create a draft of ``code`` for ``case``, or change ``document`` (a draft)."""
    _check_may(case, actor)
    row = document_type(code)
    if document is None and not row.is_active:
        raise _refuse("document_type_inactive", f"本机关已停用“{row.name}”，不能起草", "code")
    clean = _clean_inputs(code, inputs)
    now = timezone.now()
    with transaction.atomic():
        if document is None:
            return Document.objects.create(case=case, code=code, title=row.name, inputs=clean,
                                           drafted_by=actor, drafted_at=now, updated_at=now)
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if locked.status != Document.Status.DRAFT:
            raise _refuse("document_issued", f"{locked.title}已签发，不能修改；需要更正的，请制作更正版本并写明理由",
                          "document", RULES, ISSUE_BASIS)
        locked.inputs, locked.updated_at = clean, now
        locked.save(update_fields=["inputs", "updated_at"])
        return locked


def discard(document: Document, *, actor) -> Document:
    """Give up a draft (kept, marked 作废; it never had a number)."""
    _check_may(document.case, actor)
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if locked.status != Document.Status.DRAFT:
            raise _refuse("document_issued", f"{locked.title}已签发，不能作废草稿；需要更正的，请制作更正版本",
                          "document")
        locked.status = Document.Status.DISCARDED
        locked.supersedes = None  # a discarded correction frees the issued version for another one
        locked.save(update_fields=["status", "supersedes"])
        return locked


def missing_inputs(document: Document) -> list[RuleViolation]:
    """The required inputs a draft has not written yet (it cannot be issued without them)."""
    out = []
    for i in SPECS[document.code].inputs:
        if i.required and not document.inputs.get(i.name):
            out.append(RuleViolation("input_missing", f"请填写“{i.label}”", f"f.{i.name}", [RULES]))
    return out


# --- issuing ------------------------------------------------------------------------------------------------------

SERVED_BY = ("service_receipt", "service_public_notice")  # documents that name the document they serve


def _served_of(document: Document) -> dict[str, str]:
    """The document a 送达回证 (or 公告送达公告) is for: the one its draft names — its issued version in force, if it
    was corrected since — else the case's latest issued document that must be served."""
    target = None
    wanted = document.inputs.get("_served")
    qs = Document.objects.filter(case=document.case).exclude(code__in=SERVED_BY).select_related("number")
    if wanted:
        target = qs.filter(pk=wanted).first()
        while target is not None and target.status == Document.Status.SUPERSEDED:
            target = qs.filter(supersedes=target).first()
        if target is None or target.status != Document.Status.ISSUED:
            raise _refuse("served_document_invalid", "所选的被送达文书不是本案已签发的文书", "f._served")
    else:
        serve_codes = DocumentType.objects.filter(must_serve=True).values_list("code", flat=True)
        target = qs.filter(code__in=list(serve_codes), status=Document.Status.ISSUED).order_by("-issued_at").first()
    if target is None:
        return {}
    party = document.case.party
    return {"title": target.title, "number": target.number.number if target.number_id else "",
            "recipient": party.name if party else "", "place": party.address if party else "",
            "method": "", "served_on": ""}


def _case_lists(case: Case) -> tuple[list[dict], list[dict]]:
    """The case's documents (卷内目录) and evidence, as rows."""
    from zhifa.law.calendar import cn_date

    docs = []
    for n, d in enumerate(CaseDocument.objects.filter(case=case).order_by("issued_on", "pk"), start=1):
        docs.append({"no": str(n), "title": d.title, "number": d.number, "date": cn_date(d.issued_on), "pages": "",
                     "note": d.note[:60]})
    evidence = []
    for n, r in enumerate(case.records.filter(code="evidence").order_by("made_on", "pk"), start=1):
        evidence.append({"no": str(n), "kind": proc.EVIDENCE_KINDS.get(r.evidence_kind, ""),
                         "description": r.description, "made_on": cn_date(r.made_on)})
    return docs, evidence


def _store(data: bytes, alg: str) -> str:
    """Keep rendered bytes by their digest in the evidence storage (once), as evidence files are kept."""
    d = digest_of(data, alg)
    files.put(ContentFile(data), alg, d)
    return d


def read_file(document: Document, kind: str) -> bytes:
    """The stored .docx or PDF of an issued document, checked against its recorded digest: a changed or missing
    file is refused (:class:`files.FileDigestMismatch` is not used: a document is not an EvidenceFile)."""
    d = document.docx_digest if kind == "docx" else document.pdf_digest
    if not d:
        raise _refuse("file_missing", "该文书没有此格式的文件", kind)
    try:
        with files.storage().open(files.storage_name(document.algorithm, d), "rb") as fh:
            data = fh.read()
    except (FileNotFoundError, OSError):
        data = None
    if data is None or digest_of(data, document.algorithm) != d:
        record("documents.file_mismatch", actor=None, agency=document.case.agency, case_id=document.case_id,
               subject=f"document:{document.pk}", payload={"kind": kind, "digest": d})
        raise _refuse("file_mismatch", f"{document.title}的{kind.upper()}文件缺失或与签发时的摘要（{d}）不符，"
                      "可能已被篡改或损坏；已记入全过程记录，请联系审计管理员", kind, ISSUE_BASIS)
    return data


def render_preview(document: Document) -> bytes:
    """The .docx of a draft as it would be issued today (no number yet: the number line reads （签发时编号）)."""
    from jinja2 import TemplateError

    from .render import render_docx

    case = document.case
    today = timezone.localdate()
    docs, evidence = _case_lists(case)
    number = "（签发时编号）" if numbering.series_of(document.code, case.agency, today) else ""
    context = ctx_mod.build(case, document.code, document.inputs, on=today, number=number,
                            version=document.version, correction=document.correction_reason,
                            served=_served_of(document), documents=docs, evidence=evidence)
    used = template_in_use(case.agency, document.code)
    try:
        return render_docx(used.content, context)
    except TemplateError as exc:
        raise _template_failed(document, used, exc) from None


def issue(document: Document, *, actor, on: date | None = None) -> Document:
    """Issue a draft: number, render, store, freeze and record (see the module docstring), in one transaction.

    The PDF is made after that transaction commits (LibreOffice may take a second cold, and the transaction holds
    the number series and the record's chain head): it is filled in once, recorded as ``documents.pdf_made``.
    Without LibreOffice the .docx stands issued and the PDF can be made later (:func:`make_pdf`)."""
    from jinja2 import TemplateError

    from .render import render_docx

    on = on or timezone.localdate()
    case = document.case
    _check_may(case, actor)
    alg = algorithm()
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if locked.status != Document.Status.DRAFT:
            raise _refuse("document_issued", f"{locked.title}已签发，不能再次签发或修改", "document", RULES,
                          ISSUE_BASIS)
        problems = missing_inputs(locked)
        if problems:
            raise DocumentRefused(problems)
        given = None
        if numbering.series_of(locked.code, case.agency, on):
            given = numbering.allocate(case.agency, locked.code, on=on, case=case, actor=actor)
        docs, evidence = _case_lists(case)
        content = ctx_mod.build(case, locked.code, locked.inputs, on=on, number=given.number if given else "",
                                version=locked.version, correction=locked.correction_reason,
                                served=_served_of(locked), documents=docs, evidence=evidence)
        used = template_in_use(case.agency, locked.code)
        try:
            docx = render_docx(used.content, content)
        except TemplateError as exc:
            raise _template_failed(locked, used, exc) from None
        locked.docx_digest, locked.docx_size = _store(docx, alg), len(docx)
        locked.algorithm = alg
        # 卷宗封面和卷内目录 are made after 结案, when the case no longer takes registrations: the 归档 step registers
        # it (its own form); every other document is registered now, or refused with the case's reason
        late = locked.code == "case_file_index" and case.state == proc.State.CLOSED
        step = None if late else _register(case, locked, given.number if given else "", on, actor)
        locked.status, locked.number, locked.issued_on = Document.Status.ISSUED, given, on
        locked.issued_at, locked.issued_by, locked.content = timezone.now(), actor, content
        locked.template_version, locked.template_digest = used.version, used.digest
        locked.registration = CaseDocument.objects.filter(case=case, step=step).order_by("-pk").first() \
            if step is not None else None
        content_digest = digest_of(json.dumps(content, ensure_ascii=False, sort_keys=True).encode(), alg)
        old = locked.supersedes
        locked.event = record(
            "documents.issued", actor=actor, agency=case.agency, case_id=case.pk, subject=f"document:{locked.pk}",
            payload={"document": locked.code, "title": locked.title, "version": locked.version,
                     "number": given.number if given else None, "issued_on": on, "algorithm": alg,
                     "docx": locked.docx_digest, "content": content_digest,
                     "template": {"version": used.version, "digest": used.digest, "agency": used.agency_id},
                     "supersedes": old.pk if old else None, "reason": locked.correction_reason or None})
        locked.save()
        if old is not None:
            Document.objects.filter(pk=old.pk).update(status=Document.Status.SUPERSEDED)
    if settings.ZHIFA_PDF_AT_ISSUE:
        from . import pdf

        with contextlib.suppress(pdf.PdfUnavailable):  # the .docx stands issued; make_pdf again later
            locked = make_pdf(locked, actor=actor, docx=docx)
    return locked


def _template_failed(document: Document, used: InUse, exc) -> DocumentRefused:
    """A template that passed its upload check but fails on this case's data (e.g. a row it asks for is not
    there): named, never a traceback; the issue is rolled back."""
    which = f"本机关第{used.version}版模板" if used.version else "系统内置模板"
    return _refuse("template_failed", f"{document.title}的{which}无法用本案的内容填写（{exc}）；请管理员修改模板"
                   "或改用其他版本", "template", RULES)


def _register(case: Case, document: Document, number: str, on: date, actor):
    """The document's registration on the case (the step 登记文书), so the procedure's checks see it."""
    from zhifa.cases.services import record_document

    note = f"系统签发（版本{document.version}）" + (f"；更正理由：{document.correction_reason}"
                                                  if document.correction_reason else "")
    return record_document(case.pk, [{"code": document.code, "title": document.title, "number": number,
                                      "issued_on": on, "note": note}],
                           actor=actor, idempotency_key=f"document-issue-{document.pk}", today=on)


def make_pdf(document: Document, *, actor, docx: bytes | None = None) -> Document:
    """The PDF of an issued document, made once (right after issue, or later when LibreOffice was not available),
    from the issued .docx (read back and checked against its digest unless the issuer passes its bytes);
    recorded as ``documents.pdf_made``. Raises ``pdf.PdfUnavailable`` (also for a failed conversion)."""
    from . import pdf

    if not document.is_issued:
        raise _refuse("document_draft", "草稿没有 PDF；请先签发", "document")
    if document.pdf_digest:
        return document
    data = pdf.to_pdf(docx if docx is not None else read_file(document, "docx"))
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if locked.pdf_digest:
            return locked
        locked.pdf_digest, locked.pdf_size = _store(data, locked.algorithm), len(data)
        locked.save(update_fields=["pdf_digest", "pdf_size"])
        record("documents.pdf_made", actor=actor, agency=locked.case.agency, case_id=locked.case_id,
               subject=f"document:{locked.pk}", payload={"pdf": locked.pdf_digest, "docx": locked.docx_digest})
    return locked


def correct(document: Document, *, reason: str, actor) -> Document:
    """A new draft version of an issued document, with the reason; issuing it supersedes ``document``."""
    _check_may(document.case, actor)
    reason = (reason or "").strip()
    if not reason:
        raise _refuse("payload_required", "请写明更正的理由", "reason", RULES)
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if locked.status != Document.Status.ISSUED:
            raise _refuse("document_not_issued", "只有已签发且未被更正的文书才能更正", "document")
        pending = Document.objects.filter(supersedes=locked).first()
        if pending is not None:
            if pending.status == Document.Status.DRAFT:
                return pending
            raise _refuse("document_corrected", "该文书已有更正版本", "document")
        now = timezone.now()
        new = Document.objects.create(case=locked.case, code=locked.code, title=locked.title,
                                      version=locked.version + 1, supersedes=locked, correction_reason=reason,
                                      inputs=dict(locked.inputs), drafted_by=actor, drafted_at=now, updated_at=now)
        record("documents.correction_started", actor=actor, agency=locked.case.agency, case_id=locked.case_id,
               subject=f"document:{locked.pk}", payload={"document": locked.code, "version": new.version,
                                                          "reason": reason})
    return new


# --- service --------------------------------------------------------------------------------------------------------

def consent_on_file(case: Case) -> bool:
    """Electronic service needs the party's consent in a signed 确认书 (行政处罚法第六十一条第二款): the case's
    电子送达确认书 — the document the procedure's 电子送达 step requires too."""
    return CaseDocument.objects.filter(case=case, code="electronic_service_consent").exists()


def _evidence_file(case: Case, digest: str | None):
    if not digest:
        return None
    f = case.files.filter(digest=digest).first()
    if f is None:
        raise _refuse("file_unknown", "所选文件不是本案已上传的文件", "proof")
    return f


def serve(document: Document, *, actor, method: str, on: date, recipient: str = "", recipient_relation: str = "",
          place: str = "", address: str = "", witness: str = "", tracking_no: str = "", reason: str = "",
          medium: str = "", av_reason: str = "", proof: str | None = None, av_file: str | None = None,
          note: str = "", today: date | None = None) -> Service:
    """Record the service of an issued document; serving the decision (or the 催告书) takes the case's own step
    on the service date, so its clocks start then. Every reason it cannot be recorded is given at once."""
    case = document.case
    today = today or timezone.localdate()
    _check_may(case, actor)
    if not document.is_issued or document.status != Document.Status.ISSUED:
        raise _refuse("document_not_issued", "只有已签发（且未被更正）的文书才能送达", "document", law_service.ART_61)
    if document.code in DECISIONS and proc.State(case.state) not in proc.AFTER_DECISION:
        raise _refuse("decision_not_taken", "案件尚未作出处理决定（“作出行政处罚决定”等步骤），决定书不能送达；"
                      "请先办理决定步骤", "document", law_service.ART_61)
    proof_file, av = _evidence_file(case, proof), _evidence_file(case, av_file)
    if av is not None and not files.is_audio_video(av):
        raise _refuse("file_not_av", "音像记录须为音频或视频文件", "av_file")
    facts = case_facts(case, today=today)
    s = law_service.Service(method=method, on=on, recipient=recipient.strip(), recipient_relation=recipient_relation,
                            witness=witness.strip(), av_recorded=av is not None, av_reason=av_reason.strip(),
                            tracking_no=tracking_no.strip(), address=address.strip(),
                            consent_on_file=consent_on_file(case), reason=reason.strip(), medium=medium.strip())
    problems = law_service.check(s, issued_on=document.issued_on, today=today,
                                 av_required=proc.av_step_required(facts, proc.AV_LODGED_SERVICE))
    if problems:
        raise DocumentRefused(problems)
    served_on = law_service.served_on(s, facts.calendar)
    with transaction.atomic():
        Document.objects.select_for_update().get(pk=document.pk)  # one service of a document at a time
        same = Service.objects.filter(document=document, method=method, on=on, recipient=s.recipient).first()
        if same is not None:
            return same  # the same service sent twice (a double click, a retried request): recorded once
        row = Service.objects.create(
            document=document, method=method, on=on, served_on=served_on, recipient=s.recipient,
            recipient_relation=recipient_relation.strip()[:40], place=place.strip()[:200], address=s.address[:200],
            witness=s.witness[:120], tracking_no=s.tracking_no[:60], reason=s.reason, medium=s.medium[:200],
            av_reason=s.av_reason, proof=proof_file, av_file=av, note=note.strip(), recorded_by=actor,
            recorded_at=timezone.now())
        row.step = _drive_case(row, document, actor, today)
        row.event = record(
            "documents.served", actor=actor, agency=case.agency, case_id=case.pk, subject=f"document:{document.pk}",
            payload={"document": document.code, "number": document.number.number if document.number_id else None,
                     "method": method, "on": on, "served_on": served_on, "recipient": s.recipient,
                     "witness": s.witness or None, "tracking_no": s.tracking_no or None,
                     "proof": proof_file.digest if proof_file else None, "av": av.digest if av else None,
                     "av_reason": s.av_reason or None, "reason": s.reason or None,
                     "step": row.step.action if row.step else None})
        row.save(update_fields=["step", "event"])
    return row


DECISIONS = ("penalty_decision", "no_penalty_decision")


def _receipt(row: Service) -> dict[str, Any]:
    """The signed 送达回证 (or the post's return slip) of this service, registered as the step's receipt."""
    return {"code": "service_receipt", "issued_on": row.on,
            "note": f"{law_service.METHODS[row.method]}，签收人：{row.recipient}"}


def _drive_case(row: Service, document: Document, actor, today: date):
    """The case step a service is: 送达 of the decision (by its method), 事先告知 by the 事先告知书 (served otherwise
    than by public notice), 催告 by the 催告书; None for the others (their dates are the service records themselves)."""
    from zhifa.cases.services import transition

    case = Case.objects.get(pk=document.case_id)
    state = proc.State(case.state)
    key = f"document-service-{row.pk}"
    # the receipt of this service: one registered for this document (on or after its issue), or this one
    receipt = CaseDocument.objects.filter(case=case, code="service_receipt", issued_on__gte=document.issued_on)
    if document.code in DECISIONS and state is proc.State.DECIDED:
        if row.method == "electronic":
            payload = {"served_on": row.on, "address": row.address,
                       "records": [{"code": "electronic_delivery_proof", "made_on": row.on,
                                    "description": f"电子送达至 {row.address}，到达日期 {row.on:%Y-%m-%d}",
                                    **({"file_hash": row.proof.digest} if row.proof else {})}]}
            return transition(case.pk, A.SERVE_ELECTRONIC, actor=actor, payload=payload, idempotency_key=key,
                              today=today)
        if row.method == "public_notice":
            records = [{"code": "public_notice_reason", "made_on": row.on, "description": row.reason}]
            if row.av_file or row.av_reason:
                records.append({"code": "av_record_or_reason", "made_on": row.on,
                                "description": row.av_reason or "公告送达过程的音像记录",
                                **({"file_hash": row.av_file.digest} if row.av_file else {})})
            payload = {"published_on": row.on, "medium": row.medium, "records": records}
            if not CaseDocument.objects.filter(case=case, code="service_public_notice",
                                               issued_on__gte=document.issued_on).exists():
                # the notice published is the 公告 itself: registered with this service when not issued apart
                payload["documents"] = [{"code": "service_public_notice", "issued_on": row.on,
                                         "note": f"公告方式：{row.medium or '未写明'}"}]
            return transition(case.pk, A.SERVE_BY_PUBLIC_NOTICE, actor=actor, payload=payload, idempotency_key=key,
                              today=today)
        # 当场交付 of a decision announced with the party present is 直接送达 to the case's step (民诉法第八十七条)
        payload: dict[str, Any] = {"served_on": row.on,
                                   "method": "direct" if row.method == "on_the_spot" else row.method}
        if not receipt.exists():
            payload["documents"] = [_receipt(row)]
        if row.method == "lodged" and (row.av_file or row.av_reason):
            payload["records"] = [{"code": "av_record_or_reason", "made_on": row.on,
                                   "description": row.av_reason or f"留置送达，见证人：{row.witness or '无'}",
                                   **({"file_hash": row.av_file.digest} if row.av_file else {})}]
        return transition(case.pk, A.SERVE, actor=actor, payload=payload, idempotency_key=key, today=today)
    if document.code == "penalty_notice" and row.method != "public_notice" and proc.transition_for(
            proc.Procedure(case.procedure), state, A.NOTIFY) is not None:
        # the 陈述申辩 and 听证 periods run from the day the notice is served (第四十四条、第六十四条)
        payload = {"notice_served_on": row.served_on}
        if not receipt.exists():
            payload["documents"] = [_receipt(row)]
        return transition(case.pk, A.NOTIFY, actor=actor, payload=payload, idempotency_key=key, today=today)
    if document.code == "performance_reminder" and row.method != "public_notice" and proc.transition_for(
            proc.Procedure(case.procedure), state, A.URGE) is not None:
        return transition(case.pk, A.URGE, actor=actor, payload={"served_on": row.served_on}, idempotency_key=key,
                          today=today)
    return None
