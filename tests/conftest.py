"""Shared fixtures: a real database (SQLite or PostgreSQL by DATABASE_URL), agencies, people."""

from __future__ import annotations

import io
import itertools

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

# Two cores shared with a browser and a database: time is not what property tests are about.
hypothesis_settings.register_profile("zhifa", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("zhifa")

PASSWORD = "Zhifa-Test-Passw0rd-2026"
_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _keep_language():
    """LocaleMiddleware leaves the last request's language active in this thread: put it back, so
    tests that run later in the same process (validators called directly) still get Chinese."""
    from django.utils import translation

    before = translation.get_language()
    yield
    translation.activate(before)


@pytest.fixture(autouse=True)
def _empty_cache():
    """The local-memory cache outlives a test's database: what one test cached (the portal's counts) must not
    answer the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session")
def evidence_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("evidence")


@pytest.fixture(autouse=True)
def _evidence_storage(settings, evidence_dir):
    """Evidence files (zhifa.cases.files) go to a temporary directory, not to the project's var/evidence."""
    settings.STORAGES = {**settings.STORAGES, "evidence": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(evidence_dir)}}}


@pytest.fixture(scope="session")
def search_replica_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("search")


@pytest.fixture(autouse=True)
def _search_replica(settings, search_replica_dir):
    """PostgreSQL's local copies of the search index (zhifa.publicity.replica) go to a temporary directory."""
    settings.ZHIFA_SEARCH_REPLICA_DIR = search_replica_dir


@pytest.fixture(autouse=True)
def _fast_password_hashing(request, settings):
    """Argon2 at production cost takes ~0.5 s a hash here; tests about hashing itself are marked `argon2`."""
    if request.node.get_closest_marker("argon2") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def domains(db):
    """The reference domains (NET, ENT, PER, TRV …) as a dict code → Domain."""
    from zhifa.catalog.models import Domain

    call_command("load_reference", verbosity=0, stdout=io.StringIO())
    return {d.code: d for d in Domain.objects.all()}


@pytest.fixture
def make_agency(db):
    from zhifa.org.models import Agency

    def make(name: str = "测试县文化广电和旅游局", parent=None, **kw) -> Agency:
        n = next(_seq)
        defaults = {"code": f"T{n:05d}", "region_code": "411723", "document_name": name, "short_name": "测文旅"}
        defaults.update(kw)
        return Agency.objects.create(name=name, parent=parent, **defaults)

    return make


@pytest.fixture
def agency(make_agency):
    return make_agency()


@pytest.fixture
def make_user(db, domains):
    from zhifa.org.models import User
    from zhifa.org.services import set_roles

    def make(agency=None, roles=("officer",), username: str | None = None, password: str = PASSWORD,
             **kw) -> User:
        n = next(_seq)
        user = User.objects.create_user(username=username or f"user{n}", password=password,
                                        full_name=kw.pop("full_name", f"测试人员{n}"), agency=agency, **kw)
        set_roles(user, roles, actor=None)
        return user

    return make


@pytest.fixture
def verified_login():
    """Log a user in on a test client, with the second factor passed when their role needs it."""

    def login(client, user):
        client.force_login(user)
        if user.needs_second_factor:
            from django_otp.plugins.otp_totp.models import TOTPDevice

            device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or \
                TOTPDevice.objects.create(user=user, name="test", confirmed=True)
            session = client.session
            session["otp_device_id"] = device.persistent_id
            session.save()
        return client

    return login


@pytest.fixture
def demo_loaded(_evidence_storage):
    """The demo bureau with its cases (``zhifa load_demo``), for tests that work on its cases (tests/demo.py)."""
    import io

    from django.core.management import call_command

    call_command("load_demo", stdout=io.StringIO())

