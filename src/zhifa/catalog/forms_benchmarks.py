"""Forms of the benchmark (裁量基准, 《行政处罚法》第三十四条) and 免罚清单 (第三十三条) screens.

They check shapes and types only — a number, a date, a known item code; ``zhifa.law.discretion`` and
``zhifa.catalog.services`` check the law (bands in 0..1 rising from 从轻 to 从重, low ≤ high, a basis
for every 减轻 ground, conditions of a 免罚清单 line …) and their refusals are shown on the field they
name (:func:`show_violation`).

Bands are entered as percentages of the statutory range (0 = the minimum, 100 = the maximum) and stored
as the shares ``benchmark_from_json`` reads ("0.3").
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import EnforcementItem
from .views.present import SHAPE_LABELS

SHAPES = ("range", "max_only", "multiple")
OUTCOMES = ("lighter", "general", "heavier")
ENDS = ("low", "high")
OUTCOME_LABELS = {"lighter": _("从轻处罚"), "general": _("一般处罚"), "heavier": _("从重处罚")}
END_LABELS = {"low": _("下限（%）"), "high": _("上限（%）")}
MAX_FACTORS = 40

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_DATE_ERRORS = {"invalid": _("请输入有效日期，例如 2026-01-01。")}
_PCT_MESSAGE = _("请输入 0 至 100 之间的数字（可带小数，最多四位）。")
_PCT_ERRORS = dict.fromkeys(("invalid", "min_value", "max_value", "max_digits", "max_decimal_places",
                             "max_whole_digits"), _PCT_MESSAGE)
_CODE_MAX = EnforcementItem._meta.get_field("code").max_length


def band_name(prefix: str, shape: str, outcome: str, end: str) -> str:
    return f"{prefix}_{shape}_{outcome}_{end}"


def _pct_field(shape: str, outcome: str, end: str, *, required: bool) -> forms.DecimalField:
    return forms.DecimalField(
        label=f"{SHAPE_LABELS[shape]} {OUTCOME_LABELS[outcome]} {END_LABELS[end]}",
        min_value=0, max_value=100, max_digits=7, decimal_places=4, required=required,
        error_messages={**_PCT_ERRORS, "required": _("请填写该档的上下限。")},
        widget=forms.NumberInput(attrs={"min": "0", "max": "100", "step": "any", "inputmode": "decimal"}))


def pct_to_share(value: Decimal) -> str:
    """30 → "0.3", 100 → "1": a percentage as the share ``benchmark_from_json`` reads."""
    return format((value / 100).normalize(), "f")


def share_to_pct(value: Any) -> str:
    """"0.3" → "30" (tolerant: anything unreadable becomes empty)."""
    if isinstance(value, bool):
        return ""
    try:
        share = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        return ""
    if not share.is_finite():
        return ""
    return format((share * 100).normalize(), "f")


def _band_ends(raw: Any) -> tuple[Any, Any]:
    if isinstance(raw, dict):
        return raw.get("low"), raw.get("high")
    if isinstance(raw, (list, tuple)) and len(raw) == 2:
        return raw[0], raw[1]
    return None, None


def band_initial(prefix: str, bands: Any) -> dict[str, str]:
    """Stored bands (JSON) as the initial percentages of the band inputs."""
    out: dict[str, str] = {}
    if not isinstance(bands, dict):
        return out
    for shape in SHAPES:
        per = bands.get(shape)
        if not isinstance(per, dict):
            continue
        for outcome in OUTCOMES:
            for end, value in zip(ENDS, _band_ends(per.get(outcome)), strict=True):
                pct = share_to_pct(value) if value is not None else ""
                if pct:
                    out[band_name(prefix, shape, outcome, end)] = pct
    return out


class BandInputsMixin:
    """18 percentage inputs (3 shapes × 3 outcomes × low/high) laid out as a table by the template, and the
    errors the rules raise on a band, a shape or all bands (``band_errors``)."""

    band_prefix = "band"
    bands_required = True

    def _add_band_fields(self) -> None:
        self.band_errors: dict[str, list[str]] = {}
        for shape in SHAPES:
            for outcome in OUTCOMES:
                for end in ENDS:
                    self.fields[band_name(self.band_prefix, shape, outcome, end)] = _pct_field(
                        shape, outcome, end, required=self.bands_required)

    def band_table(self) -> list[dict]:
        """Rows for the template: per shape, per outcome, the bound low and high inputs."""
        rows = []
        for shape in SHAPES:
            cells = []
            for outcome in OUTCOMES:
                low = self[band_name(self.band_prefix, shape, outcome, "low")]
                high = self[band_name(self.band_prefix, shape, outcome, "high")]
                cells.append({"outcome": outcome, "label": OUTCOME_LABELS[outcome], "low": low, "high": high,
                              "low_label": END_LABELS["low"], "high_label": END_LABELS["high"],
                              "errors": [*low.errors, *high.errors]})
            rows.append({"shape": shape, "label": SHAPE_LABELS[shape], "cells": cells,
                         "errors": self.band_errors.get(shape, []),
                         "cell_errors": [(c["label"], e) for c in cells for e in c["errors"]]})
        return rows

    def shape_filled(self, shape: str) -> bool:
        return any(self.cleaned_data.get(band_name(self.band_prefix, shape, o, e)) is not None
                   for o in OUTCOMES for e in ENDS)

    def bands(self) -> dict[str, dict[str, dict[str, str]]]:
        """The entered bands as JSON shares; a shape with no value at all is left out."""
        out: dict[str, dict[str, dict[str, str]]] = {}
        for shape in SHAPES:
            if not self.shape_filled(shape):
                continue
            per: dict[str, dict[str, str | None]] = {}
            for outcome in OUTCOMES:
                band = {}
                for end in ENDS:
                    value = self.cleaned_data.get(band_name(self.band_prefix, shape, outcome, end))
                    band[end] = pct_to_share(value) if value is not None else None
                per[outcome] = band
            out[shape] = per
        return out

    def add_band_violation(self, path: str, message: str) -> bool:
        """``path`` as the rules name it below "bands": "range.lighter.low", "range.lighter", "range" or ""."""
        parts = path.split(".") if path else []
        if len(parts) >= 2 and parts[0] in SHAPES and parts[1] in OUTCOMES:
            end = parts[2] if len(parts) > 2 and parts[2] in ENDS else "high"  # low > high: shown at the high end
            self.add_error(band_name(self.band_prefix, parts[0], parts[1], end), message)
            return True
        if len(parts) == 1 and parts[0] in SHAPES:
            self.band_errors.setdefault(parts[0], []).append(message)
            return True
        if not parts:
            self.band_errors.setdefault("all", []).append(message)
            return True
        return False

    def has_band_errors(self) -> bool:
        return bool(self.band_errors)


# --- the benchmark ---------------------------------------------------------------------------------------
class BenchmarkForm(BandInputsMixin, forms.Form):
    """A benchmark of the user's agency: its name, dates, basis, bands and parameters. The factor lists are
    two formsets beside it (:func:`factor_formsets`)."""

    name = forms.CharField(label=_("名称"), max_length=128,
                           help_text=_("例如：某县文化市场综合行政执法行政处罚裁量基准（2027年版）"),
                           error_messages={"required": _("请填写名称。"),
                                           "max_length": _("名称不得超过 %(limit_value)d 个字。")})
    effective_from = forms.DateField(label=_("施行日期"), widget=_DATE,
                                     error_messages={**_DATE_ERRORS, "required": _("请填写施行日期。")})
    effective_to = forms.DateField(label=_("失效日期"), required=False, widget=_DATE, error_messages=_DATE_ERRORS,
                                   help_text=_("不填表示长期有效，直至另行制定。"))
    source = forms.CharField(label=_("制定依据"), max_length=255,
                             help_text=_("文件名称和文号，例如：某文旅〔2027〕1号"),
                             error_messages={"required": _("请写明制定依据（文件名称和文号）。"),
                                             "max_length": _("制定依据不得超过 %(limit_value)d 个字。")})
    mitigated_floor = forms.DecimalField(
        label=_("减轻处罚的罚款下限（法定最低罚款的 %）"), min_value=0, max_value=100, max_digits=7, decimal_places=4,
        help_text=_("0 表示减轻处罚时罚款可低至接近零；须小于 100。"),
        error_messages={**_PCT_ERRORS, "required": _("请填写减轻处罚的罚款下限。")},
        widget=forms.NumberInput(attrs={"min": "0", "max": "100", "step": "any", "inputmode": "decimal"}))
    mitigate_threshold = forms.IntegerField(
        label=_("适用减轻处罚所需的从轻、减轻情节数"), min_value=1, max_value=99,
        help_text=_("有这么多个从轻、减轻情节、没有从重情节且其中有减轻的法定理由时，建议减轻处罚；没有法定理由的，最多从轻。"),
        error_messages={k: _("请输入 1 至 99 之间的整数。") for k in ("invalid", "min_value", "max_value", "required")},
        widget=forms.NumberInput(attrs={"min": 1, "max": 99, "step": 1}))
    repeat_window_years = forms.IntegerField(
        label=_("重复违法的统计期间（年）"), min_value=1, max_value=99,
        error_messages={k: _("请输入 1 至 99 之间的整数。") for k in ("invalid", "min_value", "max_value", "required")},
        widget=forms.NumberInput(attrs={"min": 1, "max": 99, "step": 1}))
    repeat_count = forms.IntegerField(
        label=_("期间内受过处罚的次数（达到即为从重情节）"), min_value=1, max_value=99,
        error_messages={k: _("请输入 1 至 99 之间的整数。") for k in ("invalid", "min_value", "max_value", "required")},
        widget=forms.NumberInput(attrs={"min": 1, "max": 99, "step": 1}))
    copy_of = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput,
                                 label=_("复制自"),
                                 error_messages={k: _("复制来源无效。") for k in ("invalid", "min_value", "max_value")})

    PARAMS = ("mitigated_floor", "mitigate_threshold", "repeat_window_years", "repeat_count")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_band_fields()

    @classmethod
    def initial_from(cls, data: dict[str, Any], row=None) -> dict[str, Any]:
        """Initial values from a benchmark's JSON (``benchmark_json`` of a row or ``DEFAULT_BENCHMARK``)."""
        params = data.get("params") if isinstance(data.get("params"), dict) else {}
        floor = share_to_pct(params.get("mitigated_floor", 0))
        initial: dict[str, Any] = {
            "mitigated_floor": floor or "0",
            "mitigate_threshold": params.get("mitigate_threshold", 2),
            "repeat_window_years": params.get("repeat_window_years", 2),
            "repeat_count": params.get("repeat_count", 1),
            **band_initial(cls.band_prefix, data.get("bands")),
        }
        if row is not None:
            initial.update(name=row.name, effective_from=row.effective_from, effective_to=row.effective_to,
                           source=row.source)
        return initial

    def params(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"mitigated_floor": pct_to_share(data["mitigated_floor"]),
                "mitigate_threshold": data["mitigate_threshold"],
                "repeat_window_years": data["repeat_window_years"], "repeat_count": data["repeat_count"]}


# --- aggravating and mitigating factors, one row each ----------------------------------------------------------
_CITATION = re.compile(r"^\s*(《[^》]+》)\s*(.*?)\s*$")
_SOURCES_SPLIT = re.compile(r"[、,，;；\n]+")


def basis_text(basis: Any) -> tuple[str, str]:
    """A factor's stored basis as (citation text, note)."""
    if isinstance(basis, str):
        return basis, ""
    if isinstance(basis, dict):
        source, article, note = (basis.get(k) for k in ("source", "article", "note"))
        return f"{source if isinstance(source, str) else ''}{article if isinstance(article, str) else ''}", \
            note if isinstance(note, str) else ""
    return "", ""


def parse_basis(text: str, note: str) -> dict[str, str] | None:
    """"《出版管理条例》第六十九条" → {"source": "《出版管理条例》", "article": "第六十九条", "note": …}."""
    text = (text or "").strip()
    if not text:
        return None
    match = _CITATION.match(text)
    source, article = (match.group(1), match.group(2)) if match else (text, "")
    return {"source": source, "article": article, "note": (note or "").strip()}


def _one_line(text: str) -> str:
    """A label typed in a two-line box: the line breaks the box made are not part of it."""
    return re.sub(r"\s*\n\s*", "", text or "").strip()


def factor_initial(data: Any) -> list[dict[str, Any]]:
    """Stored factors (JSON list) as the formset's initial rows; odd entries are skipped."""
    rows = []
    for f in data if isinstance(data, list) else []:
        if not isinstance(f, dict):
            continue
        basis, note = basis_text(f.get("basis"))
        sources = f.get("sources") if isinstance(f.get("sources"), list) else []
        rows.append({"code": f.get("code") if isinstance(f.get("code"), str) else "",
                     "label": f.get("label") if isinstance(f.get("label"), str) else "",
                     "basis": basis, "basis_note": note,
                     "sources": "、".join(s for s in sources if isinstance(s, str)),
                     "ground": f.get("ground") is True})
    return rows


class FactorForm(forms.Form):
    """One aggravating factor; a row with nothing filled in is left out (that is how a factor is removed)."""

    code = forms.CharField(label=_("代码"), required=False, max_length=40,
                           error_messages={"max_length": _("代码不得超过 %(limit_value)d 个字符。")},
                           widget=forms.TextInput(attrs={"class": "mono", "autocomplete": "off"}))
    label = forms.CharField(label=pgettext_lazy("benchmark factor", "情节"), required=False, max_length=255,
                            error_messages={"max_length": _("情节不得超过 %(limit_value)d 个字。")},
                            widget=forms.Textarea(attrs={"rows": 2}))
    basis = forms.CharField(label=_("依据"), required=False, max_length=255,
                            error_messages={"max_length": _("依据不得超过 %(limit_value)d 个字。")},
                            widget=forms.Textarea(attrs={"rows": 2}))
    basis_note = forms.CharField(label=_("依据说明"), required=False, max_length=500,
                                 error_messages={"max_length": _("依据说明不得超过 %(limit_value)d 个字。")},
                                 widget=forms.Textarea(attrs={"rows": 2}))
    sources = forms.CharField(label=_("仅适用于（法规名称）"), required=False, max_length=500,
                              error_messages={"max_length": _("法规名称过长。")})

    def clean(self):
        data = super().clean()
        filled = any(data.get(k) for k in self.fields if k != "ground")
        self.blank = not filled
        if filled:
            if not data.get("code"):
                self.add_error("code", _("请填写情节代码（小写英文，如 repeat）；整行清空即删除该情节。"))
            if not data.get("label"):
                self.add_error("label", _("请填写情节的名称。"))
            if data.get("basis_note") and not data.get("basis"):
                self.add_error("basis", _("填写了依据说明的，请写明依据（文件名称和条款）。"))
        return data

    def to_json(self) -> dict[str, Any]:
        data = self.cleaned_data
        sources = [s.strip().strip("《》") for s in _SOURCES_SPLIT.split(data.get("sources") or "") if s.strip()]
        return {"code": data["code"].strip(), "label": _one_line(data["label"]),
                "basis": parse_basis(_one_line(data.get("basis") or ""), _one_line(data.get("basis_note") or "")),
                "ground": bool(data.get("ground")), "sources": sources}


class MitigatingFactorForm(FactorForm):
    """One mitigating factor; a 减轻 ground (法定理由) needs its basis (《行政处罚法》第三十二条第（五）项)."""

    ground = forms.BooleanField(label=_("是减轻的法定理由"), required=False)


_FORMSET_ERRORS = {"too_many_forms": _("情节最多 %(num)d 项。"),
                   "missing_management_form": _("表格数据不完整，请重新打开本页。")}


class _FactorFormSet(forms.BaseFormSet):
    default_error_messages = _FORMSET_ERRORS

    def rows(self) -> list[tuple[int, dict[str, Any]]]:
        """(form index, factor JSON) of every filled-in row, in order."""
        return [(i, f.to_json()) for i, f in enumerate(self.forms)
                if hasattr(f, "cleaned_data") and not getattr(f, "blank", True)]


AggravatingFormSet = forms.formset_factory(FactorForm, formset=_FactorFormSet, extra=3, max_num=MAX_FACTORS,
                                           absolute_max=MAX_FACTORS, validate_max=True)
MitigatingFormSet = forms.formset_factory(MitigatingFactorForm, formset=_FactorFormSet, extra=3,
                                          max_num=MAX_FACTORS, absolute_max=MAX_FACTORS, validate_max=True)


def factor_formsets(data=None, initial: dict[str, Any] | None = None):
    initial = initial or {}
    return (AggravatingFormSet(data, prefix="aggravating", initial=factor_initial(initial.get("aggravating"))),
            MitigatingFormSet(data, prefix="mitigating", initial=factor_initial(initial.get("mitigating"))))


# --- an item's own bands --------------------------------------------------------------------------------------
def _item_code_field() -> forms.CharField:
    return forms.CharField(label=_("事项编码"), max_length=_CODE_MAX,
                           help_text=_("例如 WH-NET-004；可从下拉提示中选择。"),
                           error_messages={"required": _("请填写事项编码。"),
                                           "max_length": _("事项编码不得超过 %(limit_value)d 个字符。")},
                           widget=forms.TextInput(attrs={"class": "mono", "list": "item-codes", "autocomplete": "off"}))


def _clean_item(code: str) -> EnforcementItem:
    code = (code or "").strip().upper()
    item = EnforcementItem.objects.filter(code=code).first() if code else None
    if item is None:
        raise forms.ValidationError(_("没有编码为“%(code)s”的执法事项。"), params={"code": code})
    return item


class ItemBandsForm(BandInputsMixin, forms.Form):
    """A benchmark's own bands and conditions for one item (细化到事项); only the shapes filled in count."""

    band_prefix = "item"
    bands_required = False

    item = _item_code_field()
    conditions = forms.CharField(
        label=_("适用条件（各档次的情形描述）"), required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("例如：从轻——首次被发现、接纳人数 1 人；从重——一年内再次违法或接纳多名未成年人。公开时一并公开。"),
        error_messages={"max_length": _("适用条件不得超过 %(limit_value)d 个字。")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_band_fields()

    def clean_item(self):
        return _clean_item(self.cleaned_data.get("item"))

    def clean(self):
        data = super().clean()
        for shape in SHAPES:
            names = [band_name(self.band_prefix, shape, o, e) for o in OUTCOMES for e in ENDS]
            if any(data.get(n) is not None for n in names):
                for n in names:
                    if data.get(n) is None and n not in self.errors:
                        self.add_error(n, _("请填写该幅度类型三档的上下限，或整行留空。"))
        return data


# --- 免罚清单 ---------------------------------------------------------------------------------------------------
class NoPenaltyForm(forms.Form):
    """A line of the agency's 免罚清单 (《行政处罚法》第三十三条第一款)."""

    item = _item_code_field()
    list_name = forms.CharField(label=_("清单名称"), max_length=128,
                                help_text=_("例如：某县文化市场轻微违法行为免罚清单"),
                                error_messages={"required": _("请填写清单名称。"),
                                                "max_length": _("清单名称不得超过 %(limit_value)d 个字。")})
    conditions = forms.MultipleChoiceField(
        label=_("适用条件（须同时满足）"), required=False, widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("所选适用条件无法识别。")})
    description = forms.CharField(label=_("情形描述"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 3}),
                                  error_messages={"max_length": _("情形描述不得超过 %(limit_value)d 个字。")})
    source = forms.CharField(label=_("出处"), max_length=255,
                             help_text=_("清单文件名称、文号或公开地址。"),
                             error_messages={"required": _("请写明出处（清单文件名称、文号或公开地址）。"),
                                             "max_length": _("出处不得超过 %(limit_value)d 个字。")})
    effective_from = forms.DateField(label=_("施行日期"), widget=_DATE,
                                     error_messages={**_DATE_ERRORS, "required": _("请填写施行日期。")})
    effective_to = forms.DateField(label=_("失效日期"), required=False, widget=_DATE, error_messages=_DATE_ERRORS)

    def __init__(self, *args, conditions: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["conditions"].choices = list(conditions.items())

    def clean_item(self):
        return _clean_item(self.cleaned_data.get("item"))


# --- refusals of the rules on the field they name -----------------------------------------------------------------
_FACTOR_PATH = re.compile(r"^(aggravating|mitigating)(?:\[(\d+)\](?:\.(\w+))?)?")


def _factor_violation(formsets: dict, index_maps: dict, path: str, message: str) -> bool:
    match = _FACTOR_PATH.match(path)
    if not match or match.group(1) not in formsets:
        return False
    name, index, part = match.group(1), match.group(2), match.group(3)
    formset = formsets[name]
    if index is not None and int(index) < len(index_maps.get(name, [])):
        form = formset.forms[index_maps[name][int(index)]]
        field = {"code": "code", "label": "label", "basis": "basis", "ground": "ground",
                 "sources": "sources"}.get(part or "")
        form.add_error(field if field in form.fields else None, message)
    else:
        formset.section_errors = [*getattr(formset, "section_errors", []), message]
    return True


def show_violation(form: forms.Form, exc, *, formsets: dict | None = None, index_maps: dict | None = None,
                   prefix: str = "") -> None:
    """A refusal (RuleViolation) shown next to the input it names; anything else above the form.

    ``prefix`` is stripped first (an item's bands are named ``item_bands.<code>.<shape>…``).
    """
    message = str(exc)
    path = exc.field or ""
    if prefix and path.startswith(prefix):
        path = path[len(prefix):].lstrip(".")
    if isinstance(form, BandInputsMixin):
        if path == "bands" or path.startswith("bands."):
            if form.add_band_violation(path[len("bands."):] if path.startswith("bands.") else "", message):
                return
        elif prefix and path.split(".")[0] in SHAPES and form.add_band_violation(path, message):
            return
    if path.startswith("params."):
        path = path[len("params."):]
    if formsets and _factor_violation(formsets, index_maps or {}, path, message):
        return
    form.add_error(path if path in form.fields and not form.fields[path].widget.is_hidden else None, message)
