"""Publishing results (zhifa.publicity.services; issue 7 §2) on the demo bureau's cases: masked content, nothing
leaks, the case's 公示 step, withdrawal with its reason and deadline, taking down at the end of the period, and the
decisions that are never published. Real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from zhifa.cases.models import CaseClock
from zhifa.law import masking
from zhifa.law.errors import RuleViolation
from zhifa.publicity import services
from zhifa.publicity.models import Publication
from zhifa.records.models import Event

from ..demo import demo_case as _case
from ..demo import lead_of as _lead

pytestmark = pytest.mark.django_db


def test_publishing_a_decision_masks_records_and_stops_the_clock(demo_loaded):
    case = _case("trv-decided")
    officer = _lead(case)
    assert CaseClock.objects.filter(case=case, code="publish_penalty", stopped_on__isnull=True).exists()
    pub = services.publish(case, actor=officer)
    c = pub.content
    assert c["party"] == case.party.name and c["credit_code"] == case.party.credit_code  # an organisation: public
    assert c["penalty"] and c["decided_on"] == case.decided_on.isoformat()
    assert pub.due_on >= case.decided_on and pub.take_down_on > case.decided_on
    assert not CaseClock.objects.filter(case=case, code="publish_penalty", stopped_on__isnull=True).exists()
    assert Event.objects.filter(action="publicity.published", subject=f"publication:{pub.pk}").exists()
    with pytest.raises(RuleViolation) as err:
        services.publish(case, actor=officer)
    assert err.value.code == "publicity_live"


def test_a_natural_persons_name_and_private_data_are_masked(demo_loaded):
    """刘翠英 (a natural person) is published as 刘某某; facts naming her, her address, ID and phone are masked."""
    from zhifa.documents import services as documents

    case = _case("rel-archived")
    party = case.party
    assert party.kind == "person"
    officer = _lead(case)
    facts = (f"当事人{party.name}（身份证号码{party.id_number or '411727196504051234'}，电话13912345678）住"
             f"{party.address or '平舆县东和店镇李湾村'}，出售文物。")
    case_doc = documents.Document.objects.create(
        case=case, code="penalty_decision", title="行政处罚决定书", inputs={"facts": facts}, drafted_by=officer,
        drafted_at=timezone.now(), updated_at=timezone.now(), status="issued")
    assert case_doc.pk
    content = services.content_of(case, on=timezone.localdate())
    assert content["party"] == masking.mask_name(party.name) == "刘某某"
    text = json.dumps(content, ensure_ascii=False)
    names, addresses = services._private(case)
    assert masking.scan(text, names=names, addresses=addresses) == []
    assert party.name not in text and "13912345678" not in text


def test_decisions_that_are_not_published(demo_loaded):
    """Warning-only (policy) and summary-procedure (policy) decisions are listed with their reasons, never due."""
    rows = {r["case"].creation_key.rsplit(":", 1)[1]: r for r in services.due(_case("trv-decided").agency)}
    assert rows["trv-decided"]["reasons"] == []
    warned = [r for r in rows.values() if any(v.code == "publicity_warning_only" for v in r["reasons"])]
    summary = [r for r in rows.values() if any(v.code == "publicity_summary" for v in r["reasons"])]
    assert warned or summary
    case = (warned or summary)[0]["case"]
    with pytest.raises(services.PublicationRefused) as err:
        services.publish(case, actor=_lead(case))
    assert err.value.code in ("publicity_warning_only", "publicity_summary")


def test_a_minors_case_is_never_published(demo_loaded):
    case = _case("trv-decided")
    party = case.party
    party.kind, party.birth_date = "person", case.act_date - timedelta(days=365 * 17)
    party.save()
    case.refresh_from_db()
    with pytest.raises(services.PublicationRefused) as err:
        services.publish(case, actor=_lead(case))
    assert err.value.code == "publicity_minor"
    assert not Publication.objects.filter(case=case).exists()


def test_withdrawal_shows_the_reason_within_three_working_days(demo_loaded):
    case = _case("trv-decided")
    officer = _lead(case)
    pub = services.publish(case, actor=officer)
    with pytest.raises(RuleViolation):
        services.withdraw(pub, actor=officer, reason=" ", changed_on=date(2026, 9, 30))
    pub = services.withdraw(pub, actor=officer, reason="行政复议决定撤销原处罚决定", changed_on=date(2026, 9, 30),
                            on=date(2026, 10, 9))
    assert pub.status == Publication.Status.WITHDRAWN and pub.withdraw_due_on == date(2026, 10, 10)
    ev = Event.objects.get(action="publicity.withdrawn", subject=f"publication:{pub.pk}")
    assert json.loads(ev.payload)["late"] is False
    # republishing after a withdrawal is a decision of its own: the case is not listed as due again
    assert case.pk not in {r["case"].pk for r in services.due(case.agency)}


def test_publications_come_down_at_the_end_of_their_period(demo_loaded):
    case = _case("trv-decided")
    pub = services.publish(case, actor=_lead(case))
    services.take_down_expired(pub.take_down_on - timedelta(days=1))  # the demo's earlier ones come down
    pub.refresh_from_db()
    assert pub.status == Publication.Status.PUBLISHED  # not a day early
    assert services.take_down_expired(pub.take_down_on) >= 1
    pub.refresh_from_db()
    assert pub.status == Publication.Status.TAKEN_DOWN and pub.taken_down_on == pub.take_down_on


def test_the_masked_decision_document_leaks_nothing(demo_loaded):
    """The decision document in its masked version: the issued content scrubbed and filled into the same template;
    its text holds no identity number, phone, natural person's full name or address (standards.md §4(b))."""
    import zipfile
    from io import BytesIO

    from zhifa.documents import services as documents

    case = _case("trv-decided")
    officer = _lead(case)
    party = case.party
    party.kind, party.name, party.address = "person", "程玉梅", "平舆县东和店镇李湾村18号"
    party.birth_date = date(1980, 5, 6)
    party.save()
    case.refresh_from_db()
    facts = "当事人程玉梅（身份证号码411727198005061234，电话13912345678）住平舆县东和店镇李湾村18号，未签订合同。"
    d = documents.issue(documents.draft(case, "penalty_decision", {"facts": facts}, actor=officer), actor=officer,
                        on=case.decided_on)
    pub = services.publish(case, actor=officer)
    assert pub.document_id == d.pk
    data = services.masked_decision(pub)
    xml = zipfile.ZipFile(BytesIO(data)).read("word/document.xml").decode()
    text = re.sub(r"<[^>]+>", "", xml)
    assert masking.scan(text, names=["程玉梅"], addresses=["平舆县东和店镇李湾村18号"]) == []
    assert "程某某" in text and d.number.number in text


def test_decisions_not_to_publish_are_explained_for_a_while_late_ones_stay(demo_loaded):
    """The dashboard's list: a summary decision (not published by default policy) is listed with its reasons for
    EXPLAINED_DAYS after the decision, then no longer; an unpublished publishable decision stays, late, however old."""
    summary = _case("ent-summary-warning")
    decided = _case("trv-decided")
    agency = summary.agency

    def listed(today):
        return {r["case"].pk: r for r in services.due(agency, today=today)}

    rows = listed(summary.decided_on + timedelta(days=services.EXPLAINED_DAYS))
    assert rows[summary.pk]["reasons"] and summary.pk in rows
    later = summary.decided_on + timedelta(days=services.EXPLAINED_DAYS + 1)
    assert summary.pk not in listed(later)
    far = decided.decided_on + timedelta(days=400)
    assert listed(far)[decided.pk]["late"] and not listed(far)[decided.pk]["reasons"]
