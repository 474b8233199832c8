"""Policy parameters are dated data: each setting adds a row from its date, history is kept, and the
rules read the value in force on the date they ask about (DESIGN.md §4)."""

import json
from datetime import date

import pytest
from django.urls import reverse

from zhifa.catalog.models import PolicyValue
from zhifa.catalog.policies import PARAMETERS, training_rules, value_of
from zhifa.law.errors import RuleViolation
from zhifa.org.services import set_policy_value
from zhifa.records.models import Event

KEY = "training.yearly_min"
DEFAULT = PARAMETERS[KEY].default



@pytest.fixture
def sysadmin(make_user, agency):
    return make_user(agency, roles=("sysadmin",))


@pytest.fixture
def admin_client(client, verified_login, sysadmin):
    return verified_login(client, sysadmin)


def _post(client, key=KEY, **kw):
    data = {"value": "60", "unit": "hours", "effective_from": "2026-01-01",
            "citation": "省文化和旅游厅关于加强行政执法人员培训的通知", "note": "每人每年不少于60学时"}
    data.update(kw)
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(reverse("org:policy_edit", args=[key]), data)


def test_list_shows_every_parameter_with_its_default(admin_client):
    r = admin_client.get(reverse("org:policies"))
    assert r.status_code == 200
    html = r.content.decode()
    for param in PARAMETERS.values():
        assert param.label in html and param.key in html and param.help in html
        assert reverse("org:policy_edit", args=[param.key]) in html
    entries = {e["param"].key: e for e in r.context["entries"]}
    assert entries[KEY]["current"] == "1周" and entries[KEY]["is_default"]
    assert entries["certificate.expiry_alert_days"]["current"] == "60 天"
    assert entries["certificate.annual_review_required"]["current"] == "否"
    assert "默认值" in html and "尚未设置" in html


def test_setting_60_hours_from_2026_01_01(admin_client, agency, sysadmin):
    r = _post(admin_client)
    assert r.status_code == 302 and r["Location"] == reverse("org:policies")
    assert value_of(KEY, agency, date(2026, 1, 1)) == {"value": 60, "unit": "hours"}
    assert value_of(KEY, agency, date(2026, 7, 1)) == {"value": 60, "unit": "hours"}
    assert value_of(KEY, agency, date(2025, 12, 31)) == DEFAULT
    assert str(training_rules(agency, date(2026, 3, 1)).yearly_min) == "60学时"
    row = PolicyValue.objects.get(key=KEY)
    assert row.agency == agency and row.set_by == sysadmin and row.citation.startswith("省文化和旅游厅")
    ev = Event.objects.get(action="catalog.policy_set")
    payload = json.loads(ev.payload)
    assert payload["value"] == {"value": 60, "unit": "hours"} and payload["previous"] == DEFAULT
    assert payload["effective_from"] == "2026-01-01" and ev.actor_id == sysadmin.pk


def test_history_is_kept_and_each_date_reads_its_value(admin_client, agency):
    assert _post(admin_client).status_code == 302
    assert _post(admin_client, value="40", effective_from="2027-01-01", note="调整").status_code == 302
    rows = PolicyValue.objects.filter(key=KEY, agency=agency)
    assert rows.count() == 2  # never edited in place
    assert value_of(KEY, agency, date(2025, 6, 1)) == DEFAULT
    assert value_of(KEY, agency, date(2026, 6, 1)) == {"value": 60, "unit": "hours"}
    assert value_of(KEY, agency, date(2027, 6, 1)) == {"value": 40, "unit": "hours"}
    r = admin_client.get(reverse("org:policy_edit", args=[KEY]))
    history = r.context["entry"]["history"]
    assert [h["value"] for h in history] == ["40学时", "60学时"]
    today = date.today()
    in_force = [h["value"] for h in history if h["in_force"]]
    assert in_force == (["60学时"] if today < date(2027, 1, 1) else ["40学时"])
    # the list marks the same row as `value_of` reads
    assert r.context["entry"]["current"] == in_force[0]


def test_edit_form_offers_units_in_chinese_and_the_current_value(admin_client):
    r = admin_client.get(reverse("org:policy_edit", args=[KEY]))
    assert r.status_code == 200
    html = r.content.decode()
    for label in ("学时", "天", "周", "个月", "生效日期", "依据", "说明"):
        assert label in html
    assert '<option value="weeks" selected>' in html


@pytest.mark.parametrize("data,field,message", [
    ({"value": "-5"}, "value", "大于 0"),
    ({"value": "0"}, "value", "大于 0"),
    ({"value": "abc"}, "value", "请输入数字"),
    ({"value": ""}, "value", "请填写数量"),
    ({"unit": "years"}, "unit", "单位只能是"),
    ({"effective_from": "2026-02-30"}, "effective_from", "有效日期"),
    ({"citation": ""}, "citation", "请填写依据"),
])
def test_bad_values_refused_on_the_field(admin_client, agency, data, field, message):
    r = _post(admin_client, **data)
    assert r.status_code == 200
    errors = r.context["form"].errors
    assert field in errors and message in errors[field][0], errors
    html = r.content.decode()
    assert message in html
    if field != "citation":
        assert "省文化和旅游厅关于加强行政执法人员培训的通知" in html  # typed values kept
    assert not PolicyValue.objects.exists()
    assert not Event.objects.filter(action="catalog.policy_set").exists()


def test_fractional_hours_are_kept(admin_client, agency):
    assert _post(admin_client, value="7.5", unit="days").status_code == 302
    assert value_of(KEY, agency, date(2026, 2, 1)) == {"value": 7.5, "unit": "days"}


@pytest.mark.parametrize("value,ok", [("0", False), ("366", False), ("1.5", False), ("30", True)])
def test_integer_parameter_checked_by_its_rule(admin_client, agency, value, ok):
    r = _post(admin_client, key="certificate.expiry_alert_days", value=value, unit=None)
    if ok:
        assert r.status_code == 302
        assert value_of("certificate.expiry_alert_days", agency, date(2026, 1, 1)) == 30
    else:
        assert r.status_code == 200 and "value" in r.context["form"].errors
        assert not PolicyValue.objects.exists()


def test_boolean_parameter_is_a_checkbox(admin_client, agency):
    key = "certificate.annual_review_required"
    r = admin_client.get(reverse("org:policy_edit", args=[key]))
    assert 'type="checkbox" name="value"' in r.content.decode()
    assert _post(admin_client, key=key, value="on", unit=None).status_code == 302
    assert value_of(key, agency, date(2026, 1, 1)) is True
    assert _post(admin_client, key=key, value=None, unit=None, effective_from="2026-06-01").status_code == 302
    assert value_of(key, agency, date(2026, 6, 1)) is False
    assert PolicyValue.objects.filter(key=key).count() == 2


def test_unknown_key_is_404(admin_client):
    assert admin_client.get(reverse("org:policy_edit", args=["no.such.key"])).status_code == 404
    assert _post(admin_client, key="no.such.key").status_code == 404


def test_value_applies_to_the_agency_and_those_under_it_only(admin_client, agency, make_agency):
    child = make_agency("下级", parent=agency)
    sibling = make_agency("兄弟单位")
    assert _post(admin_client).status_code == 302
    assert value_of(KEY, child, date(2026, 3, 1)) == {"value": 60, "unit": "hours"}
    assert value_of(KEY, sibling, date(2026, 3, 1)) == DEFAULT


def test_child_agency_sees_inherited_row_in_history(client, verified_login, agency, make_agency, make_user,
                                                    admin_client):
    child = make_agency("下级", parent=agency)
    assert _post(admin_client).status_code == 302
    client.logout()
    verified_login(client, make_user(child, roles=("sysadmin",)))
    r = client.get(reverse("org:policy_edit", args=[KEY]))
    assert "（上级）" in r.content.decode()
    assert r.context["entry"]["history"][0]["own"] is False


@pytest.mark.parametrize("role", ["officer", "secadmin", "auditadmin", "head"])
def test_only_sysadmin_sets_policies(client, verified_login, make_user, agency, role):
    verified_login(client, make_user(agency, roles=(role,)))
    assert client.get(reverse("org:policies")).status_code == 403
    assert client.get(reverse("org:policy_edit", args=[KEY])).status_code == 403
    assert _post(client).status_code == 403
    assert not PolicyValue.objects.exists()


def test_service_checks_too(sysadmin, make_user, agency):
    with pytest.raises(RuleViolation) as exc:
        set_policy_value(actor=sysadmin, key=KEY, value={"value": 60, "unit": "fortnights"},
                         effective_from=date(2026, 1, 1), citation="x")
    assert exc.value.field == "unit"
    with pytest.raises(RuleViolation) as exc:
        set_policy_value(actor=make_user(agency, roles=("officer",)), key=KEY,
                         value={"value": 60, "unit": "hours"}, effective_from=date(2026, 1, 1), citation="x")
    assert exc.value.code == "forbidden"
    with pytest.raises(RuleViolation) as exc:
        set_policy_value(actor=sysadmin, key="nope", value=1, effective_from=date(2026, 1, 1), citation="x")
    assert exc.value.code == "policy_unknown"
    assert not PolicyValue.objects.exists()


@pytest.mark.django_db
def test_values_of_agrees_with_value_of(agency, django_assert_num_queries):
    # several parameters in one query, each as value_of gives it (agency value over the default)
    from zhifa.catalog.models import PolicyValue
    from zhifa.catalog.policies import value_of, values_of

    PolicyValue.objects.create(key="hearing.fine_person", agency=agency, value=5000, effective_from=date(2020, 1, 1))
    keys = ["hearing.fine_person", "hearing.fine_organisation", "review.kinds"]
    values_of(keys, agency, date(2026, 1, 1))  # the first read after a change loads the table
    with django_assert_num_queries(1):  # then one small query, whatever the number of parameters
        got = values_of(keys, agency, date(2026, 1, 1))
    assert got == {k: value_of(k, agency, date(2026, 1, 1)) for k in keys}
    assert got["hearing.fine_person"] == 5000


@pytest.mark.django_db(transaction=True)
def test_policy_snapshot_sees_new_values_at_once_and_forgets_rolled_back_ones(agency):
    from django.db import transaction

    from zhifa.catalog.models import PolicyValue
    from zhifa.catalog.policies import value_of

    on = date(2026, 1, 1)
    default = value_of("hearing.fine_person", agency, on)
    try:
        with transaction.atomic():
            PolicyValue.objects.create(key="hearing.fine_person", agency=agency, value=7000,
                                       effective_from=date(2020, 1, 1))
            assert value_of("hearing.fine_person", agency, on) == 7000  # seen inside the transaction
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    assert value_of("hearing.fine_person", agency, on) == default  # the rolled-back value is gone
    PolicyValue.objects.create(key="hearing.fine_person", agency=agency, value=6000, effective_from=date(2020, 1, 1))
    assert value_of("hearing.fine_person", agency, on) == 6000
    # a value changed behind the snapshot's back (another server) is seen by its signature
    PolicyValue.objects.filter(agency=agency, key="hearing.fine_person").delete()
    assert value_of("hearing.fine_person", agency, on) == default
