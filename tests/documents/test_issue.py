"""Drafting, issuing, correcting and serving documents (issue 6 §5, §6) on the demo bureau's cases, through the
documents service, on the real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import DatabaseError, transaction
from django.utils import timezone

from zhifa.cases.models import Case, CaseClock, CaseDocument
from zhifa.documents import checker, services
from zhifa.documents.models import Document, DocumentNumber, Service
from zhifa.law.errors import RuleViolation
from zhifa.org import demo
from zhifa.records.models import Event

from ..demo import demo_case as _case
from ..demo import lead_of as _lead

pytestmark = pytest.mark.django_db

FACTS = "2026年10月8日，执法人员检查发现当事人未与旅游者签订旅游合同。"


def _issue_decision(case: Case, actor, **inputs) -> Document:
    d = services.draft(case, "penalty_decision", {"facts": FACTS, "evidence": "现场检查笔录、询问笔录", **inputs},
                       actor=actor)
    return services.issue(d, actor=actor, on=case.decided_on)


def test_issue_freezes_number_files_and_record(demo_loaded):
    case = _case("trv-decided")
    officer = _lead(case)
    d = _issue_decision(case, officer)
    assert d.status == Document.Status.ISSUED
    assert d.number.number.startswith(f"{demo.AGENCY['short_name']}罚〔{case.decided_on.year}〕")
    assert d.content["party"]["name"] == case.party.name
    assert d.content["doc"]["number"] == d.number.number
    assert len(d.docx_digest) == 64 and d.docx_size > 1000
    # the registration on the case: the procedure's checks see the document
    reg = CaseDocument.objects.get(pk=d.registration_id)
    assert (reg.code, reg.number, reg.issued_on) == ("penalty_decision", d.number.number, case.decided_on)
    ev = Event.objects.get(pk=d.event_id)
    assert ev.action == "documents.issued"
    payload = json.loads(ev.payload)
    assert payload["docx"] == d.docx_digest and payload["number"] == d.number.number
    assert services.read_file(d, "docx")[:2] == b"PK"


def test_issued_document_refuses_edits(demo_loaded):
    case = _case("trv-decided")
    officer = _lead(case)
    d = _issue_decision(case, officer)
    with pytest.raises(RuleViolation) as err:
        services.draft(case, "penalty_decision", {"facts": "改过的事实"}, actor=officer, document=d)
    assert err.value.code == "document_issued"
    with pytest.raises(RuleViolation):
        services.issue(d, actor=officer)
    # the database itself refuses, whoever sends the change
    for change in ({"inputs": {"facts": "改"}}, {"docx_digest": "0" * 64}, {"number": None},
                   {"issued_on": date(2020, 1, 1)}, {"status": "draft"}):
        with pytest.raises(DatabaseError), transaction.atomic():
            Document.objects.filter(pk=d.pk).update(**change)
    d.refresh_from_db()
    assert d.inputs["facts"] == FACTS and d.status == Document.Status.ISSUED


def test_issue_refuses_missing_inputs_and_nothing_is_numbered(demo_loaded):
    case = _case("trv-decided")
    officer = _lead(case)
    d = services.draft(case, "penalty_decision", {"facts": ""}, actor=officer)
    before = DocumentNumber.objects.count()
    with pytest.raises(services.DocumentRefused) as err:
        services.issue(d, actor=officer)
    assert [v.field for v in err.value.violations] == ["f.facts"]
    assert DocumentNumber.objects.count() == before
    d.refresh_from_db()
    assert d.status == Document.Status.DRAFT


def test_correction_is_a_new_version_with_a_reason(demo_loaded):
    case = _case("trv-decided")
    officer = _lead(case)
    first = _issue_decision(case, officer)
    with pytest.raises(RuleViolation):
        services.correct(first, reason=" ", actor=officer)
    new = services.correct(first, reason="当事人名称笔误", actor=officer)
    assert (new.version, new.supersedes_id, new.status) == (2, first.pk, Document.Status.DRAFT)
    new = services.draft(case, "penalty_decision", {**new.inputs, "facts": FACTS + "（更正）"}, actor=officer,
                         document=new)
    new = services.issue(new, actor=officer, on=case.decided_on)
    first.refresh_from_db()
    assert first.status == Document.Status.SUPERSEDED and first.inputs["facts"] == FACTS
    assert new.number.number != first.number.number
    assert json.loads(Event.objects.get(pk=new.event_id).payload)["supersedes"] == first.pk


def test_direct_service_serves_the_case_and_starts_the_payment_clock(demo_loaded):
    case = _case("trv-decided")
    officer = _lead(case)
    d = _issue_decision(case, officer)
    on = max(case.decided_on, timezone.localdate() - timedelta(days=1))
    row = services.serve(d, actor=officer, method="direct", on=on, recipient=case.party.representative or "李明",
                         recipient_relation="法定代表人")
    case.refresh_from_db()
    assert row.served_on == on and row.step is not None and row.step.action == "serve"
    assert case.state == "served" and case.decision_served_on == on and case.service_method == "direct"
    payment = CaseClock.objects.get(case=case, code="payment", stopped_on__isnull=True)
    assert payment.started_on == on
    assert Event.objects.filter(action="documents.served", subject=f"document:{d.pk}").count() == 1


def test_public_notice_counts_thirty_days(demo_loaded):
    case = _case("trv-decided")
    officer = _lead(case)
    d = _issue_decision(case, officer)
    on = timezone.localdate()
    with pytest.raises(services.DocumentRefused) as err:
        services.serve(d, actor=officer, method="public_notice", on=on)
    assert err.value.violations[0].code == "service_notice_reason"
    row = services.serve(d, actor=officer, method="public_notice", on=on,
                         reason="当事人下落不明，直接送达和邮寄送达均未果", medium="平舆县人民政府网站",
                         av_reason="公告张贴于政府网站，无须录像")
    case.refresh_from_db()
    assert row.served_on >= on + timedelta(days=30)  # 民诉法第九十五条 (a holiday moves it later)
    assert case.public_notice_on == on and case.state == "decided"


def test_electronic_service_needs_consent_and_post_a_tracking_number(demo_loaded):
    case = _case("trv-decided")
    officer = _lead(case)
    d = _issue_decision(case, officer)
    on = timezone.localdate()
    with pytest.raises(services.DocumentRefused) as err:
        services.serve(d, actor=officer, method="electronic", on=on, recipient="李明", address="li@example.cn")
    assert "service_consent_missing" in [v.code for v in err.value.violations]
    with pytest.raises(services.DocumentRefused) as err:
        services.serve(d, actor=officer, method="post", on=on, recipient="李明")
    assert [v.code for v in err.value.violations] == ["service_tracking_missing"]
    assert not Service.objects.filter(document=d).exists()
    case.refresh_from_db()
    assert case.state == "decided"


def test_serving_a_draft_is_refused(demo_loaded):
    case = _case("trv-decided")
    officer = _lead(case)
    d = services.draft(case, "penalty_decision", {"facts": FACTS}, actor=officer)
    with pytest.raises(RuleViolation) as err:
        services.serve(d, actor=officer, method="direct", on=timezone.localdate(), recipient="李明")
    assert err.value.code == "document_not_issued"


def test_checker_finds_inconsistencies(demo_loaded):
    case = _case("trv-decided")
    officer = _lead(case)
    d = _issue_decision(case, officer)
    found = {f.code for f in checker.check_case(case)}
    assert "not_served" in found and "party_mismatch" not in found
    # the case's party is renamed after the decision was issued: the document no longer matches
    case.party.name = "平舆县另一家旅行社有限公司"
    case.party.save()
    case.refresh_from_db()
    findings = checker.check_case(case)
    mismatch = [f for f in findings if f.code == "party_mismatch"]
    assert mismatch and mismatch[0].document.pk == d.pk and mismatch[0].officer_id == officer.pk
    assert checker.by_officer(findings)[(officer.pk, "error")] >= 1
    services.draft(case, "correction_order", {}, actor=officer)
    assert any(f.code == "input_missing" for f in checker.check_case(case))


def test_someone_outside_the_case_may_not_draft(demo_loaded):
    case = _case("trv-decided")
    outsider = next(h.user for h in _case("net-filed").handlers.all()
                    if not case.handlers.filter(user=h.user).exists())
    if "head" in outsider.role_codes() or "clerk" in outsider.role_codes():
        pytest.skip("demo officer holds a role that may draft")
    with pytest.raises(RuleViolation) as err:
        services.draft(case, "penalty_decision", {}, actor=outsider)
    assert err.value.code == "not_allowed"


def test_the_case_file_carries_the_issued_document(demo_loaded, tmp_path):
    """The exported 电子卷宗 holds the issued document itself (its .docx here; the PDF when one was made), with the
    digest recorded at issue, and passes the standalone check."""
    import zipfile

    from zhifa.records import dossier, dossier_check

    case = _case("trv-decided")
    officer = _lead(case)
    d = _issue_decision(case, officer)
    pair = dossier.generate_key(tmp_path / "key.pem")
    out = dossier.export(case, tmp_path / "case.zip", actor=officer, key=tmp_path / "key.pem")
    data = out.path.read_bytes()
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("manifest.json"))
    # the demo's step registered the decision on paper (a registration page); the issued one is the document itself
    entry = next(f for f in manifest["files"] if f.get("code") == "penalty_decision" and f.get("upload_digest"))
    assert entry["path"].endswith(".docx") and entry["upload_digest"]["value"] == d.docx_digest
    assert zipfile.ZipFile(io.BytesIO(data)).read(entry["path"]) == services.read_file(d, "docx")
    report = dossier_check.check(io.BytesIO(data), pair.public.read_bytes(), name="卷宗.zip")
    assert report.ok(), report.lines()


def test_the_case_file_cover_is_made_after_closing_and_registered_by_archiving(demo_loaded, tmp_path):
    """卷宗封面和卷内目录 are made on a closed case (which takes no other document, 第四十七条) and registered by the
    归档 step; the exported case file carries the issued cover itself."""
    import zipfile

    from zhifa.cases.services import transition
    from zhifa.org.models import User
    from zhifa.records import dossier

    case = _case("pub-closed")
    assert case.state == "closed"
    clerk = User.objects.get(username="neiqin")
    d = services.draft(case, "case_file_index", {"keeper": "内勤甲", "retention": "30年"}, actor=clerk)
    d = services.issue(d, actor=clerk)
    assert d.status == Document.Status.ISSUED and d.registration_id is None
    other = services.draft(case, "correction_order", {"facts": "x", "requirement": "y", "deadline": "7日"},
                           actor=clerk)
    with pytest.raises(RuleViolation) as err:
        services.issue(other, actor=clerk)
    assert err.value.code == "case_finished"
    transition(case.pk, "archive", actor=clerk, idempotency_key="archive-test", payload={
        "archive_no": "WS-2026-001",
        "documents": [{"code": "case_file_index", "issued_on": d.issued_on}]})
    dossier.generate_key(tmp_path / "key.pem")
    out = dossier.export(case, tmp_path / "case.zip", actor=clerk, key=tmp_path / "key.pem")
    manifest = json.loads(zipfile.ZipFile(out.path).read("manifest.json"))
    entry = next(f for f in manifest["files"] if f.get("code") == "case_file_index")
    assert entry["path"].endswith(".docx") and entry["upload_digest"]["value"] == d.docx_digest


def test_serving_the_advance_notice_notifies_the_case_and_starts_the_statement_period(demo_loaded):
    """事先告知书 served (not by public notice) is the case's 事先告知 step: the 陈述申辩 and 听证 periods run from the
    service date (第四十四条、第六十四条). Its rules still apply: without the head's approval of the proposal the
    service is not recorded and the reason is given."""
    from zhifa.cases.demo import HEAD1
    from zhifa.cases.services import decide_approval
    from zhifa.org.models import User

    case = _case("ent-awaiting-decision")
    officer = _lead(case)
    d = services.draft(case, "penalty_notice", {"facts": "超时营业"}, actor=officer)
    d = services.issue(d, actor=officer)
    on = timezone.localdate()
    with pytest.raises(RuleViolation) as err:
        services.serve(d, actor=officer, method="direct", on=on, recipient="潘秀英")
    assert "penalty_proposal" in str(err.value.violations) or "审批" in err.value.message
    assert not Service.objects.filter(document=d).exists()
    decide_approval(case.pk, "penalty_proposal", actor=User.objects.get(username=HEAD1), idempotency_key="ap-1")
    row = services.serve(d, actor=officer, method="direct", on=on, recipient="潘秀英")
    case.refresh_from_db()
    assert row.step.action == "notify" and case.state == "notified" and case.notice_served_on == on
    assert CaseClock.objects.get(case=case, code="statement", stopped_on__isnull=True).started_on == on


def test_the_decision_states_the_penalty_as_proposed_after_statements(demo_loaded):
    """Before the 决定 step (which needs the decision issued) the decision states the proposal as it stands after
    陈述申辩 — not the earlier notified one; the notice states what was notified."""
    from zhifa.documents import context

    case = _case("ent-notified")
    case.notified_penalty = {"kinds": ["fine"], "fine": "18000.00"}
    case.proposed_penalty = {"kinds": ["fine"], "fine": "10000.00"}
    ctx = context.build(case, "penalty_decision", {}, on=timezone.localdate())
    assert (ctx["penalty"]["fine"], ctx["penalty"]["fine_upper"]) == ("10,000.00", "壹万元整")
    assert ctx["notice"]["penalty_text"] == "罚款人民币壹万捌仟元整"


def test_a_template_that_fails_on_the_case_is_refused_not_a_crash(demo_loaded, tmp_path):
    """A template may pass its upload check (two sample rows) and still ask for a row this case lacks: issuing is
    refused with the template named, nothing numbered."""
    from docx import Document as Docx

    from zhifa.org.models import User

    case = _case("trv-decided")
    officer = _lead(case)
    doc = Docx()
    doc.add_paragraph("{{ doc.title }} {{ party.name }} {{ officers[1].name }}")
    path = tmp_path / "t.docx"
    doc.save(path)
    head = User.objects.get(username="juzhang")
    services.upload_template(case.agency, "correction_order", path.read_bytes(), name="t.docx", note="试",
                             actor=head)
    case.handlers.exclude(user=officer).update(removed_on=timezone.localdate())
    d = services.draft(case, "correction_order", {"facts": "x", "requirement": "y", "deadline": "7日"}, actor=officer)
    before = DocumentNumber.objects.count()
    with pytest.raises(services.DocumentRefused) as err:
        services.issue(d, actor=officer)
    assert err.value.code == "template_failed" and "第1版" in err.value.message
    assert DocumentNumber.objects.count() == before


def test_service_rules_of_the_review(demo_loaded):
    """A decision is served only after it is taken; the same service sent twice is recorded once; a discarded
    correction frees the document for another."""
    case = _case("trv-decided")
    officer = _lead(case)
    d = _issue_decision(case, officer)
    on = timezone.localdate()
    first = services.serve(d, actor=officer, method="direct", on=on, recipient="程玉梅")
    again = services.serve(d, actor=officer, method="direct", on=on, recipient="程玉梅")
    assert again.pk == first.pk and Service.objects.filter(document=d).count() == 1

    early = _case("ent-awaiting-decision")
    lead = _lead(early)
    dd = services.issue(services.draft(early, "penalty_decision", {"facts": FACTS}, actor=lead), actor=lead)
    with pytest.raises(RuleViolation) as err:
        services.serve(dd, actor=lead, method="direct", on=on, recipient="潘秀英")
    assert err.value.code == "decision_not_taken"

    draft = services.correct(d, reason="笔误", actor=officer)
    services.discard(draft, actor=officer)
    again = services.correct(d, reason="笔误（重做）", actor=officer)
    assert again.pk != draft.pk and again.supersedes_id == d.pk


def test_a_changed_document_file_stops_the_case_file(demo_loaded, tmp_path):
    from zhifa.cases import files
    from zhifa.records import dossier

    case = _case("trv-decided")
    officer = _lead(case)
    d = _issue_decision(case, officer)
    st = files.storage()
    name = files.storage_name(d.algorithm, d.docx_digest)
    st.delete(name)
    dossier.generate_key(tmp_path / "key.pem")
    with pytest.raises(dossier.DossierError) as err:
        dossier.export(case, tmp_path / "case.zip", actor=officer, key=tmp_path / "key.pem")
    assert "未生成卷宗" in str(err.value)


def test_a_decision_handed_over_on_the_spot_is_served_that_day(demo_loaded):
    """宣告后当场交付 (行政处罚法第六十一条): the case's 送达 step on that day, as 直接送达."""
    case = _case("trv-decided")
    officer = _lead(case)
    d = _issue_decision(case, officer)
    on = timezone.localdate()
    row = services.serve(d, actor=officer, method="on_the_spot", on=on, recipient="程玉梅")
    case.refresh_from_db()
    assert row.step.action == "serve" and case.decision_served_on == on and case.service_method == "direct"


def test_the_checker_on_the_command_line(demo_loaded):
    """zhifa document_check: a case's findings, and an agency's per officer (docs/documents.md §4)."""
    case = _case("trv-decided")
    officer = _lead(case)
    _issue_decision(case, officer)
    out = io.StringIO()
    call_command("document_check", "--case", str(case.pk), stdout=out)
    assert "须送达，尚未登记送达" in out.getvalue() and officer.full_name in out.getvalue()
    out = io.StringIO()
    call_command("document_check", "--agency", case.agency.code, stdout=out)
    assert f"{officer.full_name}（{officer.username}）：不一致 0 条，待完善 1 条" in out.getvalue()
