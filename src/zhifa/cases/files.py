"""A case's files (证据文件、音像记录): checked on the way in, stored once by content digest, re-hashed on the way out.

The way in (:func:`store_upload`): the file's real type is read from its first bytes (``filetype`` and a look inside
ZIP containers), never from its name or the browser's content type; only images, PDF, audio, video, office
documents, OFD and UTF-8 text are accepted, executables are refused by name; each kind has a size cap
(``ZHIFA_UPLOAD_MAX_MB``), and a ZIP-based document that declares too much, compresses too well, has too many
members or holds archives is refused as a suspected zip bomb. The digest (SM3, or SHA-256 by
``ZHIFA_HASH_ALGORITHM``) is computed while the bytes stream past — by :class:`EvidenceUploadHandler` as the request
is read, or here chunk by chunk — so a 2 GB video costs a constant few megabytes of memory. The bytes are stored
under their digest (``sm3/ab/cd/<digest>``) in the ``evidence`` storage: the same bytes on two cases are one
stored object; the same bytes twice on one case are refused as a duplicate.

The way out (:func:`open_checked`): the stored bytes are hashed again in full before anything is sent; a changed
or missing file is never handed out as evidence (:class:`FileDigestMismatch`). :func:`verify_files` does the same
for every file (``zhifa verify``).

Every act on a file is an event of the full-process record with subject ``file:<digest>`` in the case
(``cases.file_uploaded``, ``cases.file_attached``, ``cases.file_downloaded``, ``cases.file_digest_mismatch``);
:func:`custody` reads them back as the file's chain of custody.

The 全过程记录 obligations (国办发〔2018〕118号, law.md §2.2) are checked here for the case service
(:func:`check_entries`): a 全程音像记录 names an uploaded audio or video file of the case with its device number;
an 音像记录（或未能录制的书面理由） names such a file or states why there is none.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, BinaryIO

import filetype
from django.conf import settings
from django.core.files.storage import Storage, storages
from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone

from zhifa.law import procedure as proc
from zhifa.law.errors import Citation, RuleViolation
from zhifa.records.models import Event
from zhifa.records.services import algorithm, record

from .models import Case, CaseRecord, EvidenceFile

MB = 1024 * 1024
CHUNK = MB  # read and hash a megabyte at a time
HEAD = 8192  # the bytes the type is read from (filetype reads as many)
FULL_DIGEST = re.compile(r"[0-9a-f]{64}")

UPLOAD_RULES = Citation("本系统证据文件规则（docs/admin-guide.md“证据文件”）", "",
                        "只接收图片、PDF、音频、视频、办公文档和文本文件，按文件内容判断类型，各类文件有大小上限")

# --- what is accepted --------------------------------------------------------------------------------------------

CATEGORY_LABELS = {"image": "图片", "audio": "音频", "video": "视频", "document": "文档"}
DEFAULT_CAPS_MB = {"image": 50, "audio": 500, "video": 4096, "document": 100}

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
OFD = "application/ofd"
TEXT = "text/plain"

# media type → (category, format). Audio and video are the 音像记录 of law.md §2.2.
TYPES: Mapping[str, tuple[str, str]] = {
    "image/jpeg": ("image", "JPEG"), "image/png": ("image", "PNG"), "image/gif": ("image", "GIF"),
    "image/webp": ("image", "WebP"), "image/tiff": ("image", "TIFF"), "image/heic": ("image", "HEIC"),
    "image/bmp": ("image", "BMP"),
    "audio/mpeg": ("audio", "MP3"), "audio/x-wav": ("audio", "WAV"), "audio/mp4": ("audio", "M4A"),
    "audio/aac": ("audio", "AAC"), "audio/amr": ("audio", "AMR"), "audio/ogg": ("audio", "Ogg"),
    "audio/x-flac": ("audio", "FLAC"),
    "video/mp4": ("video", "MP4"), "video/quicktime": ("video", "MOV"), "video/x-msvideo": ("video", "AVI"),
    "video/x-matroska": ("video", "MKV"), "video/3gpp": ("video", "3GP"), "video/x-m4v": ("video", "M4V"),
    "video/mpeg": ("video", "MPEG"), "video/x-ms-wmv": ("video", "WMV"), "video/webm": ("video", "WebM"),
    "application/pdf": ("document", "PDF"), "application/msword": ("document", "Word (.doc)"),
    "application/vnd.ms-excel": ("document", "Excel (.xls)"), DOCX: ("document", "Word (.docx)"),
    XLSX: ("document", "Excel (.xlsx)"), PPTX: ("document", "PowerPoint (.pptx)"), OFD: ("document", "OFD"),
    TEXT: ("document", "UTF-8 TXT"),
}
ALLOWED_TEXT = "图片（JPEG、PNG、GIF、WebP、TIFF、HEIC、BMP）、PDF、音频（MP3、WAV、M4A、AAC、AMR、Ogg、FLAC）、" \
               "视频（MP4、MOV、AVI、MKV、3GP、MPEG、WMV、WebM）、Word/Excel/PowerPoint 文档、OFD 和 UTF-8 文本"

# Executables by their first bytes, and names no evidence file needs.
_EXECUTABLE_MAGIC = (
    (b"MZ", "Windows 可执行程序（PE/MZ）"), (b"\x7fELF", "Linux 可执行程序（ELF）"),
    (b"\xfe\xed\xfa\xce", "macOS 可执行程序（Mach-O）"), (b"\xfe\xed\xfa\xcf", "macOS 可执行程序（Mach-O）"),
    (b"\xce\xfa\xed\xfe", "macOS 可执行程序（Mach-O）"), (b"\xcf\xfa\xed\xfe", "macOS 可执行程序（Mach-O）"),
    (b"\xca\xfe\xba\xbe", "macOS 通用可执行程序或 Java 类文件"), (b"#!", "脚本（以 #! 开头）"),
    (b"\x00asm", "WebAssembly 程序"), (b"dex\n", "Android 可执行程序"),
)
_EXECUTABLE_NAMES = frozenset({
    "exe", "dll", "com", "scr", "msi", "msp", "bat", "cmd", "ps1", "psm1", "vbs", "vbe", "js", "jse", "wsf", "wsh",
    "hta", "cpl", "lnk", "jar", "apk", "app", "sh", "bash", "run", "elf", "so", "dylib", "py", "pl", "php",
})
_ARCHIVE_NAMES = frozenset({"zip", "rar", "7z", "gz", "tgz", "bz2", "xz", "tar", "cab", "zst", "lz", "lzma", "z",
                            "iso", "img", "jar", "apk", "war"})


@dataclass(frozen=True)
class Sniffed:
    """The type read from a file's first bytes: its media type and category, or ``zip`` (look inside first)."""

    media_type: str
    category: str
    zip: bool = False


class FileRefused(RuleViolation):
    """An upload (or a file named by a step) is refused: ``field`` names the input (文件、形成时间 …), ``message``
    says which rule, in Chinese."""

    def __init__(self, code: str, message: str, field: str | None = "file", *basis: Citation) -> None:
        super().__init__(code, message, field, list(basis or (UPLOAD_RULES,)))


class FileDigestMismatch(Exception):
    """The stored bytes of ``file`` are missing or no longer have its digest: it must not be handed out."""

    def __init__(self, file: EvidenceFile, message: str, actual: str | None = None) -> None:
        super().__init__(message)
        self.file, self.message, self.actual = file, message, actual


# --- settings ----------------------------------------------------------------------------------------------------

def storage() -> Storage:
    """The storage of evidence files (``STORAGES["evidence"]``: local files under ``ZHIFA_EVIDENCE_DIR`` by default,
    any Django storage such as django-storages' S3 backend by ``ZHIFA_EVIDENCE_STORAGE``)."""
    return storages["evidence"]


def caps() -> dict[str, int]:
    """The size cap of each category in bytes (``ZHIFA_UPLOAD_MAX_MB``)."""
    configured = getattr(settings, "ZHIFA_UPLOAD_MAX_MB", {}) or {}
    return {c: int(configured.get(c, mb) * MB) for c, mb in DEFAULT_CAPS_MB.items()}


def largest_cap() -> int:
    return max(caps().values())


def _zip_limits() -> tuple[int, float, int]:
    return (int(getattr(settings, "ZHIFA_UPLOAD_ZIP_MAX_MB", 200) * MB),
            float(getattr(settings, "ZHIFA_UPLOAD_ZIP_MAX_RATIO", 100)),
            int(getattr(settings, "ZHIFA_UPLOAD_ZIP_MAX_MEMBERS", 10000)))


def category_of(media_type: str) -> str:
    """image, audio, video or document ("" for a type no longer on the list)."""
    return TYPES.get(media_type, ("", ""))[0]


def type_label(media_type: str, labels: Mapping[str, str] = CATEGORY_LABELS) -> str:
    """The format and the kind of a stored file, e.g. "MP4 视频" (``labels``: the kinds' words, for the screens)."""
    category, short = TYPES.get(media_type, ("", media_type))
    return f"{short} {labels[category]}" if category else short


def is_audio_video(f: EvidenceFile) -> bool:
    return category_of(f.media_type) in ("audio", "video")


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            return f"{size:.1f} {unit}"
    return ""  # not reached


def storage_name(alg: str, digest: str) -> str:
    """Where a file with ``digest`` is kept: ``<algorithm>/<first two>/<next two>/<digest>``."""
    return f"{alg}/{digest[:2]}/{digest[2:4]}/{digest}"


# --- reading the type -----------------------------------------------------------------------------------------

def _suffix(name: str) -> str:
    return name.rsplit(".", 1)[1].lower() if "." in name else ""


def _refuse_executable(name: str, what: str) -> FileRefused:
    return FileRefused("file_executable", f"“{name}”是{what}，不予接收：证据文件只接收{ALLOWED_TEXT}"
                                          "（按文件内容判断类型，与文件名无关）")


def sniff(head: bytes, name: str = "", *, complete: bool = True) -> Sniffed:
    """The type of a file from its first bytes (``head``; ``complete``: the whole file). Raises :class:`FileRefused`
    for an executable, an archive, or anything not on the list."""
    shown = name or "该文件"
    if not head:
        raise FileRefused("file_empty", f"“{shown}”是空文件，不予接收")
    body = head[3:] if head.startswith(codecs.BOM_UTF8) else head
    for magic, what in _EXECUTABLE_MAGIC:
        if body.startswith(magic):
            raise _refuse_executable(shown, what)
    if _suffix(name) in _EXECUTABLE_NAMES:
        raise FileRefused("file_executable",
                          f"“{shown}”的文件名后缀（.{_suffix(name)}）表明是可执行程序或脚本，不予接收")
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return Sniffed("application/zip", "document", zip=True)
    if head[4:12] in (b"ftypM4A ", b"ftypM4B "):  # filetype takes an M4A for an MP4 video
        return Sniffed("audio/mp4", "audio")
    kind = filetype.guess(head)
    if kind is not None:
        if kind.mime in TYPES:
            return Sniffed(kind.mime, TYPES[kind.mime][0])
        if kind.mime in ("application/x-executable", "application/x-msdownload", "application/wasm"):
            raise _refuse_executable(shown, "可执行程序")
        raise FileRefused("file_type_not_allowed",
                          f"“{shown}”的类型（{kind.mime}）不予接收：证据文件只接收{ALLOWED_TEXT}。压缩包请解压后逐个上传")
    if _is_text(head, complete):
        return Sniffed(TEXT, "document")
    raise FileRefused("file_type_not_allowed", f"无法识别“{shown}”的类型，不予接收：证据文件只接收{ALLOWED_TEXT}"
                                               "（按文件内容判断类型，与文件名无关）")


def _is_text(head: bytes, complete: bool) -> bool:
    """UTF-8 text without NUL bytes (a cut-off character at the end of a partial head is allowed)."""
    if b"\x00" in head:
        return False
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=complete)
    except UnicodeDecodeError:
        return False
    return True


def inspect_zip(fileobj: BinaryIO, name: str) -> str:
    """The media type of a ZIP-based document (docx, xlsx, pptx, OFD), read from its central directory without
    extracting anything. Refuses a suspected zip bomb (declared size, compression ratio, member count, archives
    inside), a macro-enabled document and a plain ZIP archive."""
    max_total, max_ratio, max_members = _zip_limits()
    try:
        fileobj.seek(0)
        with zipfile.ZipFile(fileobj) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError):
        raise FileRefused("file_damaged", f"“{name}”不是完整的 Office/OFD 文档（压缩结构已损坏），不予接收") from None
    finally:
        fileobj.seek(0)

    def bomb(why: str) -> FileRefused:
        return FileRefused("file_zip_bomb", f"“{name}”疑似压缩炸弹，不予接收：{why}")

    if len(infos) > max_members:
        raise bomb(f"内含 {len(infos)} 个文件，超过上限 {max_members} 个")
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    if total > max_total:
        raise bomb(f"解压后共 {human_size(total)}，超过上限 {max_total // MB} MB")
    if total > MB and total > max_ratio * max(packed, 1):
        raise bomb(f"压缩比 {total / max(packed, 1):.0f} 倍，超过上限 {max_ratio:.0f} 倍")
    names = set()
    for i in infos:
        if i.file_size > MB and i.file_size > max_ratio * max(i.compress_size, 1):
            raise bomb(f"其中“{i.filename}”压缩比 {i.file_size / max(i.compress_size, 1):.0f} 倍，"
                       f"超过上限 {max_ratio:.0f} 倍")
        suffix = _suffix(i.filename)
        if suffix in _ARCHIVE_NAMES:
            raise bomb(f"内含压缩包“{i.filename}”")
        if suffix in _EXECUTABLE_NAMES:
            raise FileRefused("file_executable", f"“{name}”内含可执行程序“{i.filename}”，不予接收")
        names.add(i.filename)
    if "[Content_Types].xml" in names:
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            raise FileRefused("file_macro",
                              f"“{name}”是含宏的文档，不予接收：请另存为不含宏的 .docx、.xlsx 或 PDF 后上传")
        for marker, media_type in (("word/document.xml", DOCX), ("xl/workbook.xml", XLSX),
                                   ("ppt/presentation.xml", PPTX)):
            if marker in names:
                return media_type
    if "OFD.xml" in names:
        return OFD
    raise FileRefused("file_type_not_allowed", f"“{name}”是压缩包，不予接收：请解压后逐个上传（每个文件单独计算摘要）")


def _cap_for(category: str) -> int:
    return caps()[category]


def _too_large(name: str, size: int, category: str | None) -> FileRefused:
    if category is None:
        cap = largest_cap()
        return FileRefused("file_too_large", f"“{name}”超过上传文件大小上限 {cap // MB} MB")
    cap = _cap_for(category)
    return FileRefused("file_too_large",
                       f"“{name}”大小 {human_size(size)}，超过{CATEGORY_LABELS[category]}文件的上限 {cap // MB} MB"
                       f"（ZHIFA_UPLOAD_MAX_MB_{category.upper()}）")


# --- the upload handler -----------------------------------------------------------------------------------------

class EvidenceUploadHandler(TemporaryFileUploadHandler):
    """Streams an upload to a temporary file (``FILE_UPLOAD_TEMP_DIR``) and hashes it on the way, so
    :func:`store_upload` need not read it again. Stops taking a file as soon as its first bytes show a refused type
    (an executable …) or it grows past its category's cap (the largest cap while the type is unknown): the rest of
    the request is read and dropped, never written to disk. The reason is kept in :attr:`refused` for the view.

    Install it for one view, before the request's body is read (CSRF protection reads it, hence ``csrf_exempt``
    outside and ``csrf_protect`` inside): ``request.upload_handlers = [EvidenceUploadHandler(request)]``.
    """

    def __init__(self, request=None) -> None:
        super().__init__(request)
        self.refused: FileRefused | None = None
        self.request_length = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.request_length = content_length or 0

    def new_file(self, field_name, file_name, *args, **kwargs) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        self.alg = algorithm()
        self.hasher = hashlib.new(self.alg)
        self.size = 0
        self.head = b""
        self.category: str | None = None
        self.cap = largest_cap()

    def _refuse(self, refusal: FileRefused) -> None:
        self.refused = refusal
        raise SkipFile(refusal.message)

    def _classify(self, complete: bool) -> None:
        try:
            sniffed = sniff(self.head, self.file_name, complete=complete)
        except FileRefused as exc:
            if complete:
                raise
            self._refuse(exc)
        self.category = sniffed.category
        self.cap = _cap_for(sniffed.category)
        if not complete and self.request_length > self.cap + MB:  # the request's length says the file is too large
            self._refuse(_too_large(self.file_name, self.request_length, self.category))

    def receive_data_chunk(self, raw_data: bytes, start: int):
        self.size += len(raw_data)
        if self.category is None and len(self.head) < HEAD:
            self.head += raw_data[:HEAD - len(self.head)]
            if len(self.head) >= HEAD:
                self._classify(complete=False)
        if self.size > self.cap:
            self._refuse(_too_large(self.file_name, self.size, self.category))
        self.hasher.update(raw_data)
        super().receive_data_chunk(raw_data, start)
        return None

    def file_complete(self, file_size: int):
        if self.category is None:
            try:
                self._classify(complete=True)
            except FileRefused as exc:
                self.refused = exc
                self.file.close()  # the temporary file goes with it
                return None
        f = super().file_complete(file_size)
        f.evidence_digest = {"algorithm": self.alg, "digest": self.hasher.hexdigest(), "size": self.size}
        return f


# --- storing -----------------------------------------------------------------------------------------------------

def _hash_chunks(chunks: Iterable[bytes], alg: str) -> tuple[str, int]:
    h = hashlib.new(alg)
    size = 0
    for chunk in chunks:
        h.update(chunk)
        size += len(chunk)
    return h.hexdigest(), size


def _read_head(uploaded) -> bytes:
    f = uploaded.file if hasattr(uploaded, "file") else uploaded
    f.seek(0)
    head = f.read(HEAD)
    f.seek(0)
    return head


def may_upload(case: Case, user, *, active_handlers: Iterable[int] | None = None) -> bool:
    """Who may add files to the case: whoever may register records on it (``record_material``): the case's active
    handlers, the heads, the 法制股 and the clerks of the case's agency (``active_handlers``: the user ids of the
    case's active handlers, when the caller has read them)."""
    from .facts import roles_of
    from .services import _active_handler

    if not getattr(user, "pk", None) or not user.is_active or user.agency_id != case.agency_id:
        return False
    if roles_of(user) & {proc.HEAD, proc.REVIEWER, proc.CLERK}:
        return True
    if active_handlers is not None:
        return user.pk in set(active_handlers)
    return _active_handler(case, user) is not None


def accepts_files(case: Case) -> bool:
    """May files still be added to the case (it is not closed, withdrawn, not filed or archived: proc.FINISHED)?"""
    return proc.State(case.state) not in proc.FINISHED


def check_case(case: Case, actor) -> None:
    """May ``actor`` add files to ``case`` now? Raises :class:`FileRefused` (closed case; not the case team)."""
    state = proc.State(case.state)
    if state in proc.FINISHED:
        raise FileRefused("case_closed", f"案件已{proc.STATE_LABELS[state]}：结案后案件内容和证据不得更改，"
                          "不能再上传文件", "file", proc.ENDED_RULE)
    if not may_upload(case, actor):
        raise FileRefused("role_not_allowed", "只有本案承办人员、负责人或者法制审核、内勤人员可以上传本案文件", None)


def _text(value: Any, field: str, label: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise FileRefused("payload_invalid", f"{label}应为文字", field)
    value = value.strip()
    if len(value) > limit:
        raise FileRefused("payload_invalid", f"{label}不超过 {limit} 个字", field)
    if any(ord(c) < 32 and c not in "\n\r\t" for c in value):
        raise FileRefused("payload_invalid", f"{label}含有控制字符", field)
    return value


def _moment(value: Any, field: str, label: str) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise FileRefused("payload_invalid", f"{label}应为日期时间，例如 2026-03-05T14:30", field) from None
    if not isinstance(value, datetime):
        raise FileRefused("payload_invalid", f"{label}应为日期时间，例如 2026-03-05T14:30", field)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > timezone.now() + timedelta(minutes=10):
        raise FileRefused("payload_invalid", f"{label}不能晚于现在", field)
    if value.year < 2000:
        raise FileRefused("payload_invalid", f"{label}应在 2000 年以后", field)
    return value


def _clean_name(name: str) -> str:
    name = "".join(c for c in (name or "").replace("\\", "/").rsplit("/", 1)[-1] if c.isprintable()).strip()
    if len(name) > 255:
        stem, _, suffix = name.rpartition(".")
        name = f"{stem[:250 - len(suffix)]}.{suffix}" if stem and len(suffix) < 16 else name[:255]
    return name or "未命名文件"


def store_upload(case: Case, actor, uploaded, *, captured_at=None, captured_until=None, place: str = "",
                 device: str = "", note: str = "", uploaded_at: datetime | None = None) -> EvidenceFile:
    """Check ``uploaded`` (a Django ``UploadedFile``), store it by its digest and register it on ``case``, with the
    event ``cases.file_uploaded`` in the same transaction. Raises :class:`FileRefused` naming the field and the
    rule (type, size, zip bomb, duplicate, closed case, who may upload, the times and texts). ``uploaded_at`` is
    the time of the upload (default: now; loaders of past cases pass it, as ``today`` to the case service — the
    event is written now in any case)."""
    check_case(case, actor)
    name = _clean_name(getattr(uploaded, "name", ""))
    captured_at = _moment(captured_at, "captured_at", "形成时间")
    captured_until = _moment(captured_until, "captured_until", "结束时间")
    if captured_at and captured_until and captured_until < captured_at:
        raise FileRefused("payload_invalid", "结束时间早于形成（开始录制）时间", "captured_until")
    place = _text(place, "place", "地点", 200)
    device = _text(device, "device", "设备编号", 80)
    note = _text(note, "note", "说明", 5000)

    alg = algorithm()
    head = _read_head(uploaded)
    size = getattr(uploaded, "size", None)
    sniffed = sniff(head, name, complete=size is not None and size <= len(head))
    pre = getattr(uploaded, "evidence_digest", None)
    if pre and pre.get("algorithm") == alg and pre.get("size") == size:
        digest = pre["digest"]
    else:
        digest, size = _hash_chunks(uploaded.chunks(CHUNK), alg)
    if size > _cap_for(sniffed.category):
        raise _too_large(name, size, sniffed.category)
    media_type = sniffed.media_type
    if sniffed.zip:
        media_type = inspect_zip(uploaded.file if hasattr(uploaded, "file") else uploaded, name)

    existing = EvidenceFile.objects.filter(case=case, digest=digest).first()
    if existing is not None:
        raise _duplicate(existing)
    stored = put(uploaded, alg, digest)
    try:
        with transaction.atomic():
            locked = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
            check_case(locked, actor)
            existing = EvidenceFile.objects.filter(case=case, digest=digest).first()
            if existing is not None:
                raise _duplicate(existing)
            f = EvidenceFile.objects.create(
                case=case, digest=digest, algorithm=alg, size=size, media_type=media_type, original_name=name,
                storage_name=stored, uploaded_by=actor, uploaded_at=uploaded_at or timezone.now(),
                captured_at=captured_at,
                captured_until=captured_until, place=place, device=device, note=note)
            record("cases.file_uploaded", actor=actor, agency=case.agency, case_id=case.pk, subject=f"file:{digest}",
                   payload={"name": name, "size": size, "type": media_type, "algorithm": alg, "device": device,
                            "place": place, "captured_at": captured_at, "captured_until": captured_until,
                            "note": note, "storage": stored})
            return f
    except IntegrityError:
        existing = EvidenceFile.objects.filter(case=case, digest=digest).first()
        if existing is None:
            raise
        raise _duplicate(existing) from None


def _duplicate(existing: EvidenceFile) -> FileRefused:
    when = timezone.localtime(existing.uploaded_at).strftime("%Y-%m-%d %H:%M")
    return FileRefused("file_duplicate", f"本案已有内容相同的文件“{existing.original_name}”"
                                         f"（{when} 上传，摘要 {existing.digest[:16]}…），不重复上传")


def put(uploaded, alg: str, digest: str) -> str:
    """Store the bytes under their digest (once: the same bytes of another case are the same object)."""
    st = storage()
    name = storage_name(alg, digest)
    if st.exists(name):
        return name
    if hasattr(uploaded, "seek"):
        uploaded.seek(0)
    saved = st.save(name, uploaded)
    if saved != name:  # written at the same moment by another request: keep the one under the digest
        st.delete(saved)
    return name


# --- the way out ----------------------------------------------------------------------------------------------------

def _mismatch_message(f: EvidenceFile, actual: str | None) -> str:
    if actual is None:
        return (f"文件“{f.original_name}”（摘要 {f.digest}）的存储内容缺失或无法读取，不能作为证据提供；"
                "已记入全过程记录，请联系审计管理员")
    return (f"文件“{f.original_name}”（摘要 {f.digest}）的存储内容与上传时的摘要不符（现为 {actual}），"
            "可能已被篡改或损坏，不能作为证据提供；已记入全过程记录，请联系审计管理员")


def _stored_digest(st: Storage, f: EvidenceFile) -> str | None:
    """The digest of the stored bytes of ``f`` (``None``: missing)."""
    try:
        fh = st.open(f.storage_name, "rb")
    except (FileNotFoundError, OSError):
        return None
    try:
        with fh:
            return _hash_chunks(iter(lambda: fh.read(CHUNK), b""), f.algorithm)[0]
    except Exception:
        return None  # is a file that cannot be provided, as a missing one: named, never a traceback



def open_checked(f: EvidenceFile):
    """The stored bytes of ``f`` as an open binary file at its start, after hashing them in full: raises
    :class:`FileDigestMismatch` when they are missing or changed. Nothing is read out before the check, so a
    download or an export never hands out a changed file. The caller closes the file (``FileResponse`` does)."""
    st = storage()
    try:
        fh = st.open(f.storage_name, "rb")
    except (FileNotFoundError, OSError):
        raise FileDigestMismatch(f, _mismatch_message(f, None)) from None
    try:
        actual, _ = _hash_chunks(iter(lambda: fh.read(CHUNK), b""), f.algorithm)
        if actual != f.digest:
            raise FileDigestMismatch(f, _mismatch_message(f, actual), actual)
        fh.seek(0)
    except BaseException:
        fh.close()
        raise
    return fh


def checked_download(f: EvidenceFile, actor, *, via: str = "screen") -> FileResponse:
    """The response that sends ``f`` after its stored bytes are hashed again, the download recorded in its chain of
    custody. A changed or missing file is recorded and :class:`FileDigestMismatch` raised, nothing sent."""
    try:
        fh = open_checked(f)
    except FileDigestMismatch as exc:
        record_mismatch(exc, actor, via=via)
        raise
    try:
        record_download(f, actor, via=via)
    except BaseException:
        fh.close()
        raise
    response = FileResponse(fh, as_attachment=True, filename=f.original_name, content_type=f.media_type)
    response["Cache-Control"] = "no-store"
    return response


def record_download(f: EvidenceFile, actor, *, via: str = "screen") -> Event:
    """The event of one look at the evidence (``cases.file_downloaded``): its chain of custody."""
    return record("cases.file_downloaded", actor=actor, agency=f.case.agency, case_id=f.case_id,
                  subject=f"file:{f.digest}", payload={"name": f.original_name, "size": f.size, "via": via})


def record_mismatch(exc: FileDigestMismatch, actor, *, via: str = "screen") -> Event:
    f = exc.file
    return record("cases.file_digest_mismatch", actor=actor, agency=f.case.agency, case_id=f.case_id,
                  subject=f"file:{f.digest}", payload={"name": f.original_name, "expected": f.digest,
                                                       "actual": exc.actual, "missing": exc.actual is None,
                                                       "via": via})


def verify_files(case_id: int | None = None) -> tuple[int, list[tuple[EvidenceFile, str]]]:
    """Re-hash the stored bytes of every file (of one case): (files checked, [(file, message)] of those missing or
    changed). A stored object shared by several cases is read once."""
    st = storage()
    files = EvidenceFile.objects.select_related("case").order_by("id")
    if case_id is not None:
        files = files.filter(case_id=case_id)
    seen: dict[tuple[str, str], str | None] = {}
    checked, broken = 0, []
    for f in files.iterator():
        key = (f.storage_name, f.algorithm)
        if key not in seen:
            seen[key] = _stored_digest(st, f)
        checked += 1
        actual = seen[key]
        if actual != f.digest:
            where = f"案件 {f.case.reference or f.case_id}："
            broken.append((f, where + _mismatch_message(f, actual)))
    return checked, broken


def custody(f: EvidenceFile) -> QuerySet[Event]:
    """The file's chain of custody: the events about it in its case (upload, attachment, downloads, exports,
    mismatches), oldest first."""
    return Event.objects.filter(subject=f"file:{f.digest}", case_id=f.case_id).order_by("id")


def custody_of_case(case_id: int, digests: Iterable[str]) -> dict[str, list[Event]]:
    """The chains of custody of several files of a case, read at once: ``{digest: [events oldest first]}``."""
    subjects = [f"file:{d}" for d in digests]
    out: dict[str, list[Event]] = {d: [] for d in digests}
    if not subjects:
        return out
    for ev in Event.objects.filter(case_id=case_id, subject__in=subjects).order_by("id"):
        out.setdefault(ev.subject[5:], []).append(ev)
    return out


# --- files named by records (the case service) -----------------------------------------------------------------

AV_RULE = proc.AV_RULES["av_record"]
AV_OR_REASON_RULE = proc.AV_RULES["av_record_or_reason"]


def record_satisfied(code: str, description: str, file_hash: str) -> bool:
    """Does a registered record count for the procedure table (``procedure.records_present``)? A 全程音像记录 only
    with its file (checked against the upload when registered: :func:`check_entries`), an 音像记录（或未能录制的
    书面理由） with its file or its reason; any other record as it is."""
    if code == "av_record":
        return bool(FULL_DIGEST.fullmatch(file_hash or ""))
    if code == "av_record_or_reason":
        return bool((description or "").strip()) or bool(FULL_DIGEST.fullmatch(file_hash or ""))
    return True


def check_entries(case: Case, values: Mapping[str, Any]) -> list[RuleViolation]:
    """The record and evidence entries of a step's request (``records``, ``evidence``) against the case's files:
    a full digest must be a file uploaded to this case; the 音像记录 obligations of law.md §2.2."""
    entries = [(f"{name}[{i}]", e) for name in ("records", "evidence") for i, e in enumerate(values.get(name) or [])]
    digests = {e.get("file_hash") for _, e in entries if FULL_DIGEST.fullmatch(e.get("file_hash") or "")}
    files = {f.digest: f for f in EvidenceFile.objects.filter(case=case, digest__in=digests)} if digests else {}
    out: list[RuleViolation] = []
    for where, e in entries:
        code, file_hash = e.get("code"), e.get("file_hash") or ""
        named = files.get(file_hash)
        if FULL_DIGEST.fullmatch(file_hash) and named is None:
            out.append(RuleViolation("file_not_on_case", f"文件哈希 {file_hash[:16]}… 不是本案已上传的文件；"
                                                         "请先在案件页面上传文件，再登记记录", f"{where}.file_hash",
                                     [UPLOAD_RULES]))
            continue
        label = proc.RECORD_LABELS.get(code, "")
        if code == "av_record":
            if named is None:
                out.append(RuleViolation("av_file_missing", f"{label}：{AV_RULE}", f"{where}.file_hash",
                                         [proc.GBF_118_AV]))
            elif not is_audio_video(named):
                out.append(RuleViolation("av_file_not_av", f"{label}：“{named.original_name}”是"
                                                           f"{type_label(named.media_type)}，不是音频或视频文件；"
                                                           f"{AV_RULE}", f"{where}.file_hash", [proc.GBF_118_AV]))
            elif not named.device.strip():
                out.append(RuleViolation("av_device_missing", f"{label}：音像记录文件“{named.original_name}”未填写"
                                                              f"设备编号（执法记录仪编号）；{AV_RULE}",
                                         f"{where}.file_hash", [proc.GBF_118_AV]))
        elif code == "av_record_or_reason":
            has_reason = bool((e.get("description") or "").strip())
            if named is None and not has_reason:
                out.append(RuleViolation("av_record_or_reason_missing", f"{label}：{AV_OR_REASON_RULE}",
                                         f"{where}.description", [proc.GBF_118_AV]))
            elif named is not None and not is_audio_video(named) and not has_reason:
                out.append(RuleViolation("av_file_not_av", f"{label}：“{named.original_name}”是"
                                                           f"{type_label(named.media_type)}，不是音频或视频文件；"
                                                           f"{AV_OR_REASON_RULE}", f"{where}.file_hash",
                                         [proc.GBF_118_AV]))
    return out


def attach(case: Case, records: Iterable[CaseRecord], *, actor, step) -> None:
    """Each record of a step that names a file of the case (by its full digest) takes the file (a file keeps the
    first record it was attached to), with the event ``cases.file_attached``."""
    records = [r for r in records if FULL_DIGEST.fullmatch(r.file_hash or "")]
    if not records or (step.from_state and proc.State(step.from_state) in proc.FINISHED):  # an ended case's stay
        return
    files = {f.digest: f for f in EvidenceFile.objects.filter(case=case, digest__in={r.file_hash for r in records})}
    taken = []
    for r in records:
        f = files.get(r.file_hash)
        if f is None:
            continue
        if f.record_id is None:
            f.record = r
            taken.append(f)
        record("cases.file_attached", actor=actor, agency=case.agency, case_id=case.pk, subject=f"file:{f.digest}",
               payload={"name": f.original_name, "record": r.pk, "code": r.code, "kind": r.evidence_kind or None,
                        "action": step.action, "version": step.version})
    EvidenceFile.objects.bulk_update(taken, ["record"])


__all__ = [
    "EvidenceUploadHandler",
    "FileDigestMismatch",
    "FileRefused",
    "accepts_files",
    "attach",
    "category_of",
    "check_case",
    "check_entries",
    "checked_download",
    "custody",
    "custody_of_case",
    "human_size",
    "inspect_zip",
    "may_upload",
    "open_checked",
    "record_download",
    "record_mismatch",
    "record_satisfied",
    "sniff",
    "storage",
    "store_upload",
    "type_label",
    "verify_files",
]
