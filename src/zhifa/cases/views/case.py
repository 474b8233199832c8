"""The case page, the form of each action, new cases (案源登记, 当场处罚) and the discretion calculation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods

from zhifa.catalog.forms import FactsForm
from zhifa.catalog.models import Domain
from zhifa.law import procedure as proc
from zhifa.law.discretion import OUTCOME_LABELS
from zhifa.law.errors import RuleViolation
from zhifa.org.models import User
from zhifa.org.services import may_enforce
from zhifa.parties.services import parties_visible_to
from zhifa.records.dossier import may_export

from .. import services
from ..facts import case_facts, penalty_from_json, roles_of
from ..forms import ActionForm, StepForm, item_choices
from ..models import Case, CaseStep
from ..payload import AUX_ACTIONS, SCHEMAS, action_label
from .common import case_or_404, clock_view, display_order

A = proc.Action
CREATING = {A.REGISTER_CLUE.value, A.START_SUMMARY.value}
# Bookkeeping acts offered on the case page, and who sees the button (the service decides in the end).
AUX_BUTTONS = {
    "add_handler": None, "declare_conflict": None, "remove_handler": proc.HEAD, "decide_approval": proc.HEAD,
    "record_document": None, "record_material": None, "update_particulars": None, "correct_after_closing": None,
}
_OUTCOMES = {o.value: label for o, label in OUTCOME_LABELS.items()}


def _penalty_text(data) -> str:
    p = penalty_from_json(data) if data else None
    return p.describe() if p is not None else ""


def agency_people(case: Case) -> list[User]:
    """The agency's active people, by name (who a form may name: reviewer, hearing host, recorder …)."""
    return list(User.objects.filter(agency=case.agency, is_active=True).order_by("full_name", "username"))


@login_required
@require_GET
def case_detail(request, pk: int):
    return case_page(request, case_or_404(request.user, pk))


def case_page(request, case: Case, *, upload_form=None, status: int = 200):
    """The case page (``upload_form``: the upload form with its errors, after a refused upload)."""
    from .files import file_panel
    from .review import with_check_rows  # review.py imports this module

    user = request.user
    today = timezone.localdate()
    loaded: dict = {}
    facts = case_facts(case, today=today, keep=loaded)
    roles = roles_of(user)
    is_open = proc.State(case.state) not in proc.TERMINAL
    actions = []
    steps = loaded["steps"]
    published = any(s.action == A.RECORD_PUBLICATION.value for s in steps)
    for action in proc.available_actions(facts, roles):
        if _moot(facts, action) or (action is A.RECORD_PUBLICATION and published and not _publishing(facts)):
            continue
        actions.append({"code": action.value, "label": proc.ACTION_LABELS[action],
                        "missing": proc.missing(facts, action), "href": _action_href(case.pk, action.value)})
    same_agency = user.agency_id == case.agency_id
    finished = proc.State(case.state) in proc.FINISHED  # after 结案 only a correction (Art 47)
    aux = [{"code": code, "label": AUX_ACTIONS[code], "href": _action_href(case.pk, code)}
           for code, role in AUX_BUTTONS.items()
           if same_agency and (role is None or role in roles)
           and (code == "correct_after_closing") == finished] if roles else []
    clocks = [clock_view(c, today) | {"running": c.stopped_on is None} for c in display_order(loaded["clocks"])]
    assessment = case.assessment or None
    active = {h.user_id for h in loaded["handlers"] if h.removed_on is None}  # the case's active handlers
    return render(request, "cases/detail.html", {
        "active": "cases", "case": case, "today": today, "facts": facts,
        "state_label": case.state_label, "procedure_label": case.get_procedure_display(),
        "items": [ci.item for ci in loaded["items"]],
        "handlers": [{"row": h, "qualified": next((x for x in facts.handlers if x.user_id == h.user_id), None)}
                     for h in loaded["handlers"]],
        "clocks": clocks,
        "actions": actions if same_agency else [], "aux": aux,
        "steps": steps,
        "approvals": loaded["approvals"],
        "discussions": [s for s in reversed(steps) if s.action == A.HOLD_COLLECTIVE_DISCUSSION.value],
        "documents": loaded["documents"], "records": loaded["records"],
        "reviews": with_check_rows(loaded["reviews"]),
        "pauses": loaded["pauses"],
        # a payment is made by a step (当场收缴, 缴纳罚款): without one there is nothing to read
        "payments": case.payments.all() if any(s.action in _PAYING for s in steps) else [],
        "proposed": _penalty_text(case.proposed_penalty), "notified": _penalty_text(case.notified_penalty),
        "decided": _penalty_text(case.decided_penalty),
        "assessment": assessment, "outcome_label": _OUTCOMES.get((assessment or {}).get("outcome"), ""),
        "can_assess": is_open and same_agency,
        "can_export_dossier": may_export(user, case, active),
        "drafts": case.issued_documents.filter(status="draft").count(),
        **file_panel(case, user, upload_form, active_handlers=active),
    }, status=status)


_PAYING = frozenset({A.COLLECT_ON_THE_SPOT.value, A.PAY.value})
_PAGES = {A.PASS_REVIEW.value: "cases:review", A.FAIL_REVIEW.value: "cases:review",
          A.HOLD_COLLECTIVE_DISCUSSION.value: "cases:discussion"}


def _action_href(pk: int, code: str) -> str:
    """Where the button for step ``code`` leads: the review workspace, the discussion form, or the step's form.
    (Reversed here once per button instead of by ``{% url %}`` in the template's conditions.)"""
    page = _PAGES.get(code)
    return reverse(page, args=[pk]) if page else reverse("cases:act", args=[pk, code])


# Steps about a measure or an excluded period that is not running (查封扣押, 先行登记保存, 检测 …): not offered.
_MOOT_GUARDS = ("clocks_running", "exclusion_open")
_NOBODY = proc.Actor(user_id="", roles=frozenset())


def _moot(facts, action) -> bool:
    t = proc.transition_for(facts.procedure, facts.state, action)
    return t is not None and any(g in t.guards and proc.GUARDS[g](facts, _NOBODY, t) for g in _MOOT_GUARDS)


def _publishing(facts) -> bool:
    """A publication clock runs (记录公示 is offered again only then, once a publication was recorded)."""
    return bool(facts.running_clocks & {"publish_penalty", "publish_other"})


def _label_for(action: str) -> str:
    return action_label(action)


def _violations_onto(form, violations: list[RuleViolation]) -> None:
    for v in violations:
        name = form.field_for(v.field) if hasattr(form, "field_for") else None
        if name and name in form.fields:
            form.add_error(name, v.message)


def submit_step(request, case, action: str, form):
    """Take ``action`` with the valid ``form``'s payload and key; returns (step, violations, conflict, replay).
    A key already used on the case is a repeated submission: the service answers with the first step."""
    key = form.cleaned_data["idempotency_key"]
    replay = CaseStep.objects.filter(case=case, idempotency_key=key).exists()
    step, violations, conflict = _attempt(
        request, form, lambda: services.transition(case.pk, action, actor=request.user, payload=form.payload(),
                                                  idempotency_key=key), replay=replay)
    return step, violations, conflict, replay


def _attempt(request, form, do, *, replay: bool):
    """Run the service call ``do``; returns (step, violations, conflict)."""
    try:
        step = do()
    except services.CaseConflict as exc:
        return None, [], exc
    except services.StepRefused as exc:
        _violations_onto(form, exc.violations)
        return None, exc.violations, None
    except RuleViolation as exc:
        _violations_onto(form, [exc])
        return None, [exc], None
    if replay:
        messages.info(request, _("该请求已办理过，未重复办理。"))
    return step, [], None


@login_required
@require_http_methods(["GET", "POST"])
def act(request, pk: int, action: str):
    if action not in SCHEMAS or action in CREATING or action == "assess":
        raise Http404
    case = case_or_404(request.user, pk)
    user = request.user
    today = timezone.localdate()
    row = None if action in AUX_ACTIONS else proc.transition_for(proc.Procedure(case.procedure),
                                                                  proc.State(case.state), action)
    people = agency_people(case)
    kwargs = {"action": action, "people": people, "parties": parties_visible_to(user).order_by("name")[:500],
              "items": item_choices(), "row": row, "today": today, "version": case.version,
              "case_files": case.files.order_by("uploaded_at", "id")}
    form = ActionForm(request.POST if request.method == "POST" else None, **kwargs)
    violations, conflict = [], None
    if request.method == "POST" and form.is_valid():
        step, violations, conflict, replay = submit_step(request, case, action, form)
        if step is not None:
            if not replay:
                messages.success(request, _("已办理：%(action)s。") % {"action": _label_for(action)})
            return redirect("cases:detail", pk=case.pk)
    missing = []
    if row is not None:
        missing = proc.missing(case_facts(case, today=today), action)
    return render(request, "cases/act.html", {
        "active": "cases", "case": case, "action": action, "label": _label_for(action), "form": form,
        "violations": violations, "conflict": conflict, "missing": missing, "row": row,
        "available": row is not None or action in AUX_ACTIONS,
        "status": 409 if conflict else 200,
    }, status=409 if conflict else 200)


def _officer_choices(agency, today):
    """Every officer of the agency, with the domains they may enforce in today or why they may not (Art 42)."""
    officers = User.objects.filter(agency=agency, is_active=True, groups__name=proc.OFFICER).distinct().order_by(
        "full_name", "username").prefetch_related("certificates__domains", "certificates__status_changes",
                                                  "certificates__annual_reviews", "trainings", "groups")
    domains = list(Domain.objects.order_by("code"))
    out = []
    for person in officers:
        ok, reasons = [], []
        for d in domains:
            result = may_enforce(person, d, today)
            if result.allowed:
                ok.append(d.name)
            elif not reasons:
                reasons = [r.message for r in result.reasons]
        name = person.full_name or person.username
        if ok:
            label = _("%(name)s — 可执法领域：%(domains)s") % {"name": name,
                                                                  "domains": pgettext("list separator", "、").join(ok)}
        else:
            label = _("%(name)s — 不具备执法资格：%(reasons)s") % {"name": name,
                                                                    "reasons": pgettext("long list separator",
                                                                                        "；").join(reasons)}
        out.append((person.pk, label))
    return out


@login_required
@require_http_methods(["GET", "POST"])
def new_case(request, procedure: str = "general"):
    user = request.user
    if user.agency_id is None or (proc.OFFICER not in roles_of(user) and proc.CLERK not in roles_of(user)):
        raise PermissionDenied
    action = A.REGISTER_CLUE.value if procedure == "general" else A.START_SUMMARY.value
    today = timezone.localdate()
    form = ActionForm(request.POST if request.method == "POST" else None, action=action, people=(),
                      parties=parties_visible_to(user).order_by("name")[:500], items=item_choices(),
                      row=proc.transition_for(proc.Procedure(procedure), None, action), today=today)
    form.fields.pop("expected_version", None)
    form.fields["handlers"].choices = _officer_choices(user.agency, today)
    form.fields["handlers"].help_text = _("请选择两名以上具备本案执法领域资格的执法人员（《行政处罚法》第四十二条）。")
    if request.method == "GET" and proc.OFFICER in roles_of(user):
        form.fields["handlers"].initial = [user.pk]
    violations, conflict = [], None
    if request.method == "POST" and form.is_valid():
        key = form.cleaned_data["idempotency_key"]
        step, violations, conflict = _attempt(
            request, form, lambda: services.open_case(agency=user.agency, procedure=procedure, actor=user,
                                                     payload=form.payload(), idempotency_key=key), replay=False)
        if step is not None:
            messages.success(request, _("已登记：%(title)s。") % {"title": step.case.title})
            return redirect("cases:detail", pk=step.case_id)
    title = _("案源登记") if procedure == "general" else _("当场处罚（简易程序）")
    return render(request, "cases/new.html", {
        "active": "cases", "form": form, "title": title, "procedure": procedure, "violations": violations,
        "conflict": conflict, "summary": procedure == "summary",
    })


def _bench_factors(case: Case, today):
    from zhifa.catalog import rules

    try:
        bench = rules.benchmark_for(case.agency, today)
    except RuleViolation:
        return (), ()
    return bench.aggravating, bench.mitigating


@login_required
@require_http_methods(["GET", "POST"])
def assess(request, pk: int):
    """Run the discretion calculation for the case and keep it (``services.assess_case``)."""
    case = case_or_404(request.user, pk)
    today = timezone.localdate()
    aggravating, mitigating = _bench_factors(case, today)
    data = request.POST if request.method == "POST" else None
    form = FactsForm(data, aggravating=aggravating, mitigating=mitigating,
                     initial={"act_date": case.act_date or today,
                              "party": "person" if case.party and case.party.kind == "person" else "organisation"})
    step_form = StepForm(data, version=case.version)
    items = [ci.item for ci in case.case_items.select_related("item")]
    item = request.POST.get("item") if request.method == "POST" else None
    if item is not None and item not in {i.code for i in items}:
        item = None
    violations, conflict = [], None
    if request.method == "POST" and form.is_valid() and step_form.is_valid():
        key = step_form.cleaned_data["idempotency_key"]
        replay = CaseStep.objects.filter(case=case, idempotency_key=key).exists()
        payload = {"facts": form.facts(), **step_form.base_payload()}
        if item:
            payload["item"] = item
        step, violations, conflict = _attempt(
            request, form, lambda: services.transition(case.pk, "assess", actor=request.user, payload=payload,
                                                      idempotency_key=key), replay=replay)
        if step is not None:
            if not replay:
                messages.success(request, _("已完成裁量计算。"))
            return redirect(reverse("cases:detail", args=[case.pk]) + "#assessment")
    return render(request, "cases/assess.html", {
        "active": "cases", "case": case, "form": form, "step_form": step_form, "items": items,
        "violations": violations, "conflict": conflict,
    }, status=409 if conflict else 200)
