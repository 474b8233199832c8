"""Forms of the catalog screens. They check shapes and types; the services and rules check the law.

Labels and messages are Chinese source texts (translated in locale/*/django.po); every error names
its field.
"""

from __future__ import annotations

import json

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhifa.law.clocks import CLOCKS
from zhifa.law.clocks import Unit as ClockUnit

from .calendar_admin import FIRST_YEAR, LAST_YEAR, NAME_MAX, NOTE_MAX

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_DATE_ERRORS = {"invalid": _("请输入有效日期，例如 2026-01-01。")}


def _year_field(**kw) -> forms.IntegerField:
    message = format_lazy(_("年份应为 {first} 至 {last} 之间的四位数字。"), first=FIRST_YEAR, last=LAST_YEAR)
    return forms.IntegerField(
        label=_("年份"), min_value=FIRST_YEAR, max_value=LAST_YEAR,
        error_messages={"invalid": message, "min_value": message, "max_value": message,
                        "required": _("请填写年份。")},
        **{"widget": forms.NumberInput(attrs={"min": FIRST_YEAR, "max": LAST_YEAR, "step": 1}), **kw})


# --- the holiday calendar ---------------------------------------------------------------------------
DAY_KINDS = [("holiday", _("法定节假日/休息日")), ("workday", _("调休上班日"))]


class YearPickForm(forms.Form):
    year = _year_field()


class CalendarDayForm(forms.Form):
    """A rest day or an adjusted working day. On the edit page the date is fixed (it is the key)."""

    date = forms.DateField(label=_("日期"), widget=_DATE,
                           error_messages={**_DATE_ERRORS, "required": _("请填写日期。")})
    kind = forms.ChoiceField(label=_("类型"), choices=DAY_KINDS, widget=forms.RadioSelect,
                             error_messages={"required": _("请选择类型。"),
                                             "invalid_choice": _("类型只能是“法定节假日/休息日”或“调休上班日”。")})
    name = forms.CharField(label=_("名称"), required=False, max_length=NAME_MAX,
                           help_text=_("例如：国庆节、春节"),
                           error_messages={"max_length": _("名称不得超过 %(limit_value)d 个字。")})
    note = forms.CharField(label=_("说明"), required=False, max_length=NOTE_MAX,
                           help_text=_("例如：依据国务院办公厅关于 2027 年部分节假日安排的通知"),
                           error_messages={"max_length": _("说明不得超过 %(limit_value)d 个字。")})

    def __init__(self, *args, fixed_date=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_date = fixed_date
        if fixed_date is not None:
            del self.fields["date"]

    def day(self):
        return self.fixed_date if self.fixed_date is not None else self.cleaned_data["date"]


class CalendarYearForm(forms.Form):
    year = _year_field(widget=forms.HiddenInput)
    complete = forms.ChoiceField(label=_("数据状态"), widget=forms.RadioSelect,
                                 choices=[("1", _("完整：期限计算按本年节假日安排")),
                                          ("0", _("不完整：期限计算按仅排除周末推算并附警告"))],
                                 error_messages={"required": _("请选择数据状态。"),
                                                 "invalid_choice": _("请选择数据状态。")})
    note = forms.CharField(label=_("说明"), required=False, max_length=NOTE_MAX,
                           error_messages={"max_length": _("说明不得超过 %(limit_value)d 个字。")})


def _clock_choices():
    return [(c.code, _("%(name)s（%(length)s%(unit)s）") % {"name": c.name, "length": c.length,
                                                           "unit": _unit_word(c.unit)})
            for c in CLOCKS.values() if c.unit is not ClockUnit.HOURS]


def _unit_word(unit) -> str:
    return {ClockUnit.WORKING_DAYS: _("个工作日"), ClockUnit.CALENDAR_DAYS: _("日"),
            ClockUnit.MONTHS: _("个月"), ClockUnit.YEARS: _("年")}[unit]


class DeadlineTryForm(forms.Form):
    """Try a deadline against the calendar as it stands (to see a change take effect)."""

    clock = forms.ChoiceField(label=_("期限"), choices=_clock_choices,
                              error_messages={"invalid_choice": _("没有这个期限类型。"),
                                              "required": _("请选择期限。")})
    start = forms.DateField(label=_("起算日"), widget=_DATE,
                            error_messages={**_DATE_ERRORS, "required": _("请填写起算日。")})

    def clean_start(self):
        start = self.cleaned_data["start"]
        if not FIRST_YEAR <= start.year <= LAST_YEAR:
            raise forms.ValidationError(_("起算日应在 %(first)s 年至 %(last)s 年之间。")
                                        % {"first": FIRST_YEAR, "last": LAST_YEAR})
        return start


# --- the catalog browser ------------------------------------------------------------------------------
STATUS_CHOICES = [("active", _("在用")), ("suspended", _("暂停适用")), ("repealed", _("已废止"))]


class ItemFilterForm(forms.Form):
    """The catalog's search box and filters; an invalid value is ignored, never an error page."""

    q = forms.CharField(label=_("搜索"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "class": "search",
                                                      "placeholder": _("事项名称、编码或法律依据条款")}))
    domain = forms.ChoiceField(label=_("执法领域"), required=False)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部")), *STATUS_CHOICES])

    def __init__(self, *args, **kwargs):
        from .models import Domain

        super().__init__(*args, **kwargs)
        self.fields["domain"].choices = [("", _("全部")),
                                         *Domain.objects.order_by("sort", "code").values_list("code", "name")]

    def values(self) -> dict[str, str]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {k: data.get(k) or "" for k in self.fields}


# --- the discretion calculator -------------------------------------------------------------------------
_AMOUNT = {"max_digits": 15, "decimal_places": 2, "min_value": 0, "required": False,
           "error_messages": {"invalid": _("请输入以元为单位的金额，例如 12000 或 12000.50。"),
                              "min_value": _("金额不能为负数。"),
                              "max_digits": _("金额过大，请核对。"),
                              "max_whole_digits": _("金额过大，请核对。"),
                              "max_decimal_places": _("金额最多精确到分（两位小数）。")},
           "widget": forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"})}

# Form field → the key zhifa.law.discretion.parse_facts reads.
AMOUNT_FIELDS = {"turnover": "违法经营额", "gains": "违法所得", "goods_value": "货值金额"}
FLAG_FIELDS = ("first_violation", "corrected_promptly", "minor_violation", "no_fault", "coerced",
               "confessed_unknown", "merit", "eliminated_harm", "serious")
# A refusal's field (as parse_facts / assess / statutory_range name it) → the form field it belongs to.
FACT_FIELD_ALIASES = {"age": "birth_date", "amounts": "turnover", "illegal_turnover": "turnover",
                      "illegal_gains": "gains", **{v: k for k, v in AMOUNT_FIELDS.items()},
                      **{f"prior_penalties_by_kind.{k}": f"prior_{k}" for k in ("any", "warning_or_fine",
                                                                                 "suspend_business", "named")},
                      "prior_penalties_by_kind": "prior_any"}

_COUNT = {"min_value": 0, "max_value": 99, "required": False,
          "error_messages": {"invalid": _("请输入 0 至 99 之间的整数。"), "min_value": _("请输入 0 至 99 之间的整数。"),
                             "max_value": _("请输入 0 至 99 之间的整数。")},
          "widget": forms.NumberInput(attrs={"min": 0, "max": 99, "step": 1})}
# The statutory repeat-offence escalations (《娱乐场所管理条例》第五十三条第三款、《营业性演出管理条例》第五十三条
# 第三款、第四十七条第一款) count earlier penalties by kind within their own window (two years).
PRIOR_FIELDS = {
    "prior_any": ("any", _("两年内受到行政处罚的次数")),
    "prior_warning_or_fine": ("warning_or_fine", _("两年内被处以警告或者罚款的次数")),
    "prior_suspend_business": ("suspend_business", _("两年内被责令停业整顿的次数")),
    "prior_named": ("named", _("两年内被向社会公布的次数")),
}


class FactsForm(forms.Form):
    """The facts of one violation for the discretion calculator (《行政处罚法》第五条、第二十九条至第三十四条).

    It checks types only; ``zhifa.law.discretion`` checks the facts and refuses contradictions by field.
    """

    party = forms.ChoiceField(label=_("当事人类型"), widget=forms.RadioSelect, initial="organisation",
                              choices=[("organisation", _("法人或者其他组织")), ("person", _("自然人"))],
                              error_messages={"required": _("请选择当事人类型。"),
                                              "invalid_choice": _("请选择当事人类型。")})
    act_date = forms.DateField(label=_("违法行为发生日期"), required=False, widget=_DATE,
                               error_messages=_DATE_ERRORS,
                               help_text=_("年龄按违法行为发生之日计算（《行政处罚法》第三十条）。"))
    birth_date = forms.DateField(label=_("出生日期（自然人）"), required=False, widget=_DATE,
                                 error_messages=_DATE_ERRORS,
                                 help_text=_("仅当事人为自然人时填写。"))
    turnover = forms.DecimalField(label=_("违法经营额（元）"), **_AMOUNT)
    gains = forms.DecimalField(label=_("违法所得（元）"), **_AMOUNT)
    goods_value = forms.DecimalField(label=_("货值金额（元）"), **_AMOUNT)
    first_violation = forms.BooleanField(label=_("初次违法"), required=False)
    corrected_promptly = forms.BooleanField(label=_("及时改正"), required=False)
    minor_violation = forms.BooleanField(label=_("违法行为轻微"), required=False)
    harm = forms.ChoiceField(label=_("危害后果"), initial="ordinary",
                             choices=[("none", _("没有造成危害后果")), ("minor", _("危害后果轻微")),
                                      ("ordinary", _("造成一般危害后果")), ("serious", _("危害后果严重"))],
                             error_messages={"invalid_choice": _("请选择危害后果。"),
                                             "required": _("请选择危害后果。")})
    no_fault = forms.BooleanField(label=_("有证据足以证明没有主观过错"), required=False)
    mental_state = forms.ChoiceField(label=_("精神状态（自然人）"), initial="normal",
                                     choices=[("normal", _("正常")),
                                              ("incapable", _("不能辨认或者不能控制自己行为")),
                                              ("partial", _("尚未完全丧失辨认或者控制能力")),
                                              ("lucid_intermittent", _("间歇性精神病人在精神正常时"))],
                                     error_messages={"invalid_choice": _("请选择精神状态。"),
                                                     "required": _("请选择精神状态。")})
    coerced = forms.BooleanField(label=_("受他人胁迫或者诱骗实施违法行为"), required=False)
    confessed_unknown = forms.BooleanField(label=_("主动供述行政机关尚未掌握的违法行为"), required=False)
    merit = forms.BooleanField(label=_("配合行政机关查处违法行为有立功表现"), required=False)
    eliminated_harm = forms.BooleanField(label=_("主动消除或者减轻违法行为危害后果"), required=False)
    prior_penalties_in_window = forms.IntegerField(
        label=_("期间内因同类违法行为已受处罚次数"), min_value=0, max_value=99, initial=0, required=False,
        error_messages={"invalid": _("请输入 0 至 99 之间的整数。"), "min_value": _("请输入 0 至 99 之间的整数。"),
                        "max_value": _("请输入 0 至 99 之间的整数。")},
        widget=forms.NumberInput(attrs={"min": 0, "max": 99, "step": 1}))
    serious = forms.BooleanField(label=_("情节严重或者拒不改正"), required=False)
    aggravating = forms.MultipleChoiceField(label=_("从重情节"), required=False, widget=forms.CheckboxSelectMultiple,
                                            error_messages={"invalid_choice": _("所选从重情节不在本裁量基准中。")})
    mitigating = forms.MultipleChoiceField(label=_("从轻、减轻情节"), required=False,
                                           widget=forms.CheckboxSelectMultiple,
                                           error_messages={"invalid_choice": _("所选从轻、减轻情节不在本裁量基准中。")})

    def __init__(self, *args, aggravating=(), mitigating=(), prior_kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Only the counts the item's own escalations need (e.g. 娱乐场所: 警告或者罚款、停业整顿).
        for name, (code, label) in PRIOR_FIELDS.items():
            if code in prior_kinds:
                self.fields[name] = forms.IntegerField(label=label, **_COUNT)
        self.fields["aggravating"].choices = [(f.code, f.label) for f in aggravating]
        self.fields["mitigating"].choices = [(f.code, f.label) for f in mitigating]
        if not mitigating:
            del self.fields["mitigating"]
        if not aggravating:
            del self.fields["aggravating"]

    def facts(self) -> dict:
        """The facts as ``parse_facts`` reads them (JSON types)."""
        data = self.cleaned_data
        facts: dict = {"party": data["party"], "harm": data["harm"], "mental_state": data["mental_state"],
                       "prior_penalties_in_window": data.get("prior_penalties_in_window") or 0}
        for name in ("act_date", "birth_date"):
            if data.get(name):
                facts[name] = data[name].isoformat()
        amounts = {key: str(data[name]) for name, key in AMOUNT_FIELDS.items() if data.get(name) is not None}
        if amounts:
            facts["amounts"] = amounts
        for name in FLAG_FIELDS:
            facts[name] = bool(data.get(name))
        for name in ("aggravating", "mitigating"):
            if name in self.fields:
                facts[name] = list(data.get(name) or [])
        counts = {code: data.get(name) or 0 for name, (code, _label) in PRIOR_FIELDS.items() if name in self.fields}
        if counts:
            # "any" covers every earlier penalty: at least each count by kind (the rule refuses less).
            counts["any"] = max([counts.get("any", 0), counts.get("warning_or_fine", 0),
                                 counts.get("suspend_business", 0), facts["prior_penalties_in_window"]])
            facts["prior_penalties_by_kind"] = counts
        return facts

    def prior_fields(self):
        return [self[name] for name in PRIOR_FIELDS if name in self.fields]

    def add_violation(self, exc) -> None:
        """Show a rule's refusal on the field it names (the facts' own names mapped onto this form)."""
        field = FACT_FIELD_ALIASES.get(exc.field, exc.field)
        self.add_error(field if field in self.fields else None, str(exc))


# --- adjusting the 权责清单 ------------------------------------------------------------------------------
ACTION_CHOICES = [("update", _("调整内容")), ("suspend", pgettext_lazy("change action", "暂停适用")),
                  ("repeal", _("废止")), ("restore", _("恢复适用"))]
MODES = ("mandatory", "optional", "serious")


def _kind_choices():
    from zhifa.law.penalties import KIND_LABELS, PenaltyKind

    # 行政拘留 is not offered: only 公安机关 impose it (《行政处罚法》第十八条第三款).
    return [(k.value, KIND_LABELS[k]) for k in PenaltyKind if k is not PenaltyKind.DETENTION]


def _kinds_field(label) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(label=label, required=False, choices=_kind_choices,
                                     widget=forms.CheckboxSelectMultiple,
                                     error_messages={"invalid_choice": _("所选处罚种类无法识别。")})


class ProposeChangeForm(forms.Form):
    """A proposed adjustment of one item. The service checks every field against the law."""

    action = forms.ChoiceField(label=_("调整类型"), choices=ACTION_CHOICES, widget=forms.RadioSelect,
                               initial="update",
                               error_messages={"required": _("请选择调整类型。"),
                                               "invalid_choice": _("请选择调整类型。")})
    name = forms.CharField(label=_("事项名称"), max_length=255, required=False,
                           error_messages={"max_length": _("事项名称不得超过 %(limit_value)d 个字。")})
    kinds_mandatory = _kinds_field(_("应当给予的处罚"))
    kinds_optional = _kinds_field(_("可以并处的处罚"))
    kinds_serious = _kinds_field(_("情节严重时的处罚"))
    fine_rule = forms.CharField(
        label=_("罚款规则（JSON）"), required=False, widget=forms.Textarea(attrs={"rows": 6, "class": "mono"}),
        help_text=_('例如 {"type": "range", "min": 10000, "max": 50000}；'
                    '{"type": "multiple", "base": "违法所得", "multiple_min": 1, "multiple_max": 3}；'
                    "无罚款的留空。"))
    notes = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                            max_length=20000, error_messages={"max_length": _("说明过长。")})
    reason = forms.CharField(label=_("调整理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
                             error_messages={"required": _("请写明调整理由。"), "max_length": _("调整理由过长。")})
    basis = forms.CharField(label=_("调整依据"), required=False, max_length=255,
                            help_text=_("文件名称、文号或条款，例如：国务院关于修改和废止部分行政法规的决定"),
                            error_messages={"max_length": _("调整依据不得超过 %(limit_value)d 个字。")})

    def __init__(self, *args, item, **kwargs):
        self.item = item
        kinds = [k for k in item.kinds or [] if isinstance(k, dict)]
        initial = {
            "action": "update", "name": item.name, "notes": item.notes,
            "fine_rule": json.dumps(item.fine_rule, ensure_ascii=False) if item.fine_rule is not None else "",
            **{f"kinds_{m}": [k.get("kind") for k in kinds if (k.get("mode") or "mandatory") == m] for m in MODES},
        }
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)

    def clean_fine_rule(self):
        text = (self.cleaned_data.get("fine_rule") or "").strip()
        if not text:
            return None
        try:
            value = json.loads(text)
        except ValueError:
            raise forms.ValidationError(_("罚款规则不是有效的 JSON，请检查括号、引号和逗号。")) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_("罚款规则应为 JSON 对象（以 { 开头）。"))
        return value

    def kinds(self) -> list[dict]:
        """The chosen kinds, the item's existing order and notes kept where a kind and mode are unchanged."""
        chosen = [(k, m) for m in MODES for k in self.cleaned_data.get(f"kinds_{m}") or []]
        existing = [k for k in self.item.kinds or [] if isinstance(k, dict)]
        out = []
        for k in existing:
            key = (k.get("kind"), k.get("mode") or "mandatory")
            if key in chosen and not any((o["kind"], o["mode"]) == key for o in out):
                out.append({**k, "mode": key[1], "note": k.get("note") or ""})  # unchanged: kept as stored
        for kind, mode in chosen:
            if not any((o["kind"], o["mode"]) == (kind, mode) for o in out):
                out.append({"kind": kind, "mode": mode, "note": ""})
        return out

    def proposed(self) -> dict:
        """What changes, in the form ``services.propose_change`` takes (only for "调整内容")."""
        if self.cleaned_data["action"] != "update":
            return {}
        data = self.cleaned_data
        return {"name": data["name"], "kinds": self.kinds(), "fine_rule": data["fine_rule"], "notes": data["notes"]}


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("审批意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=5000, error_messages={"max_length": _("审批意见过长。")},
                           help_text=_("驳回时须写明理由。"))


class ReviewForm(forms.Form):
    note = forms.CharField(label=_("审查意见"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
                           help_text=_("例如：新版本未改动本条罚则，事项内容无需调整。"),
                           error_messages={"required": _("请写明审查意见。"), "max_length": _("审查意见过长。")})
