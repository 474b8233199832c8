"""Server time of the public portal's decisions (事后公开) at scale: the search and the decision page.

    .venv/bin/python bench/portal.py [--decisions 1000000] [--engine sqlite|postgres] [--requests 300] [--json]
                                     [--explain] [--fix [--max-count N]] [--no-counts] [--name DB]

The database (``bench/.data/zhifa_bench_portal.sqlite3`` or the PostgreSQL database ``zhifa_bench_portal`` on
$BENCH_PG) gets the reference catalog and the demo bureau (``load_demo --without-cases``), then ``--decisions``
published decisions, all of the demo county bureau (one portal: the worst case for an agency), unless it holds that
many already. Each decision is a minimal closed penalty case (``cases.Case``: only what a case row requires), its
publication (``publicity.Publication``, live, content shaped as ``publicity.services.content_of`` makes it: number
平文旅罚〔2025〕123号, a synthetic company or individual business built from vocabularies — region × shop name ×
business, e.g. 平舆县 + 鸿运 + 网络会所有限公司, so two-character fragments have a realistic selectivity — or a masked
person 张某某 for about 20%, the items of the 61-item catalog with their provisions, the penalty and fine, the facts)
and its search entry (``search.grams`` of ``search.decision_texts``), decided over the last three years in the order
of their ids and published five days later (so the published day never decreases with the id, as in the service).
Rows go in by the database's bulk path (``executemany`` on SQLite, ``COPY`` on PostgreSQL), 10,000 decisions a
transaction; the full-text triggers (SQLite FTS5, PostgreSQL ``vec``) fire for every row.

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
fragment, an item, a month, no filter and a fragment in a quarter. ``--fix`` measures a prototype of the fix proposed
in bench/README.md instead of the application's search (``Prototype``: monkeypatched in this process, its indexes
and its FTS table made for the run and dropped after it); ``--max-count`` lowers the cap of the searches' count.
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
                            grams=search.grams(*search.decision_texts(content)))

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
        decisions = getattr(search.decisions, "original", search.decisions)  # not the prototype's capped one
        cache[url] = decisions(agency, q=p.get("q", ""), item=p.get("item", ""), since=p.get("since"),
                               until=p.get("until")).count()
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
            if "publicity_" in sql or PROTO_FTS in sql:
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


# --- prototype of the proposed fix (--fix) --------------------------------------------------------------------
#
# Not the application's code: a monkeypatch of ``search.decisions`` and of the list's item <select> and rows, with
# two indexes made for the run and dropped after it, to show what the fix proposed in bench/README.md gives.

PROTO_INDEXES = {
    "bench_proto_live_item": "publicity_publication (agency_id, status, item_code, published_on DESC, id DESC)",
    "bench_proto_live_decided": "publicity_publication (agency_id, status, decided_on DESC, id DESC)",
}


PROTO_FTS = "bench_proto_decision_fts"


def proto_tokens(agency_id: int, item_code: str) -> str:
    """The tokens a decision's index text starts with in the prototype's FTS: its agency and its main item. Three
    characters or more, so no query (whose tokens are bigrams) can produce them."""
    return f"ag{agency_id} it{''.join(ch for ch in item_code.lower() if ch.isalnum())}"


class TextMatches:
    """A text search's newest matches as the decisions view uses its queryset: ``[a:b]`` a page (a list),
    ``[:MAX_COUNT + 1].count()`` the capped count. Newest means last published: the publications' ids increase with
    the published day (``services.publish`` publishes on the day), so "newest first" is "highest id first".

    SQLite: a decisions-only FTS5 index whose rowid is the publication's id and whose text starts with the agency's
    and the main item's tokens (``PROTO_FTS``), read in descending rowid order with a LIMIT — FTS5 walks its doclists
    in rowid order, so this costs the rows returned, not the rows that match. PostgreSQL: the same queryset with the
    count not ordered and no parallel workers (the planner walks the recency index for frequent words, the GIN
    index for rare ones). A decision-date range bounds the published day: on or after the first day, at most the
    largest publication delay after the last."""

    def __init__(self, agency, q: str, qs, *, item: str, since, until, lateness: int):
        self.agency, self.q, self.qs, self.item, self.since, self.until = agency, q, qs, item, since, until
        self.lateness = lateness

    def __getitem__(self, s: slice):
        return _Slice(self, s.start or 0, s.stop)

    def published_bounds(self):
        lo = self.since
        hi = self.until + timedelta(days=self.lateness) if self.until else None
        return lo, hi

    def id_bounds(self) -> tuple[int | None, int | None]:
        """The publications' id range that can hold a decision of the date range."""
        from zhifa.publicity.models import Publication

        lo_day, hi_day = self.published_bounds()
        live = Publication.objects.filter(agency=self.agency, status=Publication.Status.PUBLISHED)
        out: list[int | None] = [None, None]
        for k, (day, lookup, order) in enumerate(((lo_day, "gte", ("published_on", "id")),
                                                   (hi_day, "lte", ("-published_on", "-id")))):
            if day is not None:
                pk = live.filter(**{f"published_on__{lookup}": day}).order_by(*order).values_list(
                    "pk", flat=True).first()
                out[k] = pk if pk is not None else (2 ** 62 if k == 0 else -1)  # none: nothing can match
        return out[0], out[1]

    def _sqlite(self, count: bool, offset: int = 0, limit: int = 0) -> tuple[str, list]:
        from zhifa.publicity import search

        terms = [proto_tokens(self.agency.pk, self.item or "").split()[0]]
        if self.item:
            terms.append(proto_tokens(self.agency.pk, self.item).split()[1])
        where = [f"f.{PROTO_FTS} MATCH %s"]
        params: list = [" AND ".join([*terms, search.expression(self.q, "sqlite")])]
        join = ""
        if self.since or self.until:  # the exact date test on the publication, the FTS walk bounded by its ids
            join = " JOIN publicity_publication p ON p.id = f.rowid"
            lo, hi = self.id_bounds()
            for bound, op in ((lo, ">="), (hi, "<=")):
                if bound is not None:
                    where.append(f"f.rowid {op} %s")
                    params.append(bound)
            for day, op in ((self.since, ">="), (self.until, "<=")):
                if day:
                    where.append(f"p.decided_on {op} %s")
                    params.append(day.isoformat())
        sql = f"SELECT f.rowid FROM {PROTO_FTS} f{join} WHERE {' AND '.join(where)}"
        if count:
            return f"SELECT count(*) FROM ({sql} LIMIT %s)", [*params, limit]
        return f"{sql} ORDER BY f.rowid DESC LIMIT %s OFFSET %s", [*params, limit, offset]

    def _postgres(self):
        from zhifa.publicity import search

        qs = self.qs.filter(pk__in=search.matching("decision", self.q))
        lo, hi = self.published_bounds()
        if lo:
            qs = qs.filter(published_on__gte=lo)
        if hi:
            qs = qs.filter(published_on__lte=hi)
        return qs

    def page(self, start: int, stop: int) -> list:
        from django.db import connection

        if connection.vendor == "postgresql":
            return list(self._postgres().order_by("-published_on", "-id")[start:stop])
        sql, params = self._sqlite(False, start, stop - start)
        with connection.cursor() as cur:
            cur.execute(sql, params)
            ids = [r[0] for r in cur.fetchall()]
        found = self.qs.in_bulk(ids)  # the live publications of the agency (the index holds only those)
        return [found[i] for i in ids if i in found]

    def count(self, upto: int) -> int:
        """How many match, counted up to ``upto`` (the view's ``qs[:MAX_COUNT + 1].count()``)."""
        from django.db import connection

        if connection.vendor == "postgresql":
            return self._postgres().order_by()[:upto].count()
        sql, params = self._sqlite(True, limit=upto)
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchone()[0]


class _Slice:
    """``TextMatches[a:b]``: its rows when iterated (the view's page), or ``count()`` (the view's capped count)."""

    def __init__(self, matches: TextMatches, start: int, stop: int):
        self.matches, self.start, self.stop = matches, start, stop

    def __iter__(self):
        return iter(self.matches.page(self.start, self.stop))

    def count(self) -> int:
        return self.matches.count(self.stop) if not self.start else len(list(self))


def build_proto_fts(progress=print) -> None:
    """The prototype's decisions-only FTS5 index (SQLite), built from the live publications' search entries."""
    from django.db import connection, transaction

    with connection.cursor() as cur:
        cur.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [PROTO_FTS])
        if cur.fetchone():
            return
        t = time.perf_counter()
        with transaction.atomic():
            cur.execute(f"CREATE VIRTUAL TABLE {PROTO_FTS} USING fts5(grams, content='')")
            # proto_tokens in SQL (the catalog's codes are letters, digits and hyphens)
            cur.execute(f"INSERT INTO {PROTO_FTS}(rowid, grams) SELECT p.id, 'ag' || p.agency_id || ' it' || "
                        "lower(replace(p.item_code, '-', '')) || ' ' || e.grams FROM publicity_publication p "
                        "JOIN publicity_searchentry e ON e.kind = 'decision' AND e.ref = p.id "
                        "WHERE p.status = 'published' ORDER BY p.id")
        progress(f"prototype FTS index (decisions only, rowid = publication id) in {time.perf_counter() - t:.0f}s")


def proto_rows(rows, agency) -> str:
    """The markup of ``_decision_rows.html``, built in Python."""
    from django.urls import reverse
    from django.utils.html import escape
    from django.utils.translation import gettext

    heads = [gettext(h) for h in ("决定书文号", "当事人", "违法行为", "处罚内容", "决定日期", "公开日期")]
    labels = [escape(h) for h in heads]
    base = reverse("portal:decisions", args=[agency.code])
    none = escape(gettext("（无文号）"))
    out = ['<div class="table-wrap"><table class="stack">\n  <caption class="sr">',
           escape(gettext("公示的执法决定")), "</caption>\n  <thead><tr>",
           "".join(f'<th scope="col">{h}</th>' for h in labels), "</tr></thead>\n  <tbody>\n"]
    for p in rows:
        c = p.content
        number = escape(c.get("number")) if c.get("number") else none
        out.append(
            f'    <tr>\n      <td data-label="{labels[0]}"><a href="{base}{p.pk}/">{number}</a></td>\n'
            f'      <td data-label="{labels[1]}">{escape(c.get("party", ""))}</td>\n'
            f'      <td data-label="{labels[2]}">{escape(c.get("title", ""))}</td>\n'
            f'      <td data-label="{labels[3]}">{escape(c.get("penalty", ""))}</td>\n'
            f'      <td data-label="{labels[4]}" class="num">{p.decided_on:%Y-%m-%d}</td>\n'
            f'      <td data-label="{labels[5]}" class="num">{p.published_on:%Y-%m-%d}</td>\n    </tr>\n')
    out.append("  </tbody>\n</table></div>\n")
    return "".join(out)


def _serial(sender, connection, **kwargs) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SET max_parallel_workers_per_gather = 0")
            # the search's statements are prepared (server_side_binding, prepare_threshold=5); after five runs
            # PostgreSQL may keep a generic plan, blind to how common the searched words are
            cur.execute("SET plan_cache_mode = force_custom_plan")


class Prototype:
    """Install the proposed fix in this process (and its two indexes in the database); ``remove`` undoes it."""

    def __init__(self, progress=print, *, keep: bool = False, max_count: int | None = None):
        self.progress, self.keep = progress, keep  # keep: leave the prototype's FTS table for the next run
        self.max_count = max_count  # a lower cap of the searches' count (the view's MAX_COUNT), if given
        self.saved: dict = {}

    def install(self) -> None:
        from django import forms, template
        from django.db import connection
        from django.db.models import F, Max
        from django.template import engines
        from django.template.loaders.locmem import Loader
        from django.utils.html import escape
        from django.utils.safestring import mark_safe

        from zhifa.publicity import search
        from zhifa.publicity.models import Publication
        from zhifa.publicity.views import portal as views

        t = time.perf_counter()
        with connection.cursor() as cur:
            for name, on in PROTO_INDEXES.items():
                cur.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {on}")
            cur.execute("ANALYZE publicity_publication")
        if connection.vendor == "postgresql":  # short queries on two cores: no parallel workers; custom plans
            from django.db.backends.signals import connection_created

            connection_created.connect(_serial, dispatch_uid="bench_proto_serial")
            _serial(None, connection)
        self.progress(f"prototype indexes in {time.perf_counter() - t:.0f}s")
        if connection.vendor == "sqlite":
            build_proto_fts(self.progress)
        lateness = Publication.objects.aggregate(m=Max(F("published_on") - F("decided_on")))["m"]
        lateness = lateness.days if lateness is not None else 0
        original = search.decisions

        def decisions(agency, *, q: str = "", item: str = "", since=None, until=None):
            qs = Publication.objects.filter(agency=agency, status=Publication.Status.PUBLISHED)
            if item:
                qs = qs.filter(item_code=item)
            if since:
                qs = qs.filter(decided_on__gte=since)
            if until:
                qs = qs.filter(decided_on__lte=until)
            if search.query_runs(q):
                return TextMatches(agency, q, qs, item=item, since=since, until=until, lateness=lateness)
            if since or until:  # a decision-date range: in the order of that date (an index range, any size)
                return qs.order_by("-decided_on", "-id")
            return qs.order_by("-published_on", "-id")

        decisions.original = original
        self.saved["decisions"] = original
        search.decisions = decisions

        class FastSelect(forms.Select):
            def render(self, name, value, attrs=None, renderer=None):
                value = "" if value is None else str(value)
                attrs = {**self.attrs, **(attrs or {})}
                opts = "".join(f'<option value="{escape(v)}"{" selected" if str(v) == value else ""}>{escape(label)}'
                               "</option>" for v, label in self.choices)
                extra = "".join(f' {k}="{escape(v)}"' for k, v in attrs.items())
                return mark_safe(f'<select name="{escape(name)}"{extra}>{opts}</select>')

        self.saved["max_count"] = views.MAX_COUNT
        if self.max_count:
            views.MAX_COUNT = self.max_count
        field = views.SearchForm.base_fields["item"]
        self.saved["widget"] = field.widget
        field.widget = FastSelect(choices=field.choices)

        engine = engines["django"].engine
        library = template.Library()

        @library.simple_tag(takes_context=True)
        def proto_decision_rows(context):
            return mark_safe(proto_rows(context["rows"], context["agency"]))

        engine.template_libraries["bench_proto"] = library
        loader = Loader(engine, {"publicity/portal/_decision_rows.html":
                                 "{% load bench_proto %}{% proto_decision_rows %}"})
        engine.template_loaders.insert(0, loader)
        self.saved["loader"] = loader

    def remove(self) -> None:
        from django.db import connection
        from django.template import engines

        from zhifa.publicity import search
        from zhifa.publicity.views import portal as views

        search.decisions = self.saved["decisions"]
        views.MAX_COUNT = self.saved["max_count"]
        views.SearchForm.base_fields["item"].widget = self.saved["widget"]
        engine = engines["django"].engine
        engine.template_loaders.remove(self.saved["loader"])
        engine.template_libraries.pop("bench_proto", None)
        with connection.cursor() as cur:
            for name in PROTO_INDEXES:
                cur.execute(f"DROP INDEX IF EXISTS {name}")
            if connection.vendor == "sqlite" and not self.keep:
                cur.execute(f"DROP TABLE IF EXISTS {PROTO_FTS}")
            if connection.vendor == "postgresql":
                from django.db.backends.signals import connection_created

                connection_created.disconnect(dispatch_uid="bench_proto_serial")
                cur.execute("RESET max_parallel_workers_per_gather")
                cur.execute("RESET plan_cache_mode")


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
    parser.add_argument("--fix", action="store_true",
                        help="measure with the proposed fix (a prototype, monkeypatched; its indexes dropped after)")
    parser.add_argument("--max-count", type=int,
                        help="with --fix: count a search's matches up to this many (the view's MAX_COUNT, 1000)")
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
    proto = Prototype(progress=log, max_count=args.max_count) if args.fix else None
    if proto:
        proto.install()
    try:
        if args.explain:
            explain(args.seed)
        figures = run(args.requests, args.seed, counts=not args.no_counts, progress=log)
    finally:
        if proto:
            proto.remove()
    figures.update(engine=args.engine, generated=made, database_bytes=size, fix=args.fix, max_count=args.max_count)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2, default=str))
    else:
        label = args.engine + (" with the proposed fix (prototype)" if args.fix else "")
        if args.fix and args.max_count:
            label += f", counts up to {args.max_count}"
        print_table(label, figures)


if __name__ == "__main__":
    DATA.mkdir(parents=True, exist_ok=True)
    main()
