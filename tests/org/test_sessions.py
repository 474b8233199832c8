"""The session store (``zhifa.org.sessions``): Django's database sessions, read by a compiled query, with the same
answers — a live session's data, nothing for an expired, unknown or malformed key."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from zhifa.org.sessions import SessionStore

pytestmark = pytest.mark.django_db


def _saved(**data) -> str:
    store = SessionStore()
    store.update(data)
    store.create()
    return store.session_key


def test_the_engine_in_use():
    assert settings.SESSION_ENGINE == "zhifa.org.sessions"


def test_a_live_session_loads_its_data():
    key = _saved(who=7, agency="平舆县文化广电和旅游局")
    store = SessionStore(key)
    assert store["who"] == 7 and store["agency"] == "平舆县文化广电和旅游局" and store.session_key == key


def test_an_expired_session_loads_nothing_and_gets_no_key():
    key = _saved(who=7)
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    store = SessionStore(key)
    assert store.load() == {} and store.session_key is None


@pytest.mark.parametrize("key", ["x" * 32, "", None, "短"])
def test_unknown_or_malformed_keys_load_nothing(key):
    _saved(who=7)
    store = SessionStore(key)
    assert store.load() == {} and store.session_key is None


def test_saving_after_loading_keeps_the_row_and_clearsessions_removes_expired():
    key = _saved(who=7)
    store = SessionStore(key)
    store["who"] = 8
    store.save()
    assert SessionStore(key)["who"] == 8 and Session.objects.count() == 1
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - timedelta(days=1))
    SessionStore.clear_expired()
    assert not Session.objects.exists()
