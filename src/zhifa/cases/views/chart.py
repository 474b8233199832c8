"""The procedure chart page (/cases/procedure/): per procedure an SVG diagram drawn on the server, and a table per
state of the steps it allows, both from ``zhifa.law.procedure.TABLE``.

The same per-state table is written into ``docs/procedure-chart.md`` by ``zhifa procedure_chart --format markdown``
(:func:`markdown`), so the page and the doc cannot disagree.

**Layout** (no JavaScript, no library): the states are put in layers from the start state. The brief's first idea,
layers by shortest path, puts 归档 beside 撤销立案 near the top (撤销立案 → 归档 is short) and makes the main line
(结案 → 归档) run upwards; so the cycles (补充调查, 陈述申辩复核, 听证后重新审核 …) are broken first by a depth-first
walk from the start in table order, and each state is placed one layer below the deepest state that leads to it
(longest path). A step taken from most open states (中止: every stage from 立案 to the decision) is not drawn as a
dozen arrows but written under its target. Edges spanning several layers pass through invisible points, so they
run between the boxes; each layer is ordered by the mean position of its neighbours (a few sweeps), then positions
are relaxed towards the neighbours. Arrows that go back up (补充调查 …) are dashed curves on the right.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from xml.sax.saxutils import escape

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from zhifa.law import procedure as proc
from zhifa.law.citations import XZCFF
from zhifa.law.clocks import CLOCKS
from zhifa.law.errors import Citation
from zhifa.web.svg import FONT_FAMILY, text_width
from zhifa.web.svg import coord as _f

P, St, A = proc.Procedure, proc.State, proc.Action

# A row with more source states than this is written under its target instead of drawn from each source.
HUB_SOURCES = 4

# What each guard asks, in words, with the articles (the guards' own docstrings cite the same). The document,
# record, approval and excluded-period guards are not listed: the table shows what they check.
GUARD_TEXT: dict[str, tuple[str, tuple[Citation, ...]]] = {
    "two_qualified_officers": (gettext_lazy("两名以上具备本案执法领域执法资格的执法人员"), (proc.ART_42,)),
    "no_conflict": (gettext_lazy("承办人员没有应当回避的情形"), (proc.ART_43,)),
    "within_limitation": (gettext_lazy("在追责时效内（二年，涉及生命健康安全、金融安全且有危害后果的五年）"),
                          (proc.ART_36,)),
    "penalty_stated": (gettext_lazy("写明拟处罚的种类和金额"), (proc.ART_44, proc.ART_59)),
    "notified_before_decision": (gettext_lazy("决定前已送达行政处罚事先告知书"), (proc.ART_44, proc.ART_62)),
    "statement_window_over_or_waived": (gettext_lazy("陈述、申辩期限已届满，或者当事人明确放弃"),
                                        (proc.ART_45, proc.ART_62)),
    "not_heavier_than_notified": (gettext_lazy("不重于事先告知的处罚"), (proc.ART_45,)),
    "review_passed_if_required": (gettext_lazy("应当法制审核的已审核通过（举行听证后重新审核）"),
                                  (proc.ART_58_REVIEW,)),
    "reviewer_eligible": (gettext_lazy("审核人员未承办、调查本案；初次审核的具备法律职业资格"),
                          (proc.ART_58_2, proc.SEPARATION_OF_DUTIES)),
    "one_fine_per_act": (gettext_lazy("同一违法行为不得给予两次以上罚款"), (proc.ART_29,)),
    "fine_within_discretion_or_reason": (gettext_lazy("罚款在裁量建议幅度内，或者记录了理由"),
                                         (proc.ART_5, proc.ART_34)),
    "hearing_not_refused_in_window": (gettext_lazy("期限内要求听证的，不得拒绝"), (proc.ART_63, proc.ART_64_1)),
    "hearing_held_or_window_closed": (gettext_lazy("听证申请期限已届满、当事人已放弃或者已举行听证"),
                                      (proc.ART_63, proc.ART_64)),
    "hearing_record_if_held": (gettext_lazy("举行听证的，根据听证笔录作出决定"), (proc.ART_65,)),
    "hearing_notice_seven_days": (gettext_lazy("听证通知在举行听证七个工作日前送达"), (proc.ART_64_2,)),
    "host_not_investigator": (gettext_lazy("听证主持人不是本案调查人员"), (proc.ART_64_4,)),
    "summary_eligible": (gettext_lazy("符合简易程序条件（警告或者小额罚款，违法事实确凿）"), (proc.ART_51,)),
    "credentials_shown": (gettext_lazy("已出示执法证件"), (proc.ART_55, proc.ART_52)),
    "summary_statement_heard": (gettext_lazy("已当场告知并听取陈述、申辩"), (proc.ART_44, proc.ART_45)),
    "collective_discussion_if_major": (gettext_lazy("情节复杂或者重大违法行为，经负责人集体讨论"), (proc.ART_57_2,)),
    "actor_is_handler": (gettext_lazy("由本案承办人员办理"), (proc.ART_42,)),
    "spot_collection_allowed": (gettext_lazy("符合当场收缴罚款的条件"), (proc.ART_68, proc.ART_69)),
    "nothing_to_perform": (gettext_lazy("没有须履行的罚款或者没收违法所得"), (proc.ART_67,)),
    "no_open_measures": (gettext_lazy("没有未处理的先行登记保存、查封扣押，当场收缴的罚款已上交"),
                         (proc.ART_56, proc.QZF_ART_27, proc.ART_71)),
    "payment_overdue": (gettext_lazy("缴纳期限已届满"), (proc.ART_67, proc.ART_72)),
    "penalty_decided": (gettext_lazy("已作出行政处罚决定"), (proc.GBF_118_PUBLISH,)),
    "crime_report_decided": (gettext_lazy("已报告的涉嫌犯罪已决定移送或者不予移送"),
                             (proc.ART_27, proc.YSGD_NO_SUBSTITUTE)),
    "court_application_window": (gettext_lazy("催告书送达满十个工作日，且在申请强制执行的期限内"),
                                 (proc.QZF_ART_53, proc.QZF_ART_54)),
    "public_notice_elapsed": (gettext_lazy("公告满三十日"), (proc.MSSSF_ART_95,)),
    "decision_extension_allowed": (gettext_lazy("政策允许再次延长办案期限"), (proc.ART_60,)),
    "seizure_extension_once": (gettext_lazy("查封、扣押期限只能延长一次"), (proc.QZF_ART_25,)),
    "clocks_running": (gettext_lazy("相应的期限正在进行（有待处理的事项）"), ()),
    "clue_source_recorded": (gettext_lazy("写明案源来源，附来源文书"), (proc.ART_54,)),
}
# Guards the table shows in other columns (documents, records, approval, excluded periods).
SHOWN_ELSEWHERE = frozenset({"documents_present", "records_present", "head_approval", "exclusion_not_open",
                             "exclusion_open"})


def cite(c: Citation) -> str:
    """A citation without its note; 行政处罚法 articles by number only."""
    return c.article if c.source == XZCFF and c.article else f"{c.source}{c.article}"


def _cites(cs: Iterable[Citation]) -> str:
    return "、".join(dict.fromkeys(cite(c) for c in cs))


def _clock_name(code: str) -> str:
    return CLOCKS[code].name if code in CLOCKS else proc.POLICY_CLOCKS[code].name


def anchor(procedure: proc.Procedure | str, state: proc.State | str | None) -> str:
    """The id of a state's table on the page and in the doc (``general-clue``; ``general-new`` for new cases)."""
    return f"{proc.Procedure(procedure).value}-{proc.State(state).value if state else 'new'}"


# --- The per-state table ---------------------------------------------------------------------------------


def states_of(procedure: proc.Procedure) -> list[proc.State]:
    """The states of a procedure, in the order of :class:`~zhifa.law.procedure.State`."""
    found = {proc.INITIAL[procedure]}
    for t in proc.TABLE:
        if t.procedure is procedure:
            found |= t.sources
            if t.target is not None and not t.switches_to:
                found.add(t.target)
    return [s for s in St if s in found]


def _target(t: proc.Transition) -> str:
    if t.returns:
        return _("回到中止前的阶段")
    if t.target is None:
        return _("（阶段不变）")
    if t.switches_to:
        return f"{proc.PROCEDURE_LABELS[t.switches_to]}：{proc.STATE_LABELS[t.target]}"
    return proc.STATE_LABELS[t.target]


def step_row(t: proc.Transition) -> dict:
    """One step as the table shows it: lists of short texts per column."""
    needs = [_("文书：%s") % proc.DOCUMENT_LABELS[d] for d in t.documents]
    needs += [_("记录：%s") % proc.RECORD_LABELS[r] for r in t.records]
    if t.approval:
        needs.append(_("负责人批准：%s") % proc.APPROVAL_LABELS[t.approval])
    clocks = [_("启动：%s") % _clock_name(c) for c in t.starts]
    clocks += [_("停止：%s") % _clock_name(c) for c in t.stops]
    clocks += [_("延长：%s") % _clock_name(c) for c in t.extends]
    clocks += [_("不计入期间开始：%s") % proc.EXCLUSIONS[e].label for e in t.opens]
    clocks += [_("不计入期间结束：%s") % proc.EXCLUSIONS[e].label for e in t.closes]
    if t.stops_all:
        clocks.append(_("停止全部期限"))
    conditions = []
    for g in t.guards:
        if g in SHOWN_ELSEWHERE:
            continue
        text, basis = GUARD_TEXT[g]
        conditions.append(f"{text}（{_cites(basis)}）" if basis else str(text))
    return {
        "action": t.action.value, "label": t.label,
        "roles": "、".join(proc.ROLE_LABELS[r] for r in sorted(t.roles, key=list(proc.ROLE_LABELS).index)),
        "target": _target(t), "needs": needs, "clocks": clocks, "conditions": conditions,
        "basis": _cites(t.basis),
    }


def state_tables(procedure: proc.Procedure) -> list[dict]:
    """For new cases and then each state of ``procedure``: its anchor, label and the steps it allows."""
    out = [{"anchor": anchor(procedure, None), "state": "", "label": _("新建案件"),
            "rows": [step_row(t) for t in proc.transitions_from(procedure, None)]}]
    for s in states_of(procedure):
        out.append({"anchor": anchor(procedure, s), "state": s.value, "label": proc.STATE_LABELS[s],
                    "terminal": s in proc.TERMINAL,
                    "rows": [step_row(t) for t in proc.transitions_from(procedure, s)]})
    return out


# --- The layered layout --------------------------------------------------------------------------------------

FONT = 14  # px, state labels
EDGE_FONT = 11  # px, step labels
PAD_X, NODE_H = 12, 34
LAYER_GAP = 74  # vertical distance between layers' boxes
GAP_X = 28  # horizontal space between boxes in a layer
DUMMY_W = 14
MARGIN = 24


@dataclass
class _Node:
    key: str
    label: str
    width: float
    state: proc.State | None = None
    foreign: bool = False
    dummy: bool = False
    layer: int = 0
    x: float = 0.0  # centre
    note: str = ""  # steps taken from many states into this one


@dataclass
class _Edge:
    src: str
    dst: str
    labels: list[str] = field(default_factory=list)
    back: bool = False
    path: list[str] = field(default_factory=list)  # node keys, dummies included


@dataclass
class Diagram:
    nodes: dict[str, _Node]
    edges: list[_Edge]
    layers: list[list[str]]
    width: float
    height: float


def _y(layer: int) -> float:
    return MARGIN + 30 + layer * (NODE_H + LAYER_GAP)


def layout(procedure: proc.Procedure) -> Diagram:
    nodes: dict[str, _Node] = {}

    def node(key: str, label: str, **kw) -> _Node:
        if key not in nodes:
            w = max(text_width(label, FONT) + 2 * PAD_X, 64)
            nodes[key] = _Node(key, label, w, **kw)
        return nodes[key]

    start = proc.INITIAL[procedure]
    for s in states_of(procedure):
        node(s.value, proc.STATE_LABELS[s], state=s)
    edges: dict[tuple[str, str], _Edge] = {}
    hub_first: dict[str, str] = {}  # hub target → its first source, for the layering only
    for t in proc.TABLE:
        if t.procedure is not procedure or t.creates or t.target is None or t.returns:
            continue
        if t.switches_to:
            dst = f"{t.switches_to.value}:{t.target.value}"
            node(dst, f"{proc.PROCEDURE_LABELS[t.switches_to]}：{proc.STATE_LABELS[t.target]}", foreign=True)
        else:
            dst = t.target.value
        sources = [s for s in St if s in t.sources and s.value != dst]
        if len(sources) > HUB_SOURCES:
            n = nodes[dst]
            where = _("立案后、决定前各阶段") if set(sources) >= proc.PRE_DECISION else \
                "、".join(proc.STATE_LABELS[s] for s in sources)
            n.note = _("%(where)s均可%(step)s") % {"where": where, "step": t.label}
            hub_first.setdefault(dst, sources[0].value)
            continue
        for s in sources:
            edges.setdefault((s.value, dst), _Edge(s.value, dst)).labels.append(t.label)
    for e in edges.values():
        e.labels = list(dict.fromkeys(e.labels))

    # Break the cycles: an edge to a state still on the depth-first path goes back.
    out_edges: dict[str, list[_Edge]] = {}
    for e in edges.values():
        out_edges.setdefault(e.src, []).append(e)
    for dst, src in hub_first.items():
        out_edges.setdefault(src, []).append(_Edge(src, dst, labels=[]))  # layering only, not drawn
    seen: set[str] = set()
    stack: list[str] = []
    on_path: set[str] = set()
    order: list[str] = []  # discovery order, the first ordering of each layer

    def visit(key: str) -> None:
        seen.add(key)
        on_path.add(key)
        order.append(key)
        for e in out_edges.get(key, ()):
            if e.dst in on_path:
                e.back = True
            elif e.dst not in seen:
                visit(e.dst)
        on_path.discard(key)
        stack.append(key)  # post-order

    visit(start.value)
    for key in nodes:  # states no drawn edge reaches (none today): their own roots
        if key not in seen:
            visit(key)

    # Longest path from the start over the forward edges, in topological (reverse post-) order.
    layer = dict.fromkeys(nodes, 0)
    for key in reversed(stack):
        for e in out_edges.get(key, ()):
            if not e.back:
                layer[e.dst] = max(layer[e.dst], layer[key] + 1)
    for key, n in nodes.items():
        n.layer = layer[key]

    # Forward edges over several layers go through one invisible point per layer crossed.
    drawn = list(edges.values())
    for e in drawn:
        if e.back:
            e.path = [e.src, e.dst]
            continue
        path = [e.src]
        for lay in range(nodes[e.src].layer + 1, nodes[e.dst].layer):
            key = f"~{e.src}>{e.dst}@{lay}"
            nodes[key] = _Node(key, "", DUMMY_W, dummy=True, layer=lay)
            path.append(key)
        path.append(e.dst)
        e.path = path

    depth = max(n.layer for n in nodes.values()) + 1
    rank = {k: i for i, k in enumerate(order)}
    layers: list[list[str]] = [[] for _ in range(depth)]
    for key in sorted(nodes, key=lambda k: (rank.get(k, len(rank)), k)):
        layers[nodes[key].layer].append(key)

    ups: dict[str, list[str]] = {k: [] for k in nodes}
    downs: dict[str, list[str]] = {k: [] for k in nodes}
    for e in drawn:
        if not e.back:
            for a, b in pairwise(e.path):
                downs[a].append(b)
                ups[b].append(a)

    def position(keys: list[str]) -> dict[str, float]:
        return {k: i for i, k in enumerate(keys)}

    # Order each layer by the mean position of its neighbours, down then up, a few times.
    for _sweep in range(6):
        rng = range(1, depth) if _sweep % 2 == 0 else range(depth - 2, -1, -1)
        for lay in rng:
            ref_layer = lay - 1 if _sweep % 2 == 0 else lay + 1
            ref = position(layers[ref_layer])
            nbrs = ups if _sweep % 2 == 0 else downs
            cur = position(layers[lay])

            def bary(k: str, ref=ref, nbrs=nbrs, cur=cur) -> float:
                xs = [ref[n] for n in nbrs[k] if n in ref]
                return sum(xs) / len(xs) if xs else cur[k]

            layers[lay].sort(key=bary)

    # Coordinates: pack each layer, then pull boxes towards their neighbours without overlapping.
    def pack(keys: list[str]) -> None:
        x = 0.0
        for k in keys:
            n = nodes[k]
            n.x = x + n.width / 2
            x += n.width + GAP_X

    for keys in layers:
        pack(keys)
    widest = max(sum(nodes[k].width for k in keys) + GAP_X * (len(keys) - 1) for keys in layers)
    for keys in layers:
        used = sum(nodes[k].width for k in keys) + GAP_X * (len(keys) - 1)
        for k in keys:
            nodes[k].x += (widest - used) / 2

    def settle(keys: list[str], want: dict[str, float]) -> None:
        # keep the order; place each box as near its wish as the boxes to its left allow, then fix from the right
        xs = [want[k] for k in keys]
        ws = [nodes[k].width for k in keys]
        for i in range(1, len(keys)):
            xs[i] = max(xs[i], xs[i - 1] + (ws[i - 1] + ws[i]) / 2 + GAP_X)
        for i in range(len(keys) - 2, -1, -1):
            xs[i] = min(xs[i], xs[i + 1] - (ws[i + 1] + ws[i]) / 2 - GAP_X)
        for k, x in zip(keys, xs, strict=True):
            nodes[k].x = x

    for _round in range(8):
        seq = range(1, depth) if _round % 2 == 0 else range(depth - 2, -1, -1)
        nbrs = ups if _round % 2 == 0 else downs
        for lay in seq:
            want = {}
            for k in layers[lay]:
                xs = [nodes[n].x for n in nbrs[k]]
                want[k] = (sum(xs) / len(xs)) if xs else nodes[k].x
            settle(layers[lay], want)

    left = min(n.x - n.width / 2 for n in nodes.values())
    for n in nodes.values():
        n.x += MARGIN - left
    right = max(n.x + n.width / 2 for n in nodes.values())
    back_room = 40 + 14 * sum(1 for e in drawn if e.back)
    note_room = max((text_width(n.note, EDGE_FONT) / 2 - n.width / 2 for n in nodes.values() if n.note), default=0)
    width = right + max(back_room, note_room) + MARGIN
    height = _y(depth - 1) + NODE_H + 40 + MARGIN
    return Diagram(nodes, drawn, layers, width, height)


# --- SVG ---------------------------------------------------------------------------------------------------------


def _attr(v: object) -> str:
    return escape(str(v), {'"': "&quot;"})


def svg(procedure: proc.Procedure, *, link_states: bool = True) -> str:
    """The diagram of ``procedure`` as an inline ``<svg>`` (well-formed XML; each state links to its table)."""
    d = layout(procedure)
    title = _("%s办案流程图") % proc.PROCEDURE_LABELS[procedure]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="procedure-chart" role="img" '
           f'aria-labelledby="svg-{procedure.value}-title" width="{_f(d.width)}" height="{_f(d.height)}" '
           f'viewBox="0 0 {_f(d.width)} {_f(d.height)}" font-family="{FONT_FAMILY}">',
           f'<title id="svg-{procedure.value}-title">{escape(title)}</title>',
           f'<defs><marker id="arrow-{procedure.value}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" '
           'markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>']
    n = d.nodes
    top = {k: _y(v.layer) for k, v in n.items()}
    labels: list[str] = []
    back_i = 0
    # where each forward edge's label sits on its first gap: staggered among the edges leaving one state
    siblings: dict[str, list[_Edge]] = {}
    for e in d.edges:
        if not e.back:
            siblings.setdefault(e.src, []).append(e)
    stagger: dict[int, float] = {}
    for group in siblings.values():
        group.sort(key=lambda e: n[e.path[1]].x)
        for i, e in enumerate(group):
            stagger[id(e)] = 0.5 if len(group) == 1 else 0.25 + 0.5 * i / (len(group) - 1)
    for e in d.edges:
        text = " / ".join(e.labels)
        if e.back:
            a, b = n[e.src], n[e.dst]
            back_i += 1
            x0, y0 = a.x + a.width / 2, top[e.src] + NODE_H / 2
            x1, y1 = b.x + b.width / 2, top[e.dst] + NODE_H / 2
            bulge = max(x0, x1) + 28 + 10 * back_i
            out.append(f'<path class="edge back" d="M{_f(x0)},{_f(y0)} C{_f(bulge)},{_f(y0)} {_f(bulge)},{_f(y1)} '
                       f'{_f(x1 + 2)},{_f(y1)}" fill="none" stroke="#8a8a8a" stroke-width="1.2" '
                       f'stroke-dasharray="5 3" marker-end="url(#arrow-{procedure.value})"/>')
            lx, ly = x0 + 6, y0 - 6
            labels.append(f'<text class="edge-label" x="{_f(lx)}" y="{_f(ly)}" font-size="{EDGE_FONT}" '
                          f'fill="#666">{escape("↺ " + text)}</text>')
            continue
        pts = []
        for i, k in enumerate(e.path):
            v = n[k]
            if i == 0:
                pts.append((v.x, top[k] + NODE_H))
            elif i == len(e.path) - 1:
                pts.append((v.x, top[k]))
            else:
                pts.append((v.x, top[k]))
                pts.append((v.x, top[k] + NODE_H))
        parts = [f"M{_f(pts[0][0])},{_f(pts[0][1])}"]
        for (x0, y0), (x1, y1) in pairwise(pts):
            if x0 == x1:
                parts.append(f"L{_f(x1)},{_f(y1)}")
            else:
                my = (y0 + y1) / 2
                parts.append(f"C{_f(x0)},{_f(my)} {_f(x1)},{_f(my)} {_f(x1)},{_f(y1)}")
        out.append(f'<path class="edge" d="{" ".join(parts)}" fill="none" stroke="#555" stroke-width="1.2" '
                   f'marker-end="url(#arrow-{procedure.value})"/>')
        # the label on the first gap below the source, where the arrow is still easy to follow
        (x0, y0), (x1, y1) = pts[0], pts[1]
        t = stagger[id(e)]
        lx = x0 + (x1 - x0) * (3 * t * t - 2 * t * t * t)  # the curve's x at height t (vertical tangents)
        ly = y0 + (y1 - y0) * t + EDGE_FONT / 3
        labels.append(f'<text class="edge-label" x="{_f(lx)}" y="{_f(ly)}" font-size="{EDGE_FONT}" '
                      f'text-anchor="middle" fill="#333">{escape(text)}</text>')
    # the start
    s = n[proc.INITIAL[procedure].value]
    out.append(f'<circle cx="{_f(s.x)}" cy="{_f(top[s.key] - 22)}" r="6" fill="#333"/>')
    out.append(f'<path d="M{_f(s.x)},{_f(top[s.key] - 16)} L{_f(s.x)},{_f(top[s.key])}" stroke="#333" '
               f'stroke-width="1.2" marker-end="url(#arrow-{procedure.value})"/>')
    for k, v in n.items():
        if v.dummy:
            continue
        x, y = v.x - v.width / 2, top[k]
        cls = "state" + (" terminal" if v.state in proc.TERMINAL else "") + (" foreign" if v.foreign else "")
        box = (f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(v.width)}" height="{NODE_H}" rx="8" '
               f'fill="{"#fff" if v.foreign else "#eef4fb"}" stroke="#2f5d8a" stroke-width="'
               f'{"2.5" if v.state in proc.TERMINAL else "1.2"}"'
               f'{" stroke-dasharray=\"4 3\"" if v.foreign else ""}/>'
               f'<text x="{_f(v.x)}" y="{_f(y + NODE_H / 2 + FONT * 0.36)}" font-size="{FONT}" text-anchor="middle" '
               f'fill="#1d2b3a">{escape(v.label)}</text>')
        if link_states and v.state is not None:
            href = "#" + anchor(procedure, v.state)
            out.append(f'<a class="{cls}" href="{_attr(href)}" id="svg-{_attr(anchor(procedure, v.state))}">'
                       f'<title>{escape(v.label)}</title>{box}</a>')
        else:
            out.append(f'<g class="{cls}">{box}</g>')
        if v.note:
            labels.append(f'<text class="node-note" x="{_f(v.x)}" y="{_f(y + NODE_H + EDGE_FONT + 3)}" '
                          f'font-size="{EDGE_FONT}" text-anchor="middle" fill="#8a5a00">'
                          f'{escape("↳ " + v.note)}</text>')
    # labels last, over the lines, with a white halo
    out.append('<g stroke="#fff" stroke-width="3" paint-order="stroke" stroke-linejoin="round">')
    out += labels
    out.append("</g></svg>")
    return "\n".join(out)


# --- The page ---------------------------------------------------------------------------------------------------


@login_required
@require_GET
def procedure_chart(request):
    procedures = [{"code": p.value, "label": proc.PROCEDURE_LABELS[p], "svg": svg(p), "states": state_tables(p)}
                  for p in P]
    return render(request, "cases/procedure.html", {"active": "cases", "procedures": procedures})


# --- The doc (docs/procedure-chart.md) --------------------------------------------------------------------------

DOC_HEADER = """# 办案程序图

> 本文件由程序表（`src/zhifa/law/procedure.py` 的 `TABLE`）生成，请勿手工修改。程序表改动后在仓库根目录运行：
>
> ```sh
> .venv/bin/zhifa procedure_chart --format markdown > docs/procedure-chart.md
> ```
>
> 测试 `tests/cases/test_procedure_chart.py` 检查本文件与命令输出一致。系统内的同一张图：登录后打开
> `/cases/procedure/`（办案程序图），案件页“办案阶段”旁的“程序图”链接直接跳到该案当前阶段。

图中每个方框是一个办案阶段，箭头是使阶段改变的步骤；不改变阶段的步骤（调查询问、登记证据、查封扣押的处理等）写在
阶段旁的注释里。表格列出每个阶段可办理的全部步骤：谁来办、办完到哪个阶段、须先具备哪些文书和记录、启动或停止哪些
期限、系统还检查哪些条件（括号内为依据，未写法律名称的为《中华人民共和国行政处罚法》的条文）。
"""


DOC_COLUMNS = ("可办理的步骤", "办理人角色", "到达阶段", "须具备的文书/记录", "启动/停止的期限", "条件（依据）",
               "步骤依据")


def _cell(items: Iterable[str] | str) -> str:
    text = "<br>".join(items) if not isinstance(items, str) else items
    return (text or "—").replace("|", "\\|").replace("\n", " ")


def markdown(procedures: Iterable[proc.Procedure] | None = None) -> str:
    """The doc: per procedure the Mermaid chart of ``procedure.chart`` and a table per state."""
    out = [DOC_HEADER]
    for p in procedures or list(P):
        out.append(f"## {proc.PROCEDURE_LABELS[p]}\n")
        out.append("```mermaid\n" + proc.chart(p) + "```\n")
        out.append("### 各阶段可办理的步骤\n")
        out.append("阶段：" + " · ".join(f"[{t['label']}](#{t['anchor']})" for t in state_tables(p)) + "\n")
        for table in state_tables(p):
            suffix = "（终点）" if table.get("terminal") else ""
            out.append(f'<a id="{table["anchor"]}"></a>\n\n#### {proc.PROCEDURE_LABELS[p]}：{table["label"]}{suffix}\n')
            if not table["rows"]:
                out.append("没有可办理的步骤。\n")
                continue
            out.append("| " + " | ".join(DOC_COLUMNS) + " |")
            out.append("|---|---|---|---|---|---|---|")
            for r in table["rows"]:
                out.append("| " + " | ".join(_cell(c) for c in (
                    r["label"], r["roles"], r["target"], r["needs"], r["clocks"], r["conditions"], r["basis"])) + " |")
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
