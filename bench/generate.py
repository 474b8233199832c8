"""Synthetic enforcement data for the benchmarks: agencies, officers, parties, cases in every state, events.

    .venv/bin/python bench/generate.py --cases 100000 [--engine sqlite|postgres] [--name DB] [--seed 1]

It starts from the reference catalog and the demo bureau (``load_demo --without-cases``) and adds county
agencies under the demo city, each a copy of the demo bureau's staff (heads, 法制股, officers with their
certificates, annual reviews and trainings, so the Art 42 qualification rule holds as it does in the demo),
its own parties (businesses with valid credit codes, individuals with valid ID numbers), and its cases.

Every case walks a scenario of the procedure table (``zhifa.law.procedure``; each step checked with
``transition_for``) up to its state: a case in state S has the steps, documents, records, approvals, reviews,
clocks (dates from ``zhifa.law.clocks.due`` and the holiday calendar) and hash-chained record events a case
walked to S through the service would have. The mix: most cases are old and archived, the rest spread over
every open state with recent dates, so some agency clocks are overdue, some due soon, most running.

Rows are written with the database's bulk path (``executemany`` on SQLite, ``COPY`` on PostgreSQL) in one
transaction per batch; the ids are assigned here so related rows need no round trip. This is for benchmark
databases only: it bypasses the services on purpose, and it refuses a database that already has cases other
than its own.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import create_pg_database, database_env, setup_django

BENCH_PREFIX = "BENCH-"
CASES_PER_AGENCY = 5000
BATCH = 5000

# Scenarios: the action sequences a case walks, each a path of the procedure table. A case in state S takes the
# prefix of a scenario up to the step that reaches S. Together they reach every state of both procedures.
GENERAL_PENALTY = ["register_clue", "file", "start_investigation", "inspect", "interview", "record_evidence",
                   "close_investigation", "submit_review", "pass_review", "submit_for_decision", "notify",
                   "waive_statement", "conclude_statements", "decide_penalty", "serve", "pay", "record_publication",
                   "close", "archive"]
SCENARIOS: dict[str, tuple[str, list[str]]] = {
    "penalty": ("general", GENERAL_PENALTY),
    "hearing": ("general", ["register_clue", "file", "start_investigation", "inspect", "record_evidence",
                            "close_investigation", "submit_review", "pass_review", "submit_for_decision",
                            "notify", "request_hearing", "schedule_hearing", "hold_hearing", "submit_review",
                            "pass_review", "submit_for_decision", "decide_penalty",
                            "serve", "mark_overdue", "impose_surcharge", "urge", "apply_court_enforcement",
                            "record_enforced", "close", "archive"]),
    "review_failed": ("general", ["register_clue", "file", "start_investigation", "record_evidence",
                                  "close_investigation", "submit_review", "fail_review"]),
    "no_penalty": ("general", ["register_clue", "file", "start_investigation", "inspect", "record_evidence",
                               "close_investigation", "submit_review", "pass_review", "submit_for_decision",
                               "decide_no_penalty", "serve", "close", "archive"]),
    "not_filed": ("general", ["register_clue", "not_file"]),
    "withdrawn": ("general", ["register_clue", "file", "start_investigation", "withdraw"]),
    "suspended": ("general", ["register_clue", "file", "start_investigation", "record_evidence", "suspend"]),
    "transferred": ("general", ["register_clue", "file", "start_investigation", "record_evidence",
                                "report_crime", "transfer_criminal"]),
    "summary": ("summary", ["start_summary", "decide_on_the_spot", "file_with_agency", "pay", "close",
                            "archive"]),
}
# Share of cases per final state group: old archived cases dominate, as in any bureau after a few years.
ARCHIVED_SHARE = 0.6
CLOSED_SHARE = 0.08


@dataclass
class Walk:
    """A scenario prefix ending in ``state``: the rows (procedure.Transition) and the states after each."""

    procedure: str
    state: str
    rows: list = field(default_factory=list)
    states: list[str] = field(default_factory=list)


def walks() -> dict[tuple[str, str], list[Walk]]:
    """Every (procedure, state) the scenarios reach → the walks that end there (checked against the table)."""
    from zhifa.law import procedure as proc

    out: dict[tuple[str, str], list[Walk]] = {}
    for name, (procedure, actions) in SCENARIOS.items():
        kind = proc.Procedure(procedure)
        state = None
        rows, states = [], []
        for i, action in enumerate(actions):
            row = proc.transition_for(kind, state, action)
            if row is None:
                raise SystemExit(f"scenario {name}: {action} cannot follow {state}")
            rows.append(row)
            state = row.target if row.target is not None else state
            if row.returns:
                raise SystemExit(f"scenario {name}: {action} returns to a prior state")
            states.append(state.value)
            if row.target is not None or i + 1 == len(actions):
                out.setdefault((procedure, state.value), []).append(
                    Walk(procedure, state.value, list(rows), list(states)))
    return out


# --- writing rows --------------------------------------------------------------------------------------------

class Writer:
    """Bulk rows for a model, with every column: defaults once, the given values prepared for the backend."""

    def __init__(self, connection, model):
        self.connection, self.model = connection, model
        self.vendor = connection.vendor
        fields = list(model._meta.concrete_fields)
        self.names = [f.attname for f in fields]
        self.columns = [f.column for f in fields]
        self._converters = None
        self.index = {n: i for i, n in enumerate(self.names)}
        self.template = []
        for f in fields:
            default = None if f.primary_key else f.get_default()
            if f.null and not f.has_default():
                default = None
            self.template.append(self.prep(default))
        self.rows: list[list] = []

    def prep(self, v):
        conv = self.converters.get(type(v))
        return conv(v) if conv else v

    @property
    def converters(self) -> dict:
        if self._converters is None:
            sqlite = self.vendor == "sqlite"
            cache: dict = {}

            def day(v):
                s = cache.get(v)
                if s is None:
                    s = cache[v] = v.isoformat()
                return s

            def json_text(v):
                return json.dumps(v, ensure_ascii=False)

            self._converters = {dict: json_text, list: json_text, Decimal: str}
            if sqlite:
                self._converters.update({
                    bool: int, date: day,
                    datetime: lambda v: v.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")})
        return self._converters

    def add(self, **values) -> None:
        row = self.template.copy()
        index, conv = self.index, self.converters
        for k, v in values.items():
            c = conv.get(type(v))
            row[index[k]] = c(v) if c else v
        self.rows.append(row)

    def flush(self) -> int:
        rows, self.rows = self.rows, []
        if not rows:
            return 0
        table = self.connection.ops.quote_name(self.model._meta.db_table)
        cols = ", ".join(self.connection.ops.quote_name(c) for c in self.columns)
        with self.connection.cursor() as cur:
            if self.vendor == "postgresql":
                with cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for r in rows:
                        copy.write_row(r)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)
        return len(rows)


def next_id(model) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def reset_sequences(connection, models) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        for m in models:
            table, pk = m._meta.db_table, m._meta.pk.column
            cur.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{pk}'), "
                        f"COALESCE((SELECT MAX(\"{pk}\") FROM \"{table}\"), 1))")


# --- agencies and staff --------------------------------------------------------------------------------------

@dataclass
class Staff:
    agency: object
    officers: list  # users with the officer role who may enforce today
    by_domain: dict[str, list]  # domain code → qualified officers
    heads: list
    reviewers: list
    clerk: object | None


def clone_agencies(count: int, today: date) -> list[Staff]:
    """``count`` county agencies under the demo city, each with a copy of the demo bureau's staff."""
    from django.contrib.auth.models import Group
    from django.db import transaction

    from zhifa.catalog.models import Domain
    from zhifa.org import demo
    from zhifa.org.models import Agency, AnnualReview, Certificate, CertificateStatusChange, Training, User

    template = Agency.objects.get(code=demo.AGENCY["code"])
    people = list(User.objects.filter(agency=template).prefetch_related(
        "groups", "certificates__domains", "certificates__annual_reviews", "certificates__status_changes",
        "trainings").order_by("pk"))
    existing = {a.code: a for a in Agency.objects.filter(code__startswith=BENCH_PREFIX)}
    out = []
    for k in range(1, count + 1):
        code = f"{BENCH_PREFIX}{k:04d}"
        if code in existing:
            agency = existing[code]
        else:
            with transaction.atomic():
                agency = Agency(code=code, region_code=template.region_code, name=f"合成第{k}县文化广电和旅游局",
                                document_name=f"合成第{k}县文化广电和旅游局", short_name=f"合{k}文旅",
                                brigade_name=f"合成第{k}县文化市场综合执法大队", parent=template.parent,
                                merged_brigade=True)
                agency.save()
                _clone_staff(agency, k, people, Group, Certificate, AnnualReview, CertificateStatusChange,
                             Training, User)
        out.append(staff_of(agency, today, Domain))
    return out


def _clone_staff(agency, k, people, Group, Certificate, AnnualReview, CertificateStatusChange, Training, User):
    copies = []
    for p in people:
        u = User(username=f"{p.username}.{k:04d}", full_name=p.full_name, agency=agency, position=p.position,
                 phone=p.phone, employee_no=p.employee_no, joined_on=p.joined_on, password=p.password,
                 has_legal_qualification=p.has_legal_qualification,
                 legal_qualification_no=p.legal_qualification_no, first_review_on=p.first_review_on,
                 must_change_password=False, password_changed_at=p.password_changed_at, is_active=p.is_active)
        copies.append(u)
    User.objects.bulk_create(copies)
    copies = list(User.objects.filter(agency=agency).order_by("pk"))
    by_name = {u.username.rsplit(".", 1)[0]: u for u in copies}
    groups, certs, trainings = [], [], []
    for p in people:
        u = by_name[p.username]
        groups += [User.groups.through(user_id=u.pk, group_id=g.pk) for g in p.groups.all()]
        for c in p.certificates.all():
            certs.append((c, Certificate(holder=u, number=f"{c.number}-{k:04d}",
                                         issuing_authority=c.issuing_authority, issued_on=c.issued_on,
                                         valid_until=c.valid_until)))
        trainings += [Training(person=u, kind=t.kind, title=t.title, organiser=t.organiser, start_on=t.start_on,
                               end_on=t.end_on, hours=t.hours, days=t.days, exam_result=t.exam_result,
                               exam_score=t.exam_score, for_year=t.for_year) for t in p.trainings.all()]
    User.groups.through.objects.bulk_create(groups)
    Certificate.objects.bulk_create([c for _, c in certs])
    domains, reviews, changes = [], [], []
    for old, new in certs:
        domains += [Certificate.domains.through(certificate_id=new.pk, domain_id=d.pk) for d in old.domains.all()]
        reviews += [AnnualReview(certificate=new, year=r.year, reviewed_on=r.reviewed_on, passed=r.passed,
                                 note=r.note) for r in old.annual_reviews.all()]
        changes += [CertificateStatusChange(certificate=new, status=s.status, effective_on=s.effective_on,
                                            reason=s.reason) for s in old.status_changes.all()]
    Certificate.domains.through.objects.bulk_create(domains)
    AnnualReview.objects.bulk_create(reviews)
    CertificateStatusChange.objects.bulk_create(changes)
    Training.objects.bulk_create(trainings)


def staff_of(agency, today: date, Domain) -> Staff:
    from zhifa.law import procedure as proc
    from zhifa.org.models import User
    from zhifa.org.services import may_enforce, training_rules

    users = list(User.objects.filter(agency=agency, is_active=True).prefetch_related(
        "groups", "certificates__domains", "certificates__annual_reviews", "certificates__status_changes",
        "trainings").order_by("pk"))
    rules = training_rules(agency, today)
    domains = list(Domain.objects.all())
    officers, by_domain = [], {}
    for u in users:
        codes = u.role_codes()
        if proc.OFFICER not in codes:
            continue
        ok = [d.code for d in domains if may_enforce(u, d, today, rules).allowed]
        if ok:
            officers.append(u)
        for code in ok:
            by_domain.setdefault(code, []).append(u)
    heads = [u for u in users if proc.HEAD in u.role_codes()]
    reviewers = [u for u in users if proc.REVIEWER in u.role_codes() and u.has_legal_qualification]
    clerks = [u for u in users if proc.CLERK in u.role_codes()]
    return Staff(agency, officers, {k: v for k, v in by_domain.items() if len(v) >= 2}, heads, reviewers,
                 clerks[0] if clerks else None)


# --- the generator -------------------------------------------------------------------------------------------

class Generator:
    def __init__(self, connection, *, seed: int, today: date):
        from zhifa.cases import models as cm
        from zhifa.catalog.calendar import work_calendar
        from zhifa.catalog.models import EnforcementItem
        from zhifa.parties.models import Party
        from zhifa.records.models import Event
        from zhifa.records.services import GENESIS, algorithm, canonical, hashed_text

        self.rng = random.Random(seed)
        self.today = today
        self.connection = connection
        self.calendar = work_calendar()
        self.walks = walks()
        self.items = list(EnforcementItem.objects.select_related("domain").order_by("code"))
        self.m = cm
        self.w = {name: Writer(connection, model) for name, model in {
            "party": Party, "case": cm.Case, "item": cm.CaseItem, "handler": cm.CaseHandler,
            "step": cm.CaseStep, "document": cm.CaseDocument, "record": cm.CaseRecord, "clock": cm.CaseClock,
            "approval": cm.CaseApproval, "review": cm.LegalReview, "payment": cm.Payment, "event": Event,
            "sequence": cm.CaseSequence}.items()}
        self.models = {name: w.model for name, w in self.w.items()}
        self.ids = {name: next_id(model) for name, model in self.models.items()}
        last = Event.objects.order_by("-id").values_list("hash", flat=True).first()
        self.prev_hash = last or GENESIS
        self.algorithm = algorithm()
        self.now = datetime.now(UTC)
        self.due_cache: dict[tuple[str, date], date] = {}
        self.people: dict[int, tuple[str, str]] = {}
        self.payload_parts: dict[tuple, str] = {}
        self.hasher = hashlib.new(self.algorithm)
        self.hashed_text, self.canonical = hashed_text, canonical
        self.checked = 0
        self.counts: dict[str, int] = {}

    def take(self, name: str) -> int:
        i = self.ids[name]
        self.ids[name] = i + 1
        return i

    def flush(self) -> None:
        from django.db import transaction

        with transaction.atomic():
            for name in ("party", "case", "item", "handler", "event", "step", "document", "record", "clock",
                         "approval", "review", "payment", "sequence"):
                self.counts[name] = self.counts.get(name, 0) + self.w[name].flush()

    # parties ------------------------------------------------------------------------------------------------
    def parties(self, staff: Staff, n: int) -> list[int]:
        from zhifa.org.demo import make_resident_id, make_uscc

        kinds = ["网吧", "KTV", "酒吧", "书店", "印刷厂", "旅行社", "演出经纪", "音像店", "艺术品店", "游艺厅"]
        out = []
        agency = staff.agency
        for i in range(n):
            pk = self.take("party")
            if i % 4 == 3:  # a natural person
                # one person per birth day within the agency (7919 is prime: i ↦ day is one-to-one below 14,600),
                # so the ID numbers never repeat in an agency
                born = date(1960, 1, 1) + timedelta(days=(i * 7919) % (40 * 365))
                self.w["party"].add(id=pk, agency_id=agency.pk, kind="person", name=f"合成个人{pk}",
                                    id_type="resident_id", id_number=make_resident_id(born, 1, male=bool(pk % 2)),
                                    birth_date=born, address=f"{agency.name}辖区第{i}号", created_at=self.now,
                                    updated_at=self.now, is_active=True)
            else:
                name = f"合成{kinds[i % len(kinds)]}{pk}号"
                self.w["party"].add(id=pk, agency_id=agency.pk, kind="organisation", name=name,
                                    credit_code=make_uscc(f"{agency.code}-{pk}"), representative=f"负责人{pk}",
                                    address=f"{agency.name}辖区第{i}号", created_at=self.now, updated_at=self.now,
                                    is_active=True)
            out.append(pk)
        return out

    # cases --------------------------------------------------------------------------------------------------
    def pick_walk(self) -> Walk:
        r = self.rng.random()
        if r < ARCHIVED_SHARE:
            key = ("summary", "archived") if self.rng.random() < 0.15 else ("general", "archived")
        elif r < ARCHIVED_SHARE + CLOSED_SHARE:
            key = ("general", "closed")
        else:
            keys = [k for k in self.walks if k[1] not in ("archived", "closed")]
            key = self.rng.choice(keys)
        return self.rng.choice(self.walks[key])

    def due(self, code: str, start: date) -> date:
        from zhifa.law.clocks import CLOCKS, due

        key = (code, start)
        if key not in self.due_cache:
            if code in CLOCKS:
                self.due_cache[key] = due(code, start, self.calendar).date
            else:  # the policy clocks (立案期限, 陈述申辩期限): their default 15 and 5 working days
                self.due_cache[key] = self.calendar.add_working_days(start, 15 if code == "filing" else 5).date
        return self.due_cache[key]

    def case(self, staff: Staff, parties: list[int], sequences: dict) -> None:
        from zhifa.law import procedure as proc

        rng, w = self.rng, self.w
        walk = self.pick_walk()
        archived = walk.state in ("archived", "closed")
        n = len(walk.rows)
        span = n * rng.randint(2, 6)
        if archived:
            start = self.today - timedelta(days=rng.randint(span + 30, 6 * 365))
        else:
            start = self.today - timedelta(days=rng.randint(span, span + 60))
        item = rng.choice([i for i in self.items if i.domain.code in staff.by_domain] or self.items)
        team = rng.sample(staff.by_domain.get(item.domain.code, staff.officers), 2)
        head = rng.choice(staff.heads)
        reviewer = rng.choice(staff.reviewers) if staff.reviewers else head
        case_id = self.take("case")
        agency = staff.agency
        fine = Decimal(rng.choice([500, 1000, 2000, 3000, 5000, 8000, 10000, 20000]))
        penalty = {"kinds": ["warning", "fine"], "fine": str(fine)}
        c = {"id": case_id, "agency_id": agency.pk, "procedure": walk.procedure, "state": walk.state,
             "title": f"{rng.choice(['涉嫌', '举报'])}{item.name[:40]}案", "clue_source": rng.choice(
                 ["inspection", "complaint", "referral", "other"]) if walk.procedure == "general" else "",
             "clue_received_on": start, "act_date": start - timedelta(days=rng.randint(0, 20)),
             "discovered_on": start, "party_id": rng.choice(parties), "created_by_id": team[0].pk,
             "created_at": self.now, "updated_at": self.now, "version": n}
        day = start
        running: dict[str, dict] = {}
        review: dict | None = None
        for v, (row, state) in enumerate(zip(walk.rows, walk.states, strict=True), start=1):
            if v > 1:
                day = min(day + timedelta(days=rng.randint(1, 5)), self.today)
            actor = team[0]
            if proc.OFFICER not in row.roles:
                actor = reviewer if proc.REVIEWER in row.roles else head if proc.HEAD in row.roles else \
                    (staff.clerk or head)
            a = row.action.value
            payload: dict = {}
            if a in ("file", "start_summary") or (a == "decide_on_the_spot"):
                series = "简" if walk.procedure == "summary" else "案"
                key = (day.year, series)
                sequences[key] = sequences.get(key, 0) + 1
                c["reference"] = f"{agency.short_name}{series}〔{day.year}〕{sequences[key]}号"
            if a == "file":
                c["filed_on"] = day
            if a in ("close_investigation", "submit_for_decision", "notify", "decide_on_the_spot"):
                c["proposed_penalty"] = penalty
                payload["penalty"] = penalty
            if a == "notify":
                c["notified_penalty"] = penalty
                c["notice_served_on"] = day
            if a == "waive_statement":
                c["statement_waived"] = True
            if a == "request_hearing":
                c["hearing_requested_on"] = day
            if a == "schedule_hearing":
                c["hearing_notice_on"] = day
                c["hearing_date"] = day + timedelta(days=10)
                c["hearing_host_id"] = head.pk
            if a == "hold_hearing":
                c["hearing_held_on"] = day
            if row.decision is not None:
                c["decision_kind"] = row.decision.value
                c["decided_on"] = day
                if row.decision.value == "penalty":
                    c["decided_penalty"] = penalty
            if a.startswith("serve"):
                c["decision_served_on"] = day
                c["service_method"] = "direct"
            if a == "suspend":
                c["prior_state"] = walk.states[v - 2]
            if state == "closed" and row.target is not None:
                c["closed_on"] = day
            if state == "archived" and row.target is not None:
                c["archived_on"] = day
                c["archive_no"] = f"{agency.short_name}档〔{day.year}〕{case_id}"
            step_id = self.take("step")
            ev_id = self.take("event")
            from_state = walk.states[v - 2] if v > 1 else ""
            stored = payload if payload else {"note": f"{row.label}"}
            at = self.now + timedelta(microseconds=ev_id)
            canon = self.event_payload(c.get("reference"), v, a, from_state, state, stored)
            actor_name, role = self.person(actor)
            subject = f"case:{case_id}"
            digest = self.digest(ev_id, at, actor.pk, actor_name, role, agency.pk, case_id, f"cases.{a}", subject,
                                 canon)
            w["event"].add(id=ev_id, occurred_at=at, actor_id=actor.pk, actor_name=actor_name, role=role,
                           agency_id=agency.pk, case_id=case_id, action=f"cases.{a}", subject=subject,
                           payload=canon, prev_hash=self.prev_hash, hash=digest, algorithm=self.algorithm)
            self.prev_hash = digest
            stored_json = canon_json(stored)
            w["step"].add(id=step_id, case_id=case_id, version=v, action=a, procedure=walk.procedure,
                          from_state=from_state, to_state=state, actor_id=actor.pk, on=day, at=at, payload=stored_json,
                          idempotency_key=f"bench-{case_id}-{v}", request_hash="0" * 64, event_id=ev_id)
            for code in row.documents:
                w["document"].add(id=self.take("document"), case_id=case_id, code=code,
                                  title=proc.DOCUMENT_LABELS.get(code, code), issued_on=day, note="",
                                  number="", recorded_by_id=actor.pk, step_id=step_id)
            for code in row.records:
                w["record"].add(id=self.take("record"), case_id=case_id, code=code, description=f"{row.label}记录",
                                made_on=day, recorded_by_id=actor.pk, step_id=step_id, file_hash="")
            if a == "record_evidence":
                w["record"].add(id=self.take("record"), case_id=case_id, code="evidence",
                                evidence_kind=rng.choice(list(proc.EVIDENCE_KINDS)), description="现场照片及说明",
                                made_on=day, recorded_by_id=actor.pk, step_id=step_id, file_hash="")
            if row.approval:
                w["approval"].add(id=self.take("approval"), case_id=case_id, kind=row.approval,
                                  decided_by_id=head.pk, decided_on=day, approved=True, note="同意",
                                  step_id=step_id)
            if a == "submit_review":
                if review is not None:
                    w["review"].add(**review)
                review = {"id": self.take("review"), "case_id": case_id, "status": "pending", "submitted_on": day,
                          "submitted_by_id": actor.pk, "assigned_to_id": reviewer.pk}
            if a in ("pass_review", "fail_review"):
                review.update(status="passed" if a == "pass_review" else "failed", reviewer_id=reviewer.pk,
                              reviewed_on=day, opinion="同意" if a == "pass_review" else "证据不足，补充调查",
                              checks=dict.fromkeys(self._checks(), a == "pass_review"))
            if a == "pay" and (c.get("decided_penalty") or walk.procedure == "summary"):
                w["payment"].add(id=self.take("payment"), case_id=case_id, amount=fine, paid_on=day, method="bank",
                                 step_id=step_id)
            # clocks
            if row.stops_all:
                for clock in running.values():
                    clock["stopped_on"], clock["stopped_step_id"] = day, step_id
                    self._clock(clock)
                running = {}
            for code in row.stops:
                if code in running:
                    clock = running.pop(code)
                    clock["stopped_on"], clock["stopped_step_id"] = day, step_id
                    self._clock(clock)
            for code in row.starts:
                if code in running:
                    continue
                if code == "payment" and not c.get("decided_penalty") and walk.procedure != "summary":
                    continue
                if code == "statement" and c.get("statement_waived"):
                    continue
                if code == "hearing_request" and fine < 10000:
                    continue
                due_on = self.due(code, day)
                running[code] = {"id": self.take("clock"), "case_id": case_id, "code": code,
                                 "name": _clock_name(code), "started_on": day, "base_due_on": due_on,
                                 "due_on": due_on, "basis": _clock_basis(code), "started_step_id": step_id}
        for clock in running.values():
            self._clock(clock)
        if review is not None:
            w["review"].add(**review)
        c.update(self._urgency(running))
        w["case"].add(**c)
        for i, u in enumerate(team):
            w["handler"].add(id=self.take("handler"), case_id=case_id, user_id=u.pk, is_lead=i == 0,
                             added_on=start)
        w["item"].add(id=self.take("item"), case_id=case_id, item_id=item.pk, is_primary=True, added_on=start)

    def person(self, user) -> tuple[str, str]:
        """The actor's name and roles as ``records.services.record`` writes them."""
        if user.pk not in self.people:
            self.people[user.pk] = (user.full_name or user.username, ",".join(sorted(user.role_codes())))
        return self.people[user.pk]

    def event_payload(self, reference, version, action, from_state, to_state, stored) -> str:
        """``canonical`` of the case service's event payload, built from cached parts (sorted keys: action,
        case, from, payload, to, version)."""
        key = (action, from_state, to_state, version, json.dumps(stored, sort_keys=True))
        rest = self.payload_parts.get(key)
        if rest is None:
            rest = self.payload_parts[key] = (
                f',"from":{_enc(from_state) if from_state else "null"},"payload":{canon_json(stored)},'
                f'"to":{_enc(to_state)},"version":{version}}}')
        return f'{{"action":{_enc(action)},"case":{_enc(reference) if reference else "null"}{rest}'

    def digest(self, ev_id, at, actor, actor_name, role, agency, case_id, action, subject, payload) -> str:
        """The event's hash as ``records.services.record`` makes it (``hashed_text``, ``chain_hash``), from a copy
        of one hasher; the first payloads are checked to be canonical JSON, as the service writes them."""
        h = self.hasher.copy()
        h.update(self.prev_hash.encode())
        h.update(self.hashed_text(ev_id, at.isoformat(), actor, actor_name, role, agency, case_id, action,
                                  subject, payload).encode())
        if self.checked < 50:
            assert self.canonical(json.loads(payload)) == payload, "payload not canonical"
            self.checked += 1
        return h.hexdigest()

    def _urgency(self, running: dict) -> dict:
        """The case's denormalised next due dates, when the model has them (cases.models.Case)."""
        names = set(self.w["case"].names)
        out = {}
        if "next_due" in names:
            from zhifa.law import procedure as proc

            agency = [c["due_on"] for code, c in running.items() if code not in proc.PARTY_CLOCKS]
            party = [c["due_on"] for code, c in running.items() if code in proc.PARTY_CLOCKS]
            out["next_due"] = min(agency) if agency else None
            if "next_party_due" in names:
                out["next_party_due"] = min(party) if party else None
        return out

    def _clock(self, clock: dict) -> None:
        self.w["clock"].add(**clock)

    @staticmethod
    def _checks():
        from zhifa.cases.payload import REVIEW_CHECKS

        return REVIEW_CHECKS


_enc = json.encoder.encode_basestring  # a JSON string as json.dumps(..., ensure_ascii=False) writes it


def canon_json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


_NAMES: dict[str, str] = {}
_BASES: dict[str, str] = {}


def _clock_name(code: str) -> str:
    if code not in _NAMES:
        from zhifa.cases.clocks import name_of

        _NAMES[code] = name_of(code)
    return _NAMES[code]


def _clock_basis(code: str) -> str:
    if code not in _BASES:
        from zhifa.cases.clocks import _basis

        _BASES[code] = _basis(code)
    return _BASES[code]


def generate(cases: int, *, seed: int = 1, per_agency: int = CASES_PER_AGENCY, progress=print) -> dict:
    """Add ``cases`` synthetic cases (and what they need) to the configured database; returns row counts."""
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from zhifa.cases.models import Case, CaseSequence

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_demo", "--without-cases", verbosity=0, stdout=io.StringIO())
    others = Case.objects.exclude(agency__code__startswith=BENCH_PREFIX).count()
    if others:
        raise SystemExit(f"this database has {others} cases not made by the generator: use an empty one")
    today = timezone.localdate()
    n_agencies = max(1, -(-cases // per_agency))
    staff = clone_agencies(n_agencies, today)
    progress(f"agencies and staff: {n_agencies} in {time.perf_counter() - t0:.1f}s")
    gen = Generator(connection, seed=seed, today=today)
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA synchronous=OFF")
    made = 0
    for k, s in enumerate(staff):
        quota = min(per_agency, cases - made)
        if quota <= 0:
            break
        already = Case.objects.filter(agency=s.agency).count()
        quota -= already
        if quota <= 0:
            made += already
            continue
        parties = gen.parties(s, max(10, quota // 3))
        sequences: dict = {}
        for _i in range(quota):
            gen.case(s, parties, sequences)
            if len(gen.w["case"].rows) >= BATCH:
                gen.flush()
        gen.flush()
        for (year, series), last in sequences.items():
            CaseSequence.objects.update_or_create(agency=s.agency, year=year, series=series,
                                                  defaults={"last": last})
        made += quota + already
        if (k + 1) % 10 == 0 or made >= cases:
            progress(f"cases: {made:,} ({time.perf_counter() - t0:.0f}s)")
    reset_sequences(connection, list(gen.models.values()))
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    gen.counts["seconds"] = round(time.perf_counter() - t0, 1)
    return gen.counts


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, required=True)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--name", help="database (SQLite file under bench/.data) name; default bench-CASES")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fresh", action="store_true", help="start from an empty database")
    args = parser.parse_args(argv)
    name = args.name or f"bench_{args.cases}"
    env = database_env(args.engine, name)
    if args.engine == "postgres":
        create_pg_database(name, drop=args.fresh)
    elif args.fresh:
        Path(env["ZHIFA_SQLITE_PATH"]).unlink(missing_ok=True)
    setup_django(env)
    counts = generate(args.cases, seed=args.seed)
    print(json.dumps(counts, ensure_ascii=False))


if __name__ == "__main__":
    main()
