"""Charts drawn on the server as inline SVG (DESIGN.md §5: no JavaScript, no library, nothing fetched).

``bar_chart`` draws horizontal bars (one row a label, its bar and its value at the bar's end), ``column_chart``
vertical columns (the twelve months). Both return one ``<svg>`` element as a string:

- well-formed XML whatever the data: every text escaped, characters XML 1.0 does not allow dropped;
- accessible: ``role="img"`` named by its ``<title>`` and ``<desc>`` (``aria-labelledby``); the page shows the same
  data as a table after the chart, for screen readers and print;
- a long label is cut with an ellipsis to fit, the whole label in the ``<title>`` of its bar's group (a tooltip);
- no ``style`` attribute (the portal's Content Security Policy allows no inline style): presentation attributes;
  colours from the portal's palette, bars #0b5cad (6.6:1 on white, above the 3:1 of WCAG 1.4.11), text #1d2329;
- no fixed size: the ``viewBox`` scales to the column it is put in (CSS ``.chart``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _

from zhifa.web.svg import FONT_FAMILY, text_width
from zhifa.web.svg import coord as _f

Number = int | float | Decimal

FONT = FONT_FAMILY
BAR = "#0b5cad"
INK = "#1d2329"
MUTED = "#4f5a63"
TEXT_SIZE = 14
VALUE_SIZE = 13
WIDTH = 480  # the viewBox width a chart is drawn at; wider only when its text needs it
LABEL_MAX = 168  # the widest label column (12 characters), beyond which labels are cut
ROW_H, BAR_H = 30, 18
MIN_PLOT = 160
PAD = 8
PLOT_H = 180  # the columns' height
MIN_SLOT = 40
ELLIPSIS = "…"
_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
# What XML 1.0 allows in text (§2.2 Char); anything else would make the document unparseable.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: object) -> str:
    return _NOT_XML.sub("", str(text)).replace("\n", " ").replace("\r", " ").replace("\t", " ")


def _text(text: object) -> str:
    return escape(_clean(text))


def _attr(text: object) -> str:
    return escape(_clean(text), {'"': "&quot;", "'": "&#39;"})


def fit(text: str, width: float, size: float) -> str:
    """``text`` cut to ``width`` at font ``size``, with an ellipsis when cut."""
    text = _clean(text)
    if text_width(text, size) <= width:
        return text
    room = width - text_width(ELLIPSIS, size)
    out, used = [], 0.0
    for ch in text:
        w = text_width(ch, size)
        if used + w > room:
            break
        out.append(ch)
        used += w
    return "".join(out).rstrip() + ELLIPSIS


def value_text(value: Number, unit: str = "") -> str:
    """How a value is written: 1,234 for a count, 5,000.00 for a Decimal amount with fen; "—" for what is no
    number (NaN, infinity)."""
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, Decimal):
        text = f"{value:,f}" if value.is_finite() else "—"
    elif isinstance(value, float):
        if not math.isfinite(value):
            text = "—"
        elif value.is_integer() and abs(value) < 1e15:
            text = f"{int(value):,}"
        else:
            text = f"{value:,.2f}"
    else:
        text = f"{int(value):,}"
    return f"{text}{unit}" if text != "—" else text


def _magnitude(value: Number) -> float:
    """The length a value is drawn at: negatives, NaN and infinities draw nothing (their text still shows)."""
    try:
        v = float(value)
    except (OverflowError, ValueError):
        return 0.0
    return v if math.isfinite(v) and v > 0 else 0.0


def _open(id: str, title: str, desc: str, width: float, height: float, kind: str) -> list[str]:
    if not _ID.fullmatch(id):
        raise ValueError(f"chart id must be a letter followed by letters, digits, - or _: {id!r}")
    return [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {kind}" role="img" '
            f'aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {_f(width)} {_f(height)}" '
            f'preserveAspectRatio="xMinYMin meet" font-family="{FONT}">',
            f'<title id="{id}-title">{_text(title)}</title>',
            f'<desc id="{id}-desc">{_text(desc)}</desc>',
            f'<rect class="chart-bg" x="0" y="0" width="{_f(width)}" height="{_f(height)}" fill="#fff"/>']


def _summary(rows: Sequence[tuple[str, Number]], unit: str) -> str:
    if not rows:
        return _("无数据")
    top = max(rows, key=lambda r: _magnitude(r[1]))
    return _("共%(n)s项；最大：%(label)s，%(value)s") % {"n": len(rows), "label": _clean(top[0]),
                                                       "value": value_text(top[1], unit)}


def _tip(label: str, value: str) -> str:
    """A bar's tooltip: its whole label and its value."""
    return _("%(label)s：%(value)s") % {"label": label, "value": value}


def _empty(id: str, title: str, desc: str, kind: str) -> str:
    height = 40
    nothing = _("无数据")
    out = _open(id, title, desc or nothing, WIDTH, height, kind)
    out.append(f'<text x="{PAD}" y="25" font-size="{TEXT_SIZE}" fill="{MUTED}">{_text(nothing)}</text>')
    out.append("</svg>")
    return "".join(out)


def bar_chart(rows: Sequence[tuple[str, Number]], *, title: str, unit: str = "", id: str, desc: str = "") -> str:
    """Horizontal bars, one per ``(label, value)`` row in the given order; ``unit`` follows each value ("件", "元");
    ``id`` (unique on the page) names the title and description; ``desc`` replaces the generated summary."""
    rows = list(rows)
    desc = desc or _summary(rows, unit)
    if not rows:
        return _empty(id, title, desc, "bar-chart")
    labels = [_clean(label) for label, _v in rows]
    values = [value_text(v, unit) for _l, v in rows]
    label_w = min(LABEL_MAX, max(text_width(t, TEXT_SIZE) for t in labels))
    value_w = max(text_width(t, VALUE_SIZE) for t in values) + 6
    plot_w = WIDTH - 2 * PAD - label_w - 8 - value_w
    width = WIDTH + max(0.0, MIN_PLOT - plot_w)
    plot_w = max(plot_w, MIN_PLOT)
    height = 2 * PAD + ROW_H * len(rows)
    x0 = PAD + label_w + 8
    top = max(_magnitude(v) for _l, v in rows)
    out = _open(id, title, desc, width, height, "bar-chart")
    for i, ((_label, v), label, text) in enumerate(zip(rows, labels, values, strict=True)):
        y = PAD + i * ROW_H
        length = _magnitude(v) / top * plot_w if top else 0.0
        mid = y + ROW_H / 2
        out.append(f'<g class="bar"><title>{_text(_tip(label, text))}</title>'
                   f'<text x="{_f(x0 - 8)}" y="{_f(mid + TEXT_SIZE / 3)}" font-size="{TEXT_SIZE}" '
                   f'text-anchor="end" fill="{INK}">{_text(fit(label, label_w, TEXT_SIZE))}</text>'
                   f'<rect x="{_f(x0)}" y="{_f(mid - BAR_H / 2)}" width="{_f(length)}" height="{BAR_H}" '
                   f'fill="{BAR}"/>'
                   f'<text x="{_f(x0 + length + 4)}" y="{_f(mid + VALUE_SIZE / 3)}" font-size="{VALUE_SIZE}" '
                   f'fill="{INK}">{_text(text)}</text></g>')
    out.append(f'<line x1="{_f(x0)}" y1="{PAD}" x2="{_f(x0)}" y2="{_f(height - PAD)}" stroke="{MUTED}" '
               'stroke-width="1"/>')
    out.append("</svg>")
    return "".join(out)


def column_chart(rows: Sequence[tuple[str, Number]], *, title: str, unit: str = "", id: str,
                 desc: str = "") -> str:
    """Vertical columns, one per ``(label, value)`` row left to right (the twelve months: "1月" … "12月"); the value
    above each column, the label under it."""
    rows = list(rows)
    desc = desc or _summary(rows, unit)
    if not rows:
        return _empty(id, title, desc, "column-chart")
    width = max(WIDTH, 2 * PAD + MIN_SLOT * len(rows))
    slot = (width - 2 * PAD) / len(rows)
    col_w = slot * 0.6
    value_top = PAD + VALUE_SIZE + 4  # room for the tallest column's value
    base = value_top + PLOT_H
    height = base + TEXT_SIZE + 12
    top = max(_magnitude(v) for _l, v in rows)
    out = _open(id, title, desc, width, height, "column-chart")
    for i, (label, v) in enumerate(rows):
        label = _clean(label)
        text = value_text(v, unit)
        cx = PAD + slot * (i + 0.5)
        h = _magnitude(v) / top * PLOT_H if top else 0.0
        size = min(VALUE_SIZE, max(6.0, VALUE_SIZE * (slot - 2) / max(text_width(text, VALUE_SIZE), 1)))
        out.append(f'<g class="column"><title>{_text(_tip(label, text))}</title>'
                   f'<rect x="{_f(cx - col_w / 2)}" y="{_f(base - h)}" width="{_f(col_w)}" height="{_f(h)}" '
                   f'fill="{BAR}"/>'
                   f'<text x="{_f(cx)}" y="{_f(base - h - 4)}" font-size="{_f(size)}" text-anchor="middle" '
                   f'fill="{INK}">{_text(text)}</text>'
                   f'<text x="{_f(cx)}" y="{_f(base + TEXT_SIZE + 4)}" font-size="{TEXT_SIZE}" '
                   f'text-anchor="middle" fill="{INK}">{_text(fit(label, slot - 2, TEXT_SIZE))}</text></g>')
    out.append(f'<line x1="{PAD}" y1="{_f(base)}" x2="{_f(width - PAD)}" y2="{_f(base)}" stroke="{MUTED}" '
               'stroke-width="1"/>')
    out.append("</svg>")
    return "".join(out)
