"""The case service: the one way a case changes (DESIGN.md §4 "Procedure as data").

:func:`transition` takes one step of the procedure table (``zhifa.law.procedure``) on a case; :func:`open_case`
takes the step that creates one (案源登记, or 适用简易程序). A few bookkeeping acts that the table does not list
(指派和撤换承办人员, 登记回避, 负责人审批, 登记文书和记录, 裁量计算, 修改基本情况) go through the same machinery
as "auxiliary" actions (:data:`AUX_ACTIONS`), so that every change of a case is a :class:`CaseStep` with a record
event, under the same lock, idempotent, and versioned.

Each step, in one transaction:

1. lock the case row (``select_for_update``; on SQLite every write transaction is IMMEDIATE, which serialises
   writers);
2. a step already taken with the same idempotency key is returned as it is (nothing is written again); the
   same key with a different request is refused (:class:`CaseConflict`);
3. a stale form is refused: the payload's ``expected_version`` must be the case's version;
4. the payload is checked against the action's schema (:data:`SCHEMAS`; every error names its field), and
   its values are applied to the case in memory, its documents and records written (they exist "when the
   step is recorded");
5. the snapshot (``facts.case_facts``) is judged by ``procedure.check``; every refusal comes back at once in
   a :class:`StepRefused` (and the transaction rolls back, so nothing of the request stays);
6. the step's effects: the new state (``procedure.target_of``), the decision, the clocks the row starts,
   stops and extends (dates from ``zhifa.law.clocks.due`` and the work calendar), the excluded periods it
   opens and closes, and the action's own rows (review, payment, approval …);
7. the version goes up by one, the :class:`CaseStep` is written and ``record("cases.<action>", case_id=…)``
   appends the event, all in the same transaction.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, OperationalError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from zhifa.catalog.calendar import work_calendar
from zhifa.catalog.models import EnforcementItem
from zhifa.law import procedure as proc
from zhifa.law.clocks import due
from zhifa.law.errors import Citation, RuleViolation
from zhifa.law.penalties import PenaltyKind
from zhifa.law.surcharge import late_payment_surcharge
from zhifa.org.models import Agency, User
from zhifa.prepared import Prepared, counted
from zhifa.records.models import Event
from zhifa.records.services import canonical, record

from . import clocks, files
from .facts import actor_for, case_facts, penalty_from_json, penalty_to_json, roles_of
from .models import (
    Case,
    CaseApproval,
    CaseClock,
    CaseDocument,
    CaseHandler,
    CaseItem,
    CaseRecord,
    CaseSequence,
    CaseStep,
    LegalReview,
    Payment,
)
from .payload import (
    AUX_ACTIONS,
    COMMON,
    REVIEW_CHECKS,
    SCHEMAS,
    Field,
    PayloadParser,
    action_label,
    json_value,
    payload_schema,
)

A = proc.Action
CASE_RULES = Citation("本系统办案规则（DESIGN.md §4）", "",
                      "案件由本执法主体的人员办理；每一步骤记录在案，不得重复或者以过时的信息提交")


# --- errors ------------------------------------------------------------------------------------------------

@dataclass
class StepRefused(RuleViolation):
    """The step may not be taken: every reason at once (``violations``); the first is the headline."""

    violations: list[RuleViolation] = dataclasses.field(default_factory=list)

    @classmethod
    def of(cls, violations: list[RuleViolation]) -> StepRefused:
        first = violations[0]
        return cls(first.code, first.message, first.field, list(first.basis), violations=list(violations))

    @property
    def codes(self) -> list[str]:
        return [v.code for v in self.violations]


@dataclass
class CaseConflict(RuleViolation):
    """Someone else changed the case first (a stale version, a busy row), or an idempotency key was reused for a
    different request. The API answers 409; the screen asks the user to reload."""


def _refuse(code: str, message: str, field: str | None = None, *basis: Citation) -> RuleViolation:
    return RuleViolation(code, message, field, list(basis))


# --- the step --------------------------------------------------------------------------------------------------

@dataclass
class _Step:
    """What one request carries through the machinery."""

    case: Case
    action: str
    actor: User
    today: date
    values: dict[str, Any]
    stored: dict[str, Any]
    row: proc.Transition | None = None
    facts: proc.CaseFacts | None = None
    documents: list[CaseDocument] = dataclasses.field(default_factory=list)
    records: list[CaseRecord] = dataclasses.field(default_factory=list)
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)  # computed values for the event
    step: CaseStep | None = None


def _key(idempotency_key: str) -> str:
    key = (idempotency_key or "").strip() if isinstance(idempotency_key, str) else ""
    if not key or len(key) > 100 or not key.isprintable():
        raise _refuse("idempotency_key_invalid", "缺少请求标识（idempotency_key，1 至 100 个可打印字符）",
                      "idempotency_key", CASE_RULES)
    return key


def usable_key(value: Any) -> str:
    """``value`` if it is a well-formed idempotency key (as the service accepts it), else "" (for look-ups made
    before a form is validated: a NUL byte or an over-long string must not reach the database)."""
    try:
        return _key(value)
    except RuleViolation:
        return ""


def _request_hash(action: str, actor: User, payload: Mapping[str, Any], extra: Mapping[str, Any] | None = None) -> str:
    body = {"action": str(action), "actor": actor.pk, "payload": json_value(dict(payload)), **(extra or {})}
    return hashlib.sha256(canonical(body).encode()).hexdigest()


def _is_lock_error(exc: OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "deadlock" in text or "could not obtain lock" in text


def _busy() -> CaseConflict:
    return CaseConflict("case_busy", "案件正由他人办理，请稍后重试", None, [CASE_RULES])


def _replay(existing: CaseStep, request_hash: str) -> CaseStep:
    if existing.request_hash != request_hash:
        raise CaseConflict("idempotency_key_reused", "该请求标识已用于另一项不同的办理请求，请刷新页面后重新提交",
                           "idempotency_key", [CASE_RULES])
    return existing


def _check_actor(case: Case, actor: User) -> None:
    if not getattr(actor, "pk", None) or not actor.is_active:
        raise _refuse("actor_invalid", "须由在职人员登录后办理", "actor", CASE_RULES)
    if not visible_cases(actor).filter(pk=case.pk).exists():
        raise _refuse("case_not_found", "没有找到该案件", None)
    if actor.agency_id != case.agency_id:
        raise _refuse("not_case_agency", f"本案由{case.agency.name}办理，只能由该执法主体的人员办理", "actor",
                      CASE_RULES)


def _check_version(case: Case, payload: Mapping[str, Any]) -> None:
    expected = payload.get("expected_version")
    if expected is None:
        return
    if isinstance(expected, bool) or not isinstance(expected, int):
        raise _refuse("payload_invalid", "案件版本应为整数", "expected_version")
    if expected != case.version:
        raise CaseConflict("stale_version",
                           f"案件已被他人更新（您看到的是第 {expected} 版，现为第 {case.version} 版），请刷新后重办",
                           "expected_version", [CASE_RULES])


def _check_date(case: Case, today: date) -> None:
    last = CaseStep.objects.filter(case=case).order_by("-version").values_list("on", flat=True).first()
    if last is not None and today < last:
        raise _refuse("date_before_last_step", f"办理日期{today.isoformat()}早于本案上一步骤的日期{last.isoformat()}",
                      "today", CASE_RULES)


def _parse(case_agency, action: str, payload: Mapping[str, Any], today: date) -> tuple[dict, dict]:
    if action not in SCHEMAS:
        raise _refuse("action_unknown", f"未知的办理事项：{action}", "action")
    parser = PayloadParser(case_agency, today)
    values, stored = parser.parse(payload_schema(action), payload)
    if parser.errors:
        raise StepRefused.of(parser.errors)
    return values, stored


def _lock(case_id: int) -> Case:
    try:
        return Case.objects.select_for_update(of=("self",)).select_related("agency", "party").get(pk=case_id)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise _refuse("case_not_found", "没有找到该案件", None) from None


def transition(case_id: int, action: str, *, actor: User, payload: Mapping[str, Any] | None = None,
               idempotency_key: str, today: date | None = None) -> CaseStep:
    """Take ``action`` on the case ``case_id`` as ``actor``; returns the step (or the step already taken with
    ``idempotency_key``). Refusals: :class:`StepRefused` (the rules, with every reason and its article) and
    :class:`CaseConflict` (someone else was first). ``today`` is the day the step is taken (default: today in
    Asia/Shanghai; loaders of past cases pass it)."""
    payload = dict(payload or {})
    key = _key(idempotency_key)
    today = today or timezone.localdate()
    request_hash = _request_hash(action, actor, payload)
    try:
        with transaction.atomic():
            case = _lock(case_id)
            _check_actor(case, actor)
            existing = CaseStep.objects.filter(case=case, idempotency_key=key).first()
            if existing is not None:
                return _replay(existing, request_hash)
            _check_version(case, payload)
            _check_date(case, today)
            values, stored = _parse(case.agency, action, payload, today)
            return _take(_Step(case, action, actor, today, values, stored), key, request_hash)
    except OperationalError as exc:
        if _is_lock_error(exc):
            raise _busy() from exc
        raise


def open_case(*, agency, procedure: str, actor: User, payload: Mapping[str, Any], idempotency_key: str,
              today: date | None = None) -> CaseStep:
    """Create a case: 案源登记 (``procedure="general"``) or 适用简易程序 (``"summary"``). Idempotent like
    :func:`transition` (the key is unique within the agency)."""
    try:
        kind = proc.Procedure(procedure)
    except ValueError:
        raise _refuse("procedure_unknown", "程序只能是 general（普通程序）或 summary（简易程序）",
                      "procedure") from None
    action = A.REGISTER_CLUE if kind is proc.Procedure.GENERAL else A.START_SUMMARY
    payload = dict(payload or {})
    key = _key(idempotency_key)
    today = today or timezone.localdate()
    creation_key = f"{agency.pk}:{key}"
    request_hash = _request_hash(action, actor, payload, {"agency": agency.pk})

    def replayed() -> CaseStep | None:
        case = Case.objects.filter(creation_key=creation_key).first()
        if case is None:
            return None
        return _replay(CaseStep.objects.get(case=case, version=1), request_hash)

    if not getattr(actor, "pk", None) or not actor.is_active or actor.agency_id != agency.pk:
        raise _refuse("not_case_agency", f"只能由{agency.name}的在职人员登记本机关的案件", "actor", CASE_RULES)
    try:
        with transaction.atomic():
            if (step := replayed()) is not None:
                return step
            values, stored = _parse(agency, action, payload, today)
            case = Case.objects.create(agency=agency, procedure=kind.value, state=proc.INITIAL[kind].value,
                                       title=values.get("title", ""), creation_key=creation_key, created_by=actor)
            return _take(_Step(case, action, actor, today, values, stored), key, request_hash, creating=True)
    except IntegrityError:
        # another request with the same key created the case first
        step = replayed()
        if step is None:
            raise
        return step
    except OperationalError as exc:
        if _is_lock_error(exc):
            raise _busy() from exc
        raise


def _take(s: _Step, key: str, request_hash: str, *, creating: bool = False) -> CaseStep:
    case = s.case
    from_state = "" if creating else case.state
    aux = s.action in AUX_ACTIONS
    if not aux:
        s.row = proc.transition_for(proc.Procedure(case.procedure), None if creating else proc.State(case.state),
                                    s.action)
    _prepare(s)
    facts = case_facts(case, today=s.today, declared={k: s.values.get(k, False)
                                                      for k in ("credentials_shown", "statement_heard")})
    if creating:
        facts = dataclasses.replace(facts, state=None)
    s.facts = facts
    if aux:
        problems = _check_aux(s)
    else:
        problems = proc.check(facts, s.action, actor_for(s.actor))
        if not any(p.code == "action_not_available" for p in problems):
            problems += _check_more(s)
    problems += files.check_entries(case, s.values)  # files named by records; the 音像记录 obligations
    if problems:
        raise StepRefused.of(problems)
    target = proc.State(case.state) if aux else proc.target_of(facts, s.action)
    started = () if aux else proc.clocks_started(facts, s.action)

    case.version += 1
    s.step = CaseStep.objects.create(
        case=case, version=case.version, action=str(s.action), procedure=case.procedure, from_state=from_state,
        to_state=target.value, actor=s.actor, on=s.today, at=timezone.now(), payload=s.stored,
        idempotency_key=key, request_hash=request_hash)
    for row in (*s.documents, *s.records):
        row.step = s.step
        row.save(update_fields=["step"])

    if aux:
        AUX_EFFECTS[s.action](s)
    else:
        _effects(s, target, started)
    set_urgency(case)
    case.save()

    event_payload = {"case": case.reference or None, "version": case.version, "action": str(s.action),
                     "from": from_state or None, "to": case.state, "payload": s.stored, **s.extra}
    event = record(f"cases.{s.action}", actor=s.actor, agency=case.agency, case_id=case.pk,
                   subject=f"case:{case.pk}", payload=event_payload)
    s.step.event = event
    s.step.save(update_fields=["event"])
    files.attach(case, s.records, actor=s.actor, step=s.step)
    return s.step


# --- before the check: the request's values on the case -------------------------------------------------------

def _prepare(s: _Step) -> None:
    case, v = s.case, s.values
    if s.action == A.HOLD_COLLECTIVE_DISCUSSION:
        _prepare_discussion(s)
    for name, f in payload_schema(s.action).items():
        if f.attr and name in v:
            setattr(case, f.attr, v[name])
    if "items" in v:
        _set_items(s, v["items"])
    if "handlers" in v or s.action in (A.REGISTER_CLUE, A.START_SUMMARY):
        _set_initial_handlers(s, v.get("handlers"))
    penalty = v.get("penalty")
    if s.action == A.NOTIFY:
        penalty = penalty or penalty_from_json(case.proposed_penalty)
        case.notified_penalty = penalty_to_json(penalty)
    if penalty is not None:
        case.proposed_penalty = penalty_to_json(penalty)
    if s.action in (A.DECIDE_NO_PENALTY, A.DECIDE_NOT_ESTABLISHED):
        case.proposed_penalty = None
    for entry in v.get("documents", []):
        s.documents.append(CaseDocument.objects.create(
            case=case, code=entry["code"], title=entry.get("title") or proc.DOCUMENT_LABELS[entry["code"]],
            number=entry.get("number", ""), issued_on=entry["issued_on"], note=entry.get("note", ""),
            recorded_by=s.actor))
    for entry in [*v.get("records", []), *v.get("evidence", [])]:
        s.records.append(CaseRecord.objects.create(
            case=case, code=entry["code"], evidence_kind=entry.get("kind", ""),
            description=entry.get("description", ""), file_hash=entry.get("file_hash", ""), made_on=entry["made_on"],
            recorded_by=s.actor))


def _set_items(s: _Step, items: list[EnforcementItem]) -> None:
    current = {ci.item_id: ci for ci in CaseItem.objects.filter(case=s.case)}
    wanted = [i.pk for i in items]
    CaseItem.objects.filter(case=s.case).exclude(item_id__in=wanted).delete()
    for n, item in enumerate(items):
        row = current.get(item.pk)
        if row is None:
            CaseItem.objects.create(case=s.case, item=item, is_primary=n == 0, added_on=s.today)
        elif row.is_primary != (n == 0):
            row.is_primary = n == 0
            row.save(update_fields=["is_primary"])


def _set_initial_handlers(s: _Step, users: list[User] | None) -> None:
    if users is None:
        users = [s.actor] if "officer" in roles_of(s.actor) else []
    for n, user in enumerate(users):
        CaseHandler.objects.create(case=s.case, user=user, is_lead=n == 0, added_on=s.today)


def _discussion(s: _Step) -> tuple[dict[str, Any] | None, list[RuleViolation]]:
    """The structured 集体讨论 record of the request and its problems (``payload.discussion_record``); the case's
    handlers, removed ones included, attend only to report."""
    from .payload import discussion_record

    handler_ids = CaseHandler.objects.filter(case=s.case).values_list("user_id", flat=True)
    return discussion_record(s.values, agency=s.case.agency, handler_ids=handler_ids, on=s.today)


def _prepare_discussion(s: _Step) -> None:
    """A structured 集体讨论 (Art 57(2)) keeps its record in the step's payload (names of the attendees built from
    the heads present and the others), and registers the 集体讨论出席人员和表决情况 record with its text unless the
    request registers one with a text of its own. A payload of names only is kept as it is."""
    from .payload import discussion_summary

    record, _ = _discussion(s)
    if record is None:
        return
    s.stored.pop("opinions", None)
    s.stored.update(record)
    records = s.values.setdefault("records", [])
    entry = next((r for r in records if r["code"] == "collective_attendance"), None)
    summary = discussion_summary(record, s.values.get("conclusion", ""))
    if entry is None:
        records.append({"code": "collective_attendance", "description": summary,
                        "made_on": s.values.get("held_on") or s.today})
    elif not entry.get("description"):
        entry["description"] = summary
    s.stored["records"] = json_value(records)


# --- checks beyond the table -------------------------------------------------------------------------------

def _check_more(s: _Step) -> list[RuleViolation]:
    """Consistency the table leaves to the service: a handler is an officer; a passed review confirms every
    check of law.md §2.3 and a failed one names a problem; the hearing, deferral and filing dates keep their
    order."""
    out: list[RuleViolation] = []
    v, case = s.values, s.case
    for n, user in enumerate(v.get("handlers", [])):
        if "officer" not in roles_of(user):
            out.append(_refuse("handler_not_officer", f"{user}不是执法人员，不能承办案件", f"handlers[{n}]",
                               proc.ART_42))
    if s.action == A.PASS_REVIEW:
        checks = v.get("checks", {})
        for code, label in REVIEW_CHECKS.items():
            if not checks.get(code, {}).get("ok"):
                out.append(_refuse("review_check_open", f"审核事项未确认：{label}；不符合的，应当审核不通过",
                                   f"checks.{code}", proc.ART_58_REVIEW))
    if s.action == A.FAIL_REVIEW and v.get("checks") and all(c["ok"] for c in v["checks"].values()) \
            and len(v["checks"]) == len(REVIEW_CHECKS):
        out.append(_refuse("review_all_ok", "各审核事项均符合的，应当审核通过", "checks", proc.ART_58_REVIEW))
    if s.action == A.SUBMIT_REVIEW and v.get("reviewer") is not None and "reviewer" not in roles_of(v["reviewer"]):
        out.append(_refuse("reviewer_not_reviewer", f"{v['reviewer']}不是法制审核人员", "reviewer", proc.ART_58_REVIEW))
    if s.action in (A.SCHEDULE_HEARING, A.HOLD_HEARING) and case.hearing_date and case.hearing_notice_on \
            and case.hearing_notice_on > case.hearing_date:
        out.append(_refuse("hearing_notice_after_hearing", "听证通知送达日期晚于听证日期", "hearing_notice_on",
                           proc.ART_64_2))
    if s.action == A.HOLD_HEARING and case.hearing_date and s.today < case.hearing_date:
        out.append(_refuse("hearing_not_yet", f"听证日期为{case.hearing_date.isoformat()}，尚未到期", "hearing_date",
                           proc.ART_64_2))
    if s.action == A.APPROVE_DEFERRAL and case.deferred_until and case.deferred_until <= s.today:
        out.append(_refuse("deferral_in_past", "延期（分期）缴纳的期限应晚于批准之日", "deferred_until", proc.ART_66))
    if s.action == A.FILE and case.filed_on and case.clue_received_on and case.filed_on < case.clue_received_on:
        out.append(_refuse("filed_before_clue", "立案日期早于案源登记日期", "filed_on", proc.ART_54))
    if s.action == A.HOLD_COLLECTIVE_DISCUSSION:
        out += _discussion(s)[1]
    if s.row is not None and s.facts is not None:
        # each step's own 音像记录: an earlier step's recording (already on the case) does not stand for this one
        own = v.get("records", [])
        for code in proc.av_records_of_step(s.facts, s.row):
            if code in s.facts.records and not any(
                    e.get("code") == code and files.record_satisfied(code, e.get("description", ""),
                                                                     e.get("file_hash", "")) for e in own):
                label = proc.RECORD_LABELS[code]
                out.append(_refuse("record_missing", f"本步骤须登记：{label}，{proc.AV_RULES[code]}；"
                                   "此前步骤的音像记录不能代替本步骤的记录", "records", proc.GBF_118_AV))
    if s.action == A.SERVE and v.get("method") == "lodged" and s.facts is not None and proc.av_step_required(
            s.facts, proc.AV_LODGED_SERVICE) and not any(
            e.get("code") == "av_record_or_reason" and files.record_satisfied(
                "av_record_or_reason", e.get("description", ""), e.get("file_hash", "")) for e in v.get("records", [])):
        out.append(_refuse("record_missing", f"留置送达须登记：{proc.RECORD_LABELS['av_record_or_reason']}，"
                           f"{proc.AV_RULES['av_record_or_reason']}", "records", proc.GBF_118_AV, proc.MSSSF_SERVICE))
    if s.action == A.ARCHIVE and (v.get("records") or v.get("evidence")):
        out.append(_refuse("case_finished", "归档时不登记记录或证据：结案后案件内容和证据不得更改", "records",
                           proc.ENDED_RULE))
    published = v.get("published_on")
    if s.action == A.RECORD_PUBLICATION and published and case.decided_on and published < case.decided_on:
        out.append(_refuse("published_before_decision", f"公示日期早于处罚决定日期{case.decided_on.isoformat()}",
                           "published_on", proc.ART_48_PUBLIC))
    return out


# --- after the check: the step's effects ------------------------------------------------------------------------

def _effects(s: _Step, target: proc.State, started: tuple[str, ...]) -> None:
    case, row, today = s.case, s.row, s.today
    assert row is not None and s.facts is not None and s.step is not None
    before = proc.State(case.state)
    ACTION_EFFECTS.get(s.action, lambda _s: None)(s)
    if row.decision is not None:
        case.decision_kind = row.decision.value
        case.decided_on = today
    if row.switches_to is not None:
        case.procedure = row.switches_to.value
    if target is proc.State.SUSPENDED and before is not proc.State.SUSPENDED:
        case.prior_state = before.value
    if row.returns:
        case.prior_state = ""
    case.state = target.value

    calendar = work_calendar()
    if row.stops_all:
        stopped = clocks.stop_all(case, today=today, step=s.step)
    else:
        stopped = clocks.stop(case, row.stops, today=today, step=s.step)
    started_rows = [clocks.start(case, code, today=today, calendar=calendar, step=s.step) for code in started]
    for code in row.extends:
        clocks.extend(case, code, today=today, calendar=calendar, step=s.step)
    for kind in row.closes:
        clocks.close_pause(case, kind, today=today, step=s.step)
    for kind in row.opens:
        clocks.open_pause(case, kind, today=today, step=s.step)
    if s.action == A.APPROVE_DEFERRAL and case.deferred_until:
        clocks.defer_payment(case, case.deferred_until)
    s.extra["clocks_started"] = {c.code: c.due_on.isoformat() for c in started_rows}
    if stopped:
        s.extra["clocks_stopped"] = sorted(stopped)


def _next_reference(case: Case, year: int, series: str) -> str:
    CaseSequence.objects.bulk_create([CaseSequence(agency=case.agency, year=year, series=series)],
                                     ignore_conflicts=True)
    seq = CaseSequence.objects.select_for_update().get(agency=case.agency, year=year, series=series)
    seq.last += 1
    seq.save(update_fields=["last"])
    prefix = case.agency.short_name or case.agency.name
    return f"{prefix}{series}〔{year}〕{seq.last}号"


def _file(s: _Step) -> None:
    s.case.filed_on = s.case.filed_on or s.today
    if not s.case.reference:
        s.case.reference = _next_reference(s.case, s.case.filed_on.year, "案")


def _decide_penalty(s: _Step) -> None:
    s.case.decided_penalty = s.case.proposed_penalty


def _decide_none(s: _Step) -> None:
    s.case.decided_penalty = None


def _decide_on_the_spot(s: _Step) -> None:
    case = s.case
    case.decided_penalty = case.proposed_penalty
    case.decision_served_on = s.today  # handed over on the spot (Art 52)
    case.service_method = "on_the_spot"
    case.decided_on = s.today
    if not case.reference:
        case.reference = _next_reference(case, s.today.year, "简")


def _submit_review(s: _Step) -> None:
    LegalReview.objects.create(case=s.case, submitted_on=s.today, submitted_by=s.actor,
                               assigned_to=s.values.get("reviewer"))


def _review(status: str) -> Callable[[_Step], None]:
    def apply(s: _Step) -> None:
        review = s.case.reviews.filter(status=LegalReview.Status.PENDING).order_by("-id").first()
        if review is None:  # the table only allows this step under review, so a pending row exists
            review = LegalReview(case=s.case, submitted_on=s.today, submitted_by=s.actor)
        review.status = status
        review.reviewer = s.actor
        review.reviewed_on = s.today
        review.opinion = s.values.get("opinion", "")
        review.checks = s.values.get("checks", {})
        # a note given with a check ({"ok": false, "note": …}) counts as that check's note unless check_notes has one
        review.check_notes = {**{code: c["note"] for code, c in review.checks.items() if c.get("note")},
                              **s.values.get("check_notes", {})}
        review.save()
    return apply


def _set(**values: Any) -> Callable[[_Step], None]:
    def apply(s: _Step) -> None:
        for name, value in values.items():
            setattr(s.case, name, value)
    return apply


def _hold_hearing(s: _Step) -> None:
    s.case.hearing_held_on = s.today


def _serve(method: str | None) -> Callable[[_Step], None]:
    def apply(s: _Step) -> None:
        s.case.service_method = method or s.values.get("method", "direct")
    return apply


def _deem_served(s: _Step) -> None:
    case = s.case
    assert case.public_notice_on is not None
    case.decision_served_on = due("public_notice_service", case.public_notice_on, work_calendar()).date


def _fine_of(case: Case) -> Decimal | None:
    p = penalty_from_json(case.decided_penalty)
    return p.fine if p is not None and PenaltyKind.FINE in p.kinds else None


def _collect(s: _Step) -> None:
    amount = _fine_of(s.case)
    Payment.objects.create(case=s.case, amount=amount or Decimal(0), paid_on=s.today, method="on_the_spot",
                           receipt_no=s.values["receipt_no"], step=s.step)


def _deposit(s: _Step) -> None:
    Payment.objects.filter(case=s.case, method="on_the_spot", deposited_on__isnull=True).update(
        deposited_on=s.values["deposited_on"])


def _pay(s: _Step) -> None:
    if "amount" in s.values:
        Payment.objects.create(case=s.case, amount=s.values["amount"], paid_on=s.values["paid_on"],
                               method=s.values.get("method", "bank"), receipt_no=s.values.get("receipt_no", ""),
                               step=s.step)


def _surcharge(s: _Step) -> None:
    fine = _fine_of(s.case)
    last_day = proc.payment_end(s.facts) if s.facts is not None else None
    if fine is None or last_day is None:
        return
    result = late_payment_surcharge(fine, last_day, max(s.today, last_day))
    s.case.surcharge_amount = result.amount
    s.extra["surcharge"] = result.to_json()


ACTION_EFFECTS: dict[str, Callable[[_Step], None]] = {
    A.FILE: _file,
    A.DECIDE_PENALTY: _decide_penalty,
    A.DECIDE_NO_PENALTY: _decide_none,
    A.DECIDE_NOT_ESTABLISHED: _decide_none,
    A.DECIDE_ON_THE_SPOT: _decide_on_the_spot,
    A.SUBMIT_REVIEW: _submit_review,
    A.PASS_REVIEW: _review(LegalReview.Status.PASSED),
    A.FAIL_REVIEW: _review(LegalReview.Status.FAILED),
    A.HOLD_COLLECTIVE_DISCUSSION: _set(collective_discussion_held=True),
    A.WAIVE_STATEMENT: _set(statement_waived=True),
    A.DECLINE_HEARING: _set(hearing_declined=True),
    A.WITHDRAW_HEARING: _set(hearing_waived=True),
    A.HOLD_HEARING: _hold_hearing,
    A.SERVE: _serve(None),
    A.SERVE_ELECTRONIC: _serve("electronic"),
    A.SERVE_BY_PUBLIC_NOTICE: _serve("public_notice"),
    A.DEEM_SERVED: _deem_served,
    A.COLLECT_ON_THE_SPOT: _collect,
    A.DEPOSIT_CASH: _deposit,
    A.PAY: _pay,
    A.IMPOSE_SURCHARGE: _surcharge,
    A.APPLY_COURT_ENFORCEMENT: lambda s: setattr(s.case, "court_applied_on", s.today),
    A.CLOSE: lambda s: setattr(s.case, "closed_on", s.today),
    A.ARCHIVE: lambda s: setattr(s.case, "archived_on", s.today),
}


# --- auxiliary actions -------------------------------------------------------------------------------------------

OPEN_STATES = frozenset(proc.State) - proc.TERMINAL
# 结案 (and 撤销立案, 不予立案, 归档) ends the case: its content and evidence no longer change (全过程记录, Art 47);
# what was wrong is said by a new event, "结案后补正", that names the event it corrects and the reason.
BEFORE_DECISION = proc.PRE_DECISION | {proc.State.CLUE, proc.State.ON_THE_SPOT, proc.State.SUSPENDED}


def _active_handler(case: Case, user: User) -> CaseHandler | None:
    return CaseHandler.objects.filter(case=case, user=user, removed_on__isnull=True).first()


def _was_handler(case: Case, user: User) -> bool:
    return CaseHandler.objects.filter(case=case, user=user).exists()


def _check_aux(s: _Step) -> list[RuleViolation]:
    case, actor, v = s.case, s.actor, s.values
    roles = roles_of(actor)
    state = proc.State(case.state)
    out: list[RuleViolation] = []
    label = AUX_ACTIONS[s.action]
    is_handler = _active_handler(case, actor) is not None
    states = BEFORE_DECISION if s.action in ("update_particulars", "assess", "add_handler") else OPEN_STATES
    if s.action == "correct_after_closing":
        if state not in proc.FINISHED:
            out.append(_refuse("action_not_available", f"案件处于“{proc.STATE_LABELS[state]}”阶段，尚未结案，"
                               "请直接办理相应步骤，不必补正", "action", proc.ENDED_RULE))
        refers = v.get("refers_to")
        if refers is not None and not Event.objects.filter(pk=refers, case_id=case.pk).exists():
            out.append(_refuse("event_not_of_case", f"第 {refers} 号记录事件不是本案的事件", "refers_to",
                               proc.ENDED_RULE))
        for name in ("documents", "records", "evidence"):
            if v.get(name):
                out.append(_refuse("case_finished", "结案后补正只写明补正内容和理由，不登记文书、记录或证据：结案后"
                                   "案件内容和证据不得更改", name, proc.ENDED_RULE))
    elif state in proc.FINISHED:
        out.append(_refuse("case_finished", f"案件已{proc.STATE_LABELS[state]}，案件内容和证据不得更改，不能{label}；"
                           "需要更正的，请登记“结案后补正”并写明理由", "action", proc.ENDED_RULE))
    elif state not in states:
        out.append(_refuse("action_not_available", f"案件处于“{proc.STATE_LABELS[state]}”阶段，不能{label}", "action",
                           CASE_RULES))
    allowed = {
        "update_particulars": ("head" in roles) or (is_handler and "officer" in roles),
        "add_handler": ("head" in roles) or bool(CaseHandler.objects.filter(case=case, user=actor, is_lead=True,
                                                                            removed_on__isnull=True).exists()),
        "remove_handler": "head" in roles,
        "declare_conflict": "head" in roles or (v.get("user") == actor and is_handler),
        "decide_approval": "head" in roles,
        "record_document": bool(roles & {"head", "reviewer", "clerk"}) or is_handler,
        "record_material": bool(roles & {"head", "reviewer", "clerk"}) or is_handler,
        "assess": bool(roles & {"head", "reviewer"}) or is_handler,
        "correct_after_closing": bool(roles & {"head", "reviewer", "clerk"}) or _was_handler(case, actor),
    }[s.action]
    if not allowed:
        who = {"add_handler": "负责人或者主办人", "remove_handler": "负责人", "decide_approval": "负责人",
               "declare_conflict": "负责人或者该执法人员本人"}.get(
            s.action, "本案承办人员、负责人或者法制审核、内勤人员")
        basis = proc.APPROVAL_BASIS.get(v.get("kind"), ()) if s.action == "decide_approval" else ()
        out.append(_refuse("role_not_allowed", f"“{label}”只能由{who}办理", "actor", *(basis or (CASE_RULES,))))
    user = v.get("user")
    if s.action == "add_handler" and user is not None:
        if "officer" not in roles_of(user):
            out.append(_refuse("handler_not_officer", f"{user}不是执法人员，不能承办案件", "user", proc.ART_42))
        if _active_handler(case, user) is not None:
            out.append(_refuse("handler_exists", f"{user}已是本案承办人员", "user"))
    if s.action in ("remove_handler", "declare_conflict") and user is not None and _active_handler(case, user) is None:
        out.append(_refuse("handler_missing", f"{user}不是本案现有承办人员", "user"))
    if s.action == "assess" and not case.case_items.exists():
        out.append(_refuse("items_missing", "案件尚未确定执法事项，不能进行裁量计算", "items"))
    return out


def _aux_update(s: _Step) -> None:
    pass  # the fields and items were applied before the check


def _aux_add_handler(s: _Step) -> None:
    if s.values.get("is_lead"):
        CaseHandler.objects.filter(case=s.case, removed_on__isnull=True).update(is_lead=False)
    CaseHandler.objects.create(case=s.case, user=s.values["user"], is_lead=bool(s.values.get("is_lead")),
                               added_on=s.today)


def _aux_remove_handler(s: _Step) -> None:
    h = _active_handler(s.case, s.values["user"])
    assert h is not None
    h.removed_on = s.today
    h.removal_reason = s.values["reason"][:200]
    h.save(update_fields=["removed_on", "removal_reason"])


def _aux_conflict(s: _Step) -> None:
    h = _active_handler(s.case, s.values["user"])
    assert h is not None
    h.conflict_declared = True
    h.conflict_reason = s.values["reason"][:200]
    h.save(update_fields=["conflict_declared", "conflict_reason"])


def _aux_approval(s: _Step) -> None:
    CaseApproval.objects.create(case=s.case, kind=s.values["kind"], decided_by=s.actor, decided_on=s.today,
                                approved=s.values.get("approved", True), note=s.values.get("opinion", ""),
                                step=s.step)


def _aux_assess(s: _Step) -> None:
    from zhifa.catalog.rules import assess_item

    case = s.case
    code = s.values.get("item")
    items = case.case_items.select_related("item")
    chosen = next((ci.item for ci in items if ci.item.code == code), None) if code else \
        next((ci.item for ci in items), None)
    if chosen is None:
        raise StepRefused.of([_refuse("item_not_on_case", f"执法事项 {code} 不是本案的事项", "item")])
    facts = dict(s.values["facts"])
    facts.setdefault("party", "organisation" if case.party is not None and case.party.kind == "organisation"
                     else "person" if case.party is not None else "organisation")
    if case.act_date and "act_date" not in facts:
        facts["act_date"] = case.act_date.isoformat()
    try:
        result = assess_item(chosen, facts, agency=case.agency, on=s.today)
    except RuleViolation as exc:
        field = f"facts.{exc.field}" if exc.field else "facts"
        raise StepRefused.of([RuleViolation(exc.code, exc.message, field, list(exc.basis))]) from None
    case.assessment = result.to_json()
    case.assessment_facts = facts
    case.assessed_on = s.today
    rng = result.recommended_range
    case.recommended_min, case.recommended_max = (rng if rng is not None else (None, None))
    s.extra["assessment"] = {"item": chosen.code, "outcome": result.outcome.value,
                             "recommended_range": case.assessment.get("recommended_range")}


AUX_EFFECTS: dict[str, Callable[[_Step], None]] = {
    "update_particulars": _aux_update,
    "add_handler": _aux_add_handler,
    "remove_handler": _aux_remove_handler,
    "declare_conflict": _aux_conflict,
    "decide_approval": _aux_approval,
    "record_document": lambda s: None,
    "record_material": lambda s: None,
    "assess": _aux_assess,
    "correct_after_closing": lambda s: None,  # the step and its event are the correction
}


# --- conveniences over transition() -------------------------------------------------------------------------------

def add_handler(case_id: int, user: User, *, actor: User, idempotency_key: str, is_lead: bool = False,
                today: date | None = None) -> CaseStep:
    return transition(case_id, "add_handler", actor=actor, payload={"user": user.pk, "is_lead": is_lead},
                      idempotency_key=idempotency_key, today=today)


def remove_handler(case_id: int, user: User, *, actor: User, reason: str, idempotency_key: str,
                   today: date | None = None) -> CaseStep:
    return transition(case_id, "remove_handler", actor=actor, payload={"user": user.pk, "reason": reason},
                      idempotency_key=idempotency_key, today=today)


def declare_conflict(case_id: int, user: User, *, actor: User, reason: str, idempotency_key: str,
                     today: date | None = None) -> CaseStep:
    """Record a ground for recusal of a handler (Art 43); the head then replaces them."""
    return transition(case_id, "declare_conflict", actor=actor, payload={"user": user.pk, "reason": reason},
                      idempotency_key=idempotency_key, today=today)


def decide_approval(case_id: int, kind: str, *, actor: User, idempotency_key: str, approved: bool = True,
                    opinion: str = "", today: date | None = None) -> CaseStep:
    """The head approves (or refuses) 先行登记保存, 查封扣押 or the 拟处罚意见 (procedure.APPROVAL_LABELS)."""
    payload: dict[str, Any] = {"kind": kind, "approved": approved}
    if opinion:
        payload["opinion"] = opinion
    return transition(case_id, "decide_approval", actor=actor, payload=payload, idempotency_key=idempotency_key,
                      today=today)


def record_document(case_id: int, documents: list, *, actor: User, idempotency_key: str,
                    today: date | None = None) -> CaseStep:
    return transition(case_id, "record_document", actor=actor, payload={"documents": documents},
                      idempotency_key=idempotency_key, today=today)


def record_material(case_id: int, records: list, *, actor: User, idempotency_key: str,
                    today: date | None = None) -> CaseStep:
    return transition(case_id, "record_material", actor=actor, payload={"records": records},
                      idempotency_key=idempotency_key, today=today)


def record_evidence(case_id: int, evidence: list, *, actor: User, idempotency_key: str,
                    today: date | None = None) -> CaseStep:
    """Evidence of the eight kinds of Art 46 (the table's 登记证据, during the investigation)."""
    return transition(case_id, A.RECORD_EVIDENCE, actor=actor, payload={"evidence": evidence},
                      idempotency_key=idempotency_key, today=today)


def correct_after_closing(case_id: int, correction: str, *, reason: str, actor: User, idempotency_key: str,
                          refers_to: int | None = None, today: date | None = None) -> CaseStep:
    """After 结案 the case does not change: a correction is a new step and event, with the reason and, where it
    corrects one act, the number of that act's event."""
    payload: dict[str, Any] = {"correction": correction, "reason": reason}
    if refers_to is not None:
        payload["refers_to"] = refers_to
    return transition(case_id, "correct_after_closing", actor=actor, payload=payload,
                      idempotency_key=idempotency_key, today=today)


def assess_case(case_id: int, facts: Mapping[str, Any], *, actor: User, idempotency_key: str,
                item: str | None = None, today: date | None = None) -> CaseStep:
    """Run the discretion calculation (``catalog.rules.assess_item``) for the case and keep its result: the
    recommended range is what the 裁量 guard compares a fine with (Art 5, 34)."""
    payload: dict[str, Any] = {"facts": dict(facts)}
    if item:
        payload["item"] = item
    return transition(case_id, "assess", actor=actor, payload=payload, idempotency_key=idempotency_key, today=today)


# --- scoping -------------------------------------------------------------------------------------------------

def set_urgency(case: Case) -> None:
    """Keep ``next_due`` / ``next_party_due`` (the nearest running agency and party clocks) on the case, for the
    lists' order by urgency (views.common.by_urgency)."""
    agency = party = None
    for code, due_on in CaseClock.objects.filter(case=case, stopped_on__isnull=True).values_list("code", "due_on"):
        if code in proc.PARTY_CLOCKS:
            party = due_on if party is None else min(party, due_on)
        else:
            agency = due_on if agency is None else min(agency, due_on)
    case.next_due, case.next_party_due = agency, party


def visible_cases(user) -> QuerySet[Case]:
    """The cases a user may see: those of their agency and the agencies under it (a platform superuser: all)."""
    ids = visible_agency_ids(user)
    if ids is None:
        return Case.objects.all()
    return Case.objects.filter(agency_id__in=ids) if ids else Case.objects.none()


def handled_rows(user, states=()) -> QuerySet[CaseHandler]:
    """The active handler rows of ``user`` on the cases they may see (in ``states`` if given), from the rows' copies
    of the case's agency and state (``CaseHandler.case_*``, kept by triggers): "我承办的" without a look-up of each
    case."""
    if getattr(user, "is_authenticated", False) and user.agency_id is not None:
        rows = _handled_of(user.pk, user.agency_id)
    else:  # a platform account: every agency (superuser) or none (visible_agency_ids)
        rows = CaseHandler.objects.filter(user=user, removed_on__isnull=True)
        if visible_agency_ids(user) is not None:
            rows = rows.none()
    return rows.filter(case_state__in=list(states)) if states else rows


def handled_count(user, state: str = "") -> int | None:
    """How many cases ``user`` handles (in ``state`` if given) — ``handled_rows(user, [state]).count()`` — by a
    compiled query (zhifa.prepared) for a person of an agency; None for a platform account (count the rows)."""
    if not getattr(user, "is_authenticated", False) or user.agency_id is None:
        return None
    found = _HANDLED_IN(user.pk, user.agency_id, state) if state else _HANDLED(user.pk, user.agency_id)
    return found[0] if found else 0


def _handled_of(user_id, agency_id):
    """The active handler rows of a person on the cases of an agency and the agencies under it."""
    return CaseHandler.objects.filter(user_id=user_id, removed_on__isnull=True,
                                      case_agency_id__in=_subtree_of(agency_id).values("id"))


def _subtree_of(agency_id):
    # The agency and every agency under it (their paths start with its path; a path holds only digits and slashes,
    # so no LIKE wildcard can occur in it).
    # (``path`` unqualified: inside a subquery Django gives the table another alias)
    table = Agency._meta.db_table
    return Agency.objects.extra(where=[f"path LIKE (SELECT top.path FROM {table} top WHERE top.id = %s) || '%%'"],
                                params=[agency_id]).order_by()


_HANDLED = Prepared("case.handled_count", lambda user_id, agency_id: counted(_handled_of(user_id, agency_id),
                                                                            "user_id"), int, int)
_HANDLED_IN = Prepared("case.handled_count_in_state", lambda user_id, agency_id, state: counted(
    _handled_of(user_id, agency_id).filter(case_state=state), "user_id"), int, int, str)


def visible_agency_ids(user) -> list[int] | None:
    """The ids of the agencies whose cases ``user`` may see (``None``: every agency, for a platform superuser).

    A list (one small query), not a join on the agency path: the case indexes that start with the agency (state,
    urgency, newest first) then serve the lists directly."""
    if not getattr(user, "is_authenticated", False) or (user.agency_id is None and not user.is_superuser):
        return []
    if user.agency_id is None:
        return None
    known = getattr(user, "_visible_agencies", None)  # asked more than once in a request: read once per user object
    if known is None or known[0] != user.agency_id:
        known = user._visible_agencies = (user.agency_id, _SUBTREE(user.agency_id))
    return list(known[1])


# the agency subtree, compiled once (zhifa.prepared)
_SUBTREE = Prepared("org.agency_subtree", lambda agency_id: _subtree_of(agency_id).values_list("id", flat=True), int)
_CASE = Prepared("case.page", lambda pk: Case.objects.filter(pk=pk).select_related("agency", "party", "created_by"),
                 int)


def visible_case(user, pk: int) -> Case | None:
    """The case ``pk`` with its agency, party and author if ``user`` may see it (``visible_cases``), else None: the
    case read by one compiled query, then the rule asked of the row."""
    if not isinstance(pk, int) or not 0 < pk < 2**63:
        return None
    found = _CASE(pk)
    if not found:
        return None
    agencies = visible_agency_ids(user)
    return found[0] if agencies is None or found[0].agency_id in agencies else None


__all__ = [
    "AUX_ACTIONS",
    "COMMON",
    "REVIEW_CHECKS",
    "SCHEMAS",
    "CaseConflict",
    "Field",
    "StepRefused",
    "action_label",
    "add_handler",
    "assess_case",
    "correct_after_closing",
    "decide_approval",
    "declare_conflict",
    "handled_count",
    "handled_rows",
    "open_case",
    "payload_schema",
    "record_document",
    "record_evidence",
    "record_material",
    "remove_handler",
    "transition",
    "usable_key",
    "visible_agency_ids",
    "visible_case",
    "visible_cases",
]
