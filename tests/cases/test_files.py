"""A case's files (zhifa.cases.files): the real type from the content, size caps, zip bombs, storage by digest,
duplicates, downloads re-checked, the chain of custody, the 音像记录 obligations of 国办发〔2018〕118号 (law.md §2.2),
streaming with constant memory, and the screens. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import io
import itertools
import tracemalloc
import zipfile
from datetime import date as D
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from zhifa.cases import files, services
from zhifa.cases.demo import demo_mp4
from zhifa.cases.models import Case, EvidenceFile
from zhifa.law import procedure as proc
from zhifa.records.models import Event
from zhifa.records.services import algorithm

from .helpers import AV_REASON, key, refused, step
from .test_walks import open_general

pytestmark = pytest.mark.django_db
A = proc.Action
_seq = itertools.count(1)

# Small real files, made here: the type check reads their first bytes.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(range(256)) * 4 + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(200))
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(500)
MZ = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(500)


def unique(data: bytes) -> bytes:
    """``data`` with a few bytes at the end that make it unlike any other test's file (the storage is shared)."""
    return data + f"#{next(_seq)}-{id(data)}".encode()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type)


def mp4(seed: str = "") -> bytes:
    return demo_mp4(f"test:{seed}:{next(_seq)}")


def office(kind: str = "docx", members: dict[str, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    main = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}[kind]
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr(main, f"<doc>{next(_seq)}</doc>")
        for name, data in (members or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.fixture
def case(zhang, li, party):
    return open_general(zhang, party, zhang, li)


@pytest.fixture
def investigating(case, head, zhang):
    step(case, A.FILE, head, D(2026, 3, 5), documents=["filing_approval_form"])
    step(case, A.START_INVESTIGATION, zhang, D(2026, 3, 5))
    return case


@pytest.fixture
def own_storage(settings, tmp_path):
    """A storage of this test's own (it changes stored bytes)."""
    settings.STORAGES = {**settings.STORAGES, "evidence": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "ev")}}}
    return tmp_path / "ev"


def refused_upload(case, actor, f, **kw) -> files.FileRefused:
    with pytest.raises(files.FileRefused) as err:
        files.store_upload(case, actor, f, **kw)
    assert not EvidenceFile.objects.filter(case=case, original_name=f.name).exists()
    return err.value


# --- the way in -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "data", "what"), [
    ("photo.jpg", ELF, "ELF"), ("现场照片.jpg", MZ, "PE/MZ"), ("record.mp4", b"#!/bin/sh\nrm -rf /\n", "#!"),
    ("scan.pdf", b"\xcf\xfa\xed\xfe" + bytes(100), "Mach-O"),
])
def test_a_renamed_executable_is_refused_by_its_content(case, zhang, name, data, what):
    err = refused_upload(case, zhang, upload(name, data, "image/jpeg"))
    assert err.code == "file_executable" and err.field == "file"
    assert name in err.message and ("可执行程序" in err.message or "脚本" in err.message)
    assert what in err.message and "与文件名无关" in err.message


def test_types_not_on_the_list_are_refused(case, zhang):
    for name, data in (("a.zip", office("docx")[:0] + _plain_zip()), ("b.txt", "中文".encode("gbk") * 50),
                       ("c.bin", bytes(range(256)) * 8), ("d.rar", b"Rar!\x1a\x07\x00" + bytes(100))):
        err = refused_upload(case, zhang, upload(name, data))
        assert err.field == "file" and name in err.message, name
        assert err.code in ("file_type_not_allowed", "file_executable"), name
    assert refused_upload(case, zhang, upload("e.jpg", b"")).code == "file_empty"
    # a script by its name even where its text would pass
    assert refused_upload(case, zhang, upload("run.bat", b"echo hi\r\n")).code == "file_executable"


def _plain_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "hello")
    return buf.getvalue()


@pytest.mark.parametrize(("name", "data", "media_type", "category"), [
    ("现场照片.jpg", JPEG, "image/jpeg", "image"),
    ("营业执照.png", PNG, "image/png", "image"),
    ("执法记录仪.mp4", None, "video/mp4", "video"),
    ("询问笔录.pdf", PDF, "application/pdf", "document"),
    ("账簿.docx", "docx", files.DOCX, "document"),
    ("流水.xlsx", "xlsx", files.XLSX, "document"),
    ("情况说明.txt", "当事人称系临时组团。\n".encode() * 20, "text/plain", "document"),
    ("录音.m4a", b"\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00M4A isom" + bytes(64), "audio/mp4", "audio"),
])
def test_allowed_files_are_stored_under_their_digest(case, zhang, evidence_dir, name, data, media_type, category):
    data = mp4(name) if data is None else office(data) if isinstance(data, str) else unique(data)
    # the browser's content type and the name's suffix are not what decides
    f = files.store_upload(case, zhang, upload(name, data, "application/x-whatever"), device="PY-DSJ-01",
                           place="星河网络会所", note="现场提取")
    alg = algorithm()
    assert f.digest == hashlib.new(alg, data).hexdigest() and f.algorithm == alg and f.size == len(data)
    assert f.media_type == media_type and files.category_of(f.media_type) == category
    assert f.storage_name == f"{alg}/{f.digest[:2]}/{f.digest[2:4]}/{f.digest}"
    assert (Path(evidence_dir) / f.storage_name).read_bytes() == data
    assert f.original_name == name and f.uploaded_by == zhang and f.record is None
    ev = Event.objects.get(action="cases.file_uploaded", subject=f"file:{f.digest}")
    assert ev.case_id == case.pk and ev.actor_id == zhang.pk
    assert f'"name":"{name}"' in ev.payload and f'"size":{len(data)}' in ev.payload and '"device":"PY-DSJ-01"' in \
        ev.payload


def test_an_oversized_file_is_refused_with_its_cap(case, zhang, settings):
    settings.ZHIFA_UPLOAD_MAX_MB = {"image": 1, "audio": 1, "video": 2, "document": 1}
    err = refused_upload(case, zhang, upload("大图.jpg", JPEG + bytes(1024 * 1024)))
    assert err.code == "file_too_large" and err.field == "file"
    assert "大图.jpg" in err.message and "图片文件的上限 1 MB" in err.message
    assert "ZHIFA_UPLOAD_MAX_MB_IMAGE" in err.message
    # a video of the same size is within its own cap
    assert files.store_upload(case, zhang, upload("v.mp4", mp4() + bytes(1024 * 1024))).media_type == "video/mp4"


def test_a_zip_bomb_is_refused(case, zhang):
    """A .docx with a 300 MB member of zeros (about 1 MB packed): refused from its directory, nothing extracted."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w") as member:
            zeros = bytes(1 << 20)
            for _ in range(300):
                member.write(zeros)
    err = refused_upload(case, zhang, upload("合同.docx", buf.getvalue()))
    assert err.code == "file_zip_bomb" and "疑似压缩炸弹" in err.message and "合同.docx" in err.message
    assert "200 MB" in err.message


def test_zip_bomb_limits_each(case, zhang, settings):
    # compression ratio (within the size cap)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", bytes(20 * 1024 * 1024))
    err = refused_upload(case, zhang, upload("a.docx", buf.getvalue()))
    assert err.code == "file_zip_bomb" and "压缩比" in err.message
    # an archive inside
    err = refused_upload(case, zhang, upload("b.docx", office("docx", {"word/media/x.zip": _plain_zip()})))
    assert err.code == "file_zip_bomb" and "x.zip" in err.message
    # too many members
    settings.ZHIFA_UPLOAD_ZIP_MAX_MEMBERS = 5
    err = refused_upload(case, zhang, upload("c.xlsx", office("xlsx", {f"xl/s{n}.xml": b"<x/>" for n in range(6)})))
    assert err.code == "file_zip_bomb" and "超过上限 5 个" in err.message
    # a macro
    err = refused_upload(case, zhang, upload("d.docx", office("docx", {"word/vbaProject.bin": b"\x00" * 10})))
    assert err.code == "file_macro"


def test_the_same_bytes_twice_on_a_case_are_refused_and_shared_between_cases(case, zhang, li, party, evidence_dir):
    data = unique(PNG)
    first = files.store_upload(case, zhang, upload("现场照片.png", data))
    err = refused_upload(case, li, upload("再次上传.png", data))
    assert err.code == "file_duplicate" and "现场照片.png" in err.message and first.digest[:16] in err.message
    other = open_general(zhang, party, zhang, li)
    second = files.store_upload(other, zhang, upload("另案照片.png", data))
    assert second.storage_name == first.storage_name and second.digest == first.digest
    assert len(list(Path(evidence_dir).rglob(first.digest))) == 1


def test_the_times_and_texts_are_checked(case, zhang):
    now = timezone.now()
    f = upload("x.png", unique(PNG))
    assert refused_upload(case, zhang, f, captured_at=now - timedelta(hours=1),
                          captured_until=now - timedelta(hours=2)).field == "captured_until"
    assert refused_upload(case, zhang, f, captured_at=now + timedelta(days=1)).field == "captured_at"
    assert refused_upload(case, zhang, f, device="x" * 81).field == "device"
    assert refused_upload(case, zhang, f, place="p" * 201).field == "place"


def test_a_closed_case_takes_no_files(case, zhang):
    for state in ("closed", "archived", "withdrawn"):
        Case.objects.filter(pk=case.pk).update(state=state)
        case.refresh_from_db()
        err = refused_upload(case, zhang, upload("晚到的照片.png", unique(PNG)))
        assert err.code == "case_closed" and "案件内容和证据不得更改" in err.message
    assert "结案后案件内容和证据不得更改" in err.message or state == "withdrawn"
    Case.objects.filter(pk=case.pk).update(state="closed")
    case.refresh_from_db()
    assert "结案后案件内容和证据不得更改" in refused_upload(case, zhang, upload("y.png", unique(PNG))).message


def test_only_the_case_team_uploads(case, make_officer, zhang):
    stranger = make_officer("路人甲")
    err = refused_upload(case, stranger, upload("z.png", unique(PNG)))
    assert err.code == "role_not_allowed" and not files.may_upload(case, stranger) and files.may_upload(case, zhang)


# --- the way out ------------------------------------------------------------------------------------------------

def test_download_rechecks_the_digest(case, zhang, li, own_storage, as_user):
    data = mp4("download")
    f = files.store_upload(case, zhang, upload("执法记录仪.mp4", data), device="PY-DSJ-01")
    c = as_user(li)
    url = reverse("cases:file", args=[case.pk, f.digest])
    r = c.get(url)
    assert r.status_code == 200 and b"".join(r.streaming_content) == data
    assert "attachment" in r["Content-Disposition"] and r["Content-Type"] == "video/mp4"
    assert Event.objects.filter(action="cases.file_downloaded", subject=f"file:{f.digest}", actor=li).count() == 1
    assert files.verify_files(case.pk) == (1, [])

    # one stored byte flipped: refused before anything is sent, recorded, and named by verify_files
    path = Path(own_storage) / f.storage_name
    changed = bytearray(path.read_bytes())
    changed[100] ^= 0x01
    path.write_bytes(bytes(changed))
    r = c.get(url)
    assert r.status_code == 409
    html = r.content.decode()
    assert "执法记录仪.mp4" in html and f.digest in html and "不符" in html
    assert Event.objects.filter(action="cases.file_digest_mismatch", subject=f"file:{f.digest}").count() == 1
    assert Event.objects.filter(action="cases.file_downloaded", subject=f"file:{f.digest}").count() == 1
    with pytest.raises(files.FileDigestMismatch) as err:
        files.open_checked(f)
    assert err.value.file == f and f.digest in err.value.message
    checked, broken = files.verify_files(case.pk)
    assert checked == 1 and [b[0] for b in broken] == [f] and "执法记录仪.mp4" in broken[0][1]

    # missing altogether
    path.unlink()
    assert c.get(url).status_code == 409
    assert "缺失" in files.verify_files()[1][0][1]


def test_custody_is_the_files_events_oldest_first(investigating, zhang, li, as_user):
    case = investigating
    f = files.store_upload(case, zhang, upload("现场检查.mp4", mp4("custody")), device="PY-DSJ-02")
    step(case, A.INSPECT, zhang, D(2026, 3, 6), credentials_shown=True,
         records=[{"code": "av_record_or_reason", "file_hash": f.digest}])
    as_user(li).get(reverse("cases:file", args=[case.pk, f.digest]))
    assert [e.action for e in files.custody(f)] == ["cases.file_uploaded", "cases.file_attached",
                                                    "cases.file_downloaded"]
    f.refresh_from_db()
    assert f.record is not None and f.record.code == "av_record_or_reason" and f.record.step.action == "inspect"


# --- the 音像记录 obligations (国办发〔2018〕118号, law.md §2.2) ----------------------------------------------

def _recording(case, actor, *, device="PY-DSJ-01", image=False):
    if image:
        return files.store_upload(case, actor, upload("照片.png", unique(PNG)), device=device)
    return files.store_upload(case, actor, upload("录像.mp4", mp4(device)), device=device)


# (the step, the entry as made from the case's files, accepted?, the refusal code and field)
AV_TABLE = [
    # 查封扣押: 全程音像记录, mandatory — a file of the case, audio or video, with its device number
    ("seize", lambda c, u: {"code": "av_record"}, False, "av_file_missing", "records[0].file_hash"),
    ("seize", lambda c, u: {"code": "av_record", "description": "已录像"}, False, "av_file_missing",
     "records[0].file_hash"),
    ("seize", lambda c, u: {"code": "av_record", "file_hash": _recording(c, u, device="").digest}, False,
     "av_device_missing", "records[0].file_hash"),
    ("seize", lambda c, u: {"code": "av_record", "file_hash": _recording(c, u, image=True).digest}, False,
     "av_file_not_av", "records[0].file_hash"),
    ("seize", lambda c, u: {"code": "av_record", "file_hash": "ab" * 32}, False, "file_not_on_case",
     "records[0].file_hash"),
    ("seize", lambda c, u: {"code": "av_record", "file_hash": _recording(c, u).digest}, True, None, None),
    # 现场检查: 音像记录 as circumstances require, blocking — the file, or the reason there is none
    ("inspect", lambda c, u: {"code": "av_record_or_reason"}, False, "av_record_or_reason_missing",
     "records[0].description"),
    ("inspect", lambda c, u: AV_REASON, True, None, None),
    ("inspect", lambda c, u: {"code": "av_record_or_reason", "file_hash": _recording(c, u, device="").digest},
     True, None, None),
    ("inspect", lambda c, u: {"code": "av_record_or_reason", "file_hash": _recording(c, u, image=True).digest},
     False, "av_file_not_av", "records[0].file_hash"),
]


@pytest.mark.parametrize(("action", "entry", "accepted", "code", "field"), AV_TABLE)
def test_the_av_obligations_of_guideline_118(investigating, zhang, head, action, entry, accepted, code, field):
    """国办发〔2018〕118号 (law.md §2.2): 查封扣押 needs a full audio-video record — an uploaded audio or video file of
    the case with the device's number; 现场检查 (and 听证, 送达, 当场处罚 …) needs the record or the written reason
    it could not be made."""
    case = investigating
    made = entry(case, zhang)
    payload = {"credentials_shown": True, "records": [made]}
    if action == "seize":
        services.decide_approval(case.pk, "seizure", actor=head, idempotency_key=key(), today=D(2026, 3, 6))
        payload["documents"] = ["seizure_decision", "item_list", "inspection_record"]
    else:
        payload["documents"] = ["inspection_record"]
    do = lambda: services.transition(case.pk, action, actor=zhang, payload=payload,  # noqa: E731
                                     idempotency_key=key(), today=D(2026, 3, 6))
    if accepted:
        taken = do()
        record = case.records.get(code=made["code"], step=taken)
        if made.get("file_hash"):
            assert EvidenceFile.objects.get(case=case, digest=made["file_hash"]).record == record
        return
    with pytest.raises(services.StepRefused) as err:
        do()
    hit = next(v for v in err.value.violations if v.code == code)
    assert hit.field == field
    if code.startswith("av_"):
        rule = proc.AV_RULES[made["code"]]
        assert rule in hit.message and "国办发〔2018〕118号" in str(hit)
    assert not case.records.filter(code=made["code"]).exists()


def test_the_rule_text_for_the_reason(investigating, zhang):
    with pytest.raises(services.StepRefused) as err:
        services.transition(investigating.pk, A.INSPECT, actor=zhang, idempotency_key=key(), today=D(2026, 3, 6),
                            payload={"credentials_shown": True, "records": ["av_record_or_reason"]})
    assert "须附音像记录文件，或写明未能录制的理由（国办发〔2018〕118号，law.md §2.2）" in err.value.message


def test_a_file_of_another_case_is_not_this_cases(investigating, zhang, li, party):
    other = open_general(zhang, party, zhang, li)
    f = _recording(other, zhang)
    with pytest.raises(services.StepRefused) as err:
        services.record_evidence(investigating.pk, [{"kind": "audio_visual", "description": "录像",
                                                     "file_hash": f.digest}], actor=zhang, idempotency_key=key(),
                                 today=D(2026, 3, 6))
    assert err.value.code == "file_not_on_case" and err.value.field == "evidence[0].file_hash"
    # a short hash is an outside reference and stays as it is
    services.record_evidence(investigating.pk, [{"kind": "documentary", "description": "外部系统存档",
                                                 "file_hash": "ab" * 10}], actor=zhang, idempotency_key=key(),
                             today=D(2026, 3, 6))


def test_an_old_av_record_without_its_file_does_not_count(investigating, zhang):
    """A record registered before the files existed (no file, no reason) does not meet the step's requirement."""
    from zhifa.cases.facts import case_facts
    from zhifa.cases.models import CaseRecord

    CaseRecord.objects.create(case=investigating, code="av_record", made_on=D(2026, 3, 6), recorded_by=zhang)
    CaseRecord.objects.create(case=investigating, code="av_record_or_reason", made_on=D(2026, 3, 6),
                              recorded_by=zhang)
    facts = case_facts(investigating, today=D(2026, 3, 6))
    assert "av_record" not in facts.records and "av_record_or_reason" not in facts.records


# --- streaming --------------------------------------------------------------------------------------------------

MULTIPART = "multipart/form-data; boundary=zhifa-boundary"


def _multipart(name: str, data: bytes, boundary: str = "zhifa-boundary") -> bytes:
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode()


def test_a_large_upload_streams_in_constant_memory(case, zhang, settings, tmp_path):
    """64 MB through the upload handler and store_upload: hashed on the way in, written to a temporary file and
    moved into the storage; Python's memory peak stays a few megabytes."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    data = mp4("large") + b"\x5a" * (64 * 1024 * 1024)
    expected = hashlib.new(algorithm(), data).hexdigest()
    body = _multipart("大视频.mp4", data)
    request = RequestFactory().generic("POST", "/", body, content_type=MULTIPART)
    del data, body
    request.upload_handlers = [files.EvidenceUploadHandler(request)]
    tracemalloc.start()
    try:
        uploaded = request.FILES["file"]
        f = files.store_upload(case, zhang, uploaded, device="PY-DSJ-09")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert f.digest == expected and f.size == 64 * 1024 * 1024 + len(mp4("x"))
    assert peak < 8 * 1024 * 1024, f"peak {peak / 1024 / 1024:.1f} MB"


def test_the_handler_stops_an_upload_past_its_cap(case, zhang, settings, tmp_path):
    settings.ZHIFA_UPLOAD_MAX_MB = {"image": 1, "audio": 1, "video": 1, "document": 1}
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    body = _multipart("大图.jpg", JPEG + bytes(3 * 1024 * 1024))
    request = RequestFactory().generic("POST", "/", body, content_type=MULTIPART)
    handler = files.EvidenceUploadHandler(request)
    request.upload_handlers = [handler]
    assert "file" not in request.FILES
    assert handler.refused is not None and handler.refused.code == "file_too_large"
    assert "图片文件的上限 1 MB" in handler.refused.message
    assert handler.size <= 1024 * 1024 + 64 * 1024  # stopped within a chunk of the cap
    assert list(Path(tmp_path).iterdir()) == []  # the temporary file is gone
    # an executable is stopped at its first bytes
    request = RequestFactory().generic("POST", "/", _multipart("photo.jpg", ELF + bytes(10 * 1024)),
                                       content_type=MULTIPART)
    handler = files.EvidenceUploadHandler(request)
    request.upload_handlers = [handler]
    assert "file" not in request.FILES and handler.refused.code == "file_executable"


# --- the screens ------------------------------------------------------------------------------------------------

def test_upload_through_the_case_page(investigating, zhang, as_user):
    case = investigating
    c = as_user(zhang)
    page = c.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'id="upload"' in page and 'enctype="multipart/form-data"' in page and "尚未上传文件" in page
    data = mp4("screen")
    r = c.post(reverse("cases:upload_file", args=[case.pk]), {
        "file": upload("现场检查录像.mp4", data), "captured_at": "2026-03-06T09:30",
        "captured_until": "2026-03-06T10:05", "place": "星河网络会所", "device": "PY-DSJ-07",
        "note": "现场检查全程录像"})
    assert r.status_code == 302 and r["Location"].endswith("#files")
    f = EvidenceFile.objects.get(case=case)
    assert f.device == "PY-DSJ-07" and f.place == "星河网络会所" and f.size == len(data)
    assert timezone.localtime(f.captured_at).strftime("%Y-%m-%d %H:%M") == "2026-03-06 09:30"
    page = c.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "现场检查录像.mp4" in page and f.digest[:16] in page and "PY-DSJ-07" in page and "MP4" in page
    assert reverse("cases:file", args=[case.pk, f.digest]) in page and "保管记录" in page
    assert "上传文件" in page  # the timeline

    # the step's form offers the recording, and taking the step attaches it
    act = reverse("cases:act", args=[case.pk, "inspect"])
    form = c.get(act).context["form"]
    assert f.digest in dict(form.fields["av_file"].choices)
    r = c.post(act, {"idempotency_key": form["idempotency_key"].value(), "expected_version": case.version,
                     "credentials_shown": "on", "documents": ["inspection_record"], "records": ["av_record_or_reason"],
                     "av_file": f.digest})
    assert r.status_code == 302, r.context["violations"]
    f.refresh_from_db()
    assert f.record is not None and f.record.step.action == "inspect"
    page = c.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "附件：现场检查录像.mp4" in page

    custody = c.get(reverse("cases:file_custody", args=[case.pk, f.digest]))
    assert custody.status_code == 200
    text = custody.content.decode()
    assert f.digest in text and "上传" in text and "归入记录" in text


def test_bad_uploads_are_named_on_the_page(investigating, zhang, as_user, settings):
    case = investigating
    c = as_user(zhang)
    url = reverse("cases:upload_file", args=[case.pk])
    r = c.post(url, {"file": upload("photo.jpg", ELF)})
    assert r.status_code == 400
    page = r.content.decode()
    assert "可执行程序" in page and 'id="case-state"' in page  # the case page, with the field's error
    assert r.context["upload_form"].errors["file"]
    r = c.post(url, {"file": upload("x.png", unique(PNG)), "captured_at": "2026-03-06T10:00",
                     "captured_until": "2026-03-06T09:00"})
    assert r.status_code == 400 and "结束时间早于" in " ".join(r.context["upload_form"].errors["captured_until"])
    r = c.post(url, {"captured_at": "garbage"})
    assert r.status_code == 400 and r.context["upload_form"].errors["file"]
    settings.ZHIFA_UPLOAD_MAX_MB = {"image": 1, "audio": 1, "video": 1, "document": 1}
    r = c.post(url, {"file": upload("big.png", PNG + bytes(2 * 1024 * 1024))})
    assert r.status_code == 400 and "上限 1 MB" in r.content.decode()
    assert not EvidenceFile.objects.filter(case=case).exists()
    # no CSRF token, no upload
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(zhang)
    assert strict.post(url, {"file": upload("y.png", unique(PNG))}).status_code == 403


def test_the_form_is_hidden_once_closed_and_from_others(case, zhang, as_user, make_officer, head):
    assert 'id="upload"' in as_user(head).get(reverse("cases:detail", args=[case.pk])).content.decode()
    stranger = make_officer("路人乙")
    assert 'id="upload"' not in as_user(stranger).get(reverse("cases:detail", args=[case.pk])).content.decode()
    Case.objects.filter(pk=case.pk).update(state="closed")
    page = as_user(zhang).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'id="upload"' not in page
    r = as_user(zhang).post(reverse("cases:upload_file", args=[case.pk]), {"file": upload("z.png", unique(PNG))})
    assert r.status_code == 400 and "结案后案件内容和证据不得更改" in r.content.decode()


def test_another_agencys_file_is_not_found(case, zhang, make_agency, make_user, as_user):
    f = files.store_upload(case, zhang, upload("p.png", unique(PNG)))
    outsider = make_user(make_agency("另一县文化广电和旅游局"), roles=("officer",))
    c = as_user(outsider)
    assert c.get(reverse("cases:file", args=[case.pk, f.digest])).status_code == 404
    assert c.get(reverse("cases:file_custody", args=[case.pk, f.digest])).status_code == 404
    assert as_user(zhang).get(reverse("cases:file", args=[case.pk, "0" * 64])).status_code == 404


def test_sniff_reads_the_content():
    assert files.sniff(b"plain text\n").media_type == "text/plain"
    assert files.sniff("\ufeff中文说明".encode()).media_type == "text/plain"
    assert files.sniff(b"\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00M4A isom" + bytes(64)).category == "audio"
    assert files.sniff(mp4()).media_type == "video/mp4"
    for bad in (b"MZ" + bytes(10), b"\x7fELF", b"#!/usr/bin/env python\n", "中文".encode("gbk") * 10):
        with pytest.raises(files.FileRefused):
            files.sniff(bad, "x")


# --- which steps need an 音像记录 is the agency's policy (record.av_steps) ------------------------------------------

# (the agency's policy value, or None for the default; does 现场检查 without any 音像记录 go through?)
AV_POLICY = [
    (None, False),                    # default: every step of 国办发〔2018〕118号's "根据实际情况" list
    (["inspect", "hold_hearing"], False),
    (["hold_hearing", "serve_by_public_notice"], True),  # 现场检查 left out: no recording, no reason needed
    ([], True),
]


@pytest.mark.parametrize(("value", "goes_through"), AV_POLICY)
def test_which_steps_need_an_av_record_is_policy(investigating, zhang, value, goes_through):
    from zhifa.catalog.models import PolicyValue

    if value is not None:
        PolicyValue.objects.create(key="record.av_steps", agency=investigating.agency, value=value,
                                   effective_from=D(2026, 1, 1), citation="本机关音像记录事项清单")
    do = lambda: services.transition(investigating.pk, A.INSPECT, actor=zhang, idempotency_key=key(),  # noqa: E731
                                     today=D(2026, 3, 6),
                                     payload={"credentials_shown": True, "documents": ["inspection_record"]})
    if goes_through:
        assert do().action == "inspect"
    else:
        with pytest.raises(services.StepRefused) as err:
            do()
        assert "record_missing" in err.value.codes and "国办发〔2018〕118号" in err.value.message


@pytest.mark.parametrize(("value", "problem"), [
    (["seize"], "查封、扣押一律须全程音像记录"),  # the full recording of seizures is not the agency's to waive
    (["interview"], "不能设定音像记录的步骤"),
    ("inspect", "步骤代码的列表"),
])
def test_the_av_policy_refuses_what_it_cannot_set(value, problem):
    from zhifa.cases.policies import AV_PARAMETER
    from zhifa.law.errors import RuleViolation

    with pytest.raises(RuleViolation) as err:
        AV_PARAMETER.check(value)
    assert problem in err.value.message


def test_seizure_needs_its_full_recording_whatever_the_policy(investigating, zhang, head):
    from zhifa.catalog.models import PolicyValue

    PolicyValue.objects.create(key="record.av_steps", agency=investigating.agency, value=[],
                               effective_from=D(2026, 1, 1))
    services.decide_approval(investigating.pk, "seizure", actor=head, idempotency_key=key(), today=D(2026, 3, 6))
    with pytest.raises(services.StepRefused) as err:
        services.transition(investigating.pk, A.SEIZE, actor=zhang, idempotency_key=key(), today=D(2026, 3, 6),
                            payload={"credentials_shown": True,
                                     "documents": ["seizure_decision", "item_list", "inspection_record"]})
    assert "record_missing" in err.value.codes


def test_each_step_needs_its_own_av_record(investigating, zhang, head):
    """An earlier step's recording does not stand for a later one (国办发〔2018〕118号): a second 现场检查 and a
    second 查封 each need their own."""
    step(investigating, A.INSPECT, zhang, D(2026, 3, 6), credentials_shown=True, documents=["inspection_record"],
         records=[{"code": "av_record_or_reason", "file_hash": _recording(investigating, zhang).digest}])
    err = refused(investigating, A.INSPECT, zhang, D(2026, 3, 7), credentials_shown=True,
                  documents=["inspection_record"])
    assert "record_missing" in err.codes and "此前步骤的音像记录不能代替" in err.message
    step(investigating, A.INSPECT, zhang, D(2026, 3, 7), credentials_shown=True, documents=["inspection_record"],
         records=[AV_REASON])
    seize = {"credentials_shown": True, "documents": ["seizure_decision", "item_list", "inspection_record"]}
    services.decide_approval(investigating.pk, "seizure", actor=head, idempotency_key=key(), today=D(2026, 3, 8))
    step(investigating, A.SEIZE, zhang, D(2026, 3, 8), **seize,
         records=[{"code": "av_record", "file_hash": _recording(investigating, zhang, device="PY-DSJ-03").digest}])
    err = refused(investigating, A.SEIZE, zhang, D(2026, 3, 9), **seize)
    assert "record_missing" in err.codes
    err = refused(investigating, A.SEIZE, zhang, D(2026, 3, 9), **seize, records=[AV_REASON | {"code": "av_record"}])
    assert "av_file_missing" in err.codes  # a reason does not stand for a seizure's full recording


def test_who_may_not_upload_is_refused_before_the_body_is_read(case, zhang, make_officer, as_user, client,
                                                                 monkeypatch):
    """Anonymous visitors, people outside the case team and a closed case are answered from the session alone: the
    upload handler that writes the body to disk is never installed."""
    installed = []
    real = files.EvidenceUploadHandler.__init__
    monkeypatch.setattr(files.EvidenceUploadHandler, "__init__",
                        lambda self, *a, **kw: installed.append(1) or real(self, *a, **kw))
    url = reverse("cases:upload_file", args=[case.pk])
    r = client.post(url, {"file": upload("a.png", unique(PNG))})
    assert r.status_code == 302 and "/login/" in r["Location"]
    assert as_user(make_officer("路人丙")).post(url, {"file": upload("b.png", unique(PNG))}).status_code == 403
    Case.objects.filter(pk=case.pk).update(state="closed")
    r = as_user(zhang).post(url, {"file": upload("c.png", unique(PNG))})
    assert r.status_code == 400 and "不得更改" in r.content.decode()
    assert installed == [] and not EvidenceFile.objects.filter(case=case).exists()


@pytest.fixture
def decided(zhang, li, head, party):
    """A no-penalty decision awaiting service (the shortest path to 送达)."""
    from .test_walks import investigate

    case = open_general(zhang, party, zhang, li, items=("WH-NET-007",))
    investigate(case, zhang, li, head)
    services.assess_case(case.pk, {"first_violation": True, "corrected_promptly": True, "harm": "none"},
                         actor=zhang, idempotency_key=key(), today=D(2026, 4, 20))
    step(case, A.SUBMIT_FOR_DECISION, zhang, D(2026, 4, 21))
    step(case, A.DECIDE_NO_PENALTY, head, D(2026, 4, 22), documents=["no_penalty_decision"],
         records=[{"code": "education_record", "description": "批评教育"}], reason="初次违法且及时改正")
    return case


# (the policy's value or None for the default, the method, the records sent, served?)
LODGED = [
    (None, "lodged", [], False),           # 留置送达 without a recording or a reason (国办发〔2018〕118号)
    (None, "lodged", [AV_REASON], True),
    (None, "lodged", ["av_record_or_reason"], False),  # ticked, but neither a file nor a reason
    (None, "direct", [], True),            # 直接送达: the party signs the 送达回证
    (["inspect"], "lodged", [], True),     # the agency's policy leaves 留置送达 out
]


@pytest.mark.parametrize(("value", "method", "records", "served"), LODGED)
def test_lodged_service_needs_its_av_record_by_policy(decided, clerk, value, method, records, served):
    from zhifa.catalog.models import PolicyValue

    if value is not None:
        PolicyValue.objects.create(key="record.av_steps", agency=decided.agency, value=value,
                                   effective_from=D(2026, 1, 1))
    payload = {"documents": ["service_receipt"], "method": method, "records": records}
    if served:
        step(decided, A.SERVE, clerk, D(2026, 4, 23), **payload)
        assert decided.state == "served" and decided.service_method == method
    else:
        err = refused(decided, A.SERVE, clerk, D(2026, 4, 23), **payload)
        assert set(err.codes) & {"record_missing", "av_record_or_reason_missing"}
        assert "国办发〔2018〕118号" in err.message


def test_the_service_form_takes_the_recording_or_the_reason(decided, clerk, as_user):
    c = as_user(clerk)
    url = reverse("cases:act", args=[decided.pk, "serve"])
    got = c.get(url)
    assert "未能录制音像记录的理由" in got.content.decode() and "音像记录文件" in got.content.decode()
    base = {"idempotency_key": got.context["form"]["idempotency_key"].value(), "expected_version": decided.version,
            "served_on": "2026-04-23", "method": "lodged", "documents": ["service_receipt"]}
    r = c.post(url, base)  # 留置送达 with neither the recording nor the reason
    assert r.status_code == 200 and "record_missing" in {v.code for v in r.context["violations"]}
    r = c.post(url, {**base, "av_reason": "当事人拒收，执法记录仪故障，由两名见证人签字"})  # the box need not be ticked
    assert r.status_code == 302, [str(v) for v in r.context["violations"]]
    decided.refresh_from_db()
    assert decided.state == "served" and decided.records.filter(code="av_record_or_reason").exists()
