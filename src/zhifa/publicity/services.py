"""Publishing enforcement results (事后公开, issue 7 §2): the only place that changes publications.

- ``due``: the agency's decided penalty cases not yet published — by when (7 working days, 国办发〔2018〕118号), late
  or not, and the reasons a case is not published at all (minors, secrets; warning-only and summary by policy);
- ``publish``: the decision's public content, masked (``zhifa.law.masking``) and scanned — a leak refuses the
  publication — recorded, and the case's step 记录公示 taken so its 公示 clock stops;
- ``withdraw``: a published decision changed, revoked or held illegal or void comes down with the reason shown,
  due within 3 working days of the change (行政处罚法第四十八条);
- ``take_down_expired``: publications whose period ended come down (``zhifa tick``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from zhifa.cases.models import Case, CaseDocument
from zhifa.catalog.calendar import work_calendar
from zhifa.catalog.policies import values_of
from zhifa.law import masking
from zhifa.law import procedure as proc
from zhifa.law import publicity as rules
from zhifa.law.errors import RuleViolation
from zhifa.law.identifiers import age_on
from zhifa.law.money import amount
from zhifa.records.services import record

from . import search
from .models import Publication, SearchEntry
from .policies import register

A = proc.Action


class PublicationRefused(RuleViolation):
    def __init__(self, violations: list[RuleViolation]):
        first = violations[0]
        super().__init__(first.code, first.message, first.field, list(first.basis))
        self.violations = list(violations)


def _policy(agency, on: date) -> dict[str, Any]:
    register()
    return values_of(["publicity.warning_only", "publicity.summary", "publicity.months", "publicity.name_style"],
                     agency, on)


def subject_of(case: Case, *, secret: bool = False) -> rules.Subject:
    party = case.party
    age = None
    if party is not None and party.kind == "person" and party.birth_date and case.act_date:
        age = age_on(party.birth_date, case.act_date)
    kinds = frozenset((case.decided_penalty or {}).get("kinds") or ())
    return rules.Subject(kinds, procedure=case.procedure, party_kind=party.kind if party else "organisation",
                         party_age=age, secret=secret)


def reasons_not_to_publish(case: Case, *, on: date, secret: bool = False,
                           policy: dict[str, Any] | None = None) -> list[RuleViolation]:
    p = policy or _policy(case.agency, on)
    out = rules.reasons_not_to_publish(subject_of(case, secret=secret), warning_only=p["publicity.warning_only"],
                                       summary=p["publicity.summary"])
    if case.decision_kind != proc.DecisionKind.PENALTY or not case.decided_on:
        out.insert(0, RuleViolation("publicity_no_penalty", "案件尚未作出行政处罚决定", "case", [rules.GBF_118]))
    return out


EXPLAINED_DAYS = 90  # a decision not to be published is listed with its reasons this long after it was made


def due(agency, today: date | None = None) -> list[dict[str, Any]]:
    """The agency's penalty decisions never published: by when each is due and whether it is late — however old —
    and, for the last ``EXPLAINED_DAYS`` days, those not to be published with the reasons (never due). A decision
    whose publication was withdrawn or taken down is not listed: republishing it is a decision of its own."""
    today = today or timezone.localdate()
    policy = _policy(agency, today)
    recent = today - timedelta(days=EXPLAINED_DAYS)
    cases = Case.objects.filter(agency=agency, decision_kind=proc.DecisionKind.PENALTY, decided_on__isnull=False) \
        .exclude(Exists(Publication.objects.filter(case=OuterRef("pk")))) \
        .select_related("party").order_by("decided_on", "pk")
    if not policy["publicity.summary"]:  # old summary decisions are never due: not even read
        cases = cases.exclude(procedure=proc.Procedure.SUMMARY, decided_on__lt=recent)
    calendar = work_calendar()
    out = []
    for case in cases:
        reasons = reasons_not_to_publish(case, on=today, policy=policy)
        if reasons and case.decided_on < recent:
            continue
        by = rules.publish_by(case.decided_on, calendar)
        out.append({"case": case, "due_on": by, "late": today > by, "reasons": reasons})
    return out


def to_withdraw(agency, today: date | None = None) -> list[dict[str, Any]]:
    """Live publications whose decision has changed since: the published decision document was corrected (a new
    version issued in the platform) — each with the day of the change, the last day to withdraw (3 working days,
    行政处罚法第四十八条) and whether that is past. Changes made outside the platform (a reconsideration or a court
    judgment) are entered by whoever withdraws."""
    from zhifa.documents.models import Document

    today = today or timezone.localdate()
    pubs = Publication.objects.filter(agency=agency, status=Publication.Status.PUBLISHED,
                                      document__status=Document.Status.SUPERSEDED) \
        .select_related("document__superseded_by").order_by("published_on", "pk")
    calendar = work_calendar()
    out = []
    for pub in pubs:
        newer = pub.document.superseded_by
        changed_on = newer.issued_on or today
        by = rules.withdraw_by(changed_on, calendar)
        out.append({"publication": pub, "changed_on": changed_on, "withdraw_by": by, "late": today > by,
                    "reason": f"行政处罚决定书已更正（第{newer.version}版）：{newer.correction_reason}"})
    return out


def _decision_number(case: Case) -> str:
    row = CaseDocument.objects.filter(case=case, code="penalty_decision").exclude(number="").order_by("-pk").first()
    return row.number if row else ""


INTERVIEWEE = re.compile(r"^([\u4e00-\u9fff·]{2,5})(?:[（(]|$)")  # 程玉梅（法定代表人） → 程玉梅


def _private(case: Case, hidden: Iterable[str] = ()) -> tuple[list[str], list[str]]:
    """The natural persons' names and addresses of the case that publication hides: natural person parties, the
    operators of individual businesses, the people interviewed (but the legal representative of an organisation,
    whose name is public registration data), and the names the publisher listed (``hidden``: witnesses, victims,
    anyone the facts name)."""
    names, addresses = [], []
    party = case.party
    public = ""
    if party is not None:
        if party.kind == "person":
            names.append(party.name)
            addresses.append(party.address)
        if party.kind in ("person", "individual") and party.representative:
            names.append(party.representative)  # an individual business's operator is a natural person
        if party.kind == "organisation":
            public = party.representative
    for other in case.other_parties.all():
        if other.kind == "person":
            names.append(other.name)
            addresses.append(other.address)
    for payload in case.steps.filter(action=A.INTERVIEW).values_list("payload", flat=True):
        found = INTERVIEWEE.match(str((payload or {}).get("interviewee") or "").strip())
        if found and found.group(1) != public:
            names.append(found.group(1))
    names.extend(n.strip() for n in hidden)
    return list(dict.fromkeys(n for n in names if n)), [a for a in addresses if a]


def _decision(case: Case):
    """The issued penalty decision of the case (the version in force), if it was issued in the platform."""
    from zhifa.documents.models import Document

    return Document.objects.filter(case=case, code="penalty_decision", status=Document.Status.ISSUED) \
        .select_related("number").order_by("-pk").first()


def content_of(case: Case, *, on: date, hidden: Iterable[str] = ()) -> dict[str, Any]:
    """The decision's public content: what the results must show (body, party, type and conclusion; 国办发〔2018〕
    118号), masked."""
    return _content(case, _policy(case.agency, on), *_private(case, hidden), _decision(case))


def _content(case: Case, p: dict[str, Any], names: list[str], addresses: list[str], decision) -> dict[str, Any]:
    from zhifa.documents.context import penalty_text

    party = case.party
    party_name = party.name if party else ""
    if party is not None and party.kind == "person":
        party_name = masking.mask_name(party.name, p["publicity.name_style"])
    facts = (decision.inputs.get("facts", "") if decision else "") or ""
    fine = (case.decided_penalty or {}).get("fine")
    items = [{"name": ci.item.name, "violated": ci.item.basis_violated_text, "basis": ci.item.basis_penalty_text}
             for ci in case.case_items.select_related("item").order_by("-is_primary", "pk")]
    content = {
        "number": decision.number.number if decision and decision.number_id else _decision_number(case),
        "agency": case.agency.document_name or case.agency.name,
        "title": case.title,
        "party": party_name,
        "party_kind": party.get_kind_display() if party else "",
        "credit_code": party.credit_code if party and party.kind != "person" else "",
        "representative": party.representative if party and party.kind == "organisation" else "",
        "items": items,
        "penalty": penalty_text(case.decided_penalty),
        "fine": amount(fine) if fine is not None else "",
        "decided_on": case.decided_on.isoformat(),
        "facts": masking.scrub(facts, names=names, addresses=addresses, name_style=p["publicity.name_style"]),
    }
    return content


def clean_names(hidden: Iterable[str] | str) -> list[str]:
    """The names a publisher lists to hide (one per line, or separated by 、，, ;), each of two characters or more;
    a shorter one is refused (it would mask every occurrence of a single character)."""
    if isinstance(hidden, str):
        hidden = re.split(r"[\s、，,;；]+", hidden)
    out = [n.strip() for n in hidden if n and n.strip()]
    short = [n for n in out if len(n) < 2]
    if short:
        raise PublicationRefused([RuleViolation("publicity_hidden_short", f"需隐去的姓名至少两个字：{'、'.join(short)}",
                                                "hidden", [masking.BASIS])])
    return list(dict.fromkeys(out))


def publish(case: Case, *, actor, on: date | None = None, secret: bool = False,
            hidden: Iterable[str] = ()) -> Publication:
    """Publish ``case``'s penalty decision (see the module docstring). Refused with every reason: not a penalty yet,
    not to be published, a live publication already there, or personal data left after masking."""
    on = on or timezone.localdate()
    policy = _policy(case.agency, on)
    reasons = reasons_not_to_publish(case, on=on, secret=secret, policy=policy)
    if reasons:
        raise PublicationRefused(reasons)
    hidden = clean_names(hidden)
    names, addresses = _private(case, hidden)
    decision = _decision(case)
    content = _content(case, policy, names, addresses, decision)
    leaks = masking.scan(json.dumps(content, ensure_ascii=False), names=names, addresses=addresses)
    if leaks:
        raise PublicationRefused([RuleViolation(
            "publicity_leak", f"公开内容中仍有{masking.KIND_LABELS[leak.kind]}“{leak.text}”，请先在文书中删改",
            "content", [masking.BASIS]) for leak in leaks])
    months = policy["publicity.months"][case.party.kind if case.party else "organisation"]
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if Publication.objects.filter(case=locked, status=Publication.Status.PUBLISHED).exists():
            raise PublicationRefused([RuleViolation("publicity_live", "该决定已在公示中", "case", [rules.GBF_118])])
        pub = Publication.objects.create(
            agency=case.agency, case=locked, content=content, decided_on=case.decided_on, document=decision,
            due_on=rules.publish_by(case.decided_on, work_calendar()), published_on=on, published_at=timezone.now(),
            published_by=actor, take_down_on=rules.take_down_on(case.decided_on, months), item_code=_item_code(case),
            hidden_names=hidden)
        search.index_decision(pub)
        _changed(case.agency_id)
        _record_step(locked, pub, actor, on)
        record("publicity.published", actor=actor, agency=case.agency, case_id=case.pk, subject=f"publication:{pub.pk}",
               payload={"number": content["number"], "due_on": pub.due_on, "published_on": on,
                        "take_down_on": pub.take_down_on, "late": on > pub.due_on})
    return pub


def live_count_key(agency_id: int) -> str:
    """The cache key of the count of an agency's live publications (the portal shows it; each change clears it)."""
    return f"portal:live-count:{agency_id}"


def _changed(agency_id: int) -> None:
    from django.core.cache import cache

    transaction.on_commit(lambda: cache.delete(live_count_key(agency_id)))


def _came_down(pub: Publication) -> None:
    """A publication withdrawn or taken down leaves the search and the portal's count."""
    search.drop(SearchEntry.Kind.DECISION, [pub.pk])
    _changed(pub.agency_id)


def portal_path(pub: Publication) -> str:
    """Where the public portal shows the publication."""
    from django.urls import reverse

    return reverse("portal:decision", args=[pub.agency.code, pub.pk])


def _item_code(case: Case) -> str:
    row = case.case_items.select_related("item").order_by("-is_primary", "pk").first()
    return row.item.code if row else ""


def _record_step(case: Case, pub: Publication, actor, on: date) -> None:
    """The case's step 记录公示 (its 公示 clock stops), when the case can still take it."""
    from zhifa.cases.services import transition

    if proc.transition_for(proc.Procedure(case.procedure), proc.State(case.state), A.RECORD_PUBLICATION) is None:
        return
    transition(case.pk, A.RECORD_PUBLICATION, actor=actor, idempotency_key=f"publication-{pub.pk}", today=on,
               payload={"published_on": on, "where": portal_path(pub)})


def withdraw(pub: Publication, *, actor, reason: str, changed_on: date, on: date | None = None) -> Publication:
    """Withdraw a publication whose decision was changed, revoked or held illegal or void on ``changed_on``; the
    reason is shown in its place (行政处罚法第四十八条)."""
    on = on or timezone.localdate()
    reason = (reason or "").strip()
    if not reason:
        raise PublicationRefused([RuleViolation("payload_required", "请写明撤回的理由（将公开说明）", "reason",
                                                [rules.ART_48])])
    with transaction.atomic():
        locked = Publication.objects.select_for_update().get(pk=pub.pk)
        if locked.status != Publication.Status.PUBLISHED:
            raise PublicationRefused([RuleViolation("publicity_not_live", "该决定不在公示中", "publication",
                                                    [rules.ART_48])])
        locked.status, locked.changed_on, locked.withdrawn_on = Publication.Status.WITHDRAWN, changed_on, on
        locked.withdraw_due_on = rules.withdraw_by(changed_on, work_calendar())
        locked.withdraw_reason, locked.withdrawn_by = reason, actor
        locked.save()
        _came_down(locked)
        record("publicity.withdrawn", actor=actor, agency=locked.agency, case_id=locked.case_id,
               subject=f"publication:{locked.pk}", payload={"reason": reason, "changed_on": changed_on,
                                                             "due_on": locked.withdraw_due_on, "withdrawn_on": on,
                                                             "late": on > locked.withdraw_due_on})
    return locked


def take_down_expired(today: date | None = None) -> int:
    """Take down every publication whose period has ended; each recorded. The count."""
    today = today or timezone.localdate()
    n = 0
    for pub in Publication.objects.filter(status=Publication.Status.PUBLISHED, take_down_on__lte=today):
        with transaction.atomic():
            locked = Publication.objects.select_for_update().get(pk=pub.pk)
            if locked.status != Publication.Status.PUBLISHED:
                continue
            locked.status, locked.taken_down_on = Publication.Status.TAKEN_DOWN, today
            locked.save(update_fields=["status", "taken_down_on"])
            _came_down(locked)
            record("publicity.taken_down", actor=None, agency=locked.agency, case_id=locked.case_id,
                   subject=f"publication:{locked.pk}", payload={"take_down_on": locked.take_down_on, "on": today})
            n += 1
    return n


def _masked(value: Any, names: list[str], addresses: list[str], style: str) -> Any:
    if isinstance(value, str):
        return masking.scrub(value, names=names, addresses=addresses, name_style=style)
    if isinstance(value, list):
        return [_masked(v, names, addresses, style) for v in value]
    if isinstance(value, dict):
        return {k: _masked(v, names, addresses, style) for k, v in value.items()}
    return value


def masked_decision(pub: Publication) -> bytes | None:
    """The published decision document in its masked version (.docx): the issued document's frozen content with
    every text scrubbed (the natural persons' names and addresses, and every identity, phone and bank number), filled
    into the same template version; None when the decision was not issued in the platform."""
    from zhifa.documents.models import Template
    from zhifa.documents.render import render_docx
    from zhifa.documents.services import builtin_template

    doc = pub.document
    if doc is None or not doc.content:
        return None
    names, addresses = _private(pub.case, pub.hidden_names)
    style = _policy(pub.agency, pub.published_on)["publicity.name_style"]
    content = _masked(doc.content, names, addresses, style)
    content["agency"] = doc.content["agency"]  # the agency is public as it stands (its address, its phone)
    if doc.template_version:
        # the very template the document was issued with (its digest is recorded)
        row = Template.objects.filter(document_type__code=doc.code, version=doc.template_version,
                                      digest=doc.template_digest).first()
        template = bytes(row.content) if row is not None else builtin_template(doc.code)
    else:
        template = builtin_template(doc.code)
    return render_docx(template, content)
