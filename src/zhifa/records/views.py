"""The case page's "导出电子卷宗" button: the case file (zhifa.records.dossier) as a download."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhifa.cases.services import visible_case

from . import dossier


@login_required
@require_POST
def export_dossier(request, pk: int):
    """Export the case's file and send it. Its handlers, and the head, legal reviewers and clerk of its agency, may
    (``dossier.may_export``); each export is an event of the case (``records.dossier_exported``)."""
    case = visible_case(request.user, pk)
    if case is None:
        raise Http404
    if not dossier.may_export(request.user, case):
        raise PermissionDenied
    # written to a temporary file on disk (a case's videos may be gigabytes), sent from there, then removed
    parent = getattr(settings, "FILE_UPLOAD_TEMP_DIR", None)
    work = Path(tempfile.mkdtemp(prefix="zhifa-dossier-", dir=parent if parent and Path(parent).is_dir() else None))
    path = work / "dossier.zip"
    try:
        dossier.export(case, path, actor=request.user)
        handle = path.open("rb")
    except dossier.DossierError as exc:
        messages.error(request, _("未能导出电子卷宗：%(reason)s") % {"reason": exc.message})
        return redirect("cases:detail", pk=case.pk)
    finally:
        # the open handle keeps the bytes readable on POSIX after the name is gone
        shutil.rmtree(work, ignore_errors=True)
    return FileResponse(handle, as_attachment=True, filename=f"卷宗-{dossier.file_stem(case)}.zip",
                        content_type="application/zip")
