"""Bad input anywhere gets an answer, never a server error (500) or a traceback.

Every page of the bureau's screens is requested, by every role, with garbage in the query string
and in every form field the page has (read from the page itself): impossible dates, letters for
numbers, null bytes, very long text, unknown choices. The Django test client re-raises any
exception a view lets escape, so a crash fails the test with its traceback.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import get_resolver

from zhifa.catalog.policies import PARAMETERS
from zhifa.org import services
from zhifa.parties.models import Licence, Party, Premises

GARBAGE_VALUES = ["", "2026-13-45", "abc", "99999999999999999999", "\x00<script>", "丁" * 500]
GARBAGE_QUERY = {"on": "2026-02-30", "page": "-3", "status": "zzz", "q": "丁" * 300, "before": "x1",
                 "unit": "abc", "role": "nope", "kind": "???", "action": "DROP TABLE", "date_from": "1-1-1",
                 "date_to": "tomorrow", "actor": "0x10", "licence": "x", "business_type": "\x00"}
OK = {200, 302, 400, 403, 404, 405}


def _routes():
    def walk(patterns, prefix=""):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            else:
                yield prefix + str(p.pattern)

    for route in walk(get_resolver().url_patterns):
        if route.startswith(("org/", "parties/", "account/")) or route in ("", "health") or (
                route.startswith("catalog/") and "<" not in route):
            yield route


@pytest.fixture
def world(agency, make_user, domains):
    sysadmin = make_user(agency, roles=("sysadmin",))
    clerk = make_user(agency, roles=("clerk",))
    officer = make_user(agency, roles=("officer",))
    cert = services.add_certificate(holder=officer, number="豫测-0001", issuing_authority="河南省人民政府",
                                    domains=[domains["NET"]], issued_on=date(2025, 1, 1),
                                    valid_until=date(2029, 12, 31), actor=clerk)
    party = Party.objects.create(agency=agency, kind="organisation", name="平舆县测试网吧有限公司",
                                 credit_code="91411723MA0000000X", representative="王某")
    premises = Premises.objects.create(party=party, name="测试网吧", business_type="internet_cafe",
                                       address="平舆县清河大道 1 号")
    licence = Licence.objects.create(party=party, premises=premises, kind="network_culture", number="豫网文-1",
                                     valid_from=date(2025, 1, 1), valid_until=date(2027, 1, 1))
    ids = {"people": officer.pk, "certificates": cert.pk, "units": 0, "premises": premises.pk,
           "licences": licence.pk, "parties": party.pk}
    users = [sysadmin, clerk, officer, make_user(agency, roles=("secadmin",)),
             make_user(agency, roles=("auditadmin",)), make_user(agency, roles=("head", "reviewer"))]
    return users, ids


def _url(route: str, ids: dict, pk_override: int | None = None) -> str | None:
    if "<str:key>" in route:
        route = route.replace("<str:key>", next(iter(PARAMETERS)))
    if "<int:pk>" in route:
        owner = next((k for k in ("certificates", "premises", "licences", "units", "people", "parties")
                      if f"{k}/<int:pk>" in route), None)
        if owner is None:
            return None
        route = route.replace("<int:pk>", str(pk_override if pk_override is not None else ids[owner]))
    return "/" + route


def _field_names(html: str) -> set[str]:
    names = set(re.findall(r'<(?:input|select|textarea)[^>]*\sname="([^"]+)"', html))
    return names - {"csrfmiddlewaretoken", "next", "language"}


def test_every_page_survives_garbage(client, world, verified_login):
    users, ids = world
    checked = 0
    for user in users:
        client.logout()
        verified_login(client, user)
        for route in _routes():
            for pk in ((None, 10**20) if "<int:pk>" in route else (None,)):
                url = _url(route, ids, pk)
                if url is None:
                    continue
                r = client.get(url, GARBAGE_QUERY)
                assert r.status_code in OK, (user, url, r.status_code)
                fields = _field_names(r.content.decode("utf-8", "replace")) if r.status_code == 200 else set()
                for value in GARBAGE_VALUES:
                    data = dict.fromkeys(fields, value) or {"x": value}
                    r = client.post(url, data)
                    assert r.status_code in OK, (user, url, value[:20], r.status_code)
                    checked += 1
    assert checked > 500


@pytest.mark.parametrize("value", GARBAGE_VALUES)
def test_sign_in_pages_survive_garbage(client, db, value):
    for url in ("/login/", "/platform-admin/login/", "/otp/verify/", "/otp/setup/", "/account/password/",
                "/org/roster/", "/parties/"):
        r = client.post(url, {"username": value, "password": value, "token": value, "next": value})
        assert r.status_code in OK | {429}, (url, r.status_code)
