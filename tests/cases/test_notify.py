"""The daily tick (期限提醒): who is told of which clock, once; the reminders page; the command."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from zhifa.cases import notify, services
from zhifa.cases.models import Case, CaseClock, LegalReview, Notification
from zhifa.records.models import Event

from .helpers import key

TODAY = date(2026, 3, 2)  # a Monday; 3 working days on is Thursday 5 March


def open_clue(actor, party, *handlers, title="接纳未成年人进入营业场所") -> Case:
    today = timezone.localdate()
    payload = {"title": title, "clue_source": "inspection", "documents": ["inspection_record"],
               "party": party.pk, "items": ["WH-NET-004"], "act_date": (today - timedelta(days=3)).isoformat(),
               "discovered_on": (today - timedelta(days=1)).isoformat(), "handlers": [h.pk for h in handlers]}
    return services.open_case(agency=actor.agency, procedure="general", actor=actor, payload=payload,
                              idempotency_key=key()).case


def due_on(case: Case, code: str, due: date, **kw) -> CaseClock:
    """The case's running clock ``code`` moved to ``due`` (created if the case has none)."""
    clock = CaseClock.objects.filter(case=case, code=code, stopped_on__isnull=True).first()
    if clock is None:
        clock = CaseClock(case=case, code=code, name=code, started_on=due - timedelta(days=10), base_due_on=due,
                          basis="test")
    clock.base_due_on = clock.due_on = due
    for k, v in kw.items():
        setattr(clock, k, v)
    clock.save()
    return clock


def recipients(clock: CaseClock, kind: str) -> set[int]:
    return set(Notification.objects.filter(clock=clock, kind=kind).values_list("recipient_id", flat=True))


@pytest.fixture
def cases(zhang, li, wang, head, reviewer, party):
    soon = open_clue(zhang, party, zhang, li)
    late = open_clue(zhang, party, wang, li, title="未按规定核对登记上网消费者身份")
    return soon, late


def test_due_soon_and_overdue_notify_the_right_people_once(cases, zhang, li, wang, head, reviewer, clerk):
    soon, late = cases
    soon_clock = due_on(soon, "filing", TODAY + timedelta(days=2))
    late_clock = due_on(late, "filing", TODAY - timedelta(days=3))
    far = due_on(soon, "decision", TODAY + timedelta(days=20))

    counts = notify.tick(TODAY)

    assert recipients(soon_clock, "due_soon") == {zhang.pk, li.pk}
    assert recipients(late_clock, "overdue") == {wang.pk, li.pk, head.pk}  # heads hear of overdue clocks only
    assert not Notification.objects.filter(clock=far).exists()
    assert not Notification.objects.filter(recipient__in=[reviewer, clerk]).exists()
    assert counts["clocks_due_soon"] == 1 and counts["clocks_overdue"] == 1
    assert counts["notifications"] == 5 and counts["due_soon"] == 2 and counts["overdue"] == 3
    note = Notification.objects.get(clock=late_clock, recipient=head)
    assert late.title in note.message and "立案期限" in note.message and "2026年2月27日" in note.message
    assert note.case == late and note.read_at is None

    again = notify.tick(TODAY)
    assert again["notifications"] == 0
    assert Notification.objects.count() == 5
    events = Event.objects.filter(action="cases.notifications_raised").order_by("id")
    assert events.count() == 2
    assert '"notifications":5' in events[0].payload.replace(" ", "")


def test_the_message_names_the_case_reference(cases, zhang, li):
    soon, _ = cases
    Case.objects.filter(pk=soon.pk).update(reference="平文旅案〔2026〕15号")
    clock = due_on(soon, "filing", TODAY)
    notify.tick(TODAY)
    note = Notification.objects.get(clock=clock, recipient=zhang)
    assert note.message.startswith("平文旅案〔2026〕15号：立案期限今日届满")


def test_alert_days_is_the_agencys_policy(cases, zhang):
    soon, _ = cases
    clock = due_on(soon, "filing", date(2026, 3, 6))  # the 4th working day on: outside the default 3
    notify.tick(TODAY)
    assert not Notification.objects.filter(clock=clock).exists()
    from zhifa.cases.policies import CASE_PARAMETERS

    assert any(p.key == "case.alert_days" and p.default == 3 for p in CASE_PARAMETERS)


def test_party_clocks_and_stopped_or_paused_clocks_notify_nobody(cases, head):
    soon, late = cases
    CaseClock.objects.filter(case__in=cases).update(stopped_on=TODAY - timedelta(days=10))
    due_on(soon, "statement", TODAY - timedelta(days=1))  # the party's period
    due_on(soon, "payment", TODAY + timedelta(days=1))
    due_on(late, "filing", TODAY - timedelta(days=5), stopped_on=None, paused_since=TODAY - timedelta(days=6))
    due_on(late, "decision", TODAY - timedelta(days=5), stopped_on=TODAY - timedelta(days=1))
    counts = notify.tick(TODAY)
    assert counts["notifications"] == 0 and counts["clocks_overdue"] == 0 and counts["clocks_due_soon"] == 0
    assert not Notification.objects.exists()
    assert Event.objects.filter(action="cases.notifications_raised").count() == 1


def test_the_assigned_reviewer_hears_of_a_case_under_review(cases, zhang, reviewer):
    soon, _ = cases
    Case.objects.filter(pk=soon.pk).update(state="under_review")
    LegalReview.objects.create(case=soon, submitted_on=TODAY, submitted_by=zhang, assigned_to=reviewer)
    clock = due_on(soon, "filing", TODAY + timedelta(days=1))
    notify.tick(TODAY)
    assert reviewer.pk in recipients(clock, "due_soon")


def test_a_removed_handler_is_not_told(cases, li, zhang):
    soon, _ = cases
    soon.handlers.filter(user=li).update(removed_on=TODAY - timedelta(days=1))
    clock = due_on(soon, "filing", TODAY + timedelta(days=1))
    notify.tick(TODAY)
    assert recipients(clock, "due_soon") == {zhang.pk}


def test_page_lists_unread_first_and_marks_read(cases, zhang, li, as_user):
    soon, _ = cases
    due_on(soon, "filing", TODAY + timedelta(days=1))
    notify.tick(TODAY)
    first = Notification.objects.get(recipient=zhang)
    first.read_at = timezone.now()
    first.save()
    due_on(soon, "decision", TODAY - timedelta(days=1))
    notify.tick(TODAY)
    unread = Notification.objects.get(recipient=zhang, read_at__isnull=True)

    c = as_user(zhang)
    html = c.get(reverse("cases:notifications")).content.decode()
    assert html.index(f'id="notification-{unread.pk}"') < html.index(f'id="notification-{first.pk}"')
    assert "标为已读" in html and "全部标为已读" in html and reverse("cases:detail", args=[soon.pk]) in html
    home = c.get(reverse("home")).content.decode()
    assert reverse("cases:notifications") in home  # the unread count next to 案件

    r = c.post(reverse("cases:notification_read", args=[unread.pk]))
    assert r.status_code == 302
    unread.refresh_from_db()
    assert unread.read_at is not None
    assert reverse("cases:notifications") not in c.get(reverse("home")).content.decode()


def test_mark_all_read_and_no_one_marks_anothers(cases, zhang, li, as_user):
    soon, _ = cases
    due_on(soon, "filing", TODAY - timedelta(days=1))
    notify.tick(TODAY)
    theirs = Notification.objects.get(recipient=li)
    c = as_user(zhang)
    assert c.post(reverse("cases:notification_read", args=[theirs.pk])).status_code == 404
    assert c.get(reverse("cases:notification_read", args=[theirs.pk])).status_code == 405
    assert c.post(reverse("cases:notifications_read_all")).status_code == 302
    assert not Notification.objects.filter(recipient=zhang, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_command_prints_the_summary(cases):
    soon, late = cases
    due_on(soon, "filing", TODAY + timedelta(days=1))
    due_on(late, "filing", TODAY - timedelta(days=1))
    out = StringIO()
    call_command("tick", "--date", TODAY.isoformat(), stdout=out)
    line, check, taken_down = out.getvalue().strip().splitlines()
    assert line == ("2026-03-02 期限提醒：即将届满的期限 1 个，已逾期的期限 1 个；新发出提醒 5 条（即将届满 2 条，"
                    "已逾期 3 条），接收人 4 人。")
    assert check.startswith("完整性校验通过：")  # the weekly integrity check (zhifa.records.checks), first run
    assert taken_down == "公示期满撤下：0 件"  # zhifa.publicity.services.take_down_expired
    assert "\n" not in line
