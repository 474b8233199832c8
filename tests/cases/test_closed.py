"""Closed means closed (issue 5 §4; 行政处罚法 Art 47, 国办发〔2018〕118号): after 结案 the case's content and
evidence do not change — every bookkeeping act is refused naming the rule — and a correction is a new step and event
with its reason and the event it corrects. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date as D

import pytest

from zhifa.cases import services
from zhifa.cases.models import CaseDocument, CaseRecord
from zhifa.law.procedure import Action as A
from zhifa.law.procedure import State
from zhifa.records.models import Event
from zhifa.records.verify import verify_events

from .helpers import cited, codes, key, refused, step

pytestmark = pytest.mark.django_db
AV = {"code": "av_record_or_reason", "description": "执法记录仪电量耗尽，未能录制，已当场书面说明"}


@pytest.fixture
def closed(zhang, li, clerk, person_party):
    """A summary case from 当场处罚 to 结案."""
    case = services.open_case(agency=zhang.agency, procedure="summary", actor=zhang, idempotency_key=key(),
                              today=D(2026, 5, 20),
                              payload={"title": "未悬挂网络文化经营许可证", "party": person_party.pk,
                                       "items": ["WH-NET-007"], "handlers": [zhang.pk, li.pk]}).case
    step(case, A.DECIDE_ON_THE_SPOT, zhang, D(2026, 5, 20), penalty={"kinds": ["fine"], "fine": 100},
         credentials_shown=True, statement_heard=True, documents=["on_the_spot_decision"], records=[AV])
    step(case, A.COLLECT_ON_THE_SPOT, zhang, D(2026, 5, 20), records=["fiscal_receipt"], receipt_no="豫财 0099")
    step(case, A.FILE_WITH_AGENCY, clerk, D(2026, 5, 21))
    step(case, A.PAY, clerk, D(2026, 5, 21), records=["payment_proof"])
    step(case, A.DEPOSIT_CASH, zhang, D(2026, 5, 21), records=["deposit_proof"])
    step(case, A.CLOSE, clerk, D(2026, 5, 22))
    assert case.state == State.CLOSED
    return case


# (action, actor fixture, payload): every bookkeeping act that would change a closed case
CHANGES = [
    ("record_material", "zhang", {"records": [{"code": "payment_proof", "description": "补交的缴款凭证"}]}),
    ("record_document", "clerk", {"documents": ["service_receipt"]}),
    ("remove_handler", "head", {"user": "li", "reason": "调岗"}),
    ("declare_conflict", "head", {"user": "li", "reason": "与当事人有利害关系"}),
    ("decide_approval", "head", {"kind": "preservation", "approved": True}),
]


@pytest.mark.parametrize(("action", "who", "payload"), CHANGES, ids=[c[0] for c in CHANGES])
def test_a_closed_case_refuses_every_change(closed, request, action, who, payload):
    """Art 47: after 结案 the record is complete; nothing is added to or taken from the case."""
    actor = request.getfixturevalue(who)
    payload = {k: (request.getfixturevalue(v).pk if k == "user" else v) for k, v in payload.items()}
    before = (CaseRecord.objects.filter(case=closed).count(), CaseDocument.objects.filter(case=closed).count(),
              Event.objects.filter(case_id=closed.pk).count())
    err = refused(closed, action, actor, D(2026, 5, 23), **payload)
    assert "case_finished" in codes(err)
    text = cited(err, "case_finished")
    assert "不得更改" in text and "第四十七条" in text and "结案后补正" in text
    assert before == (CaseRecord.objects.filter(case=closed).count(), CaseDocument.objects.filter(case=closed).count(),
                      Event.objects.filter(case_id=closed.pk).count())


def test_a_correction_after_closing_is_a_new_linked_event(closed, clerk, head, reviewer):
    decided = Event.objects.get(case_id=closed.pk, action="cases.decide_on_the_spot")
    taken = services.correct_after_closing(closed.pk, "罚款收据号应为“豫财 0098”", reason="登记时笔误",
                                           refers_to=decided.pk, actor=clerk, idempotency_key=key(),
                                           today=D(2026, 5, 25))
    closed.refresh_from_db()
    assert closed.state == State.CLOSED
    event = Event.objects.get(pk=taken.event_id)
    assert event.action == "cases.correct_after_closing" and event.case_id == closed.pk and event.pk > decided.pk
    assert "登记时笔误" in event.payload and f'"refers_to":{decided.pk}' in event.payload
    # archived, it may still be corrected; the record stays one intact chain
    step(closed, A.ARCHIVE, clerk, D(2026, 5, 26))
    services.correct_after_closing(closed.pk, "补充说明：当事人已签收", reason="漏记", actor=head,
                                   idempotency_key=key(), today=D(2026, 5, 27))
    assert Event.objects.filter(case_id=closed.pk, action="cases.correct_after_closing").count() == 2
    assert verify_events(closed.pk).broken is None


def test_a_correction_needs_a_reason_and_an_event_of_the_case(closed, clerk, zhang, li, party):
    err = refused(closed, "correct_after_closing", clerk, D(2026, 5, 25), correction="改正")
    assert "reason" in {v.field for v in err.violations}
    other = services.open_case(agency=zhang.agency, procedure="summary", actor=zhang, idempotency_key=key(),
                               today=D(2026, 5, 20), payload={"title": "另案", "party": party.pk,
                                                              "items": ["WH-NET-007"],
                                                              "handlers": [zhang.pk, li.pk]}).case
    foreign = Event.objects.filter(case_id=other.pk).first()
    err = refused(closed, "correct_after_closing", clerk, D(2026, 5, 25), correction="改正", reason="笔误",
                  refers_to=foreign.pk)
    assert "event_not_of_case" in codes(err)
    # an open case is corrected by its own steps, not by a correction
    err = refused(other, "correct_after_closing", zhang, D(2026, 5, 25), correction="改正", reason="笔误")
    assert "action_not_available" in codes(err)


def test_the_case_page_offers_only_the_correction_once_closed(closed, clerk, as_user, client):
    as_user(clerk)
    page = client.get(f"/cases/{closed.pk}/").content.decode()
    assert f"/cases/{closed.pk}/act/correct_after_closing" in page
    assert f"/cases/{closed.pk}/act/record_material" not in page
    form = client.get(f"/cases/{closed.pk}/act/correct_after_closing/")
    assert form.status_code == 200 and "补正的理由" in form.content.decode()


def test_neither_a_correction_nor_the_archiving_adds_to_a_closed_case(closed, clerk, zhang):
    """The correction and 归档 are the only steps after 结案; neither registers documents, records or evidence, and a
    file of the case is not re-attached."""
    from zhifa.cases import files
    from zhifa.cases.models import EvidenceFile

    from .helpers import av_file

    before = (CaseRecord.objects.filter(case=closed).count(), CaseDocument.objects.filter(case=closed).count())
    for name, value in (("records", [{"code": "payment_proof", "description": "补"}]),
                        ("documents", ["service_receipt"])):
        err = refused(closed, "correct_after_closing", clerk, D(2026, 5, 25), correction="补", reason="漏登",
                      **{name: value})
        assert "case_finished" in codes(err) and "第四十七条" in cited(err, "case_finished")
    err = refused(closed, "correct_after_closing", clerk, D(2026, 5, 25), correction="补", reason="漏登",
                  evidence=[{"kind": "documentary", "description": "补"}])
    assert codes(err) == {"payload_unknown_field"}  # a correction carries no evidence at all
    err = refused(closed, A.ARCHIVE, clerk, D(2026, 5, 26), records=[{"code": "payment_proof", "description": "补"}])
    assert "case_finished" in codes(err)
    assert before == (CaseRecord.objects.filter(case=closed).count(), CaseDocument.objects.filter(case=closed).count())
    with pytest.raises(files.FileRefused, match="不得更改"):
        av_file(closed, zhang)
    assert not EvidenceFile.objects.filter(case=closed).exists()
