"""The per-process cache of qualification data (``org.services.qualification_data``) and the stamp behind it.

The cache may only ever answer what a fresh read of the rows would answer: every way of changing the tables the
qualification rule reads — the services, ``QuerySet.update()``, bulk creation, deletion, raw SQL — changes the
stamp (database triggers), and a change rolled back leaves nothing stale behind. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from zhifa.catalog import fresh
from zhifa.org import services
from zhifa.org.models import AnnualReview, Certificate, CertificateStatusChange, QualificationStamp, Training, User

D = date
ON = D(2025, 6, 1)


@pytest.fixture
def clerk(make_user, agency):
    return make_user(agency, roles=("clerk",), full_name="内勤甲")


@pytest.fixture
def officer(make_user, agency, clerk, domains):
    p = make_user(agency, roles=("officer",), full_name="执法员乙")
    services.add_certificate(holder=p, number="豫文旅执 0001", issuing_authority="某某省人民政府",
                             domains=[domains["NET"], domains["ENT"]], issued_on=D(2024, 1, 1),
                             valid_until=D(2028, 12, 31), actor=clerk)
    for kind, start, end, hours in (("onboarding", D(2023, 10, 9), D(2023, 11, 7), 176),
                                    ("refresher", D(2024, 10, 14), D(2024, 10, 18), 40)):
        services.add_training(person=p, kind=kind, title=f"{kind} {start:%Y}", organiser="市文旅局", start_on=start,
                              end_on=end, hours=Decimal(hours), days=None, exam_result="none", exam_score=None,
                              actor=clerk)
    return p


def _stamp() -> int | None:
    row = QualificationStamp.objects.filter(pk=1).first()
    return row.value if row else None


def _cached(person) -> services.QualificationData:
    return services.qualification_data([person.pk])[person.pk]


def _fresh(person) -> services.QualificationData:
    return services._read_qualification({person.pk})[person.pk]


def _raw(sql: str, params=()) -> None:
    with connection.cursor() as cur:
        cur.execute(sql, params)


# Each way of writing a watched table; every one must change the stamp and what the cache answers.
CHANGES = [
    ("certificate: QuerySet.update (no signal)",
     lambda p, d: Certificate.objects.filter(holder=p).update(valid_until=D(2025, 3, 1))),
    ("certificate: deleted", lambda p, d: Certificate.objects.filter(holder=p).delete()),
    ("certificate domains: m2m remove", lambda p, d: p.certificates.get().domains.remove(d["NET"])),
    ("certificate domains: raw SQL delete",
     lambda p, d: _raw("DELETE FROM org_certificate_domains WHERE certificate_id = %s", [p.certificates.get().pk])),
    ("status change: bulk_create",
     lambda p, d: CertificateStatusChange.objects.bulk_create([CertificateStatusChange(
         certificate=p.certificates.get(), status="suspended", effective_on=D(2025, 5, 1), reason="暂扣")])),
    ("annual review: created", lambda p, d: AnnualReview.objects.create(
        certificate=p.certificates.get(), year=2024, reviewed_on=D(2025, 1, 10), passed=True)),
    ("training: QuerySet.update (no signal)",
     lambda p, d: Training.objects.filter(person=p, kind="refresher").update(hours=Decimal(1), days=Decimal(0))),
    ("training: raw SQL delete", lambda p, d: _raw("DELETE FROM org_training WHERE person_id = %s", [p.pk])),
    ("roles: groups cleared", lambda p, d: p.groups.clear()),
    ("roles: raw SQL delete",
     lambda p, d: _raw("DELETE FROM org_user_groups WHERE user_id = %s", [p.pk])),
]


@pytest.mark.parametrize(("label", "change"), CHANGES, ids=[c[0] for c in CHANGES])
def test_every_write_path_changes_the_answer(officer, domains, label, change):
    """Inside the writing transaction: SQLite's stamp changes with every row; PostgreSQL's once per transaction, and
    the transaction that changed it reads no stamp (no cache) until it commits."""
    before = _cached(officer)
    assert before == _fresh(officer)
    assert before.may_enforce(domains["NET"], ON, services.training_rules(officer.agency, ON), is_active=True).allowed
    stamp = fresh.fingerprint("qualification")
    change(officer, domains)
    after_stamp = fresh.fingerprint("qualification")
    assert after_stamp != stamp or after_stamp[-1] == "None", label
    after = _cached(officer)
    assert after == _fresh(officer) and after != before, label


@pytest.mark.django_db(transaction=True)
def test_committed_writes_change_the_stamp_and_the_cache_serves_between_them(officer, domains):
    """Each committed write (here each statement commits on its own) gives a new stamp, which other transactions
    read and key the cache on: between writes the cache answers without reading the rows."""
    seen = set()
    for label, change in CHANGES[:1] + CHANGES[4:7] + CHANGES[8:9]:
        stamp = fresh.fingerprint("qualification")
        assert stamp[-1] != "None" and stamp not in seen, label
        seen.add(stamp)
        before = _cached(officer)
        with CaptureQueriesContext(connection) as ctx:
            assert _cached(officer) == before  # served from the cache: only the fingerprint is read
        assert len(ctx.captured_queries) == 1, label
        change(officer, domains)
        assert fresh.fingerprint("qualification") != stamp, label
        assert _cached(officer) == _fresh(officer) != before, label


def test_the_cached_answer_is_the_rule_s_answer(officer, domains):
    """``QualificationData.may_enforce`` and ``services.may_enforce`` agree, for every domain and many days."""
    data = _cached(officer)
    for day in (D(2023, 12, 1), D(2024, 6, 1), ON, D(2026, 2, 2), D(2029, 1, 1)):
        rules = services.training_rules(officer.agency, day)
        for domain in domains.values():
            assert data.may_enforce(domain, day, rules, is_active=True) == \
                services.may_enforce(officer, domain, day, rules)
    officer.is_active = False
    assert not data.may_enforce(domains["NET"], ON, services.training_rules(officer.agency, ON),
                                is_active=False).allowed


def test_a_rolled_back_change_leaves_nothing_stale(officer):
    before = _cached(officer)
    with pytest.raises(RuntimeError), transaction.atomic():
        Certificate.objects.filter(holder=officer).update(valid_until=D(2025, 3, 1))
        inside = _cached(officer)
        assert inside != before  # seen inside the transaction that made it
        raise RuntimeError("rolled back")
    assert _cached(officer) == before == _fresh(officer)


def test_a_request_sees_its_own_changes(officer, clerk):
    """Inside a request the stamp is read once (catalog.fresh); a change made through the services drops it."""
    fresh._start()  # what request_started does (sending the signal would also close the test's connection)
    try:
        before = _cached(officer)
        cert = officer.certificates.get()
        services.change_certificate_status(cert, status="suspended", effective_on=D(2025, 5, 1),
                                           reason="涉嫌违纪，暂扣执法证", actor=clerk)
        assert _cached(officer) != before and _cached(officer) == _fresh(officer)
        services.set_roles(officer, ["reviewer"], actor=clerk)
        assert _cached(officer).roles == frozenset({"reviewer"})
    finally:
        fresh._finish()


def test_without_a_stamp_row_nothing_is_cached(officer):
    """A flushed database has no stamp row: every call reads the rows."""
    QualificationStamp.objects.all().delete()
    assert fresh.fingerprint("qualification")[-1] == "None"
    before = _cached(officer)
    User.objects.filter(pk=officer.pk).update(is_active=True)  # not a watched table
    Certificate.objects.filter(holder=officer).update(valid_until=D(2025, 3, 1))
    assert _stamp() is not None  # the trigger puts the row back
    assert _cached(officer) != before


@pytest.mark.django_db(transaction=True)  # committed writes: PostgreSQL caches nothing inside the writing transaction
@pytest.mark.parametrize("limit", [5_000, 1])
def test_the_first_miss_reads_everyone_on_a_small_platform(officer, make_agency, make_user, domains, monkeypatch,
                                                         limit):
    """Up to ``_READ_ALL_UP_TO`` people, the first read after a change fills the cache for every agency at once,
    so another bureau's page asks only for the stamp; above it, each agency's roster is read when first needed."""
    other = make_user(make_agency("乙县文化广电和旅游局"), roles=("officer",), full_name="执法员丙")
    monkeypatch.setattr(services, "_READ_ALL_UP_TO", limit)
    services._qualification.update(stamp=None, people={})
    assert _cached(officer) == _fresh(officer)
    with CaptureQueriesContext(connection) as ctx:
        data = _cached(other)
    assert data == _fresh(other)
    assert len(ctx.captured_queries) == (1 if limit > 1 else 1 + 1 + 7)  # stamp; or stamp, agencies, the 7 reads
    assert set(services._qualification["people"]) >= {officer.pk, other.pk}
