"""A case's files on the screens: the upload form and the list on the case page, the download (re-checked) and each
file's chain of custody (``zhifa.cases.files``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from .. import files
from ..forms import UploadForm
from ..models import Case, EvidenceFile
from .common import case_or_404

# The kinds and the acts on a file, as the screens name them.
KIND_LABELS = {"image": gettext_lazy("图片"), "audio": gettext_lazy("音频"), "video": gettext_lazy("视频"),
               "document": gettext_lazy("文档")}
CUSTODY_LABELS = {
    "cases.file_uploaded": gettext_lazy("上传"),
    "cases.file_attached": gettext_lazy("归入记录"),
    "cases.file_downloaded": gettext_lazy("查看（下载）"),
    "cases.file_exported": gettext_lazy("导出"),
    "cases.file_digest_mismatch": gettext_lazy("校验不符"),
}


def file_panel(case: Case, user, upload_form: UploadForm | None = None, *, active_handlers=None) -> dict:
    """What the case page shows of the files: each file with its record and chain of custody, and the upload form
    for those who may add files while the case is open."""
    rows = list(EvidenceFile.objects.filter(case=case).select_related("uploaded_by", "record").order_by(
        "uploaded_at", "id"))
    chains = files.custody_of_case(case.pk, [f.digest for f in rows]) if rows else {}
    out = []
    for f in rows:
        out.append({
            "file": f, "type": files.type_label(f.media_type, KIND_LABELS), "size": files.human_size(f.size),
            "href": reverse("cases:file", args=[case.pk, f.digest]),
            "custody": [{"event": ev, "label": CUSTODY_LABELS.get(ev.action, ev.action)}
                        for ev in chains.get(f.digest, [])],
        })
    # the form for those who may add files while the case is open; a refused upload's form shows its reasons
    may_upload = files.accepts_files(case) and files.may_upload(case, user, active_handlers=active_handlers)
    return {"case_files": out, "file_names": _names_by_step(rows), "uploads": rows,
            "upload_form": upload_form or (UploadForm() if may_upload else None)}


def _names_by_step(rows: list[EvidenceFile]) -> dict[int, list[str]]:
    """The names of the files attached to the records of each step (the timeline)."""
    out: dict[int, list[str]] = {}
    for f in rows:
        if f.record is not None and f.record.step_id is not None:
            out.setdefault(f.record.step_id, []).append(f.original_name)
    return out


@csrf_exempt
@require_POST
def upload(request, pk: int):
    """The upload form's target: the file streams to a temporary file while its digest is computed
    (``files.EvidenceUploadHandler``), then ``files.store_upload`` checks and stores it. CSRF is checked after
    the handler is in place (reading the token reads the body). Who may upload to this case is decided first,
    from the session alone, so no one else's body is ever written to disk."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("cases:detail", args=[pk]))
    case = case_or_404(request.user, pk)
    try:
        files.check_case(case, request.user)  # closed, or not this person's to add to: refused unread
    except files.FileRefused as exc:
        if exc.code == "role_not_allowed":
            raise PermissionDenied(exc.message) from None
        from .case import case_page

        messages.error(request, str(exc))
        return case_page(request, case, status=400)
    request.upload_handlers = [files.EvidenceUploadHandler(request)]
    return _upload(request, case)


@csrf_protect
def _upload(request, case: Case):
    """The upload itself, for the case ``upload`` found and let through."""
    from .case import case_page

    handler = request.upload_handlers[0]
    form = UploadForm(request.POST, request.FILES)
    valid = form.is_valid()
    refused = getattr(handler, "refused", None)
    if refused is not None:
        form.errors.pop("file", None)
        form.add_error("file", refused.message)
    elif valid:
        data = form.cleaned_data
        try:
            f = files.store_upload(case, request.user, data["file"], captured_at=data.get("captured_at"),
                                   captured_until=data.get("captured_until"), place=data.get("place", ""),
                                   device=data.get("device", ""), note=data.get("note", ""))
        except files.FileRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("已上传：%(name)s（摘要 %(digest)s…）。") % {
                "name": f.original_name, "digest": f.digest[:16]})
            return redirect(reverse("cases:detail", args=[case.pk]) + "#files")
    return case_page(request, case, upload_form=form, status=400)


def _case_file(request, pk: int, digest: str) -> EvidenceFile:
    case = case_or_404(request.user, pk)
    f = EvidenceFile.objects.filter(case=case, digest=digest.lower()).select_related("uploaded_by", "record").first()
    if f is None:
        raise Http404
    f.case = case
    return f


@login_required
@require_GET
def download(request, pk: int, digest: str):
    """The file, after its stored bytes are hashed again in full; a changed or missing file is refused (409) and
    recorded. Every download is an event of the file's chain of custody."""
    f = _case_file(request, pk, digest)
    try:
        return files.checked_download(f, request.user)
    except files.FileDigestMismatch as exc:
        return render(request, "web/error.html", {"title": _("文件校验未通过"), "text": exc.message}, status=409)


@login_required
@require_GET
def custody(request, pk: int, digest: str):
    """One file's chain of custody: every act on it in its case, oldest first."""
    f = _case_file(request, pk, digest)
    events = [{"event": ev, "label": CUSTODY_LABELS.get(ev.action, ev.action),
               "at": timezone.localtime(ev.occurred_at)} for ev in files.custody(f)]
    return render(request, "cases/file_custody.html", {
        "active": "cases", "case": f.case, "f": f, "type": files.type_label(f.media_type, KIND_LABELS),
        "size": files.human_size(f.size), "events": events, "href": reverse("cases:file", args=[pk, f.digest]),
    })
