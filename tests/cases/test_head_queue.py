"""The director's queue (负责人待办): the agency's cases that await a head, grouped by what is awaited, each row
with its nearest agency clock and a button to the step; another agency's cases and non-heads stay out."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from zhifa.cases.models import CaseClock
from zhifa.law import procedure as proc
from zhifa.law.procedure import Action as A
from zhifa.parties.models import Party

from .test_discussion import notify_and_conclude, open_clue, step, to_awaiting_decision


def groups_of(response) -> dict[str, list[int]]:
    return {key: [c.pk for c in rows] for key, _title, _help, rows in response.context["groups"]}


def test_queue_groups_the_agencys_cases_by_what_awaits_the_head(zhang, li, head, reviewer, party, make_agency,
                                                                 make_user, as_user):
    clue = open_clue(zhang, party, zhang, li, title="甲案：待立案")
    proposal = to_awaiting_decision(open_clue(zhang, party, zhang, li, title="乙案：待审批拟处罚意见"),
                                    zhang, li, head, reviewer)
    major = to_awaiting_decision(open_clue(zhang, party, zhang, li, title="丙案：重大案件"), zhang, li, head,
                                 reviewer, major=True)
    notify_and_conclude(major, zhang, head)
    decide = notify_and_conclude(to_awaiting_decision(open_clue(zhang, party, zhang, li, title="丁案：待决定"),
                                                      zhang, li, head, reviewer), zhang, head)
    crime = open_clue(zhang, party, zhang, li, title="戊案：涉嫌犯罪")
    step(crime, A.FILE, head, documents=["filing_approval_form"])
    step(crime, A.START_INVESTIGATION, zhang)
    step(crime, A.REPORT_CRIME, zhang, reason="经营额巨大，涉嫌非法经营罪")
    # another agency's clue, with its own head: not in this queue
    other = make_agency("汝南县文化广电和旅游局", short_name="汝文旅")
    other_officer = make_user(other, roles=("officer",), full_name="外局执法员")
    other_party = Party.objects.create(agency=other, kind="person", name="吴某", address="汝南县")
    other_clue = open_clue(other_officer, other_party, other_officer, title="外局案源")

    r = as_user(head).get(reverse("cases:head_queue"))
    assert r.status_code == 200
    g = groups_of(r)
    assert g["filing"] == [clue.pk]
    assert set(g["approvals"]) == {proposal.pk, crime.pk}
    assert g["discussion"] == [major.pk]
    assert set(g["decision"]) == {major.pk, decide.pk}
    assert g["hearing"] == [] and g["closing"] == []
    assert other_clue.pk not in {pk for pks in g.values() for pk in pks}
    html = r.content.decode()
    assert "外局案源" not in html

    rows = {c.pk: c for *_, rs in r.context["groups"] for c in rs}
    # what is awaited, and the button to the step
    assert rows[proposal.pk].what == proc.APPROVAL_LABELS["penalty_proposal"]
    assert rows[crime.pk].what == "涉嫌犯罪案件移送审批"
    assert rows[crime.pk].buttons[0]["url"] == reverse("cases:act", args=[crime.pk, "transfer_criminal"])
    assert rows[clue.pk].buttons[0]["url"] == reverse("cases:act", args=[clue.pk, "file"])
    assert rows[decide.pk].buttons[0]["url"] == reverse("cases:act", args=[decide.pk, "decide_penalty"])
    # a major case not yet discussed is flagged, and its first button is the discussion
    decision_rows = next(rows for key, _t, _h, rows in r.context["groups"] if key == "decision")
    flagged = next(c for c in decision_rows if c.pk == major.pk)
    assert flagged.discuss_first and flagged.buttons[0]["url"] == reverse("cases:discussion", args=[major.pk])
    assert not next(c for c in decision_rows if c.pk == decide.pk).discuss_first
    assert "重大案件，须先集体讨论" in html
    assert reverse("cases:discussion", args=[major.pk]) in html
    # each row shows the nearest agency clock with its days
    assert rows[clue.pk].next_clock["clock"].code == "filing" and "立案期限" in html


def test_queue_is_sorted_by_urgency_and_shows_overdue(zhang, li, head, party, as_user):
    late = open_clue(zhang, party, zhang, li, title="甲案")
    soon = open_clue(zhang, party, zhang, li, title="乙案")
    far = open_clue(zhang, party, zhang, li, title="丙案")
    today = timezone.localdate()
    for case, days in ((late, -2), (soon, 2), (far, 10)):
        CaseClock.objects.filter(case=case).update(due_on=today + timedelta(days=days),
                                                   base_due_on=today + timedelta(days=days))
        _resync(case)
    r = as_user(head).get(reverse("cases:head_queue"))
    assert groups_of(r)["filing"] == [late.pk, soon.pk, far.pk]
    html = r.content.decode()
    assert "已逾期 2 天" in html and "剩 2 天" in html and f'id="head-filing-{late.pk}" class="row-no"' in html


def _resync(case):
    """After moving clock dates by hand: the case's own urgency fields, where the service keeps them."""
    from zhifa.cases import services

    sync = getattr(services, "set_urgency", None)
    if sync is not None:
        case.refresh_from_db()
        sync(case)
        case.save(update_fields=["next_due", "next_party_due"])


def test_closing_and_hearing_groups(zhang, li, head, reviewer, party, as_user):
    transferred = open_clue(zhang, party, zhang, li, title="已移送")
    step(transferred, A.FILE, head, documents=["filing_approval_form"])
    step(transferred, A.START_INVESTIGATION, zhang)
    step(transferred, A.REPORT_CRIME, zhang, reason="经营额巨大，涉嫌非法经营罪")
    step(transferred, A.TRANSFER_CRIMINAL, head, documents=["criminal_transfer_letter", "case_transfer_form"],
         receiving_authority="平舆县公安局")
    r = as_user(head).get(reverse("cases:head_queue"))
    g = groups_of(r)
    assert g["closing"] == [transferred.pk] and transferred.pk not in g["approvals"]
    row = next(c for key, _t, _h, rows in r.context["groups"] if key == "closing" for c in rows)
    assert row.buttons[0]["url"] == reverse("cases:act", args=[transferred.pk, "close"])


def test_non_heads_are_refused(zhang, reviewer, clerk, as_user, client):
    url = reverse("cases:head_queue")
    for user in (zhang, reviewer, clerk):
        assert as_user(user).get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302  # to the login


def test_todo_links_to_the_queue_for_heads_only(zhang, head, as_user):
    link = reverse("cases:head_queue")
    assert link in as_user(head).get(reverse("cases:todo")).content.decode()
    assert link not in as_user(zhang).get(reverse("cases:todo")).content.decode()


def test_approval_groups_come_from_head_steps_of_the_table():
    from zhifa.cases.views.head import APPROVALS

    head_actions = {t.action.value for t in proc.TABLE if proc.HEAD in t.roles}
    for a in APPROVALS:
        assert all(x in head_actions or x == "decide_approval" for x in a.actions), a.label
