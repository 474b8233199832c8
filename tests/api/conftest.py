"""The bureau of tests/cases (qualified officers, reviewer, head, clerk, a party), a frozen "today", and a client
that speaks to the API with a token."""

from __future__ import annotations

import itertools
import json
from datetime import date

import pytest

from tests.cases.conftest import bureau, clerk, head, li, make_officer, party, reviewer, wang, zhang  # noqa: F401
from zhifa.api import tokens

_keys = itertools.count(1)


def new_key() -> str:
    return f"api-req-{next(_keys)}"


class Today:
    """The day the server believes it is (``timezone.localdate``), so a case can walk through 2026."""

    def __init__(self, monkeypatch, day: date) -> None:
        self.day = day
        monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: self.day)

    def set(self, day: date) -> None:
        self.day = day


@pytest.fixture
def today(monkeypatch):
    return Today(monkeypatch, date(2026, 3, 3))


class Api:
    """A test client with ``Authorization: Token …``."""

    def __init__(self, client, secret: str | None) -> None:
        self.client = client
        self.secret = secret

    def headers(self, key: str | None = None, **extra: str) -> dict[str, str]:
        h = dict(extra)
        if self.secret is not None:
            h["Authorization"] = f"Token {self.secret}"
        if key is not None:
            h["Idempotency-Key"] = key
        return h

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1{path}", params, headers=self.headers())

    def post(self, path: str, body=None, *, key: str | None = "auto", raw: bytes | str | None = None):
        if key == "auto":
            key = new_key()
        data = raw if raw is not None else json.dumps(body or {}, ensure_ascii=False)
        return self.client.post(f"/api/v1{path}", data=data, content_type="application/json",
                                headers=self.headers(key))


@pytest.fixture
def api_for(client):
    """``api_for(user)``: an API client holding a fresh token of ``user``."""

    def make(user) -> Api:
        _, secret = tokens.issue(user)
        return Api(client.__class__(), secret)

    return make
