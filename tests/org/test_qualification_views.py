"""The qualification screens: roster, alerts, the person file and the forms that change them."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhifa.org import services
from zhifa.org.models import AnnualReview, Certificate, CertificateStatusChange, Training, Unit
from zhifa.records.models import Event

D = date
ON = "2025-06-01"


ISSUED, UNTIL = D(2024, 1, 1), D(2028, 12, 31)



def cert(person, actor, domains, number, issued=ISSUED, until=UNTIL, codes=("NET",)):
    return services.add_certificate(holder=person, number=number, issuing_authority="某某省人民政府",
                                    domains=[domains[c] for c in codes], issued_on=issued, valid_until=until,
                                    actor=actor)


def train(person, actor, kind, start, end, hours=40, days=None, exam="none", title=None):
    return services.add_training(person=person, kind=kind, title=title or f"{kind} {start:%Y-%m}",
                                 organiser="市文旅局", start_on=start, end_on=end, hours=Decimal(hours),
                                 days=None if days is None else Decimal(days), exam_result=exam,
                                 exam_score=None, actor=actor)


def trained(person, actor):
    """Onboarded in 2023, 5 days in 2024 and 5 days in 2025."""
    train(person, actor, "onboarding", D(2023, 10, 9), D(2023, 11, 7), 176)
    train(person, actor, "refresher", D(2024, 10, 14), D(2024, 10, 18))
    train(person, actor, "refresher", D(2025, 3, 3), D(2025, 3, 7))


class Bureau:
    pass


@pytest.fixture
def bureau(make_agency, make_user, domains):
    b = Bureau()
    b.domains = domains
    b.agency = make_agency("平安县文化广电和旅游局")
    b.squad1 = Unit.objects.create(agency=b.agency, name="执法一中队", kind="squad", sort=1)
    b.squad2 = Unit.objects.create(agency=b.agency, name="执法二中队", kind="squad", sort=2)
    b.clerk = make_user(b.agency, roles=("clerk",), full_name="内勤小刘", unit=b.squad1)
    # 张三: everything in order.
    b.zhang = make_user(b.agency, full_name="张三", unit=b.squad1, employee_no="Z001")
    cert(b.zhang, b.clerk, domains, "豫文旅执 1001", codes=("NET", "ENT"))
    trained(b.zhang, b.clerk)
    # 李四: certificate ends 2025-07-15, inside the 60-day window on 2025-06-01.
    b.li = make_user(b.agency, full_name="李四", unit=b.squad2)
    cert(b.li, b.clerk, domains, "豫文旅执 1002", issued=D(2020, 7, 16), until=D(2025, 7, 15))
    trained(b.li, b.clerk)
    # 王五: nothing yet.
    b.wang = make_user(b.agency, full_name="王五", unit=b.squad1)
    # 赵六: certificate suspended from 2025-05-10.
    b.zhao = make_user(b.agency, full_name="赵六", unit=b.squad2)
    c = cert(b.zhao, b.clerk, domains, "豫文旅执 1004")
    services.change_certificate_status(c, status="suspended", effective_on=D(2025, 5, 10),
                                       reason="涉嫌违规收费，暂扣执法证", actor=b.clerk)
    trained(b.zhao, b.clerk)
    # 钱七: onboarded in 2023, nothing in 2024.
    b.qian = make_user(b.agency, full_name="钱七", unit=b.squad1)
    cert(b.qian, b.clerk, domains, "豫文旅执 1005")
    train(b.qian, b.clerk, "onboarding", D(2023, 10, 9), D(2023, 11, 7), 176)
    # Another agency's officer.
    b.other_agency = make_agency("邻县文化广电和旅游局")
    b.outsider = make_user(b.other_agency, full_name="外县人员")
    b.outsider_cert = cert(b.outsider, b.clerk, domains, "豫文旅执 9001")
    return b


@pytest.fixture
def clerk_client(client, bureau, verified_login):
    return verified_login(client, bureau.clerk)


@pytest.fixture
def officer_client(client, bureau, verified_login):
    return verified_login(client, bureau.zhang)


def html(response) -> str:
    return response.content.decode()


def names_in(response) -> set[str]:
    rows = response.context["rows"]
    return {r.person.full_name for r in rows}


# --- roster --------------------------------------------------------------------------------------------
def test_roster_needs_login(client, bureau):
    r = client.get(reverse("org:roster"))
    assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_roster_shows_status_domains_and_reasons(officer_client, bureau):
    r = officer_client.get(reverse("org:roster"), {"on": ON})
    assert r.status_code == 200
    page = html(r)
    assert names_in(r) == {"张三", "李四", "王五", "赵六", "钱七"}  # not the other agency's officer
    assert "外县人员" not in page and "内勤小刘" not in page
    status = {row.person.full_name: row.status for row in r.context["rows"]}
    assert status == {"张三": "ok", "李四": "warn", "王五": "no", "赵六": "no", "钱七": "no"}
    for text in ("可以执法", "即将到期或培训不足", "暂不得执法", "执法一中队", "豫文旅执 1001", "2028-12-31",
                 "未持有行政执法证件", "入职培训未完成", "已被暂扣：涉嫌违规收费，暂扣执法证",
                 "2024 年度复训/轮训不足", "执法证 豫文旅执 1002 将于 2025-07-15 到期（44 天后）"):
        assert text in page, text
    zhang = next(row for row in r.context["rows"] if row.person == bureau.zhang)
    assert set(zhang.domains_ok) == {bureau.domains["NET"].name, bureau.domains["ENT"].name}
    assert 'aria-current="page"' in page and ">执法人员</a>" in page


@pytest.mark.parametrize(("params", "expected"), [
    ({"status": "ok"}, {"张三"}),
    ({"status": "warn"}, {"李四"}),
    ({"status": "no"}, {"王五", "赵六", "钱七"}),
    ({"q": "王五"}, {"王五"}),
    ({"q": "1004"}, {"赵六"}),  # by certificate number
    ({"q": "z001"}, {"张三"}),  # by employee number, any case
    ({"q": "没有这个人"}, set()),
    ({"status": "no", "q": "赵"}, {"赵六"}),
])
def test_roster_filters(officer_client, params, expected):
    r = officer_client.get(reverse("org:roster"), {"on": ON, **params})
    assert r.status_code == 200
    assert names_in(r) == expected
    if not expected:
        assert "没有符合筛选条件的执法人员" in html(r)


def test_roster_filter_by_unit(officer_client, bureau):
    r = officer_client.get(reverse("org:roster"), {"on": ON, "unit": bureau.squad2.pk})
    assert names_in(r) == {"李四", "赵六"}
    # Another agency's unit is not a choice: reported and ignored.
    foreign = Unit.objects.create(agency=bureau.other_agency, name="外县中队")
    r = officer_client.get(reverse("org:roster"), {"on": ON, "unit": foreign.pk})
    assert r.status_code == 200
    assert "所选内设机构不存在或不在您的查看范围内" in html(r)
    assert len(names_in(r)) == 5


@pytest.mark.parametrize("bad", ["2025-13-45", "明天", "2025/06/01", "0001-01-01"])
def test_roster_bad_date_is_explained(officer_client, bad):
    r = officer_client.get(reverse("org:roster"), {"on": bad})
    assert r.status_code == 200
    page = html(r)
    assert "查询日期" in page and "下面按今天" in page
    assert r.context["on"] == r.context["today"]


def test_roster_bad_status_is_explained(officer_client):
    r = officer_client.get(reverse("org:roster"), {"on": ON, "status": "maybe"})
    assert r.status_code == 200
    assert "状态的选项“maybe”无效" in html(r)
    assert len(names_in(r)) == 5


def test_roster_as_of_an_earlier_date(officer_client):
    # Before the suspension 赵六 could act.
    r = officer_client.get(reverse("org:roster"), {"on": "2025-05-09", "q": "赵六"})
    assert [row.status for row in r.context["rows"]] == ["ok"]


def test_roster_queries_do_not_grow_with_people(clerk_client, bureau, make_user):
    url = reverse("org:roster") + f"?on={ON}"
    clerk_client.get(url)
    with CaptureQueriesContext(connection) as few:
        clerk_client.get(url)
    for i in range(6):
        p = make_user(bureau.agency, full_name=f"新人{i}", unit=bureau.squad2)
        cert(p, bureau.clerk, bureau.domains, f"豫文旅执 20{i:02d}")
        trained(p, bureau.clerk)
    with CaptureQueriesContext(connection) as many:
        r = clerk_client.get(url)
    assert len(names_in(r)) == 11
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


# --- alerts --------------------------------------------------------------------------------------------
def test_alerts_are_grouped_and_link_to_people(officer_client, bureau):
    r = officer_client.get(reverse("org:alerts"), {"on": ON})
    assert r.status_code == 200
    groups = {g.key: {i["person"].full_name for i in g.items} for g in r.context["groups"]}
    assert groups["expiring"] == {"李四"}
    assert groups["invalid"] == {"赵六"}
    assert groups["onboarding"] == {"王五"}
    assert groups["refresher"] == {"钱七"}
    assert groups["yearly"] == {"钱七"}  # 张三, 李四, 赵六 did 5 days in March 2025
    page = html(r)
    for text in ("执法证即将到期", "执法证已过期、暂扣或注销", "入职培训未完成", "上年度复训/轮训不足",
                 "本年度培训尚未达到要求", "执法证 豫文旅执 1002 将于 2025-07-15 到期（44 天后）",
                 "执法证 豫文旅执 1004 暂扣（涉嫌违规收费，暂扣执法证）"):
        assert text in page, text
    assert reverse("org:person", args=[bureau.li.pk]) in page
    assert "外县人员" not in page


def test_alerts_skip_a_renewed_certificate(officer_client, bureau):
    cert(bureau.li, bureau.clerk, bureau.domains, "豫文旅执 1012", issued=D(2025, 7, 1), until=D(2030, 6, 30))
    r = officer_client.get(reverse("org:alerts"), {"on": ON})
    groups = {g.key: g.items for g in r.context["groups"]}
    assert groups["expiring"] == []
    # After expiry, the old certificate is not an alert either: the new one covers it.
    r = officer_client.get(reverse("org:alerts"), {"on": "2025-08-01"})
    assert not any(i["person"] == bureau.li
                   for g in r.context["groups"] if g.key != "yearly" for i in g.items)


def test_alerts_bad_date(officer_client):
    r = officer_client.get(reverse("org:alerts"), {"on": "2025-02-30"})
    assert r.status_code == 200
    assert "无法识别" in html(r) and "下面按今天" in html(r)


# --- person file ---------------------------------------------------------------------------------------
def test_person_file(clerk_client, bureau):
    services.add_annual_review(bureau.zhang.certificates.get(), year=2024, reviewed_on=D(2025, 1, 10),
                               passed=True, note="合格", actor=bureau.clerk)
    train(bureau.zhang, bureau.clerk, "special", D(2025, 4, 1), D(2025, 4, 1), 4, exam="failed",
          title="安全生产专题")
    r = clerk_client.get(reverse("org:person", args=[bureau.zhang.pk]), {"on": ON})
    assert r.status_code == 200
    page = html(r)
    for text in ("张三", "执法一中队", "豫文旅执 1001", "某某省人民政府", "2024-01-01 至 2028-12-31", "年审",
                 "安全生产专题", "不计入培训要求", "已于 2023-11-07 完成", "入职培训完成当年",
                 "登记执法证", "登记培训", "变更状态", "登记年审", "执法证 豫文旅执 1001"):
        assert text in page, text
    totals = {y.year: y for y in r.context["year_totals"]}
    assert totals[2024].verdict == "met" and totals[2024].days == 5
    assert totals[2025].verdict == "met" and totals[2025].failed == 1  # 5 days in March; April's failed
    assert totals[2023].verdict == "exempt"
    covered = {d.code: res.allowed for d, res, _ in r.context["covered"]}
    assert covered == {"NET": True, "ENT": True}


def test_person_file_status_history_and_reasons(officer_client, bureau):
    r = officer_client.get(reverse("org:person", args=[bureau.zhao.pk]), {"on": ON})
    page = html(r)
    assert "2025-05-10" in page and "涉嫌违规收费，暂扣执法证" in page and "内勤小刘" in page
    assert "暂不得执法" in page and "已被暂扣" in page
    # Officers read but do not see the buttons that change the file.
    assert "登记执法证" not in page and "变更状态" not in page
    # As of an earlier date the same person could act.
    r = officer_client.get(reverse("org:person", args=[bureau.zhao.pk]), {"on": "2025-05-09"})
    assert {d.code: res.allowed for d, res, _ in r.context["covered"]} == {"NET": True}


def test_person_file_year_totals_against_the_requirement(officer_client, bureau):
    r = officer_client.get(reverse("org:person", args=[bureau.qian.pk]), {"on": ON})
    totals = {y.year: (y.verdict, y.note) for y in r.context["year_totals"]}
    assert totals == {2025: ("running", "本年度进行中，尚差 5 个培训日"),
                      2024: ("short", "未达到要求，差 5 个培训日"),
                      2023: ("exempt", "入职培训完成当年，免于年度复训要求")}
    assert "2024 年度复训/轮训不足" in html(r)


def test_person_without_anything(officer_client, bureau):
    r = officer_client.get(reverse("org:person", args=[bureau.wang.pk]), {"on": "x"})
    assert r.status_code == 200
    page = html(r)
    assert "不得在任何执法领域执法" in page and "未持有行政执法证件" in page and "下面按今天" in page


def test_person_of_another_agency_is_not_found(clerk_client, bureau):
    assert clerk_client.get(reverse("org:person", args=[bureau.outsider.pk])).status_code == 404
    assert clerk_client.get(reverse("org:person", args=[999999])).status_code == 404
    for name, pk in (("certificate_add", bureau.outsider.pk), ("training_add", bureau.outsider.pk),
                     ("certificate_status", bureau.outsider_cert.pk),
                     ("annual_review_add", bureau.outsider_cert.pk)):
        assert clerk_client.get(reverse(f"org:{name}", args=[pk])).status_code == 404, name
        assert clerk_client.post(reverse(f"org:{name}", args=[pk]), {}).status_code == 404, name
    r = clerk_client.get(reverse("org:person", args=[bureau.outsider.pk]))
    assert "不在您的查看范围内" in html(r)


def test_person_file_queries_do_not_grow_with_records(clerk_client, bureau):
    url = reverse("org:person", args=[bureau.zhang.pk]) + f"?on={ON}"
    clerk_client.get(url)
    with CaptureQueriesContext(connection) as few:
        clerk_client.get(url)
    c2 = cert(bureau.zhang, bureau.clerk, bureau.domains, "豫文旅执 1011", codes=("TRV",))
    services.change_certificate_status(c2, status="suspended", effective_on=D(2025, 1, 1), reason="核查",
                                       actor=bureau.clerk)
    services.add_annual_review(c2, year=2024, reviewed_on=D(2025, 1, 10), passed=True, note="",
                               actor=bureau.clerk)
    for m in range(1, 6):
        train(bureau.zhang, bureau.clerk, "special", D(2022, m, 3), D(2022, m, 4))
    with CaptureQueriesContext(connection) as many:
        clerk_client.get(url)
    assert len(many) == len(few)


# --- forms: certificates -------------------------------------------------------------------------------
def field_errors(response, name) -> list[str]:
    return list(response.context["form"].errors.get(name, []))


def test_certificate_add(clerk_client, bureau):
    url = reverse("org:certificate_add", args=[bureau.wang.pk])
    r = clerk_client.get(url)
    assert r.status_code == 200 and "登记执法证" in html(r) and 'type="checkbox"' in html(r)
    d = bureau.domains
    r = clerk_client.post(url, {"number": " 豫文旅执 3001 ", "issuing_authority": "某某省人民政府",
                                "domains": [d["NET"].pk, d["TRV"].pk], "issued_on": "2025-01-02",
                                "valid_until": "2030-01-01"})
    assert r.status_code == 302 and r["Location"] == reverse("org:person", args=[bureau.wang.pk])
    c = Certificate.objects.get(number="豫文旅执 3001")
    assert c.holder == bureau.wang and {x.code for x in c.domains.all()} == {"NET", "TRV"}
    ev = Event.objects.filter(action="org.certificate_added", subject=f"certificate:{c.pk}").get()
    assert ev.actor == bureau.clerk
    r = clerk_client.get(r["Location"])
    assert "已登记执法证 豫文旅执 3001" in html(r)


def test_certificate_valid_until_before_issue(clerk_client, bureau):
    before = (Certificate.objects.count(), Event.objects.count())
    d = bureau.domains
    r = clerk_client.post(reverse("org:certificate_add", args=[bureau.wang.pk]), {
        "number": "豫文旅执 3002", "issuing_authority": "某某省人民政府", "domains": [d["ENT"].pk],
        "issued_on": "2025-05-01", "valid_until": "2025-04-30"})
    assert r.status_code == 200
    assert field_errors(r, "valid_until") == ["有效期至（2025-04-30）不能早于发证日期（2025-05-01）。"]
    page = html(r)
    assert "有效期至（2025-04-30）不能早于发证日期（2025-05-01）" in page
    for typed in ('value="豫文旅执 3002"', 'value="2025-04-30"', 'value="某某省人民政府"'):
        assert typed in page
    assert re.search(rf'value="{d["ENT"].pk}"[^>]*checked', page)
    assert (Certificate.objects.count(), Event.objects.count()) == before


def test_certificate_duplicate_number_from_the_service(clerk_client, bureau):
    before = (Certificate.objects.count(), Event.objects.count())
    r = clerk_client.post(reverse("org:certificate_add", args=[bureau.wang.pk]), {
        "number": "豫文旅执 1001", "issuing_authority": "某某省人民政府",
        "domains": [bureau.domains["NET"].pk], "issued_on": "2025-01-02", "valid_until": "2030-01-01"})
    assert r.status_code == 200
    assert field_errors(r, "number") == ["证号 豫文旅执 1001 已登记"]
    assert 'value="2030-01-01"' in html(r)
    assert (Certificate.objects.count(), Event.objects.count()) == before


def test_certificate_form_errors_are_chinese(clerk_client, bureau):
    r = clerk_client.post(reverse("org:certificate_add", args=[bureau.wang.pk]), {
        "number": "", "issuing_authority": "x" * 101, "issued_on": "2025-02-30", "valid_until": "2300-01-01"})
    errors = r.context["form"].errors
    assert errors["number"] == ["请填写证号。"]
    assert errors["issuing_authority"] == ["发证机关不能超过 100 个字。"]
    assert errors["domains"] == ["请至少选择一个执法领域（执法证载明的执法类别）。"]
    assert errors["issued_on"] == ["发证日期格式不正确，请按“年-月-日”填写，例如 2025-03-01。"]
    assert errors["valid_until"] == ["有效期至应在 1950-01-01 至 2100-12-31 之间。"]
    assert "未保存：请按标出的提示修改后重新提交" in html(r)


# --- forms: status changes and 年审 ------------------------------------------------------------------------
def test_status_change(clerk_client, bureau):
    c = bureau.zhang.certificates.get()
    url = reverse("org:certificate_status", args=[c.pk])
    assert clerk_client.get(url).status_code == 200
    r = clerk_client.post(url, {"status": "suspended", "effective_on": "2025-06-02", "reason": "涉嫌违纪"})
    assert r.status_code == 302
    change = CertificateStatusChange.objects.get(certificate=c)
    assert (change.status, change.effective_on, change.reason, change.recorded_by) == \
        ("suspended", D(2025, 6, 2), "涉嫌违纪", bureau.clerk)
    assert Event.objects.filter(action="org.certificate_status", subject=f"certificate:{c.pk}").exists()
    assert not services.may_enforce(bureau.zhang, "NET", D(2025, 6, 2)).allowed


def test_status_change_needs_a_reason(clerk_client, bureau):
    c = bureau.zhang.certificates.get()
    before = Event.objects.count()
    r = clerk_client.post(reverse("org:certificate_status", args=[c.pk]),
                          {"status": "revoked", "effective_on": "2025-06-02", "reason": "   "})
    assert r.status_code == 200
    assert field_errors(r, "reason") == ["请填写原因：变更执法证状态须写明原因。"]
    page = html(r)
    assert "请填写原因：变更执法证状态须写明原因。" in page and 'value="2025-06-02"' in page
    assert re.search(r'<option value="revoked" selected', page)
    assert not CertificateStatusChange.objects.filter(certificate=c).exists()
    assert Event.objects.count() == before


def test_status_change_refused_by_the_service_is_shown_on_its_field(clerk_client, bureau):
    c = bureau.zhang.certificates.get()
    services.change_certificate_status(c, status="revoked", effective_on=D(2025, 5, 1), reason="调离",
                                       actor=bureau.clerk)
    r = clerk_client.post(reverse("org:certificate_status", args=[c.pk]),
                          {"status": "valid", "effective_on": "2025-06-02", "reason": "误操作恢复"})
    assert r.status_code == 200
    assert field_errors(r, "status") == ["执法证 豫文旅执 1001 已注销，不能再变更状态，请登记新证"]
    assert "误操作恢复" in html(r)
    assert CertificateStatusChange.objects.filter(certificate=c).count() == 1


def test_status_change_before_issue(clerk_client, bureau):
    c = bureau.zhang.certificates.get()
    r = clerk_client.post(reverse("org:certificate_status", args=[c.pk]),
                          {"status": "suspended", "effective_on": "2023-12-31", "reason": "核查"})
    assert field_errors(r, "effective_on") == ["生效日期（2023-12-31）不能早于该证的发证日期（2024-01-01）。"]


def test_annual_review(clerk_client, bureau):
    c = bureau.zhang.certificates.get()
    url = reverse("org:annual_review_add", args=[c.pk])
    assert clerk_client.get(url).status_code == 200
    r = clerk_client.post(url, {"year": "2024", "reviewed_on": "2025-01-15", "passed": "0",
                                "note": "培训不足"})
    assert r.status_code == 302
    review = AnnualReview.objects.get(certificate=c)
    assert (review.year, review.passed, review.note) == (2024, False, "培训不足")
    assert Event.objects.filter(action="org.annual_review").count() == 1
    # The same year again: refused by the service, shown on the year.
    r = clerk_client.post(url, {"year": "2024", "reviewed_on": "2025-02-15", "passed": "1", "note": "复审"})
    assert r.status_code == 200
    assert field_errors(r, "year") == ["执法证 豫文旅执 1001 的 2024 年度年审已登记"]
    assert 'value="2025-02-15"' in html(r) and 'value="复审"' in html(r)
    assert AnnualReview.objects.filter(certificate=c).count() == 1
    # A review cannot be earlier than the certificate, nor of a year not yet begun.
    r = clerk_client.post(url, {"year": "2023", "reviewed_on": "2023-12-01", "passed": "1"})
    assert field_errors(r, "reviewed_on") == ["审验日期不能早于发证日期"]
    r = clerk_client.post(url, {"year": "2026", "reviewed_on": "2025-12-01", "passed": "1"})
    assert field_errors(r, "year")[0].startswith("年度（2026）不能晚于审验日期所在年度（2025）")
    r = clerk_client.post(url, {"year": "两千", "reviewed_on": "2025-12-01"})
    assert field_errors(r, "year") == ["年度应为四位数字，例如 2025。"]
    assert field_errors(r, "passed") == ["请填写审验结论。"]


# --- forms: training -----------------------------------------------------------------------------------
TRAINING = {"kind": "refresher", "title": "2025 年文化市场执法轮训", "organiser": "省文旅厅",
            "start_on": "2025-06-09", "end_on": "2025-06-11", "hours": "24", "days": "",
            "exam_result": "passed", "exam_score": "92.5"}


def test_training_add_defaults_days_to_weekdays(clerk_client, bureau):
    url = reverse("org:training_add", args=[bureau.wang.pk])
    assert clerk_client.get(url).status_code == 200
    r = clerk_client.post(url, {**TRAINING, "start_on": "2025-06-06", "end_on": "2025-06-10"})  # Fri–Tue
    assert r.status_code == 302
    t = Training.objects.get(person=bureau.wang)
    assert (t.days, t.hours, t.exam_score) == (Decimal(3), Decimal(24), Decimal("92.5"))
    assert t.recorded_by == bureau.clerk
    assert Event.objects.filter(action="org.training_added", subject=f"training:{t.pk}").exists()


def test_training_end_before_start(clerk_client, bureau):
    before = (Training.objects.count(), Event.objects.count())
    r = clerk_client.post(reverse("org:training_add", args=[bureau.wang.pk]),
                          {**TRAINING, "start_on": "2025-06-11", "end_on": "2025-06-09"})
    assert r.status_code == 200
    assert field_errors(r, "end_on") == ["结束日期（2025-06-09）不能早于开始日期（2025-06-11）。"]
    assert 'value="2025 年文化市场执法轮训"' in html(r) and 'value="92.5"' in html(r)
    assert (Training.objects.count(), Event.objects.count()) == before


def test_training_days_beyond_the_span_from_the_service(clerk_client, bureau):
    before = (Training.objects.count(), Event.objects.count())
    r = clerk_client.post(reverse("org:training_add", args=[bureau.wang.pk]), {**TRAINING, "days": "4"})
    assert r.status_code == 200
    assert field_errors(r, "days") == ["培训天数应在 0 到 3 之间（不超过起止日期跨度）"]
    page = html(r)
    assert "培训天数应在 0 到 3 之间" in page
    assert 'value="4"' in page and 'value="省文旅厅"' in page and 'value="2025-06-11"' in page
    assert (Training.objects.count(), Event.objects.count()) == before


def test_training_form_errors_are_chinese(clerk_client, bureau):
    r = clerk_client.post(reverse("org:training_add", args=[bureau.wang.pk]),
                          {**TRAINING, "kind": "party", "hours": "-1", "days": "1.25", "exam_result": "none",
                           "title": ""})
    errors = r.context["form"].errors
    assert errors["kind"] == ["培训类别的选项“party”无效，请从列表中选择。"]
    assert errors["hours"] == ["学时不能小于 0。"]
    assert errors["days"] == ["培训天数最多保留 1 位小数。"]
    assert errors["title"] == ["请填写培训名称。"]
    assert errors["exam_result"] == ["填写了考试成绩时，请选择考试结果（合格或不合格）。"]


# --- permissions -----------------------------------------------------------------------------------------
def test_an_officer_may_not_change_files(officer_client, bureau):
    c = bureau.zhang.certificates.get()
    before = Event.objects.count()
    posts = [
        (reverse("org:certificate_add", args=[bureau.wang.pk]),
         {"number": "X1", "issuing_authority": "省", "domains": [bureau.domains["NET"].pk],
          "issued_on": "2025-01-01", "valid_until": "2026-01-01"}),
        (reverse("org:certificate_status", args=[c.pk]),
         {"status": "suspended", "effective_on": "2025-06-02", "reason": "自行暂扣"}),
        (reverse("org:annual_review_add", args=[c.pk]),
         {"year": "2024", "reviewed_on": "2025-01-15", "passed": "1"}),
        (reverse("org:training_add", args=[bureau.zhang.pk]), TRAINING),
    ]
    for url, data in posts:
        r = officer_client.post(url, data)
        assert r.status_code == 403, url
        assert "没有权限" in html(r)
        assert officer_client.get(url).status_code == 403
    assert Event.objects.count() == before
    assert not CertificateStatusChange.objects.filter(certificate=c).exists()


def test_system_administrator_may_enter_files(client, bureau, make_user, verified_login):
    admin = make_user(bureau.agency, roles=("sysadmin",))
    verified_login(client, admin)
    r = client.post(reverse("org:training_add", args=[bureau.wang.pk]), TRAINING)
    assert r.status_code == 302
    assert Training.objects.filter(person=bureau.wang).count() == 1


def test_forms_need_the_csrf_token(bureau, verified_login):
    c = verified_login(Client(enforce_csrf_checks=True), bureau.clerk)
    r = c.post(reverse("org:training_add", args=[bureau.wang.pk]), TRAINING)
    assert r.status_code == 403
    assert not Training.objects.filter(person=bureau.wang).exists()
    page = c.get(reverse("org:training_add", args=[bureau.wang.pk]))
    assert "csrfmiddlewaretoken" in html(page)
