"""The staff's publication screens (``/publicity/``, issue 7 §2) on the demo bureau: the dashboard of what is due,
late, live and withdrawn; the masked preview and publishing; refusals shown as messages, not errors; withdrawing with
its reason and deadline; who may do what. Real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from zhifa.catalog.calendar import work_calendar
from zhifa.law import publicity as rules
from zhifa.org.models import User
from zhifa.publicity import services
from zhifa.publicity.models import Publication
from zhifa.publicity.views.staff import can_publish

from ..demo import demo_case

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("publicity:dashboard")


@pytest.fixture
def sign_in(client, verified_login):
    """Sign a demo person in by username (with the second factor where their role needs it)."""

    def login(username: str):
        client.logout()
        return verified_login(client, User.objects.get(username=username))

    return login


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _due_row(response, case):
    return next(r for r in response.context["due_rows"] if r["case"].pk == case.pk)


def test_dashboard_lists_the_decided_case_as_due_with_its_date(demo_loaded, sign_in):
    case = demo_case("trv-decided")
    by = rules.publish_by(case.decided_on, work_calendar())
    r = sign_in("neiqin").get(DASHBOARD)
    assert r.status_code == 200
    assert r.context["active"] == "publicity"
    row = _due_row(r, case)
    assert row["due_on"] == by and row["reasons"] == [] and not row["late"]
    html = r.content.decode()
    assert f'id="due-{case.pk}"' in html and by.isoformat() in html
    assert reverse("cases:detail", args=[case.pk]) in html
    assert reverse("publicity:publish", args=[case.pk]) in html
    # the demo loader published several decisions: they are live, each with its public page and a 撤回 link
    live = Publication.objects.filter(agency=case.agency, status=Publication.Status.PUBLISHED)
    assert r.context["counts"]["live"] == live.count() > 0
    pub = live.first()
    assert reverse("portal:decision", args=[case.agency.code, pub.pk]) in html
    assert reverse("publicity:withdraw", args=[pub.pk]) in html
    # the summary and warning-only decisions are listed with their reasons, never with a button
    refused = [x for x in r.context["due_rows"] if x["reasons"]]
    assert refused and "按本机关政策不予公开" in html
    for x in refused:
        assert f'action="{reverse("publicity:publish", args=[x["case"].pk])}"' not in html
    assert r.context["counts"]["due"] == 1 and r.context["counts"]["late"] == 0


def test_an_officer_may_read_but_not_publish_or_withdraw(demo_loaded, sign_in):
    case = demo_case("trv-decided")
    client = sign_in("zhifa08")
    officer = User.objects.get(username="zhifa08")
    assert not can_publish(officer)
    r = client.get(DASHBOARD)
    assert r.status_code == 200 and not r.context["may_publish"]
    assert f'action="{reverse("publicity:publish", args=[case.pk])}"' not in r.content.decode()
    assert client.get(reverse("publicity:publish", args=[case.pk])).status_code == 200  # the preview
    assert client.post(reverse("publicity:publish", args=[case.pk])).status_code == 403
    assert not Publication.objects.filter(case=case).exists()
    pub = Publication.objects.filter(agency=case.agency, status=Publication.Status.PUBLISHED).first()
    assert client.get(reverse("publicity:withdraw", args=[pub.pk])).status_code == 403
    r = client.post(reverse("publicity:withdraw", args=[pub.pk]), {"changed_on": "2026-01-05", "reason": "撤销"})
    assert r.status_code == 403
    pub.refresh_from_db()
    assert pub.status == Publication.Status.PUBLISHED


def test_who_may_publish(demo_loaded, sign_in):
    assert can_publish(User.objects.get(username="neiqin"))  # 内勤
    assert can_publish(User.objects.get(username="juzhang"))  # 负责人
    assert can_publish(User.objects.get(username="fazhi1"))  # 法制审核人员
    assert not can_publish(User.objects.get(username="zhifa08"))
    r = sign_in("juzhang").get(DASHBOARD)
    assert r.status_code == 200 and r.context["may_publish"]


def test_a_person_of_no_agency_is_refused_and_another_agencys_case_is_absent(demo_loaded, client, make_user,
                                                                             make_agency, verified_login):
    case = demo_case("trv-decided")
    nobody = make_user(None, roles=("clerk",))
    verified_login(client, nobody)
    assert client.get(DASHBOARD).status_code == 403
    other = make_user(make_agency("汝南县文化广电和旅游局"), roles=("clerk",))
    client.logout()
    verified_login(client, other)
    assert client.get(DASHBOARD).status_code == 200
    assert client.get(reverse("publicity:publish", args=[case.pk])).status_code == 404
    assert client.post(reverse("publicity:publish", args=[case.pk])).status_code == 404
    assert not Publication.objects.filter(case=case).exists()


def test_the_clerk_previews_the_masked_content_then_publishes(demo_loaded, sign_in):
    from zhifa.documents.models import Document

    case = demo_case("trv-decided")
    clerk = User.objects.get(username="neiqin")
    # the issued decision's facts name a phone and an identity number: the preview shows them masked
    Document.objects.create(case=case, code="penalty_decision", title="行政处罚决定书", drafted_by=clerk,
                            inputs={"facts": "经查，当事人（联系电话13912345678，经办人身份证号码411727196504051234）"
                                             "组团出游未签订旅游合同。"},
                            drafted_at=timezone.now(), updated_at=timezone.now(), status="issued")
    client = sign_in("neiqin")
    url = reverse("publicity:publish", args=[case.pk])
    r = client.get(url)
    assert r.status_code == 200
    content = r.context["content"]
    assert content == services.content_of(case, on=timezone.localdate())
    html = r.content.decode()
    assert "13912345678" not in html and "411727196504051234" not in html
    assert "139****5678" in html and content["facts"] in html
    assert content["party"] in html and content["penalty"] in html and content["title"] in html
    assert f'action="{url}"' in html  # the confirm button

    r = client.post(url)
    assert r.status_code == 302 and r.url == DASHBOARD
    pub = Publication.objects.get(case=case, status=Publication.Status.PUBLISHED)
    assert pub.published_by == clerk and pub.published_on == timezone.localdate()
    public = reverse("portal:decision", args=[case.agency.code, pub.pk])
    (text,) = _messages(r)
    assert "已公开" in text and f'href="{public}"' in text

    r = client.get(DASHBOARD)
    assert pub.pk in [p.pk for p in r.context["live"].object_list]
    assert case.pk not in [x["case"].pk for x in r.context["due_rows"]]
    assert f'id="live-{pub.pk}"' in r.content.decode()
    assert f'<a href="{public}">查看公示页面</a>' in r.content.decode()  # the message's link, not escaped

    # publishing again: the refusal as a message with its citation, no second publication, no error page
    r = client.post(url)
    assert r.status_code == 302 and r.url == DASHBOARD
    (text,) = _messages(r)
    assert "该决定已在公示中" in text and "依据" in text
    assert Publication.objects.filter(case=case).count() == 1
    r = client.get(url)  # the preview says where it is
    assert r.status_code == 200 and r.context["live"] == pub and public in r.content.decode()


def test_a_witness_named_in_the_facts_is_hidden_when_listed(demo_loaded, sign_in):
    """Third parties the facts name (a witness) are hidden when the publisher lists them; a one-character entry is
    refused on the field, the preview still shown; the names are kept with the publication for its document."""
    from zhifa.documents.models import Document

    case = demo_case("trv-decided")
    clerk = User.objects.get(username="neiqin")
    Document.objects.create(case=case, code="penalty_decision", title="行政处罚决定书", drafted_by=clerk,
                            inputs={"facts": "旅游者王建国证实当事人组团出游未签订旅游合同。"},
                            drafted_at=timezone.now(), updated_at=timezone.now(), status="issued")
    client = sign_in("neiqin")
    url = reverse("publicity:publish", args=[case.pk])
    assert "王建国" in client.get(url).context["content"]["facts"]
    r = client.get(url, {"hidden": "王建国、李"})
    assert "需隐去的姓名至少两个字：李" in r.context["hidden_error"] and r.context["content"] is not None
    r = client.get(url, {"hidden": "王建国"})
    html = r.content.decode()
    assert "王某某" in r.context["content"]["facts"] and "王建国证实" not in html
    assert 'name="hidden" value="王建国"' in html  # carried to the confirm form
    client.post(url, {"hidden": "王建国"})
    pub = Publication.objects.get(case=case, status=Publication.Status.PUBLISHED)
    assert pub.hidden_names == ["王建国"] and "王建国" not in str(pub.content)


def test_a_refused_publication_names_every_reason(demo_loaded, sign_in):
    case = next(r["case"] for r in services.due(demo_case("trv-decided").agency) if r["reasons"])
    client = sign_in("neiqin")
    r = client.get(reverse("publicity:publish", args=[case.pk]))
    assert r.status_code == 200 and r.context["reasons"]
    assert f'action="{reverse("publicity:publish", args=[case.pk])}"' not in r.content.decode()
    r = client.post(reverse("publicity:publish", args=[case.pk]))
    assert r.status_code == 302
    texts = _messages(r)
    assert len(texts) == len(services.reasons_not_to_publish(case, on=timezone.localdate())) >= 1
    assert all("依据" in t for t in texts)
    assert not Publication.objects.filter(case=case).exists()


def _live_one(case_slug: str = "trv-served") -> Publication:
    return Publication.objects.get(case=demo_case(case_slug), status=Publication.Status.PUBLISHED)


def test_withdraw_refused_keeps_what_was_typed(demo_loaded, sign_in):
    pub = _live_one()
    client = sign_in("neiqin")
    url = reverse("publicity:withdraw", args=[pub.pk])
    r = client.get(url)
    assert r.status_code == 200 and "行政处罚法" in r.content.decode()
    changed = timezone.localdate() - timedelta(days=1)
    r = client.post(url, {"changed_on": changed.isoformat(), "reason": "  "})
    assert r.status_code == 400
    form = r.context["form"]
    assert "reason" in form.errors and "第四十八条" in form.errors["reason"][0]
    html = r.content.decode()
    assert f'value="{changed.isoformat()}"' in html  # the date typed is still there
    pub.refresh_from_db()
    assert pub.status == Publication.Status.PUBLISHED

    # a date in the future is refused next to its field, the reason typed kept
    future = timezone.localdate() + timedelta(days=2)
    r = client.post(url, {"changed_on": future.isoformat(), "reason": "复议机关撤销了该决定"})
    assert r.status_code == 400 and "changed_on" in r.context["form"].errors
    assert "复议机关撤销了该决定" in r.content.decode()
    pub.refresh_from_db()
    assert pub.status == Publication.Status.PUBLISHED


def test_withdraw_moves_it_to_withdrawn_with_the_reason(demo_loaded, sign_in):
    pub = _live_one()
    client = sign_in("neiqin")
    today = timezone.localdate()
    reason = "该决定经行政复议被撤销"
    r = client.post(reverse("publicity:withdraw", args=[pub.pk]), {"changed_on": today.isoformat(), "reason": reason})
    assert r.status_code == 302 and r.url == DASHBOARD
    pub.refresh_from_db()
    assert pub.status == Publication.Status.WITHDRAWN and pub.withdraw_reason == reason
    assert pub.changed_on == today and pub.withdrawn_on == today
    assert pub.withdraw_due_on == rules.withdraw_by(today, work_calendar())
    (text,) = _messages(r)
    assert "已撤回" in text and "在期限内" in text and pub.withdraw_due_on.isoformat() in text

    r = client.get(DASHBOARD)
    assert pub.pk in [p.pk for p in r.context["ended"]]
    assert pub.pk not in [p.pk for p in r.context["live"].object_list]
    html = r.content.decode()
    assert f'id="ended-{pub.pk}"' in html and reason in html
    assert r.context["counts"]["withdrawn"] == 1
    # the form of a publication no longer live offers nothing to submit, and a POST is refused by the service
    r = client.post(reverse("publicity:withdraw", args=[pub.pk]), {"changed_on": today.isoformat(), "reason": "再撤"})
    assert r.status_code == 400 and "该决定不在公示中" in r.content.decode()


def test_a_late_withdrawal_says_so(demo_loaded, sign_in):
    pub = Publication.objects.filter(status=Publication.Status.PUBLISHED).order_by("decided_on").first()
    changed = pub.decided_on  # changed the day it was made: long past its 3 working days
    assert rules.withdraw_by(changed, work_calendar()) < timezone.localdate()
    client = sign_in("neiqin")
    r = client.post(reverse("publicity:withdraw", args=[pub.pk]),
                    {"changed_on": changed.isoformat(), "reason": "该决定被人民法院判决撤销"})
    assert r.status_code == 302
    (text,) = _messages(r)
    assert "已逾期" in text
    r = client.get(DASHBOARD)
    row = next(p for p in r.context["ended"] if p.pk == pub.pk)
    assert row.late and "逾期撤回" in r.content.decode()


def test_lateness_of_the_due_list(demo_loaded):
    """The service's lateness, by the day asked: due up to its last day, late the day after."""
    case = demo_case("trv-decided")
    by = rules.publish_by(case.decided_on, work_calendar())
    rows = {r["case"].pk: r for r in services.due(case.agency, today=by)}
    assert not rows[case.pk]["late"]
    rows = {r["case"].pk: r for r in services.due(case.agency, today=by + timedelta(days=1))}
    assert rows[case.pk]["late"]


def test_the_dashboard_shows_a_late_case_as_late(demo_loaded, sign_in, monkeypatch):
    case = demo_case("trv-decided")
    by = rules.publish_by(case.decided_on, work_calendar())
    client = sign_in("neiqin")
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: by + timedelta(days=1))
    r = client.get(DASHBOARD)
    assert r.status_code == 200
    row = _due_row(r, case)
    assert row["late"] and row["days"]["overdue"] == 1
    assert r.context["counts"]["late"] == 1
    html = r.content.decode()
    start = html.index(f'id="due-{case.pk}"')
    assert "已逾期 1 天" in html[start:html.index("</tr>", start)]


def test_annual_report_preview_and_publication(demo_loaded, sign_in):
    from zhifa.publicity import reports as annual
    from zhifa.publicity.models import AnnualReport

    agency = demo_case("trv-decided").agency
    client = sign_in("zhifa08")
    r = client.get(reverse("publicity:reports"))
    assert r.status_code == 200
    year = r.context["status"]["year"]
    assert year == timezone.localdate().year - 1 and r.context["status"]["published"] is None
    url = reverse("publicity:report", args=[year])
    assert url in r.content.decode()
    r = client.get(url)
    assert r.status_code == 200 and r.context["published"] is None
    numbers = dict(r.context["figures"]["numbers"])
    assert numbers["罚款金额（元）"] == annual.figures(agency, year)["fine_total"]
    titles = [t["title"] for t in r.context["figures"]["tables"]]
    assert "办理结果" in titles and "按月作出的决定" in titles
    assert 'name="note"' not in r.content.decode()  # an officer sees no form
    assert client.post(url, {"note": "x"}).status_code == 403

    client = sign_in("neiqin")
    # the year not ended yet: refused on the page, the note typed kept
    this_year = timezone.localdate().year
    r = client.post(reverse("publicity:report", args=[this_year]), {"note": "年中试公开"})
    assert r.status_code == 400 and "尚未结束" in r.content.decode() and "年中试公开" in r.content.decode()
    assert not AnnualReport.objects.filter(agency=agency).exists()

    r = client.post(url, {"note": "数据截至年底"})
    assert r.status_code == 302 and r.url == reverse("portal:report", args=[agency.code, year])
    report = AnnualReport.objects.get(agency=agency, year=year)
    assert report.note == "数据截至年底" and report.published_by.username == "neiqin"
    r = client.get(reverse("publicity:reports"))
    assert r.context["status"]["published"] == report and f'id="report-{year}"' in r.content.decode()
    r = client.get(url)  # the frozen figures, no second publication
    assert r.context["published"] == report and 'name="note"' not in r.content.decode()
    r = client.post(url, {"note": "再次公开"})
    assert r.status_code == 400 and "不能重新公开" in r.content.decode()
    assert AnnualReport.objects.filter(agency=agency).count() == 1
    assert client.get(reverse("publicity:report", args=[this_year + 1])).status_code == 404



def test_a_corrected_decision_is_due_to_withdraw(demo_loaded, sign_in, settings):
    """The published decision document was corrected (a new version issued): the dashboard lists the publication
    under 应撤回 with the 3-working-day deadline, and the withdraw form offers the correction's date and reason."""
    from zhifa.documents import services as documents

    settings.ZHIFA_PDF_AT_ISSUE = False
    case = demo_case("trv-decided")
    lead = case.handlers.filter(removed_on__isnull=True, is_lead=True).first().user
    first = documents.issue(documents.draft(case, "penalty_decision", {"facts": "当事人未签订旅游合同。"}, actor=lead),
                            actor=lead, on=case.decided_on)
    pub = services.publish(case, actor=lead)
    assert services.to_withdraw(case.agency) == []
    newer = documents.correct(first, reason="罚款金额笔误", actor=lead)
    newer = documents.issue(newer, actor=lead)
    (row,) = services.to_withdraw(case.agency)
    assert row["publication"] == pub and row["changed_on"] == newer.issued_on
    assert row["withdraw_by"] == rules.withdraw_by(newer.issued_on, work_calendar()) and "罚款金额笔误" in row["reason"]
    client = sign_in("neiqin")
    r = client.get(DASHBOARD)
    assert f'id="changed-{pub.pk}"' in r.content.decode() and r.context["counts"]["to_withdraw"] == 1
    form = client.get(reverse("publicity:withdraw", args=[pub.pk])).context["form"]
    assert form.initial["changed_on"] == newer.issued_on and "罚款金额笔误" in form.initial["reason"]
    services.withdraw(pub, actor=lead, reason=row["reason"], changed_on=row["changed_on"])
    assert services.to_withdraw(case.agency) == []
