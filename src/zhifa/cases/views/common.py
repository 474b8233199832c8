"""What the case screens share: finding a case the user may see, and the urgency of its clocks.

Only the agency's deadlines are urgent (``procedure.clock_binds``): a lapsed clock that binds the agency is overdue
(red), one due within three days amber. The party's periods (听证申请, 陈述申辩, 缴纳罚款, 复议, 诉讼 …) are shown
neutrally — "期限已届满" once they lapse — and order a case only after the agency's clocks.
"""

from __future__ import annotations

from datetime import date

from django.core.paginator import Paginator
from django.db.models import F, Prefetch, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext, ngettext

from zhifa.law import procedure as proc
from zhifa.prepared import Prepared, together

from ..models import Case, CaseClock
from ..services import handled_count, handled_rows, visible_case

DUE_SOON_DAYS = 3
_HREF_PK = 987654321987


def case_or_404(user, pk: int) -> Case:
    """The case ``pk`` if ``user`` may see it (another agency's case is as good as absent)."""
    case = visible_case(user, pk)
    if case is None:
        raise Http404
    return case


URGENCY = (F("next_due").asc(nulls_last=True), F("next_party_due").asc(nulls_last=True), F("id").desc())


def by_urgency(qs: QuerySet[Case]) -> QuerySet[Case]:
    """Nearest running agency clock's due date first, then the nearest party clock's; cases with no running clock
    last, newest first among them. The dates are the case's own ``next_due`` / ``next_party_due`` (kept by the
    case service with every step), so the order comes from an index, not from grouping every clock."""
    return _with_rows(qs).order_by(*URGENCY)


def _with_rows(qs: QuerySet[Case]) -> QuerySet[Case]:
    # the running clocks of the cases shown, in any order: ``next_clock`` picks the one a row shows
    running = CaseClock.objects.filter(stopped_on__isnull=True).order_by()
    return qs.select_related("party").prefetch_related(Prefetch("clocks", queryset=running, to_attr="running_clocks"))


# What a list row shows (templatetags/case_lists.py): reading only these columns of the page's cases keeps a wide
# case row (penalties, assessment JSON …) out of a list.
LIST_FIELDS = ("id", "agency_id", "procedure", "state", "reference", "title", "next_due", "next_party_due",
               "party__id", "party__name", "party__kind")


def page_by_urgency(qs: QuerySet[Case], number, per_page: int):
    """One page of ``qs`` by urgency. The order and the count use only the case ids and their two dates (an index
    holds them), and only the page's cases are then read whole — sorting every matching row with all its columns
    is what made a long list slow."""
    return _with_cases(Paginator(qs.order_by(*URGENCY).values_list("pk", flat=True), per_page).get_page(number))


def handled_page(user, number, per_page: int, *, state: str = ""):
    """One page of the cases ``user`` handles ("我承办的"), in ``state`` if given, by urgency — as
    ``page_by_urgency(visible_cases(user).filter(handled by user))``, read from the handler rows' copies of the
    case's agency, state and urgency dates (``CaseHandler.case_*``, kept by triggers): an officer handles
    thousands of cases over the years, and the count, filter and order then come from one index instead of a
    look-up of each case. The count is a compiled query (zhifa.prepared) for an officer of an agency."""
    rows = handled_rows(user, [state] if state else ())
    order = (F("next_due").asc(nulls_last=True), F("next_party_due").asc(nulls_last=True), F("case_id").desc())
    ids = rows.order_by(*order).values_list("case_id", flat=True)
    count = handled_count(user, state)
    paginator = Paginator(ids, per_page) if count is None else _Counted(ids, per_page, count)
    return _with_cases(paginator.get_page(number))


class _Counted(Paginator):
    """A paginator whose count is already known."""

    def __init__(self, object_list, per_page, count: int):
        super().__init__(object_list, per_page)
        self._known = count

    @cached_property
    def count(self) -> int:
        return self._known


# A list page's cases and their running clocks, by their ids padded to a fixed number (0: no case), so the query is
# the same text every time and compiled once (zhifa.prepared).
ROWS_AT_ONCE = 25


def _rows_of(*ids):
    return Case.objects.filter(pk__in=ids).select_related("party").only(*LIST_FIELDS).order_by()


def _running_of(*ids):
    return CaseClock.objects.filter(case_id__in=ids, stopped_on__isnull=True).only(
        "id", "case_id", "code", "name", "due_on").order_by()


_ROWS = Prepared("case.list_rows", _rows_of, *[int] * ROWS_AT_ONCE)
_RUNNING = Prepared("case.list_clocks", _running_of, *[int] * ROWS_AT_ONCE)


def _with_cases(page):
    """The page of case ids with the cases in their place, each with only what a row shows and its running clocks
    (``running_clocks``, read with the few columns ``decorate`` uses)."""
    ids = list(page.object_list)
    if len(ids) <= ROWS_AT_ONCE:
        padded = ids + [0] * (ROWS_AT_ONCE - len(ids))
        found, clocks = together((_ROWS, padded, None), (_RUNNING, padded, None))  # one round trip
    else:
        found, clocks = _rows_of(*ids), _running_of(*ids)
    cases = {c.pk: c for c in found}
    for c in cases.values():
        c.running_clocks = []
    for clock in clocks:
        cases[clock.case_id].running_clocks.append(clock)
    page.object_list = [cases[pk] for pk in ids if pk in cases]
    return page


def clock_view(clock: CaseClock, today: date) -> dict:
    """Days left and tone of a clock: ``overdue`` (days) only for the agency's deadlines; a party's period that
    has lapsed is ``lapsed``, in a neutral tone. ``badge`` / ``badge_class``: the words and colour the lists and
    the case page show (worded here once, with plural forms, rather than by a template per row)."""
    left = (clock.due_on - today).days
    if clock.code in proc.PARTY_CLOCKS:
        view = {"clock": clock, "left": left, "overdue": 0, "lapsed": left < 0, "party": True, "tone": "muted"}
    else:
        tone = "no" if left < 0 else "warn" if left <= DUE_SOON_DAYS else "ok"
        view = {"clock": clock, "left": left, "overdue": -left if left < 0 else 0, "lapsed": False, "party": False,
                "tone": tone}
    view["badge_class"], view["badge"] = days_badge(view)
    return view


def days_badge(v: dict) -> tuple[str, str]:
    """(css class, words) for a clock's days: overdue (agency), lapsed (party), due today, or days left."""
    if v.get("overdue"):
        return "no", ngettext("已逾期 %(d)s 天", "已逾期 %(d)s 天", v["overdue"]) % {"d": v["overdue"]}
    if v.get("lapsed"):
        return "muted", gettext("期限已届满")
    if v.get("left") == 0:
        return ("muted" if v.get("party") else "warn"), gettext("今日届满")
    return v.get("tone", "ok"), ngettext("剩 %(d)s 天", "剩 %(d)s 天", v["left"]) % {"d": v["left"]}


def display_order(clocks) -> list[CaseClock]:
    """The case's clocks as the case page and the API list them: running ones first (nearest due first), then the
    stopped ones in the order they stopped."""
    return sorted(clocks, key=lambda c: (c.stopped_on is not None, c.stopped_on or c.due_on, c.due_on, c.id))


def next_clock(clocks: list[CaseClock]) -> CaseClock | None:
    """The running clock a case row shows: the agency's nearest deadline, else the party's nearest period."""
    ordered = sorted(clocks, key=lambda c: (c.code in proc.PARTY_CLOCKS, c.due_on, c.id))
    return ordered[0] if ordered else None


def decorate(cases, today: date) -> list[Case]:
    """Each case with its next running clock (``next_clock``: clock, days left, tone) and state label; the row is
    red or amber only for an agency deadline."""
    out = []
    href = reverse("cases:detail", args=[_HREF_PK])  # one reverse for the page, not two per row
    for case in cases:
        case.href = href.replace(str(_HREF_PK), str(case.pk))
        clocks = getattr(case, "running_clocks", None)
        if clocks is None:
            clocks = list(case.clocks.filter(stopped_on__isnull=True).order_by("due_on", "id"))
        shown = next_clock(clocks)
        case.next_clock = clock_view(shown, today) if shown else None
        case.row_tone = case.next_clock["tone"] if case.next_clock and not case.next_clock["party"] else ""
        out.append(case)
    return out


def state_label(code: str) -> str:
    try:
        return proc.STATE_LABELS[proc.State(code)]
    except ValueError:
        return code
