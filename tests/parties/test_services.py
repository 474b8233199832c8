"""The registry's services: validation by kind, duplicates, similar names, licences, events."""

import json
from datetime import date, timedelta

import pytest

from zhifa.law.errors import RuleViolation
from zhifa.parties import services
from zhifa.parties.models import Licence, Party, Premises
from zhifa.records.models import Event

ORG_CODE = "91350100M000100Y43"
ORG_CODE_2 = "91110000600037341L"
PERSON_ID = "11010519491231002X"


def individual_code() -> str:
    from stdnum.cn import uscc

    body = "92350100MA2Y0AB3X"
    return body + uscc.calc_check_digit(body)


@pytest.fixture
def officer(agency, make_user):
    return make_user(agency, roles=("officer",))


def org(**kw):
    return {"kind": "organisation", "name": "某某网络科技有限公司", "credit_code": ORG_CODE,
            "representative": "张三", **kw}


def person(**kw):
    return {"kind": "person", "name": "李四", "id_type": "resident_id", "id_number": PERSON_ID, **kw}


def events(action):
    return [json.loads(e.payload) | {"_subject": e.subject} for e in Event.objects.filter(action=action)]


# --- required fields by kind ------------------------------------------------------------------
def test_organisation_needs_a_valid_credit_code_and_a_representative(agency, officer):
    with pytest.raises(RuleViolation) as e:
        services.create_party(agency=agency, actor=officer, data=org(credit_code=""))
    assert e.value.field == "credit_code" and "统一社会信用代码" in e.value.message
    with pytest.raises(RuleViolation) as e:
        services.create_party(agency=agency, actor=officer, data=org(representative=""))
    assert e.value.field == "representative" and "法定代表人/负责人" in e.value.message
    with pytest.raises(RuleViolation) as e:
        services.create_party(agency=agency, actor=officer, data=org(credit_code="91350100M000100Y44"))
    assert e.value.field == "credit_code"
    assert e.value.message == "统一社会信用代码校验码错误：第 18 位应为 3，实际为 4（GB 32100-2015）"
    assert Party.objects.count() == 0


def test_several_refusals_are_reported_together(agency, officer):
    with pytest.raises(services.Refusals) as e:
        services.create_party(agency=agency, actor=officer,
                              data=org(name="", credit_code="", representative=""))
    assert {v.field for v in e.value.violations} == {"name", "credit_code", "representative"}


def test_organisation_stores_normalised_code_and_full_width_brackets(agency, officer):
    data = org(name=" 某某(福州)文化  有限公司 ", credit_code="91350100m000100y43")
    saved = services.create_party(agency=agency, actor=officer, data=data)
    p = Party.objects.get()
    assert p.credit_code == ORG_CODE
    assert p.name == "某某（福州）文化 有限公司"
    assert saved.warnings == []


def test_organisation_refuses_personal_fields(agency, officer):
    with pytest.raises(services.Refusals) as e:
        data = org(id_type="resident_id", id_number=PERSON_ID, birth_date=date(1980, 1, 1))
        services.create_party(agency=agency, actor=officer, data=data)
    assert {v.field for v in e.value.violations} == {"id_number", "birth_date"}


def test_individual_business_needs_code_and_operator_and_checks_operator_id(agency, officer):
    data = {"kind": "individual", "name": "城关镇某某书店", "credit_code": individual_code(),
            "representative": "王五"}
    with pytest.raises(RuleViolation) as e:
        services.create_party(agency=agency, actor=officer, data={**data, "representative": ""})
    assert e.value.field == "representative" and "经营者" in e.value.message
    with pytest.raises(RuleViolation) as e:
        services.create_party(agency=agency, actor=officer,
                              data={**data, "representative_id_number": "110105194912310021"})
    assert e.value.field == "representative_id_number" and "校验码" in e.value.message
    saved = services.create_party(agency=agency, actor=officer,
                                  data={**data, "representative_id_number": "11010519491231002x"})
    assert saved.obj.representative_id_number == PERSON_ID


def test_individual_code_not_starting_92_is_a_warning(agency, officer):
    saved = services.create_party(agency=agency, actor=officer,
                                  data={"kind": "individual", "name": "某某网吧", "credit_code": ORG_CODE,
                                        "representative": "王五"})
    assert any("92 开头" in w for w in saved.warnings)


def test_inner_org_code_warning_is_returned_not_refused(agency, officer):
    from stdnum.cn import uscc

    code = "91350100M000100Y5" + uscc.calc_check_digit("91350100M000100Y5")
    saved = services.create_party(agency=agency, actor=officer, data=org(credit_code=code))
    assert any("GB 11714" in w for w in saved.warnings)


def test_person_needs_id_type_and_number_and_no_credit_code(agency, officer):
    with pytest.raises(services.Refusals) as e:
        services.create_party(agency=agency, actor=officer,
                              data=person(id_type="", id_number="", credit_code=ORG_CODE))
    assert {v.field for v in e.value.violations} == {"id_type", "id_number", "credit_code"}


def test_person_resident_id_normalised_and_birth_date_derived(agency, officer):
    saved = services.create_party(agency=agency, actor=officer, data=person(id_number="11010519491231002x"))
    p = Party.objects.get(pk=saved.obj.pk)
    assert p.id_number == PERSON_ID
    assert p.birth_date == date(1949, 12, 31)
    assert p.age_on(date(2024, 12, 30)) == 74


def test_person_typed_birth_date_must_agree_with_resident_id(agency, officer):
    with pytest.raises(RuleViolation) as e:
        services.create_party(agency=agency, actor=officer, data=person(birth_date=date(1950, 1, 1)))
    assert e.value.field == "birth_date" and "1949-12-31" in e.value.message
    saved = services.create_party(agency=agency, actor=officer, data=person(birth_date=date(1949, 12, 31)))
    assert saved.obj.birth_date == date(1949, 12, 31)


def test_person_bad_resident_id_is_refused_with_the_standard(agency, officer):
    with pytest.raises(RuleViolation) as e:
        services.create_party(agency=agency, actor=officer, data=person(id_number="110105194912310021"))
    assert e.value.field == "id_number" and e.value.message.endswith("（GB 11643-1999）")


def test_person_other_document_birth_date_optional_but_recommended(agency, officer):
    saved = services.create_party(agency=agency, actor=officer,
                                  data=person(id_type="passport", id_number="e 1234 5678"))
    assert saved.obj.id_number == "E12345678" and saved.obj.birth_date is None
    assert any("第三十条" in w for w in saved.warnings)
    with pytest.raises(RuleViolation) as e:
        services.create_party(agency=agency, actor=officer,
                              data=person(id_type="passport", id_number="E7654321",
                                          birth_date=date.today() + timedelta(days=1)))
    assert e.value.field == "birth_date"
    with pytest.raises(RuleViolation) as e:
        services.create_party(agency=agency, actor=officer, data=person(id_type="passport", id_number="护照"))
    assert e.value.field == "id_number"


def test_updating_the_number_re_derives_the_birth_date(agency, officer):
    p = services.create_party(agency=agency, actor=officer, data=person()).obj
    # The edit form still carries the old derived date; a new number derives its own.
    saved = services.update_party(p, actor=officer, data=person(id_number="360426199101010071",
                                                                birth_date=date(1949, 12, 31)))
    assert saved.obj.birth_date == date(1991, 1, 1)


# --- duplicates and similar names -------------------------------------------------------------
def test_duplicate_credit_code_refused_naming_the_existing_party(agency, officer):
    first = services.create_party(agency=agency, actor=officer, data=org()).obj
    with pytest.raises(services.Duplicate) as e:
        services.create_party(agency=agency, actor=officer, data=org(name="另一家公司"))
    assert e.value.field == "credit_code"
    assert e.value.existing_party_id == first.pk and "某某网络科技有限公司" in e.value.message
    assert Party.objects.count() == 1


def test_duplicate_resident_id_refused(agency, officer):
    first = services.create_party(agency=agency, actor=officer, data=person()).obj
    with pytest.raises(services.Duplicate) as e:
        services.create_party(agency=agency, actor=officer,
                              data=person(name="李四四", id_number="11010519491231002x"))
    assert e.value.field == "id_number" and e.value.existing_party_id == first.pk
    assert "110105********002X" in e.value.message


def test_same_numbers_allowed_in_another_agency(agency, make_agency, officer, make_user):
    other = make_agency("另一县文化广电和旅游局")
    other_officer = make_user(other, roles=("officer",))
    services.create_party(agency=agency, actor=officer, data=org())
    services.create_party(agency=agency, actor=officer, data=person())
    services.create_party(agency=other, actor=other_officer, data=org())
    services.create_party(agency=other, actor=other_officer, data=person())
    assert Party.objects.filter(agency=other).count() == 2


def test_update_may_keep_its_own_numbers_but_not_take_anothers(agency, officer):
    a = services.create_party(agency=agency, actor=officer, data=org()).obj
    services.create_party(agency=agency, actor=officer, data=org(name="乙公司", credit_code=ORG_CODE_2))
    services.update_party(a, actor=officer, data=org(phone="0591-1234567"))
    with pytest.raises(services.Duplicate):
        services.update_party(a, actor=officer, data=org(credit_code=ORG_CODE_2))
    a.refresh_from_db()
    assert a.credit_code == ORG_CODE and a.phone == "0591-1234567"


@pytest.mark.parametrize(("existing", "new", "similar"), [
    ("某某网络科技有限公司", "某某网络科技有限公司", True),  # same name (different code)
    ("某某网络科技有限公司", "福州某某网络科技有限公司", True),  # new contains existing
    ("福州某某网络科技有限公司", "某某网络科技", True),  # existing contains new (6 characters)
    ("某某网吧", "城关某某网吧连锁", True),  # contained name has exactly 4 characters
    ("网吧", "城关镇网吧", False),  # contained name shorter than 4
    ("某某网络科技有限公司", "其他文化传媒有限公司", False),
])
def test_similar_names_need_confirmation(agency, officer, existing, new, similar):
    services.create_party(agency=agency, actor=officer, data=org(name=existing))
    data = org(name=new, credit_code=ORG_CODE_2)
    if not similar:
        services.create_party(agency=agency, actor=officer, data=data)
        return
    with pytest.raises(services.NeedsConfirmation) as e:
        services.create_party(agency=agency, actor=officer, data=data)
    assert [p.name for p in e.value.similar] == [existing]
    assert Party.objects.count() == 1
    saved = services.create_party(agency=agency, actor=officer, data=data, confirm_similar=True)
    assert events("parties.created")[-1]["similar_confirmed"] == [e.value.similar[0].pk]
    assert saved.obj.pk


def test_similar_names_in_another_agency_do_not_count(agency, make_agency, officer):
    services.create_party(agency=make_agency("邻县局"), actor=officer, data=org())
    services.create_party(agency=agency, actor=officer, data=org())


# --- premises and licences --------------------------------------------------------------------
@pytest.fixture
def cafe(agency, officer):
    p = services.create_party(agency=agency, actor=officer, data=org(name="某某网吧有限公司")).obj
    data = {"name": "某某网吧", "business_type": "internet_cafe", "address": "城关镇人民路 1 号",
            "capacity": "120"}
    prem = services.add_premises(p, actor=officer, data=data).obj
    return p, prem


def licence(**kw):
    return {"kind": "network_culture", "number": "闽网文〔2024〕0001号", "valid_from": date(2024, 1, 1),
            "valid_until": date(2027, 1, 1), **kw}


def test_premises_required_fields_and_numbers(cafe, officer):
    party, prem = cafe
    assert prem.capacity == 120
    with pytest.raises(services.Refusals) as e:
        services.add_premises(party, actor=officer,
                              data={"name": "", "business_type": "casino", "address": "", "area_m2": "abc"})
    assert {v.field for v in e.value.violations} == {"name", "business_type", "address", "area_m2"}
    services.update_premises(prem, actor=officer,
                             data={"name": "某某网吧（人民路店）", "business_type": "internet_cafe",
                                   "address": prem.address, "capacity": 150, "is_active": True})
    prem.refresh_from_db()
    assert prem.capacity == 150
    assert events("parties.premises_updated")[-1]["changed"]["capacity"] == [120, 150]


def test_licence_dates_number_and_kind(cafe, officer):
    party, _prem = cafe
    with pytest.raises(RuleViolation) as e:
        services.add_licence(party, actor=officer, data=licence(valid_until=date(2023, 12, 31)))
    assert e.value.field == "valid_until" and "不能早于" in e.value.message
    with pytest.raises(RuleViolation) as e:
        services.add_licence(party, actor=officer, data=licence(number="  "))
    assert e.value.field == "number"
    # 有效期至 on the day it starts is allowed
    saved = services.add_licence(party, actor=officer, data=licence(valid_until=date(2024, 1, 1)))
    assert saved.obj.valid_until == date(2024, 1, 1)
    assert Licence.objects.count() == 1


def test_licence_duplicate_kind_and_number_in_agency(cafe, agency, officer, make_agency, make_user):
    party, _prem = cafe
    services.add_licence(party, actor=officer, data=licence())
    other = services.create_party(agency=agency, actor=officer,
                                  data=org(name="另一公司", credit_code=ORG_CODE_2)).obj
    with pytest.raises(services.Duplicate) as e:
        services.add_licence(other, actor=officer, data=licence())
    assert e.value.field == "number" and e.value.existing_party_id == party.pk
    services.add_licence(other, actor=officer, data=licence(kind="entertainment"))  # other kind: fine
    far = make_agency("外县局")
    far_party = services.create_party(agency=far, actor=make_user(far), data=org()).obj
    services.add_licence(far_party, actor=officer, data=licence())  # other agency: fine


def test_licence_kind_not_fitting_premises_is_a_warning(cafe, officer):
    party, prem = cafe
    saved = services.add_licence(party, actor=officer, data=licence(kind="travel", premises=str(prem.pk)))
    assert any("通常不对应" in w for w in saved.warnings)
    fits = services.add_licence(party, actor=officer, data=licence(number="闽网文〔2024〕0002号",
                                                                   premises=prem))
    assert fits.warnings == [] and fits.obj.premises == prem


def test_licence_premises_must_belong_to_the_party(cafe, agency, officer):
    _party, prem = cafe
    other = services.create_party(agency=agency, actor=officer,
                                  data=org(name="另一公司", credit_code=ORG_CODE_2)).obj
    with pytest.raises(RuleViolation) as e:
        services.add_licence(other, actor=officer, data=licence(premises=str(prem.pk)))
    assert e.value.field == "premises"


def test_licence_revoked_needs_a_reason(cafe, officer):
    party, _ = cafe
    lic = services.add_licence(party, actor=officer, data=licence()).obj
    with pytest.raises(RuleViolation) as e:
        services.update_licence(lic, actor=officer, data=licence(status="revoked"))
    assert e.value.field == "status_reason"
    services.update_licence(lic, actor=officer,
                            data=licence(status="revoked", status_reason="闽文旅罚〔2025〕3号"))
    lic.refresh_from_db()
    assert lic.status == "revoked"


def test_licence_state_by_date():
    lic = Licence(kind="travel", number="L1", valid_from=date(2024, 1, 1), valid_until=date(2025, 3, 1))
    assert services.licence_state(lic, date(2024, 12, 1)).code == "valid"
    assert services.licence_state(lic, date(2025, 1, 1)).code == "expiring"  # 59 days left
    assert services.licence_state(lic, date(2024, 12, 31)).code == "expiring"  # 60 days left
    assert services.licence_state(lic, date(2024, 12, 30)).code == "valid"  # 61 days left
    assert services.licence_state(lic, date(2025, 3, 1)).label == "今日到期"
    assert services.licence_state(lic, date(2025, 3, 2)).code == "expired"
    lic.valid_until = None
    assert services.licence_state(lic, date(2099, 1, 1)).code == "valid"
    lic.status = "suspended"
    assert services.licence_state(lic, date(2025, 1, 1)).tone == "warn"


# --- the record -------------------------------------------------------------------------------
def test_every_change_is_recorded_with_masked_numbers(agency, officer):
    p = services.create_party(agency=agency, actor=officer, data=person()).obj
    services.update_party(p, actor=officer, data=person(address="城关镇"))
    services.update_party(p, actor=officer, data=person(address="城关镇"))  # no change, no event
    prem = services.add_premises(p, actor=officer, data={"name": "书摊", "business_type": "publications",
                                                         "address": "城关镇"}).obj
    lic = services.add_licence(p, actor=officer, data=licence(kind="publications", premises=prem)).obj
    services.update_licence(lic, actor=officer, data=licence(kind="publications", premises=prem,
                                                             scope="出版物零售"))
    services.reveal_id(p, actor=officer)
    created = Event.objects.get(action="parties.created")
    assert created.subject == f"party:{p.pk}" and created.actor == officer and created.agency == agency
    payload = json.loads(created.payload)
    assert payload["id_number"] == "110105********002X" and PERSON_ID not in created.payload
    assert events("parties.updated") == [{"changed": {"address": ["", "城关镇"]},
                                          "_subject": f"party:{p.pk}"}]
    assert events("parties.premises_added")[0]["premises"] == prem.pk
    assert events("parties.licence_added")[0]["licence"] == lic.pk
    assert events("parties.licence_updated")[0]["changed"] == {"scope": ["", "出版物零售"]}
    assert events("parties.id_revealed")[0]["fields"] == ["id_number"]
    assert not any(PERSON_ID in e.payload for e in Event.objects.all())


def test_refused_update_writes_nothing(agency, officer):
    p = services.create_party(agency=agency, actor=officer, data=org()).obj
    before = Event.objects.count()
    with pytest.raises(RuleViolation):
        services.update_party(p, actor=officer, data=org(name="新名称", credit_code="91350100M000100Y44"))
    p.refresh_from_db()
    assert p.name == "某某网络科技有限公司" and Event.objects.count() == before


def test_search_parties(agency, officer, cafe):
    party, _prem = cafe
    services.add_licence(party, actor=officer, data=licence(valid_until=date.today() + timedelta(days=10)))
    person_party = services.create_party(agency=agency, actor=officer, data=person()).obj
    assert list(services.search_parties(officer, q="网吧")) == [party]
    assert list(services.search_parties(officer, q="m000100")) == [party]
    assert list(services.search_parties(officer, q="11010519491231002x")) == [person_party]
    assert list(services.search_parties(officer, q="1101051949")) == []  # no probing of masked digits
    assert list(services.search_parties(officer, business_type="internet_cafe")) == [party]
    assert list(services.search_parties(officer, licence="expiring")) == [party]
    assert list(services.search_parties(officer, licence="expired")) == []
    assert list(services.search_parties(officer, kind="person")) == [person_party]
    assert set(services.search_parties(officer, kind="bogus")) == {party, person_party}


def test_premises_model_untouched_by_refusal(cafe, officer):
    _party, prem = cafe
    with pytest.raises(RuleViolation):
        services.update_premises(prem, actor=officer, data={"name": "", "business_type": "internet_cafe",
                                                            "address": "x"})
    assert Premises.objects.get(pk=prem.pk).name == "某某网吧"


def test_expiry_window_is_the_agencys_policy(agency, make_user, domains):
    """许可证到期提醒天数 is a dated policy parameter: 60 days by default, 30 once the agency sets it."""
    from zhifa.catalog.models import PolicyValue
    from zhifa.parties.models import Licence, Party

    party = Party.objects.create(agency=agency, kind="organisation", name="平舆县某歌厅", representative="李某",
                                 credit_code="91350100M000100Y43")
    lic = Licence.objects.create(party=party, kind="entertainment", number="娱-1", valid_from=date(2024, 1, 1),
                                 valid_until=date(2025, 2, 14))
    on = date(2025, 1, 1)  # 44 days left
    assert services.expiry_window(agency, on) == 60
    assert services.licence_state(lic, on, services.expiry_window(agency, on)).code == "expiring"
    user = make_user(agency, roles=("clerk",))
    assert list(services.search_parties(user, licence="expiring", on=on)) == [party]
    PolicyValue.objects.create(key="licence.expiry_alert_days", agency=agency, value=30,
                               effective_from=date(2024, 12, 1), citation="本局规定")
    assert services.expiry_window(agency, on) == 30
    assert services.licence_state(lic, on, services.expiry_window(agency, on)).code == "valid"
    assert list(services.search_parties(user, licence="expiring", on=on)) == []
    assert list(services.search_parties(user, licence="valid", on=on)) == [party]
