"""My cases, all visible cases, and my to-dos — each sorted by urgency (the nearest running clock first)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from zhifa.law import procedure as proc

from ..facts import roles_of
from ..forms import FilterForm
from ..models import CaseClock, CaseHandler, LegalReview
from ..services import visible_cases
from .common import by_urgency, decorate, handled_page, page_by_urgency

PAGE_SIZE = 25
TODO_LIMIT = 200

# The head's queue: states where a step of the main path is the head's (立案, 决定, 听证, 结案); the generic
# steps any open case allows (中止, 撤销, 移送, 延期缴纳) do not make a to-do.
_HEAD_GENERIC = {proc.Action.SUSPEND, proc.Action.WITHDRAW, proc.Action.TRANSFER_JURISDICTION,
                 proc.Action.TRANSFER_CRIMINAL, proc.Action.APPROVE_DEFERRAL, proc.Action.RESUME}


def _states_for(role: str, *, skip=frozenset()) -> dict[tuple[str, str], list[str]]:
    """(procedure, state) → the labels of the steps ``role`` takes there."""
    out: dict[tuple[str, str], list[str]] = {}
    for t in proc.TABLE:
        if role not in t.roles or t.action in skip or t.creates:
            continue
        for s in t.sources:
            labels = out.setdefault((t.procedure.value, s.value), [])
            if t.label not in labels:
                labels.append(t.label)
    return out


# 记录公示 may be taken in every state after a penalty decision, 结案 included: it is a to-do only while the
# publication clock runs (see ``todo``), not in every such state.
_PUBLISH = proc.Action.RECORD_PUBLICATION
_PUBLISH_CLOCKS = ("publish_penalty", "publish_other")
OFFICER_WORK = _states_for(proc.OFFICER, skip={_PUBLISH})
HEAD_WORK = _states_for(proc.HEAD, skip=_HEAD_GENERIC | {
    t.action for t in proc.TABLE if t.target is None and proc.HEAD in t.roles})


def _publication_due():
    return Exists(CaseClock.objects.filter(case=OuterRef("pk"), code__in=_PUBLISH_CLOCKS, stopped_on__isnull=True))


def _handled_by(user):
    # ``pk IN (the user's handled cases)``, not a correlated EXISTS: the database then starts from the handler index
    # (a few thousand rows at most) instead of walking every visible case in urgency order and testing each one.
    return Q(pk__in=CaseHandler.objects.filter(user=user, removed_on__isnull=True).values("case_id"))


def _in(work: dict) -> Q:
    q = Q(pk__in=[])
    for procedure, state in work:
        q |= Q(procedure=procedure, state=state)
    return q


@login_required
@require_GET
def case_list(request):
    user = request.user
    tab = "all" if request.GET.get("tab") == "all" else "mine"
    filters = FilterForm(request.GET or None)
    values = filters.values()
    if tab == "mine" and not values["procedure"] and not values["q"]:  # the officer's own queue
        page = handled_page(user, request.GET.get("page"), PAGE_SIZE, state=values["state"])
    else:
        qs = visible_cases(user)
        if tab == "mine":
            qs = qs.filter(_handled_by(user))
        if values["state"]:
            qs = qs.filter(state=values["state"])
        if values["procedure"]:
            qs = qs.filter(procedure=values["procedure"])
        if values["q"]:
            q = values["q"]
            qs = qs.filter(Q(reference__icontains=q) | Q(title__icontains=q) | Q(party__name__icontains=q))
        page = page_by_urgency(qs, request.GET.get("page"), PAGE_SIZE)
    today = timezone.localdate()
    return render(request, "cases/list.html", {
        "active": "cases", "tab": tab, "filters": filters, "page": page, "rows": decorate(page, today),
        "today": today,
    })


@login_required
@require_GET
def todo(request):
    """What awaits the user: handled cases with a step of theirs (执法人员), reviews awaiting them (法制审核),
    decisions and the head's steps (负责人)."""
    user = request.user
    roles = roles_of(user)
    today = timezone.localdate()
    open_cases = visible_cases(user).exclude(state__in=[s.value for s in proc.TERMINAL])
    sections = []
    if proc.OFFICER in roles:
        qs = open_cases.filter(_handled_by(user)).filter(_in(OFFICER_WORK) | _publication_due())
        sections.append(("officer", _title("officer"), _rows(qs, OFFICER_WORK, today, publication=True)))
    if proc.REVIEWER in roles:
        pending = LegalReview.objects.filter(case=OuterRef("pk"), status=LegalReview.Status.PENDING).filter(
            Q(assigned_to__isnull=True) | Q(assigned_to=user))
        qs = open_cases.filter(state=proc.State.UNDER_REVIEW.value).filter(Exists(pending)).exclude(
            _handled_by(user))
        work = {(p.value, proc.State.UNDER_REVIEW.value): [proc.ACTION_LABELS[proc.Action.PASS_REVIEW],
                                                        proc.ACTION_LABELS[proc.Action.FAIL_REVIEW]]
                for p in proc.Procedure}
        sections.append(("reviewer", _title("reviewer"), _rows(qs, work, today)))
    if proc.HEAD in roles:
        qs = open_cases.filter(agency=user.agency).filter(_in(HEAD_WORK)) if user.agency_id else open_cases.none()
        sections.append(("head", _title("head"), _rows(qs, HEAD_WORK, today)))
    return render(request, "cases/todo.html", {"active": "todo", "sections": sections, "today": today})


def _title(key: str) -> str:
    return {"officer": _("我承办的案件"), "reviewer": _("待我法制审核"), "head": _("待负责人审批、决定")}[key]


def _rows(qs, work: dict, today, *, publication: bool = False) -> list:
    rows = decorate(by_urgency(qs)[:TODO_LIMIT], today)
    for case in rows:
        case.waiting = list(work.get((case.procedure, case.state), []))
        if publication and any(c.code in _PUBLISH_CLOCKS for c in case.running_clocks):
            case.waiting.append(proc.ACTION_LABELS[_PUBLISH])
    return rows
