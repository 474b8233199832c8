"""Forms of the parties app: they parse and show input; the rules live in `services` (which write).

Every message is Chinese (the source text; English in locale/en) and names the field, so an officer
can tell what to fix without guessing.
"""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import BusinessType, IdType, Licence, LicenceKind, LicenceStatus, Party, PartyKind, Premises
from .services import EXPIRING_DAYS, LICENCE_FILTERS, expiry_window


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ChineseMessagesForm(forms.Form):
    """Gives every field messages that name it: "请填写许可证编号", "有效期自格式不正确…"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            label = f.label
            choose = isinstance(f, forms.ChoiceField)

            def named(message: str, label=label) -> str:
                return message.format(label=label)

            f.error_messages.update({
                "required": named(gettext("请选择{label}")) if choose else named(gettext("请填写{label}")),
                "invalid_choice": named(gettext("{label}的选项无效，请从列表中选择")),
                "max_length": named(gettext("{label}不能超过 %(limit_value)d 个字符（现为 %(show_value)d 个）")),
                "null_characters_not_allowed": named(gettext("{label}含有不允许的控制字符")),
            })
            if isinstance(f, forms.DateField):
                f.error_messages["invalid"] = named(gettext("{label}格式不正确，应为 年-月-日，例如 2024-01-31"))
            elif isinstance(f, forms.DecimalField):
                f.error_messages.update({
                    "invalid": named(gettext("{label}应为数字")),
                    "max_digits": named(gettext("{label}的数字过长")),
                    "max_decimal_places": named(gettext("{label}最多保留 %(max)s 位小数")),
                    "max_whole_digits": named(gettext("{label}的整数部分过长")),
                    "min_value": named(gettext("{label}不能小于 %(limit_value)s")),
                })
            elif isinstance(f, forms.IntegerField):
                f.error_messages.update({
                    "invalid": named(gettext("{label}应为整数")),
                    "min_value": named(gettext("{label}不能小于 %(limit_value)s")),
                    "max_value": named(gettext("{label}不能大于 %(limit_value)s")),
                })


def _model_field(model, name: str, **kw) -> forms.Field:
    field = model._meta.get_field(name).formfield(**kw)
    if isinstance(field, forms.CharField) and not isinstance(field, forms.ChoiceField):
        field.strip = True
    return field


class PartyForm(ChineseMessagesForm):
    kind = forms.ChoiceField(label=_("类型"), choices=PartyKind.choices, widget=forms.RadioSelect)
    name = _model_field(Party, "name", label=_("姓名/名称"))
    id_type = forms.ChoiceField(label=_("证件类型"), choices=[("", "—"), *IdType.choices], required=False)
    id_number = _model_field(Party, "id_number",
                             help_text=_("居民身份证为 18 位，末位可为 X，保存时按 GB 11643-1999 校验"))
    birth_date = forms.DateField(label=_("出生日期"), required=False, widget=_date_widget(),
                                 help_text=_("居民身份证：由号码得出，可不填；其他证件：建议按证件填写，"
                                             "用于判断违法时是否已满十四周岁、十八周岁"))
    credit_code = _model_field(Party, "credit_code",
                               help_text=_("18 位，法人或其他组织、个体工商户必填，保存时按 GB 32100-2015 校验"))
    representative = _model_field(Party, "representative",
                                  help_text=_("法人或其他组织填法定代表人或负责人；个体工商户填经营者"))
    representative_id_number = _model_field(Party, "representative_id_number",
                                            help_text=_("可不填；填写的按居民身份证号码校验"))
    address = _model_field(Party, "address")
    phone = _model_field(Party, "phone")
    note = _model_field(Party, "note")
    is_active = forms.BooleanField(label=_("有效"), required=False, help_text=_("不再经营或已注销的当事人取消勾选"))

    person_fields = ("id_type", "id_number", "birth_date")
    organisation_fields = ("credit_code", "representative", "representative_id_number")
    contact_fields = ("address", "phone", "note", "is_active")

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # The credit-code field takes 18 characters, but a pasted code with spaces is cleaned by
        # the service; let it through so the message names the real problem.
        self.fields["credit_code"].max_length = 40
        self.fields["credit_code"].validators = []
        self.fields["credit_code"].widget.attrs.update(maxlength="40", autocomplete="off")
        for name in ("id_number", "representative_id_number"):
            self.fields[name].widget.attrs["autocomplete"] = "off"
        if not editing:
            del self.fields["is_active"]
            self.contact_fields = ("address", "phone", "note")

    def group(self, names):
        return [self[n] for n in names if n in self.fields]

    def groups(self):
        # The last item names the party kinds a group is for; the page hides the others (zhifa.js).
        return [(_("基本信息"), "", self.group(("kind", "name")), ""),
                (_("自然人证件"), _("类型为自然人时填写"), self.group(self.person_fields), "person"),
                (_("单位信息"), _("类型为法人或其他组织、个体工商户时填写"), self.group(self.organisation_fields),
                 "organisation individual"),
                (_("联系信息"), "", self.group(self.contact_fields), "")]


class PremisesForm(ChineseMessagesForm):
    name = _model_field(Premises, "name")
    business_type = forms.ChoiceField(label=_("经营类别"), choices=[("", "—"), *BusinessType.choices])
    address = _model_field(Premises, "address")
    area_m2 = forms.DecimalField(label=_("营业面积（平方米）"), required=False, max_digits=9, decimal_places=2,
                                 min_value=0)
    capacity = forms.IntegerField(label=_("核定人数/终端数"), required=False, min_value=0, max_value=1_000_000,
                                  help_text=_("网吧填终端（计算机）台数，歌舞娱乐场所填核定人数"))
    is_active = forms.BooleanField(label=_("在营"), required=False)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["is_active"]


class LicenceForm(ChineseMessagesForm):
    kind = forms.ChoiceField(label=_("许可证类别"), choices=[("", "—"), *LicenceKind.choices])
    number = _model_field(Licence, "number")
    premises = forms.ChoiceField(label=_("经营场所"), required=False)
    scope = _model_field(Licence, "scope")
    issued_by = _model_field(Licence, "issued_by")
    valid_from = forms.DateField(label=_("有效期自"), widget=_date_widget())
    valid_until = forms.DateField(label=_("有效期至"), required=False, widget=_date_widget())
    status = forms.ChoiceField(label=_("状态"), choices=LicenceStatus.choices, initial=LicenceStatus.VALID,
                               help_text=_("是否过期按有效期自动判断；暂停、吊销、注销须填写状态说明"))
    status_reason = _model_field(Licence, "status_reason")

    def __init__(self, *args, party: Party, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["valid_until"].help_text = format_lazy(_("长期有效的留空；{days} 天内到期的将提示“即将到期”"),
                                                           days=expiry_window(party.agency))
        self.fields["premises"].choices = [("", gettext("—（不指定）"))] + [
            (str(p.pk), gettext("%(name)s（%(business_type)s）")
             % {"name": p.name, "business_type": p.get_business_type_display()}) for p in party.premises.all()]


# Translatable names of services.LICENCE_FILTERS (whose own names are Chinese only).
def licence_filter_labels(window: int) -> dict:
    return {"valid": _("有效"), "expiring": format_lazy(_("即将到期（{days} 天内）"), days=window),
            "expired": _("已过期")}


class PartyFilterForm(forms.Form):
    """The list page's search box and filters; an invalid value is ignored, never an error page."""

    q = forms.CharField(label=_("搜索"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "class": "search",
                                                      "placeholder": _("名称、统一社会信用代码或完整证件号码")}))
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部")), *PartyKind.choices])
    business_type = forms.ChoiceField(label=_("经营类别"), required=False,
                                      choices=[("", _("全部")), *BusinessType.choices])
    licence = forms.ChoiceField(label=_("许可证状态"), required=False)

    def __init__(self, *args, window: int = EXPIRING_DAYS, **kwargs):
        super().__init__(*args, **kwargs)
        labels = licence_filter_labels(window)
        self.fields["licence"].choices = [("", _("全部")),
                                          *((k, labels.get(k, v)) for k, v in LICENCE_FILTERS.items())]

    def values(self) -> dict[str, str]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {k: data.get(k) or "" for k in self.fields}
