"""The documents' screens: a case's documents, one document (draft, issue, download, correct, serve), the
templates of the agency and the fields a template may use."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from zhifa.cases.services import StepRefused
from zhifa.cases.views.common import case_or_404
from zhifa.law.errors import RuleViolation
from zhifa.law.service import DATE_LABELS, METHODS

from . import checker, fields, numbering, pdf, services
from .forms import CorrectForm, DraftForm, ServeForm, TemplateUploadForm
from .models import Document, DocumentType, Template
from .types import KINDS, LAYOUTS, SIGNERS, SPECS, steps_requiring

DOCX = services.DOCX_TYPE
TEMPLATE_ROLES = {"sysadmin", "head", "reviewer"}


def _document_or_404(user, pk: int) -> Document:
    d = Document.objects.select_related("case", "number", "issued_by", "drafted_by").filter(pk=pk).first()
    if d is None:
        raise Http404
    case_or_404(user, d.case_id)  # another agency's document is as good as absent
    return d


def _violations(exc: RuleViolation) -> list[RuleViolation]:
    return list(getattr(exc, "violations", None) or [exc])


def _download(data: bytes, name: str, media_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=media_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(name)}"
    response["Cache-Control"] = "no-store"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


def file_name(d: Document, suffix: str) -> str:
    number = d.number.number if d.number_id else ""
    stem = f"{d.case.reference or d.case_id}-{d.title}{('-' + number) if number else ''}"
    if d.version > 1:
        stem += f"-v{d.version}"
    return f"{stem}.{suffix}".replace("/", "／")


# --- a case's documents -------------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def case_documents(request, pk: int):
    """The case's documents, drafts first, and the choice of a new one: the types the case's next steps need first."""
    case = case_or_404(request.user, pk)
    may = services.may_write(case, request.user)
    if request.method == "POST":
        if not may:
            raise PermissionDenied(_("只有本案承办人员、负责人或者法制审核、内勤人员可以制作本案文书"))
        code = request.POST.get("code", "")
        try:
            d = services.draft(case, code, services.defaults(case, code) if code in SPECS else {},
                               actor=request.user)
        except RuleViolation as exc:
            messages.error(request, exc.message)
            return redirect("documents:case", pk=case.pk)
        return redirect("documents:detail", pk=d.pk)
    docs = list(Document.objects.filter(case=case).select_related("number", "issued_by", "drafted_by")
                .annotate(n_services=Count("services")).order_by("-pk"))
    order = {Document.Status.DRAFT: 0, Document.Status.ISSUED: 1, Document.Status.SUPERSEDED: 2,
             Document.Status.DISCARDED: 3}
    docs.sort(key=lambda d: order[d.status])  # drafts first, newest first within each
    findings = checker.check_case(case)
    return render(request, "documents/case.html", {
        "active": "cases", "case": case, "documents": docs, "may_write": may, "findings": findings,
        "choices": _type_choices(case), "pdf_available": pdf.available(),
    })


def _type_choices(case) -> list[tuple[str, list[tuple[str, str]]]]:
    from zhifa.cases.facts import case_facts
    from zhifa.law import procedure as proc

    facts = case_facts(case, today=timezone.localdate())
    wanted: dict[str, None] = {}
    for action in proc.available_actions(facts, proc.ROLES):
        t = proc.transition_for(facts.procedure, facts.state, action)
        for code in (t.documents if t else ()):
            if code not in facts.documents:
                wanted[code] = None
    types = {t.code: t.name for t in DocumentType.objects.filter(is_active=True)} or \
        {c: s.name for c, s in SPECS.items()}
    first = [(c, types[c]) for c in wanted if c in types]
    rest = [(c, n) for c, n in types.items() if c not in wanted]
    return [(_("下一步需要的文书"), first), (_("其他文书"), rest)] if first else [(_("文书"), rest)]


# --- one document ---------------------------------------------------------------------------------------------------

def _served_choices(d: Document):
    if d.code not in services.SERVED_BY:
        return None
    return [(x.pk, str(x)) for x in Document.objects.filter(case=d.case, status=Document.Status.ISSUED)
            .exclude(code="service_receipt").select_related("number")]


@login_required
@require_http_methods(["GET", "POST"])
def detail(request, pk: int):
    d = _document_or_404(request.user, pk)
    case = d.case
    may = services.may_write(case, request.user)
    violations: list[RuleViolation] = []
    form = serve_form = correct_form = None
    status = 200
    if request.method == "POST":
        if not may:
            raise PermissionDenied(_("只有本案承办人员、负责人或者法制审核、内勤人员可以制作和送达本案文书"))
        op = request.POST.get("op", "save")
        try:
            if op in ("save", "issue", "preview") and d.status == Document.Status.DRAFT:
                form = DraftForm(d.code, request.POST, inputs=d.inputs, served_choices=_served_choices(d))
                if form.is_valid():
                    d = services.draft(case, d.code, form.inputs(), actor=request.user, document=d)
                    if op == "preview":
                        return _download(services.render_preview(d), file_name(d, "docx"), DOCX)
                    if op == "issue":
                        d = services.issue(d, actor=request.user)
                        messages.success(request, _("已签发：%(d)s。") % {"d": d})
                    else:
                        messages.success(request, _("草稿已保存。"))
                    return redirect("documents:detail", pk=d.pk)
            elif op in ("save", "issue", "preview"):
                raise services._refuse(
                    "document_issued", _("该文书已签发，不能修改；需要更正的，请制作更正版本并写明理由"), "document")
            elif op == "discard":
                services.discard(d, actor=request.user)
                messages.success(request, _("草稿已作废。"))
                return redirect("documents:case", pk=case.pk)
            elif op == "correct":
                correct_form = CorrectForm(request.POST)
                if correct_form.is_valid():
                    new = services.correct(d, reason=correct_form.cleaned_data["reason"], actor=request.user)
                    messages.success(request, _("已建立更正版本（草稿），签发后取代原版本。"))
                    return redirect("documents:detail", pk=new.pk)
            elif op == "serve":
                serve_form = ServeForm(request.POST, case_files=list(case.files.order_by("uploaded_at")))
                if serve_form.is_valid():
                    c = serve_form.cleaned_data
                    row = services.serve(d, actor=request.user, method=c["method"], on=c["on"],
                                         recipient=c["recipient"], recipient_relation=c["recipient_relation"],
                                         place=c["place"], address=c["address"], witness=c["witness"],
                                         tracking_no=c["tracking_no"], reason=c["reason"], medium=c["medium"],
                                         av_reason=c["av_reason"], proof=c["proof"] or None,
                                         av_file=c["av_file"] or None, note=c["note"])
                    text = _("已登记送达，送达日期 %(on)s。") % {"on": row.served_on.isoformat()}
                    if row.step_id:
                        text += " " + _("案件已办理：%(a)s。") % {"a": _step_label(row.step.action)}
                    messages.success(request, text)
                    return redirect("documents:detail", pk=d.pk)
            elif op == "pdf":
                services.make_pdf(d, actor=request.user)
                messages.success(request, _("已生成 PDF。"))
                return redirect("documents:detail", pk=d.pk)
        except (services.DocumentRefused, StepRefused, pdf.PdfUnavailable, RuleViolation) as exc:
            violations = _violations(exc) if isinstance(exc, RuleViolation) else [
                RuleViolation("pdf_unavailable", str(exc), "pdf")]
            status = 400
        if form is None and d.status == Document.Status.DRAFT and request.POST.get("op") in ("save", "issue"):
            form = DraftForm(d.code, request.POST, inputs=d.inputs, served_choices=_served_choices(d))
        if status == 200:
            status = 400
    if d.status == Document.Status.DRAFT and form is None:
        form = DraftForm(d.code, inputs=d.inputs, served_choices=_served_choices(d))
    if d.status == Document.Status.ISSUED and may:
        serve_form = serve_form or ServeForm(initial={"recipient": case.party.name if case.party_id else "",
                                                      "place": case.party.address if case.party_id else ""},
                                             case_files=list(case.files.order_by("uploaded_at")))
        correct_form = correct_form or CorrectForm()
    spec = SPECS[d.code]
    doc_type = services.document_type(d.code)  # as the administrator set it (signer, party signature, service)
    versions = _versions(d)
    return render(request, "documents/detail.html", {
        "active": "cases", "case": case, "document": d, "spec": spec, "may_write": may, "form": form,
        "serve_form": serve_form, "correct_form": correct_form, "violations": violations,
        "missing": services.missing_inputs(d) if d.status == Document.Status.DRAFT else [],
        "services_list": _services_of(d),
        "versions": versions, "findings": [f for f in checker.check_case(case) if f.document.pk == d.pk],
        "numbered": bool(numbering.series_of(d.code, case.agency, d.issued_on or timezone.localdate())),
        "pdf_available": pdf.available(), "methods": METHODS, "date_labels": DATE_LABELS,
        "signer": SIGNERS.get(doc_type.signer, doc_type.signer), "layout": LAYOUTS.get(spec.layout, ""),
        "doc_type": doc_type,
        "steps": [_step_label(a) for a in steps_requiring(d.code)],
    }, status=status)


def _services_of(d: Document) -> list:
    """The document's services, oldest first, each with its method's label (the model field has no choices)."""
    rows = list(d.services.select_related("recorded_by", "proof", "av_file", "step").order_by("on", "pk"))
    for s in rows:
        s.method_label = METHODS.get(s.method, s.method)
    return rows


def _step_label(action: str) -> str:
    from zhifa.cases.payload import AUX_ACTIONS
    from zhifa.law import procedure as proc

    try:
        return proc.ACTION_LABELS[proc.Action(action)]
    except ValueError:
        return AUX_ACTIONS.get(action, action)


def _versions(d: Document) -> list[Document]:
    """Every version of the document, oldest first (the chain of corrections)."""
    first = d
    while first.supersedes_id:
        first = first.supersedes
    out = [first]
    while True:
        nxt = Document.objects.filter(supersedes=out[-1]).select_related("number").first()
        if nxt is None:
            return out
        out.append(nxt)


@login_required
def download(request, pk: int, kind: str):
    """The issued .docx or PDF, checked against its recorded digest before it is sent."""
    d = _document_or_404(request.user, pk)
    if kind not in ("docx", "pdf") or not d.is_issued or (kind == "pdf" and not d.pdf_digest):
        raise Http404  # no PDF made yet (issued without LibreOffice) is not a file that fails its check
    try:
        data = services.read_file(d, kind)
    except services.DocumentRefused as exc:
        return render(request, "web/error.html", {"title": _("文件校验不符"), "text": exc.message}, status=409)
    from zhifa.records.services import record

    record("documents.downloaded", actor=request.user, agency=d.case.agency, case_id=d.case_id,
           subject=f"document:{d.pk}", payload={"kind": kind, "digest": d.docx_digest if kind == "docx"
                                                else d.pdf_digest})
    return _download(data, file_name(d, kind), DOCX if kind == "docx" else "application/pdf")


# --- templates ------------------------------------------------------------------------------------------------------

def _may_manage(user) -> bool:
    return bool(user.role_codes() & TEMPLATE_ROLES) and user.agency_id is not None


@login_required
def templates(request):
    """The agency's templates: each type with the version in use (built-in or uploaded)."""
    if not _may_manage(request.user):
        raise PermissionDenied(_("只有系统管理员、负责人或者法制审核人员可以管理文书模板"))
    services.ensure_types()
    agency = request.user.agency
    uploaded = services.templates_in_use(agency)
    rows = [{"type": t, "in_use": uploaded.get(t.code), "spec": SPECS.get(t.code),
             "numbered": bool(numbering.series_of(t.code, agency, timezone.localdate())),
             "layout": LAYOUTS.get(t.layout, t.layout).split("（")[0],
             "signer": SIGNERS.get(t.signer, t.signer)} for t in DocumentType.objects.all()]
    return render(request, "documents/templates.html", {"active": "documents", "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def template_detail(request, code: str):
    if not _may_manage(request.user):
        raise PermissionDenied(_("只有系统管理员、负责人或者法制审核人员可以管理文书模板"))
    if code not in SPECS:
        raise Http404
    agency = request.user.agency
    doc_type = services.document_type(code)
    form = TemplateUploadForm()
    violations: list[RuleViolation] = []
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("op") == "use":
                version = int(request.POST.get("version") or 0)
                services.use_template(agency, code, version, actor=request.user)
                messages.success(request, _("已改用第 %(v)s 版模板。") % {"v": version} if version
                                 else _("已改用系统内置模板。"))
                return redirect("documents:template", code=code)
            form = TemplateUploadForm(request.POST, request.FILES)
            if form.is_valid():
                f = form.cleaned_data["file"]
                t = services.upload_template(agency, code, f.read(), name=f.name, note=form.cleaned_data["note"],
                                             actor=request.user)
                messages.success(request, _("已上传第 %(v)s 版模板，签发文书时使用。") % {"v": t.version})
                return redirect("documents:template", code=code)
            status = 400
        except (services.DocumentRefused, RuleViolation, ValueError) as exc:
            violations = _violations(exc) if isinstance(exc, RuleViolation) else [
                RuleViolation("payload_invalid", str(exc), "version")]
            status = 400
    in_use = services.template_in_use(agency, code)
    # a parent agency's template is used while this agency has none of its own active
    inherited = in_use.template.agency if in_use.template is not None and in_use.agency_id != agency.pk else None
    return render(request, "documents/template.html", {
        "active": "documents", "type": doc_type, "spec": SPECS[code], "form": form, "violations": violations,
        "versions": Template.objects.filter(agency=agency, document_type=doc_type).select_related("uploaded_by")
        .defer("content"),
        "in_use": in_use, "inherited": inherited, "own_in_use": in_use.agency_id == agency.pk,
        "inputs": [{"input": i, "kind": KINDS[i.kind]} for i in SPECS[code].inputs],
    }, status=status)


@login_required
def template_file(request, code: str, version: int):
    """A template to edit in Word or WPS: the built-in one (version 0) or an uploaded version."""
    if not _may_manage(request.user) or code not in SPECS:
        raise Http404
    if version == 0:
        data = services.builtin_template(code)
    else:
        # this agency's version, or (?agency=) a version of an agency above it, whose template it may be using
        chain = request.user.agency.lineage_ids()
        source = request.GET.get("agency", "")
        source = int(source) if source.isdigit() and int(source) in chain else request.user.agency_id
        t = Template.objects.filter(agency_id=source, document_type__code=code, version=version).first()
        if t is None:
            raise Http404
        data = bytes(t.content)
    return _download(data, f"{SPECS[code].name}-模板-v{version}.docx", DOCX)


@login_required
def field_reference(request):
    """The fields a template may use (the same table as docs/documents.md)."""
    return render(request, "documents/fields.html", {
        "active": "documents", "groups": fields.GROUPS, "specs": SPECS.values(), "row_columns": fields.ROW_COLUMNS,
        "kinds": KINDS,
    })
