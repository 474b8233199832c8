"""The documents' screens through Django's test client (no browser): who may see and change a case's documents and
the agency's templates, the field reference, the download that re-checks the stored file against its digest, and
the pages in English."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.conf import settings as django_settings

from zhifa.cases.models import Case
from zhifa.documents import services
from zhifa.documents.models import Document
from zhifa.org.models import User
from zhifa.records.models import Event

pytestmark = pytest.mark.django_db

FACTS = "2026年10月8日，执法人员检查发现当事人未与旅游者签订旅游合同。"


@pytest.fixture
def case(demo_loaded) -> Case:
    return Case.objects.get(creation_key__endswith=":demo:trv-decided")


@pytest.fixture
def lead(case) -> User:
    return case.handlers.filter(removed_on__isnull=True, is_lead=True).first().user


@pytest.fixture
def draft(case, lead) -> Document:
    return services.draft(case, "penalty_decision", {"facts": FACTS, "evidence": "现场检查笔录"}, actor=lead)


@pytest.fixture
def issued(case, lead) -> Document:
    d = services.draft(case, "penalty_decision", {"facts": FACTS}, actor=lead)
    return services.issue(d, actor=lead)


@pytest.fixture
def outsider(case, make_user) -> User:
    """An officer of the case's agency who is not on the case (and holds no role that may write its documents)."""
    return make_user(case.agency, roles=("officer",), full_name="本局另一执法队员")


# --- who may ------------------------------------------------------------------------------------------------------

def test_another_agencys_user_gets_404(client, verified_login, case, draft, issued, make_agency, make_user):
    stranger = make_user(make_agency("另一县文化广电和旅游局"), roles=("officer",))
    verified_login(client, stranger)
    for url in (f"/documents/{draft.pk}/", f"/documents/case/{case.pk}/", f"/documents/{issued.pk}/file/docx/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/documents/{draft.pk}/", {"op": "save", "f_facts": "改"}).status_code == 404
    draft.refresh_from_db()
    assert draft.inputs["facts"] == FACTS


def test_an_officer_not_on_the_case_reads_but_may_not_write(client, verified_login, case, draft, outsider):
    verified_login(client, outsider)
    r = client.get(f"/documents/{draft.pk}/")
    assert r.status_code == 200
    assert "保存草稿" not in r.content.decode()  # the buttons are not offered
    r = client.get(f"/documents/case/{case.pk}/")
    assert r.status_code == 200 and 'id="new-document"' not in r.content.decode()
    assert client.post(f"/documents/{draft.pk}/", {"op": "save", "f_facts": "改过的事实"}).status_code == 403
    assert client.post(f"/documents/{draft.pk}/", {"op": "issue", "f_facts": FACTS}).status_code == 403
    assert client.post(f"/documents/case/{case.pk}/", {"code": "penalty_decision"}).status_code == 403
    draft.refresh_from_db()
    assert draft.inputs["facts"] == FACTS and draft.status == Document.Status.DRAFT
    assert list(Document.objects.filter(case=case)) == [draft]


def test_the_lead_handler_saves_previews_and_issues(client, verified_login, case, draft, lead):
    verified_login(client, lead)
    url = f"/documents/{draft.pk}/"
    r = client.post(url, {"op": "save", "f_facts": FACTS + "（补充）", "f_evidence": "现场检查笔录"})
    assert r.status_code == 302 and r.url == url
    draft.refresh_from_db()
    assert draft.inputs["facts"] == FACTS + "（补充）"
    r = client.post(url, {"op": "preview", "f_facts": FACTS, "f_evidence": "现场检查笔录"})
    assert r.status_code == 200 and r["Content-Type"] == services.DOCX_TYPE
    assert zipfile.is_zipfile(io.BytesIO(r.content))
    draft.refresh_from_db()
    assert draft.status == Document.Status.DRAFT and draft.number_id is None  # a preview takes no number
    r = client.post(url, {"op": "issue", "f_facts": "", "f_evidence": "现场检查笔录"})
    assert r.status_code == 400 and "请填写“违法事实”" in r.content.decode()
    r = client.post(url, {"op": "issue", "f_facts": FACTS, "f_evidence": "现场检查笔录"})
    assert r.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Document.Status.ISSUED
    # issued: a save is refused and changes nothing
    r = client.post(url, {"op": "save", "f_facts": "改过的事实"})
    assert r.status_code == 400 and "不能修改" in r.content.decode()
    draft.refresh_from_db()
    assert draft.inputs["facts"] == FACTS


def test_the_templates_pages_are_for_the_head_reviewer_and_sysadmin(client, verified_login, case, outsider):
    verified_login(client, outsider)
    assert client.get("/documents/templates/").status_code == 403
    assert client.get("/documents/templates/penalty_decision/").status_code == 403
    assert client.post("/documents/templates/penalty_decision/", {"op": "use", "version": "0"}).status_code == 403
    assert client.get("/documents/templates/penalty_decision/v0.docx").status_code == 404
    assert "/documents/templates/" not in client.get("/").content.decode()  # no 文书模板 in the navigation

    head = User.objects.get(username="juzhang")
    verified_login(client, head)
    r = client.get("/documents/templates/")
    assert r.status_code == 200 and "行政处罚决定书" in r.content.decode()
    assert client.get("/documents/templates/penalty_decision/").status_code == 200
    assert client.get("/documents/templates/no_such_document/").status_code == 404
    r = client.get("/documents/templates/penalty_decision/v0.docx")
    assert r.status_code == 200 and r.content == services.builtin_template("penalty_decision")


def test_the_field_reference_lists_the_fields(client, verified_login, outsider):
    verified_login(client, outsider)
    r = client.get("/documents/fields/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "party.name" in html and "f.facts" in html


# --- the download re-checks the stored file ------------------------------------------------------------------------

def test_a_download_re_checks_the_digest(client, verified_login, case, lead, settings, tmp_path):
    from zhifa.cases import files

    # a storage of this test's own: the tampered file must not be found by another test issuing the same bytes
    settings.STORAGES = {**settings.STORAGES, "evidence": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    d = services.issue(services.draft(case, "penalty_decision", {"facts": FACTS}, actor=lead), actor=lead)
    verified_login(client, lead)
    url = f"/documents/{d.pk}/file/docx/"
    r = client.get(url)
    assert r.status_code == 200 and r.content[:2] == b"PK" and "attachment" in r["Content-Disposition"]
    assert Event.objects.filter(action="documents.downloaded", subject=f"document:{d.pk}").count() == 1
    assert client.get(f"/documents/{d.pk}/file/pdf/").status_code == 404  # issued without a PDF: none to send
    assert client.get(f"/documents/{d.pk}/file/exe/").status_code == 404

    stored = tmp_path / files.storage_name(d.algorithm, d.docx_digest)
    assert stored.read_bytes() == r.content
    before = Event.objects.filter(action="documents.file_mismatch").count()
    stored.write_bytes(r.content[:-1] + bytes([r.content[-1] ^ 1]))  # one bit changed
    r = client.get(url)
    assert r.status_code == 409
    html = r.content.decode()
    assert "文件校验不符" in html and d.docx_digest in html  # the reason is shown, with the recorded digest
    mismatch = Event.objects.filter(action="documents.file_mismatch", subject=f"document:{d.pk}")
    assert mismatch.count() == before + 1
    assert Event.objects.filter(action="documents.downloaded", subject=f"document:{d.pk}").count() == 1


def test_a_draft_has_no_download(client, verified_login, draft, lead):
    verified_login(client, lead)
    assert client.get(f"/documents/{draft.pk}/file/docx/").status_code == 404


# --- English ---------------------------------------------------------------------------------------------------------

def test_the_documents_pages_work_in_english(client, verified_login, case, issued, draft, lead):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    second = services.draft(case, "correction_order", {}, actor=lead)
    verified_login(client, lead)
    for url in (f"/documents/case/{case.pk}/", f"/documents/{issued.pk}/", f"/documents/{second.pk}/",
                "/documents/fields/"):
        r = client.get(url)
        assert r.status_code == 200, url
        html = r.content.decode()
        assert '<html lang="en">' in html and ">Home<" in html, url
    r = client.post(f"/documents/{second.pk}/", {"op": "issue"})
    assert r.status_code == 400 and '<html lang="en">' in r.content.decode()
    head = User.objects.get(username="juzhang")
    verified_login(client, head)
    for url in ("/documents/templates/", "/documents/templates/penalty_decision/"):
        r = client.get(url)
        assert r.status_code == 200 and '<html lang="en">' in r.content.decode(), url


def test_the_templates_list_shows_the_template_in_use(client, verified_login, case, make_user):
    """The agency's own version is used before the one its parent agency uploaded, whatever their numbers."""
    head = User.objects.get(username="juzhang")
    parent = case.agency.parent
    builtin = services.builtin_template("penalty_decision")
    city = make_user(parent, roles=("head",), full_name="市局负责人")
    for note in ("市局第一版", "市局第二版"):
        services.upload_template(parent, "penalty_decision", builtin, name="市局.docx", note=note, actor=city)
    services.upload_template(case.agency, "penalty_decision", builtin, name="县局.docx", note="县局版", actor=head)
    assert services.template_in_use(case.agency, "penalty_decision").agency_id == case.agency_id
    verified_login(client, head)
    html = client.get("/documents/templates/").content.decode()
    row = html[html.index('href="/documents/templates/penalty_decision/"'):]
    row = row[:row.index("</tr>")]
    assert "第1版" in row and "第2版" not in row
    html = client.get("/documents/templates/penalty_decision/").content.decode()
    assert '<strong id="template-in-use">第1版</strong>' in html


@pytest.mark.django_db
def test_without_libreoffice_the_docx_is_issued_and_pdf_said_unavailable(demo_loaded, settings, client,
                                                                          verified_login):
    """No soffice and no warm server: the document is issued as .docx; its page says PDF is unavailable."""
    settings.ZHIFA_PDF_AT_ISSUE = True
    settings.ZHIFA_SOFFICE = "/nonexistent/soffice"
    settings.ZHIFA_UNOSERVER = "127.0.0.1:9"
    case = Case.objects.get(creation_key__endswith=":demo:trv-decided")
    officer = case.handlers.filter(is_lead=True, removed_on__isnull=True).first().user
    d = services.issue(services.draft(case, "penalty_decision", {"facts": "事实"}, actor=officer), actor=officer)
    assert d.status == "issued" and d.docx_digest and not d.pdf_digest
    verified_login(client, officer)
    page = client.get(f"/documents/{d.pk}/").content.decode()
    assert "PDF 暂不可用" in page and f"/documents/{d.pk}/file/docx/" in page
