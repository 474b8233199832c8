"""The director's (负责人) screens: the queue of the agency's cases that await a head, grouped by what is awaited,
and the structured record of a 集体讨论 (《行政处罚法》第五十七条第二款).

The queue reads the same procedure table as everything else: a case is in a group when it stands in a state where
the group's step is the head's (``procedure.TABLE``), plus the signal that says the head is actually awaited there
(a proposal without its approval, a measure whose clock runs, a registered application for deferral …). Every write
goes through ``services.transition``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_GET, require_http_methods

from zhifa.law import procedure as proc
from zhifa.law.penalties import PenaltyKind

from .. import services
from ..facts import roles_of
from ..forms import StepForm
from ..models import CaseApproval, CaseClock, CaseDocument, CaseHandler, CaseStep
from ..payload import agency_heads, quorum_needed, quorum_text
from ..policies import policy
from .case import agency_people, submit_step
from .common import by_urgency, case_or_404, decorate

A = proc.Action
St = proc.State
GROUP_LIMIT = 200


# --- the queue -----------------------------------------------------------------------------------------------

def _where(*actions: A) -> Q:
    """The (procedure, state) pairs where the head may take one of ``actions`` (procedure.TABLE)."""
    q = Q(pk__in=[])
    for t in proc.TABLE:
        if t.action in actions and proc.HEAD in t.roles and not t.creates:
            for s in t.sources:
                q |= Q(procedure=t.procedure.value, state=s.value)
    return q


def _clock(code: str):
    return Exists(CaseClock.objects.filter(case=OuterRef("pk"), code=code, stopped_on__isnull=True))


def _approved(kind: str):
    return Exists(CaseApproval.objects.filter(case=OuterRef("pk"), kind=kind, approved=True))


def _deferral_asked():
    """A 延期（分期）缴纳罚款申请书 registered after the last 批准延期（分期）缴纳 (or with none)."""
    later = CaseStep.objects.filter(case=OuterRef("case"), action=A.APPROVE_DEFERRAL.value,
                                    version__gt=OuterRef("step__version"))
    return Exists(CaseDocument.objects.filter(case=OuterRef("pk"), code="deferral_application")
                  .exclude(Exists(later)))


@dataclass(frozen=True)
class Awaited:
    """One thing a head may be awaited for: the cases (``q``) and the steps offered (the first is the button)."""

    label: str
    q: Q
    actions: tuple[str, ...]


def _proposal_pending() -> Q:
    """拟处罚意见 proposed but neither approved nor notified: the head's approval comes before the notice (Art 57,
    44); a major case is discussed collectively first."""
    return _where(A.DECIDE_PENALTY) & Q(state=St.AWAITING_DECISION.value, proposed_penalty__isnull=False,
                                        notice_served_on__isnull=True) & ~Q(_approved("penalty_proposal"))


# The approvals before (or about) an officer's act that the table gives the head, each with what shows it is due.
APPROVALS: tuple[Awaited, ...] = (
    Awaited(proc.APPROVAL_LABELS["penalty_proposal"], _proposal_pending(), ("decide_approval",)),
    Awaited(gettext_lazy("当场查封、扣押后补办批准"), _where(A.CONFIRM_EMERGENCY_SEIZURE) & Q(
        _clock("emergency_measure_report")), (A.CONFIRM_EMERGENCY_SEIZURE.value,)),
    Awaited(gettext_lazy("先行登记保存的处理决定"), _where(A.HANDLE_PRESERVATION) & Q(_clock("preservation_handling")),
            (A.HANDLE_PRESERVATION.value,)),
    Awaited(gettext_lazy("查封、扣押的延长、处理或者解除"), _where(A.EXTEND_SEIZURE, A.HANDLE_SEIZURE) & Q(
        _clock("seizure")), (A.HANDLE_SEIZURE.value, A.EXTEND_SEIZURE.value, A.RELEASE_SEIZURE.value)),
    Awaited(gettext_lazy("涉嫌犯罪案件移送审批"), _where(A.TRANSFER_CRIMINAL, A.DECLINE_TRANSFER) & Q(
        _clock("criminal_transfer_decision")), (A.TRANSFER_CRIMINAL.value, A.DECLINE_TRANSFER.value)),
    Awaited(gettext_lazy("延期（分期）缴纳罚款审批"), _where(A.APPROVE_DEFERRAL) & Q(_deferral_asked()),
            (A.APPROVE_DEFERRAL.value,)),
)


def _needs_discussion() -> Q:
    return Q(major_case=True, collective_discussion_held=False)


def _decision_due() -> Q:
    """Awaiting the decision: notified (or nothing to notify: no penalty proposed)."""
    return _where(A.DECIDE_PENALTY, A.DECIDE_NO_PENALTY) & (Q(notice_served_on__isnull=False) |
                                                             Q(proposed_penalty__isnull=True))


def _owes_money(case) -> bool:
    p = case.proposed_penalty or {}
    return case.decision_kind == proc.DecisionKind.PENALTY.value and bool(
        set(p.get("kinds") or ()) & {PenaltyKind.FINE.value, PenaltyKind.CONFISCATE_GAINS.value})


def _closable(case) -> bool:
    """结案 from 已送达 only when nothing is owed (procedure.nothing_to_perform)."""
    return case.state != St.SERVED.value or not _owes_money(case)


def _button(case, action: str) -> dict:
    if action == A.HOLD_COLLECTIVE_DISCUSSION.value:
        url = reverse("cases:discussion", args=[case.pk])
    else:
        url = reverse("cases:act", args=[case.pk, action])
    return {"label": services.action_label(action), "url": url}


def _decision_actions(case) -> tuple[str, ...]:
    if case.proposed_penalty:
        return (A.DECIDE_PENALTY.value, A.DECIDE_NO_PENALTY.value)
    return (A.DECIDE_NO_PENALTY.value, A.DECIDE_NOT_ESTABLISHED.value)


def _hearing_actions(case) -> tuple[str, ...]:
    if case.state == St.HEARING_REQUESTED.value:
        return (A.SCHEDULE_HEARING.value, A.DECLINE_HEARING.value)
    return (A.HOLD_HEARING.value,)


def _rows(qs, today, actions, *, what=None, keep=None) -> list:
    rows = []
    for case in decorate(by_urgency(qs.distinct())[:GROUP_LIMIT], today):
        if keep is not None and not keep(case):
            continue
        case.what = what(case) if what is not None else ""
        case.discuss_first = case.state == St.AWAITING_DECISION.value and case.major_case \
            and not case.collective_discussion_held
        chosen = actions(case) if callable(actions) else actions
        if case.discuss_first and A.HOLD_COLLECTIVE_DISCUSSION.value not in chosen:
            chosen = (A.HOLD_COLLECTIVE_DISCUSSION.value, *chosen)
        case.buttons = [_button(case, a) for a in chosen]
        rows.append(case)
    return rows


def _approval_rows(open_cases, today) -> list:
    q = Q(pk__in=[])
    for a in APPROVALS:
        q |= a.q
    rows = _rows(open_cases.filter(q), today, ())
    if not rows:
        return rows
    shown = [c.pk for c in rows]
    hits = [set(open_cases.filter(a.q, pk__in=shown).values_list("pk", flat=True)) for a in APPROVALS]
    for case in rows:
        found = [a for a, pks in zip(APPROVALS, hits, strict=True) if case.pk in pks]
        case.what = pgettext("long list separator", "；").join(str(a.label) for a in found)
        chosen = tuple(dict.fromkeys(x for a in found for x in a.actions))
        if case.discuss_first:
            chosen = (A.HOLD_COLLECTIVE_DISCUSSION.value, *chosen)
        case.buttons = [_button(case, x) for x in chosen]
    return rows


def _is_head(user) -> bool:
    return user.is_authenticated and user.agency_id is not None and proc.HEAD in roles_of(user)


@login_required
@require_GET
def head_queue(request):
    """负责人待办: the open cases of the head's own agency that await a head, by group, each by urgency."""
    user = request.user
    if not _is_head(user):
        raise PermissionDenied
    today = timezone.localdate()
    open_cases = services.visible_cases(user).filter(agency=user.agency).exclude(
        state__in=[s.value for s in proc.TERMINAL])
    groups = [
        ("filing", _("立案审批"), _("案源待决定立案或者不予立案（第五十四条）。"),
         _rows(open_cases.filter(_where(A.FILE)), today, (A.FILE.value, A.NOT_FILE.value))),
        ("approvals", _("审批事项"), _("执法人员实施前须经负责人批准的事项，以及强制措施、移送和延期缴纳的审批。"),
         _approval_rows(open_cases, today)),
        ("discussion", _("待集体讨论"), _("情节复杂或者重大违法行为，须经负责人集体讨论决定（第五十七条第二款）。"),
         _rows(open_cases.filter(_where(A.HOLD_COLLECTIVE_DISCUSSION) & _needs_discussion()), today,
               (A.HOLD_COLLECTIVE_DISCUSSION.value,))),
        ("decision", _("待决定"), _("已告知当事人（或者不拟处罚）的案件，待作出决定（第五十七条）。"),
         _rows(open_cases.filter(_decision_due()), today, _decision_actions)),
        ("hearing", _("听证"), _("当事人要求听证的，决定举行或者不予听证，并组织听证（第六十三条、第六十四条）。"),
         _rows(open_cases.filter(_where(A.SCHEDULE_HEARING, A.DECLINE_HEARING, A.HOLD_HEARING)), today,
               _hearing_actions)),
        ("closing", _("结案审批"), _("已履行、已执行、无须履行或者已移送的案件，待批准结案。"),
         _rows(open_cases.filter(_where(A.CLOSE)), today, (A.CLOSE.value,), keep=_closable)),
    ]
    return render(request, "cases/head_queue.html", {
        "active": "todo", "groups": groups, "today": today,
        "total": len({c.pk for *_, rows in groups for c in rows}),
    })


# --- 集体讨论 -------------------------------------------------------------------------------------------------

OTHER_ROWS = 4


def _label(user) -> str:
    return user.full_name or user.username


class DiscussionForm(StepForm):
    """The 集体讨论 record: when and where, who hosted and recorded, which heads attended (each with an opinion) and
    which did not (each with a reason), who else attended, and the conclusion."""

    held_on = forms.DateField(label=gettext_lazy("召开日期"), widget=forms.DateInput(attrs={"type": "date"},
                                                                                  format="%Y-%m-%d"),
                              error_messages={"invalid": gettext_lazy("请输入有效日期，例如 2026-03-05。")})
    place = forms.CharField(label=gettext_lazy("地点"), max_length=200)
    host = forms.TypedChoiceField(label=gettext_lazy("主持人"), coerce=int, empty_value=None)
    recorder = forms.TypedChoiceField(label=gettext_lazy("记录人"), coerce=int, empty_value=None)
    leaders = forms.TypedMultipleChoiceField(label=gettext_lazy("出席的负责人"), coerce=int, required=False,
                                             widget=forms.CheckboxSelectMultiple)
    conclusion = forms.CharField(label=gettext_lazy("讨论决定（拟作出的处理决定）"), max_length=5000,
                                 widget=forms.Textarea(attrs={"rows": 4}))
    documents = forms.MultipleChoiceField(
        label=gettext_lazy("已制作的文书"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[("collective_discussion_record", proc.DOCUMENT_LABELS["collective_discussion_record"])],
        initial=["collective_discussion_record"])
    note = forms.CharField(label=gettext_lazy("说明"), required=False, max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, heads, people, handler_ids, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.heads = heads
        self.handler_ids = set(handler_ids)
        self.fields["held_on"].initial = today
        self.fields["host"].choices = [("", "—"), *((h.pk, _label(h)) for h in heads)]
        self.fields["recorder"].choices = [("", "—"), *((p.pk, _label(p)) for p in people)]
        self.fields["leaders"].choices = [(h.pk, _label(h)) for h in heads]
        for h in heads:
            opinion = _("%(name)s的意见") % {"name": _label(h)}
            absence = _("%(name)s的缺席理由") % {"name": _label(h)}
            self.fields[f"opinion_{h.pk}"] = forms.CharField(
                label=opinion, required=False, max_length=5000,
                widget=forms.Textarea(attrs={"rows": 2, "aria-label": opinion}))
            self.fields[f"absence_{h.pk}"] = forms.CharField(
                label=absence, required=False, max_length=200, widget=forms.TextInput(attrs={"aria-label": absence}))
        for i in range(OTHER_ROWS):
            self.fields[f"other_name_{i}"] = forms.CharField(
                label=_("列席人员 %(n)s") % {"n": i + 1}, required=False, max_length=200,
                help_text=_("姓名，可注明身份，如“张三（承办人）”") if i == 0 else "")
            self.fields[f"other_opinion_{i}"] = forms.CharField(
                label=_("列席人员 %(n)s 的发言或者意见") % {"n": i + 1}, required=False, max_length=5000,
                widget=forms.Textarea(attrs={"rows": 2}))
        self.other_index: dict[int, int] = {}  # position in the payload's ``others`` → the form row

    def head_rows(self) -> list[dict]:
        chosen = {str(v) for v in (self["leaders"].value() or [])}
        return [{"user": h, "checked": str(h.pk) in chosen, "handler": h.pk in self.handler_ids,
                 "opinion": self[f"opinion_{h.pk}"], "absence": self[f"absence_{h.pk}"]} for h in self.heads]

    def other_rows(self) -> list[dict]:
        return [{"name": self[f"other_name_{i}"], "opinion": self[f"other_opinion_{i}"]} for i in range(OTHER_ROWS)]

    def payload(self) -> dict:
        d = self.cleaned_data
        leaders = list(d.get("leaders") or [])
        opinions: dict[str, str] = {}
        absentees: dict[str, str] = {}
        for h in self.heads:
            opinion = (d.get(f"opinion_{h.pk}") or "").strip()
            if h.pk in leaders:
                if opinion:
                    opinions[str(h.pk)] = opinion
            else:
                absentees[str(h.pk)] = (d.get(f"absence_{h.pk}") or "").strip()
        others = []
        for i in range(OTHER_ROWS):
            name = (d.get(f"other_name_{i}") or "").strip()
            if name:
                self.other_index[len(others)] = i
                others.append(name)
                if (d.get(f"other_opinion_{i}") or "").strip():
                    opinions[name] = d[f"other_opinion_{i}"].strip()
        out = {**self.base_payload(), "held_on": d["held_on"].isoformat(), "place": d["place"],
               "host": d.get("host"), "recorder": d.get("recorder"), "leaders": leaders,
               "conclusion": d["conclusion"], "opinions": opinions, "absentees": absentees}
        if others:
            out["others"] = others
        if d.get("documents"):
            out["documents"] = list(d["documents"])
        if (d.get("note") or "").strip():
            out["note"] = d["note"].strip()
        return {k: v for k, v in out.items() if v is not None}

    def field_for(self, name: str | None) -> str | None:
        """The form field a service error names (``opinions.12`` → ``opinion_12``, ``others[0]`` → ``other_name_…``)."""
        if not name:
            return None
        if name in self.fields:
            return name
        head, _sep, rest = name.partition(".")
        if name.startswith("leaders") or name == "attendees":
            return "leaders"
        if name.startswith("others["):
            i = int(name[len("others["):].split("]")[0] or 0)
            return f"other_name_{self.other_index.get(i, 0)}"
        if head == "opinions":
            if f"opinion_{rest}" in self.fields:
                return f"opinion_{rest}"
            for i in range(OTHER_ROWS):
                if (self.cleaned_data.get(f"other_name_{i}") or "").strip() == rest:
                    return f"other_opinion_{i}"
            return None
        if head == "absentees":
            return f"absence_{rest}" if f"absence_{rest}" in self.fields else "leaders"
        return None


@login_required
@require_http_methods(["GET", "POST"])
def discussion(request, pk: int):
    """集体讨论 of a case awaiting its decision (Art 57(2)), taken by a head of the case's agency."""
    case = case_or_404(request.user, pk)
    user = request.user
    if not _is_head(user) or user.agency_id != case.agency_id:
        raise PermissionDenied
    today = timezone.localdate()
    heads = agency_heads(case.agency)
    people = agency_people(case)
    handler_ids = set(CaseHandler.objects.filter(case=case).values_list("user_id", flat=True))
    form = DiscussionForm(request.POST if request.method == "POST" else None, heads=heads, people=people,
                          handler_ids=handler_ids, today=today, version=case.version)
    action = A.HOLD_COLLECTIVE_DISCUSSION.value
    violations, conflict = [], None
    if request.method == "POST" and form.is_valid():
        step, violations, conflict, replay = submit_step(request, case, action, form)
        if step is not None:
            if not replay:
                messages.success(request, _("已办理：%(action)s。") % {"action": services.action_label(action)})
            return redirect(reverse("cases:detail", args=[case.pk]) + "#discussion")
    row = proc.transition_for(proc.Procedure(case.procedure), proc.State(case.state), action)
    rule = policy("case.collective_quorum", case.agency, today)
    return render(request, "cases/discussion.html", {
        "active": "cases", "case": case, "form": form, "violations": violations, "conflict": conflict,
        "row": row, "available": row is not None, "heads": form.head_rows(), "others": form.other_rows(),
        "quorum": {"heads": len(heads), "needed": quorum_needed(len(heads), rule), "rule": quorum_text(rule)},
    }, status=409 if conflict else 200)
