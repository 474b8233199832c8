"""How the catalog's data read on a page: penalty kinds with their mode, fine rules in words, benchmark
bands with the amounts they give for an item.

The legal wording (kinds, fine rules, outcomes) is the statute's own Chinese and comes from
``zhifa.law``; the words around it are translated like the rest of the screens.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from zhifa.law.errors import RuleViolation
from zhifa.law.fines import FineRule, RuleType, parse_fine_rule, yuan
from zhifa.law.penalties import KIND_LABELS, PenaltyKind

MODE_LABELS = {
    "mandatory": gettext_lazy("应当给予"),
    "optional": gettext_lazy("可以并处"),
    "serious": gettext_lazy("情节严重时"),
}
MODE_TONES = {"mandatory": "ok", "optional": "muted", "serious": "warn"}
OUTCOME_ORDER = ("lighter", "general", "heavier")
OUTCOME_WORDS = {
    "lighter": gettext_lazy("从轻处罚"),
    "general": gettext_lazy("一般处罚"),
    "heavier": gettext_lazy("从重处罚"),
}
SHAPE_LABELS = {
    "range": gettext_lazy("有上下限的罚款幅度"),
    "max_only": gettext_lazy("仅有上限的罚款（“……以下”）"),
    "multiple": gettext_lazy("按倍数计算的罚款"),
}


def kind_label(code: str) -> str:
    try:
        return KIND_LABELS[PenaltyKind(code)]
    except ValueError:
        return str(code)


def kinds_of(item_kinds) -> list[dict]:
    """The item's kinds (JSON list) as label, mode label, tone and note; tolerant of odd rows."""
    out = []
    for k in item_kinds or []:
        if not isinstance(k, dict):
            continue
        mode = k.get("mode") or "mandatory"
        out.append({"kind": k.get("kind"), "label": kind_label(k.get("kind")), "mode": mode,
                    "mode_label": MODE_LABELS.get(mode, mode), "tone": MODE_TONES.get(mode, "muted"),
                    "note": k.get("note") or ""})
    return out


def parse_rule(data) -> tuple[FineRule | None, str]:
    """The stored fine rule parsed, or None with the reason it cannot be read."""
    try:
        return parse_fine_rule(data), ""
    except RuleViolation as exc:
        return None, str(exc)
    except (TypeError, ValueError, InvalidOperation, AttributeError, KeyError):
        return None, _("罚款规则数据无法识别")


def _n(value: Decimal) -> str:
    return str(int(value)) if value == value.to_integral_value() else format(value.normalize(), "f")


def _range_words(lo: Decimal | None, hi: Decimal | None) -> str:
    if lo and hi is not None:
        return f"{yuan(lo)}以上{yuan(hi)}以下"
    if hi is not None:
        return f"{yuan(hi)}以下"
    if lo:
        return f"{yuan(lo)}以上"
    return "（未设定幅度）"


def rule_words(rule: FineRule | None) -> str:
    """A fine rule as the regulation would say it, e.g. "违法经营额10000元以上的，处5倍以上10倍以下罚款；…"."""
    if rule is None:
        return ""
    if rule.type is RuleType.RANGE:
        text = f"处{_range_words(rule.min, rule.max)}罚款"
    elif rule.type is RuleType.MULTIPLE:
        text = f"处{rule.base.value}{_n(rule.multiple_min)}倍以上{_n(rule.multiple_max)}倍以下罚款"
        limits = []
        if rule.min is not None:
            limits.append(f"不低于{yuan(rule.min)}")
        if rule.max is not None:
            limits.append(f"最高{yuan(rule.max)}")
        if limits:
            text += f"（{'，'.join(limits)}）"
    else:
        text = (f"{rule.base.value}{yuan(rule.threshold)}以上的，处{_n(rule.multiple_min)}倍以上"
                f"{_n(rule.multiple_max)}倍以下罚款；没有{rule.base.value}或者不足{yuan(rule.threshold)}的，"
                f"处{_range_words(rule.min, rule.max)}罚款")
    if rule.serious is not None:
        text += f"；情节严重的，{rule_words(rule.serious)}"
    return text


def rule_summary(data) -> str:
    """A short form for tables: "≤15000元", "1万–5万元", "违法所得1–3倍", tiers joined by "/"."""
    rule, problem = parse_rule(data)
    if rule is None:
        return problem and _("数据有误")

    def short(r: FineRule) -> str:
        if r.type is RuleType.RANGE:
            if r.min:
                return f"{_money_short(r.min)}–{_money_short(r.max)}元"
            return f"≤{_money_short(r.max)}元"
        if r.type is RuleType.MULTIPLE:
            return f"{r.base.value}{_n(r.multiple_min)}–{_n(r.multiple_max)}倍"
        below = f"{_money_short(r.min)}–{_money_short(r.max)}元" if r.min else f"≤{_money_short(r.max)}元"
        return f"{r.base.value}{_n(r.multiple_min)}–{_n(r.multiple_max)}倍 / {below}"

    text = short(rule)
    if rule.serious is not None:
        text += _("（严重 %(range)s）") % {"range": short(rule.serious)}
    return text


def _money_short(value: Decimal | None) -> str:
    if value is None:
        return "?"
    if value >= 10000 and value % 10000 == 0:
        return f"{_n(value / 10000)}万"
    return _n(value)


def shapes_of(rule: FineRule | None) -> list[tuple[str, Decimal | None, Decimal | None]]:
    """Which band shapes an item's fine uses, with the range each applies to when it is fixed.

    A tiered rule has two: the multiple at or above the threshold, the fixed range below it.
    """
    if rule is None:
        return []
    if rule.type is RuleType.RANGE:
        return [("range" if rule.min else "max_only", rule.min or Decimal(0), rule.max)]
    if rule.type is RuleType.MULTIPLE:
        return [("multiple", None, None)]
    return [("multiple", None, None), ("range" if rule.min else "max_only", rule.min or Decimal(0), rule.max)]


def _dec(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None


def band_rows(bands: dict, item_bands: dict | None, rule: FineRule | None) -> list[dict]:
    """The benchmark's bands as table rows: per shape, per outcome, the share of the range and — for a
    fixed range — the amounts it gives for this item. An item's own bands replace the general ones."""
    bands = bands if isinstance(bands, dict) else {}
    own = item_bands if isinstance(item_bands, dict) else {}
    wanted = {shape: (lo, hi) for shape, lo, hi in shapes_of(rule)}
    rows = []
    for shape in ("range", "max_only", "multiple"):
        table = own.get(shape) if isinstance(own.get(shape), dict) else bands.get(shape)
        if not isinstance(table, dict):
            continue
        lo, hi = wanted.get(shape, (None, None))
        cells = []
        for outcome in OUTCOME_ORDER:
            band = table.get(outcome)
            low = _dec(band.get("low")) if isinstance(band, dict) else None
            high = _dec(band.get("high")) if isinstance(band, dict) else None
            cell = {"outcome": str(OUTCOME_WORDS[outcome]), "share": "", "amounts": ""}
            if low is not None and high is not None:
                cell["share"] = f"{_n(low * 100)}%–{_n(high * 100)}%"
                if hi is not None:
                    span = hi - lo
                    cell["amounts"] = f"{yuan(lo + span * low)}–{yuan(lo + span * high)}"
            cells.append(cell)
        rows.append({"shape": shape, "label": SHAPE_LABELS[shape], "applies": shape in wanted,
                     "own": shape in own, "cells": cells})
    return rows


def factor_list(data) -> list[dict]:
    """A benchmark's factors (JSON list of {"code", "label", "basis"?}) for display and checkboxes."""
    out = []
    for f in data or []:
        if isinstance(f, dict) and f.get("code"):
            out.append({"code": str(f["code"]), "label": str(f.get("label") or f["code"]),
                        "basis": f.get("basis") or ""})
    return out


def escalations_of(data) -> list[dict]:
    """An item's statutory repeat-offence escalations, ready to show (label, counts, effect, article)."""
    out = []
    for e in data or []:
        if not isinstance(e, dict) or not isinstance(e.get("label"), str):
            continue
        basis = e.get("basis") or {}
        cite = f"{basis.get('source', '')}{basis.get('article', '')}" if isinstance(basis, dict) else str(basis)
        if e.get("effect") == "heavier":
            effect = _("应当从重处罚")
        else:
            kinds = pgettext("list separator", "、").join(kind_label(k) for k in e.get("kinds") or [])
            effect = _("应当给予：%(kinds)s") % {"kinds": kinds}
        out.append({"label": e["label"], "prior_kind": e.get("prior_kind", "any"), "effect": effect,
                    "note": e.get("note", ""), "basis": cite, "verified": bool(e.get("verified"))})
    return out
