"""Services of the `parties` app: registration, validation, duplicate detection, scoping.

The only code that writes parties (行政相对人), premises (经营场所) and licences (许可证). Every
change records an event in the same transaction (DESIGN.md §2). Identity numbers are checked by
`zhifa.law.identifiers` (GB 11643-1999, GB 32100-2015); a refusal is a `RuleViolation` naming the
field, a doubt is a warning returned to the caller for display.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Length
from django.db.models.lookups import Contains, GreaterThanOrEqual
from django.utils import timezone

from zhifa.catalog.policies import PARAMETERS, value_of
from zhifa.law.citations import GB_11643, GB_32100, XZCFF
from zhifa.law.errors import Citation, RuleViolation
from zhifa.law.identifiers import check_resident_id, check_uscc, mask_id_number
from zhifa.org.roles import Role
from zhifa.records.services import record

from .models import (
    BusinessType,
    IdType,
    Licence,
    LicenceKind,
    LicenceStatus,
    Party,
    PartyKind,
    Premises,
)

# A licence ending within this many days is shown as 即将到期. Candidate for a policy parameter
# (`licence.expiry_alert_days`, like `certificate.expiry_alert_days`) once catalog declares one.
# The default window in which a licence shows as 即将到期; agencies set their own (policy parameter).
EXPIRING_DAYS = PARAMETERS["licence.expiry_alert_days"].default


def expiry_window(agency, on: date | None = None) -> int:
    """Days before its end in which a licence shows as 即将到期, as the agency has set it."""
    return value_of("licence.expiry_alert_days", agency, on)

# Names this long or longer count as "similar" when one contains the other; shorter names
# ("文化", "书店") would match half the register.
SIMILAR_MIN_LENGTH = 4

ART_30 = Citation(XZCFF, "第三十条", "不满十四周岁不予处罚；已满十四周岁不满十八周岁从轻或者减轻处罚")

# The licence a business type is normally licensed under (warn, never refuse, on a mismatch).
# 网吧: 网络文化经营许可证 (互联网上网服务营业场所管理条例); 歌舞/游艺: 娱乐经营许可证 (娱乐场所管理条例);
# 演出经纪/文艺表演团体: 营业性演出许可证 (营业性演出管理条例); 旅行社: 旅行社业务经营许可证 (旅行社条例);
# 出版物、音像制品零售: 出版物经营许可证; 印刷: 印刷经营许可证; 文物: 文物经营许可证. 艺术品经营与剧本娱乐
# 实行备案, 不发许可证; "其他" may hold anything.
LICENCES_FOR_BUSINESS: dict[str, frozenset[str]] = {
    BusinessType.INTERNET_CAFE: frozenset({LicenceKind.NETWORK_CULTURE}),
    BusinessType.SONG_DANCE: frozenset({LicenceKind.ENTERTAINMENT}),
    BusinessType.GAMES: frozenset({LicenceKind.ENTERTAINMENT}),
    BusinessType.PERFORMANCE_VENUE: frozenset({LicenceKind.PERFORMANCE, LicenceKind.ENTERTAINMENT}),
    BusinessType.PERFORMANCE_AGENCY: frozenset({LicenceKind.PERFORMANCE}),
    BusinessType.TRAVEL_AGENCY: frozenset({LicenceKind.TRAVEL}),
    BusinessType.PUBLICATIONS: frozenset({LicenceKind.PUBLICATIONS}),
    BusinessType.AUDIO_VIDEO: frozenset({LicenceKind.PUBLICATIONS}),
    BusinessType.PRINTING: frozenset({LicenceKind.PRINTING}),
    BusinessType.RELICS: frozenset({LicenceKind.RELICS}),
    BusinessType.ART: frozenset(),
    BusinessType.SCRIPT_GAMES: frozenset(),
}

PARTY_FIELDS = ("kind", "name", "id_type", "id_number", "credit_code", "representative",
                "representative_id_number", "birth_date", "address", "phone", "note", "is_active")
PREMISES_FIELDS = ("name", "business_type", "address", "area_m2", "capacity", "is_active")
LICENCE_FIELDS = ("kind", "number", "premises", "scope", "issued_by", "valid_from", "valid_until",
                  "status", "status_reason")
_MASKED = {"id_number", "representative_id_number"}
_STATUS_NEEDS_REASON = {LicenceStatus.SUSPENDED, LicenceStatus.REVOKED, LicenceStatus.CANCELLED}


# --- results and refusals ---------------------------------------------------------------------
@dataclass
class Saved[T]:
    """What a write returns: the saved object, warnings to show, and what changed."""

    obj: T
    warnings: list[str] = dataclasses.field(default_factory=list)
    changed: dict[str, list] = dataclasses.field(default_factory=dict)


@dataclass
class Refusals(RuleViolation):
    """Several refusals at once, so a form can show them all. The first is the headline."""

    violations: list[RuleViolation] = dataclasses.field(default_factory=list)


@dataclass
class Duplicate(RuleViolation):
    """Refused because the same number is already registered; names the party that holds it."""

    existing_party_id: int | None = None
    existing_name: str = ""


class NeedsConfirmation(Exception):
    """Parties with similar names exist: show them and save only when the user confirms."""

    def __init__(self, similar: list[Party], name: str):
        self.similar = similar
        self.name = name
        names = "、".join(f"「{p.name}」" for p in similar[:5])
        self.message = f"已有名称相近的当事人：{names}。请核对是否为同一当事人，确认不是后再保存。"
        super().__init__(self.message)


class _Checker:
    def __init__(self) -> None:
        self.violations: list[RuleViolation] = []
        self.warnings: list[str] = []

    def refuse(self, code: str, message: str, field: str | None, basis: Citation | None = None) -> None:
        self.violations.append(RuleViolation(code, message, field, [basis] if basis else []))

    def done(self) -> None:
        if len(self.violations) == 1:
            raise self.violations[0]
        if self.violations:
            first = self.violations[0]
            raise Refusals(first.code, first.message, first.field, first.basis, violations=self.violations)


# --- scoping and permissions ------------------------------------------------------------------
def parties_visible_to(user) -> QuerySet[Party]:
    """Parties registered by the user's agency and the agencies under it."""
    if not user.is_authenticated:
        return Party.objects.none()
    if user.is_superuser and user.agency_id is None:
        return Party.objects.all()
    if user.agency_id is None:
        return Party.objects.none()
    return Party.objects.filter(agency__path__startswith=user.agency.path)


def premises_visible_to(user) -> QuerySet[Premises]:
    return Premises.objects.filter(party__in=parties_visible_to(user))


def licences_visible_to(user) -> QuerySet[Licence]:
    return Licence.objects.filter(party__in=parties_visible_to(user))


def can_write_parties(user) -> bool:
    """执法人员、内勤和系统管理员 register and correct parties; everyone else reads."""
    return user.is_authenticated and (
        user.is_superuser or user.has_role(Role.OFFICER, Role.CLERK, Role.SYSADMIN))


# --- licence status by date -------------------------------------------------------------------
@dataclass(frozen=True)
class LicenceState:
    code: str  # valid | expiring | expired | suspended | revoked | cancelled
    label: str
    tone: str  # css badge: ok | warn | no | muted
    days_left: int | None = None


def licence_state(lic: Licence, on: date | None = None, window: int = EXPIRING_DAYS) -> LicenceState:
    """The status a person should see on a date: the recorded status, with 过期 and 即将到期 by date."""
    on = on or timezone.localdate()
    status = lic.status_on(on)
    if status == LicenceStatus.VALID:
        if lic.valid_until is not None and (lic.valid_until - on).days <= window:
            left = (lic.valid_until - on).days
            return LicenceState("expiring", f"即将到期（{left} 天后）" if left else "今日到期", "warn", left)
        return LicenceState("valid", "有效", "ok")
    tone = {LicenceStatus.SUSPENDED: "warn", LicenceStatus.CANCELLED: "muted"}.get(status, "no")
    return LicenceState(status, LicenceStatus(status).label, tone)


LICENCE_FILTERS = {"valid": "有效", "expiring": "即将到期", "expired": "已过期"}


def _licence_filter(state: str, on: date, window: int) -> Q:
    soon = on + timedelta(days=window)
    valid = Q(status=LicenceStatus.VALID)
    if state == "valid":
        return valid & (Q(valid_until__isnull=True) | Q(valid_until__gt=soon))
    if state == "expiring":
        return valid & Q(valid_until__gte=on, valid_until__lte=soon)
    if state == "expired":
        return Q(status=LicenceStatus.EXPIRED) | (valid & Q(valid_until__lt=on))
    raise ValueError(state)


def search_parties(user, *, q: str = "", kind: str = "", business_type: str = "", licence: str = "",
                   on: date | None = None, window: int | None = None) -> QuerySet[Party]:
    """The parties a user may see, narrowed by a search text and filters, ready for a list page.

    The text matches a name fragment, a representative's name or a credit-code fragment; an
    identity number matches only in full, so the masked digits cannot be probed one search at a time.
    """
    on = on or timezone.localdate()
    qs = parties_visible_to(user)
    text = "".join(ch for ch in str(q or "") if ch.isprintable()).strip()[:100]
    if text:
        code = re.sub(r"[\s\-]", "", text).upper()
        cond = Q(name__icontains=text) | Q(representative__icontains=text)
        if code:
            cond |= Q(credit_code__contains=code) | Q(id_number=code) | Q(representative_id_number=code)
            if len(code) == 18 and code.endswith("X"):
                cond |= Q(id_number=code[:-1] + "x")
        qs = qs.filter(cond)
    if kind in PartyKind.values:
        qs = qs.filter(kind=kind)
    if business_type in BusinessType.values:
        qs = qs.filter(Exists(Premises.objects.filter(party=OuterRef("pk"), business_type=business_type)))
    if licence in LICENCE_FILTERS:
        if window is None:
            window = expiry_window(user.agency, on)
        matching = Licence.objects.filter(party=OuterRef("pk")).filter(_licence_filter(licence, on, window))
        qs = qs.filter(Exists(matching))
    return qs.select_related("agency").prefetch_related(
        Prefetch("premises", queryset=Premises.objects.order_by("name", "id")),
        Prefetch("licences", queryset=Licence.objects.order_by("kind", "-valid_from")),
    ).order_by("name", "id")


# --- values -------------------------------------------------------------------------------------
def _text(value: Any) -> str:
    """Collapse runs of whitespace (including the ideographic space) and trim."""
    return " ".join(str(value if value is not None else "").split())


def party_name(kind: str, name: Any) -> str:
    """A name as stored: whitespace collapsed; for organisations and individual businesses, ASCII
    brackets made full-width as in registered Chinese names, so "某某(厦门)" finds "某某（厦门）"."""
    text = _text(name)
    if kind == PartyKind.PERSON:
        return text
    return text.replace("(", "（").replace(")", "）")


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (Premises, Party)):
        return value.pk
    return value


def _payload_value(field: str, value: Any) -> Any:
    return mask_id_number(value) if field in _MASKED and value else _plain(value)


def _check_lengths(model, values: dict[str, Any], c: _Checker) -> None:
    for name, value in values.items():
        f = model._meta.get_field(name)
        limit = getattr(f, "max_length", None)
        if limit and isinstance(value, str) and len(value) > limit:
            c.refuse("too_long", f"{f.verbose_name}不能超过 {limit} 个字符（现为 {len(value)} 个）", name)


def _as_date(value: Any, label: str, field: str, c: _Checker) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        c.refuse("date_format", f"{label}格式不正确，应为 年-月-日，例如 2024-01-31", field)
        return None


def _changes(instance, values: dict[str, Any]) -> dict[str, list]:
    out = {}
    for name, new in values.items():
        old = getattr(instance, f"{name}_id" if name == "premises" else name)
        new_cmp = new.pk if isinstance(new, Premises) else new
        if old != new_cmp:
            out[name] = [_payload_value(name, old), _payload_value(name, new_cmp)]
    return out


def _merged(instance, fields: tuple[str, ...], data: Mapping[str, Any]) -> dict[str, Any]:
    """The input over the instance's current values: a partial update keeps what it does not name."""
    out = {}
    for name in fields:
        if name in data:
            out[name] = data[name]
        elif instance is not None:
            out[name] = getattr(instance, name)
    return out


# --- parties ------------------------------------------------------------------------------------
def clean_party(data: Mapping[str, Any], *, instance: Party | None = None,
                today: date | None = None) -> tuple[dict[str, Any], list[str]]:
    """Check and normalise a party's fields by its kind; raise on refusals, return warnings.

    自然人: a document type and number; a resident ID is checked (GB 11643-1999), stored in
    upper case and gives the birth date; other documents take a typed birth date. 法人或其他组织:
    a valid credit code (GB 32100-2015) and the 法定代表人/负责人. 个体工商户: a valid credit code and
    the operator (经营者), whose resident ID is checked when given.
    """
    today = today or timezone.localdate()
    c = _Checker()
    d = _merged(instance, PARTY_FIELDS, data)
    kind = _text(d.get("kind"))
    name = _text(d.get("name"))
    id_type = _text(d.get("id_type"))
    id_number = _text(d.get("id_number"))
    credit_code = _text(d.get("credit_code"))
    rep = _text(d.get("representative"))
    rep_id = _text(d.get("representative_id_number"))
    birth = _as_date(d.get("birth_date"), "出生日期", "birth_date", c)
    values: dict[str, Any] = {
        "kind": kind, "address": _text(d.get("address")), "phone": _text(d.get("phone")),
        "note": _text(d.get("note")), "is_active": bool(d.get("is_active", True)),
    }

    if kind not in PartyKind.values:
        c.refuse("party_kind", "请选择当事人类型：自然人、法人或其他组织、个体工商户", "kind")
        c.done()
    if not name:
        c.refuse("required", "请填写姓名/名称" if kind == PartyKind.PERSON else "请填写名称", "name")
    values["name"] = party_name(kind, name)

    if kind == PartyKind.PERSON:
        if credit_code:
            c.refuse("person_credit_code", "自然人不登记统一社会信用代码；如为个体工商户或单位，请将类型改为"
                     "“个体工商户”或“法人或其他组织”", "credit_code")
        if rep:
            c.refuse("person_representative", "自然人无需填写法定代表人/负责人/经营者，请清空此项",
                     "representative")
        if rep_id:
            c.refuse("person_representative", "自然人无需填写法定代表人/经营者身份证号码，请清空此项",
                     "representative_id_number")
        if not id_type:
            c.refuse("required", "自然人须选择证件类型", "id_type")
        elif id_type not in IdType.values:
            c.refuse("id_type", "证件类型无效，请从列表中选择", "id_type")
        if not id_number:
            c.refuse("required", "自然人须填写证件号码", "id_number")
        elif id_type == IdType.RESIDENT_ID:
            check = check_resident_id(id_number, today=today)
            if not check.valid:
                c.refuse(f"resident_id_{check.code}", check.message, "id_number", GB_11643)
            else:
                id_number = check.number
                c.warnings.extend(check.warnings)
                # An edit that changes the number but leaves the previously derived date in the form
                # means "derive it again", not "I insist on this date".
                carried = (instance is not None and instance.id_type == IdType.RESIDENT_ID
                           and birth == instance.birth_date and id_number != instance.id_number)
                if birth and birth != check.birth_date and not carried:
                    c.refuse("birth_date_mismatch",
                             f"出生日期 {birth:%Y-%m-%d} 与身份证号码不一致：号码中的出生日期为 "
                             f"{check.birth_date:%Y-%m-%d}（GB 11643-1999）", "birth_date", GB_11643)
                birth = check.birth_date
        elif id_type in IdType.values:
            id_number = re.sub(r"[\s\-]", "", id_number).upper()
            if id_type != IdType.OTHER and not re.fullmatch(r"[A-Z0-9]{5,20}", id_number):
                c.refuse("id_format", f"{IdType(id_type).label}号码应为 5 至 20 位字母或数字", "id_number")
            if birth is None:
                c.warnings.append("未填写出生日期：无法判断当事人违法时是否已满十四周岁、十八周岁"
                                  "（《行政处罚法》第三十条），建议按证件填写")
            elif birth > today:
                c.refuse("birth_date_future", f"出生日期 {birth:%Y-%m-%d} 晚于今天", "birth_date")
            elif birth.year < 1900:
                c.refuse("birth_date_range", f"出生日期 {birth:%Y-%m-%d} 早于 1900 年，请核对", "birth_date")
        values.update(id_type=id_type, id_number=id_number, credit_code="", representative="",
                      representative_id_number="", birth_date=birth)
    else:
        label = PartyKind(kind).label
        if id_number:
            c.refuse("organisation_id", f"{label}不登记个人证件，请清空证件号码；"
                     f"{'经营者' if kind == PartyKind.INDIVIDUAL else '法定代表人'}的身份证号码请填在"
                     "“法定代表人/经营者身份证号码”", "id_number")
        if birth:
            c.refuse("organisation_birth_date", f"{label}不填写出生日期，请清空此项", "birth_date")
        if not credit_code:
            c.refuse("required", f"{label}须填写统一社会信用代码", "credit_code")
        else:
            check = check_uscc(credit_code)
            if not check.valid:
                c.refuse(f"uscc_{check.code}", check.message, "credit_code", GB_32100)
            else:
                credit_code = check.number
                c.warnings.extend(check.warnings)
                # GB 32100-2015: position 1 is the registering authority (9 = 市场监管/工商) and
                # position 2 its category (1 企业, 2 个体工商户, 3 农民专业合作社).
                if kind == PartyKind.INDIVIDUAL and not credit_code.startswith("92"):
                    c.warnings.append(f"个体工商户的统一社会信用代码通常以 92 开头，"
                                      f"{credit_code[:2]} 开头的代码一般属于企业或其他组织，请核对当事人类型")
                elif kind == PartyKind.ORGANISATION and credit_code.startswith("92"):
                    c.warnings.append("以 92 开头的统一社会信用代码属于个体工商户，请核对当事人类型")
        if not rep:
            c.refuse("required", "个体工商户须填写经营者姓名" if kind == PartyKind.INDIVIDUAL
                     else "法人或其他组织须填写法定代表人/负责人姓名", "representative")
        if rep_id:
            check = check_resident_id(rep_id, today=today)
            if not check.valid:
                c.refuse(f"resident_id_{check.code}", check.message, "representative_id_number", GB_11643)
            else:
                rep_id = check.number
                c.warnings.extend(f"法定代表人/经营者身份证号码：{w}" for w in check.warnings)
        values.update(id_type="", id_number="", credit_code=credit_code, representative=rep,
                      representative_id_number=rep_id, birth_date=None)
    _check_lengths(Party, {k: v for k, v in values.items() if isinstance(v, str)}, c)
    c.done()
    return values, c.warnings


def _refuse_duplicates(agency, values: dict[str, Any], exclude_pk: int | None) -> None:
    others = Party.objects.filter(agency=agency).exclude(pk=exclude_pk)
    code = values.get("credit_code")
    if code:
        other = others.filter(credit_code=code).first()
        if other:
            raise Duplicate("party_duplicate_credit_code",
                            f"统一社会信用代码 {code} 已登记为「{other.name}」，不能重复登记；"
                            "请打开该当事人核对或补充信息",
                            "credit_code", [GB_32100], existing_party_id=other.pk, existing_name=other.name)
    if values.get("kind") == PartyKind.PERSON and values.get("id_number"):
        other = others.filter(kind=PartyKind.PERSON, id_type=values["id_type"],
                              id_number=values["id_number"]).first()
        if other:
            raise Duplicate("party_duplicate_id",
                            f"{IdType(values['id_type']).label} {mask_id_number(values['id_number'])} "
                            f"已登记为「{other.name}」，不能重复登记；请打开该当事人核对或补充信息",
                            "id_number", existing_party_id=other.pk, existing_name=other.name)


def similar_parties(agency, name: str, *, exclude_pk: int | None = None, limit: int = 10) -> list[Party]:
    """Parties of the agency with the same name, or where one name contains the other (the contained
    name at least SIMILAR_MIN_LENGTH characters long)."""
    name = _text(name)
    if not name:
        return []
    cond = Q(name=name)
    if len(name) >= SIMILAR_MIN_LENGTH:
        cond |= Q(name__contains=name)
    cond |= Q(Contains(Value(name), F("name")), GreaterThanOrEqual(Length("name"), SIMILAR_MIN_LENGTH))
    qs = Party.objects.filter(agency=agency).filter(cond).exclude(pk=exclude_pk)
    return list(qs.order_by("name", "id")[:limit])


def _party_payload(party: Party) -> dict[str, Any]:
    return {f: _payload_value(f, getattr(party, f)) for f in PARTY_FIELDS
            if getattr(party, f) not in ("", None)}


def create_party(*, agency, actor, data: Mapping[str, Any], confirm_similar: bool = False,
                 today: date | None = None) -> Saved[Party]:
    """Register a party in `agency`. Refuses invalid numbers and duplicates of a credit code or an
    identity document in the same agency; raises NeedsConfirmation for similar names unless confirmed."""
    if agency is None:
        raise RuleViolation("no_agency", "您未隶属任何执法主体，不能登记当事人", None)
    values, warnings = clean_party(data, today=today)
    try:
        with transaction.atomic():
            _refuse_duplicates(agency, values, None)
            similar = similar_parties(agency, values["name"])
            if similar and not confirm_similar:
                raise NeedsConfirmation(similar, values["name"])
            creator = actor if getattr(actor, "pk", None) else None
            party = Party.objects.create(agency=agency, created_by=creator, **values)
            payload = _party_payload(party)
            if similar:
                payload["similar_confirmed"] = [p.pk for p in similar]
            record("parties.created", actor=actor, agency=agency, subject=f"party:{party.pk}",
                   payload=payload)
    except IntegrityError as exc:  # a concurrent registration won the race past the check above
        _refuse_duplicates(agency, values, None)
        raise RuleViolation("party_duplicate", "该当事人刚刚已由他人登记，请刷新后核对", None) from exc
    return Saved(party, warnings)


def update_party(party: Party, *, actor, data: Mapping[str, Any], confirm_similar: bool = False,
                 today: date | None = None) -> Saved[Party]:
    """Correct a party's details, with the same checks as registration. Nothing is written when refused."""
    try:
        with transaction.atomic():
            current = Party.objects.select_for_update().get(pk=party.pk)
            values, warnings = clean_party(data, instance=current, today=today)
            changed = _changes(current, values)
            if not changed:
                return Saved(current, warnings)
            _refuse_duplicates(current.agency_id, values, current.pk)
            similar = []
            if "name" in changed:
                similar = similar_parties(current.agency_id, values["name"], exclude_pk=current.pk)
                if similar and not confirm_similar:
                    raise NeedsConfirmation(similar, values["name"])
            for k, v in values.items():
                setattr(current, k, v)
            current.save()
            payload: dict[str, Any] = {"changed": changed}
            if similar:
                payload["similar_confirmed"] = [p.pk for p in similar]
            record("parties.updated", actor=actor, agency=current.agency, subject=f"party:{current.pk}",
                   payload=payload)
    except IntegrityError as exc:
        raise RuleViolation("party_duplicate", "证件号码或统一社会信用代码刚刚已由他人登记，请刷新后核对",
                            None) from exc
    return Saved(current, warnings, changed)


def reveal_id(party: Party, *, actor) -> None:
    """Record that a user displayed a party's full identity numbers (个人信息保护法: access is logged)."""
    fields = [f for f in ("id_number", "representative_id_number") if getattr(party, f)]
    record("parties.id_revealed", actor=actor, agency=party.agency, subject=f"party:{party.pk}",
           payload={"fields": fields})


# --- premises -----------------------------------------------------------------------------------
def clean_premises(data: Mapping[str, Any], *, instance: Premises | None = None) -> dict[str, Any]:
    c = _Checker()
    d = _merged(instance, PREMISES_FIELDS, data)
    values: dict[str, Any] = {"name": _text(d.get("name")), "business_type": _text(d.get("business_type")),
                              "address": _text(d.get("address")), "is_active": bool(d.get("is_active", True))}
    if not values["name"]:
        c.refuse("required", "请填写场所名称", "name")
    if not values["business_type"]:
        c.refuse("required", "请选择经营类别", "business_type")
    elif values["business_type"] not in BusinessType.values:
        c.refuse("business_type", "经营类别无效，请从列表中选择", "business_type")
    if not values["address"]:
        c.refuse("required", "请填写场所地址", "address")
    area = d.get("area_m2")
    if area in (None, ""):
        values["area_m2"] = None
    else:
        try:
            area = Decimal(str(area)).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            area = None
            c.refuse("area", "营业面积应为数字（平方米）", "area_m2")
        if area is not None and not Decimal(0) < area < Decimal(10_000_000):
            c.refuse("area", "营业面积应大于 0 且小于 10,000,000 平方米", "area_m2")
        values["area_m2"] = area
    cap = d.get("capacity")
    if cap in (None, ""):
        values["capacity"] = None
    else:
        try:
            cap = int(str(cap).strip())
        except ValueError:
            cap = None
            c.refuse("capacity", "核定人数/终端数应为整数", "capacity")
        if cap is not None and not 0 <= cap <= 1_000_000:
            c.refuse("capacity", "核定人数/终端数应在 0 至 1,000,000 之间", "capacity")
        values["capacity"] = cap
    _check_lengths(Premises, {k: v for k, v in values.items() if isinstance(v, str)}, c)
    c.done()
    return values


def add_premises(party: Party, *, actor, data: Mapping[str, Any]) -> Saved[Premises]:
    values = clean_premises(data)
    with transaction.atomic():
        premises = Premises.objects.create(party=party, **values)
        record("parties.premises_added", actor=actor, agency=party.agency, subject=f"party:{party.pk}",
               payload={"premises": premises.pk, **{k: _plain(v) for k, v in values.items()}})
    return Saved(premises)


def update_premises(premises: Premises, *, actor, data: Mapping[str, Any]) -> Saved[Premises]:
    with transaction.atomic():
        current = Premises.objects.select_for_update().select_related("party__agency").get(pk=premises.pk)
        values = clean_premises(data, instance=current)
        changed = _changes(current, values)
        if changed:
            for k, v in values.items():
                setattr(current, k, v)
            current.save()
            record("parties.premises_updated", actor=actor, agency=current.party.agency,
                   subject=f"party:{current.party_id}", payload={"premises": current.pk, "changed": changed})
    return Saved(current, [], changed)


# --- licences -----------------------------------------------------------------------------------
def clean_licence(party: Party, data: Mapping[str, Any], *, instance: Licence | None = None,
                  today: date | None = None) -> tuple[dict[str, Any], list[str]]:
    """Number and kind required, 有效期至 not before 有效期自, the premises one of the party's own,
    a reason for a suspended, revoked or cancelled licence; a kind that does not fit the premises'
    business type is a warning."""
    today = today or timezone.localdate()
    c = _Checker()
    d = _merged(instance, LICENCE_FIELDS, data)
    kind = _text(d.get("kind"))
    status = _text(d.get("status")) or LicenceStatus.VALID
    values: dict[str, Any] = {
        "kind": kind, "number": _text(d.get("number")), "scope": _text(d.get("scope")),
        "issued_by": _text(d.get("issued_by")), "status": status,
        "status_reason": _text(d.get("status_reason")),
    }
    if not kind:
        c.refuse("required", "请选择许可证类别", "kind")
    elif kind not in LicenceKind.values:
        c.refuse("licence_kind", "许可证类别无效，请从列表中选择", "kind")
    if not values["number"]:
        c.refuse("required", "请填写许可证编号", "number")
    start = _as_date(d.get("valid_from"), "有效期自", "valid_from", c)
    until = _as_date(d.get("valid_until"), "有效期至", "valid_until", c)
    if start is None and not any(v.field == "valid_from" for v in c.violations):
        c.refuse("required", "请填写有效期自", "valid_from")
    if start and until and until < start:
        c.refuse("licence_dates", f"有效期至（{until:%Y-%m-%d}）不能早于有效期自（{start:%Y-%m-%d}）",
                 "valid_until")
    values.update(valid_from=start, valid_until=until)
    if status not in LicenceStatus.values:
        c.refuse("licence_status", "许可证状态无效，请从列表中选择", "status")
    elif status in _STATUS_NEEDS_REASON and not values["status_reason"]:
        c.refuse("required", f"许可证状态为“{LicenceStatus(status).label}”时须填写状态说明"
                 "（决定文号、原因等）", "status_reason")
    prem = d.get("premises")
    if prem in (None, ""):
        prem = None
    elif not isinstance(prem, Premises):
        try:
            prem = party.premises.get(pk=int(prem))
        except (ValueError, TypeError, Premises.DoesNotExist):
            prem = None
            c.refuse("licence_premises", "所选经营场所不属于该当事人", "premises")
    elif prem.party_id != party.pk:
        c.refuse("licence_premises", "所选经营场所不属于该当事人", "premises")
        prem = None
    values["premises"] = prem
    if prem is not None and kind in LicenceKind.values and kind != LicenceKind.OTHER:
        expected = LICENCES_FOR_BUSINESS.get(prem.business_type)
        if expected is not None and kind not in expected:
            wanted = "、".join(str(LicenceKind(k).label) for k in sorted(expected)) or "备案（不发许可证）"
            c.warnings.append(f"{LicenceKind(kind).label}与场所“{prem.name}”的经营类别"
                              f"（{prem.get_business_type_display()}）通常不对应（一般为：{wanted}），请核对")
    if until and status == LicenceStatus.VALID and until < today:
        c.warnings.append(f"该许可证已于 {until:%Y-%m-%d} 到期，将显示为“过期”")
    _check_lengths(Licence, {k: v for k, v in values.items() if isinstance(v, str)}, c)
    c.done()
    return values, c.warnings


def _refuse_duplicate_licence(party: Party, values: dict[str, Any], exclude_pk: int | None) -> None:
    other = (Licence.objects.filter(party__agency_id=party.agency_id, kind=values["kind"],
                                    number=values["number"])
             .exclude(pk=exclude_pk).select_related("party").first())
    if other:
        holder = other.party.name
        raise Duplicate("licence_duplicate",
                        f"{LicenceKind(values['kind']).label} {values['number']} 已登记在「{holder}」名下，"
                        "不能重复登记", "number", existing_party_id=other.party_id, existing_name=holder)


def _licence_payload(lic: Licence) -> dict[str, Any]:
    return {"licence": lic.pk, **{f: _plain(getattr(lic, f)) for f in LICENCE_FIELDS
                                  if getattr(lic, f) not in ("", None)}}


def add_licence(party: Party, *, actor, data: Mapping[str, Any], today: date | None = None) -> Saved[Licence]:
    values, warnings = clean_licence(party, data, today=today)
    with transaction.atomic():
        _refuse_duplicate_licence(party, values, None)
        lic = Licence.objects.create(party=party, **values)
        record("parties.licence_added", actor=actor, agency=party.agency, subject=f"party:{party.pk}",
               payload=_licence_payload(lic))
    return Saved(lic, warnings)


def update_licence(licence: Licence, *, actor, data: Mapping[str, Any],
                   today: date | None = None) -> Saved[Licence]:
    with transaction.atomic():
        current = Licence.objects.select_for_update().select_related("party__agency").get(pk=licence.pk)
        values, warnings = clean_licence(current.party, data, instance=current, today=today)
        changed = _changes(current, values)
        if changed:
            _refuse_duplicate_licence(current.party, values, current.pk)
            for k, v in values.items():
                setattr(current, k, v)
            current.save()
            record("parties.licence_updated", actor=actor, agency=current.party.agency,
                   subject=f"party:{current.party_id}", payload={"licence": current.pk, "changed": changed})
    return Saved(current, warnings, changed)
