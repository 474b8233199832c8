"""等保 level 3 on the login path (standards.md §1(c)): password rules, lockout after 5 failures
for 10 minutes, idle logout (15 minutes for administrators, 30 for others), and a second factor for
the three administrators and the heads. Real database, the Django test client, django-axes live.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db.models import F
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD
from zhifa.org.middleware import IDLE_KEY
from zhifa.records.models import Event

CJK = re.compile(r"[\u4e00-\u9fff]")


def _events(action: str, **filters):
    return Event.objects.filter(action=action, **filters)


def _login(client, username: str, password: str = PASSWORD):
    return client.post("/login/", {"username": username, "password": password})


def _token(device: TOTPDevice, offset: int = 0) -> str:
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits,
                drift=device.drift + offset)
    return f"{code:06d}"


def _wrong_token(device: TOTPDevice) -> str:
    """A code that is wrong in every window the device accepts (now, one step either side)."""
    accepted = {_token(device, k) for k in range(-device.tolerance - 1, device.tolerance + 2)}
    return next(t for t in (f"{n:06d}" for n in range(0, 1_000_000, 111_111)) if t not in accepted)


def _messages(exc: pytest.ExceptionInfo) -> list[str]:
    return exc.value.messages


# --- password policy ------------------------------------------------------------------------
@pytest.mark.argon2
def test_passwords_are_hashed_with_argon2(make_user, agency):
    user = make_user(agency=agency)
    assert user.password.startswith("argon2")
    assert user.check_password(PASSWORD)


def test_short_password_refused_in_chinese():
    with pytest.raises(ValidationError) as exc:
        validate_password("Ab1!xyz-9Q")  # 10 characters
    assert any("12" in m and CJK.search(m) for m in _messages(exc))


@pytest.mark.parametrize("password", ["qwertyuiop123", "iloveyou2026", "zhifa-2026-Ab", "Pingyu-123456"])
def test_common_and_blocklisted_passwords_refused(password):
    with pytest.raises(ValidationError) as exc:
        validate_password(password)
    assert _messages(exc)
    assert all(CJK.search(m) for m in _messages(exc)), _messages(exc)


def test_blocklist_names_the_weak_word():
    with pytest.raises(ValidationError) as exc:
        validate_password("Admin-12345!")
    assert any("常见弱口令" in m and "admin" in m for m in _messages(exc))


def test_repetitive_password_refused():
    with pytest.raises(ValidationError) as exc:
        validate_password("abababababababab")
    assert any("过于单一" in m for m in _messages(exc))


def test_character_classes_only_in_dengbao_mode():
    with override_settings(ZHIFA_DENGBAO_MODE=False):
        validate_password("alllowercaseletters-long")  # lower case and "-": two classes, accepted
    with override_settings(ZHIFA_DENGBAO_MODE=True):
        with pytest.raises(ValidationError) as exc:
            validate_password("alllowercaseletters-long")
        msgs = _messages(exc)
        assert any("等保" in m and "3 类" in m and "当前 2 类" in m for m in msgs), msgs
        validate_password("Mixed-Case-Long-Pass")  # three classes
        validate_password("mixedcase7-long-pass")  # lower, digit, other


def test_all_messages_are_chinese(make_user, agency):
    user = make_user(agency=agency, username="wangxiaoming", full_name="王小明")
    with override_settings(ZHIFA_DENGBAO_MODE=True), pytest.raises(ValidationError) as exc:
        validate_password("wangxiaoming", user)
    msgs = _messages(exc)
    assert len(msgs) >= 2  # similar to the username, too short, too few classes
    assert all(CJK.search(m) for m in msgs), msgs


# --- lockout --------------------------------------------------------------------------------
def test_five_failures_lock_the_account_for_ten_minutes(client, make_user, agency):
    user = make_user(agency=agency, username="zhangsan")
    for _ in range(4):
        r = _login(client, "zhangsan", "wrong-password-1")
        assert r.status_code == 200
        assert "用户名或密码不正确" in r.content.decode()
    r = _login(client, "zhangsan", "wrong-password-1")  # the fifth failure locks
    assert r.status_code == 429
    # The sixth attempt is refused even with the right password.
    r = _login(client, "zhangsan")
    assert r.status_code == 429
    html = r.content.decode()
    assert "已锁定" in html and "10 分钟" in html
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302

    locked = _events("auth.locked", subject=f"user:{user.pk}")
    assert locked.exists()
    assert '"minutes":10' in locked.first().payload
    failed = _events("auth.login_failed", subject=f"user:{user.pk}")
    assert failed.count() >= 5
    assert '"username":"zhangsan"' in failed.first().payload
    assert not _events("auth.login", subject=f"user:{user.pk}").exists()

    # Nine minutes later: still locked.
    attempts = AccessAttempt.objects.filter(username="zhangsan")
    attempts.update(attempt_time=F("attempt_time") - timedelta(minutes=9))
    assert _login(client, "zhangsan").status_code == 429
    # Ten minutes after the last failure: the lock is over and the right password works.
    attempts.update(attempt_time=F("attempt_time") - timedelta(minutes=10, seconds=1))
    r = _login(client, "zhangsan")
    assert r.status_code == 302 and r["Location"] == "/"
    assert client.get("/").status_code == 200
    assert _events("auth.login", subject=f"user:{user.pk}").exists()
    assert not AccessAttempt.objects.filter(username="zhangsan").exists()


def test_lockout_is_per_account_not_per_address(client, make_user, agency):
    make_user(agency=agency, username="locked1")
    make_user(agency=agency, username="colleague")
    for _ in range(5):
        _login(client, "locked1", "wrong-password-1")
    assert _login(client, "locked1").status_code == 429
    # A colleague behind the same office address signs in as usual.
    r = _login(client, "colleague")
    assert r.status_code == 302


def test_failed_login_is_recorded(client, make_user, agency):
    user = make_user(agency=agency, username="lisi")
    r = _login(client, "lisi", "not-the-password")
    assert r.status_code == 200
    assert "连续 5 次失败将锁定账户" in r.content.decode()
    ev = _events("auth.login_failed", subject=f"user:{user.pk}").get()
    assert ev.actor_id is None and ev.agency_id == agency.pk
    assert "not-the-password" not in ev.payload
    # An unknown user name is recorded too, without inventing a user.
    _login(client, "nobody-here", "whatever-pass")
    assert _events("auth.login_failed", subject="username:nobody-here").exists()


def test_successful_login_resets_the_failures(client, make_user, agency):
    make_user(agency=agency, username="wangwu")
    for _ in range(3):
        assert _login(client, "wangwu", "wrong-password-1").status_code == 200
    assert _login(client, "wangwu").status_code == 302
    assert not AccessAttempt.objects.filter(username="wangwu").exists()
    client.post("/logout/")
    # Four more failures: not five in a row, so no lock.
    for _ in range(4):
        assert _login(client, "wangwu", "wrong-password-1").status_code == 200
    assert _login(client, "wangwu").status_code == 302


# --- idle timeout ---------------------------------------------------------------------------
def _idle(client, minutes: float) -> None:
    session = client.session
    session[IDLE_KEY] = time.time() - minutes * 60
    session.save()


def test_officer_logged_out_after_30_idle_minutes(client, make_user, agency):
    user = make_user(agency=agency, roles=("officer",))
    client.force_login(user)
    _idle(client, 31)
    r = client.get("/org/roster/?unit=1&q=a")
    assert r.status_code == 302
    assert r["Location"] == "/login/?next=%2Forg%2Froster%2F%3Funit%3D1%26q%3Da"
    ev = _events("auth.idle_logout", subject=f"user:{user.pk}").get()
    assert '"limit":1800' in ev.payload
    assert _events("auth.logout", subject=f"user:{user.pk}").exists()
    # The login page says why, in Chinese; the user is signed out.
    page = client.get(r["Location"])
    assert "已自动退出" in page.content.decode()
    assert client.get("/").status_code == 302


def test_officer_still_in_after_29_idle_minutes(client, make_user, agency):
    user = make_user(agency=agency, roles=("officer",))
    client.force_login(user)
    _idle(client, 29)
    assert client.get("/").status_code == 200
    assert not _events("auth.idle_logout").exists()
    # The request itself counts as activity.
    assert time.time() - client.session[IDLE_KEY] < 60


def test_activity_is_stamped_at_most_once_a_minute(client, make_user, agency):
    """A page view within a minute of the stored activity does not write the session (a read, not a write);
    the stamp is then at most a minute old, so a logout can come up to a minute early, never late."""
    user = make_user(agency=agency, roles=("officer",))
    client.force_login(user)
    client.get("/")
    stamp = client.session[IDLE_KEY]
    client.get("/")
    assert client.session[IDLE_KEY] == stamp  # not rewritten within the minute
    _idle(client, 2)
    client.get("/")
    assert time.time() - client.session[IDLE_KEY] < 60  # rewritten after it


@pytest.mark.parametrize("role", ["sysadmin", "secadmin", "auditadmin"])
def test_administrator_logged_out_after_15_idle_minutes(client, make_user, agency, verified_login, role):
    admin = make_user(agency=agency, roles=(role,))
    verified_login(client, admin)
    _idle(client, 14)
    assert client.get("/").status_code == 200
    _idle(client, 16)
    r = client.get("/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")
    ev = _events("auth.idle_logout", subject=f"user:{admin.pk}").get()
    assert '"limit":900' in ev.payload


def test_head_has_the_30_minute_limit(client, make_user, agency, verified_login):
    head = make_user(agency=agency, roles=("head",))
    verified_login(client, head)
    _idle(client, 20)
    assert client.get("/").status_code == 200


# --- second factor --------------------------------------------------------------------------
SECOND_FACTOR_ROLES = ["sysadmin", "secadmin", "auditadmin", "head"]


@pytest.mark.parametrize("role", SECOND_FACTOR_ROLES)
def test_second_factor_roles_must_enrol_first(client, make_user, agency, role):
    user = make_user(agency=agency, roles=(role,))
    r = _login(client, user.username)
    assert r.status_code == 302
    for path in ("/", "/org/roster/", "/org/people/", "/parties/"):
        r = client.get(path)
        assert r.status_code == 302, path
        assert r["Location"].startswith("/otp/setup/?next="), (path, r["Location"])
    assert client.get("/otp/setup/").status_code == 200


@pytest.mark.parametrize("role", SECOND_FACTOR_ROLES)
def test_second_factor_roles_with_a_device_must_verify(client, make_user, agency, role):
    user = make_user(agency=agency, roles=(role,))
    device = TOTPDevice.objects.create(user=user, name="手机", confirmed=True)
    assert _login(client, user.username).status_code == 302
    for path in ("/", "/org/roster/"):
        r = client.get(path)
        assert r.status_code == 302
        assert r["Location"] == f"/otp/verify/?next={path.replace('/', '%2F')}"
    # Enrolling another device is no way around the check.
    assert client.get("/otp/setup/")["Location"].startswith("/otp/verify/")

    r = client.post("/otp/verify/?next=/org/roster/", {"token": _token(device), "next": "/org/roster/"})
    assert r.status_code == 302 and r["Location"] == "/org/roster/"
    assert _events("auth.otp_verified", subject=f"user:{user.pk}").exists()
    assert client.get("/").status_code == 200
    assert client.get("/org/roster/").status_code != 302


def test_wrong_code_gives_a_chinese_error_on_the_field(client, make_user, agency):
    user = make_user(agency=agency, roles=("head",))
    device = TOTPDevice.objects.create(user=user, name="手机", confirmed=True)
    _login(client, user.username)
    r = client.post("/otp/verify/", {"token": _wrong_token(device)})
    assert r.status_code == 200
    errors = r.context["form"].errors["token"]
    assert errors and "不正确" in errors[0]
    assert _events("auth.otp_failed", subject=f"user:{user.pk}").exists()
    assert client.get("/")["Location"].startswith("/otp/verify/")

    # Straight after a wrong code django-otp refuses any code for a moment: the page says to wait
    # rather than calling a right code wrong.
    r = client.post("/otp/verify/", {"token": _token(device)})
    assert r.status_code == 200
    assert "稍等" in r.context["form"].errors["token"][0]
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=F("throttling_failure_timestamp") - timedelta(seconds=5))
    r = client.post("/otp/verify/", {"token": _token(device)})
    assert r.status_code == 302
    assert client.get("/").status_code == 200


def test_malformed_code_is_refused_in_chinese(client, make_user, agency):
    user = make_user(agency=agency, roles=("sysadmin",))
    TOTPDevice.objects.create(user=user, name="手机", confirmed=True)
    _login(client, user.username)
    for token, text in (("", "请输入"), ("12ab56", "6 位数字"), ("123", "6 位数字")):
        r = client.post("/otp/verify/", {"token": token})
        assert r.status_code == 200
        assert text in r.context["form"].errors["token"][0]


def test_enrolment_confirms_the_device(client, make_user, agency):
    user = make_user(agency=agency, roles=("secadmin",))
    _login(client, user.username)
    r = client.get("/otp/setup/?next=/org/people/")
    assert r.status_code == 200
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    html = r.content.decode()
    assert r.context["secret"] in html and "<svg" in html

    r = client.post("/otp/setup/?next=/org/people/", {"token": _wrong_token(device), "next": "/org/people/"})
    assert r.status_code == 200 and "不正确" in r.context["form"].errors["token"][0]
    device.refresh_from_db()
    assert not device.confirmed
    device.throttle_reset()

    r = client.post("/otp/setup/?next=/org/people/", {"token": _token(device), "next": "/org/people/"})
    assert r.status_code == 302 and r["Location"] == "/org/people/"
    device.refresh_from_db()
    assert device.confirmed
    assert TOTPDevice.objects.filter(user=user).count() == 1
    assert _events("auth.otp_enrolled", subject=f"user:{user.pk}").exists()
    assert client.get("/").status_code == 200

    # Next time: the code from the enrolled device, not a new enrolment.
    client.post("/logout/")
    _login(client, user.username)
    assert client.get("/")["Location"].startswith("/otp/verify/")


def test_officer_needs_no_second_factor(client, make_user, agency):
    user = make_user(agency=agency, roles=("officer", "reviewer"))
    assert not user.needs_second_factor
    r = _login(client, user.username)
    assert r.status_code == 302 and r["Location"] == "/"
    assert client.get("/").status_code == 200
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_logout_is_open_before_the_second_factor(client, make_user, agency):
    user = make_user(agency=agency, roles=("auditadmin",))
    _login(client, user.username)
    r = client.post("/logout/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")
    assert "_auth_user_id" not in client.session
