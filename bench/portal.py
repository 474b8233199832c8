"""Server time of the public portal's decisions (事后公开) at scale: the search and the decision page.

    .venv/bin/python bench/portal.py [--decisions 1000000] [--engine sqlite|postgres] [--requests 300] [--json]
                                     [--explain] [--no-counts] [--name DB] [--strategies N] [--no-replica]

The database (``bench/.data/zhifa_bench_portal.sqlite3`` or the PostgreSQL database ``zhifa_bench_portal`` on
$BENCH_PG) gets the reference catalog and the demo bureau (``load_demo --without-cases``), then ``--decisions``
published decisions, all of the demo county bureau (one portal: the worst case for an agency), unless it holds that
many already. Each decision is a minimal closed penalty case (``cases.Case``: only what a case row requires), its
publication (``publicity.Publication``, live, content shaped as ``publicity.services.content_of`` makes it: number
平文旅罚〔2025〕123号, a synthetic company or individual business built from vocabularies — region × shop name ×
business, e.g. 平舆县 + 鸿运 + 网络会所有限公司, so two-character fragments have a realistic selectivity — or a masked
person 张某某 for about 20%, the items of the 61-item catalog with their provisions, the penalty and fine, the facts)
and its search entry (its tokens and ``search.grams`` of ``search.decision_texts``, as ``search.index_decision``
makes it), decided over the last three years in the order
of their ids and published five days later (so the published day never decreases with the id, as in the service).
Rows go in by the database's bulk path (``executemany`` on SQLite, ``COPY`` on PostgreSQL), 10,000 decisions a
transaction; the full-text triggers (SQLite FTS5, PostgreSQL ``vec``) fire for every row.

On PostgreSQL the text searches read the app server's local FTS5 copy of the search index
(``zhifa.publicity.replica``, kept in ``bench/.data/search``), brought up to date before the timing as
``zhifa search_index`` would be after an install or an import (its time is printed); ``--no-replica`` searches through
PostgreSQL's GIN index instead.

Each request runs in this process through Django's full stack (middleware, view, template, database), anonymously
as the portal is used, timed from the request to the finished response — the server's time without the network.
Parameters are drawn at random with a fixed seed; the requests of all kinds are timed in one shuffled order, after
two requests of each kind have warmed the process. ``cpu ms`` is the median CPU time of this thread per request
(Django, and on SQLite the database too; not PostgreSQL's own work): less disturbed than the wall time when other
work shares the machine.

- ``decision``: the page of a random decision;
- ``search 2 chars``: ``?q=`` two consecutive characters of a random decision's party (the match count is reported:
  median and maximum over the requests, counted outside the timing);
- ``search 3-4 chars``: three or four consecutive characters of a random party;
- ``search item``: ``?item=`` a random catalog item code;
- ``search month``: ``?since=&until=`` a random month;
- ``list page 1`` / ``list page 10``: no filter;
- ``search q+dates``: two characters of a random party within a random quarter.

Target (issue 7): search and decision page median ≤ 10 ms at 1,000,000 published decisions.

``--explain`` prints every query the decisions list runs (page and count) with its plan, for a frequent and a rare
fragment, an item, a month, no filter and a fragment in a quarter.

``--strategies N`` (PostgreSQL) times, for the first N two-character and three-to-four-character searches, each way
the database can answer them — the portal's own search, a count through the GIN index, page 1 by walking the sort key,
page 1 sorted from the GIN matches — and stops: where PostgreSQL's time goes, and what a search without a count
could at best save.
"""

from __future__ import annotations

import argparse
import calendar
import io
import json
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import DATA, create_pg_database, database_env, setup_django, summary_ms

DEFAULT_NAME = "zhifa_bench_portal"
TARGET_MEDIAN_MS = 10.0
BATCH = 10_000
SPAN_DAYS = 3 * 365
# Days from the decision to its publication (within the 7 working days of 国办发〔2018〕118号). One lag for all keeps
# the published day in the order of the ids, as ``services.publish`` makes it (the publication's day is the day it
# is published, so a newer publication never has an earlier day).
PUBLISHED_AFTER = 5

# --- vocabularies -------------------------------------------------------------------------------------------------


def words(*lines: str) -> list[str]:
    return [w for line in lines for w in line.split()]


REGIONS = ["平舆县"] * 14 + words(  # the county's own businesses dominate its portal
    "驻马店市 驻马店 河南省 河南 汝南县 上蔡县 西平县 遂平县 正阳县 确山县 泌阳县 新蔡县 驿城区",
    "平舆县古槐街道 平舆县东皇街道 平舆县清河街道 平舆县老王岗乡 平舆县郭楼镇 平舆县杨埠镇",
    "平舆县东和店镇 平舆县庙湾镇 平舆县射桥镇 平舆县西洋店镇 平舆县阳城镇 平舆县郝集镇",
    "平舆县万金店镇 平舆县高杨店镇 平舆县李屯镇 平舆县万冢镇 平舆县十字路乡 平舆县辛店乡 平舆县玉皇庙乡")
SHOPS = words(
    "鸿运 金鼎 星光 天籁 盛世 龙腾 锦绣 华美 蓝海 梦幻 欢乐 飞扬 极速 银河 紫荆 明珠 东方 凯旋",
    "聚友 百乐 宏图 顺达 佳音 乐活 麦霸 启航 金海 新潮 时代 未来 天天 好运 富贵 吉祥 如意 万象",
    "博雅 翰墨 书香 文华 华夏 中原 天中 嘉禾 瑞丰 恒通 鑫源 鼎盛 腾飞 辉煌 永兴 兴旺 昌盛 和谐",
    "阳光 彩虹 星辰 月光 春雨 绿洲 雅韵 乐声 金曲 唱响 悦动 雷霆 星河 飞翔 九州 神州 长城 黄河",
    "淮河 汝河 洪河 天泽 润泽 德馨 宏达 永盛 荣华 金诚 诚信 信达 通达 四海 五洲 天宇 宇航 鹏程",
    "远航 世纪 新世纪 好运来 金色年华 大地 金桥 银座 皇冠 帝豪 名门 尚品 优品 晨光 曙光 朝阳",
    "旭日 紫光 青云 白云 蓝天 碧水 清风 明月 春晖 秋实 丰收 金穗 网鱼 网城 电竞 竞技 快乐 开心",
    "逍遥 自在 风尚 潮流 炫彩 缤纷 七彩 天籁之音 声动 魅力 梦想 理想 追梦 新星 巨星 群星 文峰",
    "墨香 雅集 艺苑 博古 聚宝 汉唐 盛唐 宋韵 国色 天香 龙凤 麒麟 凤凰 金龙 祥云 瑞祥 福源 福满",
    "康乐 安康 平安")
BUSINESSES = [  # (business, the organisation's suffix)
    ("网络会所", "有限公司"), ("网咖", "有限公司"), ("互联网服务", "有限公司"), ("网络科技", "有限公司"),
    ("量贩式KTV", "有限公司"), ("娱乐", "有限公司"), ("歌舞娱乐", "有限公司"), ("演艺", "有限公司"),
    ("文化传媒", "有限公司"), ("文化传播", "有限公司"), ("文化发展", "有限责任公司"), ("印刷", "有限公司"),
    ("包装印刷", "有限公司"), ("图书", "有限公司"), ("书业", "有限公司"), ("音像", "有限公司"),
    ("旅行社", "有限公司"), ("国际旅行社", "有限公司"), ("电子游艺", "有限公司"), ("影城", "有限公司"),
    ("电影院", "有限公司"), ("演出经纪", "有限公司"), ("艺术品", "有限公司"), ("文化旅游", "开发有限公司"),
    ("广播电视工程", "有限公司"), ("卫星电视安装", "服务部")]
SHOPS_OF_INDIVIDUALS = words(
    "网吧 网咖 书店 书社 音像店 游艺厅 电子游戏厅 歌舞厅 KTV 印刷厂 打字复印部 图文快印店",
    "艺术品店 字画店 酒吧 演艺吧 文化用品店 卫星接收安装部")
SURNAMES = words(
    "王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹 彭 曾",
    "肖 田 董 袁 潘 于 蒋 蔡 余 杜 叶 程 苏 魏 吕 丁 任 沈 姚 卢 姜 崔 钟 谭 陆 汪 范 金 石 廖 贾 夏",
    "韦 付 方 白 邹 孟 熊 秦 邱 江 尹 薛 闫 段 雷 侯 龙 史 陶 黎 贺 顾 毛 郝 龚 邵 万 钱 严 覃 武 戴",
    "莫 孔 向 汤 欧阳 司马 上官 诸葛")
GIVEN = words("建国 建华 国强 志强 秀英 桂英 玉兰 红梅 海燕 丽娟 明 伟 芳 静 磊 军 洋 勇 艳 杰 涛 超",
              "鹏 辉 刚 平 强 敏 霞 丹")
PENALTIES = [  # (kinds, fines to choose from), weighted by repetition
    (["warning"], [None]), (["fine"], ["500", "1000", "2000", "3000", "5000", "8000", "10000", "20000"]),
    (["fine"], ["1000", "2000", "5000"]), (["warning", "fine"], ["500", "1000", "2000", "5000", "15000"]),
    (["warning", "fine"], ["1000", "3000"]), (["fine", "confiscate_gains"], ["5000", "10000", "30000"]),
    (["fine", "confiscate_property"], ["2000", "10000"]), (["warning", "fine", "suspend_business"], ["15000"])]


# --- generation ---------------------------------------------------------------------------------------------------

def demo_agency():
    from zhifa.org.demo import AGENCY
    from zhifa.org.models import Agency

    return Agency.objects.get(code=AGENCY["code"])


def live_count(agency) -> int:
    from zhifa.publicity.models import Publication

    return Publication.objects.filter(agency=agency, status=Publication.Status.PUBLISHED).count()


class Maker:
    """The rows of one published decision at a time (a case, its publication, its search entry), into Writers."""

    def __init__(self, connection, agency, publisher, *, seed: int, total: int, today: date):
        from generate import Writer, next_id

        from zhifa.cases.models import Case
        from zhifa.catalog.models import EnforcementItem
        from zhifa.publicity.models import Publication, SearchEntry

        self.agency, self.publisher, self.total, self.today = agency, publisher, total, today
        self.rng = random.Random(seed)
        self.items = list(EnforcementItem.objects.filter(status=EnforcementItem.Status.ACTIVE).order_by("code"))
        self.w = {"case": Writer(connection, Case), "publication": Writer(connection, Publication),
                  "entry": Writer(connection, SearchEntry)}
        self.ids = {k: next_id(w.model) for k, w in self.w.items()}
        self.now = datetime.now(UTC)
        self.start = today - timedelta(days=SPAN_DAYS + PUBLISHED_AFTER)  # the last one published yesterday
        self.agency_name = agency.document_name or agency.name
        self.sequences: dict[int, int] = {}
        for year in range(self.start.year, today.year + 1):  # numbers go on from what is there (a resumed run)
            self.sequences[year] = Publication.objects.filter(
                agency=agency, decided_on__gte=date(year, 1, 1), decided_on__lte=date(year, 12, 31)).count()
        self.penalties: dict[tuple, str] = {}
        self.days: dict[date, tuple] = {}

    def take(self, name: str) -> int:
        i = self.ids[name]
        self.ids[name] = i + 1
        return i

    def party(self) -> dict[str, str]:
        from zhifa.org.demo import make_uscc

        rng = self.rng
        r = rng.random()
        if r < 0.2:  # a natural person, masked as published (张三丰 → 张某某, 张三 → 张某)
            return {"party": rng.choice(SURNAMES) + ("某某" if rng.random() < 0.7 else "某"), "party_kind": "自然人",
                    "credit_code": "", "representative": ""}
        shop = rng.choice(SHOPS)
        region = rng.choice(REGIONS)
        if r < 0.4:  # an individual business (个体工商户): its operator is a natural person, not shown
            name = f"{region}{shop}{rng.choice(SHOPS_OF_INDIVIDUALS)}"
            return {"party": name, "party_kind": "个体工商户", "credit_code": make_uscc(name, individual=True),
                    "representative": ""}
        business, suffix = rng.choice(BUSINESSES)
        name = f"{region}{shop}{business}{suffix}"
        return {"party": name, "party_kind": "法人或其他组织", "credit_code": make_uscc(name),
                "representative": rng.choice(SURNAMES) + rng.choice(GIVEN)}

    def penalty(self) -> tuple[dict, str, str]:
        from zhifa.documents.context import penalty_text
        from zhifa.law.money import amount

        kinds, fines = self.rng.choice(PENALTIES)
        fine = self.rng.choice(fines)
        key = (tuple(kinds), fine)
        if key not in self.penalties:
            data = {"kinds": kinds} | ({"fine": fine} if fine else {})
            self.penalties[key] = penalty_text(data)
        decided = {"kinds": kinds} | ({"fine": f"{Decimal(fine):.2f}"} if fine else {})
        return decided, self.penalties[key], amount(Decimal(fine)) if fine else ""

    def decision(self, k: int) -> None:
        """The ``k``-th decision (0-based) of ``total``: decided in order over the last three years."""
        from zhifa.publicity import search

        rng = self.rng
        decided_on = self.start + timedelta(days=min(SPAN_DAYS - 1, k * SPAN_DAYS // self.total))
        published_on = decided_on + timedelta(days=PUBLISHED_AFTER)
        year = decided_on.year
        self.sequences[year] = self.sequences.get(year, 0) + 1
        items = [self.rng.choice(self.items)]
        if rng.random() < 0.1:
            items.append(rng.choice(self.items))
        party = self.party()
        decided, penalty, fine = self.penalty()
        title = items[0].name[:200]
        content = {
            "number": f"平文旅罚〔{year}〕{self.sequences[year]}号", "agency": self.agency_name, "title": title,
            "party": party["party"], "party_kind": party["party_kind"], "credit_code": party["credit_code"],
            "representative": party["representative"],
            "items": [{"name": i.name, "violated": i.basis_violated_text, "basis": i.basis_penalty_text}
                      for i in items],
            "penalty": penalty, "fine": fine, "decided_on": decided_on.isoformat(),
            "facts": f"经查，当事人{party['party']}于{decided_on:%Y年%-m月%-d日}前在其经营场所{title}，"
                     f"有现场检查笔录、询问笔录、视听资料等证据证实。",
        }
        case_id, pub_id = self.take("case"), self.take("publication")
        self.w["case"].add(id=case_id, agency_id=self.agency.pk, procedure="general", state="closed", title=title,
                           decision_kind="penalty", decided_on=decided_on, decided_penalty=decided,
                           act_date=decided_on - timedelta(days=30), closed_on=published_on,
                           created_at=self.now, updated_at=self.now)
        published_at = datetime.combine(published_on, dtime(9, rng.randint(0, 59)), tzinfo=UTC)
        self.w["publication"].add(
            id=pub_id, agency_id=self.agency.pk, case_id=case_id, status="published", content=content,
            decided_on=decided_on, due_on=decided_on + timedelta(days=9), published_on=published_on,
            published_at=published_at, published_by_id=self.publisher.pk,
            take_down_on=max(self.today, decided_on) + timedelta(days=3 * 365), item_code=items[0].code,
            hidden_names=[])
        self.w["entry"].add(id=self.take("entry"), kind="decision", ref=pub_id,
                            **search.decision_entry(pub_id, self.agency.pk, items[0].code, decided_on, content))

    def flush(self) -> int:
        from django.db import transaction

        with transaction.atomic():
            return [self.w[k].flush() for k in ("case", "publication", "entry")][1]


def database_size(connection, name: str) -> int:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_database_size(current_database())")
            return cur.fetchone()[0]
    path = Path(connection.settings_dict["NAME"])
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())


def generate(decisions: int, *, seed: int = 1, batch: int = BATCH, progress=print) -> dict:
    """Bring the demo bureau to ``decisions`` live publications (adding only what is missing); the figures."""
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone
    from generate import reset_sequences

    from zhifa.org.models import User
    from zhifa.publicity import services

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_demo", "--without-cases", verbosity=0, stdout=io.StringIO())
    agency = demo_agency()
    have = live_count(agency)
    out = {"decisions": max(have, decisions), "made": 0, "seconds": 0.0}
    if have >= decisions:
        return out
    publisher = User.objects.filter(agency=agency, is_active=True).order_by("pk").first()
    maker = Maker(connection, agency, publisher, seed=seed + have, total=decisions, today=timezone.localdate())
    synchronous = None
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cur:
            synchronous = cur.execute("PRAGMA synchronous").fetchone()[0]
            cur.execute("PRAGMA synchronous=OFF")
    step = max(batch, decisions // 20)
    for k in range(have, decisions):
        maker.decision(k)
        if len(maker.w["entry"].rows) >= batch:
            out["made"] += maker.flush()
            if (k + 1) % step < batch:
                progress(f"decisions: {k + 1:,} of {decisions:,} ({time.perf_counter() - t0:.0f}s)")
    out["made"] += maker.flush()
    reset_sequences(connection, [w.model for w in maker.w.values()])
    if synchronous is not None:
        with connection.cursor() as cur:
            cur.execute(f"PRAGMA synchronous={int(synchronous)}")
    t = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    progress(f"ANALYZE in {time.perf_counter() - t:.0f}s")
    cache.delete(services.live_count_key(agency.pk))
    out["seconds"] = round(time.perf_counter() - t0, 1)
    return out


# --- measurement --------------------------------------------------------------------------------------------------

KINDS = ["decision", "search 2 chars", "search 3-4 chars", "search item", "search month", "list page 1",
         "list page 10", "search q+dates"]
TARGETED = {"decision", "search 2 chars", "search 3-4 chars", "search item", "search month", "search q+dates"}


class Sampler:
    """Random parameters of the requests, drawn with a fixed seed from the agency's live publications."""

    def __init__(self, agency, rng: random.Random):
        from django.db.models import Max, Min

        from zhifa.catalog.models import EnforcementItem
        from zhifa.publicity.models import Publication

        self.rng = rng
        self.live = Publication.objects.filter(agency=agency, status=Publication.Status.PUBLISHED)
        bounds = self.live.aggregate(lo=Min("pk"), hi=Max("pk"), first=Min("decided_on"), last=Max("decided_on"))
        if bounds["lo"] is None:
            raise SystemExit("no published decision: generate the data first")
        self.bounds = bounds
        self.items = list(EnforcementItem.objects.filter(status=EnforcementItem.Status.ACTIVE)
                          .values_list("code", flat=True))

    def publication(self) -> tuple[int, dict]:
        pk = self.rng.randint(self.bounds["lo"], self.bounds["hi"])
        row = self.live.filter(pk__gte=pk).order_by("pk").values_list("pk", "content").first()
        return row if row is not None else self.live.order_by("pk").values_list("pk", "content").first()

    def fragment(self, sizes: tuple[int, ...]) -> str:
        from zhifa.publicity import search

        while True:
            runs = [r for r in search.runs(self.publication()[1]["party"]) if len(r) >= min(sizes)]
            if runs:
                run = self.rng.choice(runs)
                n = min(self.rng.choice(sizes), len(run))
                i = self.rng.randint(0, len(run) - n)
                return run[i:i + n]

    def months(self, n: int) -> tuple[date, date]:
        first, last = self.bounds["first"], self.bounds["last"]
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        m = self.rng.randrange(max(1, months - n + 1))
        y, mo = divmod(first.month - 1 + m, 12)
        since = date(first.year + y, mo + 1, 1)
        y2, mo2 = divmod(since.month - 1 + n - 1, 12)
        end_year, end_month = since.year + y2, mo2 + 1
        return since, date(end_year, end_month, calendar.monthrange(end_year, end_month)[1])


def urls(code: str, sampler: Sampler, requests: int) -> dict[str, list[str]]:
    """The requests of each kind, in the order they are timed."""
    from urllib.parse import urlencode

    base = f"/gs/{code}/decisions/"

    def q(**params) -> str:
        return base + "?" + urlencode(params)

    out: dict[str, list[str]] = {k: [] for k in KINDS}
    for _ in range(requests):
        out["decision"].append(f"{base}{sampler.publication()[0]}/")
        out["search 2 chars"].append(q(q=sampler.fragment((2,))))
        out["search 3-4 chars"].append(q(q=sampler.fragment((3, 4))))
        out["search item"].append(q(item=sampler.rng.choice(sampler.items)))
        since, until = sampler.months(1)
        out["search month"].append(q(since=since.isoformat(), until=until.isoformat()))
        out["list page 1"].append(base)
        out["list page 10"].append(q(page=10))
        since, until = sampler.months(3)
        out["search q+dates"].append(q(q=sampler.fragment((2,)), since=since.isoformat(), until=until.isoformat()))
    return out


def match_count(agency, url: str, cache: dict) -> int:
    """How many live decisions the search of ``url`` finds (all of them, not the page's capped count)."""
    from urllib.parse import parse_qs, urlsplit

    from zhifa.publicity import search

    if url not in cache:
        p = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        since, until = (date.fromisoformat(p[k]) if k in p else None for k in ("since", "until"))
        cache[url] = search.decisions(agency, q=p.get("q", ""), item=p.get("item", ""), since=since,
                                      until=until).count(10 ** 9)
    return cache[url]


def run(requests: int = 300, seed: int = 7, *, counts: bool = True, progress=print) -> dict:
    """Time ``requests`` requests of every kind; ``{kind: {median_ms, p95_ms, n, …}}``."""
    from django.conf import settings
    from django.test import Client

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    agency = demo_agency()
    rng = random.Random(seed)
    sampler = Sampler(agency, rng)
    plan = urls(agency.code, sampler, requests)
    client = Client()
    for kind in KINDS:  # warm: middleware loaded, templates compiled, the first queries of each kind done
        for url in (plan[kind][0], plan[kind][-1]):
            check(client.get(url), url)
    times: dict[str, list[float]] = {k: [] for k in KINDS}
    cpu: dict[str, list[float]] = {k: [] for k in KINDS}
    order = [(kind, i) for kind in KINDS for i in range(requests)]
    rng.shuffle(order)
    for kind, i in order:
        url = plan[kind][i]
        c, t = time.thread_time(), time.perf_counter()
        response = client.get(url)
        times[kind].append(time.perf_counter() - t)
        cpu[kind].append(time.thread_time() - c)
        check(response, url)
    out = {}
    for kind in KINDS:
        median, p95 = summary_ms(times[kind])
        out[kind] = {"n": len(times[kind]), "median_ms": round(median, 2), "p95_ms": round(p95, 2),
                     "cpu_median_ms": round(summary_ms(cpu[kind])[0], 2), "target": kind in TARGETED}
    out["decisions"] = live_count(agency)
    if counts:
        t = time.perf_counter()
        cache: dict = {}
        for kind in ("search 2 chars", "search 3-4 chars", "search item", "search month", "search q+dates"):
            found = [match_count(agency, url, cache) for url in plan[kind]]
            out[kind].update(matches_median=statistics.median(found), matches_max=max(found))
        progress(f"(match counts in {time.perf_counter() - t:.0f}s, outside the timing)")
    return out


def check(response, url: str) -> None:
    if response.status_code != 200:
        raise SystemExit(f"{response.status_code} {url}: {response.content[:300].decode(errors='replace')}")


def print_table(label: str, figures: dict) -> None:
    print(f"\n{label}: {figures['decisions']:,} published decisions (one agency)")
    print(f"{'request':<18} {'n':>5} {'median ms':>10} {'p95 ms':>8} {'cpu ms':>7} {'matches (median / max)':>24}  "
          f"target median ≤ {TARGET_MEDIAN_MS:.0f} ms")
    for kind in KINDS:
        f = figures[kind]
        matches = f"{f['matches_median']:,.0f} / {f['matches_max']:,}" if "matches_median" in f else ""
        mark = ("PASS" if f["median_ms"] <= TARGET_MEDIAN_MS else "FAIL") if f["target"] else ""
        print(f"{kind:<18} {f['n']:>5} {f['median_ms']:>10.1f} {f['p95_ms']:>8.1f} {f['cpu_median_ms']:>7.1f} "
              f"{matches:>24}  {mark}")


# --- query plans --------------------------------------------------------------------------------------------------

def explain(seed: int = 7) -> None:
    """The plans of the queries the decisions' list runs (its page and its count, as Django sends them), for a
    frequent fragment, a rare one, an item, a month, no filter and a fragment in a quarter; each query timed once
    more on its own."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    agency = demo_agency()
    sampler = Sampler(agency, random.Random(seed))
    since, until = sampler.months(1)
    q_since, q_until = sampler.months(3)
    base = f"/gs/{agency.code}/decisions/"
    cases = {"frequent fragment": "?q=有限", "masked person": "?q=某某",
             "rare fragment": f"?q={sampler.fragment((4,))}", "item": f"?item={sampler.items[0]}",
             "month": f"?since={since}&until={until}", "no filter": "",
             "fragment and quarter": f"?q={sampler.fragment((2,))}&since={q_since}&until={q_until}"}
    client = Client()
    for label, query in cases.items():
        seen: list[tuple[str, list]] = []

        def wrapper(execute, sql, params, many, context, seen=seen):
            if "publicity_" in sql:
                seen.append((sql, list(params or ())))
            return execute(sql, params, many, context)

        t = time.perf_counter()
        with connection.execute_wrapper(wrapper):
            check(client.get(base + query), base + query)
        print(f"\n=== {label}: {base}{query} ({(time.perf_counter() - t) * 1000:.1f} ms the request)")
        prefix = "EXPLAIN (ANALYZE, BUFFERS) " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
        for sql, params in seen:
            t = time.perf_counter()
            with connection.cursor() as cur:
                cur.execute(sql, params)
                cur.fetchall()
            took = (time.perf_counter() - t) * 1000
            print(f"--- {took:.1f} ms: {sql}  {params}")
            with connection.cursor() as cur:
                cur.execute(prefix + sql, params)
                for row in cur.fetchall():
                    print("    " + " | ".join(str(c) for c in row))


# --- PostgreSQL: what each way of answering a text search costs -------------------------------------------------

STRATEGIES = {
    "app": "the portal's search, page 1 and the count to 1001 (its local copy; the GIN index with --no-replica)",
    "count gin": "count to 1001 through the GIN index on the rarest word, the phrase checked on each row",
    "page walk": "page 1 by walking the sort key newest first, the phrase checked on each row",
    "page gin": "page 1 from every GIN match of the rarest word, checked and sorted",
    "page best": "the faster of the two pages for each query (a lower bound of a page without a count)",
}


def strategies(requests: int = 100, seed: int = 7) -> dict:
    """PostgreSQL only: the database time of each way of answering the timed text searches (their first
    ``requests`` two-character and three-to-four-character fragments, drawn as ``run`` draws them). The rarest word of
    a query is the one least frequent in ``pg_stats`` (a word the statistics do not list is rarer than any listed).
    ``{kind: {strategy: {median_ms, p90_ms}}}``."""
    from urllib.parse import parse_qs, urlsplit

    from django.db import connection, transaction

    from zhifa.publicity import search

    if connection.vendor != "postgresql":
        raise SystemExit("--strategies measures PostgreSQL's index: run it with --engine postgres")
    agency = demo_agency()
    plan = urls(agency.code, Sampler(agency, random.Random(seed)), requests)
    with connection.cursor() as cur:
        cur.execute("SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
                    "WHERE tablename = %s AND attname = 'vec'", [search.TABLE])
        row = cur.fetchone()
    freq = dict(zip(row[0], row[1], strict=False)) if row and row[0] else {}

    def timed(sql: str, params: list, off: tuple[str, ...]) -> float:
        with transaction.atomic(), connection.cursor() as cur:
            search.pg_settings(cur, *off)  # as the portal's search sets them
            t = time.perf_counter()
            cur.execute(sql, params)
            cur.fetchall()
            return (time.perf_counter() - t) * 1000

    base = f"SELECT sort_key FROM {search.TABLE} WHERE agency_id = %s AND vec @@ %s::tsquery"
    out = {}
    for kind in ("search 2 chars", "search 3-4 chars"):
        times: dict[str, list[float]] = {k: [] for k in STRATEGIES}
        for url in plan[kind]:
            q = parse_qs(urlsplit(url).query)["q"][0]
            full = search.expression(q, "postgresql")
            rarest = "'" + min((g for r in search.query_runs(q) for g in search.bigrams(r)),
                               key=lambda g: freq.get(g, 0)) + "'"
            t = time.perf_counter()
            found = search.decisions(agency, q=q)
            found.page(0, 21)
            found.count(1001)
            times["app"].append((time.perf_counter() - t) * 1000)
            checked = f"{base} AND ts_match_vq(vec, %s::tsquery)"
            times["count gin"].append(timed(f"{checked} LIMIT 1001", [agency.pk, rarest, full],
                                            ("seqscan", "indexscan")))
            times["page walk"].append(timed(f"{base} ORDER BY sort_key DESC LIMIT 21", [agency.pk, full],
                                            ("seqscan", "bitmapscan")))
            times["page gin"].append(timed(f"{checked} ORDER BY sort_key DESC LIMIT 21", [agency.pk, rarest, full],
                                           ("seqscan", "indexscan")))
            times["page best"].append(min(times["page walk"][-1], times["page gin"][-1]))
        out[kind] = {k: {"median_ms": round(statistics.median(v), 2),
                         "p90_ms": round(sorted(v)[int(len(v) * 0.9)], 2)} for k, v in times.items()}
    return out


def print_strategies(figures: dict) -> None:
    print("\nPostgreSQL: database time of each way of answering the text searches (ms)")
    for name, what in STRATEGIES.items():
        print(f"  {name:<10} {what}")
    kinds = list(figures)
    print(f"{'strategy':<12}" + "".join(f"{k + ' median':>24}{'p90':>8}" for k in kinds))
    for name in STRATEGIES:
        print(f"{name:<12}" + "".join(f"{figures[k][name]['median_ms']:>24.1f}{figures[k][name]['p90_ms']:>8.1f}"
                                      for k in kinds))


# --- main ---------------------------------------------------------------------------------------------------------

def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--decisions", type=int, default=1_000_000)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--name", default=DEFAULT_NAME, help=f"database name (default {DEFAULT_NAME})")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-counts", action="store_true", help="do not count the searches' matches")
    parser.add_argument("--explain", action="store_true", help="print the query plans of the search")
    parser.add_argument("--no-replica", action="store_true",
                        help="PostgreSQL: search through the GIN index, not the server's local copy of the index")
    parser.add_argument("--strategies", type=int, metavar="N", default=0,
                        help="PostgreSQL: time each way of answering N text searches of each kind, and stop")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    env = database_env(args.engine, args.name)
    if args.engine == "postgres":
        create_pg_database(args.name)
    setup_django(env)
    from django.db import connection

    log = (lambda line: print(line, file=sys.stderr)) if args.json else print
    made = generate(args.decisions, progress=log)
    if made["made"]:
        log(f"generated {made['made']:,} decisions in {made['seconds']:.0f}s")
    size = database_size(connection, args.name)
    log(f"{args.engine}: {made['decisions']:,} published decisions, database {size / 2 ** 30:.2f} GiB")
    if args.engine == "postgres":
        from django.conf import settings

        from zhifa.publicity import replica

        if args.no_replica:
            settings.ZHIFA_SEARCH_REPLICA = False
            log("the search asks PostgreSQL's GIN index (--no-replica)")
        else:  # as `zhifa search_index` after an install or an import: the searches then only follow the log
            t = time.perf_counter()
            copy = replica.sync()
            log(f"the search's local copy: {copy.count():,} entries, {copy.path.stat().st_size / 2 ** 30:.2f} GiB, "
                f"brought up to date in {time.perf_counter() - t:.1f}s")
    if args.explain:
        explain(args.seed)
    if args.strategies:
        found = strategies(args.strategies, args.seed)
        if args.json:
            print(json.dumps(found, indent=2))
        else:
            print_strategies(found)
        return
    figures = run(args.requests, args.seed, counts=not args.no_counts, progress=log)
    figures.update(engine=args.engine, generated=made, database_bytes=size)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2, default=str))
    else:
        print_table(args.engine, figures)


if __name__ == "__main__":
    DATA.mkdir(parents=True, exist_ok=True)
    main()
