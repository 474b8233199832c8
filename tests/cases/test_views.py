"""The case screens: scoping, urgency, refusals with their articles, idempotent and stale submits, no 500s."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from zhifa.cases import services
from zhifa.cases.models import Case, CaseClock, CaseStep
from zhifa.law.procedure import Action as A

from .helpers import ALL_CHECKS, key


def today():
    return timezone.localdate()


def open_clue(actor, party, *handlers, title="接纳未成年人进入营业场所") -> Case:
    payload = {"title": title, "clue_source": "inspection", "documents": ["inspection_record"],
               "party": party.pk, "items": ["WH-NET-004"], "act_date": (today() - timedelta(days=3)).isoformat(),
               "discovered_on": (today() - timedelta(days=1)).isoformat(), "handlers": [h.pk for h in handlers]}
    return services.open_case(agency=actor.agency, procedure="general", actor=actor, payload=payload,
                              idempotency_key=key()).case


def step(case, action, actor, **payload):
    services.transition(case.pk, str(action), actor=actor, payload=payload, idempotency_key=key())
    case.refresh_from_db()


def to_awaiting_decision(case, zhang, li, head, reviewer):
    step(case, A.FILE, head, documents=["filing_approval_form"])
    step(case, A.START_INVESTIGATION, zhang)
    step(case, A.RECORD_EVIDENCE, li, evidence=[{"kind": "documentary", "description": "上网登记记录"}])
    step(case, A.CLOSE_INVESTIGATION, zhang, documents=["investigation_report", "investigation_closing_form"],
         penalty={"kinds": ["warning"]})
    step(case, A.SUBMIT_REVIEW, zhang, documents=["investigation_report"], reviewer=reviewer.pk)
    step(case, A.PASS_REVIEW, reviewer, documents=["legal_review_opinion"], checks=ALL_CHECKS, opinion="同意")
    step(case, A.SUBMIT_FOR_DECISION, zhang)


def test_officers_are_qualified_today(zhang, li, party, as_user):
    """The fixtures' officers may enforce today (the screens use the real date)."""
    c = as_user(zhang)
    html = c.get(reverse("cases:new")).content.decode()
    assert "张三 — 可执法领域" in html and "李四 — 可执法领域" in html


def test_register_clue_through_the_screen(zhang, li, party, as_user):
    c = as_user(zhang)
    r = c.get(reverse("cases:new"))
    assert r.status_code == 200
    idem = r.context["form"]["idempotency_key"].value()
    data = {"idempotency_key": idem, "title": "接纳未成年人", "clue_source": "inspection",
            "clue_received_on": today().isoformat(), "party": party.pk, "items": ["WH-NET-004"],
            "act_date": (today() - timedelta(days=2)).isoformat(), "handlers": [zhang.pk, li.pk],
            "documents": ["inspection_record"]}
    r = c.post(reverse("cases:new"), data)
    case = Case.objects.get()
    assert r.status_code == 302 and r.url == reverse("cases:detail", args=[case.pk])
    # the same form again: the same case, not a second one
    c.post(reverse("cases:new"), data)
    assert Case.objects.count() == 1
    page = c.get(r.url).content.decode()
    assert "案源登记" in page and "WH-NET-004" in page and "立案期限" in page
    assert reverse("catalog:item", args=["WH-NET-004"]) in page


def test_another_agencys_case_is_404(zhang, li, party, make_agency, make_user, as_user):
    case = open_clue(zhang, party, zhang, li)
    other = make_user(make_agency("外县文旅局"), roles=("officer",))
    c = as_user(other)
    assert c.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    assert c.get(reverse("cases:act", args=[case.pk, "file"])).status_code == 404
    assert c.post(reverse("cases:act", args=[case.pk, "record_material"]), {}).status_code == 404
    assert case.title not in c.get(reverse("cases:list") + "?tab=all").content.decode()


def test_list_sorted_by_urgency_with_overdue_in_red(zhang, li, party, as_user):
    late = open_clue(zhang, party, zhang, li, title="甲案")
    soon = open_clue(zhang, party, zhang, li, title="乙案")
    far = open_clue(zhang, party, zhang, li, title="丙案")
    for case, days in ((late, -2), (soon, 2), (far, 10)):
        CaseClock.objects.filter(case=case).update(due_on=today() + timedelta(days=days))
        _resync(case)
    c = as_user(zhang)
    r = c.get(reverse("cases:list"))
    assert [x.title for x in r.context["rows"]] == ["甲案", "乙案", "丙案"]
    html = r.content.decode()
    assert "已逾期 2 天" in html and 'class="row-no"' in html and 'class="row-warn"' in html
    r = c.get(reverse("cases:list"), {"q": "乙", "tab": "all"})
    assert [x.title for x in r.context["rows"]] == ["乙案"]
    r = c.get(reverse("cases:todo"))
    assert r.status_code == 200


def test_decision_before_notice_is_refused_with_its_article(zhang, li, head, reviewer, party, as_user):
    case = open_clue(zhang, party, zhang, li)
    to_awaiting_decision(case, zhang, li, head, reviewer)
    c = as_user(head)
    url = reverse("cases:act", args=[case.pk, "decide_penalty"])
    r = c.get(url)
    form = r.context["form"]
    data = {"idempotency_key": form["idempotency_key"].value(), "expected_version": case.version,
            "documents": ["penalty_decision"]}
    r = c.post(url, data)
    assert r.status_code == 200
    html = r.content.decode()
    assert "第四十四条" in html and "第六十二条" in html
    assert "notice_missing" in {v.code for v in r.context["violations"]}
    case.refresh_from_db()
    assert case.state == "awaiting_decision"
    # the head's to-do lists it
    assert case.pk in [x.pk for x in as_user(head).get(reverse("cases:todo")).context["sections"][0][2]]


def test_double_submit_is_taken_once_and_stale_form_is_refused(zhang, li, party, as_user):
    case = open_clue(zhang, party, zhang, li)
    c = as_user(zhang)
    url = reverse("cases:act", args=[case.pk, "record_material"])
    form = c.get(url).context["form"]
    data = {"idempotency_key": form["idempotency_key"].value(), "expected_version": case.version,
            "records": ["education_record"]}
    assert c.post(url, data).status_code == 302
    r = c.post(url, data, follow=True)
    assert "已办理过" in r.content.decode()
    assert CaseStep.objects.filter(case=case, action="record_material").count() == 1
    # a form built on the old version, with a new key: stale
    stale = {**data, "idempotency_key": "another-key-1"}
    r = c.post(url, stale)
    assert r.status_code == 409
    html = r.content.decode()
    assert "已被他人更新" in html and "重新载入" in html


def test_review_and_detail_pages(zhang, li, head, reviewer, party, as_user):
    case = open_clue(zhang, party, zhang, li)
    step(case, A.FILE, head, documents=["filing_approval_form"])
    c = as_user(zhang)
    r = c.get(reverse("cases:detail", args=[case.pk]))
    assert r.status_code == 200
    html = r.content.decode()
    assert reverse("cases:act", args=[case.pk, "start_investigation"]) in html and "开始调查" in html
    assert "行政处罚决定期限" in html and "条件已具备" in html
    r = c.get(reverse("cases:assess", args=[case.pk]))
    assert r.status_code == 200


GARBAGE = ["", "x", "0", "-1", "9" * 30, "\x00", "<script>", "'; drop table", "🙂" * 50, "2026-13-45"]


def test_garbage_never_gives_a_500(zhang, li, head, party, as_user):
    case = open_clue(zhang, party, zhang, li)
    for user in (zhang, head):
        c = as_user(user)
        for g in GARBAGE:
            for name in ("q", "state", "procedure", "page", "tab"):
                assert c.get(reverse("cases:list"), {name: g}).status_code < 500
            assert c.get(reverse("cases:todo"), {"x": g}).status_code < 500
        for url in (f"/cases/{'9' * 30}/", "/cases/0/", f"/cases/{case.pk}/act/nope/", f"/cases/{case.pk}/act/x-y/",
                    f"/cases/{case.pk}/act/register_clue/", f"/cases/{case.pk}/act/assess/"):
            assert c.get(url).status_code == 404, url
        for action in ("file", "decide_penalty", "add_handler", "decide_approval", "record_document",
                       "record_material", "update_particulars", "notify", "pass_review", "decide_on_the_spot",
                       "record_evidence", "schedule_hearing", "hold_collective_discussion"):
            url = reverse("cases:act", args=[case.pk, action])
            assert c.get(url).status_code < 500, url
            for g in GARBAGE:
                data = dict.fromkeys(("idempotency_key", "expected_version", "documents", "records", "penalty_kinds",
                                      "penalty_fine", "user", "kind", "approved", "party", "items", "title",
                                      "evidence_kind", "evidence_description", "checks", "attendees", "hearing_date",
                                      "hearing_host", "act_date", "filed_on"), g)
                assert c.post(url, data).status_code < 500, (url, g)
            assert c.post(url, {"idempotency_key": "k" * 100, "expected_version": "5"}).status_code < 500
        for url in (reverse("cases:new"), reverse("cases:new_summary"), reverse("cases:assess", args=[case.pk])):
            for g in GARBAGE:
                data = dict.fromkeys(("idempotency_key", "title", "party", "items", "handlers", "act_date",
                                      "clue_source", "harm", "turnover", "expected_version"), g)
                assert c.post(url, data).status_code < 500, (url, g)


def test_summary_procedure_through_the_screens(zhang, li, person_party, as_user):
    c = as_user(zhang)
    url = reverse("cases:new_summary")
    form = c.get(url).context["form"]
    r = c.post(url, {"idempotency_key": form["idempotency_key"].value(), "title": "未悬挂营业执照",
                     "party": person_party.pk, "items": ["WH-NET-004"], "handlers": [zhang.pk, li.pk]})
    case = Case.objects.get()
    assert r.status_code == 302 and case.state == "on_the_spot"
    act = reverse("cases:act", args=[case.pk, "decide_on_the_spot"])
    form = c.get(act).context["form"]
    base = {"idempotency_key": form["idempotency_key"].value(), "expected_version": case.version,
            "penalty_kinds": ["warning"]}
    # credentials not shown, statement not heard: refused with Art 52 / 55
    r = c.post(act, base)
    assert r.status_code == 200
    assert {"credentials_not_shown", "statement_not_heard"} & {v.code for v in r.context["violations"]}
    assert "第五十五条" in r.content.decode() or "第五十二条" in r.content.decode()
    assert r.context["form"]["penalty_kinds"].value() == ["warning"]  # the values are kept
    fields = r.context["form"].fields
    # the 音像记录 box ticked without a file or a reason: refused on the reason's field (law.md §2.2)
    ticked = {**base, "credentials_shown": "on", "statement_heard": "on",
              **{n: list(fields[n].initial) for n in ("documents", "records") if n in fields}}
    r = c.post(act, ticked)
    assert r.status_code == 200 and "av_record_or_reason_missing" in {v.code for v in r.context["violations"]}
    assert "未能录制的理由" in " ".join(r.context["form"]["av_reason"].errors)
    r = c.post(act, {**ticked, "av_reason": "执法记录仪电量耗尽，未能录制，已在决定书中注明"})
    case.refresh_from_db()
    assert r.status_code == 302, [str(v) for v in r.context["violations"]]
    assert case.records.get(code="av_record_or_reason").description.startswith("执法记录仪电量耗尽")
    assert case.state == "decided" and case.reference.startswith("平文旅简")


def _resync(case):
    """After a test moves clock dates by hand: the case's urgency fields as the service keeps them."""
    case.refresh_from_db()
    services.set_urgency(case)
    case.save(update_fields=["next_due", "next_party_due"])


def _clock(case, code, due, name):
    CaseClock.objects.create(case=case, code=code, name=name, started_on=today() - timedelta(days=70),
                             base_due_on=due, due_on=due, basis="依据")


def test_a_lapsed_party_window_is_not_overdue(zhang, li, party, as_user):
    """The party's remedy windows are their time, not the bureau's deadlines: lapsed, they are shown neutrally
    ("期限已届满"), do not colour the row, and a case with an agency deadline comes first."""
    served = open_clue(zhang, party, zhang, li, title="甲案")
    Case.objects.filter(pk=served.pk).update(state="served", decision_kind="penalty")
    CaseClock.objects.filter(case=served).update(stopped_on=today())
    _clock(served, "reconsideration", today() - timedelta(days=3), "申请行政复议期限")
    _clock(served, "litigation", today() + timedelta(days=120), "直接提起行政诉讼期限")
    _resync(served)
    pending = open_clue(zhang, party, zhang, li, title="乙案")
    CaseClock.objects.filter(case=pending).update(due_on=today() + timedelta(days=10))
    _resync(pending)

    c = as_user(zhang)
    r = c.get(reverse("cases:list"))
    assert [x.title for x in r.context["rows"]] == ["乙案", "甲案"]  # the agency's deadline first
    row = next(x for x in r.context["rows"] if x.title == "甲案")
    assert row.next_clock["lapsed"] and not row.next_clock["overdue"] and row.row_tone == ""
    html = r.content.decode()
    assert "期限已届满" in html and "已逾期" not in html and 'class="row-no"' not in html

    page = c.get(reverse("cases:detail", args=[served.pk])).content.decode()
    assert "申请行政复议期限" in page and "期限已届满" in page  # still listed on the case page
    assert "已逾期" not in page and 'class="row-no"' not in page
    # 记录公示 is offered after the penalty decision, and its form is built from the payload schema
    assert reverse("cases:act", args=[served.pk, "record_publication"]) in page
    form = c.get(reverse("cases:act", args=[served.pk, "record_publication"])).context["form"]
    assert {"published_on", "where", "note"} <= set(form.fields) and "documents" not in form.fields

    todo = c.get(reverse("cases:todo")).content.decode()
    assert "已逾期 " not in todo and 'class="row-no"' not in todo

    from zhifa.api.views import clock_json

    lapsed = clock_json(CaseClock.objects.get(case=served, code="reconsideration"), today())
    assert lapsed["days_left"] < 0 and not lapsed["overdue"] and lapsed["binds"] == "party"

    # the same lapse on an agency deadline is overdue, in red
    _clock(served, "publish_penalty", today() - timedelta(days=2), "行政处罚决定公示")
    html = c.get(reverse("cases:list")).content.decode()
    assert "已逾期 2 天" in html and 'class="row-no"' in html
    late = clock_json(CaseClock.objects.get(case=served, code="publish_penalty"), today())
    assert late["overdue"] is True and late["binds"] == "agency"
    # and the officer's to-do asks for the publication
    todo = c.get(reverse("cases:todo"))
    mine = next(rows for key, _, rows in todo.context["sections"] if key == "officer")
    assert any(x.title == "甲案" and "记录公示" in x.waiting for x in mine)


@pytest.mark.parametrize(("view", "zh", "en"), [
    ({"left": 1, "tone": "warn"}, "剩 1 天", "1 day left"),
    ({"left": 3, "tone": "ok"}, "剩 3 天", "3 days left"),
    ({"overdue": 1, "left": -1}, "已逾期 1 天", "1 day overdue"),
    ({"overdue": 4, "left": -4}, "已逾期 4 天", "4 days overdue"),
    ({"left": 0, "tone": "warn"}, "今日届满", "Due today"),
])
def test_day_counts_are_worded_with_plural_forms(view, zh, en):
    from django.template.loader import render_to_string
    from django.utils import translation

    from zhifa.cases.views.common import days_badge

    for language, words in (("zh-hans", zh), ("en", en)):
        with translation.override(language):
            css, text = days_badge(view)
            assert text == words
            html = render_to_string("cases/_days.html", {"v": {"badge": text, "badge_class": css}})
            assert words in html and f'class="badge {css}"' in html
