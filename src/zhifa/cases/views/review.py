"""The 法制股 reviewer's workspace: everything the seven checks of law.md §2.3 look at, on one screen, and the form
that passes or fails the review (行政处罚法 Art 58).

The page belongs to a reviewer who may take the pending review: it is assigned to them or to nobody, and they did
not handle or investigate the case (separation of duties). The form only collects the choices and notes; the
rules (every check confirmed for a pass, the reviewer's eligibility, the documents) are the service's, taken with
``services.transition`` exactly as the generic action form takes them: the idempotency key made when the page was
rendered, the case version it was built on, refusals shown on their field with their article.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from zhifa.law import procedure as proc

from .. import services
from ..facts import actor_for, case_facts, penalty_from_json, roles_of
from ..forms import StepForm
from ..models import Case, CaseStep, LegalReview
from ..payload import CHECK_NOTES, REVIEW_CHECKS
from .case import _OUTCOMES, _attempt, _penalty_text
from .common import case_or_404, clock_view, display_order

A = proc.Action
REVIEW_ACTIONS = (A.PASS_REVIEW.value, A.FAIL_REVIEW.value)
OK, FAIL = "ok", "fail"
_LONG_MAX = 5000


def check_rows(review: LegalReview) -> list[dict[str, Any]]:
    """The seven checks of a review in their order: label, ``ok`` (True, False, or None when not judged) and the
    reviewer's note (``check_notes``, or a note given with the check itself)."""
    checks = review.checks or {}
    notes = review.check_notes or {}
    out = []
    for code, label in REVIEW_CHECKS.items():
        given = checks.get(code)
        ok = given.get("ok") if isinstance(given, dict) else given if isinstance(given, bool) else None
        note = notes.get(code) or (given.get("note") if isinstance(given, dict) else "") or ""
        out.append({"code": code, "label": label, "ok": ok, "note": note})
    return out


def with_check_rows(reviews) -> list[LegalReview]:
    """The reviews, each with ``check_rows`` (for the case page)."""
    out = []
    for r in reviews:
        r.check_rows = check_rows(r) if (r.checks or r.check_notes) else []
        out.append(r)
    return out


class ReviewForm(StepForm):
    """Per check of law.md §2.3 a choice (符合 / 不符合) and a note; the overall opinion; the documents; the
    decision comes from the button pressed (审核通过 / 审核不通过)."""

    opinion = forms.CharField(label=gettext_lazy("审核意见"), max_length=_LONG_MAX,
                              widget=forms.Textarea(attrs={"rows": 4}),
                              error_messages={"required": gettext_lazy("请填写审核意见。")},
                              help_text=gettext_lazy("写明同意或者存在的问题及处理建议（法制审核意见书的内容）。"))
    decision = forms.ChoiceField(choices=[("pass", gettext_lazy("审核通过")), ("fail", gettext_lazy("审核不通过"))],
                                 widget=forms.HiddenInput,
                                 error_messages={"required": gettext_lazy("请选择审核通过或者审核不通过。"),
                                                 "invalid_choice": gettext_lazy("请选择审核通过或者审核不通过。")})

    def __init__(self, *args, version: int | None = None, documents: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, version=version, **kwargs)
        for code, label in REVIEW_CHECKS.items():
            self.fields[f"check_{code}"] = forms.ChoiceField(
                label=label, required=False, widget=forms.RadioSelect,
                choices=[(OK, _("符合")), (FAIL, _("不符合"))])
            self.fields[f"note_{code}"] = forms.CharField(
                label=_("“%(check)s”的审核意见") % {"check": label}, required=False,
                max_length=CHECK_NOTES.max_length, widget=forms.Textarea(attrs={"rows": 2}))
        if documents:
            self.fields["documents"] = forms.MultipleChoiceField(
                label=_("已制作的文书"), required=False, widget=forms.CheckboxSelectMultiple,
                choices=[(c, proc.DOCUMENT_LABELS[c]) for c in documents], initial=list(documents),
                help_text=_("勾选本步骤已制作的执法文书；本步骤要求的文书已预选。"))

    def clean(self):
        data = super().clean()
        for code, label in REVIEW_CHECKS.items():
            if data.get(f"check_{code}") == FAIL and not (data.get(f"note_{code}") or "").strip():
                self.add_error(f"note_{code}", _("“%(check)s”不符合的，请写明不符合的情形和理由。") % {"check": label})
        return data

    @property
    def action(self) -> str:
        return A.PASS_REVIEW.value if self.cleaned_data.get("decision") == "pass" else A.FAIL_REVIEW.value

    def check_fields(self) -> list[dict[str, Any]]:
        return [{"code": code, "label": label, "choice": self[f"check_{code}"], "note": self[f"note_{code}"]}
                for code, label in REVIEW_CHECKS.items()]

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        out: dict[str, Any] = {**self.base_payload(), "opinion": data["opinion"]}
        checks = {code: data[f"check_{code}"] == OK for code in REVIEW_CHECKS if data.get(f"check_{code}")}
        if checks:
            out["checks"] = checks
        notes = {code: data[f"note_{code}"].strip() for code in REVIEW_CHECKS
                 if (data.get(f"note_{code}") or "").strip()}
        if notes:
            out["check_notes"] = notes
        if data.get("documents"):
            out["documents"] = list(data["documents"])
        return out

    def field_for(self, schema_field: str | None) -> str | None:
        """The form field a service refusal names: ``checks.procedure`` → ``check_procedure``,
        ``check_notes.procedure`` → ``note_procedure``."""
        if not schema_field:
            return None
        head, _dot, code = schema_field.partition(".")
        if head == "checks" and code in REVIEW_CHECKS:
            return f"check_{code}"
        if head == "check_notes" and code in REVIEW_CHECKS:
            return f"note_{code}"
        return head if head in ("opinion", "documents") and head in self.fields else None


def _pending_review(case: Case) -> LegalReview | None:
    return case.reviews.filter(status=LegalReview.Status.PENDING).select_related(
        "assigned_to", "submitted_by").order_by("-id").first()


def _check_access(case: Case, user, facts: proc.CaseFacts) -> LegalReview:
    """The pending review ``user`` may take on ``case``: 403 for someone who may not review it, 404 when there is
    nothing to review."""
    if proc.REVIEWER not in roles_of(user) or user.agency_id != case.agency_id:
        raise PermissionDenied
    if case.state != proc.State.UNDER_REVIEW.value:
        raise Http404
    review = _pending_review(case)
    if review is None:
        raise Http404
    if review.assigned_to_id not in (None, user.pk) or user.pk in facts.investigators:
        raise PermissionDenied
    return review


def _documents_of(case: Case) -> tuple[str, ...]:
    row = proc.transition_for(proc.Procedure(case.procedure), proc.State.UNDER_REVIEW, A.PASS_REVIEW)
    return tuple(row.documents) if row is not None else ()


def _within_range(case: Case) -> bool | None:
    """Whether the proposed fine lies within the recommended range of the discretion calculation (None: no fine
    or no range)."""
    penalty = penalty_from_json(case.proposed_penalty) if case.proposed_penalty else None
    fine = penalty.fine if penalty is not None else None
    if fine is None or case.recommended_min is None or case.recommended_max is None:
        return None
    return case.recommended_min <= fine <= case.recommended_max


@login_required
@require_http_methods(["GET", "POST"])
def review(request, pk: int):
    case = case_or_404(request.user, pk)
    user = request.user
    today = timezone.localdate()
    facts = case_facts(case, today=today)
    key = services.usable_key(request.POST.get("idempotency_key", "")) if request.method == "POST" else ""
    # a repeated submit of a review already taken: the service answers it (once), whatever the case's state now
    replay = bool(key) and CaseStep.objects.filter(case=case, idempotency_key=key, actor=user,
                                                   action__in=REVIEW_ACTIONS).exists()
    pending = None if replay else _check_access(case, user, facts)
    form = ReviewForm(request.POST if request.method == "POST" else None, version=case.version,
                      documents=_documents_of(case))
    violations, conflict = [], None
    if request.method == "POST" and form.is_valid():
        action = form.action
        step, violations, conflict = _attempt(
            request, form, lambda: services.transition(case.pk, action, actor=user, payload=form.payload(),
                                                      idempotency_key=form.cleaned_data["idempotency_key"]),
            replay=replay)
        if step is not None:
            if not replay:
                messages.success(request, _("已办理：%(action)s。") % {"action": proc.ACTION_LABELS[A(step.action)]})
            return redirect("cases:detail", pk=case.pk)
    status = 409 if conflict else 200
    return render(request, "cases/review.html", {
        "active": "todo", "case": case, "today": today, "form": form, "violations": violations,
        "conflict": conflict, "pending": pending, **_workspace(case, user, facts, today, pending),
    }, status=status)


def _workspace(case: Case, user, facts: proc.CaseFacts, today, pending: LegalReview | None) -> dict[str, Any]:
    """What the reviewer judges the seven checks on."""
    items = [ci.item for ci in case.case_items.select_related("item", "item__domain").prefetch_related(
        "item__violated__source", "item__penalty_provisions__source").order_by("-is_primary", "id")]
    row = proc.transition_for(proc.Procedure(case.procedure), proc.State.UNDER_REVIEW, A.PASS_REVIEW)
    eligibility = proc.GUARDS["reviewer_eligible"](facts, actor_for(user), row) if row is not None else []
    assessment = case.assessment or None
    crime_steps = case.steps.filter(action__in=[A.REPORT_CRIME.value, A.DECLINE_TRANSFER.value]).select_related(
        "actor").order_by("version")
    reviews = case.reviews.select_related("reviewer", "assigned_to", "submitted_by").order_by("-id")
    if pending is not None:
        reviews = reviews.exclude(pk=pending.pk)
    return {
        "facts": facts, "state_label": case.state_label, "procedure_label": case.get_procedure_display(),
        "items": items, "domains": sorted({i.domain.name for i in items}),
        "handlers": [{"row": h, "qualified": next((x for x in facts.handlers if x.user_id == h.user_id), None)}
                     for h in case.handlers.select_related("user")],
        "other_parties": case.case_parties.select_related("party"),
        "clocks": [clock_view(c, today) | {"running": c.stopped_on is None}
                   for c in display_order(case.clocks.all())],
        "pauses": case.pauses.all(),
        "steps": case.steps.select_related("actor").order_by("version"),
        "documents": case.documents.order_by("issued_on", "id"),
        "evidence": case.records.filter(code="evidence").order_by("made_on", "id"),
        "records": case.records.exclude(code="evidence").order_by("made_on", "id"),
        "proposed": _penalty_text(case.proposed_penalty), "assessment": assessment,
        "outcome_label": _OUTCOMES.get((assessment or {}).get("outcome"), ""), "within_range": _within_range(case),
        "prior_reviews": with_check_rows(reviews),
        "crime_pending": "criminal_transfer_decision" in facts.running_clocks, "crime_steps": crime_steps,
        "eligibility": eligibility,
        # the documents this form itself records (法制审核意见书) are not "missing"
        "missing": proc.missing(dataclasses.replace(facts, documents=facts.documents | set(row.documents)),
                                A.PASS_REVIEW) if row is not None and pending is not None else [],
    }
