#!/usr/bin/env python3
"""核验电子卷宗 — check an electronic case file (电子卷宗) offline, with nothing but the package and a public key.

    python dossier_check.py 卷宗.zip --key public.pem
    python dossier_check.py --fingerprint public.pem

This file stands alone: the Python standard library and ``cryptography`` (``pip install cryptography``), no
Django, no database, no network. A party, a court or an archive copies this one file and runs it; inside the
platform it is ``zhifa dossier verify`` (docs/case-file.md).

It reports the four properties of DA/T 70-2018 (电子档案“四性”检测) as one pass/fail line each, every failure
naming the file it is about:

- 真实性 (authenticity): ``manifest.sig`` is a valid Ed25519 signature of the exact bytes of ``manifest.json`` under
  the key the holder gives (never the key inside the package), and every event of ``events.jsonl`` re-computes to
  its recorded hash, each linked to the event before it where the two are consecutive in the bureau's chain;
- 完整性 (integrity): every file the manifest lists is present with its size, SHA-256 and SM3 digests; no file is
  in the package that the manifest does not list; the items of the 卷内目录 are numbered without gaps; the events
  are the case's, in increasing sequence, as many as the manifest says, the last with the recorded hash;
- 可用性 (usability): every file reads (no corrupt compression), the HTML, JSON and text files parse, evidence
  files start with the magic bytes of their recorded type where the type is one this checker knows, the manifest's
  format version is supported, no encryption, only stored or deflated entries;
- 安全性 (security): no absolute path, no ``..``, no symlink, no executable (by mode or by content), the signature
  algorithm is Ed25519; the key's fingerprint (SHA-256 of its DER SubjectPublicKeyInfo, the same as
  ``openssl pkey -pubin -in public.pem -outform DER | sha256sum``) is printed for comparison with the published one.

Exit status: 0 when all four pass, 1 when any fails, 2 when the package or key cannot be read at all.

The event hash (``hashed_text``, ``chain_hash``) is the platform's own (``zhifa.records.services``), written out
again here so that this file needs nothing else; the platform's tests compare the two.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import re
import stat
import sys
import zipfile
import zlib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from json.encoder import encode_basestring as _string
from pathlib import Path
from typing import IO, Any

FORMAT = "zhifa-dossier"
FORMAT_VERSIONS = frozenset({1})
MANIFEST, SIGNATURE, PUBLIC_KEY = "manifest.json", "manifest.sig", "public-key.pem"
SIGNATURE_ALGORITHM = "Ed25519"
EVENT_ALGORITHMS = frozenset({"sm3", "sha256"})
GENESIS = "0" * 64

AUTHENTICITY, INTEGRITY, USABILITY, SECURITY = "真实性", "完整性", "可用性", "安全性"
PROPERTIES = (AUTHENTICITY, INTEGRITY, USABILITY, SECURITY)
PROPERTY_NAMES = {AUTHENTICITY: "authenticity", INTEGRITY: "integrity", USABILITY: "usability",
                  SECURITY: "security"}

_CHUNK = 1 << 20
_TEXT_LIMIT = 64 << 20  # a manifest or an HTML page larger than this is not one this platform wrote
_EVENT_FIELDS = ("action", "actor", "actor_name", "agency", "algorithm", "case", "hash", "id", "occurred_at",
                 "payload", "prev_hash", "role", "subject")
_HEX64 = re.compile(r"[0-9a-f]{64}")


# --- the event hash, as zhifa.records.services writes it ------------------------------------------------------

def _number(value: int | None) -> str:
    return "null" if value is None else int.__repr__(value)


def hashed_text(pk: int, occurred_at: str, actor: int | None, actor_name: str, role: str, agency: int | None,
                case: int | None, action: str, subject: str, payload: str) -> str:
    """What an event's hash covers: the canonical JSON of its fields (sorted keys, no spaces, characters as they
    are), ``occurred_at`` the UTC time as recorded, ``payload`` the stored canonical JSON text."""
    s = _string
    return (f'{{"action":{s(action)},"actor":{_number(actor)},"actor_name":{s(actor_name)},'
            f'"agency":{_number(agency)},"case":{_number(case)},"id":{int.__repr__(pk)},'
            f'"occurred_at":{s(occurred_at)},"payload":{s(payload)},"role":{s(role)},"subject":{s(subject)}}}')


def new_hash(name: str):
    """A hash object for ``name`` (sha256, sm3): hashlib's, or cryptography's SM3 where this Python's OpenSSL has
    none."""
    try:
        return hashlib.new(name)
    except ValueError:
        if name != "sm3":
            raise
    from cryptography.hazmat.primitives import hashes

    class _SM3:
        def __init__(self) -> None:
            self._h = hashes.Hash(hashes.SM3())

        def update(self, data: bytes) -> None:
            self._h.update(data)

        def hexdigest(self) -> str:
            return self._h.finalize().hex()

    return _SM3()


def chain_hash(alg: str, prev_hash: str, text: str) -> str:
    """An event's hash: ``alg`` over the previous event's hash and the event's ``hashed_text``."""
    h = new_hash(alg)
    h.update(prev_hash.encode())
    h.update(text.encode())
    return h.hexdigest()


def event_hash(event: dict) -> str:
    """The hash an event line of ``events.jsonl`` should carry."""
    return chain_hash(event["algorithm"], event["prev_hash"], hashed_text(
        event["id"], event["occurred_at"], event["actor"], event["actor_name"], event["role"], event["agency"],
        event["case"], event["action"], event["subject"], event["payload"]))


# --- keys -----------------------------------------------------------------------------------------------------

def public_key_der(pem: bytes) -> bytes:
    """The DER SubjectPublicKeyInfo of an Ed25519 public key in PEM; ValueError if it is not one."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"公钥不是 Ed25519 公钥（而是 {type(key).__name__}）")
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def fingerprint(pem: bytes) -> str:
    """SHA-256 of the key's DER SubjectPublicKeyInfo, in hex: what the bureau publishes."""
    return hashlib.sha256(public_key_der(pem)).hexdigest()


def grouped(fp: str) -> str:
    return " ".join(fp[i:i + 8] for i in range(0, len(fp), 8))


def _verify_signature(pem: bytes, signature: bytes, data: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_public_key(pem)
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return False
    return True


def decode_signature(raw: bytes) -> bytes:
    """``manifest.sig``: the 64-byte Ed25519 signature in base64 on one line."""
    import base64
    import binascii

    text = raw.decode("ascii").strip()
    try:
        sig = base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise ValueError(f"不是有效的 base64：{exc}") from None
    if len(sig) != 64:
        raise ValueError(f"长度为 {len(sig)} 字节，Ed25519 签名应为 64 字节")
    return sig


# --- what a file's bytes should look like --------------------------------------------------------------------

def _riff(kind: bytes):
    return lambda head: head[:4] == b"RIFF" and head[8:12] == kind


def _mp3(head: bytes) -> bool:
    return head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)


_ZIP = (b"PK\x03\x04",)
MAGIC: dict[str, Any] = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/bmp": (b"BM",),
    "image/tiff": (b"II*\x00", b"MM\x00*"),
    "image/webp": _riff(b"WEBP"),
    "application/pdf": (b"%PDF-",),
    "application/zip": _ZIP,
    "application/ofd": _ZIP,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _ZIP,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _ZIP,
    "application/msword": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    "application/vnd.ms-excel": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    "audio/wav": _riff(b"WAVE"), "audio/x-wav": _riff(b"WAVE"), "audio/wave": _riff(b"WAVE"),
    "video/x-msvideo": _riff(b"AVI "), "video/avi": _riff(b"AVI "),
    "audio/mpeg": _mp3,
    "video/mp4": lambda h: h[4:8] == b"ftyp", "audio/mp4": lambda h: h[4:8] == b"ftyp",
    "video/quicktime": lambda h: h[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free"),
    "video/3gpp": lambda h: h[4:8] == b"ftyp",
    "audio/amr": (b"#!AMR",),
}
# The first bytes of a program: ELF, Windows PE (MZ), Mach-O, a script with an interpreter line.
EXECUTABLE = ((b"\x7fELF", "ELF 可执行文件"), (b"MZ", "Windows 可执行文件"), (b"\xfe\xed\xfa\xce", "Mach-O"),
              (b"\xfe\xed\xfa\xcf", "Mach-O"), (b"\xce\xfa\xed\xfe", "Mach-O"), (b"\xcf\xfa\xed\xfe", "Mach-O"),
              (b"#!", "脚本"))


def magic_matches(media_type: str, head: bytes) -> bool | None:
    """Whether ``head`` (a file's first bytes) fits ``media_type``; None when this checker does not know the type."""
    rule = MAGIC.get(media_type.split(";")[0].strip().lower())
    if rule is None:
        return None
    if callable(rule):
        return bool(rule(head))
    return any(head.startswith(m) for m in rule)


def executable_kind(head: bytes, media_type: str = "") -> str | None:
    # an AMR recording starts with "#!AMR": its own magic, not an interpreter line
    if head.startswith(b"#!AMR") and media_type.startswith("audio/"):
        return None
    return next((name for magic, name in EXECUTABLE if head.startswith(magic)), None)


class _Html(HTMLParser):
    """Tags opened and closed in order (void elements aside), a doctype first: the page opens as written."""

    VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
                      "wbr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.doctype = False
        self.seen_html = False

    def handle_decl(self, decl: str) -> None:
        self.doctype = self.doctype or decl.lower() == "doctype html"

    def handle_starttag(self, tag: str, attrs) -> None:
        self.seen_html = self.seen_html or tag == "html"
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"结束标签 </{tag}> 与开始标签不匹配")
            if tag in self.stack:
                del self.stack[self.stack.index(tag):]
            return
        self.stack.pop()

    def result(self) -> str | None:
        if not self.doctype or not self.seen_html:
            return "不是完整的 HTML 页面（缺少 <!DOCTYPE html> 或 <html>）"
        if self.problems:
            return self.problems[0]
        if self.stack:
            return f"标签 <{self.stack[-1]}> 没有结束"
        return None


# --- the report ------------------------------------------------------------------------------------------------

@dataclass
class Report:
    package: str
    key_fingerprint: str = ""
    included_key: str = ""  # a sentence: whether public-key.pem in the package is the key given
    case: str = ""
    failures: dict[str, list[str]] = field(default_factory=lambda: {p: [] for p in PROPERTIES})
    passes: dict[str, list[str]] = field(default_factory=lambda: {p: [] for p in PROPERTIES})

    def fail(self, prop: str, path: str, message: str) -> None:
        line = f"{path}：{message}"
        if line not in self.failures[prop]:
            self.failures[prop].append(line)

    def ok(self, prop: str | None = None) -> bool:
        return not any(self.failures[p] for p in ([prop] if prop else PROPERTIES))

    def failed_files(self) -> set[str]:
        return {line.split("：", 1)[0] for lines in self.failures.values() for line in lines}

    def lines(self) -> list[str]:
        out = [f"电子卷宗核验：{self.package}"]
        if self.case:
            out.append(f"案件：{self.case}")
        if self.key_fingerprint:
            out.append(f"核验所用公钥指纹（SHA-256）：{grouped(self.key_fingerprint)}")
        if self.included_key:
            out.append(self.included_key)
        for p in PROPERTIES:
            if self.failures[p]:
                out.append(f"{p}（{PROPERTY_NAMES[p]}）：未通过")
                out += [f"  - {line}" for line in self.failures[p]]
            else:
                detail = "；".join(self.passes[p])
                out.append(f"{p}（{PROPERTY_NAMES[p]}）：通过" + (f" — {detail}" if detail else ""))
        out.append("结论：四性检测全部通过。" if self.ok() else "结论：未通过。请勿把本卷宗当作本局出具的原件使用，"
                   "并与出具机关联系。")
        return out


# --- checking a package ------------------------------------------------------------------------------------------

def _safe_name(name: str) -> str | None:
    """Why ``name`` is not a safe relative path inside the package, or None."""
    if not name or name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return "绝对路径"
    if "\\" in name:
        return "路径中含有反斜杠"
    parts = name.split("/")
    if any(p == ".." for p in parts):
        return "路径中含有“..”"
    if any(p in ("", ".") for p in parts):
        return "路径不规范"
    if any(ord(c) < 32 for c in name):
        return "路径中含有控制字符"
    return None


def _unix_mode(info: zipfile.ZipInfo) -> int:
    return (info.external_attr >> 16) & 0xFFFF if info.create_system == 3 else 0


@dataclass
class _Read:
    size: int = 0
    sha256: str = ""
    sm3: str = ""
    head: bytes = b""
    text: bytes | None = None  # the whole content, for small structured files
    error: str = ""


def _read(zf: zipfile.ZipFile, info: zipfile.ZipInfo, *, keep: bool, limit: int | None) -> _Read:
    """Read member ``info`` once in chunks: its size, digests, first bytes and (``keep``) its content. Reading stops
    early past ``limit`` bytes (a member larger than its manifest says)."""
    out = _Read()
    sha, sm3 = hashlib.sha256(), new_hash("sm3")
    kept = bytearray() if keep else None
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(_CHUNK):
                if len(out.head) < 64:
                    out.head += chunk[:64 - len(out.head)]
                out.size += len(chunk)
                sha.update(chunk)
                sm3.update(chunk)
                if kept is not None and len(kept) <= _TEXT_LIMIT:
                    kept += chunk
                if limit is not None and out.size > limit:
                    break
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
        out.error = f"无法读取（{exc}）"
        return out
    out.sha256, out.sm3 = sha.hexdigest(), sm3.hexdigest()
    if kept is not None:
        out.text = bytes(kept)
    return out


def check(package: str | Path | IO[bytes], key_pem: bytes, *, name: str | None = None) -> Report:
    """Check ``package`` (a path or a binary file) against the Ed25519 public key ``key_pem``."""
    report = Report(name or (str(package) if isinstance(package, (str, Path)) else "卷宗"))
    pkg = report.package
    try:
        report.key_fingerprint = fingerprint(key_pem)
        key_ok = True
    except (ValueError, TypeError) as exc:  # not PEM, or not Ed25519
        report.fail(SECURITY, "公钥", f"无法作为 Ed25519 公钥读取（{exc}）")
        report.fail(AUTHENTICITY, "公钥", "没有可用的核验公钥，无法核验签名")
        key_ok = False
    try:
        zf = zipfile.ZipFile(package)
    except (zipfile.BadZipFile, OSError) as exc:
        for p in PROPERTIES:
            report.fail(p, pkg, f"不是可读取的 ZIP 卷宗包（{exc}）")
        return report
    with zf:
        _check_zip(zf, report, key_pem if key_ok else None)
    return report


def _check_zip(zf: zipfile.ZipFile, report: Report, key_pem: bytes | None) -> None:
    infos = zf.infolist()
    by_name: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        name = info.filename
        if name in by_name:
            report.fail(SECURITY, name, "同名文件在包中出现不止一次")
            report.fail(INTEGRITY, name, "同名文件在包中出现不止一次")
        by_name[name] = info
        why = _safe_name(name)
        if why:
            report.fail(SECURITY, name, f"不安全的路径：{why}")
        mode = _unix_mode(info)
        if stat.S_ISLNK(mode):
            report.fail(SECURITY, name, "符号链接")
        elif info.is_dir():
            report.fail(SECURITY, name, "包中不应有目录项")
        elif mode & 0o111:
            report.fail(SECURITY, name, f"带有可执行权限（{stat.filemode(mode)}）")
        if info.flag_bits & 0x1:
            report.fail(SECURITY, name, "已加密")
            report.fail(USABILITY, name, "已加密，无法打开（档案不得使用非公开的加密）")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            report.fail(USABILITY, name, f"使用了非通用的压缩方式（{info.compress_type}）")

    # manifest and signature
    manifest_raw = sig_raw = None
    for member in (MANIFEST, SIGNATURE):
        info = by_name.get(member)
        if info is None:
            report.fail(INTEGRITY, member, "缺少此文件")
            report.fail(AUTHENTICITY, member, "缺少此文件，无法核验签名")
            continue
        got = _read(zf, info, keep=True, limit=_TEXT_LIMIT)
        if got.error:
            report.fail(USABILITY, member, got.error)
            report.fail(AUTHENTICITY, member, f"{got.error}，无法核验签名")
            continue
        if member == MANIFEST:
            manifest_raw = got.text
        else:
            sig_raw = got.text
    signed = False
    if manifest_raw is not None and sig_raw is not None and key_pem is not None:
        try:
            signature = decode_signature(sig_raw)
        except (ValueError, UnicodeDecodeError) as exc:
            report.fail(AUTHENTICITY, SIGNATURE, f"签名格式不正确（{exc}）")
            report.fail(USABILITY, SIGNATURE, f"签名格式不正确（{exc}）")
        else:
            signed = _verify_signature(key_pem, signature, manifest_raw)
            if not signed:
                # which of the two changed cannot be told: both are named
                report.fail(AUTHENTICITY, MANIFEST, "与签名不符：清单被改动过，或者卷宗不是用所给公钥对应的私钥签署的")
                report.fail(AUTHENTICITY, SIGNATURE, "签名无效：与 manifest.json 和所给公钥不符（签名被改动过，"
                                                    "清单被改动过，或者公钥不是出具机关的）")
            else:
                report.passes[AUTHENTICITY].append("manifest.json 的 Ed25519 签名有效")

    manifest = None
    if manifest_raw is not None:
        try:
            manifest = json.loads(manifest_raw.decode("utf-8"))
            if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
                raise ValueError("缺少文件清单（files）")
        except (ValueError, UnicodeDecodeError) as exc:
            report.fail(USABILITY, MANIFEST, f"无法解析（{exc}）")
            report.fail(INTEGRITY, MANIFEST, "无法解析，不能核对包内文件")
            manifest = None
    if manifest is None:
        return
    _check_manifest(zf, by_name, manifest, report, key_pem, signed)


def _check_manifest(zf, by_name, manifest: dict, report: Report, key_pem: bytes | None, signed: bool) -> None:
    if manifest.get("format") != FORMAT or manifest.get("format_version") not in FORMAT_VERSIONS:
        report.fail(USABILITY, MANIFEST, f"格式 {manifest.get('format')!r} 版本 {manifest.get('format_version')!r} "
                                         f"不受本核验程序支持（支持 {FORMAT} 版本 {sorted(FORMAT_VERSIONS)}）")
        return
    for name in ("algorithms", "case", "agency", "retention"):  # a crafted manifest: named, never a traceback
        if not isinstance(manifest.get(name) or {}, dict):
            report.fail(USABILITY, MANIFEST, f"“{name}”应为对象，实为 {type(manifest[name]).__name__}")
            manifest = {**manifest, name: {}}
    algorithms = manifest.get("algorithms") or {}
    if algorithms.get("signature") != SIGNATURE_ALGORITHM:
        report.fail(SECURITY, MANIFEST, f"签名算法为 {algorithms.get('signature')!r}，应为 {SIGNATURE_ALGORITHM}")
    case = manifest.get("case") or {}
    agency = (manifest.get("agency") or {}).get("name", "")
    report.case = " · ".join(str(x) for x in (case.get("reference") or f"案件 {case.get('id')}", case.get("title"),
                                              agency, f"保管期限 {(manifest.get('retention') or {}).get('class', '')}")
                             if x)

    listed: dict[str, dict] = {}
    for entry in manifest["files"]:
        path = entry.get("path") if isinstance(entry, dict) else None
        if not isinstance(path, str) or path in (MANIFEST, SIGNATURE) or path in listed:
            report.fail(INTEGRITY, MANIFEST, f"文件清单中有无效或重复的条目：{path!r}")
            continue
        listed[path] = entry
        why = _safe_name(path)
        if why:
            report.fail(SECURITY, path, f"文件清单中的路径不安全：{why}")

    events_text: bytes | None = None
    included_key: bytes | None = None
    checked = 0
    for path, entry in listed.items():
        info = by_name.get(path)
        if info is None:
            report.fail(INTEGRITY, path, "文件清单中列出，但包中没有此文件")
            continue
        size = entry.get("size")
        structured = path.endswith((".html", ".json", ".jsonl", ".txt", ".pem"))
        got = _read(zf, info, keep=structured, limit=size if isinstance(size, int) else None)
        if got.error:
            report.fail(USABILITY, path, got.error)
            report.fail(INTEGRITY, path, f"{got.error}，无法核对摘要")
            continue
        checked += 1
        if got.size != size:
            report.fail(INTEGRITY, path, f"大小与清单不符（清单 {size} 字节，实际 {got.size} 字节以上）"
                        if isinstance(size, int) and got.size > size else
                        f"大小与清单不符（清单 {size} 字节，实际 {got.size} 字节）")
        elif got.sha256 != entry.get("sha256") or got.sm3 != entry.get("sm3"):
            which = "、".join(n for n, a, b in (("SHA-256", got.sha256, entry.get("sha256")),
                                               ("SM3", got.sm3, entry.get("sm3"))) if a != b)
            report.fail(INTEGRITY, path, f"{which} 摘要与清单不符：文件被改动过")
        upload = entry.get("upload_digest")
        if isinstance(upload, dict) and upload.get("algorithm") in ("sm3", "sha256"):
            actual = got.sm3 if upload["algorithm"] == "sm3" else got.sha256
            if actual != upload.get("value"):
                report.fail(INTEGRITY, path, f"与上传时登记的 {upload['algorithm'].upper()} 摘要不符")
        media_type = str(entry.get("media_type", ""))
        exe = executable_kind(got.head, media_type)
        if exe:
            report.fail(SECURITY, path, f"内容是{exe}")
        _usable(path, entry, got, report)
        if path == "events.jsonl":
            events_text = got.text
        elif path == PUBLIC_KEY:
            included_key = got.text

    extra = sorted(set(by_name) - set(listed) - {MANIFEST, SIGNATURE})
    for path in extra:
        report.fail(INTEGRITY, path, "包中有此文件，但文件清单中没有列出（多出的文件）")
        # look at what it is, without trusting it
        got = _read(zf, by_name[path], keep=False, limit=64)
        exe = executable_kind(got.head)
        if exe:
            report.fail(SECURITY, path, f"内容是{exe}")
    if not extra and checked == len(listed) and report.ok(INTEGRITY):
        report.passes[INTEGRITY].append(f"清单所列 {len(listed)} 个文件齐全，大小和 SHA-256、SM3 摘要相符，"
                                        "无多出的文件")

    _check_items(manifest, listed, report)
    _check_events(events_text, manifest, report)

    if included_key is not None and key_pem is not None:
        try:
            same = public_key_der(included_key) == public_key_der(key_pem)
        except ValueError:
            same = False
        report.included_key = ("卷宗内附的 public-key.pem 与核验所用公钥一致。" if same else
                               "注意：卷宗内附的 public-key.pem 与核验所用公钥不一致（核验以您提供的公钥为准）。")
    declared = manifest.get("key_fingerprint")
    if declared and report.key_fingerprint and declared != report.key_fingerprint and signed:
        report.included_key += "（清单记载的签名公钥指纹与核验所用公钥不同。）"
    if report.ok(USABILITY):
        report.passes[USABILITY].append(f"格式版本 {manifest['format_version']} 受支持，全部文件可读取、可解析")
    if report.ok(SECURITY):
        report.passes[SECURITY].append(f"无绝对路径、“..”、符号链接或可执行文件，签名算法 {SIGNATURE_ALGORITHM}")


def _usable(path: str, entry: dict, got: _Read, report: Report) -> None:
    """Whether a file opens as what it claims to be."""
    if path.endswith((".html", ".json", ".jsonl", ".txt", ".pem")):
        try:
            text = (got.text or b"").decode("utf-8")
        except UnicodeDecodeError as exc:
            report.fail(USABILITY, path, f"不是有效的 UTF-8 文本（{exc.reason}，第 {exc.start} 字节）")
            return
        if path.endswith(".html"):
            parser = _Html()
            try:
                parser.feed(text)
                parser.close()
            except Exception as exc:  # any parser failure is a page that does not open
                report.fail(USABILITY, path, f"HTML 无法解析（{exc}）")
                return
            problem = parser.result()
            if problem:
                report.fail(USABILITY, path, f"HTML 无法正常打开：{problem}")
        elif path.endswith(".json"):
            try:
                json.loads(text)
            except ValueError as exc:
                report.fail(USABILITY, path, f"JSON 无法解析（{exc}）")
        elif path.endswith(".pem") and "-----BEGIN " not in text:
            report.fail(USABILITY, path, "不是 PEM 文件")
        return
    media_type = str(entry.get("media_type", ""))
    if media_type:
        match = magic_matches(media_type, got.head)
        if match is False:
            report.fail(USABILITY, path, f"文件开头的特征字节与登记的类型 {media_type} 不符")


def _check_items(manifest: dict, listed: dict, report: Report) -> None:
    """The 卷内目录: items numbered 1, 2, 3 … with no gap or repeat, each pointing at a listed file."""
    items = manifest.get("items")
    if not isinstance(items, list):
        report.fail(INTEGRITY, MANIFEST, "缺少卷内目录（items）")
        return
    numbers = [i.get("no") for i in items if isinstance(i, dict)]
    if numbers != list(range(1, len(items) + 1)):
        report.fail(INTEGRITY, MANIFEST, f"卷内目录的件号不连续：{numbers}")
    for i in items:
        path = i.get("path") if isinstance(i, dict) else None
        if path not in listed:
            report.fail(INTEGRITY, MANIFEST, f"卷内目录第 {i.get('no') if isinstance(i, dict) else '?'} 件指向的文件 "
                                             f"{path!r} 不在文件清单中")
    count = (manifest.get("case") or {}).get("items")
    if count is not None and count != len(items):
        report.fail(INTEGRITY, MANIFEST, f"卷宗记载 {count} 件，卷内目录列出 {len(items)} 件")


def _check_events(raw: bytes | None, manifest: dict, report: Report) -> None:
    path = "events.jsonl"
    summary = manifest.get("events")
    if raw is None:
        if summary is not None:
            report.fail(INTEGRITY, path, "无法核对全过程记录（文件缺少或无法读取）")
            report.fail(AUTHENTICITY, path, "无法核对全过程记录（文件缺少或无法读取）")
        return
    try:
        lines = raw.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        report.fail(AUTHENTICITY, path, "不是 UTF-8 文本，无法重新计算事件哈希")
        return
    case_id = (manifest.get("case") or {}).get("id")
    events: list[dict] = []
    for n, line in enumerate(lines, 1):
        try:
            ev = json.loads(line)
            if not isinstance(ev, dict) or set(_EVENT_FIELDS) - set(ev):
                raise ValueError(f"缺少字段 {sorted(set(_EVENT_FIELDS) - set(ev)) if isinstance(ev, dict) else ''}")
            if not isinstance(ev["id"], int) or ev["algorithm"] not in EVENT_ALGORITHMS:
                raise ValueError(f"序号或算法 {ev.get('algorithm')!r} 无效")
        except ValueError as exc:
            report.fail(USABILITY, path, f"第 {n} 行无法解析（{exc}）")
            report.fail(AUTHENTICITY, path, f"第 {n} 行无法解析，不能重新计算哈希")
            continue
        events.append(ev)
        where = f"第 {n} 行（第 {ev['id']} 号事件 {ev['action']}）"
        try:
            ok = event_hash(ev) == ev["hash"]
        except (TypeError, AttributeError, ValueError) as exc:
            report.fail(AUTHENTICITY, path, f"{where}的字段类型不正确（{exc}）")
            continue
        if not ok:
            report.fail(AUTHENTICITY, path, f"{where}的哈希与其内容不符：事件被改动过")
            report.fail(INTEGRITY, path, f"{where}的哈希与其内容不符")
        if ev["case"] != case_id:
            report.fail(INTEGRITY, path, f"{where}不属于本案（案件 {ev['case']}，本卷宗为案件 {case_id}）")
    for a, b in itertools.pairwise(events):
        if b["id"] <= a["id"]:
            report.fail(INTEGRITY, path, f"事件序号未按顺序递增（第 {a['id']} 号之后是第 {b['id']} 号）")
        elif b["id"] == a["id"] + 1 and b["prev_hash"] != a["hash"]:
            report.fail(AUTHENTICITY, path, f"第 {b['id']} 号事件记载的前一哈希与第 {a['id']} 号事件的哈希不符")
    if events and events[0]["id"] == 1 and events[0]["prev_hash"] != GENESIS:
        report.fail(AUTHENTICITY, path, "第 1 号事件的前一哈希不是链的起点")
    if isinstance(summary, dict):
        if summary.get("count") != len(events):
            report.fail(INTEGRITY, path, f"清单记载事件 {summary.get('count')} 个，文件中有 {len(events)} 个")
        elif events and summary.get("last_hash") != events[-1]["hash"]:
            report.fail(INTEGRITY, path, "最后一个事件的哈希与清单记载的不符")
    if not any(line.startswith(path) for line in report.failures[AUTHENTICITY]):
        report.passes[AUTHENTICITY].append(f"全过程记录 {len(events)} 个事件的哈希均重新计算相符")


# --- the command line ------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None, out: IO[str] | None = None) -> int:
    out = out or sys.stdout
    parser = argparse.ArgumentParser(
        prog="dossier_check.py",
        description="离线核验电子卷宗（DA/T 70 四性：真实性、完整性、可用性、安全性）。"
                    "Check an electronic case file offline.")
    parser.add_argument("package", nargs="?", help="卷宗 ZIP 文件")
    parser.add_argument("--key", help="出具机关的公钥（PEM）：向出具机关索取并核对指纹，不要只用卷宗内附的公钥")
    parser.add_argument("--fingerprint", metavar="PEM", help="只打印该公钥的指纹（SHA-256），不核验卷宗")
    args = parser.parse_args(argv)
    if args.fingerprint:
        try:
            print(f"公钥指纹（SHA-256）：{grouped(fingerprint(Path(args.fingerprint).read_bytes()))}", file=out)
        except (OSError, ValueError) as exc:
            print(f"无法读取公钥 {args.fingerprint}：{exc}", file=out)
            return 2
        return 0
    if not args.package or not args.key:
        parser.print_usage(out)
        print("须给出卷宗文件和 --key 公钥文件。", file=out)
        return 2
    try:
        key_pem = Path(args.key).read_bytes()
    except OSError as exc:
        print(f"无法读取公钥文件 {args.key}：{exc}", file=out)
        return 2
    if not Path(args.package).is_file():
        print(f"找不到卷宗文件 {args.package}", file=out)
        return 2
    report = check(args.package, key_pem)
    print("\n".join(report.lines()), file=out)
    return 0 if report.ok() else 1


if __name__ == "__main__":
    sys.exit(main())
