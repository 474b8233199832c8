"""The registry's screens: list, search, detail with masked IDs, forms, permissions and scoping."""

import json
from datetime import date, timedelta

import pytest
from django.urls import reverse

from zhifa.parties import services
from zhifa.parties.models import Licence, Party, Premises
from zhifa.records.models import Event

ORG_CODE = "91350100M000100Y43"
ORG_CODE_2 = "91110000600037341L"
PERSON_ID = "11010519491231002X"


@pytest.fixture
def officer(agency, make_user):
    return make_user(agency, roles=("officer",))


@pytest.fixture
def reader(agency, make_user):
    return make_user(agency, roles=("reviewer",))


@pytest.fixture
def login(client, verified_login):
    def go(user):
        verified_login(client, user)
        return client
    return go


def make_org(agency, actor, name="某某网络科技有限公司", code=ORG_CODE, **kw):
    data = {"kind": "organisation", "name": name, "credit_code": code, "representative": "张三", **kw}
    return services.create_party(agency=agency, actor=actor, data=data, confirm_similar=True).obj


def make_person(agency, actor, name="李四", number=PERSON_ID):
    data = {"kind": "person", "name": name, "id_type": "resident_id", "id_number": number}
    return services.create_party(agency=agency, actor=actor, data=data, confirm_similar=True).obj


def org_post(**kw):
    return {"kind": "organisation", "name": "某某文化传媒有限公司", "id_type": "resident_id", "id_number": "",
            "birth_date": "", "credit_code": ORG_CODE, "representative": "张三",
            "representative_id_number": "",
            "address": "城关镇人民路 1 号", "phone": "", "note": "", **kw}


@pytest.fixture
def other_agency_party(make_agency, make_user):
    other = make_agency("邻县文化广电和旅游局")
    actor = make_user(other, roles=("officer",))
    p = make_org(other, actor, name="邻县某某网吧有限公司", code=ORG_CODE_2)
    prem = services.add_premises(p, actor=actor, data={"name": "邻县网吧", "business_type": "internet_cafe",
                                                       "address": "邻县"}).obj
    lic = services.add_licence(p, actor=actor, data={"kind": "network_culture", "number": "邻网文001",
                                                     "valid_from": date(2024, 1, 1)}).obj
    return p, prem, lic


# --- list, search, filters --------------------------------------------------------------------
def test_list_requires_login(client, db):
    r = client.get(reverse("parties:list"))
    assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_list_search_and_filters(login, agency, officer, other_agency_party):
    cafe = make_org(agency, officer, name="城关某某网吧有限公司")
    services.add_premises(cafe, actor=officer, data={"name": "某某网吧", "business_type": "internet_cafe",
                                                     "address": "城关镇"})
    services.add_licence(cafe, actor=officer, data={"kind": "network_culture", "number": "闽网文001",
                                                    "valid_from": date(2024, 1, 1),
                                                    "valid_until": date.today() + timedelta(days=30)})
    person = make_person(agency, officer)
    c = login(officer)
    url = reverse("parties:list")

    def names(**params):
        r = c.get(url, params)
        assert r.status_code == 200
        assert r.context["active"] == "parties"
        return [p.name for p in r.context["page"]]

    assert names() == ["城关某某网吧有限公司", "李四"]
    assert names(q="网吧") == ["城关某某网吧有限公司"]
    assert names(q="m000100y4") == ["城关某某网吧有限公司"]
    assert names(q="11010519491231002x") == ["李四"]
    assert names(kind="person") == ["李四"]
    assert names(business_type="internet_cafe") == ["城关某某网吧有限公司"]
    assert names(licence="expiring") == ["城关某某网吧有限公司"]
    assert names(licence="valid") == [] and names(licence="expired") == []
    assert names(q="邻县") == []  # another agency's party never shows up
    html = c.get(url).content.decode()
    assert "110105********002X" in html and PERSON_ID not in html  # masked in the list too
    assert person.pk


def test_list_paginates_and_tolerates_garbage(login, agency, officer):
    for i in range(30):
        make_person(agency, officer, name=f"当事人{i:02d}", number=_resident_id(i))
    c = login(officer)
    url = reverse("parties:list")
    assert len(c.get(url).context["page"]) == 25
    second = c.get(url, {"page": "2"})
    assert len(second.context["page"]) == 5 and second.context["page"].number == 2
    for params in ({"page": "abc"}, {"page": "-1"}, {"page": "99999999999999999999"}, {"kind": "bogus"},
                   {"licence": "<script>"}, {"business_type": "x" * 500}, {"q": "a\x00b"}, {"q": "%_\\'\""},
                   {"q": "x" * 1000}):
        r = c.get(url, params)
        assert r.status_code == 200, params


def test_list_does_not_query_per_row(login, agency, officer, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(start, stop):
        for i in range(start, stop):
            p = make_org(agency, officer, name=f"测试公司{i:02d}", code=_uscc(i))
            services.add_premises(p, actor=officer, data={"name": f"场所{i}", "business_type": "games",
                                                          "address": "城关镇"})
            services.add_licence(p, actor=officer, data={"kind": "entertainment", "number": f"娱{i}",
                                                         "valid_from": date(2024, 1, 1)})

    add(0, 5)
    c = login(officer)
    c.get(reverse("parties:list"))  # warm the session
    with CaptureQueriesContext(connection) as five:
        c.get(reverse("parties:list"))
    add(5, 20)
    # the page's own queries plus the navigation's (the unread deadline-notice count): a fixed number
    with django_assert_max_num_queries(13):
        r = c.get(reverse("parties:list"))
    assert len(r.context["page"]) == 20
    with CaptureQueriesContext(connection) as twenty:
        c.get(reverse("parties:list"))
    assert len(twenty) == len(five)  # four times the rows, not one query more


# --- detail -----------------------------------------------------------------------------------
def test_detail_masks_id_and_reveal_is_recorded(login, agency, officer):
    p = make_person(agency, officer)
    c = login(officer)
    url = reverse("parties:detail", args=[p.pk])
    html = c.get(url).content.decode()
    assert "110105********002X" in html and PERSON_ID not in html and "1949-12-31" not in html
    assert "显示完整号码" in html
    assert not Event.objects.filter(action="parties.id_revealed").exists()
    html = c.get(url, {"reveal": "1"}).content.decode()
    assert PERSON_ID in html and "1949-12-31" in html
    ev = Event.objects.get(action="parties.id_revealed")
    assert ev.actor == officer and ev.subject == f"party:{p.pk}"
    assert json.loads(ev.payload) == {"fields": ["id_number"]}


def test_detail_shows_premises_and_licences_with_status(login, agency, officer):
    p = make_org(agency, officer)
    prem = services.add_premises(p, actor=officer, data={"name": "某某KTV", "business_type": "song_dance",
                                                         "address": "城关镇"}).obj
    base = {"kind": "entertainment", "premises": prem, "valid_from": date(2020, 1, 1)}
    services.add_licence(p, actor=officer, data={**base, "number": "娱001",
                                                  "valid_until": date.today() + timedelta(days=10)})
    services.add_licence(p, actor=officer, data={**base, "number": "娱002",
                                                  "valid_until": date.today() - timedelta(days=1)})
    services.add_licence(p, actor=officer, data={**base, "number": "娱003"})
    r = login(officer).get(reverse("parties:detail", args=[p.pk]))
    html = r.content.decode()
    states = {lic.number: lic.state.code for lic in r.context["licences"]}
    assert states == {"娱001": "expiring", "娱002": "expired", "娱003": "valid"}
    assert 'class="row-warn"' in html and "即将到期（10 天后）" in html and "某某KTV" in html


def test_detail_and_forms_of_another_agency_are_404(login, officer, other_agency_party):
    p, prem, lic = other_agency_party
    c = login(officer)
    for url in (reverse("parties:detail", args=[p.pk]), reverse("parties:edit", args=[p.pk]),
                reverse("parties:premises_add", args=[p.pk]), reverse("parties:licence_add", args=[p.pk]),
                reverse("parties:premises_edit", args=[prem.pk]),
                reverse("parties:licence_edit", args=[lic.pk])):
        assert c.get(url).status_code == 404, url
        assert c.post(url, {"name": "改名"}).status_code == 404, url
    assert c.get(reverse("parties:detail", args=[p.pk]), {"reveal": "1"}).status_code == 404
    assert c.get("/parties/99999999999999999999999/").status_code == 404
    p.refresh_from_db()
    assert p.name == "邻县某某网吧有限公司"


def test_parent_agency_sees_the_party_of_an_agency_below(login, make_agency, make_user):
    city = make_agency("市文化广电和旅游局")
    county = make_agency("县文化广电和旅游局", parent=city)
    p = make_org(county, make_user(county))
    r = login(make_user(city, roles=("reviewer",))).get(reverse("parties:detail", args=[p.pk]))
    assert r.status_code == 200


# --- create and edit --------------------------------------------------------------------------
def test_create_organisation(login, agency, officer):
    c = login(officer)
    assert c.get(reverse("parties:create")).status_code == 200
    r = c.post(reverse("parties:create"), org_post())
    p = Party.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("parties:detail", args=[p.pk])
    assert p.agency == agency and p.created_by == officer and p.credit_code == ORG_CODE
    assert Event.objects.filter(action="parties.created", subject=f"party:{p.pk}").exists()


def test_create_with_invalid_uscc_shows_chinese_message_and_keeps_input(login, officer):
    c = login(officer)
    r = c.post(reverse("parties:create"), org_post(credit_code="91350100M000100Y44", note="现场检查时登记"))
    assert r.status_code == 200
    assert r.context["form"].errors["credit_code"] == [
        "统一社会信用代码校验码错误：第 18 位应为 3，实际为 4（GB 32100-2015）"]
    html = r.content.decode()
    assert 'value="91350100M000100Y44"' in html and 'value="某某文化传媒有限公司"' in html
    assert 'value="现场检查时登记"' in html and "统一社会信用代码校验码错误" in html
    assert Party.objects.count() == 0


def test_create_person_messages_name_the_field(login, officer):
    r = login(officer).post(reverse("parties:create"), org_post(
        kind="person", name="", credit_code="", representative="", id_number="110105194912310021",
        birth_date="1949-13-45"))
    errors = r.context["form"].errors
    assert errors["name"] == ["请填写姓名/名称"]
    assert errors["birth_date"] == ["出生日期格式不正确，应为 年-月-日，例如 2024-01-31"]
    assert 'value="1949-13-45"' in r.content.decode()
    r = login(officer).post(reverse("parties:create"), org_post(
        kind="person", name="李四", credit_code="", representative="", id_number="110105194912310021"))
    assert r.context["form"].errors["id_number"] == [
        "身份证号码校验码错误：第 18 位应为 X，实际为 1（GB 11643-1999）"]


def test_create_duplicate_links_to_the_existing_party(login, agency, officer):
    existing = make_org(agency, officer)
    r = login(officer).post(reverse("parties:create"), org_post(name="另一个名字有限公司"))
    assert r.status_code == 200
    assert "已登记为「某某网络科技有限公司」" in r.context["form"].errors["credit_code"][0]
    assert reverse("parties:detail", args=[existing.pk]) in r.content.decode()
    assert Party.objects.count() == 1


def test_create_similar_name_asks_then_saves_when_confirmed(login, agency, officer):
    make_org(agency, officer, name="某某文化传媒有限公司", code=ORG_CODE_2)
    c = login(officer)
    r = c.post(reverse("parties:create"), org_post(name="某某文化传媒有限公司"))
    assert r.status_code == 200 and Party.objects.count() == 1
    html = r.content.decode()
    assert "已有名称相近的当事人" in html and 'name="confirm_name"' in html
    r = c.post(reverse("parties:create"),
               org_post(name="某某文化传媒有限公司", confirm_name="某某文化传媒有限公司"))
    assert r.status_code == 302 and Party.objects.count() == 2
    # A confirmation given for another name does not carry over.
    r = c.post(reverse("parties:create"), org_post(name="某某文化传媒", credit_code=_uscc(7),
                                                   confirm_name="某某文化传媒有限公司"))
    assert r.status_code == 200 and Party.objects.count() == 2


def test_edit_refused_leaves_database_unchanged(login, agency, officer):
    p = make_org(agency, officer)
    before = Party.objects.filter(pk=p.pk).values().get()
    c = login(officer)
    events = Event.objects.count()
    form = c.get(reverse("parties:edit", args=[p.pk])).content.decode()
    assert 'value="某某网络科技有限公司"' in form
    r = c.post(reverse("parties:edit", args=[p.pk]), org_post(
        name="改过的名称有限公司", credit_code="91350100O000100Y43", phone="13800000000", is_active="on"))
    assert r.status_code == 200
    assert "不允许的字符 O" in r.context["form"].errors["credit_code"][0]
    assert 'value="改过的名称有限公司"' in r.content.decode()
    assert Party.objects.filter(pk=p.pk).values().get() == before
    assert Event.objects.count() == events


def test_edit_saves_and_records(login, agency, officer):
    p = make_org(agency, officer)
    r = login(officer).post(reverse("parties:edit", args=[p.pk]), org_post(
        name="某某网络科技有限公司", phone="0591-1234567", is_active="on"))
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.phone == "0591-1234567" and p.is_active
    ev = Event.objects.filter(action="parties.updated").get()
    assert json.loads(ev.payload)["changed"]["phone"] == ["", "0591-1234567"]


# --- premises and licences through the screens ------------------------------------------------
def test_premises_and_licence_forms(login, agency, officer):
    p = make_org(agency, officer)
    c = login(officer)
    r = c.post(reverse("parties:premises_add", args=[p.pk]), {
        "name": "某某网吧", "business_type": "internet_cafe", "address": "城关镇", "area_m2": "abc",
        "capacity": "1e99"})
    assert r.status_code == 200
    assert r.context["form"].errors["area_m2"] == ["营业面积（平方米）应为数字"]
    assert r.context["form"].errors["capacity"] == ["核定人数/终端数应为整数"]
    r = c.post(reverse("parties:premises_add", args=[p.pk]), {
        "name": "某某网吧", "business_type": "internet_cafe", "address": "城关镇", "capacity": "80"})
    assert r.status_code == 302
    prem = Premises.objects.get()
    r = c.post(reverse("parties:premises_edit", args=[prem.pk]), {
        "name": "某某网吧", "business_type": "internet_cafe", "address": "城关镇", "capacity": "90"})
    prem.refresh_from_db()
    assert r.status_code == 302 and prem.capacity == 90 and not prem.is_active  # unticked 在营
    lic_url = reverse("parties:licence_add", args=[p.pk])
    r = c.post(lic_url, {"kind": "network_culture", "number": "闽网文001", "premises": str(prem.pk),
                         "valid_from": "2024-02-30", "valid_until": "garbage", "status": "valid"})
    assert r.status_code == 200
    errors = r.context["form"].errors
    assert errors["valid_from"] == ["有效期自格式不正确，应为 年-月-日，例如 2024-01-31"]
    assert "valid_until" in errors
    r = c.post(lic_url, {"kind": "network_culture", "number": "闽网文001", "premises": "99999",
                         "valid_from": "2024-01-01", "status": "valid"})
    assert r.context["form"].errors["premises"]
    r = c.post(lic_url, {"kind": "network_culture", "number": "闽网文001", "premises": str(prem.pk),
                         "valid_from": "2024-03-01", "valid_until": "2024-02-01", "status": "valid"})
    assert r.context["form"].errors["valid_until"] == ["有效期至（2024-02-01）不能早于有效期自（2024-03-01）"]
    r = c.post(lic_url, {"kind": "travel", "number": "L-001", "premises": str(prem.pk),
                         "valid_from": "2024-01-01", "valid_until": "2030-01-01", "status": "valid"})
    assert r.status_code == 302
    lic = Licence.objects.get()
    follow = c.get(r["Location"])
    assert any("通常不对应" in str(m) for m in follow.context["messages"])
    r = c.post(reverse("parties:licence_edit", args=[lic.pk]), {
        "kind": "network_culture", "number": "L-001", "premises": str(prem.pk), "valid_from": "2024-01-01",
        "valid_until": "2030-01-01", "status": "suspended", "status_reason": ""})
    assert r.status_code == 200 and r.context["form"].errors["status_reason"]
    lic.refresh_from_db()
    assert lic.kind == "travel" and lic.status == "valid"


def test_duplicate_licence_number_in_the_form(login, agency, officer):
    a = make_org(agency, officer)
    b = make_org(agency, officer, name="乙公司", code=ORG_CODE_2)
    services.add_licence(a, actor=officer,
                         data={"kind": "travel", "number": "L-1", "valid_from": date(2024, 1, 1)})
    r = login(officer).post(reverse("parties:licence_add", args=[b.pk]), {
        "kind": "travel", "number": "L-1", "valid_from": "2024-01-01", "status": "valid"})
    assert r.status_code == 200 and "某某网络科技有限公司" in r.context["form"].errors["number"][0]
    assert reverse("parties:detail", args=[a.pk]) in r.content.decode()


# --- who may write ----------------------------------------------------------------------------
def test_read_only_role_gets_403_on_writes(login, agency, officer, reader):
    p = make_org(agency, officer)
    prem = services.add_premises(p, actor=officer, data={"name": "场所", "business_type": "games",
                                                         "address": "城关镇"}).obj
    lic = services.add_licence(p, actor=officer, data={"kind": "entertainment", "number": "娱1",
                                                       "valid_from": date(2024, 1, 1)}).obj
    c = login(reader)
    assert c.get(reverse("parties:list")).status_code == 200
    detail = c.get(reverse("parties:detail", args=[p.pk]))
    assert detail.status_code == 200 and reverse("parties:edit", args=[p.pk]) not in detail.content.decode()
    for url in (reverse("parties:create"), reverse("parties:edit", args=[p.pk]),
                reverse("parties:premises_add", args=[p.pk]),
                reverse("parties:premises_edit", args=[prem.pk]),
                reverse("parties:licence_add", args=[p.pk]), reverse("parties:licence_edit", args=[lic.pk])):
        assert c.post(url, org_post()).status_code == 403, url
        assert c.get(url).status_code == 403, url
    assert Party.objects.count() == 1


@pytest.mark.parametrize("role", ["officer", "clerk", "sysadmin"])
def test_writer_roles(login, agency, make_user, role):
    r = login(make_user(agency, roles=(role,))).post(reverse("parties:create"), org_post())
    assert r.status_code == 302


# --- helpers ----------------------------------------------------------------------------------
def _resident_id(i: int) -> str:
    from stdnum.cn import ric

    body = f"11010519800101{i:03d}"
    return body + ric.calc_check_digit(body + "0")


def _uscc(i: int) -> str:
    from stdnum.cn import uscc

    body = f"9135010000000{i:04d}"
    return body + uscc.calc_check_digit(body)


def test_admin_lists_read_only_with_masked_ids(client, verified_login, agency, officer, make_user):
    p = make_org(agency, officer, representative_id_number=PERSON_ID)
    su = make_user(None, roles=(), is_superuser=True, is_staff=True)
    verified_login(client, su)
    for url in ("/platform-admin/parties/party/", "/platform-admin/parties/party/?q=某某",
                f"/platform-admin/parties/party/{p.pk}/change/", "/platform-admin/parties/licence/",
                "/platform-admin/parties/premises/"):
        r = client.get(url)
        assert r.status_code == 200, url
        assert PERSON_ID not in r.content.decode()
    assert client.get("/platform-admin/parties/party/add/").status_code == 403
