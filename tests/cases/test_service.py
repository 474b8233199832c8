"""The transition service's machinery: idempotency, stale forms, two users at once, events, scoping, labels."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection

from zhifa.cases import services
from zhifa.cases.models import Case, CaseStep
from zhifa.catalog.policies import PARAMETERS, value_of
from zhifa.law import procedure
from zhifa.law.procedure import Action as A
from zhifa.law.procedure import State
from zhifa.records.models import Event

from .helpers import AV_REASON, key, step
from .test_walks import open_general

D = date


@pytest.fixture
def filed(zhang, li, head, party):
    case = open_general(zhang, party, zhang, li)
    step(case, A.FILE, head, D(2026, 3, 5), documents=["filing_approval_form"])
    return case


# --- idempotency ------------------------------------------------------------------------------------------------

def test_same_key_twice_is_one_step_and_one_event(filed, zhang):
    first = services.transition(filed.pk, A.START_INVESTIGATION, actor=zhang, payload={}, idempotency_key="form-7",
                                today=D(2026, 3, 5))
    again = services.transition(filed.pk, A.START_INVESTIGATION, actor=zhang, payload={}, idempotency_key="form-7",
                                today=D(2026, 3, 5))
    assert again.pk == first.pk and again.event_id == first.event_id
    assert CaseStep.objects.filter(case=filed, action=A.START_INVESTIGATION).count() == 1
    assert Event.objects.filter(case_id=filed.pk, action="cases.start_investigation").count() == 1
    filed.refresh_from_db()
    assert filed.version == first.version and filed.state == State.INVESTIGATING


def test_same_key_for_another_request_is_a_conflict(filed, zhang, li):
    services.transition(filed.pk, A.START_INVESTIGATION, actor=zhang, payload={}, idempotency_key="form-8",
                        today=D(2026, 3, 5))
    for action, actor, payload in ((A.INSPECT, zhang, {"credentials_shown": True}),
                                   (A.START_INVESTIGATION, li, {}),
                                   (A.START_INVESTIGATION, zhang, {"note": "改了内容"})):
        with pytest.raises(services.CaseConflict) as err:
            services.transition(filed.pk, action, actor=actor, payload=payload, idempotency_key="form-8",
                                today=D(2026, 3, 5))
        assert err.value.code == "idempotency_key_reused" and err.value.field == "idempotency_key"


def test_creating_a_case_twice_with_one_key_gives_one_case(zhang, li, party):
    payload = {"title": "擅自停止实施经营管理技术措施", "clue_source": "complaint", "documents": ["complaint_form"],
               "party": party.pk, "items": ["WH-NET-006"], "handlers": [zhang.pk, li.pk]}
    one = services.open_case(agency=zhang.agency, procedure="general", actor=zhang, payload=payload,
                             idempotency_key="new-case-1", today=D(2026, 3, 3))
    two = services.open_case(agency=zhang.agency, procedure="general", actor=zhang, payload=payload,
                             idempotency_key="new-case-1", today=D(2026, 3, 3))
    assert one.pk == two.pk and Case.objects.count() == 1
    with pytest.raises(services.CaseConflict):
        services.open_case(agency=zhang.agency, procedure="general", actor=zhang,
                           payload={**payload, "title": "另一案"}, idempotency_key="new-case-1", today=D(2026, 3, 3))


def test_a_key_is_required(filed, zhang):
    with pytest.raises(services.RuleViolation) as err:
        services.transition(filed.pk, A.START_INVESTIGATION, actor=zhang, payload={}, idempotency_key=" ")
    assert err.value.field == "idempotency_key"


# --- stale forms ----------------------------------------------------------------------------------------------

def test_stale_version_is_a_clear_conflict(filed, zhang, li):
    seen = filed.version
    step(filed, A.START_INVESTIGATION, li, D(2026, 3, 5), expected_version=seen)
    with pytest.raises(services.CaseConflict) as err:
        services.transition(filed.pk, A.INSPECT, actor=zhang, idempotency_key=key(), today=D(2026, 3, 6),
                            payload={"expected_version": seen, "credentials_shown": True,
                                     "records": [AV_REASON]})
    assert err.value.code == "stale_version" and err.value.field == "expected_version"
    assert f"第 {seen} 版" in err.value.message and f"第 {seen + 1} 版" in err.value.message
    filed.refresh_from_db()
    assert filed.version == seen + 1 and not filed.records.exists()


# --- two users at once -----------------------------------------------------------------------------------------

def _race(*calls):
    """Run the calls in threads started together, each with its own database connection; their outcomes."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as exc:  # the outcome is what the test looks at
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_users_at_once_exactly_one_wins(filed, zhang, li):
    seen = filed.version

    def act(user, k):
        return lambda: services.transition(filed.pk, A.START_INVESTIGATION, actor=user, idempotency_key=k,
                                           payload={"expected_version": seen}, today=D(2026, 3, 5))

    results = _race(act(zhang, "zhang-1"), act(li, "li-1"))
    won = [r for r in results if isinstance(r, CaseStep)]
    lost = [r for r in results if not isinstance(r, CaseStep)]
    assert len(won) == 1 and len(lost) == 1, results
    # the loser waited for the row and found it changed (stale_version), or, on SQLite, found it busy
    assert isinstance(lost[0], services.CaseConflict) and lost[0].code in {"stale_version", "case_busy"}, lost[0]
    assert lost[0].message
    filed.refresh_from_db()
    assert filed.state == State.INVESTIGATING and filed.version == seen + 1
    assert CaseStep.objects.filter(case=filed, action=A.START_INVESTIGATION).count() == 1
    assert Event.objects.filter(case_id=filed.pk, action="cases.start_investigation").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_cases_filed_at_once_get_distinct_numbers(zhang, li, head, party):
    a = open_general(zhang, party, zhang, li)
    b = open_general(zhang, party, zhang, li)

    def file(case, k):
        return lambda: services.transition(case.pk, A.FILE, actor=head, idempotency_key=k, today=D(2026, 3, 5),
                                           payload={"documents": ["filing_approval_form"]})

    results = _race(file(a, "file-a"), file(b, "file-b"))
    for _ in range(3):  # SQLite may turn one away as busy: the user tries again
        busy = [i for i, r in enumerate(results) if isinstance(r, services.CaseConflict)]
        if not busy:
            break
        for i in busy:
            results[i] = _race(file((a, b)[i], f"file-{i}-again"))[0]
    assert all(isinstance(r, CaseStep) for r in results), results
    refs = sorted(Case.objects.filter(pk__in=[a.pk, b.pk]).values_list("reference", flat=True))
    assert refs == ["平文旅案〔2026〕1号", "平文旅案〔2026〕2号"]


# --- scoping, labels, policies -----------------------------------------------------------------------------------

def test_visible_cases_follow_the_agency_tree(filed, make_agency, make_user, bureau, django_user_model):
    city = make_agency("驻马店市文化广电和旅游局")
    bureau.parent = city
    bureau.save()
    sibling = make_agency("其他县文化广电和旅游局")
    assert services.visible_cases(make_user(bureau, roles=("officer",))).filter(pk=filed.pk).exists()
    assert services.visible_cases(make_user(city, roles=("head",))).filter(pk=filed.pk).exists()
    assert not services.visible_cases(make_user(sibling, roles=("head",))).exists()
    assert not services.visible_cases(make_user(None, roles=())).exists()
    root = django_user_model.objects.create_superuser(username="root", password="x-Long-Passw0rd!", full_name="平台")
    assert services.visible_cases(root).filter(pk=filed.pk).exists()


def test_every_case_action_has_an_audit_label():
    from zhifa.org.views.audit import ACTION_LABELS

    for action in procedure.Action:
        assert ACTION_LABELS[f"cases.{action.value}"] == procedure.ACTION_LABELS[action]
    for action, label in services.AUX_ACTIONS.items():
        assert ACTION_LABELS[f"cases.{action}"] == label
    # besides the steps: the deadline reminders and the events of a case's files (zhifa.cases.files)
    files = {"cases.file_uploaded", "cases.file_attached", "cases.file_downloaded", "cases.file_digest_mismatch",
             "cases.file_exported"}
    assert {k for k in ACTION_LABELS if k.startswith("cases.")} - {"cases.notifications_raised"} - files == {
        f"cases.{a}" for a in [*(x.value for x in procedure.Action), *services.AUX_ACTIONS]}


def test_every_action_has_a_payload_schema():
    assert {a.value for a in procedure.Action} | set(services.AUX_ACTIONS) == set(services.SCHEMAS)
    for action, schema in services.SCHEMAS.items():
        for name, f in schema.items():
            assert f.label and f.kind, (action, name)


def test_case_policies_are_registered_with_their_defaults(bureau):
    assert PARAMETERS["case.review_all_penalties"].default is True
    assert value_of("case.statement_days", bureau, D(2026, 5, 1)) == 5
    assert value_of("case.filing_days", bureau, D(2026, 5, 1)) == 15
    assert value_of("case.decision_extensions", bureau, D(2026, 5, 1)) == 1
