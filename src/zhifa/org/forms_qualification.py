"""Forms of the qualification screens (持证上岗、资格管理): filters, certificates, 年审, training.

The forms only parse and check what a field can check on its own or against its neighbours; the
rules that need the database (a duplicate 证号, a revoked certificate, training days within the
span) live in `org.services` and come back as `RuleViolation`, which the view puts on the field.
Every message is Chinese (the source text; English in locale/en) and names the field and the rule
it broke. Messages that name a field take its label as `{label}`; Django fills `%(…)s` itself.
"""

from __future__ import annotations

from datetime import date, datetime

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from zhifa.catalog.models import Domain
from zhifa.web.forms import ModelChoiceField, ModelMultipleChoiceField

from .models import CertificateStatus, ExamResult, TrainingKind, Unit

# The range of dates the screens accept: wide enough for any real record, narrow enough that date
# arithmetic (expiry windows, year ends) never overflows.
MIN_DATE = date(1950, 1, 1)
MAX_DATE = date(2100, 12, 31)

DATE_FORMAT = "%Y-%m-%d"


def _named(message, label):
    """A message naming its field, translated when shown: `{label}` is the field's label."""
    return format_lazy(message, label=label)


def _messages(label, **extra) -> dict:
    msgs = {
        "required": _named(_("请填写{label}。"), label),
        "invalid": _named(_("{label}格式不正确。"), label),
        "max_length": _named(_("{label}不能超过 %(limit_value)d 个字。"), label),
        "invalid_choice": _named(_("{label}的选项“%(value)s”无效，请从列表中选择。"), label),
    }
    msgs.update(extra)
    return msgs


def _date_field(label, *, required: bool = True, help_text="") -> forms.DateField:
    return forms.DateField(
        label=label, required=required, help_text=help_text, input_formats=[DATE_FORMAT],
        widget=forms.DateInput(attrs={"type": "date"}, format=DATE_FORMAT),
        error_messages=_messages(label, invalid=_named(_("{label}格式不正确，请按“年-月-日”填写，例如 2025-03-01。"),
                                                      label)),
    )


def _check_date_range(form: forms.Form, name: str) -> None:
    value = form.cleaned_data.get(name)
    if value is not None and not MIN_DATE <= value <= MAX_DATE:
        label = form.fields[name].label
        form.add_error(name, _("%(label)s应在 %(min)s 至 %(max)s 之间。")
                       % {"label": label, "min": f"{MIN_DATE:%Y-%m-%d}", "max": f"{MAX_DATE:%Y-%m-%d}"})


def _decimal_field(label, *, max_digits: int, required: bool = True, min_value=0, max_value=None,
                   help_text="") -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=required, max_digits=max_digits, decimal_places=1, min_value=min_value,
        max_value=max_value, help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "0.1", "min": str(min_value)}),
        error_messages=_messages(
            label,
            invalid=_named(_("{label}应为数字，例如 8 或 7.5。"), label),
            min_value=_named(_("{label}不能小于 %(limit_value)s。"), label),
            max_value=_named(_("{label}不能大于 %(limit_value)s。"), label),
            max_digits=_named(_("{label}的数值过大（最多 %(max)s 位数字）。"), label),
            max_decimal_places=_named(_("{label}最多保留 %(max)s 位小数。"), label),
            max_whole_digits=_named(_("{label}的整数部分最多 %(max)s 位。"), label),
        ),
    )


def parse_date(raw: str | None) -> tuple[date | None, str | None]:
    """A `?on=` date from a query string: (date, None), (None, None) when empty, or (None, message)."""
    raw = (raw or "").strip()
    if not raw:
        return None, None
    try:
        value = datetime.strptime(raw, DATE_FORMAT).date()
    except ValueError:
        return None, _("查询日期“%(raw)s”无法识别，请按“年-月-日”填写，例如 2025-03-01。") % {"raw": raw}
    if not MIN_DATE <= value <= MAX_DATE:
        return None, _("查询日期应在 %(min)s 至 %(max)s 之间，您填写的是 %(raw)s。") % {
            "min": f"{MIN_DATE:%Y-%m-%d}", "max": f"{MAX_DATE:%Y-%m-%d}", "raw": raw}
    return value, None


# --- roster filters ------------------------------------------------------------------------------
STATUS_FILTERS = [
    ("", _("全部状态")),
    ("ok", _("可以执法")),
    ("warn", _("即将到期或培训不足")),
    ("no", _("暂不得执法")),
]


class RosterFilterForm(forms.Form):
    """The roster's GET filters. An invalid value is reported and ignored, never a 500."""

    q = forms.CharField(label=_("姓名、工号或证号"), required=False, max_length=40,
                        widget=forms.TextInput(attrs={"type": "search", "class": "search"}),
                        error_messages=_messages(_("搜索内容")))
    status = forms.ChoiceField(label=_("状态"), required=False, choices=STATUS_FILTERS,
                               error_messages=_messages(_("状态")))
    unit = ModelChoiceField(
        label=_("内设机构"), required=False, queryset=None, empty_label=_("全部机构"),
        error_messages={"invalid_choice": _("所选内设机构不存在或不在您的查看范围内。")})
    on = _date_field(_("查询日期"), required=False, help_text=_("按该日的资格情况显示，留空为今天"))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = units if units is not None else Unit.objects.none()
        self.fields["unit"].queryset = units.select_related("agency")
        # Name each unit with its agency when the user sees more than one agency.
        many = units.order_by().values("agency_id").distinct().count() > 1
        self.fields["unit"].label_from_instance = lambda u: (
            f"{u.agency.short_name or u.agency.name} · {u.name}" if many else u.name)

    def clean_on(self):
        _check_date_range(self, "on")
        return self.cleaned_data.get("on")


# --- certificates ----------------------------------------------------------------------------------
class CertificateForm(forms.Form):
    number = forms.CharField(label=_("证号"), max_length=40, error_messages=_messages(_("证号")))
    issuing_authority = forms.CharField(label=_("发证机关"), max_length=100, help_text=_("例如：某某省人民政府"),
                                        error_messages=_messages(_("发证机关")))
    domains = ModelMultipleChoiceField(
        label=_("执法领域"), queryset=Domain.objects.all(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "choices"}),
        error_messages={
            "required": _("请至少选择一个执法领域（执法证载明的执法类别）。"),
            "invalid_choice": _("执法领域“%(value)s”不存在，请从列表中选择。"),
            "invalid_pk_value": _("执法领域“%(pk)s”无效。"),
        })
    issued_on = _date_field(_("发证日期"))
    valid_until = _date_field(_("有效期至"))

    def clean(self):
        cleaned = super().clean()
        for name in ("issued_on", "valid_until"):
            _check_date_range(self, name)
        issued, until = cleaned.get("issued_on"), cleaned.get("valid_until")
        if issued and until and until < issued and "valid_until" not in self.errors:
            self.add_error("valid_until",
                           _("有效期至（%(until)s）不能早于发证日期（%(issued)s）。")
                           % {"until": f"{until:%Y-%m-%d}", "issued": f"{issued:%Y-%m-%d}"})
        return cleaned


class CertificateStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("变更为"), choices=[
            (CertificateStatus.SUSPENDED.value, _("暂扣")),
            (CertificateStatus.VALID.value, _("有效（恢复使用）")),
            (CertificateStatus.REVOKED.value, _("注销")),
            (CertificateStatus.EXPIRED.value, _("过期")),
        ],
        error_messages=_messages(_("证件状态")))
    effective_on = _date_field(_("生效日期"))
    reason = forms.CharField(label=_("原因"), max_length=200,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("例如：涉嫌违纪，暂扣执法证；处分期满，恢复使用"),
                             error_messages=_messages(
                                 _("原因"), required=_("请填写原因：变更执法证状态须写明原因。")))

    def __init__(self, *args, certificate=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.certificate = certificate

    def clean(self):
        cleaned = super().clean()
        _check_date_range(self, "effective_on")
        on = cleaned.get("effective_on")
        cert = self.certificate
        if cert is not None and on is not None and on < cert.issued_on and "effective_on" not in self.errors:
            self.add_error("effective_on",
                           _("生效日期（%(on)s）不能早于该证的发证日期（%(issued)s）。")
                           % {"on": f"{on:%Y-%m-%d}", "issued": f"{cert.issued_on:%Y-%m-%d}"})
        return cleaned


class AnnualReviewForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=MIN_DATE.year, max_value=MAX_DATE.year,
                              error_messages=_messages(_("年度"), invalid=_("年度应为四位数字，例如 2025。"),
                                                       min_value=_("年度不能早于 %(limit_value)s 年。"),
                                                       max_value=_("年度不能晚于 %(limit_value)s 年。")))
    reviewed_on = _date_field(_("审验日期"))
    passed = forms.TypedChoiceField(label=_("审验结论"), choices=[("1", _("合格")), ("0", _("不合格"))],
                                    coerce=lambda v: v == "1", initial="1", widget=forms.RadioSelect,
                                    error_messages=_messages(_("审验结论")))
    note = forms.CharField(label=_("备注"), max_length=200, required=False, error_messages=_messages(_("备注")))

    def clean(self):
        cleaned = super().clean()
        _check_date_range(self, "reviewed_on")
        year, on = cleaned.get("year"), cleaned.get("reviewed_on")
        if year and on and year > on.year and "year" not in self.errors:
            self.add_error("year", _("年度（%(year)s）不能晚于审验日期所在年度（%(on_year)s）："
                                     "年审只能审验已开始的年度。") % {"year": year, "on_year": on.year})
        return cleaned


# --- training ---------------------------------------------------------------------------------------
class TrainingForm(forms.Form):
    kind = forms.ChoiceField(label=_("培训类别"), choices=TrainingKind.choices,
                             error_messages=_messages(_("培训类别")))
    title = forms.CharField(label=_("培训名称"), max_length=100, error_messages=_messages(_("培训名称")))
    organiser = forms.CharField(label=_("组织单位"), max_length=100, required=False,
                                error_messages=_messages(_("组织单位")))
    start_on = _date_field(_("开始日期"))
    end_on = _date_field(_("结束日期"))
    hours = _decimal_field(_("学时"), max_digits=6, max_value=10000)
    days = _decimal_field(_("培训天数"), max_digits=5, required=False, max_value=1000,
                          help_text=_("可留空：按开始至结束日期间的工作日（周一至周五）计算"))
    exam_result = forms.ChoiceField(label=_("考试结果"), choices=ExamResult.choices, initial=ExamResult.NONE,
                                    error_messages=_messages(_("考试结果")),
                                    help_text=_("考试不合格的培训不计入培训要求"))
    exam_score = _decimal_field(_("考试成绩"), max_digits=5, required=False, max_value=1000)
    for_year = forms.IntegerField(label=_("计入年度"), required=False, min_value=1950, max_value=2100,
                                  help_text=_("补训时填写所补的年度（结束日期所在年度的上一年度）；留空计入结束日期所在年度"),
                                  error_messages=_messages(_("计入年度")))

    def clean(self):
        cleaned = super().clean()
        for name in ("start_on", "end_on"):
            _check_date_range(self, name)
        start, end = cleaned.get("start_on"), cleaned.get("end_on")
        if start and end and end < start and "end_on" not in self.errors:
            self.add_error("end_on", _("结束日期（%(end)s）不能早于开始日期（%(start)s）。")
                           % {"end": f"{end:%Y-%m-%d}", "start": f"{start:%Y-%m-%d}"})
        if cleaned.get("exam_score") is not None and cleaned.get("exam_result") == ExamResult.NONE:
            self.add_error("exam_result", _("填写了考试成绩时，请选择考试结果（合格或不合格）。"))
        return cleaned
