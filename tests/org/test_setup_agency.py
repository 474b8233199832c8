"""`zhifa setup_agency`: a real installation's agency and its three administrators."""

import io
import re

import pytest
from django.core.management import CommandError, call_command

from zhifa.org.models import Agency, User
from zhifa.records.models import Event

ARGS = ["--code", "411723001", "--region", "411723", "--name", "平舆县文化广电和旅游局", "--short-name", "平文旅",
        "--admin", "sysadmin:xitong:吴某", "--admin", "secadmin:anquan:郑某", "--admin", "auditadmin:shenji:冯某"]


def _run(*args):
    out = io.StringIO()
    call_command("setup_agency", *args, stdout=out)
    return out.getvalue()


def test_creates_agency_and_admins_with_temporary_passwords(db, client):
    out = _run(*ARGS)
    agency = Agency.objects.get(code="411723001")
    assert agency.document_name == agency.name and agency.short_name == "平文旅"
    passwords = dict(re.findall(r"^\s+(\w+)\s.*临时密码：(\S+)$", out, flags=re.M))
    assert set(passwords) == {"xitong", "anquan", "shenji"}
    for username, password in passwords.items():
        user = User.objects.get(username=username)
        assert user.agency == agency and user.must_change_password and user.check_password(password)
        assert len(user.role_codes()) == 1 and user.needs_second_factor
    assert Event.objects.filter(action="org.agency_created").count() == 1
    # the temporary password signs in; then the second factor, then the password change
    r = client.post("/login/", {"username": "xitong", "password": passwords["xitong"]})
    assert r.status_code == 302
    assert client.get("/").status_code == 302  # to otp setup
    # a second run changes nothing and prints no password
    again = _run(*ARGS)
    assert "临时密码" not in again and Agency.objects.count() == 1 and User.objects.count() == 3


@pytest.mark.parametrize(("change", "message"), [
    (["--region", "41172"], "行政区划代码应为 6 位数字"),
    (["--admin", "officer:x:某"], "管理员角色只能是"),
    (["--admin", "sysadmin:x"], "管理员应写作 角色:用户名:姓名"),
    (["--parent", "nope"], "找不到机关代码为 nope 的上级机关"),
])
def test_bad_arguments_are_named(db, change, message):
    args = ["--code", "T1", "--region", "411723", "--name", "某局", *change]
    with pytest.raises(CommandError, match=message):
        _run(*args)
    assert not Agency.objects.exists()


def test_one_person_cannot_hold_two_admin_roles(db):
    with pytest.raises(CommandError, match="三员分立"):
        _run("--code", "T1", "--region", "411723", "--name", "某局",
             "--admin", "sysadmin:same:甲", "--admin", "auditadmin:same:甲")
    assert not User.objects.exists()
