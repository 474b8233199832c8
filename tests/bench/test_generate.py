"""The benchmark's synthetic data is data the application accepts: every state, a valid record chain, pages that
render, and a step the case service takes on a generated case (bench/generate.py, small scale)."""

from __future__ import annotations

import sys
import uuid
from collections import Counter
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import generate

from zhifa.cases import services
from zhifa.cases.models import Case, CaseClock, CaseHandler, CaseStep
from zhifa.law import procedure as proc
from zhifa.records.models import Event
from zhifa.records.services import verify_chain

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def generated(db):
    counts = generate.generate(400, per_agency=200, seed=3, progress=lambda line: None)
    return counts


def test_every_scenario_step_is_a_row_of_the_procedure_table():
    walks = generate.walks()
    reached = {state for _, state in walks}
    assert reached == {s.value for s in proc.State}  # the generator makes cases in every state
    for (procedure, state), options in walks.items():
        for w in options:
            assert w.states[-1] == state and w.procedure == procedure


def test_generated_cases_are_consistent(generated, client):
    assert Case.objects.count() == 400 == generated["case"]
    assert Case.objects.values("agency").distinct().count() == 2
    states = Counter(Case.objects.values_list("state", flat=True))
    assert states["archived"] > 100 and len(states) >= 15, states
    # every step has its hash-chained event, and the chain verifies as the record service writes it
    assert CaseStep.objects.count() == Event.objects.filter(action__startswith="cases.").count()
    checked, broken = verify_chain()
    assert broken is None and checked == Event.objects.count()
    # versions are the number of steps; the urgency fields are those of the running clocks
    for case in Case.objects.order_by("?")[:40]:
        assert case.version == case.steps.count()
        before = (case.next_due, case.next_party_due)
        services.set_urgency(case)
        assert (case.next_due, case.next_party_due) == before
    # terminal cases have no running clock
    assert not CaseClock.objects.filter(case__state__in=["archived", "not_filed"], stopped_on__isnull=True).exists()


def test_generated_case_pages_render_and_take_a_step(generated, client):
    case = Case.objects.filter(state="investigating").order_by("pk").first()
    lead = CaseHandler.objects.get(case=case, is_lead=True).user
    client.force_login(lead)
    page = client.get(reverse("cases:detail", args=[case.pk]))
    assert page.status_code == 200 and case.reference in page.content.decode()
    assert client.get(reverse("cases:list")).status_code == 200
    step = services.transition(case.pk, "inspect", actor=lead, idempotency_key=uuid.uuid4().hex,
                               today=timezone.localdate(), payload={
                                   "credentials_shown": True, "documents": [{"code": "inspection_record"}],
                                   "records": [{"code": "av_record_or_reason", "description": "全程录像"}]})
    assert step.version == case.version + 1
    _checked, broken = verify_chain()
    assert broken is None


def test_the_generator_refuses_a_database_with_other_cases(generated):
    from zhifa.org.models import Agency

    other = Agency.objects.exclude(code__startswith=generate.BENCH_PREFIX).first()
    Case.objects.filter(pk=Case.objects.first().pk).update(agency=other)
    with pytest.raises(SystemExit):
        generate.generate(10, progress=lambda line: None)
