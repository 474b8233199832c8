"""The electronic case file (电子卷宗, issue 5): a demo case exported, signed and checked offline — all four DA/T 70
properties pass on the package as exported, and one changed byte anywhere, an extra file, a wrong key or an unsafe
member fails and names the file. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import stat
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from zhifa.records import dossier, dossier_check
from zhifa.records.dossier_check import AUTHENTICITY, INTEGRITY, PROPERTIES, SECURITY, USABILITY, check
from zhifa.records.models import Event
from zhifa.records.services import chain_hash, hashed_text

CHECKER = Path(dossier_check.__file__)
DEMO_SLUG = "rel-archived"  # 个人买卖国家禁止买卖的文物: filed, investigated, decided, closed and archived
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(range(256)) * 8 + b"\xff\xd9"


def _storages(evidence: Path) -> dict:
    from django.conf import settings

    return {**settings.STORAGES, "evidence": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                              "OPTIONS": {"location": str(evidence)}}}


def add_file(case, user, data: bytes, name: str, media_type: str, *, record=None):
    """An evidence file registered directly: its row and its stored bytes (as zhifa.cases.files stores them)."""
    from django.core.files.storage import storages

    from zhifa.cases.models import EvidenceFile

    digest = hashlib.new("sm3", data).hexdigest()
    stored = f"sm3/{digest[:2]}/{digest[2:4]}/{digest}"
    if not storages["evidence"].exists(stored):
        storages["evidence"].save(stored, ContentFile(data))
    return EvidenceFile.objects.create(
        case=case, record=record, digest=digest, algorithm="sm3", size=len(data), media_type=media_type,
        original_name=name, storage_name=stored, uploaded_by=user, uploaded_at=timezone.now(),
        captured_at=timezone.now(), place="现场", device="PYWL-DSJ-01", note="测试")


def _demo_case():
    from zhifa.cases.models import Case
    from zhifa.org import demo

    call_command("load_reference", verbosity=0, stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())
    return Case.objects.select_related("agency", "party").get(
        agency__code=demo.AGENCY["code"], creation_key__endswith=f":demo:{DEMO_SLUG}")


@pytest.fixture(scope="module")
def package(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo case's file, exported once (the database work rolled back): (zip bytes, public key PEM, manifest,
    the exported case's reference)."""
    root = tmp_path_factory.mktemp("dossier")
    key = root / "keys" / "dossier-ed25519.pem"
    out = root / "卷宗.zip"
    with override_settings(STORAGES=_storages(root / "evidence"), ZHIFA_DOSSIER_KEY=key), \
            django_db_blocker.unblock(), transaction.atomic():
        pair = dossier.generate_key()
        case = _demo_case()
        from zhifa.cases.models import CaseRecord

        officer = case.handlers.first().user
        rec = CaseRecord.objects.filter(case=case).first()
        add_file(case, officer, JPEG, "现场照片 01.jpg", "image/jpeg", record=rec)
        add_file(case, officer, b"%PDF-1.7\n" + b"x" * 3000 + b"\n%%EOF\n", "../../鉴定意见.pdf", "application/pdf")
        done = dossier.export(case, out)
        reference = case.reference
        transaction.set_rollback(True)
    data = out.read_bytes()
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("manifest.json"))
    return data, pair.public.read_bytes(), manifest, reference, done


def _check(data: bytes, key: bytes) -> dossier_check.Report:
    return check(io.BytesIO(data), key, name="卷宗.zip")


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def _rezip(members: dict[str, bytes], extra: list[tuple[zipfile.ZipInfo | str, bytes]] = ()) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 2, 3, 4, 5))
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, content)
        for info, content in extra:
            zf.writestr(info, content)
    return buf.getvalue()


def _path(manifest: dict, role: str) -> str:
    return next(f["path"] for f in manifest["files"] if f["role"] == role)


# --- the package as exported ------------------------------------------------------------------------------------

def test_an_exported_demo_case_passes_all_four(package):
    data, key, _manifest, reference, _done = package
    report = _check(data, key)
    assert report.ok(), report.lines()
    text = "\n".join(report.lines())
    for p in PROPERTIES:
        assert f"{p}（" in text and "：通过" in text
    assert "未通过" not in text and "四性检测全部通过" in text
    assert dossier_check.grouped(dossier_check.fingerprint(key)) in text
    assert "与核验所用公钥一致" in text and reference in text


def test_the_package_holds_what_the_brief_lists_in_order(package):
    data, _key, manifest, _reference, done = package
    names = list(_members(data))
    assert names[:3] == ["README.txt", "cover.html", "index.html"]
    assert names[-3:] == ["public-key.pem", "manifest.json", "manifest.sig"]
    docs = [n for n in names if n.startswith("documents/")]
    evidence = [n for n in names if n.startswith("evidence/") and n != "evidence/list.html"]
    assert docs and len(evidence) >= 2 and "evidence/list.html" in names and "events.jsonl" in names
    # numbered in procedural order: one sequence over documents and evidence, 1 … N, no gap
    numbers = sorted(int(n.split("/")[1][:2]) for n in docs + evidence)
    assert numbers == list(range(1, len(numbers) + 1))
    assert [i["no"] for i in manifest["items"]] == list(range(1, len(manifest["items"]) + 1))
    assert manifest["case"]["items"] == len(manifest["items"]) == done.items
    # every other member is in the manifest with size, SHA-256 and SM3
    members = _members(data)
    listed = {f["path"]: f for f in manifest["files"]}
    assert set(listed) == set(members) - {"manifest.json", "manifest.sig"}
    for path, entry in listed.items():
        assert entry["size"] == len(members[path])
        assert entry["sha256"] == hashlib.sha256(members[path]).hexdigest()
        assert entry["sm3"] == hashlib.new("sm3", members[path]).hexdigest()
    assert manifest["format"] == "zhifa-dossier" and manifest["format_version"] == 1
    assert manifest["algorithms"]["signature"] == "Ed25519" and "SM2" in manifest["algorithms"]["sm2"]
    assert manifest["retention"]["class"] in ("永久", "30年", "10年") and manifest["generator"].startswith("zhifa")
    assert len(base64.b64decode(members["manifest.sig"])) == 64
    # an unsafe original name is made safe, the evidence file is its bytes
    assert not any(".." in n or n.startswith("/") for n in names)
    jpeg = next(n for n in evidence if n.endswith(".jpg"))
    assert members[jpeg] == JPEG and jpeg.startswith("evidence/") and "现场照片_01.jpg" in jpeg


def test_the_cover_index_and_documents_say_what_they_should(package):
    data, _key, manifest, reference, _done = package
    members = _members(data)
    cover = members["cover.html"].decode()
    for words in ("行政执法案卷", reference, "案由", "当事人", "承办人员", "立案日期", "决定日期", "结案日期",
                  "保管期限", manifest["retention"]["class"], f"共 {len(manifest['items'])} 件"):
        assert words in cover, words
    index = members["index.html"].decode()
    for item in manifest["items"]:
        assert item["title"].split("：")[0] in index
    doc = members[_path(manifest, "document")].decode()
    assert "文号" in doc and "办案步骤" in doc and "未在平台上制作签发" in doc
    readme = members["README.txt"].decode()
    assert "dossier_check.py" in readme and "pip install cryptography" in readme and "真实性" in readme
    assert "SM2" in readme


def test_every_event_of_the_case_is_there_as_hashed(package):
    data, _key, manifest, _reference, _done = package
    lines = _members(data)["events.jsonl"].decode().splitlines()
    events = [json.loads(x) for x in lines]
    assert len(events) == manifest["events"]["count"] > 10
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)
    assert all(e["case"] == manifest["case"]["id"] for e in events)
    for e in events:
        assert set(e) >= {"id", "occurred_at", "actor", "actor_name", "role", "agency", "case", "action", "subject",
                          "payload", "prev_hash", "hash", "algorithm"}
        assert chain_hash(e["algorithm"], e["prev_hash"], hashed_text(
            e["id"], e["occurred_at"], e["actor"], e["actor_name"], e["role"], e["agency"], e["case"], e["action"],
            e["subject"], e["payload"])) == e["hash"]
    assert events[-1]["hash"] == manifest["events"]["last_hash"]


# --- one changed byte, anywhere ---------------------------------------------------------------------------------

ROLES = ["cover", "index", "document", "evidence", "events", "manifest", "signature"]


def _member_for(manifest: dict, role: str) -> str:
    return {"manifest": "manifest.json", "signature": "manifest.sig"}.get(role) or _path(manifest, role)


def _flip(content: bytes, where: int) -> bytes:
    b = bytearray(content)
    b[where] ^= 0x01
    return bytes(b)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_one_changed_byte_inside_a_member_fails_and_names_it(package, role, where):
    data, key, manifest, _reference, _done = package
    members = _members(data)
    name = _member_for(manifest, role)
    content = members[name]
    at = {"start": 0, "middle": len(content) // 2, "end": len(content) - 2}[where]
    members[name] = _flip(content, at)
    report = _check(_rezip(members), key)
    assert not report.ok()
    assert name in report.failed_files(), report.lines()
    assert any(line.startswith(f"  - {name}：") for line in report.lines())


@pytest.mark.parametrize("role", ROLES)
def test_one_changed_byte_in_the_stored_zip_fails_and_names_the_member(package, role):
    """The byte flipped in the package file itself, in the member's stored (compressed) data."""
    data, key, manifest, _reference, _done = package
    name = _member_for(manifest, role)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(name)
    raw = bytearray(data)
    header = info.header_offset
    name_len, extra_len = int.from_bytes(raw[header + 26:header + 28], "little"), \
        int.from_bytes(raw[header + 28:header + 30], "little")
    start = header + 30 + name_len + extra_len
    raw[start + info.compress_size // 2] ^= 0x10
    report = _check(bytes(raw), key)
    assert not report.ok()
    assert name in report.failed_files(), report.lines()


def test_a_changed_manifest_fails_authenticity_even_when_the_digests_are_redone(package):
    """Whoever changes a file and writes its new digests into the manifest still cannot sign it."""
    data, key, manifest, _reference, _done = package
    members = _members(data)
    name = _path(manifest, "cover")
    members[name] = members[name].replace("行政执法案卷".encode(), "行政执法案宗".encode())
    forged = json.loads(members["manifest.json"])
    entry = next(f for f in forged["files"] if f["path"] == name)
    entry.update(size=len(members[name]), sha256=hashlib.sha256(members[name]).hexdigest(),
                 sm3=hashlib.new("sm3", members[name]).hexdigest())
    members["manifest.json"] = (json.dumps(forged, ensure_ascii=False, indent=2) + "\n").encode()
    report = _check(_rezip(members), key)
    assert not report.ok(AUTHENTICITY) and report.ok(INTEGRITY)
    assert {"manifest.json", "manifest.sig"} <= report.failed_files()


def test_an_extra_file_fails_integrity(package):
    data, key, _manifest, _reference, _done = package
    report = _check(_rezip(_members(data), [("evidence/补充照片.jpg", JPEG)]), key)
    assert not report.ok(INTEGRITY)
    assert report.ok(AUTHENTICITY) and report.ok(USABILITY) and report.ok(SECURITY)
    assert "evidence/补充照片.jpg" in report.failed_files()
    assert any("多出的文件" in line for line in report.failures[INTEGRITY])


def test_a_missing_file_fails_integrity(package):
    data, key, manifest, _reference, _done = package
    members = _members(data)
    name = _path(manifest, "evidence")
    del members[name]
    report = _check(_rezip(members), key)
    assert not report.ok(INTEGRITY) and name in report.failed_files()


def test_a_wrong_key_fails_authenticity(package, tmp_path):
    data, _key, _manifest, _reference, _done = package
    other = dossier.generate_key(tmp_path / "other.pem")
    report = _check(data, other.public.read_bytes())
    assert not report.ok(AUTHENTICITY)
    assert report.ok(INTEGRITY) and report.ok(USABILITY) and report.ok(SECURITY)
    assert "manifest.sig" in report.failed_files()
    text = "\n".join(report.lines())
    assert "不一致" in text and dossier_check.grouped(other.fingerprint) in text


def test_a_key_that_is_not_ed25519_is_refused(package):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    data, _key, _manifest, _reference, _done = package
    pem = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    report = _check(data, pem)
    assert not report.ok(AUTHENTICITY) and not report.ok(SECURITY)


def _info(name: str, mode: int = 0o100644) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 2, 3, 4, 5))
    info.create_system = 3
    info.external_attr = mode << 16
    return info


@pytest.mark.parametrize(("name", "mode", "content"), [
    ("../evil.txt", 0o100644, b"x"),
    ("evidence/../../etc/cron.d/x", 0o100644, b"x"),
    ("/etc/passwd", 0o100644, b"x"),
    ("evidence/link.jpg", 0o120777, b"/etc/shadow"),
    ("tools/run.sh", 0o100755, b"echo hi\n"),
    ("evidence/photo.jpg.exe", 0o100644, b"MZ\x90\x00" + b"\x00" * 60),
    ("evidence/tool", 0o100644, b"\x7fELF\x02\x01\x01" + b"\x00" * 60),
], ids=["dotdot", "nested-dotdot", "absolute", "symlink", "executable-mode", "pe", "elf"])
def test_an_unsafe_member_fails_security(package, name, mode, content):
    data, key, _manifest, _reference, _done = package
    report = _check(_rezip(_members(data), [(_info(name, mode), content)]), key)
    assert not report.ok(SECURITY), report.lines()
    assert name in {line.split("：", 1)[0] for line in report.failures[SECURITY]}
    assert not report.ok(INTEGRITY)  # and it is not in the manifest


def test_an_unsupported_format_version_fails_usability(package):
    data, key, _manifest, _reference, _done = package
    members = _members(data)
    members["manifest.json"] = members["manifest.json"].replace(b'"format_version": 1', b'"format_version": 9')
    report = _check(_rezip(members), key)
    assert not report.ok(USABILITY) and "manifest.json" in report.failed_files()


@pytest.mark.parametrize("field", ["retention", "case", "agency", "algorithms"])
def test_a_manifest_with_a_field_of_the_wrong_shape_is_named(package, field):
    """A crafted manifest (unsigned: any edit breaks the signature) is reported field by field, not a traceback."""
    import json

    data, key, _manifest, _reference, _done = package
    members = _members(data)
    manifest = json.loads(members["manifest.json"])
    manifest[field] = "x"
    members["manifest.json"] = json.dumps(manifest, ensure_ascii=False).encode()
    report = _check(_rezip(members), key)
    assert not report.ok(USABILITY) and f"“{field}”应为对象" in "".join(report.failures[USABILITY])
    assert not report.ok(AUTHENTICITY)


def test_evidence_whose_bytes_do_not_fit_its_type_fails_usability(package, tmp_path):
    """A file recorded as a JPEG whose bytes are not one, in a package signed by the bureau's key all the same."""
    from cryptography.hazmat.primitives import serialization

    data, _key, manifest, _reference, _done = package
    members = _members(data)
    name = next(f["path"] for f in manifest["files"] if f.get("media_type") == "image/jpeg")
    members[name] = b"GIF89a" + members[name][6:]
    forged = json.loads(members["manifest.json"])
    entry = next(f for f in forged["files"] if f["path"] == name)
    entry.update(sha256=hashlib.sha256(members[name]).hexdigest(), sm3=hashlib.new("sm3", members[name]).hexdigest())
    del entry["upload_digest"]
    members["manifest.json"] = json.dumps(forged, ensure_ascii=False).encode()
    pair = dossier.generate_key(tmp_path / "k.pem")
    private = serialization.load_pem_private_key(pair.private.read_bytes(), None)
    members["manifest.sig"] = base64.b64encode(private.sign(members["manifest.json"]))
    report = _check(_rezip(members), pair.public.read_bytes())
    assert report.ok(AUTHENTICITY) and report.ok(INTEGRITY) and not report.ok(USABILITY)
    assert name in report.failed_files()


def test_not_a_zip_fails_all_four(package):
    _data, key, _manifest, _reference, _done = package
    report = _check(b"PK\x03\x04 not really", key)
    assert not any(report.ok(p) for p in PROPERTIES)


# --- the verifier stands alone ------------------------------------------------------------------------------------

def _standalone(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "ZHIFA", "PYTHONPATH"))}
    return subprocess.run([sys.executable, "-I", str(CHECKER), *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=120, check=False)


def test_the_verifier_runs_as_a_single_file_without_django(package, tmp_path):
    data, key, manifest, _reference, _done = package
    lone = tmp_path / "dossier_check.py"
    lone.write_bytes(CHECKER.read_bytes())
    (tmp_path / "卷宗.zip").write_bytes(data)
    (tmp_path / "public.pem").write_bytes(key)
    ok = _standalone("卷宗.zip", "--key", "public.pem", cwd=tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "四性检测全部通过" in ok.stdout and ok.stdout.count("：通过") == 4
    members = _members(data)
    name = _path(manifest, "events")
    members[name] = members[name].replace(b'"action":"cases.', b'"action":"cases!', 1)
    (tmp_path / "改过.zip").write_bytes(_rezip(members))
    bad = _standalone("改过.zip", "--key", "public.pem", cwd=tmp_path)
    assert bad.returncode == 1 and "events.jsonl" in bad.stdout and "未通过" in bad.stdout
    fp = _standalone("--fingerprint", "public.pem", cwd=tmp_path)
    assert fp.returncode == 0 and dossier_check.grouped(dossier_check.fingerprint(key)) in fp.stdout
    # the fingerprint is the SHA-256 of the key's DER SubjectPublicKeyInfo (what openssl … | sha256sum prints)
    from cryptography.hazmat.primitives import serialization

    der = serialization.load_pem_public_key(key).public_bytes(serialization.Encoding.DER,
                                                              serialization.PublicFormat.SubjectPublicKeyInfo)
    assert dossier_check.fingerprint(key) == hashlib.sha256(der).hexdigest()
    missing = _standalone("没有.zip", "--key", "public.pem", cwd=tmp_path)
    assert missing.returncode == 2


def test_the_checker_imports_no_django():
    code = (f"import sys; sys.path.insert(0, {str(CHECKER.parent)!r}); import dossier_check\n"
            "assert dossier_check.FORMAT == 'zhifa-dossier'\n"
            "assert not [n for n in sys.modules if n.split('.')[0] in ('django', 'zhifa')], 'django imported'\n")
    done = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr


_text = st.text(st.characters(max_codepoint=0x2FFFF, exclude_categories=("Cs",)), max_size=30)
_int = st.one_of(st.none(), st.integers(0, 2**63 - 1))


@given(pk=st.integers(1, 2**63 - 1), occurred_at=_text, actor=_int, actor_name=_text, role=_text, agency=_int,
       case=_int, action=_text, subject=_text, payload=_text)
def test_the_checkers_event_hash_is_the_platforms(pk, occurred_at, actor, actor_name, role, agency, case, action,
                                                  subject, payload):
    args = (pk, occurred_at, actor, actor_name, role, agency, case, action, subject, payload)
    assert dossier_check.hashed_text(*args) == hashed_text(*args)
    for alg in ("sm3", "sha256"):
        assert dossier_check.chain_hash(alg, "ab" * 32, hashed_text(*args)) == chain_hash(alg, "ab" * 32,
                                                                                          hashed_text(*args))


# --- exporting: the command, refusals, the record, the retention class -------------------------------------------

@pytest.fixture
def key(settings, tmp_path):
    settings.ZHIFA_DOSSIER_KEY = tmp_path / "keys" / "dossier-ed25519.pem"
    return dossier.generate_key()


@pytest.fixture
def small_case(agency, make_user, settings, tmp_path):
    """A case registered directly, with a document, an evidence record and two files."""
    from zhifa.cases.models import Case, CaseDocument, CaseHandler, CaseRecord

    settings.STORAGES = _storages(tmp_path / "evidence")
    officer = make_user(agency, roles=("officer",), full_name="执法员甲")
    case = Case.objects.create(agency=agency, procedure="general", state="investigating", title="网吧接纳未成年人",
                               reference="测文旅案〔2026〕7号", filed_on=date(2026, 3, 2))
    CaseHandler.objects.create(case=case, user=officer, is_lead=True, added_on=date(2026, 3, 2))
    CaseDocument.objects.create(case=case, code="filing_approval_form", title="立案审批表",
                                number="测文旅立〔2026〕7号", issued_on=date(2026, 3, 2), recorded_by=officer)
    rec = CaseRecord.objects.create(case=case, code="evidence", evidence_kind="audio_visual", description="现场照片",
                                    made_on=date(2026, 3, 3), recorded_by=officer)
    add_file(case, officer, JPEG, "照片.jpg", "image/jpeg", record=rec)
    add_file(case, officer, b"%PDF-1.4\n%%EOF\n", "笔录.pdf", "application/pdf")
    from zhifa.records.services import record

    record("cases.register_clue", actor=officer, case_id=case.pk, subject=f"case:{case.pk}", payload={"k": 1})
    record("cases.file", actor=officer, case_id=case.pk, subject=f"case:{case.pk}", payload={"k": 2})
    case.officer = officer
    return case


def test_export_by_reference_verifies_and_is_recorded(key, small_case, tmp_path):
    out = tmp_path / "out" / "卷宗.zip"
    text = io.StringIO()
    call_command("dossier", "export", "测文旅案〔2026〕7号", "--out", str(out), stdout=text)
    assert "已导出电子卷宗" in text.getvalue() and "保管期限 30年" in text.getvalue()
    report = check(out, key.public.read_bytes())
    assert report.ok(), report.lines()
    manifest = json.loads(zipfile.ZipFile(out).read("manifest.json"))
    assert manifest["retention"] == {**manifest["retention"], "class": "30年", "kind": "other"}
    ev = Event.objects.filter(action="records.dossier_exported", case_id=small_case.pk).get()
    payload = json.loads(ev.payload)
    assert payload["manifest_sha256"] == hashlib.sha256(zipfile.ZipFile(out).read("manifest.json")).hexdigest()
    assert payload["files"] == len(zipfile.ZipFile(out).namelist()) and payload["retention"] == "30年"
    # each file's chain of custody has the export
    assert Event.objects.filter(case_id=small_case.pk, subject__startswith="file:",
                                payload__contains='"via":"dossier"').count() == 2
    # by id too; verify through the command: exit status 0
    call_command("dossier", "export", str(small_case.pk), "--out", str(tmp_path / "2.zip"), stdout=io.StringIO())
    ok = io.StringIO()
    call_command("dossier", "verify", str(out), "--key", str(key.public), stdout=ok)
    assert "四性检测全部通过" in ok.getvalue()


def test_the_verify_command_exits_non_zero(key, small_case, tmp_path):
    out = tmp_path / "卷宗.zip"
    dossier.export(small_case, out)
    members = _members(out.read_bytes())
    members["cover.html"] = members["cover.html"].replace("网吧".encode(), "酒吧".encode())
    bad = tmp_path / "bad.zip"
    bad.write_bytes(_rezip(members))
    text = io.StringIO()
    with pytest.raises(CommandError) as err:
        call_command("dossier", "verify", str(bad), "--key", str(key.public), stdout=text)
    assert err.value.returncode == 1
    assert "cover.html" in text.getvalue() and "完整性（integrity）：未通过" in text.getvalue()
    # the command needs no database, only the files: an unreachable one is never opened
    env = {**os.environ, "ZHIFA_VAR_DIR": str(tmp_path / "var"), "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"}
    done = subprocess.run([sys.executable, "-m", "zhifa", "dossier", "verify", str(bad), "--key", str(key.public)],
                          capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path, env=env)
    assert done.returncode == 1 and "cover.html" in done.stdout


def test_a_changed_evidence_file_refuses_the_export_and_names_it(key, small_case, tmp_path):
    from django.core.files.storage import storages

    from zhifa.cases.models import EvidenceFile

    f = EvidenceFile.objects.get(case=small_case, original_name="照片.jpg")
    path = Path(storages["evidence"].path(f.storage_name))
    path.write_bytes(_flip(path.read_bytes(), 100))
    out = tmp_path / "卷宗.zip"
    with pytest.raises(CommandError, match=r"照片\.jpg"):
        call_command("dossier", "export", str(small_case.pk), "--out", str(out), stdout=io.StringIO())
    assert not out.exists() and not list(tmp_path.glob(".dossier-*"))
    assert not Event.objects.filter(action="records.dossier_exported").exists()


def test_no_key_refuses_the_export(settings, small_case, tmp_path):
    settings.ZHIFA_DOSSIER_KEY = tmp_path / "none" / "k.pem"
    with pytest.raises(CommandError, match="zhifa dossier keygen"):
        call_command("dossier", "export", str(small_case.pk), "--out", str(tmp_path / "x.zip"), stdout=io.StringIO())


def test_an_unknown_case_is_named(key, db):
    with pytest.raises(CommandError, match="找不到案件 平文旅案〔2099〕1号"):
        call_command("dossier", "export", "平文旅案〔2099〕1号", stdout=io.StringIO())


def test_keygen_writes_a_private_key_only_its_owner_reads_and_never_overwrites(settings, tmp_path):
    settings.ZHIFA_DOSSIER_KEY = tmp_path / "keys" / "dossier-ed25519.pem"
    out = io.StringIO()
    call_command("dossier", "keygen", stdout=out)
    private = settings.ZHIFA_DOSSIER_KEY
    public = private.with_name("dossier-ed25519.pub.pem")
    assert stat.S_IMODE(private.stat().st_mode) == 0o600 and b"PRIVATE KEY" in private.read_bytes()
    assert b"PUBLIC KEY" in public.read_bytes()
    assert dossier_check.grouped(dossier_check.fingerprint(public.read_bytes())) in out.getvalue()
    before = private.read_bytes()
    with pytest.raises(CommandError, match="已存在"):
        call_command("dossier", "keygen", stdout=io.StringIO())
    call_command("dossier", "keygen", "--if-missing", stdout=io.StringIO())
    assert private.read_bytes() == before
    call_command("dossier", "keygen", "--force", stdout=io.StringIO())
    assert private.read_bytes() != before and stat.S_IMODE(private.stat().st_mode) == 0o600
    call_command("dossier", "keygen", "--out", str(tmp_path / "elsewhere"), stdout=io.StringIO())
    assert (tmp_path / "elsewhere" / "dossier-ed25519.pem").exists()
    fp = io.StringIO()
    call_command("dossier", "fingerprint", stdout=fp)
    assert dossier_check.grouped(dossier_check.fingerprint(public.read_bytes())) in fp.getvalue()


@pytest.mark.parametrize(("fields", "actions", "kind", "klass"), [
    ({"decision_kind": "penalty", "decided_penalty": {"kinds": ["revoke_licence"]}}, [], "revoke", "永久"),
    ({"decision_kind": "penalty", "decided_penalty": {"kinds": ["fine", "suspend_business"], "fine": "5000"}}, [],
     "suspend", "永久"),
    ({"decision_kind": "penalty", "decided_penalty": {"kinds": ["fine"], "fine": "200000"}}, [], "large_fine", "永久"),
    ({"decision_kind": "penalty", "decided_penalty": {"kinds": ["fine"], "fine": "3000"}}, [], "penalty", "30年"),
    ({"state": "transferred"}, ["transfer_criminal"], "transferred", "永久"),
    ({"procedure": "summary", "decided_penalty": {"kinds": ["warning"]}, "decided_on": date(2026, 3, 2)}, [],
     "summary", "10年"),
    ({"decision_kind": "no_penalty"}, [], "no_penalty", "10年"),
    ({"decision_kind": "not_established"}, [], "no_penalty", "10年"),
    ({"state": "not_filed"}, ["not_file"], "not_filed", "10年"),
    ({"state": "withdrawn"}, ["withdraw"], "other", "30年"),
])
def test_the_retention_class_follows_the_policy(agency, fields, actions, kind, klass):
    from zhifa.cases.models import Case

    case = Case(agency=agency, procedure="general", state="closed", title="x", decided_on=date(2026, 3, 2))
    for k, v in fields.items():
        setattr(case, k, v)
    assert dossier.retention(case, actions) == (kind, klass)


def test_the_retention_policy_is_dated_and_checked(agency, db):
    from zhifa.cases.models import Case
    from zhifa.catalog.models import PolicyValue
    from zhifa.catalog.policies import PARAMETERS, value_of
    from zhifa.law.errors import RuleViolation

    param = PARAMETERS["dossier.retention"]
    assert "[U]" in param.help and "[U]" in param.citation
    assert param.check({"penalty": "永久"})["penalty"] == "永久" and param.check({})["summary"] == "10年"
    for bad in ({"penalty": "50年"}, {"nonsense": "永久"}, ["永久"]):
        with pytest.raises(RuleViolation):
            param.check(bad)
    PolicyValue.objects.create(key="dossier.retention", agency=agency, value=param.check({"penalty": "永久"}),
                               effective_from=date(2026, 1, 1), citation="本局档案管理办法")
    assert value_of("dossier.retention", agency, date(2026, 6, 1))["penalty"] == "永久"
    case = Case(agency=agency, procedure="general", state="closed", title="x", decision_kind="penalty",
                decided_penalty={"kinds": ["warning"]})
    assert dossier.retention(case, [], on=date(2026, 6, 1)) == ("penalty", "永久")
    assert dossier.retention(case, [], on=date(2025, 6, 1)) == ("penalty", "30年")


# --- the case page's button ---------------------------------------------------------------------------------------

def test_the_case_page_button_downloads_for_those_allowed(key, small_case, make_user, make_agency, as_user_client):
    from zhifa.cases.models import Case

    agency = small_case.agency
    url = reverse("records:dossier", args=[small_case.pk])
    for allowed in (small_case.officer, make_user(agency, roles=("head",)), make_user(agency, roles=("clerk",)),
                    make_user(agency, roles=("reviewer",), has_legal_qualification=True)):
        client = as_user_client(allowed)
        page = client.get(reverse("cases:detail", args=[small_case.pk]))
        assert page.status_code == 200 and url in page.content.decode()
        r = client.post(url)
        assert r.status_code == 200, r.status_code
        assert r["Content-Type"] == "application/zip" and "attachment" in r["Content-Disposition"]
        data = b"".join(r.streaming_content)
        assert check(io.BytesIO(data), key.public.read_bytes()).ok()
        assert client.get(url).status_code == 405
    assert Event.objects.filter(action="records.dossier_exported", case_id=small_case.pk).count() == 4
    # another officer of the agency who does not handle the case: no button, 403
    other = as_user_client(make_user(agency, roles=("officer",)))
    page = other.get(reverse("cases:detail", args=[small_case.pk]))
    assert page.status_code == 200 and url not in page.content.decode()
    assert other.post(url).status_code == 403
    # another agency: the case is not there
    stranger = as_user_client(make_user(make_agency("另一县文化广电和旅游局"), roles=("head",)))
    assert stranger.post(url).status_code == 404
    assert Case.objects.filter(pk=small_case.pk).exists()


def test_the_button_reports_a_refusal_on_the_case_page(settings, small_case, as_user_client, tmp_path):
    settings.ZHIFA_DOSSIER_KEY = tmp_path / "missing.pem"
    client = as_user_client(small_case.officer)
    r = client.post(reverse("records:dossier", args=[small_case.pk]), follow=True)
    assert r.status_code == 200 and "未能导出电子卷宗" in r.content.decode()


@pytest.fixture
def as_user_client(client, verified_login):
    from django.test import Client

    def login(user):
        return verified_login(Client(), user)

    return login
