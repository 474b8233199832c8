"""The JSON API on the real database: tokens, scoping, pagination, a case created and walked, refusals, schema."""

from __future__ import annotations

import hashlib
import io
import json
import time
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from zhifa.api.models import ApiToken
from zhifa.api.openapi import document
from zhifa.cases import services
from zhifa.cases.demo import demo_mp4
from zhifa.cases.models import Case
from zhifa.cases.payload import AUX_ACTIONS, payload_schema
from zhifa.law.procedure import Action as A
from zhifa.org.middleware import IDLE_KEY
from zhifa.records.models import Event

from .conftest import Api, new_key

D = date


def open_payload(party, *handlers, **extra) -> dict:
    return {"procedure": "general", "title": "接纳未成年人进入营业场所", "clue_source": "inspection",
            "documents": ["inspection_record"], "party": party.pk, "items": ["WH-NET-004"],
            "act_date": "2026-03-02", "discovered_on": "2026-03-03", "handlers": [h.pk for h in handlers], **extra}


CLUE_DAY = D(2026, 3, 3)


def make_case(actor, party, *handlers, on=CLUE_DAY, **extra) -> Case:
    payload = open_payload(party, *handlers, **extra)
    payload.pop("procedure")
    return services.open_case(agency=actor.agency, procedure="general", actor=actor, payload=payload,
                              idempotency_key=new_key(), today=on).case


# --- tokens ---------------------------------------------------------------------------------------------------

def test_token_command_prints_a_token_that_works_and_is_stored_hashed(zhang, client):
    out, err = io.StringIO(), io.StringIO()
    call_command("token", zhang.username, stdout=out, stderr=err)
    secret = out.getvalue().strip()
    assert secret.startswith("zf_") and len(secret) >= 40 and "只显示这一次" in err.getvalue()
    row = ApiToken.objects.get(user=zhang)
    assert row.key_hash == hashlib.sha256(secret.encode()).hexdigest() and not row.revoked
    # the secret is nowhere in the database: not in the token row, not in the record event
    assert secret not in json.dumps(list(ApiToken.objects.values()), default=str)
    event = Event.objects.get(action="api.token_issued")
    assert event.subject == f"user:{zhang.pk}" and secret not in event.payload and secret[10:] not in event.payload
    response = Api(client, secret).get("/cases")
    assert response.status_code == 200 and response.json()["results"] == []
    assert response["Content-Type"] == "application/json; charset=utf-8"
    row.refresh_from_db()
    assert row.last_used_at is not None
    # a second token is another secret; both work
    out2 = io.StringIO()
    call_command("token", zhang.username, stdout=out2, stderr=io.StringIO())
    assert out2.getvalue().strip() != secret and ApiToken.objects.filter(user=zhang).count() == 2


def test_revoked_missing_and_wrong_tokens_are_401(zhang, client):
    out = io.StringIO()
    call_command("token", zhang.username, stdout=out, stderr=io.StringIO())
    secret = out.getvalue().strip()
    assert Api(client, secret).get("/cases").status_code == 200
    call_command("token", zhang.username, "--revoke", stdout=io.StringIO())
    assert Event.objects.filter(action="api.token_revoked", subject=f"user:{zhang.pk}").count() == 1
    response = Api(client, secret).get("/cases")
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Token")
    body = response.json()
    assert body["code"] == "token_invalid" and body["field"] == "Authorization" and body["basis"] == []
    assert Api(client, None).get("/cases").status_code == 401
    assert Api(client, "zf_guessed").get("/cases").status_code == 401
    assert client.get("/api/v1/cases", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_inactive_person_token_is_401_and_unknown_user_is_an_error(zhang, client, api_for):
    api = api_for(zhang)
    zhang.is_active = False
    zhang.save()
    assert api.get("/cases").status_code == 401
    with pytest.raises(CommandError):
        call_command("token", "nobody", stdout=io.StringIO())


def test_token_bypasses_no_browser_session_rule(head, client, verified_login, api_for):
    """A head needs the second factor in the browser; the API answers their token (no redirect to the OTP page),
    ignores a browser session, and does not keep that session alive."""
    api = api_for(head)
    assert api.get("/cases").status_code == 200
    client.force_login(head)  # signed in, second factor not passed
    assert client.get("/").status_code == 302 and "/otp/" in client.get("/")["Location"]
    response = client.get("/api/v1/cases")  # the session alone is not a credential here
    assert response.status_code == 401
    session = client.session
    session[IDLE_KEY] = time.time() - 10
    session.save()
    before = client.session[IDLE_KEY]
    api.client = client  # the same browser, with the token
    assert api.get("/cases").status_code == 200
    assert client.session[IDLE_KEY] == before


# --- scoping and the list ---------------------------------------------------------------------------------------

def test_other_agencys_case_is_404(zhang, li, party, make_agency, make_user, api_for, today):
    case = make_case(zhang, party, zhang, li)
    other = make_user(make_agency("其他县文旅局"), roles=("officer", "head"))
    api = api_for(other)
    assert api.get("/cases").json()["results"] == []
    for response in (api.get(f"/cases/{case.pk}"),
                     api.post(f"/cases/{case.pk}/actions/start_investigation", {})):
        assert response.status_code == 404 and response.json()["code"] == "case_not_found"
    assert api.get("/cases/999999").status_code == 404
    assert api_for(zhang).get(f"/cases/{case.pk}").status_code == 200


def test_list_pages_with_cursors_stable_under_inserts(zhang, li, party, api_for, today):
    first = [make_case(zhang, party, zhang, li) for _ in range(5)]
    api = api_for(zhang)
    page1 = api.get("/cases", limit=2).json()
    assert [r["id"] for r in page1["results"]] == [first[4].pk, first[3].pk] and page1["next"]
    newer = make_case(zhang, party, zhang, li)  # arrives while the client pages
    page2 = api.get("/cases", limit=2, after=page1["next"]).json()
    page3 = api.get("/cases", limit=2, after=page2["next"]).json()
    assert [r["id"] for r in page2["results"]] == [first[2].pk, first[1].pk]
    assert [r["id"] for r in page3["results"]] == [first[0].pk] and page3["next"] is None
    assert api.get("/cases", limit=2).json()["results"][0]["id"] == newer.pk
    row = page3["results"][0]
    assert row["state"] == "clue" and row["state_label"] == "案源登记" and row["next_due_on"]
    assert row["party"] == {"id": party.pk, "name": party.name}


def test_list_filters(zhang, li, wang, party, api_for, today):
    mine = make_case(zhang, party, zhang, li, title="擅自停止实施经营管理技术措施")
    theirs = make_case(li, party, li, wang)
    api = api_for(zhang)
    assert [r["id"] for r in api.get("/cases", mine="1").json()["results"]] == [mine.pk]
    assert [r["id"] for r in api.get("/cases", q="技术措施").json()["results"]] == [mine.pk]
    assert {r["id"] for r in api.get("/cases", state="clue,filed", procedure="general").json()["results"]} == \
        {mine.pk, theirs.pk}
    assert api.get("/cases", state="filed").json()["results"] == []
    for params, field in (({"state": "flying"}, "state"), ({"procedure": "fast"}, "procedure"),
                          ({"limit": "0"}, "limit"), ({"limit": "abc"}, "limit"), ({"after": "!!"}, "after"),
                          ({"mine": "yes"}, "mine")):
        response = api.get("/cases", **params)
        assert response.status_code == 400 and response.json()["field"] == field, params


# --- a case created, acted on and read back ------------------------------------------------------------------

def test_create_act_detail_round_trip(zhang, li, head, party, api_for, today):
    officer, director = api_for(zhang), api_for(head)
    body = open_payload(party, zhang, li)
    created = officer.post("/cases", body, key="new-1")
    assert created.status_code == 201, created.json()
    data = created.json()
    case_id = data["case"]["id"]
    assert created["Location"] == f"/api/v1/cases/{case_id}"
    assert data["step"]["action"] == "register_clue" and data["step"]["to_state"] == "clue"
    assert data["case"]["state"] == "clue" and data["case"]["version"] == 1
    # the same request again is the same case, not a second one
    again = officer.post("/cases", body, key="new-1")
    assert again.status_code == 200 and again.json()["case"]["id"] == case_id and Case.objects.count() == 1
    assert again["Idempotent-Replayed"] == "true"

    detail = officer.get(f"/cases/{case_id}").json()
    assert detail["party"]["name"] == party.name and detail["items"][0]["code"] == "WH-NET-004"
    assert {h["id"] for h in detail["handlers"]} == {zhang.pk, li.pk}
    filing = next(c for c in detail["clocks"] if c["code"] == "filing")
    assert filing["running"] and filing["days_left"] >= 0 and filing["basis"] and not filing["paused"]
    file_action = next(a for a in detail["actions"] if a["action"] == "file")
    assert not file_action["allowed"] and file_action["roles"] == ["head"]  # the officer may not file
    assert any("立案审批表" in m for m in file_action["missing"])
    assert "file" in director.get(f"/cases/{case_id}").json()["available_actions"]

    today.set(D(2026, 3, 5))
    filed = director.post(f"/cases/{case_id}/actions/file", {"documents": ["filing_approval_form"],
                                                             "expected_version": 1})
    assert filed.status_code == 201, filed.json()
    assert filed.json()["step"]["to_state"] == "filed" and filed.json()["case"]["state"] == "filed"
    assert filed.json()["case"]["reference"] == "平文旅案〔2026〕1号"
    started = officer.post(f"/cases/{case_id}/actions/start_investigation", {})
    assert started.status_code == 201 and started.json()["case"]["state"] == "investigating"
    # the recording is uploaded first (multipart), then named by its digest
    video = demo_mp4(f"api-round-trip-{case_id}")
    up = officer.client.post(f"/api/v1/cases/{case_id}/files", {
        "file": SimpleUploadedFile("执法记录仪.mp4", video), "device": "PY-DSJ-03",
        "captured_at": "2026-03-05T09:30:00"}, headers=officer.headers())
    assert up.status_code == 201, up.json()
    digest = up.json()["digest"]
    assert up.json()["media_type"] == "video/mp4" and up["Location"].endswith(f"/files/{digest}")
    evidence = officer.post(f"/cases/{case_id}/actions/record_evidence", {"evidence": [
        {"kind": "audio_visual", "description": "执法记录仪视频：未成年人在场上网", "file_hash": digest}]})
    assert evidence.status_code == 201, evidence.json()
    got = officer.client.get(f"/api/v1/cases/{case_id}/files/{digest}", headers=officer.headers())
    assert got.status_code == 200 and b"".join(got.streaming_content) == video
    # an auxiliary act goes through the same endpoint family
    assessed = officer.post(f"/cases/{case_id}/actions/update_particulars", {"major_case": False})
    assert assessed.status_code == 201 and assessed.json()["step"]["label"] == "修改案件基本情况"

    detail = officer.get(f"/cases/{case_id}").json()
    assert detail["state"] == "investigating" and detail["version"] == 5
    assert [e["action"] for e in detail["events"]] == ["register_clue", "file", "start_investigation",
                                                        "record_evidence", "update_particulars"]
    assert all(e["event"] for e in detail["events"])
    decision = next(c for c in detail["clocks"] if c["code"] == "decision")
    assert decision["running"] and "第六十条" in decision["basis"]
    assert "close_investigation" in detail["available_actions"]
    assert detail["records"][0]["evidence_kind"] == "audio_visual" and detail["records"][0]["file_hash"] == digest
    assert detail["files"][0]["digest"] == digest and detail["files"][0]["record"] is not None
    assert {a["action"] for a in detail["auxiliary_actions"]} == set(AUX_ACTIONS)


def test_summary_case_opens_by_procedure(zhang, li, party, api_for, today):
    created = api_for(zhang).post("/cases", {"procedure": "summary", "title": "未悬挂网络文化经营许可证",
                                             "party": party.pk, "items": ["WH-NET-007"],
                                             "handlers": [zhang.pk, li.pk]})
    assert created.status_code == 201, created.json()
    assert created.json()["case"]["procedure"] == "summary" and created.json()["case"]["state"] == "on_the_spot"
    assert "decide_on_the_spot" in created.json()["case"]["available_actions"]


# --- refusals -----------------------------------------------------------------------------------------------

def test_rule_refusal_is_422_with_every_violation_and_its_article(zhang, head, party, api_for, today):
    case = make_case(zhang, party, zhang)  # one officer only
    today.set(D(2026, 3, 5))
    response = api_for(head).post(f"/cases/{case.pk}/actions/file", {})
    assert response.status_code == 422
    body = response.json()
    codes = {v["code"] for v in body["violations"]}
    assert {"officers_too_few", "document_missing"} <= codes, codes
    art42 = next(v for v in body["violations"] if v["code"] == "officers_too_few")
    assert any("第四十二条" in b for b in art42["basis"]) and art42["message"]
    assert body["code"] == body["violations"][0]["code"] and set(body) >= {"code", "message", "field", "basis"}
    case.refresh_from_db()
    assert case.state == "clue" and case.version == 1


def test_role_not_allowed_is_403(zhang, li, party, api_for, today):
    case = make_case(zhang, party, zhang, li)
    response = api_for(zhang).post(f"/cases/{case.pk}/actions/file", {"documents": ["filing_approval_form"]})
    assert response.status_code == 403 and "role_not_allowed" in {v["code"] for v in response.json()["violations"]}


def test_stale_version_and_reused_key_are_409(zhang, li, head, party, api_for, today):
    case = make_case(zhang, party, zhang, li)
    director = api_for(head)
    today.set(D(2026, 3, 5))
    ok = director.post(f"/cases/{case.pk}/actions/file", {"documents": ["filing_approval_form"],
                                                          "expected_version": 1}, key="k-1")
    assert ok.status_code == 201
    stale = api_for(zhang).post(f"/cases/{case.pk}/actions/start_investigation", {"expected_version": 1})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    assert stale.json()["field"] == "expected_version"
    replay = director.post(f"/cases/{case.pk}/actions/file", {"documents": ["filing_approval_form"],
                                                              "expected_version": 1}, key="k-1")
    assert replay.status_code == 200 and replay.json()["step"]["version"] == ok.json()["step"]["version"]
    reused = director.post(f"/cases/{case.pk}/actions/file", {"documents": ["filing_approval_form"],
                                                              "note": "另一请求"}, key="k-1")
    assert reused.status_code == 409 and reused.json()["code"] == "idempotency_key_reused"
    other = api_for(zhang).post("/cases", open_payload(party, zhang, li), key="new-9")
    assert other.status_code == 201
    assert api_for(zhang).post("/cases", {**open_payload(party, zhang, li), "title": "另一案"},
                               key="new-9").status_code == 409


def test_bad_input_is_400_naming_the_field(zhang, li, head, party, api_for, today):
    case = make_case(zhang, party, zhang, li)
    api = api_for(head)
    path = f"/cases/{case.pk}/actions/file"
    response = api.post(path, raw='{"documents": [')
    assert response.status_code == 400 and response.json()["code"] == "json_invalid"
    assert response.json()["field"] == "body" and "第 1 行" in response.json()["message"]
    assert api.post(path, raw="[1, 2]").json()["field"] == "body"
    response = api.post(path, {"filed_on": "2026-03-40", "colour": "red"})
    assert response.status_code == 400
    assert {(v["code"], v["field"]) for v in response.json()["violations"]} == {
        ("payload_invalid", "filed_on"), ("payload_unknown_field", "colour")}
    response = api.post(path, {"documents": ["filing_approval_form"]}, key=None)
    assert response.status_code == 400 and response.json()["field"] == "Idempotency-Key"
    response = api.post(path, {}, key="x" * 101)
    assert response.status_code == 400 and response.json()["field"] == "Idempotency-Key"
    response = api_for(zhang).post("/cases", {"title": "没有写程序"})
    assert response.status_code == 400 and response.json()["field"] == "procedure"
    response = api_for(zhang).post("/cases", {"procedure": "general", "title": "缺少来源"})
    assert response.status_code == 400 and response.json()["violations"][0]["field"] == "clue_source"
    response = api.post(f"/cases/{case.pk}/actions/fly", {})
    assert response.status_code == 404 and response.json()["code"] == "action_unknown"
    response = api.post(f"/cases/{case.pk}/actions/register_clue", {})
    assert response.status_code == 404 and "POST /api/v1/cases" in response.json()["message"]
    assert case.steps.count() == 1


def test_methods_and_unknown_paths_answer_json(zhang, api_for):
    api = api_for(zhang)
    response = api.client.delete("/api/v1/cases", headers=api.headers())
    assert response.status_code == 405 and response.json()["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]
    response = api.get("/nothing/here")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


# --- look-ups ---------------------------------------------------------------------------------------------------

def test_party_and_catalog_lookups(zhang, party, make_agency, api_for):
    from zhifa.parties.models import Party

    Party.objects.create(agency=make_agency("其他县文旅局"), kind="organisation", name="其他县星河网吧")
    api = api_for(zhang)
    found = api.get("/parties", q="星河").json()
    assert [p["id"] for p in found["results"]] == [party.pk] and not found["truncated"]
    assert found["results"][0]["credit_code"] == party.credit_code
    items = api.get("/catalog/items", q="WH-NET-004").json()["results"]
    assert items[0]["code"] == "WH-NET-004" and items[0]["href"] == "/api/v1/catalog/items/WH-NET-004"
    detail = api.get("/catalog/items/WH-NET-004").json()
    assert detail["domain"]["code"] == "NET" and detail["penalty_provisions"]
    assert api.get("/catalog/items/NOPE-1").status_code == 404
    assert api.get("/catalog/items", status="gone").json()["field"] == "status"
    assert len(api.get("/catalog/items", limit="3").json()["results"]) == 3


# --- the schema -------------------------------------------------------------------------------------------------

def _refs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                yield v
            else:
                yield from _refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from _refs(v)


def test_schema_is_openapi_31_with_a_path_per_action(client):
    response = client.get("/api/v1/schema")  # public: it describes, it reveals no data
    assert response.status_code == 200
    doc = json.loads(response.content.decode("utf-8"))
    assert doc == json.loads(json.dumps(document(), ensure_ascii=False, default=str))
    assert doc["openapi"] == "3.1.0" and doc["components"]["securitySchemes"]["token"]["name"] == "Authorization"
    for action in [a.value for a in A if a not in (A.REGISTER_CLUE, A.START_SUMMARY)] + list(AUX_ACTIONS):
        op = doc["paths"][f"/cases/{{id}}/actions/{action}"]["post"]
        schema = doc["components"]["schemas"][f"Payload_{action}"]
        assert op["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(f"Payload_{action}")
        assert set(schema["properties"]) == set(payload_schema(action)), action
        assert {"201", "400", "401", "403", "404", "409", "422"} <= set(op["responses"])
        assert any(p.get("$ref", "").endswith("IdempotencyKey") for p in op["parameters"])
    file_op = doc["paths"]["/cases/{id}/actions/file"]["post"]
    assert "第四十二条" in file_op["description"] and "立案审批表" in file_op["description"]
    for path in ("/cases", "/cases/{id}", "/parties", "/catalog/items", "/catalog/items/{code}", "/schema"):
        assert path in doc["paths"]
    for ref in set(_refs(doc)):
        assert ref.startswith("#/components/")
        node = doc
        for part in ref[2:].split("/"):
            node = node[part]  # every reference resolves
    # the field kinds of every payload map onto JSON Schema types
    allowed = {"string", "integer", "boolean", "array", "object", "number", "null"}
    for name, s in doc["components"]["schemas"].items():
        if name.startswith("Payload_"):
            for prop in s["properties"].values():
                t = prop.get("type")
                assert t is None or {t} <= allowed or set(t) <= allowed


def test_an_unexpected_error_is_json_500(zhang, api_for, monkeypatch, caplog):
    def boom(*a, **k):
        raise RuntimeError("boom")

    monkeypatch.setattr("zhifa.api.views.search_parties", boom)
    response = api_for(zhang).get("/parties", q="x")
    assert response.status_code == 500 and response.json()["code"] == "server_error"
    assert response["Cache-Control"] == "no-store" and "boom" in caplog.text


def test_token_posts_need_no_csrf_token(zhang, li, party, api_for, today):
    from django.test import Client

    api = api_for(zhang)
    api.client = Client(enforce_csrf_checks=True)
    response = api.post("/cases", open_payload(party, zhang, li))
    assert response.status_code == 201, response.content


def test_files_through_the_api(zhang, li, party, api_for, today, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "evidence": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    case = make_case(zhang, party, zhang, li)
    officer = api_for(zhang)
    url = f"/api/v1/cases/{case.pk}/files"

    def send(name, data, **fields):
        return officer.client.post(url, {"file": SimpleUploadedFile(name, data), **fields}, headers=officer.headers())

    exe = send("photo.jpg", b"MZ" + bytes(300))
    assert exe.status_code == 415 and exe.json()["code"] == "file_executable" and exe.json()["field"] == "file"
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(100))
    first = send("现场照片.png", png, place="星河网络会所")
    assert first.status_code == 201
    again = send("又一张.png", png)
    assert again.status_code == 409 and again.json()["code"] == "file_duplicate" and "现场照片.png" in \
        again.json()["message"]
    bad_time = send("x.png", png + b"1", captured_at="yesterday")
    assert bad_time.status_code == 400 and bad_time.json()["field"] == "captured_at"
    assert officer.client.post(url, data="{}", content_type="application/json",
                               headers=officer.headers()).status_code == 400
    listed = officer.get(f"/cases/{case.pk}/files").json()["results"]
    assert [f["name"] for f in listed] == ["现场照片.png"]
    # a changed stored file is not handed out
    digest = first.json()["digest"]
    stored = next(tmp_path.rglob(digest))
    stored.write_bytes(b"\x89PNG changed")
    r = officer.client.get(f"{url}/{digest}", headers=officer.headers())
    assert r.status_code == 409 and r.json()["code"] == "file_digest_mismatch" and digest in r.json()["message"]
    assert Event.objects.filter(action="cases.file_digest_mismatch", case_id=case.pk).count() == 1
    assert officer.client.get(f"{url}/{'0' * 64}", headers=officer.headers()).status_code == 404
    assert "/cases/{id}/files" in document()["paths"]
