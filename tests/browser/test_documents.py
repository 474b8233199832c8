"""Enforcement documents (执法文书) on screen: the lead handler of a decided demo case drafts, issues, downloads and
serves the 行政处罚决定书 from the case's documents page; issuing without the 违法事实 is refused on that field with
what was typed kept; a head uploads a broken template (refused, the tag named), a good one, and goes back to the
built-in template."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from ..demo import demo_case as _case
from ..demo import lead_of as _lead
from .conftest import shot
from .ui import labelled, nav, sign_in, sign_in_with_second_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
BUILTIN = ROOT / "src" / "zhifa" / "documents" / "templates_docx" / "penalty_decision.docx"
FACTS = "2026年10月8日，执法人员检查发现当事人组织旅游团未与旅游者签订书面旅游合同。"


@pytest.fixture
def demo(settings):
    """The demo bureau with its cases; issuing makes no PDF (LibreOffice is slow cold)."""
    settings.ZHIFA_PDF_AT_ISSUE = False
    call_command("load_demo", stdout=io.StringIO())


def _sign_in_demo(page, base: str, user) -> None:
    """A demo account signs in with the demo password (heads enrol the authenticator, as ui.py does)."""
    from zhifa.org.demo import demo_password

    if user.needs_second_factor:
        sign_in_with_second_factor(page, base, user.username, demo_password())
    else:
        sign_in(page, base, user.username, demo_password())
        page.wait_for_url(f"{base}/")


def _open_documents(page, base: str, case) -> None:
    page.goto(f"{base}/cases/{case.pk}/")
    page.locator("#case-documents-link").click()
    page.wait_for_url(re.compile(rf".*/documents/case/{case.pk}/$"))


def _draft(page, title: str) -> str:
    """Choose a document type on the case's documents page and draft it: the draft's URL."""
    page.locator("#new-document").get_by_label("制作文书").select_option(label=title)
    page.get_by_role("button", name="起草").click()
    page.wait_for_url(re.compile(r".*/documents/\d+/$"))
    return page.url


def _submit(page, name: str) -> None:
    """Press a button of a form that comes back to the same address (saved, refused …) and wait for the page."""
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


def test_the_lead_handler_drafts_issues_and_downloads_the_decision(live_server, page, demo):
    from zhifa.documents.models import Document
    from zhifa.records.models import Event

    case = _case("trv-decided")
    officer = _lead(case)
    base = live_server.url
    _sign_in_demo(page, base, officer)
    _open_documents(page, base, case)
    assert "执法文书" in page.locator("h1").inner_text()
    url = _draft(page, "行政处罚决定书")
    d = Document.objects.get(pk=int(url.rstrip("/").rsplit("/", 1)[1]))
    assert (d.case_id, d.code, d.status) == (case.pk, "penalty_decision", Document.Status.DRAFT)
    assert page.locator("#document-status").inner_text() == "草稿"
    assert page.locator("#document-number").count() == 0  # nothing is numbered before it is issued

    labelled(page, "违法事实").fill(FACTS)
    _submit(page, "保存草稿")
    assert "草稿已保存" in page.locator(".messages").inner_text()
    assert labelled(page, "违法事实").input_value() == FACTS
    d.refresh_from_db()
    assert d.inputs["facts"] == FACTS and d.status == Document.Status.DRAFT

    asked = []

    def accept(dialog):
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)  # the data-confirm question (zhifa.js)
    _submit(page, "签发")
    assert asked and "确认签发" in asked[0]
    year = timezone.localdate().year
    number = page.locator("#document-number").inner_text()
    assert re.fullmatch(rf"平文旅罚〔{year}〕\d+号", number), number
    assert page.locator("#document-status").inner_text() == "已签发"
    assert "已签发：" in page.locator(".messages").inner_text()
    d.refresh_from_db()
    assert d.status == Document.Status.ISSUED and d.number.number == number
    assert Event.objects.filter(action="documents.issued", subject=f"document:{d.pk}").count() == 1
    shot(page, "document-issued")

    with page.expect_download() as got:
        page.locator("#download-docx").click()
    path = got.value.path()
    assert path.read_bytes()[:2] == b"PK" and zipfile.is_zipfile(path)
    assert got.value.suggested_filename.endswith(f"{number}.docx")
    assert Event.objects.filter(action="documents.downloaded", subject=f"document:{d.pk}").count() == 1

    # issued: no draft form any more, and a save sent anyway is refused and changes nothing
    assert page.locator("#draft-form").count() == 0
    assert page.get_by_role("button", name="保存草稿").count() == 0
    status = page.evaluate("""async () => {
        const body = new FormData();
        body.append("csrfmiddlewaretoken", document.querySelector("[name=csrfmiddlewaretoken]").value);
        body.append("op", "save");
        body.append("f_facts", "改过的事实");
        return (await fetch(location.href, {method: "POST", body, credentials: "same-origin"})).status;
    }""")
    assert status == 400
    d.refresh_from_db()
    assert d.inputs["facts"] == FACTS and d.status == Document.Status.ISSUED

    # the case's documents page lists it with its number
    page.get_by_role("link", name=re.compile("返回")).first.click()
    page.wait_for_url(re.compile(rf".*/documents/case/{case.pk}/$"))
    row = page.locator("#document-list tr", has_text=number)
    assert "已签发" in row.inner_text()


def test_the_lead_handler_serves_the_decision_and_the_case_is_served(live_server, page, demo):
    from zhifa.documents import services
    from zhifa.law import procedure as proc

    case = _case("trv-decided")
    officer = _lead(case)
    d = services.draft(case, "penalty_decision", {"facts": FACTS}, actor=officer)
    d = services.issue(d, actor=officer)
    today = timezone.localdate()

    base = live_server.url
    _sign_in_demo(page, base, officer)
    _open_documents(page, base, case)
    page.get_by_role("link", name="行政处罚决定书").first.click()
    page.wait_for_url(re.compile(rf".*/documents/{d.pk}/$"))
    assert "尚未登记送达" in page.locator("#services").inner_text()
    serve = page.locator("#serve")
    serve.locator("summary").click()
    labelled(serve, "送达方式").select_option("direct")
    labelled(serve, "送达日期").fill(today.isoformat())
    labelled(serve, "受送达人（签收人）").fill("程玉梅")
    labelled(serve, "签收人与当事人的关系").fill("法定代表人")
    with page.expect_navigation():
        serve.get_by_role("button", name="登记送达").click()
    page.wait_for_url(re.compile(rf".*/documents/{d.pk}/$"))
    message = page.locator(".messages").inner_text()
    assert f"已登记送达，送达日期 {today.isoformat()}" in message
    assert f"案件已办理：{proc.ACTION_LABELS[proc.Action.SERVE]}" in message
    services_table = page.locator("#services").inner_text()
    assert "直接送达" in services_table and "程玉梅（法定代表人）" in services_table
    shot(page, "document-served")

    case.refresh_from_db()
    assert case.state == proc.State.SERVED.value
    page.goto(f"{base}/cases/{case.pk}/")
    assert page.locator("#case-state").inner_text() == proc.STATE_LABELS[proc.State.SERVED]


def test_issuing_without_the_facts_names_the_field_and_keeps_the_rest(live_server, page, demo):
    from zhifa.documents.models import Document, DocumentNumber

    case = _case("trv-decided")
    officer = _lead(case)
    base = live_server.url
    _sign_in_demo(page, base, officer)
    _open_documents(page, base, case)
    url = _draft(page, "行政处罚决定书")
    labelled(page, "违法事实").fill("")
    labelled(page, "证据").fill("现场检查笔录、询问笔录、旅游团队名单")
    statement = "当事人称系临时组团，来不及签订书面合同；未予采纳"
    labelled(page, "当事人陈述、申辩或者听证情况及采纳情况").fill(statement)
    numbers = DocumentNumber.objects.count()
    page.once("dialog", lambda dialog: dialog.accept())
    _submit(page, "签发")
    assert page.url == url
    assert "请填写“违法事实”" in page.locator("#violations").inner_text()
    assert labelled(page, "证据").input_value() == "现场检查笔录、询问笔录、旅游团队名单"
    assert labelled(page, "当事人陈述、申辩或者听证情况及采纳情况").input_value() == statement
    assert page.locator("#document-status").inner_text() == "草稿"
    assert page.locator("#document-number").count() == 0
    shot(page, "document-issue-refused")
    d = Document.objects.get(pk=int(url.rstrip("/").rsplit("/", 1)[1]))
    assert d.status == Document.Status.DRAFT and DocumentNumber.objects.count() == numbers


def _broken_template() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("行政处罚决定书")
    document.add_paragraph("当事人：{{ party.nmae }}")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_head_uploads_templates_and_goes_back_to_the_built_in_one(live_server, page, demo, tmp_path):
    from zhifa.documents.models import Template
    from zhifa.org.models import User
    from zhifa.records.models import Event

    head = User.objects.get(username="juzhang")
    assert head.has_role("head")
    broken = tmp_path / "行政处罚决定书-改.docx"
    broken.write_bytes(_broken_template())
    good = tmp_path / "行政处罚决定书.docx"
    good.write_bytes(BUILTIN.read_bytes())

    base = live_server.url
    _sign_in_demo(page, base, head)
    nav(page, "文书模板")
    page.wait_for_url(re.compile(r".*/documents/templates/$"))
    page.locator("#template-list").get_by_role("link", name="行政处罚决定书", exact=True).click()
    page.wait_for_url(re.compile(r".*/documents/templates/penalty_decision/$"))
    assert page.locator("#template-in-use").inner_text() == "系统内置模板"

    form = page.locator("#template-upload")
    labelled(form, "模板文件（.docx）").set_input_files(str(broken))
    labelled(form, "修改说明").fill("当事人名称改用新格式")
    with page.expect_navigation():
        form.get_by_role("button", name="上传", exact=True).click()
    refusal = page.locator("#violations").inner_text()
    assert "party.nmae" in refusal and "party.name" in refusal
    assert not Template.objects.exists()
    shot(page, "template-refused")

    form = page.locator("#template-upload")
    labelled(form, "模板文件（.docx）").set_input_files(str(good))
    labelled(form, "修改说明").fill("按本局公文格式调整")
    with page.expect_navigation():
        form.get_by_role("button", name="上传", exact=True).click()
    assert "已上传第 1 版模板" in page.locator(".messages").inner_text()
    assert page.locator("#template-in-use").inner_text() == "第1版"
    assert "按本局公文格式调整" in page.locator("body").inner_text()
    t = Template.objects.get()
    assert (t.version, t.is_active, t.note) == (1, True, "按本局公文格式调整")
    assert Event.objects.filter(action="documents.template_uploaded").count() == 1
    shot(page, "template-uploaded")

    builtin_row = page.locator("tr", has_text="随系统提供")
    with page.expect_navigation():
        builtin_row.get_by_role("button", name="改用此版").click()
    assert "已改用系统内置模板" in page.locator(".messages").inner_text()
    assert page.locator("#template-in-use").inner_text() == "系统内置模板"
    t.refresh_from_db()
    assert not t.is_active
    assert Event.objects.filter(action="documents.template_activated").count() == 1
