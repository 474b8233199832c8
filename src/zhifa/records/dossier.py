"""The electronic case file (电子卷宗): one case's documents, evidence and full-process record as a signed ZIP package.

``export(case, path)`` writes the package; ``zhifa dossier export`` and the case page's button call it. The package
holds (in this order):

- ``README.txt`` — what the package is and how to check it (Chinese);
- ``cover.html`` — 卷宗封面: agency, case reference, 案由, party, handlers, dates, 保管期限, number of items;
- ``index.html`` — 卷内目录: every item, numbered in procedural order, with its date and file;
- ``documents/NN-<code>.html`` — each registered document (文书) as a page of its registration (title, 文号, date,
  step, note), until the documents module renders the document itself;
- ``evidence/list.html`` and ``evidence/NN-<digest>-<name>`` — the evidence list and the stored files, each read
  through its digest check (``zhifa.cases.files.open_checked``): a file that no longer matches refuses the export;
- ``events.jsonl`` — every event of the case as it is hashed, so the holder re-computes each hash offline;
- ``public-key.pem`` — the signing key, for convenience only (a holder checks with the key the bureau publishes);
- ``manifest.json`` — format, agency, case, 保管期限, creation time, generator, algorithms, the 卷内目录, and for
  every other file its path, size, SHA-256 and SM3; ``manifest.sig`` — the Ed25519 signature of its exact bytes.

The checking side is ``dossier_check`` (no Django: a holder runs it as a single file). The signing key is a file
outside the database (``settings.ZHIFA_DOSSIER_KEY``), made by ``zhifa dossier keygen``; SM2 is not used because
``cryptography`` has no SM2 — Ed25519 signs, SM3 and SHA-256 digest (docs/case-file.md).

Files are written to the ZIP chunk by chunk, so a large video never sits in memory.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils import timezone

from zhifa import __version__
from zhifa.law import procedure as proc
from zhifa.law.errors import RuleViolation

from . import dossier_check as check
from .models import Event
from .policies import KINDS, RETENTION_BASIS, policy
from .services import chain_hash, hashed_text, record

FORMAT_VERSION = 1
CHUNK = 1 << 20
ZIP64_AT = 1 << 31
# 第九条 kinds that make a file permanent by default, besides 吊销许可证件 (policies.KINDS "suspend")
SUSPENDING = frozenset({"suspend_licence", "downgrade", "restrict_business", "suspend_business", "close",
                        "ban_practice"})
# who may export a case's file besides its handlers: 负责人, 法制审核, 内勤/档案 of the case's agency
SM2_NOTE = ("未使用 SM2：本平台使用的 cryptography 库没有 SM2 实现；卷宗以 Ed25519 签名，文件摘要同时给出 SM3 和 "
            "SHA-256。具备 SM2 条件时可另行加签。")


class DossierError(Exception):
    """The package cannot be made (no key, a changed evidence file, a broken record …): a Chinese sentence."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- the signing key ---------------------------------------------------------------------------------------------

def key_path() -> Path:
    return Path(settings.ZHIFA_DOSSIER_KEY)


def public_path(private: Path) -> Path:
    """Where the public key of ``private`` is kept: ``dossier-ed25519.pub.pem`` next to ``dossier-ed25519.pem``."""
    stem = private.name[:-4] if private.name.endswith(".pem") else private.name
    return private.with_name(f"{stem}.pub.pem")


@dataclass(frozen=True)
class KeyPair:
    private: Path
    public: Path
    fingerprint: str


def _write_new(path: Path, data: bytes, mode: int, *, force: bool) -> None:
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if force else os.O_EXCL)
    fd = os.open(path, flags, mode)
    try:
        os.fchmod(fd, mode)  # an existing file keeps its old mode otherwise; the umask may have narrowed it
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def generate_key(private: Path | None = None, *, force: bool = False) -> KeyPair:
    """Create an Ed25519 key pair: the private key (PKCS#8 PEM, mode 0600) at ``private`` (default the setting) and
    the public key next to it. An existing key is never overwritten unless ``force``."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Path(private) if private else key_path()
    public = public_path(private)
    existing = [p for p in (private, public) if p.exists()]
    if existing and not force:
        raise DossierError(f"密钥文件已存在：{'、'.join(map(str, existing))}。更换密钥会使已公布的公钥指纹失效；"
                           "确需更换时加 --force（先备份旧密钥，见管理员手册“电子卷宗签名密钥”）。")
    private.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    _write_new(private, private_pem, 0o600, force=force)
    _write_new(public, public_pem, 0o644, force=force)
    return KeyPair(private, public, check.fingerprint(public_pem))


def load_key(private: Path | None = None):
    """(the Ed25519 private key, its public key in PEM) from ``private`` (default the setting)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Path(private) if private else key_path()
    try:
        data = private.read_bytes()
    except FileNotFoundError:
        raise DossierError(f"没有电子卷宗签名密钥（{private}）：请系统管理员先执行 zhifa dossier keygen，"
                           "并公布公钥指纹（管理员手册“电子卷宗签名密钥”）。") from None
    except OSError as exc:
        raise DossierError(f"无法读取电子卷宗签名密钥 {private}：{exc}") from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise DossierError(f"{private} 不是可用的私钥（{exc}）") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise DossierError(f"{private} 不是 Ed25519 私钥")
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    return key, public_pem


# --- which case, who may export it, how long it is kept ----------------------------------------------------------

def find_case(ref: str):
    """The case with id ``ref`` or reference ``ref`` (平文旅案〔2026〕15号)."""
    from zhifa.cases.models import Case

    ref = str(ref).strip()
    if ref.isdigit():
        found = Case.objects.filter(pk=int(ref)).select_related("agency", "party").first()
        if found:
            return found
    matches = list(Case.objects.filter(reference=ref).select_related("agency", "party")[:5])
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise DossierError(f"案件编号 {ref} 对应多个案件（{'、'.join(f'{c.pk}（{c.agency}）' for c in matches)}），"
                           "请改用案件 id。")
    raise DossierError(f"找不到案件 {ref}（可以给出案件 id 或案件编号）。")


def file_stem(case) -> str:
    """A file name for the case's package: its reference (平文旅案〔2026〕15号) made safe, or its id."""
    return _safe_name(case.reference, 60) if case.reference else f"case-{case.pk}"


def may_export(user, case, handler_ids=None) -> bool:
    """A case's file goes to its active handlers, and to the head, the legal reviewers and the clerk of its agency.
    ``handler_ids``: the user ids of the case's active handlers when already read."""
    from zhifa.cases.files import may_upload  # the same people: whoever may add to the case's record

    return getattr(user, "is_authenticated", False) and may_upload(case, user, active_handlers=handler_ids)


def case_kind(case, actions: Iterable[str] = ()) -> str:
    """The kind of case (``policies.KINDS``) whose 保管期限 applies, the most serious that fits."""
    from zhifa.cases.facts import penalty_from_json

    actions = set(actions)
    penalty = penalty_from_json(case.decided_penalty)
    kinds = set(penalty.kinds) if penalty is not None else set()
    penalised = bool(kinds) and (case.decision_kind == proc.DecisionKind.PENALTY or case.procedure == "summary")
    if penalised:
        if "revoke_licence" in kinds:
            return "revoke"
        if kinds & SUSPENDING:
            return "suspend"
        if _large(case, penalty):
            return "large_fine"
    if proc.Action.TRANSFER_CRIMINAL.value in actions:
        return "transferred"
    if case.procedure == "summary" and (penalised or case.decided_on):
        return "summary"
    if penalised:
        return "penalty"
    if case.decision_kind in (proc.DecisionKind.NO_PENALTY, proc.DecisionKind.NOT_ESTABLISHED):
        return "no_penalty"
    if case.state == proc.State.NOT_FILED or proc.Action.NOT_FILE.value in actions:
        return "not_filed"
    return "other"


def _large(case, penalty: proc.Penalty) -> bool:
    """较大数额 (Art 63(1)(2)): the hearing thresholds in force on the decision's day, or a hearing was held."""
    from zhifa.cases.facts import party_kind
    from zhifa.catalog.rules import hearing_thresholds

    if case.hearing_held_on:
        return True
    thresholds = hearing_thresholds(case.agency, case.decided_on or timezone.localdate())
    party = party_kind(case)
    fine, confiscation = penalty.fine, penalty.confiscation
    return (fine is not None and fine >= thresholds.fine(party)) or (
        confiscation is not None and confiscation >= thresholds.confiscation(party))


def retention(case, actions: Iterable[str] = (), on: date | None = None) -> tuple[str, str]:
    """(case kind, 保管期限) by the policy ``dossier.retention`` in force on ``on`` (default today)."""
    kind = case_kind(case, actions)
    mapping = policy("dossier.retention", case.agency, on or timezone.localdate())
    return kind, mapping.get(kind) or mapping.get("other") or "永久"


# --- reading the case --------------------------------------------------------------------------------------------

@dataclass
class _Item:
    title: str
    number: str
    on: date | None
    path: str
    kind: str  # document / evidence / list / events
    order: tuple
    obj: object = None
    no: int = 0


def _safe_name(name: str, limit: int = 80) -> str:
    """A file name that is safe on any system: letters (any script), digits, ``.-_``; others become ``_``."""
    name = unicodedata.normalize("NFC", name).strip().replace("/", "_").replace("\\", "_")
    name = re.sub(r"[^\w.\-]+", "_", name, flags=re.UNICODE).strip("._") or "file"
    if len(name) > limit:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:limit - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else name[:limit]
    return name


def _local(value: datetime | None) -> date | None:
    return timezone.localtime(value).date() if value else None


def _version(step) -> int:
    return step.version if step is not None else 1 << 30


def _items(documents, files) -> list[_Item]:
    """The 卷内目录: documents and evidence files in procedural order (by date, then the step that made them)."""
    items = []
    for d in documents:
        items.append(_Item(d.title, d.number, d.issued_on, "", "document", (d.issued_on, _version(d.step), 0, d.pk),
                           d))
    for f in files:
        rec = f.record
        on = rec.made_on if rec is not None else _local(f.captured_at) or _local(f.uploaded_at)
        label = rec.get_code_display() if rec is not None else "案件文件"
        items.append(_Item(f"{label}：{f.original_name}", "", on, "", "evidence",
                           (on, _version(rec.step if rec is not None else None), 1, f.pk), f))
    items.sort(key=lambda i: (i.order[0] or date.max, *i.order[1:]))
    for n, item in enumerate(items, 1):
        item.no = n
        if item.kind == "document":
            issued = _issued(item.obj)
            suffix = "html" if issued is None else ("pdf" if issued.pdf_digest else "docx")
            item.path = f"documents/{n:02d}-{_safe_name(item.obj.code, 40)}.{suffix}"
        else:
            f = item.obj
            item.path = f"evidence/{n:02d}-{f.digest[:12]}-{_safe_name(f.original_name)}"
    return items


def _event_lines(case_id: int) -> tuple[list[bytes], dict]:
    """``events.jsonl``: the case's events as their hash covers them, each re-computed here first — a record that
    does not verify is not exported."""
    lines, first, last, algorithms = [], None, None, set()
    qs = Event.objects.filter(case_id=case_id).order_by("id").values_list(
        "id", "occurred_at", "actor_id", "actor_name", "role", "agency_id", "case_id", "action", "subject", "payload",
        "prev_hash", "hash", "algorithm")
    for pk, at, actor, actor_name, role, agency, case, action, subject, payload, prev, digest, alg in qs.iterator():
        occurred = at.astimezone(UTC).isoformat()
        if chain_hash(alg, prev, hashed_text(pk, occurred, actor, actor_name, role, agency, case, action, subject,
                                             payload)) != digest:
            raise DossierError(f"第 {pk} 号事件（{action}）的哈希与其内容不符：全过程记录被改动过。未生成卷宗；"
                               f"请执行 zhifa verify --case {case_id} 并报告审计管理员。")
        line = {"action": action, "actor": actor, "actor_name": actor_name, "agency": agency, "algorithm": alg,
                "case": case, "hash": digest, "id": pk, "occurred_at": occurred, "payload": payload,
                "prev_hash": prev, "role": role, "subject": subject}
        lines.append((json.dumps(line, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode())
        first = first or pk
        last = (pk, digest)
        algorithms.add(alg)
    return lines, {"count": len(lines), "first": first, "last": last[0] if last else None,
                   "last_hash": last[1] if last else None, "algorithms": sorted(algorithms)}


def evidence_chunks(f, actor=None) -> Iterator[bytes]:
    """The bytes of evidence file ``f`` in chunks, opened through ``zhifa.cases.files.open_checked`` (which re-hashes
    the stored bytes before handing them out; ``export`` compares the digest of what was copied too, so a file
    changed between the check and the copy is caught). DossierError naming the file when it is missing or no longer
    matches the digest recorded at upload (the mismatch is recorded as an event of the case)."""
    from zhifa.cases import files

    try:
        opened = files.open_checked(f)
    except files.FileDigestMismatch as exc:
        with transaction.atomic():
            files.record_mismatch(exc, actor, via="dossier")
        raise _changed(f, "已记入全过程记录；") from exc
    with opened:
        yield from iter(lambda: opened.read(CHUNK), b"")


def _changed(f, noted: str = "") -> DossierError:
    return DossierError(f"证据文件“{f.original_name}”（摘要 {f.digest[:16]}…，存储名 {f.storage_name}）缺失或"
                        f"与上传时登记的摘要不符：文件已被改动或损坏。未生成卷宗；{noted}请报告审计管理员核查该文件。")


# --- writing -----------------------------------------------------------------------------------------------------

@dataclass
class _Writer:
    zf: zipfile.ZipFile
    when: tuple
    files: list[dict] = field(default_factory=list)

    def add(self, path: str, chunks: Iterable[bytes], *, media_type: str, role: str, compress: bool = True,
            size_hint: int = 0, **extra) -> dict:
        info = zipfile.ZipInfo(path, date_time=self.when)
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        info.create_system = 3
        info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--: nothing executable
        info.file_size = size_hint
        sha, sm3, size = hashlib.sha256(), hashlib.new("sm3"), 0
        with self.zf.open(info, "w", force_zip64=size_hint >= ZIP64_AT) as out:
            for chunk in chunks:
                out.write(chunk)
                sha.update(chunk)
                sm3.update(chunk)
                size += len(chunk)
        entry = {"path": path, "size": size, "sha256": sha.hexdigest(), "sm3": sm3.hexdigest(),
                 "media_type": media_type, "role": role, **extra}
        self.files.append(entry)
        return entry

    def raw(self, path: str, data: bytes) -> None:
        """A file outside the manifest (the manifest itself, its signature)."""
        info = zipfile.ZipInfo(path, date_time=self.when)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.create_system = 3
        info.external_attr = 0o100644 << 16
        self.zf.writestr(info, data)


@dataclass(frozen=True)
class Exported:
    path: Path
    manifest_sha256: str
    manifest_sm3: str
    files: int
    items: int
    retention: str
    kind: str
    fingerprint: str
    event: Event


HTML = "text/html; charset=utf-8"


def _e(value) -> str:
    return html.escape("" if value is None else str(value))


def _d(value: date | None) -> str:
    return value.isoformat() if value else "—"


_CSS = ("body{font-family:'Noto Serif CJK SC','SimSun',serif;max-width:60em;margin:2em auto;line-height:1.6}"
        "table{border-collapse:collapse;width:100%}th,td{border:1px solid #888;padding:.3em .5em;text-align:left;"
        "vertical-align:top}th{background:#f2f2f2;white-space:nowrap}.note{color:#555;font-size:.9em}"
        "h1{text-align:center;letter-spacing:.2em}")


def _page(title: str, body: str) -> bytes:
    return (f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n<title>{_e(title)}</title>\n'
            f"<style>{_CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n").encode()


def _rows(pairs) -> str:
    return "\n".join(f"<tr><th>{_e(k)}</th><td>{v}</td></tr>" for k, v in pairs)


def _table(head: list[str], rows: list[list[str]]) -> str:
    th = "".join(f"<th>{_e(h)}</th>" for h in head)
    body = "\n".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table>\n<thead><tr>{th}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def _link(path: str, text: str) -> str:
    return f'<a href="{_e(quote(path))}">{_e(text)}</a>'


def _person(user) -> str:
    return (user.full_name or user.username) if user is not None else ""


def _handlers(handlers) -> str:
    out = []
    for h in handlers:
        note = "（主办）" if h.is_lead else ""
        if h.removed_on:
            note += f"（{h.removed_on.isoformat()} 撤换）"
        out.append(_e(_person(h.user) + note))
    return "、".join(out) or "—"


def _party(case) -> str:
    p = case.party
    if p is None:
        return "—"
    code = f"（统一社会信用代码 {p.credit_code}）" if p.credit_code else ""
    return _e(f"{p.name}{code}")


def _outcome(case) -> str:
    from zhifa.cases.facts import penalty_from_json

    parts = []
    if case.decision_kind:
        parts.append(case.get_decision_kind_display())
    penalty = penalty_from_json(case.decided_penalty) if case.decided_penalty else None
    if penalty is not None:
        parts.append(penalty.describe())
    return _e("：".join(parts)) or "—"


def _cover(case, handlers, items, kind, klass, created: datetime, span) -> bytes:
    agency = case.agency
    pairs = [
        ("立卷单位", _e(agency.document_name or agency.name)),
        ("案件编号", _e(case.reference or "（未立案）")),
        ("案由", _e(case.title)),
        ("当事人", _party(case)),
        ("承办人员", _handlers(handlers)),
        ("程序", _e(case.get_procedure_display())),
        ("办案阶段", _e(case.state_label)),
        ("处理结果", _outcome(case)),
        ("立案日期", _d(case.filed_on)),
        ("决定日期", _d(case.decided_on)),
        ("结案日期", _d(case.closed_on)),
        ("归档日期", _d(case.archived_on)),
        ("起止日期", f"{_d(span[0])} 至 {_d(span[1])}"),
        ("保管期限", _e(f"{klass}（{KINDS[kind]}）")),
        ("档号", _e(case.archive_no or "—")),
        ("卷内文件", _e(f"共 {len(items)} 件（电子文件，不计页数）")),
        ("立卷日期", _e(timezone.localtime(created).date().isoformat())),
    ]
    body = (f"<h1>行政执法案卷</h1>\n<table>\n{_rows(pairs)}\n</table>\n"
            f'<p class="note">本电子卷宗由 zhifa {_e(__version__)} 于 {_e(timezone.localtime(created).isoformat())} '
            "生成，以 Ed25519 签名；保管期限按本机关政策参数 dossier.retention 确定。核验方法见 README.txt 和"
            " <a href=\"index.html\">卷内目录</a>。</p>")
    return _page(f"卷宗封面 {case.reference or case.title}", body)


def _index(case, items) -> bytes:
    rows = [[str(i.no), _e(i.title), _e(i.number or "—"), _d(i.on), _link(i.path, i.path),
             _e({"document": "文书登记", "evidence": "证据、音像记录文件", "list": "证据清单",
                 "events": "全过程记录（可离线重新计算哈希）"}[i.kind])] for i in items]
    body = (f"<h1>卷内目录</h1>\n<p>{_e(case.reference or case.title)} · {_e(case.title)}</p>\n"
            + _table(["序号", "文件名称", "文号", "日期", "文件", "备注"], rows))
    return _page("卷内目录", body)


def _issued(doc):
    """The issued document (zhifa.documents) a registration stands for, or None (registered on paper only)."""
    try:
        return doc.issued
    except ObjectDoesNotExist:
        pass
    if doc.code != "case_file_index":
        return None
    # issued after 结案 and registered by the 归档 step (zhifa.documents.services.issue): the latest issued version
    from zhifa.documents.models import Document

    return Document.objects.filter(case_id=doc.case_id, code=doc.code, registration__isnull=True,
                                   status=Document.Status.ISSUED).order_by("-pk").first()


def _document(doc) -> bytes:
    step = doc.step
    pairs = [
        ("文书", _e(doc.get_code_display())),
        ("标题", _e(doc.title)),
        ("文号", _e(doc.number or "—")),
        ("制作（送达）日期", _d(doc.issued_on)),
        ("办案步骤", _e(f"{step.label}（第 {step.version} 步，{step.on.isoformat()}）") if step else "—"),
        ("说明", _e(doc.note or "—")),
        ("登记人", _e(_person(doc.recorded_by))),
    ]
    body = (f"<h1>{_e(doc.title)}</h1>\n<table>\n{_rows(pairs)}\n</table>\n"
            '<p class="note">本页是该文书在平台上的登记信息，不是文书本身：该文书未在平台上制作签发'
            "（纸质文书的原件或扫描件见证据文件）。</p>")
    return _page(doc.title, body)


def _evidence_list(case, records, files, paths: dict[int, str]) -> bytes:
    by_record: dict[int | None, list] = {}
    for f in files:
        by_record.setdefault(f.record_id, []).append(f)

    def links(fs) -> str:
        return "<br>".join(_link(paths[f.pk], f.original_name) for f in fs) or "—"

    rec_rows = [[str(n), _e(r.get_code_display()), _e(r.get_evidence_kind_display() or "—"), _e(r.description or "—"),
                 _d(r.made_on), _e(f"{r.step.label}（第 {r.step.version} 步）" if r.step else "—"),
                 links(by_record.get(r.pk, []))] for n, r in enumerate(records, 1)]
    file_rows = [[_link(paths[f.pk], f.original_name), _e(f.media_type), _e(f"{f.size} 字节"),
                  _e(f"{f.algorithm.upper()} {f.digest}"), _e(_person(f.uploaded_by)),
                  _e(timezone.localtime(f.uploaded_at).isoformat()),
                  _e(timezone.localtime(f.captured_at).isoformat() if f.captured_at else "—"),
                  _e(f.place or "—"), _e(f.device or "—"), _e(f.note or "—")] for f in files]
    body = ("<h1>证据清单</h1>\n<h2>记录和证据</h2>\n"
            + (_table(["序号", "记录", "证据种类", "内容", "形成日期", "办案步骤", "文件"], rec_rows) if rec_rows
               else "<p>无。</p>")
            + "\n<h2>证据、音像记录文件</h2>\n"
            + (_table(["文件", "类型", "大小", "上传时登记的摘要", "上传人", "上传时间", "形成时间", "地点",
                       "设备编号", "说明"], file_rows) if file_rows else "<p>无。</p>")
            + '\n<p class="note">每个文件在卷宗清单（manifest.json）中另有 SHA-256 和 SM3 摘要；'
              "上传时登记的摘要与文件内容一致，导出时已重新核对。</p>")
    return _page(f"证据清单 {case.reference or case.title}", body)


def _readme(case, agency, klass, fp: str, created: datetime, n_items: int, n_events: int) -> bytes:
    text = f"""电子卷宗（行政执法案卷）
========================

机关：{agency.document_name or agency.name}
案件：{case.reference or "（未立案）"} {case.title}
保管期限：{klass}
卷内文件：{n_items} 件；全过程记录事件：{n_events} 个
生成时间：{timezone.localtime(created).isoformat()}（zhifa {__version__}）
签名公钥指纹（SHA-256）：{check.grouped(fp)}

一、这是什么
本文件包是上述行政执法案件的电子卷宗，由出具机关的执法平台导出。包内：
  cover.html          卷宗封面
  index.html          卷内目录（按办案顺序编号）
  documents/          文书：平台签发的为签发时的 PDF（无 PDF 时为 .docx）；仅登记的纸质文书为登记信息页
  evidence/list.html  证据清单；evidence/ 下为证据、音像记录文件原件
  events.jsonl        本案全过程记录的每个事件（每行一个，可离线重新计算哈希）
  manifest.json       清单：每个文件的大小、SHA-256 和 SM3 摘要，案件信息，保管期限
  manifest.sig        出具机关对 manifest.json 的 Ed25519 签名（base64）
  public-key.pem      签名公钥（仅供参考，核验时请使用从出具机关取得的公钥）
  README.txt          本说明

二、怎样核验
1. 向出具机关索取其公布的卷宗签名公钥（public.pem），并核对公钥指纹与机关公布的一致。
   不要只用本包内的 public-key.pem：伪造者可以连同公钥一起替换。
2. 取得核验程序 dossier_check.py（执法平台源代码 src/zhifa/records/dossier_check.py，单个文件），
   在任一装有 Python 3.10 以上的电脑上执行：
       pip install cryptography
       python dossier_check.py 本文件包.zip --key public.pem
3. 程序逐项输出四性检测结果（DA/T 70-2018）：
   真实性：签名有效（清单确由该公钥对应的私钥签署），每个事件的哈希重新计算相符；
   完整性：清单所列文件齐全、大小和摘要相符、没有多出的文件，卷内目录件号连续，事件序号递增；
   可用性：每个文件都能读取和解析，证据文件的格式与登记的类型相符；
   安全性：没有绝对路径、“..”路径、符号链接或可执行文件，签名算法为 Ed25519。
   四项全部“通过”时退出码为 0。任何一项“未通过”都会指出是哪个文件。

不用该程序也可以手工核验：
   base64 -d manifest.sig > manifest.sig.bin
   openssl pkeyutl -verify -pubin -inkey public.pem -rawin -in manifest.json -sigfile manifest.sig.bin
   然后用 sha256sum（或 SM3 工具）逐个核对 manifest.json 中记载的文件摘要。

三、说明
{SM2_NOTE}
"""
    return text.encode()


def export(case, out: Path | str, *, actor=None, key: Path | None = None) -> Exported:
    """Write the case file of ``case`` to ``out`` (a ZIP; written beside it first and moved into place only when
    complete) and record ``records.dossier_exported``. DossierError: nothing is written."""
    from zhifa.cases.models import CaseDocument, CaseHandler, CaseRecord, CaseStep, EvidenceFile

    signing_key, public_pem = load_key(key)
    fp = check.fingerprint(public_pem)
    out = Path(out)
    created = timezone.now().astimezone(UTC).replace(microsecond=0)
    local = timezone.localtime(created)
    when = (local.year, local.month, local.day, local.hour, local.minute, local.second)

    agency = case.agency
    steps = list(CaseStep.objects.filter(case=case).order_by("version").values_list("action", "on"))
    actions, steps_on = [a for a, _on in steps], [on for _a, on in steps]
    kind, klass = retention(case, actions)
    handlers = list(CaseHandler.objects.filter(case=case).select_related("user").order_by("-is_lead", "id"))
    documents = list(CaseDocument.objects.filter(case=case).select_related("step", "recorded_by", "issued")
                     .order_by("issued_on", "id"))
    records = list(CaseRecord.objects.filter(case=case).select_related("step").order_by("made_on", "id"))
    files = list(EvidenceFile.objects.filter(case=case).select_related("record", "record__step", "uploaded_by")
                 .order_by("uploaded_at", "id"))
    items = _items(documents, files)
    event_lines, events = _event_lines(case.pk)
    n = len(items)
    items.append(_Item("证据清单", "", None, "evidence/list.html", "list", (), no=n + 1))
    items.append(_Item(f"全过程记录（事件 {events['count']} 个）", "", None, "events.jsonl", "events", (), no=n + 2))
    start = case.clue_received_on or case.filed_on or (steps_on[0] if steps_on else None)
    end = case.archived_on or case.closed_on or (steps_on[-1] if steps_on else None)

    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".dossier-", suffix=".zip.part", dir=out.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh, zipfile.ZipFile(fh, "w", allowZip64=True) as zf:
            w = _Writer(zf, when)
            w.add("README.txt", [_readme(case, agency, klass, fp, created, len(items), events["count"])],
                  media_type="text/plain; charset=utf-8", role="readme")
            w.add("cover.html", [_cover(case, handlers, items, kind, klass, created, (start, end))], media_type=HTML,
                  role="cover")
            w.add("index.html", [_index(case, items)], media_type=HTML, role="index")
            paths = {}
            for item in items:
                if item.kind == "document":
                    issued = _issued(item.obj)
                    if issued is None:
                        w.add(item.path, [_document(item.obj)], media_type=HTML, role="document",
                              code=item.obj.code, number=item.obj.number)
                        continue
                    from zhifa.documents.services import DOCX_TYPE, read_file

                    fmt = "pdf" if issued.pdf_digest else "docx"
                    digest = issued.pdf_digest or issued.docx_digest
                    try:
                        data = read_file(issued, fmt)
                    except RuleViolation as exc:  # changed or missing since it was issued: no case file
                        raise DossierError(f"{exc.message}。未生成卷宗。") from None
                    w.add(item.path, [data], role="document", code=item.obj.code,
                          number=item.obj.number, media_type="application/pdf" if fmt == "pdf" else DOCX_TYPE,
                          upload_digest={"algorithm": issued.algorithm, "value": digest},
                          version=issued.version)
                elif item.kind == "evidence":
                    paths[item.obj.pk] = item.path
            w.add("evidence/list.html", [_evidence_list(case, records, files, paths)], media_type=HTML,
                  role="evidence_list")
            for item in items:
                if item.kind != "evidence":
                    continue
                f = item.obj
                entry = w.add(item.path, evidence_chunks(f, actor), media_type=f.media_type, role="evidence",
                              compress=False, size_hint=f.size, original_name=f.original_name,
                              upload_digest={"algorithm": f.algorithm, "value": f.digest})
                if entry[f.algorithm] != f.digest or entry["size"] != f.size:  # changed while it was copied
                    raise _changed(f)
            w.add("events.jsonl", event_lines, media_type="application/jsonl; charset=utf-8", role="events")
            w.add(check.PUBLIC_KEY, [public_pem], media_type="application/x-pem-file", role="public_key")
            manifest = _manifest(case, agency, kind, klass, created, fp, events, items, w.files)
            w.raw(check.MANIFEST, manifest)
            w.raw(check.SIGNATURE, base64.b64encode(signing_key.sign(manifest)) + b"\n")
        os.chmod(tmp, 0o640)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    digest_sha, digest_sm3 = hashlib.sha256(manifest).hexdigest(), hashlib.new("sm3", manifest).hexdigest()
    with transaction.atomic():
        event = record("records.dossier_exported", actor=actor, agency=agency, case_id=case.pk,
                       subject=f"case:{case.pk}",
                       payload={"manifest_sha256": digest_sha, "manifest_sm3": digest_sm3,
                                "files": len(w.files) + 2, "items": len(items), "retention": klass,
                                "key_fingerprint": fp, "events": events["count"],
                                "evidence": [f.digest for f in files]})
        # each file's chain of custody (subject file:<digest>): handed out in this package
        from zhifa.cases.files import record_download

        for f in files:
            f.case = case
            record_download(f, actor, via="dossier")
    return Exported(out, digest_sha, digest_sm3, len(w.files) + 2, len(items), klass, kind, fp, event)


def _manifest(case, agency, kind, klass, created, fp, events, items, files) -> bytes:
    manifest = {
        "format": check.FORMAT,
        "format_version": FORMAT_VERSION,
        "generator": f"zhifa {__version__}",
        "created_at": created.isoformat(),
        "agency": {"id": agency.pk, "code": agency.code, "name": agency.name,
                   "document_name": agency.document_name},
        "case": {"id": case.pk, "reference": case.reference, "title": case.title, "procedure": case.procedure,
                 "state": case.state, "party": case.party.name if case.party else "",
                 "filed_on": _iso(case.filed_on), "decided_on": _iso(case.decided_on),
                 "closed_on": _iso(case.closed_on), "archived_on": _iso(case.archived_on),
                 "archive_no": case.archive_no, "items": len(items)},
        "retention": {"class": klass, "kind": kind, "kind_label": KINDS[kind], "policy": "dossier.retention",
                      "basis": RETENTION_BASIS},
        "algorithms": {"file_digests": ["sha256", "sm3"], "signature": check.SIGNATURE_ALGORITHM,
                       "events": events["algorithms"], "sm2": SM2_NOTE},
        "key_fingerprint": fp,
        "events": {k: events[k] for k in ("count", "first", "last", "last_hash")},
        "items": [{"no": i.no, "title": i.title, "number": i.number, "date": _iso(i.on), "path": i.path}
                  for i in items],
        "files": files,
    }
    return (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode()


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
