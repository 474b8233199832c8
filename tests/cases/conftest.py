"""A bureau to work cases in: real catalog items (load_reference), qualified officers with certificates and
training, a 法制股 reviewer with the 法律职业资格, the director, a clerk and a registered party.

Dates are in 2026 (the holiday calendar of chinese_calendar covers it): the service takes ``today`` so a walk
can move through the months of a case.
"""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest

from zhifa.org import services as org


@pytest.fixture
def bureau(make_agency, domains):
    return make_agency("平舆县文化广电和旅游局", short_name="平文旅")


@pytest.fixture
def clerk(make_user, bureau):
    return make_user(bureau, roles=("clerk",), full_name="内勤丁")


@pytest.fixture
def make_officer(make_user, bureau, clerk, domains):
    """An officer who may enforce in 互联网上网服务 and 娱乐场所 throughout 2026 (certificate 2024–2028,
    onboarding in 2023, a week's refresher in 2024 and 2025)."""
    seq = itertools.count(1)

    def make(full_name: str, **kw):
        n = next(seq)
        person = make_user(kw.pop("agency", bureau), roles=kw.pop("roles", ("officer",)), full_name=full_name, **kw)
        org.add_certificate(holder=person, number=f"豫ZMD-2024-{n:04d}-{person.pk}", issuing_authority="河南省人民政府",
                            domains=[domains["NET"], domains["ENT"]], issued_on=date(2024, 1, 2),
                            valid_until=date(2028, 12, 31), actor=clerk)
        for kind, start, end, hours in (("onboarding", date(2023, 10, 9), date(2023, 11, 7), 176),
                                        ("refresher", date(2024, 10, 14), date(2024, 10, 18), 40),
                                        ("refresher", date(2025, 10, 13), date(2025, 10, 17), 40)):
            org.add_training(person=person, kind=kind, title=f"{kind} {start.year}", organiser="市文旅局",
                             start_on=start, end_on=end, hours=Decimal(hours), days=None, exam_result="passed",
                             exam_score=Decimal(90), actor=clerk)
        return person

    return make


@pytest.fixture
def zhang(make_officer):
    return make_officer("张三")


@pytest.fixture
def li(make_officer):
    return make_officer("李四")


@pytest.fixture
def wang(make_officer):
    return make_officer("王五")


@pytest.fixture
def reviewer(make_user, bureau):
    return make_user(bureau, roles=("reviewer",), full_name="法制股审核员", has_legal_qualification=True,
                     legal_qualification_no="A20201101000123")


@pytest.fixture
def head(make_user, bureau):
    return make_user(bureau, roles=("head",), full_name="局长赵")


@pytest.fixture
def host(make_user, bureau):
    """Appointed to host hearings; never investigated anything."""
    return make_user(bureau, roles=("reviewer",), full_name="听证主持人钱", has_legal_qualification=True,
                     legal_qualification_no="A20191101000456")


@pytest.fixture
def party(bureau):
    from zhifa.org.demo import make_uscc
    from zhifa.parties.models import Party

    return Party.objects.create(agency=bureau, kind="organisation", name="平舆县星河网络会所有限公司",
                                credit_code=make_uscc("平舆县星河网络会所有限公司"), representative="孙某",
                                address="平舆县清河大道 88 号")


@pytest.fixture
def person_party(bureau):
    from zhifa.parties.models import Party

    return Party.objects.create(agency=bureau, kind="person", name="周某", address="平舆县东皇街道")


@pytest.fixture
def as_user(client, verified_login):
    """Sign ``user`` in on the test client (with the second factor where their role needs it)."""
    def login(user):
        client.logout()
        return verified_login(client, user)
    return login
