"""A realistic demo bureau: 平舆县文化广电和旅游局 with its people, their certificates and training,
and the businesses it regulates. Loaded by `zhifa load_demo`; never by a migration (DESIGN.md §6).

Everything here is fictional: names of people and businesses are made up, addresses are plausible
street names with made-up numbers, and the identity numbers are generated (right check characters,
random-looking bodies, the county's address code of the birth year) so that the checks of
`zhifa.law.identifiers` pass without a warning.

Dates are relative to the day of loading, so the demo looks the same in any year: most officers may
enforce today, and five are there on purpose to show what the roster does when something is missing:

- zhifa04: certificate expired (`certificate_expired`);
- zhifa05: certificate suspended, with the reason (`certificate_suspended`);
- zhifa10: last calendar year's refresher training missing (`refresher_missing`);
- zhifa12: a new officer whose onboarding is not complete (`onboarding_incomplete`);
- zhifa09: may enforce, but the certificate expires within 30 days (an alert).

Loading only creates what is missing (an account, a business, …) and never edits what is there, so
running it twice, or on another day, changes nothing.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from stdnum.cn import ric, uscc

from zhifa.law.identifiers import check_resident_id, check_uscc

from .roles import Role

PASSWORD_ENV = "ZHIFA_DEMO_PASSWORD"
# One documented password for every demo account. It must pass the password validators, also in
# 等保 mode; the platform's own name ("zhifa") is on the blocklist, so it cannot be part of it.
DEFAULT_PASSWORD = "Demo-Yanshi-2026!"


def demo_password() -> str:
    return os.environ.get(PASSWORD_ENV, "").strip() or DEFAULT_PASSWORD


# --- the agencies and units -------------------------------------------------------------------
PARENT_AGENCY = {
    "code": "411700-01",
    "region_code": "411700",
    "name": "驻马店市文化广电和旅游局",
    "document_name": "驻马店市文化广电和旅游局",
    "short_name": "驻文广旅",
    "brigade_name": "驻马店市文化市场综合执法支队",
    "merged_brigade": True,
    "address": "驻马店市驿城区文化路",
}

AGENCY = {
    "code": "411723-01",
    "region_code": "411723",
    "name": "平舆县文化广电和旅游局",
    "document_name": "平舆县文化广电和旅游局",
    "short_name": "平文旅",
    "brigade_name": "平舆县文化市场综合执法大队",
    "merged_brigade": True,
    "address": "平舆县清河大道中段文化中心",
}

SQUAD1_DOMAINS = ("NET", "ENT", "PER")  # 网吧、娱乐场所、营业性演出
SQUAD2_DOMAINS = ("TRV", "PUB", "AV", "PRT", "REL", "ART", "CPR", "FLM", "NCL", "MIN")
ALL_DOMAINS = SQUAD1_DOMAINS + SQUAD2_DOMAINS

LEADERSHIP, OFFICE, LEGAL, SQUAD1, SQUAD2 = "局领导", "办公室", "法制股", "执法一中队", "执法二中队"

# name, kind (UnitKind value), sort, domains
UNITS = (
    (LEADERSHIP, "leadership", 1, ()),
    (OFFICE, "office", 2, ()),
    (LEGAL, "legal", 3, ()),
    (SQUAD1, "squad", 4, SQUAD1_DOMAINS),
    (SQUAD2, "squad", 5, SQUAD2_DOMAINS),
)

CERT_AUTHORITY = "河南省人民政府"
CITY_BUREAU = PARENT_AGENCY["name"]
CERT_YEARS = 5


# --- people -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class DemoPerson:
    username: str
    full_name: str
    unit: str
    position: str
    roles: tuple[str, ...]
    employee_no: str
    joined_days_ago: int
    # Officers: how their qualification looks today (see the module docstring).
    scenario: str = ""  # "", "ok", "expired", "expiring", "suspended", "refresher_missing", "new"
    cert_seq: int = 0  # the running number in the certificate number
    cert_age_days: int = 0  # days since the current certificate was issued
    renewed: bool = False  # also holds the earlier certificate it replaced
    domains: tuple[str, ...] = ()
    legal_qualification_no: str = ""
    first_review_on: date | None = None
    first_review_days_ago: int | None = None

    @property
    def is_officer(self) -> bool:
        return Role.OFFICER in self.roles


OFFICER, REVIEWER, HEAD, CLERK = Role.OFFICER.value, Role.REVIEWER.value, Role.HEAD.value, Role.CLERK.value
SYS, SEC, AUD = Role.SYSADMIN.value, Role.SECADMIN.value, Role.AUDITADMIN.value
Y = 365  # a year, roughly, for the days-ago fields below


def _staff(username, name, unit, position, roles, employee_no, joined_days_ago, **kw) -> DemoPerson:
    return DemoPerson(username, name, unit, position, roles, employee_no, joined_days_ago, **kw)


def _officer(username, name, unit, position, employee_no, joined_days_ago, scenario, cert_seq,
             cert_age_days=0, renewed=False, **kw) -> DemoPerson:
    roles = kw.pop("roles", (OFFICER,))
    return DemoPerson(username, name, unit, position, roles, employee_no, joined_days_ago, scenario, cert_seq,
                      cert_age_days, renewed, **kw)


MEMBER = "执法队员"

PEOPLE: tuple[DemoPerson, ...] = (
    # The three administrators first: they must be three different people (三员分立).
    _staff("sysadmin", "吴昊天", OFFICE, "信息化管理员（系统管理员）", (SYS,), "PY021", 8 * Y),
    _staff("secadmin", "郑晓东", OFFICE, "安全管理员", (SEC,), "PY022", 6 * Y),
    _staff("auditadmin", "冯玉兰", OFFICE, "审计管理员", (AUD,), "PY023", 10 * Y),
    _staff("juzhang", "张建国", LEADERSHIP, "局长", (HEAD,), "PY001", 26 * Y),
    _staff("fujuzhang1", "刘海燕", LEADERSHIP, "副局长（分管文化市场执法）", (HEAD,), "PY002", 19 * Y),
    _staff("fujuzhang2", "陈志刚", LEADERSHIP, "副局长（分管旅游）", (HEAD,), "PY003", 15 * Y),
    _staff("neiqin", "周丽娟", OFFICE, "内勤（档案管理）", (CLERK,), "PY020", 12 * Y),
    _staff("fazhi1", "赵雅琴", LEGAL, "法制股股长", (REVIEWER,), "PY010", 9 * Y,
           legal_qualification_no="A20194117230021", first_review_days_ago=3 * Y + 40),
    # Reviewing since before the 2021 《行政处罚法》 (Art 58 applies to people reviewing for the first
    # time after it took effect on 2021-07-15), so no 法律职业资格 is needed: a fixed date on purpose.
    _officer("fazhi2", "孙明亮", LEGAL, "法制审核员", "PY011", 12 * Y, "ok", 101, 900, True,
             roles=(REVIEWER, OFFICER), domains=ALL_DOMAINS, first_review_on=date(2018, 9, 3)),
    _officer("zhifa01", "王德胜", SQUAD1, "执法一中队中队长", "PY101", 14 * Y, "ok", 111, 700, True),
    _officer("zhifa02", "李春雷", SQUAD1, MEMBER, "PY102", 9 * Y, "ok", 112, 1200, True),
    _officer("zhifa03", "杨帆", SQUAD1, MEMBER, "PY103", 4 * Y, "ok", 113, 1300),
    _officer("zhifa04", "黄志勇", SQUAD1, MEMBER, "PY104", 10 * Y, "expired", 114),
    _officer("zhifa05", "何小梅", SQUAD1, MEMBER, "PY105", 6 * Y, "suspended", 115, 800),
    _officer("zhifa06", "高俊杰", SQUAD1, MEMBER, "PY106", 2 * Y, "ok", 116, 600),
    _officer("zhifa07", "马卫东", SQUAD2, "执法二中队中队长", "PY201", 16 * Y, "ok", 121, 400, True),
    _officer("zhifa08", "罗静", SQUAD2, MEMBER, "PY202", 7 * Y, "ok", 122, 1000),
    _officer("zhifa09", "郭振华", SQUAD2, MEMBER, "PY203", 11 * Y, "expiring", 123),
    _officer("zhifa10", "林晓峰", SQUAD2, MEMBER, "PY204", 1900, "refresher_missing", 124, 1500),
    _officer("zhifa11", "宋佳怡", SQUAD2, MEMBER, "PY205", 3 * Y, "ok", 125, 1000),
    _officer("zhifa12", "唐浩然", SQUAD2, "执法队员（新任）", "PY206", 40, "new", 126, 10),
)

EXPIRED_DAYS_AGO = 38  # zhifa04's certificate ran out this many days ago
EXPIRING_IN_DAYS = 21  # zhifa09's certificate runs out in this many days
SUSPENDED_DAYS_AGO = 12
SUSPENSION_REASON = ("群众投诉其在检查中未按规定出示执法证件且态度粗暴，经核查属实，"
                     "经局长办公会研究决定暂扣执法证三个月，停止执法工作，待整改考核")

# What the roster must show (the test and the printout read these).
EXPECTED_BLOCKED = {
    "zhifa04": "certificate_expired",
    "zhifa05": "certificate_suspended",
    "zhifa10": "refresher_missing",
    "zhifa12": "onboarding_incomplete",
}
EXPECTED_EXPIRY_ALERT = ("zhifa09",)


# --- dates ------------------------------------------------------------------------------------
def add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def monday_on_or_after(d: date) -> date:
    return d + timedelta(days=(7 - d.weekday()) % 7)


def cert_valid_until(issued_on: date) -> date:
    return add_years(issued_on, CERT_YEARS) - timedelta(days=1)


def cert_issued_for(valid_until: date) -> date:
    return add_years(valid_until + timedelta(days=1), -CERT_YEARS)


@dataclass(frozen=True)
class CertPlan:
    number: str
    domains: tuple[str, ...]
    issued_on: date
    valid_until: date


@dataclass(frozen=True)
class TrainingPlan:
    kind: str  # TrainingKind value
    title: str
    organiser: str
    start_on: date
    end_on: date
    hours: Decimal
    days: Decimal
    exam_result: str = "none"
    exam_score: Decimal | None = None


@dataclass
class PersonPlan:
    """What a person's file looks like on `today`: the account, certificates, training."""

    person: DemoPerson
    joined_on: date
    certificates: list[CertPlan] = field(default_factory=list)
    trainings: list[TrainingPlan] = field(default_factory=list)
    annual_reviews: list[tuple[str, int, date]] = field(default_factory=list)  # number, year, reviewed on
    suspension: tuple[str, date, str] | None = None  # number, effective on, reason


def _score(seq: int, base: int = 80) -> Decimal:
    return Decimal(base + (seq * 7) % 18)


def _squad_domains(p: DemoPerson) -> tuple[str, ...]:
    if p.domains:
        return p.domains
    return SQUAD1_DOMAINS if p.unit == SQUAD1 else SQUAD2_DOMAINS


def onboarding_course(joined_on: date, seq: int) -> TrainingPlan:
    """A month's onboarding in the first year: 22 training days, 176 学时, an examination passed."""
    start = monday_on_or_after(joined_on + timedelta(days=14))
    return TrainingPlan("onboarding", f"{start.year}年新任行政执法人员入职培训", CITY_BUREAU,
                        start, start + timedelta(days=31), Decimal(176), Decimal(22), "passed", _score(seq))


def refresher_course(year: int, seq: int) -> TrainingPlan:
    start = monday_on_or_after(date(year, 10, 12))
    return TrainingPlan("refresher", f"{year}年度全市文化市场综合执法人员轮训", CITY_BUREAU,
                        start, start + timedelta(days=4), Decimal(40), Decimal(5), "passed", _score(seq, 78))


def spring_course(year: int, seq: int) -> TrainingPlan:
    start = monday_on_or_after(date(year, 3, 16))
    return TrainingPlan("refresher", f"{year}年度全县文化市场综合执法人员春季轮训", "平舆县文化广电和旅游局",
                        start, start + timedelta(days=4), Decimal(42), Decimal(5), "passed", _score(seq, 76))


def special_courses(p: DemoPerson, year: int) -> list[TrainingPlan]:
    """Topical courses of last year: the law for everyone, one course per squad."""
    law = monday_on_or_after(date(year, 6, 8))
    out = [TrainingPlan("special", "《行政处罚法》《河南省行政执法条例》专题培训", "平舆县司法局",
                        law, law + timedelta(days=1), Decimal(16), Decimal(2))]
    if p.unit == SQUAD1:
        d = monday_on_or_after(date(year, 8, 17)) + timedelta(days=2)
        out.append(TrainingPlan("special", "网吧及娱乐场所监管与电子数据取证专题培训", CITY_BUREAU,
                                d, d, Decimal(8), Decimal(1)))
    elif p.unit == SQUAD2:
        d = monday_on_or_after(date(year, 9, 7)) + timedelta(days=1)
        out.append(TrainingPlan("special", "旅游市场秩序整治与网络文化监管专题培训", CITY_BUREAU,
                                d, d, Decimal(8), Decimal(1)))
    return out


def plan_person(p: DemoPerson, today: date) -> PersonPlan:
    joined = today - timedelta(days=p.joined_days_ago)
    plan = PersonPlan(p, joined)
    last_year = today.year - 1
    if p.username == "fazhi1":  # the reviewer who is not an officer: topical courses only
        plan.trainings += special_courses(p, last_year)[:1]
    if not p.is_officer:
        return plan

    # Training: onboarding, last years' rotation, topical courses, this spring's rotation if held.
    if p.scenario == "new":
        start = joined + timedelta(days=3)
        plan.trainings.append(TrainingPlan(
            "onboarding", f"{start.year}年新任行政执法人员入职培训（第一阶段：法律基础）", CITY_BUREAU,
            start, start + timedelta(days=18), Decimal(80), Decimal(10)))
    else:
        onboarding = onboarding_course(joined, p.cert_seq)
        plan.trainings.append(onboarding)
        for year in range(max(onboarding.end_on.year + 1, today.year - 3), today.year):
            if year == last_year and p.scenario == "refresher_missing":
                # Away on a task during the rotation; one topical day is all of last year.
                d = monday_on_or_after(date(year, 9, 7)) + timedelta(days=1)
                plan.trainings.append(TrainingPlan("special", "旅游市场秩序整治与网络文化监管专题培训",
                                                   CITY_BUREAU, d, d, Decimal(8), Decimal(1)))
                continue
            plan.trainings.append(refresher_course(year, p.cert_seq))
            if year == last_year:
                plan.trainings += [t for t in special_courses(p, year) if t.start_on > onboarding.end_on]
        spring = spring_course(today.year, p.cert_seq)
        if spring.end_on < today and spring.start_on > onboarding.end_on:
            plan.trainings.append(spring)

    # Certificates: the current one, and for some the one it replaced.
    domains = _squad_domains(p)
    if p.scenario == "expired":
        valid_until = today - timedelta(days=EXPIRED_DAYS_AGO)
        issued = cert_issued_for(valid_until)
    elif p.scenario == "expiring":
        valid_until = today + timedelta(days=EXPIRING_IN_DAYS)
        issued = cert_issued_for(valid_until)
    else:
        issued = today - timedelta(days=p.cert_age_days)
        valid_until = cert_valid_until(issued)
    if p.renewed:
        old_until = issued - timedelta(days=1)
        old_issued = cert_issued_for(old_until)
        plan.certificates.append(CertPlan(f"豫ZMD-{old_issued.year}-{p.cert_seq:04d}", domains,
                                          old_issued, old_until))
    plan.certificates.append(CertPlan(f"豫ZMD-{issued.year}-{p.cert_seq:04d}", domains, issued, valid_until))
    if p.scenario != "new" and plan.certificates[0].issued_on <= plan.trainings[0].end_on:
        raise ValueError(f"{p.username}: the first certificate must follow the onboarding course")

    # 年审 of last year for every certificate held through the whole of it.
    reviewed_on = date(last_year, 12, 10)
    for c in plan.certificates:
        if c.issued_on < date(last_year, 1, 1) and reviewed_on <= c.valid_until:
            plan.annual_reviews.append((c.number, last_year, reviewed_on))
    if p.scenario == "suspended":
        plan.suspension = (plan.certificates[-1].number, today - timedelta(days=SUSPENDED_DAYS_AGO),
                           SUSPENSION_REASON)
    return plan


# --- identity numbers -------------------------------------------------------------------------
REGION = "411723"  # 平舆县
REGION_BEFORE_2000 = "412827"  # 驻马店地区平舆县, until 驻马店 became a city in 2000
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, S, V, Z
_ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _org_code(seed: str) -> str:
    """A 9-character organisation code "MA……" (GB 11714 check character included)."""
    digest = hashlib.sha256(seed.encode()).digest()
    body = "MA" + "".join(_USCC_ALPHABET[b % len(_USCC_ALPHABET)] for b in digest[:6])
    total = sum(_ORG_ALPHABET.index(ch) * w for ch, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    c = 11 - total % 11
    return body + ("X" if c == 10 else "0" if c == 11 else str(c))


def make_uscc(name: str, *, individual: bool = False) -> str:
    """统一社会信用代码: 9 (市场监管) + 1 enterprise / 2 个体工商户 + 411723 + org code + check."""
    base = ("92" if individual else "91") + REGION + _org_code(name)
    code = base + uscc.calc_check_digit(base)
    check = check_uscc(code)
    if not check.valid:
        raise ValueError(f"{code}: {check.reason}")
    return code


def resident_region(born: date) -> str:
    """The address code a 平舆县 resident's number starts with: the county's code when the number was
    assigned, taken as the birth year (412827 under 驻马店地区 until 2000, then 411723)."""
    return REGION if born.year >= 2000 else REGION_BEFORE_2000


def make_resident_id(born: date, seq: int, *, male: bool) -> str:
    """18-digit 居民身份证号码 of a 平舆县 resident; the 17th digit is odd for men."""
    seq = seq * 2 + (1 if male else 0)
    base = f"{resident_region(born)}{born:%Y%m%d}{seq % 1000:03d}"
    number = base + ric.calc_check_digit(base + "0")  # stdnum expects a place for the check digit
    check = check_resident_id(number)
    if not check.valid or check.warnings:  # a clerk entering it would be asked to check it
        raise ValueError(f"{number}: {check.reason or '；'.join(check.warnings)}")
    return number


# --- regulated businesses ---------------------------------------------------------------------
@dataclass(frozen=True)
class DemoBusiness:
    business_type: str  # BusinessType value
    name: str
    representative: str  # 法定代表人, or the operator of a 个体工商户
    address: str
    premises: str
    area_m2: int
    capacity: int | None = None
    operator: tuple[date, bool] | None = None  # a 个体工商户's operator: birth date, male
    licence: str = ""  # LicenceKind value; empty where only a 备案 is required
    scope: str = ""
    licence_state: str = ""  # "", "expired", "expiring"
    note: str = ""

    @property
    def individual(self) -> bool:
        return self.operator is not None


def _op(born: str, male: bool) -> tuple[date, bool]:
    return date.fromisoformat(born), male


NET, SONG, GAMES = "internet_cafe", "song_dance", "games"
VENUE, TROUPE = "performance_venue", "performance_agency"
TRAVEL, BOOKS, AV, PRINT, RELICS, ART, SCRIPT = ("travel_agency", "publications", "audio_video", "printing",
                                                 "relics", "art", "script_games")
B = DemoBusiness

BUSINESSES: tuple[DemoBusiness, ...] = (
    # 互联网上网服务营业场所（网吧）
    B(NET, "平舆县极速风暴网络科技有限公司", "韩卫东", "平舆县清河大道中段218号", "极速风暴网咖", 620, 160,
      licence="network_culture", scope="互联网上网服务"),
    B(NET, "平舆县星河互联网服务有限公司", "曹雪峰", "平舆县建设街与健康路交叉口东北角二楼", "星河网咖",
      480, 120, licence="network_culture", scope="互联网上网服务"),
    B(NET, "平舆县蓝海网吧", "彭建军", "平舆县解放街北段56号", "蓝海网吧", 260, 70,
      operator=_op("1976-08-14", True), licence="network_culture", scope="互联网上网服务",
      licence_state="expired"),
    B(NET, "平舆县竞界电竞文化有限公司", "邓立新", "平舆县人民路东段88号", "竞界电竞馆", 900, 200,
      licence="network_culture", scope="互联网上网服务"),
    B(NET, "平舆县飞翔网吧", "许国强", "平舆县射桥镇中心街12号", "飞翔网吧", 180, 48,
      operator=_op("1981-02-03", True), licence="network_culture", scope="互联网上网服务"),
    B(NET, "平舆县阳光网吧", "谢红梅", "平舆县西洋店镇人民路31号", "阳光网吧", 200, 55,
      operator=_op("1985-11-21", False), licence="network_culture", scope="互联网上网服务"),
    B(NET, "平舆县云端网络服务有限公司", "范志远", "平舆县文化路中段102号", "云端网咖", 540, 140,
      licence="network_culture", scope="互联网上网服务"),
    B(NET, "平舆县雷霆网络会所有限公司", "袁明辉", "平舆县车站路南段9号", "雷霆网络会所", 450, 110,
      licence="network_culture", scope="互联网上网服务"),
    # 歌舞娱乐场所（KTV）
    B(SONG, "平舆县欢唱时代娱乐有限公司", "蒋文斌", "平舆县清河大道东段66号", "欢唱时代KTV", 1200, 300,
      licence="entertainment", scope="歌舞娱乐场所", licence_state="expiring"),
    B(SONG, "平舆县声动娱乐有限公司", "沈建平", "平舆县兴平路18号", "声动量贩KTV", 900, 220,
      licence="entertainment", scope="歌舞娱乐场所"),
    B(SONG, "平舆县麦霸娱乐管理有限公司", "韦玉林", "平舆县人民路中段203号", "麦霸KTV", 800, 180,
      licence="entertainment", scope="歌舞娱乐场所"),
    B(SONG, "平舆县夜莺歌厅", "潘秀英", "平舆县东和店镇建设路7号", "夜莺歌厅", 220, 60,
      operator=_op("1972-05-30", False), licence="entertainment", scope="歌舞娱乐场所"),
    B(SONG, "平舆县唱享汇娱乐有限公司", "汪海涛", "平舆县健康路北段45号", "唱享汇KTV", 1000, 260,
      licence="entertainment", scope="歌舞娱乐场所"),
    # 游艺娱乐场所
    B(GAMES, "平舆县欢乐岛游艺有限公司", "田家明", "平舆县清河大道中段新天地商场三楼", "欢乐岛电玩城",
      1500, 400,
      licence="entertainment", scope="游艺娱乐场所"),
    B(GAMES, "平舆县童趣游艺厅", "姜丽萍", "平舆县解放街南段23号", "童趣游艺厅", 300, 80,
      operator=_op("1988-07-09", False), licence="entertainment", scope="游艺娱乐场所"),
    B(GAMES, "平舆县奇幻星球娱乐有限公司", "秦永福", "平舆县建设街中段101号四楼", "奇幻星球游艺城", 1100, 300,
      licence="entertainment", scope="游艺娱乐场所"),
    # 演出场所、演出经纪机构和文艺表演团体
    B(VENUE, "平舆县梨园大剧院管理有限公司", "蔡文华", "平舆县文化路中段1号", "梨园大剧院", 3200, 900,
      licence="performance", scope="演出场所经营单位"),
    B(VENUE, "平舆县清河演艺中心有限公司", "钟志成", "平舆县清河大道西段300号", "清河演艺中心", 1800, 500,
      licence="performance", scope="演出场所经营单位"),
    B(TROUPE, "平舆县凤鸣文化传媒有限公司", "段晓燕", "平舆县人民路西段12号", "凤鸣文化传媒办公室", 120,
      licence="performance", scope="演出经纪机构"),
    B(TROUPE, "平舆县豫韵戏曲艺术团有限公司", "邹国华", "平舆县东皇路28号", "豫韵戏曲艺术团排练厅", 400,
      licence="performance", scope="文艺表演团体（戏曲）"),
    # 旅行社
    B(TRAVEL, "平舆县青山国际旅行社有限公司", "叶建新", "平舆县清河大道中段150号", "青山国旅营业部", 90,
      licence="travel", scope="国内旅游业务、入境旅游业务"),
    B(TRAVEL, "平舆县假日旅行社有限公司", "程玉梅", "平舆县建设街中段66号", "假日旅行社营业部", 60,
      licence="travel", scope="国内旅游业务、入境旅游业务"),
    B(TRAVEL, "平舆县天中旅行社有限公司", "傅海军", "平舆县人民路东段22号", "天中旅行社营业部", 75,
      licence="travel", scope="国内旅游业务、入境旅游业务"),
    B(TRAVEL, "平舆县途悦旅行社有限公司", "吕静怡", "平舆县车站路北段5号", "途悦旅行社营业部", 50,
      licence="travel", scope="国内旅游业务、入境旅游业务"),
    B(TRAVEL, "平舆县畅行旅行社有限公司", "魏国庆", "平舆县健康路南段8号", "畅行旅行社营业部", 55,
      licence="travel", scope="国内旅游业务、入境旅游业务"),
    # 出版物零售（书店）、音像制品
    B(BOOKS, "平舆县新知书店有限公司", "苏文博", "平舆县文化路中段56号", "新知书店", 600,
      licence="publications", scope="出版物零售"),
    B(BOOKS, "平舆县博文书店", "卢桂兰", "平舆县解放街中段19号", "博文书店", 120, None,
      operator=_op("1969-12-12", False), licence="publications", scope="出版物零售",
      licence_state="expiring"),
    B(BOOKS, "平舆县学海书社", "丁秀珍", "平舆县射桥镇中心街40号", "学海书社", 80, None,
      operator=_op("1979-04-25", False), licence="publications", scope="出版物零售"),
    B(BOOKS, "平舆县启明文具书店", "任志华", "平舆县西洋店镇人民路15号", "启明文具书店", 90, None,
      _op("1983-09-17", True), licence="publications", scope="出版物零售"),
    B(BOOKS, "平舆县墨香图书有限公司", "姚立群", "平舆县建设街南段33号", "墨香书城", 450,
      licence="publications", scope="出版物零售"),
    B(AV, "平舆县金曲音像店", "夏长青", "平舆县人民路中段77号", "金曲音像店", 60, None,
      operator=_op("1974-03-08", True), licence="publications", scope="音像制品零售"),
    # 印刷
    B(PRINT, "平舆县华彩印务有限公司", "石光明", "平舆县产业集聚区创业路9号", "华彩印务厂区", 3000,
      licence="printing", scope="包装装潢印刷品印刷、其他印刷品印刷"),
    B(PRINT, "平舆县明达印刷有限公司", "熊德兴", "平舆县产业集聚区兴业路16号", "明达印刷厂", 1800,
      licence="printing", scope="其他印刷品印刷"),
    B(PRINT, "平舆县快印坊图文店", "严小军", "平舆县文化路中段88号", "快印坊图文店", 60, None,
      _op("1990-01-19", True), licence="printing", scope="专项排版、制版、装订"),
    # 文物经营
    B(RELICS, "平舆县古挚文物商店有限公司", "董振邦", "平舆县文化路北段18号", "古挚文物商店", 200,
      licence="relics", scope="文物购销"),
    B(RELICS, "平舆县博古斋文物经营有限公司", "贺守仁", "平舆县清河大道西段88号", "博古斋", 150,
      licence="relics", scope="文物购销"),
    # 艺术品经营、剧本娱乐：备案，不发许可证
    B(ART, "平舆县丹青艺术品有限公司", "孔令辉", "平舆县文化路北段26号", "丹青画廊", 260,
      note="艺术品经营单位已备案"),
    B(ART, "平舆县墨韵书画店", "黎文清", "平舆县解放街北段88号", "墨韵书画店", 70, None,
      operator=_op("1966-10-05", True), note="艺术品经营单位已备案"),
    B(SCRIPT, "平舆县谜境文化娱乐有限公司", "常晓宇", "平舆县人民路东段130号三楼", "谜境剧本杀", 400, 60,
      note="剧本娱乐经营场所已备案"),
    B(SCRIPT, "平舆县推理时光剧本馆", "万佳琪", "平舆县建设街中段120号二楼", "推理时光剧本馆", 220, 40,
      _op("1995-06-28", False), note="剧本娱乐经营场所已备案"),
)


@dataclass(frozen=True)
class DemoPersonParty:
    """A natural person who is a party (无证经营、个人收购文物 …)."""

    name: str
    born: date
    male: bool
    address: str
    note: str


PERSONS: tuple[DemoPersonParty, ...] = (
    DemoPersonParty("胡长林", date(1968, 5, 17), True, "平舆县阳城镇王庄村三组",
                    "在集市流动摊点销售出版物，未取得出版物经营许可证"),
    DemoPersonParty("刘翠英", date(1975, 11, 2), False, "平舆县东和店镇李湾村五组",
                    "举报线索：私下收购出土器物"),
    DemoPersonParty("张伟东", date(1990, 3, 21), True, "平舆县清河街道建设社区",
                    "组织婚庆营业性演出，未报批"),
)

LICENCE_YEARS = {"network_culture": 3, "entertainment": 2, "performance": 2, "publications": 5, "printing": 6,
                 "relics": 5, "travel": None}
LICENCE_ISSUER = {
    "network_culture": AGENCY["name"], "entertainment": AGENCY["name"], "performance": AGENCY["name"],
    "publications": AGENCY["name"], "printing": AGENCY["name"], "relics": "河南省文物局",
    "travel": PARENT_AGENCY["name"],
}
LICENCE_NUMBER: dict[str, Callable[[int, int], str]] = {
    "network_culture": lambda y, n: f"豫网文（平）〔{y}〕{n:03d}号",
    "entertainment": lambda y, n: f"平文旅娱〔{y}〕{n:03d}号",
    "performance": lambda y, n: f"平文旅演〔{y}〕{n:03d}号",
    "travel": lambda y, n: f"L-HEN-{n + 30100:05d}",
    "publications": lambda y, n: f"新出发平字第{y}{n:03d}号",
    "printing": lambda y, n: f"（豫）印证字41172300{n:02d}号",
    "relics": lambda y, n: f"豫文物经营许字〔{y}〕{n:03d}号",
}
EXPIRED_LICENCE_DAYS_AGO = 45
EXPIRING_LICENCE_DAYS = {SONG: 25, BOOKS: 50}


@dataclass(frozen=True)
class LicencePlan:
    kind: str
    number: str
    scope: str
    issued_by: str
    valid_from: date
    valid_until: date | None


def plan_licence(b: DemoBusiness, index: int, today: date) -> LicencePlan | None:
    if not b.licence:
        return None
    years = LICENCE_YEARS[b.licence]
    if b.licence_state == "expired":
        valid_until = today - timedelta(days=EXPIRED_LICENCE_DAYS_AGO)
        valid_from = add_years(valid_until + timedelta(days=1), -years)
    elif b.licence_state == "expiring":
        valid_until = today + timedelta(days=EXPIRING_LICENCE_DAYS.get(b.business_type, 30))
        valid_from = add_years(valid_until + timedelta(days=1), -years)
    else:
        # Spread the issue dates over the validity period, well inside it.
        span = (years * 365 - 120) if years else 2000
        valid_from = today - timedelta(days=60 + (index * 97) % span)
        valid_until = add_years(valid_from, years) - timedelta(days=1) if years else None
    number = LICENCE_NUMBER[b.licence](valid_from.year, index + 1)
    return LicencePlan(b.licence, number, b.scope, LICENCE_ISSUER[b.licence], valid_from, valid_until)


# --- loading ----------------------------------------------------------------------------------
class DemoConflict(Exception):
    """The database holds something the demo would take over (an account of another agency …)."""


@dataclass
class Account:
    person: DemoPerson
    user: object
    created: bool


@dataclass
class LoadResult:
    accounts: list[Account] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)
    passwords_reset: int = 0
    warnings: list[str] = field(default_factory=list)  # what the services warned of, by party
    skipped: list[str] = field(default_factory=list)  # what was left out because of existing data

    def count(self, what: str, n: int = 1) -> None:
        self.created[what] = self.created.get(what, 0) + n

    def warn(self, name: str, warnings: list[str]) -> None:
        self.warnings += [f"{name}：{w}" for w in warnings]


def password_problems(password: str) -> list[str]:
    """Why the password fails the validators for any demo account (empty: it passes)."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from .models import User

    problems: list[str] = []
    for p in PEOPLE:
        try:
            validate_password(password, User(username=p.username, full_name=p.full_name))
        except ValidationError as exc:
            problems += [m for m in exc.messages if m not in problems]
    return problems


def load(today: date | None = None, password: str | None = None, *,
         reset_passwords: bool = False) -> LoadResult:
    """Create whatever of the demo bureau is missing; never edit what is there.

    Writes through the org services (roles, certificates, training, reviews, status) and the parties
    services (parties, premises, licences), so the demo is checked like data a clerk enters and the
    record shows it being entered. The reference data (domains, role groups) must be loaded first.
    """
    from django.db import transaction

    today = today or timezone.localdate()
    password = password or demo_password()
    result = LoadResult()
    with transaction.atomic():
        agency = _load_agencies(result)
        units = _load_units(agency, result)
        _load_people(agency, units, today, password, reset_passwords, result)
        _load_qualifications(today, result)
        _load_parties(agency, today, result)
    return result


def _load_agencies(result: LoadResult):
    from .models import Agency

    parent, created = Agency.objects.get_or_create(
        code=PARENT_AGENCY["code"], defaults={k: v for k, v in PARENT_AGENCY.items() if k != "code"})
    result.count("agencies", created)
    agency, created = Agency.objects.get_or_create(
        code=AGENCY["code"], defaults={**{k: v for k, v in AGENCY.items() if k != "code"}, "parent": parent})
    result.count("agencies", created)
    return agency


def _domains(codes) -> list:
    from zhifa.catalog.models import Domain

    found = {d.code: d for d in Domain.objects.filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise DemoConflict(f"缺少执法领域 {'、'.join(missing)}：请先运行 zhifa load_reference")
    return [found[c] for c in codes]


def _load_units(agency, result: LoadResult) -> dict:
    from .models import Unit

    units = {}
    for name, kind, sort, domains in UNITS:
        unit, created = Unit.objects.get_or_create(agency=agency, name=name,
                                                   defaults={"kind": kind, "sort": sort})
        if created:
            unit.domains.set(_domains(domains))
        result.count("units", created)
        units[name] = unit
    return units


def _load_people(agency, units, today, password, reset_passwords, result: LoadResult) -> None:
    from django.contrib.auth.hashers import make_password

    from .models import User
    from .services import set_roles

    # Every demo account shares the one published password, so a salt per account would protect
    # nothing, and each argon2 hash costs about 0.3 s: hash it once.
    encoded = make_password(password)
    role_actor = None  # the 安全管理员 grants roles once there is one
    for p in PEOPLE:
        user = User.objects.filter(username=p.username).first()
        if user is not None and user.agency_id != agency.pk:
            raise DemoConflict(f"账户 {p.username} 已存在且不属于{agency.name}，演示数据不会接管它")
        created = user is None
        if created:
            first_review = p.first_review_on or (
                today - timedelta(days=p.first_review_days_ago) if p.first_review_days_ago else None)
            user = User.objects.create(
                username=p.username, password=encoded, full_name=p.full_name, agency=agency,
                unit=units[p.unit], position=p.position, employee_no=p.employee_no,
                joined_on=today - timedelta(days=p.joined_days_ago),
                has_legal_qualification=bool(p.legal_qualification_no),
                legal_qualification_no=p.legal_qualification_no, first_review_on=first_review)
            set_roles(user, p.roles, actor=role_actor)
            result.count("people")
        elif reset_passwords:
            _reset_password(user, encoded)
            result.passwords_reset += 1
        if Role.SECADMIN in p.roles:
            role_actor = user
        result.accounts.append(Account(p, user, created))


def _reset_password(user, encoded: str) -> None:
    from axes.utils import reset as axes_reset

    from zhifa.records.services import record

    user.password = encoded
    user.save(update_fields=["password"])
    axes_reset(username=user.username)
    record("auth.password_reset", actor=None, agency=user.agency, subject=f"user:{user.pk}",
           payload={"user": user.username, "by": "load_demo --reset-passwords"})


def _load_qualifications(today: date, result: LoadResult) -> None:
    from .services import add_annual_review, add_certificate, add_training, change_certificate_status

    by_name = {a.person.username: a.user for a in result.accounts}
    clerk = by_name["neiqin"]  # 内勤 keeps the personnel files
    for account in result.accounts:
        user, plan = account.user, plan_person(account.person, today)
        if plan.certificates and not user.certificates.exists():
            certs = {}
            for c in plan.certificates:
                certs[c.number] = add_certificate(
                    holder=user, number=c.number, issuing_authority=CERT_AUTHORITY,
                    domains=_domains(c.domains), issued_on=c.issued_on, valid_until=c.valid_until,
                    actor=clerk)
                result.count("certificates")
            for number, year, reviewed_on in plan.annual_reviews:
                add_annual_review(certs[number], year=year, reviewed_on=reviewed_on, passed=True,
                                  note="年审合格", actor=clerk)
                result.count("annual_reviews")
            if plan.suspension:
                number, effective_on, reason = plan.suspension
                change_certificate_status(certs[number], status="suspended", effective_on=effective_on,
                                          reason=reason, actor=clerk)
                result.count("certificate_status_changes")
        if plan.trainings and not user.trainings.exists():
            for t in plan.trainings:
                add_training(person=user, kind=t.kind, title=t.title, organiser=t.organiser,
                             start_on=t.start_on, end_on=t.end_on, hours=t.hours, days=t.days,
                             exam_result=t.exam_result, exam_score=t.exam_score, actor=clerk)
                result.count("trainings")


def _load_parties(agency, today: date, result: LoadResult) -> None:
    """Register the businesses and persons through the parties services, as the 内勤 would: every
    number is checked, duplicates refused, and each party, premises and licence recorded as an event."""
    from django.db.models import Q

    from zhifa.parties.models import Party, PartyKind
    from zhifa.parties.services import Duplicate, add_licence, add_premises, create_party

    clerk = next(a.user for a in result.accounts if a.person.username == "neiqin")
    # The demo's names are made up and each party is identified by its number: a party of a similar
    # name already in the register is another party, which is what a clerk confirms. The event then
    # records the confirmation (`similar_confirmed`).
    register = {"agency": agency, "actor": clerk, "confirm_similar": True, "today": today}
    for i, b in enumerate(BUSINESSES):
        code = make_uscc(b.name, individual=b.individual)
        if Party.objects.filter(agency=agency, credit_code=code).exists():
            continue
        operator_id = make_resident_id(b.operator[0], i + 1, male=b.operator[1]) if b.operator else ""
        saved = create_party(**register, data={
            "kind": PartyKind.INDIVIDUAL if b.individual else PartyKind.ORGANISATION, "name": b.name,
            "credit_code": code, "representative": b.representative,
            "representative_id_number": operator_id, "address": b.address, "note": b.note})
        party = saved.obj
        result.warn(b.name, saved.warnings)
        result.count("parties")
        premises = add_premises(party, actor=clerk, data={
            "name": b.premises, "business_type": b.business_type, "address": b.address,
            "area_m2": b.area_m2, "capacity": b.capacity}).obj
        result.count("premises")
        lic = plan_licence(b, i, today)
        if lic is None:
            continue
        try:
            saved_lic = add_licence(party, actor=clerk, today=today, data={
                "kind": lic.kind, "number": lic.number, "premises": premises, "scope": lic.scope,
                "issued_by": lic.issued_by, "valid_from": lic.valid_from, "valid_until": lic.valid_until})
        except Duplicate as exc:  # someone registered that number for another party: leave it be
            result.skipped.append(f"{b.name}的许可证：{exc.message}")
            continue
        result.warn(b.name, saved_lic.warnings)
        result.count("licences")
    for j, person in enumerate(PERSONS):
        number = make_resident_id(person.born, 200 + j, male=person.male)
        # Also by name and birth date: demos loaded before the numbers took the address code of the
        # birth year hold the same person under another number.
        same = Q(id_type="resident_id", id_number=number) | Q(name=person.name, birth_date=person.born)
        if Party.objects.filter(same, agency=agency, kind=PartyKind.PERSON).exists():
            continue
        saved = create_party(**register, data={
            "kind": PartyKind.PERSON, "name": person.name, "id_type": "resident_id", "id_number": number,
            "address": person.address, "note": person.note})
        result.warn(person.name, saved.warnings)
        result.count("parties")


# --- the demo logins --------------------------------------------------------------------------
BLOCKED_REASONS = {"certificate_expired": "执法证已过期", "certificate_suspended": "执法证被暂扣",
                   "refresher_missing": "缺上年度复训", "onboarding_incomplete": "入职培训未完成"}


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def text_table(rows: list[tuple[str, ...]]) -> list[str]:
    """Rows as aligned columns for a terminal (CJK characters count two), a rule under the first."""
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(cell + " " * (w - _width(cell))
                               for cell, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def demo_accounts() -> tuple[object | None, list]:
    """The demo bureau and those of its demo accounts the database holds, in the order of PEOPLE.
    An account of another agency with a demo username is not a demo account."""
    from .models import Agency, User

    agency = Agency.objects.filter(code=AGENCY["code"]).first()
    if agency is None:
        return None, []
    order = {p.username: n for n, p in enumerate(PEOPLE)}
    users = User.objects.filter(agency=agency, username__in=order).select_related("unit").prefetch_related("groups")
    return agency, sorted(users, key=lambda u: order[u.username])


def login_lines(password: str | None = None) -> list[str]:
    """The demo-login table and its notes, as `load_demo` prints them at the end and `demo_logins` on
    their own; empty when there is no demo account.

    Read from the database: the accounts that exist with their roles, whether they still have to enrol
    an authenticator (TOTP) at their next login, and which no longer have the demo password. A password
    taken from the environment is never shown.
    """
    from django.contrib.auth.hashers import check_password
    from django_otp.plugins.otp_totp.models import TOTPDevice

    agency, users = demo_accounts()
    if not users:
        return []
    password = password or demo_password()
    from_env = bool(os.environ.get(PASSWORD_ENV, "").strip())
    enrolled = set(TOTPDevice.objects.filter(user__in=users, confirmed=True).values_list("user_id", flat=True))
    rows = [("用户名", "姓名", "角色", "机构/职务", "动态验证码")]
    for u in users:
        otp = "—" if not u.needs_second_factor else "已绑定" if u.pk in enrolled else "需要 ★"
        rows.append((u.username, u.full_name, "、".join(u.role_labels) or "无",
                     f"{u.unit.name if u.unit else '—'}/{u.position or '—'}", otp))
    # Demo accounts share one hash until someone changes a password: verify each distinct hash once
    # (argon2 is slow on purpose), without the upgrade-on-check that would write to the database.
    same = {h: check_password(password, h) for h in {u.password for u in users}}
    changed = [u.username for u in users if not same[u.password]]

    out = [f"演示账户（{agency.name}）："]
    out += ["  " + line for line in text_table(rows)]
    out.append("")
    every = "" if changed else "所有"
    if from_env:
        out.append(f"{every}演示账户的密码为环境变量 {PASSWORD_ENV} 的值。")
    else:
        out.append(f"{every}演示账户的密码：{password}（可用环境变量 {PASSWORD_ENV} 另设）")
    if changed:
        who = "所有演示账户" if len(changed) == len(users) else f"以下账户（{'、'.join(changed)}）"
        out.append(f"{who}的密码已不是这个演示密码（已修改，或载入时用了另一个演示密码）；"
                   "如需恢复，请运行 zhifa load_demo --reset-passwords。")
    note = ("★ 系统管理员、安全管理员、审计管理员和负责人（局长、副局长）须使用第二重身份验证：首次登录后"
            "按页面提示用手机验证器（TOTP）扫码绑定，以后每次登录输入验证器上的 6 位数字。")
    if enrolled:
        note += "“已绑定”的账户已完成绑定，登录时直接输入验证码。"
    out.append(note)
    blocked = "、".join(f"{u}（{BLOCKED_REASONS.get(code, code)}）" for u, code in EXPECTED_BLOCKED.items())
    out.append(f"人员名册中有意设置的资格问题：{blocked}；{'、'.join(EXPECTED_EXPIRY_ALERT)} 的执法证 30 天内到期。")
    out.append("演示账户的密码是公开的，切勿在生产环境中载入演示数据。")
    return out
