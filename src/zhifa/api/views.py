"""The JSON API (``/api/v1/``; DESIGN.md §2 and issue 4 §5): cases, one endpoint per action, look-ups, schema.

Plain Django views: the API is small and every rule already lives in the services, which these views call
exactly as the screens do (``cases.services.open_case``/``transition``/``visible_cases``,
``parties.services.search_parties``, ``catalog.services.search_items``).

Authentication is a token only (``Authorization: Token <secret>``, :mod:`zhifa.api.tokens`); a session cookie
is never honoured here, so the views need no CSRF protection. Errors are JSON ``{"code", "message", "field",
"basis"}`` with a 4xx status; a step refused by the rules (422) also lists every violation in ``violations``.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import logging
import re
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from zhifa.cases import files
from zhifa.cases import services as cases
from zhifa.cases.clocks import effective_due
from zhifa.cases.facts import case_facts, roles_of
from zhifa.cases.models import Case, CaseClock, CaseHandler, CaseStep, EvidenceFile
from zhifa.cases.payload import AUX_ACTIONS, SCHEMAS, action_label, json_value
from zhifa.cases.views.common import display_order
from zhifa.catalog.models import EnforcementItem
from zhifa.catalog.services import provision_refs, search_items
from zhifa.law import procedure as proc
from zhifa.law.errors import Citation, RuleViolation
from zhifa.law.identifiers import mask_id_number
from zhifa.parties.services import search_parties

from . import tokens

logger = logging.getLogger(__name__)

PREFIX = "/api/v1"
DEFAULT_LIMIT, MAX_LIMIT = 50, 200
LOOKUP_LIMIT, MAX_LOOKUP_LIMIT = 20, 100

# The actions one may take on an existing case: every row of the table except the two that create a case,
# and the auxiliary bookkeeping acts of the case service.
CREATING = frozenset({proc.Action.REGISTER_CLUE.value, proc.Action.START_SUMMARY.value})
CASE_ACTIONS: tuple[str, ...] = (*(a.value for a in proc.Action if a.value not in CREATING), *AUX_ACTIONS)

# Service refusals whose code says more than "a rule refused it".
STATUS_BY_CODE = {
    "case_not_found": 404,
    "not_case_agency": 403,
    "actor_invalid": 403,
    "role_not_allowed": 403,
    "idempotency_key_invalid": 400,
    "procedure_unknown": 400,
    "action_unknown": 404,
    # a case's files (zhifa.cases.files)
    "file_too_large": 413,
    "file_type_not_allowed": 415,
    "file_executable": 415,
    "file_zip_bomb": 415,
    "file_macro": 415,
    "file_damaged": 415,
    "file_empty": 400,
    "file_duplicate": 409,
}


# --- errors ----------------------------------------------------------------------------------------------------

class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, field: str | None = None,
                 basis: Iterable[Citation | str] = (), violations: list[RuleViolation] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field
        self.basis = list(basis)
        self.violations = violations


def basis_json(basis: Iterable[Citation | str]) -> list[str]:
    return [str(b) for b in basis]


def violation_json(v: RuleViolation) -> dict[str, Any]:
    return {"code": v.code, "message": v.message, "field": v.field, "basis": basis_json(v.basis)}


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> JsonResponse:
    response = JsonResponse(data, status=status, encoder=DjangoJSONEncoder, safe=False, headers=headers,
                            json_dumps_params={"ensure_ascii": False},
                            content_type="application/json; charset=utf-8")
    response["Cache-Control"] = "no-store"  # case data is personal data: no shared or browser caches
    return response


def error_response(err: ApiError) -> JsonResponse:
    body: dict[str, Any] = {"code": err.code, "message": err.message, "field": err.field,
                            "basis": basis_json(err.basis)}
    if err.violations is not None:
        body["violations"] = [violation_json(v) for v in err.violations]
    headers = {"WWW-Authenticate": 'Token realm="zhifa"'} if err.status == 401 else None
    return _json(body, err.status, headers)


def from_violation(exc: RuleViolation) -> ApiError:
    """The HTTP status and body for a refusal of the services."""
    if isinstance(exc, cases.CaseConflict):
        return ApiError(409, exc.code, exc.message, exc.field, exc.basis)
    if isinstance(exc, cases.StepRefused):
        found = exc.violations or [exc]
        codes = [v.code for v in found]
        if all(c.startswith("payload_") for c in codes):
            status = 400
        elif "role_not_allowed" in codes:
            status = 403
        else:
            status = 422
        return ApiError(status, exc.code, exc.message, exc.field, exc.basis, violations=list(found))
    status = STATUS_BY_CODE.get(exc.code, 400 if exc.code.startswith("payload_") else 422)
    return ApiError(status, exc.code, exc.message, exc.field, exc.basis,
                    violations=[exc] if status == 422 else None)


def api_view(*methods: str, public: bool = False) -> Callable:
    """A token-authenticated JSON view answering ``methods``; ``request.user`` is the token's person."""

    def wrap(view: Callable) -> Callable:
        @csrf_exempt
        @functools.wraps(view)
        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
            try:
                if request.method not in methods:
                    raise ApiError(405, "method_not_allowed",
                                   f"此地址不支持 {request.method} 请求（可用：{'、'.join(methods)}）")
                if not public:
                    user = tokens.authenticate(request.headers.get("Authorization"))
                    if user is None:
                        raise ApiError(401, "token_invalid",
                                       "缺少有效的接口令牌：请在请求头中提供 Authorization: Token <令牌>",
                                       "Authorization")
                    request.user = user
                return view(request, *args, **kwargs)
            except ApiError as err:
                response = error_response(err)
            except RuleViolation as exc:
                response = error_response(from_violation(exc))
            except Exception:
                # An API client gets JSON even here; the traceback goes to the log as Django would write it.
                logger.exception("API error: %s %s", request.method, request.path)
                response = _json({"code": "server_error", "message": "服务器内部错误，请稍后重试或者联系系统管理员",
                                  "field": None, "basis": []}, 500)
            if response.status_code == 405:
                response["Allow"] = ", ".join(methods)
            return response

        return inner

    return wrap


# --- request values -----------------------------------------------------------------------------------------

def _body(request: HttpRequest) -> dict[str, Any]:
    raw = request.body
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ApiError(400, "json_invalid", "请求内容应为 UTF-8 编码的 JSON", "body") from None
    except json.JSONDecodeError as exc:
        raise ApiError(400, "json_invalid",
                       f"请求内容不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}）", "body") from None
    if not isinstance(data, dict):
        raise ApiError(400, "json_invalid", "请求内容应为 JSON 对象（字段名: 值）", "body")
    return data


def _idempotency_key(request: HttpRequest) -> str:
    key = (request.headers.get("Idempotency-Key") or "").strip()
    if not key:
        raise ApiError(400, "idempotency_key_required",
                       "缺少请求标识：请在请求头 Idempotency-Key 中提供本次请求的唯一标识（1 至 100 个字符），"
                       "重试时使用同一标识",
                       "Idempotency-Key")
    if len(key) > 100:
        raise ApiError(400, "idempotency_key_invalid", "请求标识不超过 100 个字符", "Idempotency-Key")
    return key


def _limit(request: HttpRequest, default: int, most: int) -> int:
    raw = request.GET.get("limit", "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= most:
        raise ApiError(400, "limit_invalid", f"limit 应为 1 至 {most} 之间的整数", "limit")
    return int(raw)


def _text_param(request: HttpRequest, name: str) -> str:
    return "".join(ch for ch in request.GET.get(name, "") if ch.isprintable()).strip()[:100]


def encode_cursor(case_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{case_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    m = re.fullmatch(r"id:(\d{1,18})", text)
    if m is None:
        raise ApiError(400, "cursor_invalid", "翻页标识（after）无效，请使用上一页返回的 next", "after")
    return int(m.group(1))


def _today() -> date:
    return timezone.localdate()


# --- representations ------------------------------------------------------------------------------------------

def person_json(user) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.full_name or user.username}


def party_json(party) -> dict[str, Any] | None:
    if party is None:
        return None
    return {"id": party.pk, "kind": party.kind, "kind_label": party.get_kind_display(), "name": party.name,
            "credit_code": party.credit_code, "id_number_masked": mask_id_number(party.id_number) if party.id_number
            else "", "representative": party.representative, "address": party.address, "is_active": party.is_active}


def case_href(case_id: int) -> str:
    return f"{PREFIX}/cases/{case_id}"


# The columns case_summary reads: a list reads only these, not the wide case row (penalties, assessment …).
SUMMARY_FIELDS = ("id", "reference", "title", "procedure", "state", "version", "agency_id", "agency__name",
                  "party_id", "party__name", "filed_on", "decided_on", "closed_on", "created_at", "updated_at",
                  "next_due", "next_party_due")


def case_summary(case: Case) -> dict[str, Any]:
    state = proc.State(case.state)
    return {
        "id": case.pk,
        "href": case_href(case.pk),
        "reference": case.reference,
        "title": case.title,
        "procedure": case.procedure,
        "procedure_label": proc.PROCEDURE_LABELS[proc.Procedure(case.procedure)],
        "state": case.state,
        "state_label": proc.STATE_LABELS[state],
        "version": case.version,
        "agency": {"id": case.agency_id, "name": case.agency.name},
        "party": {"id": case.party_id, "name": case.party.name} if case.party_id else None,
        "filed_on": case.filed_on,
        "decided_on": case.decided_on,
        "closed_on": case.closed_on,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
    }


def clock_json(clock: CaseClock, today: date) -> dict[str, Any]:
    running = clock.stopped_on is None
    due_on = effective_due(clock, today)
    days_left = (due_on - today).days if running else None
    return {
        "code": clock.code, "name": clock.name, "started_on": clock.started_on, "base_due_on": clock.base_due_on,
        "due_on": due_on, "due_at": clock.due_at, "basis": clock.basis, "running": running,
        "days_left": days_left, "binds": proc.clock_binds(clock.code),
        # only the agency's deadlines are overdue; a party's period that ran out has lapsed (procedure.clock_binds)
        "overdue": bool(running and days_left is not None and days_left < 0 and clock.code not in proc.PARTY_CLOCKS),
        "paused": bool(running and clock.paused_since is not None), "paused_since": clock.paused_since,
        "paused_days": clock.paused_days, "extended": clock.extended, "extensions": clock.extensions,
        "extension_days": clock.extension_days, "stopped_on": clock.stopped_on, "warnings": clock.warnings,
    }


def step_json(step: CaseStep) -> dict[str, Any]:
    return {
        "version": step.version, "action": step.action, "label": action_label(step.action),
        "from_state": step.from_state or None, "to_state": step.to_state,
        "to_state_label": proc.STATE_LABELS[proc.State(step.to_state)],
        "actor": person_json(step.actor), "on": step.on, "at": step.at, "payload": step.payload,
        "event": step.event_id,
    }


def actions_json(case: Case, user, today: date, keep: dict | None = None
                 ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(every step the table allows in the case's state, with who may take it and what is still missing;
    the auxiliary acts, while the case is open). ``keep``: as for ``case_facts``."""
    state = proc.State(case.state)
    rows = proc.transitions_from(proc.Procedure(case.procedure), state)
    held = roles_of(user)
    out: list[dict[str, Any]] = []
    if rows:
        facts = case_facts(case, today=today, keep=keep)
        seen: set[str] = set()
        for t in rows:
            if t.action.value in seen:
                continue
            seen.add(t.action.value)
            out.append({
                "action": t.action.value, "label": t.label, "href": f"{case_href(case.pk)}/actions/{t.action.value}",
                "roles": sorted(t.roles), "allowed": bool(t.roles & held), "missing": proc.missing(facts, t.action),
                "documents": list(t.documents), "records": list(t.records), "basis": basis_json(t.basis),
            })
    aux = [] if state in proc.TERMINAL else [
        {"action": a, "label": label, "href": f"{case_href(case.pk)}/actions/{a}"} for a, label in AUX_ACTIONS.items()]
    return out, aux


def case_detail(case: Case, user, today: date) -> dict[str, Any]:
    loaded: dict = {}
    actions, aux = actions_json(case, user, today, keep=loaded)
    items = loaded["items"] if "items" in loaded else case.case_items.select_related("item__domain")
    clocks = loaded["clocks"] if "clocks" in loaded else list(case.clocks.all())
    handlers = loaded["handlers"] if "handlers" in loaded else case.handlers.select_related("user")
    steps = list(reversed(loaded["steps"])) if "steps" in loaded else case.steps.select_related("actor").order_by(
        "version")
    return {
        **case_summary(case),
        "prior_state": case.prior_state or None,
        "party": party_json(case.party),
        "items": [{"code": ci.item.code, "name": ci.item.name, "domain": ci.item.domain.code,
                   "is_primary": ci.is_primary} for ci in items],
        "handlers": [{**person_json(h.user), "is_lead": h.is_lead, "conflict_declared": h.conflict_declared,
                      "added_on": h.added_on, "removed_on": h.removed_on} for h in handlers],
        "clue": {"source": case.clue_source or None, "received_on": case.clue_received_on, "note": case.clue_note},
        "act_date": case.act_date, "act_end_date": case.act_end_date, "discovered_on": case.discovered_on,
        "penalty": {"proposed": case.proposed_penalty, "notified": case.notified_penalty,
                    "decided": case.decided_penalty},
        "decision_kind": case.decision_kind or None,
        "recommended_range": [case.recommended_min, case.recommended_max] if case.recommended_min is not None
        else None,
        "clocks": [clock_json(c, today) for c in display_order(clocks)],
        "documents": [{"code": d.code, "title": d.title, "number": d.number, "issued_on": d.issued_on}
                      for d in loaded.get("documents", case.documents.all())],
        "records": [{"code": r.code, "evidence_kind": r.evidence_kind or None, "description": r.description,
                     "file_hash": r.file_hash or None, "made_on": r.made_on}
                    for r in loaded.get("records", case.records.all())],
        "files": [file_json(f) for f in EvidenceFile.objects.filter(case=case).select_related("uploaded_by")
                  .order_by("uploaded_at", "id")],
        "available_actions": [a["action"] for a in actions if a["allowed"]],
        "actions": actions,
        "auxiliary_actions": aux,
        "events": [step_json(s) for s in steps],
    }


def _visible(user, case_id: int) -> Case:
    case = cases.visible_case(user, case_id)
    if case is None:
        raise ApiError(404, "case_not_found", "没有找到该案件（不存在，或者不在您可查看的范围内）")
    return case


# --- cases --------------------------------------------------------------------------------------------------------

@api_view("GET", "POST")
def cases_collection(request: HttpRequest) -> JsonResponse:
    if request.method == "POST":
        return _open_case(request)
    return _list_cases(request)


def _list_cases(request: HttpRequest) -> JsonResponse:
    user = request.user
    limit = _limit(request, DEFAULT_LIMIT, MAX_LIMIT)
    qs = cases.visible_cases(user)
    states = [s for s in request.GET.get("state", "").split(",") if s.strip()]
    if states:
        unknown = [s for s in states if s.strip() not in {st.value for st in proc.State}]
        if unknown:
            names = "、".join(f"{s.value}（{label}）" for s, label in proc.STATE_LABELS.items())
            raise ApiError(400, "state_invalid", f"未知的案件阶段 {unknown[0]}；可用：{names}", "state")
        qs = qs.filter(state__in=[s.strip() for s in states])
    procedure = request.GET.get("procedure", "").strip()
    if procedure:
        if procedure not in {p.value for p in proc.Procedure}:
            raise ApiError(400, "procedure_invalid", "程序只能是 general（普通程序）或 summary（简易程序）",
                           "procedure")
        qs = qs.filter(procedure=procedure)
    text = _text_param(request, "q")
    for word in text.split():
        qs = qs.filter(Q(title__icontains=word) | Q(reference__icontains=word) | Q(party__name__icontains=word))
    mine = request.GET.get("mine", "").strip()
    if mine not in ("", "0", "1"):
        raise ApiError(400, "mine_invalid", "mine 只能是 1（只看本人承办的案件）或 0", "mine")
    after = request.GET.get("after", "").strip()
    cursor = decode_cursor(after) if after else None
    if mine == "1" and not procedure and not text:
        # the officer's own cases: ids from the handler rows' copies of agency and state (CaseHandler.case_*)
        handled = cases.handled_rows(user, [s.strip() for s in states])
        if cursor is not None:
            handled = handled.filter(case_id__lt=cursor)
        ids = list(handled.order_by("-case_id").values_list("case_id", flat=True)[:limit + 1])
    else:
        if mine == "1":
            qs = qs.filter(pk__in=CaseHandler.objects.filter(user=user, removed_on__isnull=True).values("case_id"))
        if cursor is not None:
            qs = qs.filter(pk__lt=cursor)
        ids = list(qs.order_by("-pk").values_list("pk", flat=True)[:limit + 1])
    # the page's ids first, then only their rows with what a summary shows (not every matching row joined)
    rows = list(Case.objects.filter(pk__in=ids).select_related("agency", "party").only(*SUMMARY_FIELDS)
                .order_by("-pk"))
    more = len(rows) > limit
    rows = rows[:limit]
    results = [{**case_summary(c), "next_due_on": _nearest(c.next_due, c.next_party_due)} for c in rows]
    return _json({"results": results, "next": encode_cursor(rows[-1].pk) if more else None, "limit": limit})


def _nearest(*days: date | None) -> date | None:
    """The nearest running clock's due date, the agency's or the party's (kept on the case by the service)."""
    return min((d for d in days if d is not None), default=None)


def _open_case(request: HttpRequest) -> JsonResponse:
    user = request.user
    key = _idempotency_key(request)
    body = _body(request)
    procedure = body.pop("procedure", None)
    if procedure not in ("general", "summary"):
        raise ApiError(400, "procedure_invalid", "请在 procedure 中写明程序：general（普通程序，案源登记）或 summary"
                       "（简易程序，当场处罚）", "procedure")
    if user.agency_id is None:
        raise ApiError(403, "not_case_agency", "只有执法主体的人员才能登记案件", "actor")
    creation_key = f"{user.agency_id}:{key}"
    replay = Case.objects.filter(creation_key=creation_key).exists()
    step = cases.open_case(agency=user.agency, procedure=procedure, actor=user, payload=body, idempotency_key=key)
    case = Case.objects.select_related("agency", "party").get(pk=step.case_id)
    return _json({"case": case_detail(case, user, _today()), "step": step_json(step)}, 200 if replay else 201,
                 {"Location": case_href(case.pk), **({"Idempotent-Replayed": "true"} if replay else {})})


@api_view("GET")
def case_detail_view(request: HttpRequest, case_id: int) -> JsonResponse:
    case = _visible(request.user, case_id)
    return _json(case_detail(case, request.user, _today()))


@api_view("POST")
def case_action(request: HttpRequest, case_id: int, action: str) -> JsonResponse:
    if action not in SCHEMAS or action in CREATING:
        hint = "；新案件请用 POST /api/v1/cases" if action in CREATING else ""
        raise ApiError(404, "action_unknown", f"没有“{action}”这一办理事项{hint}", "action")
    user = request.user
    _visible(user, case_id)
    key = _idempotency_key(request)
    body = _body(request)
    replay = CaseStep.objects.filter(case_id=case_id, idempotency_key=key).exists()
    step = cases.transition(case_id, action, actor=user, payload=body, idempotency_key=key)
    case = Case.objects.select_related("agency", "party").get(pk=case_id)
    return _json({"step": step_json(step), "case": case_summary(case)}, 200 if replay else 201,
                 {"Idempotent-Replayed": "true"} if replay else None)


# --- a case's files -------------------------------------------------------------------------------------------

def file_json(f: EvidenceFile) -> dict[str, Any]:
    return {"digest": f.digest, "algorithm": f.algorithm, "name": f.original_name, "size": f.size,
            "media_type": f.media_type, "device": f.device, "place": f.place, "captured_at": f.captured_at,
            "captured_until": f.captured_until, "note": f.note, "uploaded_by": person_json(f.uploaded_by),
            "uploaded_at": f.uploaded_at, "record": f.record_id, "href": f"{case_href(f.case_id)}/files/{f.digest}"}


@api_view("GET", "POST")
def case_files(request: HttpRequest, case_id: int) -> JsonResponse:
    """GET: the case's files. POST (multipart/form-data): upload one file in the field ``file``, with
    ``captured_at``, ``captured_until`` (ISO 8601), ``place``, ``device`` and ``note`` (``files.store_upload``).
    An upload streams to a temporary file and is hashed on the way (``files.EvidenceUploadHandler``)."""
    case = _visible(request.user, case_id)
    if request.method == "POST":
        files.check_case(case, request.user)  # closed, or not the case team: refused before the body is read
        request.upload_handlers = [files.EvidenceUploadHandler(request)]
    if request.method == "GET":
        rows = EvidenceFile.objects.filter(case=case).select_related("uploaded_by").order_by("uploaded_at", "id")
        return _json({"results": [file_json(f) for f in rows]})
    if not request.content_type.startswith("multipart/form-data"):
        raise ApiError(400, "multipart_required", "上传文件请用 multipart/form-data，文件放在字段 file 中", "file")
    handler = request.upload_handlers[0]
    uploaded = request.FILES.get("file")
    if handler.refused is not None:
        raise handler.refused
    if uploaded is None:
        raise ApiError(400, "payload_required", "请在 multipart 字段 file 中上传文件", "file")
    form = request.POST
    f = files.store_upload(case, request.user, uploaded, captured_at=form.get("captured_at") or None,
                           captured_until=form.get("captured_until") or None, place=form.get("place", ""),
                           device=form.get("device", ""), note=form.get("note", ""))
    return _json(file_json(f), 201, {"Location": f"{case_href(case.pk)}/files/{f.digest}"})


@api_view("GET")
def case_file(request: HttpRequest, case_id: int, digest: str):
    """The file's bytes, after its stored bytes are hashed again (409 when they no longer match); each download is
    an event of the file's chain of custody."""
    case = _visible(request.user, case_id)
    f = EvidenceFile.objects.filter(case=case, digest=digest.lower()).select_related("uploaded_by").first()
    if f is None:
        raise ApiError(404, "file_not_found", "本案没有这一文件（内容摘要不符）", "digest")
    f.case = case
    try:
        response = files.checked_download(f, request.user, via="api")
    except files.FileDigestMismatch as exc:
        raise ApiError(409, "file_digest_mismatch", exc.message, "digest") from None
    response["X-Content-Digest"] = f"{f.algorithm}={f.digest}"
    return response


# --- look-ups --------------------------------------------------------------------------------------------------

@api_view("GET")
def parties_lookup(request: HttpRequest) -> JsonResponse:
    limit = _limit(request, LOOKUP_LIMIT, MAX_LOOKUP_LIMIT)
    rows = list(search_parties(request.user, q=_text_param(request, "q"), kind=request.GET.get("kind", ""))
                .prefetch_related(None)[:limit + 1])
    return _json({"results": [party_json(p) for p in rows[:limit]], "truncated": len(rows) > limit})


def item_json(item: EnforcementItem, *, full: bool = False) -> dict[str, Any]:
    out = {"code": item.code, "name": item.name, "domain": {"code": item.domain.code, "name": item.domain.name},
           "category": item.category, "status": item.status, "status_label": item.get_status_display(),
           "href": f"{PREFIX}/catalog/items/{item.code}"}
    if full:
        out.update({
            "violated": provision_refs(item.violated.select_related("source")),
            "penalty_provisions": provision_refs(item.penalty_provisions.select_related("source")),
            "basis_violated_text": item.basis_violated_text, "basis_penalty_text": item.basis_penalty_text,
            "kinds": json_value(item.kinds or []), "fine_rule": item.fine_rule,
            "escalations": item.escalations or [], "measures": item.measures or [], "authority": item.authority,
            "verified": item.verified, "notes": item.notes, "reviewed_on": item.reviewed_on,
            "version": item.version,
        })
    return out


@api_view("GET")
def items_lookup(request: HttpRequest) -> JsonResponse:
    limit = _limit(request, LOOKUP_LIMIT, MAX_LOOKUP_LIMIT)
    status = request.GET.get("status", "").strip()
    if status and status not in EnforcementItem.Status.values:
        raise ApiError(400, "status_invalid",
                       "status 只能是 active（在用）、suspended（暂停适用）或 repealed（已废止）", "status")
    domain = request.GET.get("domain", "").strip() or None
    rows = list(search_items(_text_param(request, "q"), domain=domain, status=status or None)[:limit + 1])
    return _json({"results": [item_json(i) for i in rows[:limit]], "truncated": len(rows) > limit})


@api_view("GET")
def item_detail(request: HttpRequest, code: str) -> JsonResponse:
    item = EnforcementItem.objects.select_related("domain").filter(code=code).first()
    if item is None:
        raise ApiError(404, "item_not_found", f"没有编码为 {code} 的执法事项")
    return _json(item_json(item, full=True))


# --- schema and fallbacks ------------------------------------------------------------------------------------

@api_view("GET", public=True)
def schema(request: HttpRequest) -> JsonResponse:
    from .openapi import document

    return _json(document())


@api_view("GET", "POST", "PUT", "PATCH", "DELETE", public=True)
def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    raise ApiError(404, "not_found", f"没有这个接口地址：{request.path}（接口说明见 {PREFIX}/schema）")
