"""Forms of the org app. Labels and messages are Chinese source texts (translated in
locale/*/django.po); every error names its field."""

import json
import re
from decimal import Decimal

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhifa.law.penalties import KIND_LABELS, PenaltyKind
from zhifa.web.forms import ModelChoiceField, ModelMultipleChoiceField

_KIND_CODES = frozenset(k.value for k in PenaltyKind)


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确。连续 %(limit)s 次失败将锁定账户。"),
        "inactive": _("该账户已停用，请联系系统管理员。"),
    }
    lockout_message = ""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        # AuthenticationForm sets max_length after the field is built, so no validator checks it.
        self.fields["username"].validators.append(MaxLengthValidator(150))
        self.fields["username"].label = _("用户名")
        self.fields["password"].label = _("密码")

    def get_invalid_login_error(self):
        from django.conf import settings

        return forms.ValidationError(self.error_messages["invalid_login"] % {"limit": settings.AXES_FAILURE_LIMIT},
                                     code="invalid_login")


class TokenForm(forms.Form):
    token = forms.CharField(label=_("动态验证码"), min_length=6, max_length=6,
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                          "pattern": "[0-9]{6}", "autofocus": True}),
                            error_messages={"required": _("请输入 6 位动态验证码。"),
                                            "min_length": _("动态验证码为 6 位数字。"),
                                            "max_length": _("动态验证码为 6 位数字。")})

    def clean_token(self):
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError(_("动态验证码为 6 位数字。"))
        return token


# --- administration forms -------------------------------------------------------------------
# Plain forms: they check shapes and types; the services check the rules and make the change.
_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_PHONE_RX = re.compile(r"^[0-9+\-() ]*$")


def add_violation(form: forms.Form, exc) -> None:
    """Show a service's refusal (RuleViolation) on the field it names, else above the form."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc))


def _required(message) -> dict:
    return {"required": message}


class PersonForm(forms.Form):
    """A person's particulars (系统管理员). On create it also takes the initial password."""

    agency = ModelChoiceField(label=_("所属机关"), queryset=None, empty_label=None,
                                    error_messages={"required": _("请选择所属机关。"),
                                                    "invalid_choice": _("所选机关不在您的管理范围内。")})
    username = forms.CharField(label=_("用户名"), max_length=150, error_messages=_required(_("请填写用户名。")),
                               help_text=_("登录用，字母、数字和 @ . + - _；"
                                           "登录时区分大小写，但不得与他人的用户名仅大小写不同。"))
    full_name = forms.CharField(label=_("姓名"), max_length=40, error_messages=_required(_("请填写姓名。")))
    unit = ModelChoiceField(label=_("内设机构"), queryset=None, required=False, empty_label=_("（未分配）"),
                                  error_messages={"invalid_choice": _("所选内设机构不在您的管理范围内。")})
    position = forms.CharField(label=_("职务"), max_length=40, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}))
    employee_no = forms.CharField(label=_("工号"), max_length=20, required=False)
    joined_on = forms.DateField(label=_("入职日期"), required=False, widget=_DATE,
                                error_messages={"invalid": _("请输入有效日期，例如 2024-03-01。")})
    has_legal_qualification = forms.BooleanField(
        label=_("具有法律职业资格"), required=False,
        help_text=_("国家统一法律职业资格考试合格（《行政处罚法》第五十八条：初次从事法制审核须具备）"))
    legal_qualification_no = forms.CharField(label=_("法律职业资格证书编号"), max_length=40, required=False)
    first_review_on = forms.DateField(label=_("首次从事法制审核日期"), required=False, widget=_DATE,
                                      error_messages={"invalid": _("请输入有效日期，例如 2024-03-01。")})
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True,
                                   help_text=_("停用后该账户不能登录，已登录的会话随即失效。"))
    password = forms.CharField(label=_("初始密码"), strip=False, error_messages=_required(_("请填写初始密码。")),
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("确认初始密码"), strip=False,
                                error_messages={"required": _("请再次输入初始密码。")},
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, user, person=None, **kwargs):
        from .models import User
        from .services import units_visible_to, visible_agencies

        self.person = person
        if person is not None:
            kwargs.setdefault("initial", {name: getattr(person, name) for name in (
                "agency", "username", "full_name", "unit", "position", "phone", "employee_no", "joined_on",
                "has_legal_qualification", "legal_qualification_no", "first_review_on", "is_active")})
        super().__init__(*args, **kwargs)
        agencies = visible_agencies(user).filter(is_active=True)
        if person is not None and person.agency_id:
            agencies = visible_agencies(user).filter(Q(is_active=True) | Q(pk=person.agency_id))
        self.fields["agency"].queryset = agencies
        if person is None:
            self.fields["agency"].initial = user.agency_id
        units = units_visible_to(user).select_related("agency").order_by("agency__path", "sort", "name")
        self.fields["unit"].queryset = units
        several = agencies.count() > 1
        def unit_label(u) -> str:
            retired = "" if u.is_active else _("（停用）")
            return f"{u.agency.name} · {u.name}{retired}" if several else f"{u.name}{retired}"

        self.fields["unit"].label_from_instance = unit_label
        if not several:
            self.fields["agency"].widget = forms.HiddenInput()
        self.fields["username"].validators.append(User.username_validator)
        self.fields["password"].help_text = " ".join(str(t) for t in password_validators_help_texts())
        if person is not None:
            del self.fields["password"]
            del self.fields["password2"]

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if not _PHONE_RX.match(phone):
            raise ValidationError(_("联系电话只能包含数字、空格和 + - ( )。"))
        return phone

    def clean(self):
        data = super().clean()
        agency, unit = data.get("agency"), data.get("unit")
        if agency is not None and unit is not None and unit.agency_id != agency.pk:
            self.add_error("unit", _("内设机构“%(unit)s”不属于%(agency)s，请重新选择。")
                           % {"unit": unit.name, "agency": agency.name})
        if data.get("has_legal_qualification") and not (data.get("legal_qualification_no") or "").strip() \
                and "legal_qualification_no" not in self.errors:
            self.add_error("legal_qualification_no", _("具有法律职业资格的，请填写法律职业资格证书编号。"))
        if "password" in self.fields:
            password, password2 = data.get("password"), data.get("password2")
            if password and password2 is not None and password != password2:
                self.add_error("password2", _("两次输入的密码不一致。"))
            if password and "password" not in self.errors:
                from .models import User

                probe = User(username=data.get("username", ""), full_name=data.get("full_name", ""))
                try:
                    validate_password(password, probe)
                except ValidationError as exc:
                    self.add_error("password", exc)
        return data

    def service_fields(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("password", "password2")}


class PasswordResetForm(forms.Form):
    """The 安全管理员 sets a temporary password; its owner must change it at the next sign-in."""

    password = forms.CharField(label=_("新密码"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               error_messages={"required": _("请输入新密码。")})
    password2 = forms.CharField(label=_("再次输入新密码"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                error_messages={"required": _("请再次输入新密码。")})

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password2") and data["password"] != data["password2"]:
            self.add_error("password2", _("两次输入的密码不一致。"))
        return data


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(label=_("角色"), required=False, widget=forms.CheckboxSelectMultiple,
                                      error_messages={"invalid_choice": _("未知角色：%(value)s")},
                                      help_text=_("系统管理员、安全管理员、审计管理员三员分立，不得由同一人兼任"
                                                  "（GB/T 22239-2019 安全管理中心）。"))

    def __init__(self, *args, **kwargs):
        from .roles import ROLE_LABELS, Role

        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = [(r.value, str(ROLE_LABELS[r])) for r in Role]


class UnitForm(forms.Form):
    agency = ModelChoiceField(label=_("所属机关"), queryset=None, empty_label=None,
                                    error_messages={"required": _("请选择所属机关。"),
                                                    "invalid_choice": _("所选机关不在您的管理范围内。")})
    name = forms.CharField(label=_("名称"), max_length=60, error_messages=_required(_("请填写名称。")))
    kind = forms.ChoiceField(label=_("类别"), choices=(), error_messages={"required": _("请选择类别。"),
                                                                     "invalid_choice": _("请选择列出的类别。")})
    domains = ModelMultipleChoiceField(label=_("负责执法领域"), queryset=None, required=False,
                                             widget=forms.CheckboxSelectMultiple,
                                             error_messages={"invalid_choice": _("所选执法领域不存在。")})
    sort = forms.IntegerField(label=_("排序"), min_value=0, max_value=32767, initial=0,
                              error_messages={"required": _("请填写排序号（数字越小越靠前）。"),
                                              "invalid": _("排序号须为整数。"),
                                              "min_value": _("排序号不能为负数。"),
                                              "max_value": _("排序号不能大于 32767。")})
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, user, unit=None, **kwargs):
        from zhifa.catalog.models import Domain

        from .models import UnitKind
        from .services import visible_agencies

        if unit is not None:
            kwargs.setdefault("initial", {"agency": unit.agency_id, "name": unit.name, "kind": unit.kind,
                                          "domains": list(unit.domains.all()), "sort": unit.sort,
                                          "is_active": unit.is_active})
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = UnitKind.choices
        self.fields["domains"].queryset = Domain.objects.all()
        agencies = visible_agencies(user).filter(is_active=True)
        self.fields["agency"].queryset = agencies
        if unit is not None:  # a unit stays in its agency
            del self.fields["agency"]
        else:
            self.fields["agency"].initial = user.agency_id
            if agencies.count() <= 1:
                self.fields["agency"].widget = forms.HiddenInput()


QUANTITY_UNITS = [("hours", _("学时")), ("days", _("天")), ("weeks", _("周")), ("months", _("个月"))]


def parameter_kind(param) -> str:
    """How a parameter's value is entered, from its default: quantity, bool, int, kinds or json.

    "kinds" is a list of 《行政处罚法》第九条 penalty kinds (PenaltyKind codes), entered as checkboxes.
    """
    if isinstance(param.default, bool):
        return "bool"
    if isinstance(param.default, dict) and set(param.default) == {"value", "unit"}:
        return "quantity"
    if isinstance(param.default, int):
        return "int"
    if isinstance(param.default, list) and all(v in _KIND_CODES for v in param.default):
        return "kinds"
    return "json"


# The units parameters declare (zhifa.catalog.policies), translated for the screens.
_POLICY_UNIT_NAMES = {
    "天": pgettext_lazy("policy unit", "天"),
    "元": pgettext_lazy("policy unit", "元"),
    "数量": pgettext_lazy("policy unit", "数量"),
    "是/否": pgettext_lazy("policy unit", "是/否"),
    "处罚种类": pgettext_lazy("policy unit", "处罚种类"),
}


def policy_unit_name(unit: str) -> str:
    """A parameter's unit (天, 元, 是/否 …) in the current language; unknown units as declared."""
    return str(_POLICY_UNIT_NAMES.get(unit, unit))


def penalty_kind_choices() -> list[tuple[str, str]]:
    """One choice per 第九条 kind, in the article's order, named in the statute's words."""
    return [(k.value, KIND_LABELS[k]) for k in PenaltyKind]


class PolicyForm(forms.Form):
    """A new dated value of one parameter. The value fields depend on the parameter's kind."""

    effective_from = forms.DateField(label=_("生效日期"), widget=_DATE,
                                     error_messages={"required": _("请填写生效日期。"),
                                                     "invalid": _("请输入有效日期，例如 2026-01-01。")},
                                     help_text=_("自该日起适用；此前的日期仍按原值计算。"))
    citation = forms.CharField(label=_("依据"), max_length=255, error_messages=_required(_("请填写依据。")),
                               help_text=_("文件名称、文号或条款，例如“省文化和旅游厅关于……的通知（×文旅〔2025〕×号）”。"))
    note = forms.CharField(label=_("说明"), max_length=255, required=False)

    field_order = ["value", "unit", "effective_from", "citation", "note"]

    def __init__(self, *args, param, **kwargs):
        self.param = param
        self.kind = parameter_kind(param)
        super().__init__(*args, **kwargs)
        number_errors = {"required": _("请填写数量。"), "invalid": _("请输入数字。"),
                         "max_digits": _("数字位数过多。"), "max_decimal_places": _("最多保留 2 位小数。"),
                         "max_whole_digits": _("数字位数过多。")}
        if self.kind == "quantity":
            self.fields["value"] = forms.DecimalField(label=_("数量"), max_digits=9, decimal_places=2,
                                                      error_messages=number_errors)
            self.fields["unit"] = forms.ChoiceField(
                label=_("单位"), choices=QUANTITY_UNITS,
                error_messages={"required": _("请选择单位。"),
                                "invalid_choice": _("单位只能是学时、天、周或个月。")})
        elif self.kind == "bool":
            self.fields["value"] = forms.BooleanField(label=param.label, required=False)
        elif self.kind == "int":
            label = _("取值（%(unit)s）") % {"unit": policy_unit_name(param.unit)}
            self.fields["value"] = forms.IntegerField(label=label,
                                                      error_messages={"required": _("请填写取值。"),
                                                                      "invalid": _("请输入整数。")})
        elif self.kind == "kinds":
            self.fields["value"] = forms.MultipleChoiceField(
                label=_("处罚种类"), required=False, choices=penalty_kind_choices(),
                widget=forms.CheckboxSelectMultiple,
                help_text=_("勾选适用的处罚种类（《行政处罚法》第九条）；不勾选表示不按种类设定。"),
                error_messages={"invalid_choice": _("无法识别的处罚种类：%(value)s。"),
                                "invalid_list": _("请勾选处罚种类。")})
        else:
            self.fields["value"] = forms.CharField(label=_("取值（JSON）"),
                                                   widget=forms.Textarea(attrs={"rows": 3}),
                                                   error_messages={"required": _("请填写取值。")})
            self.fields["value"].initial = json.dumps(param.default, ensure_ascii=False)
        self.order_fields(self.field_order)

    def clean_value(self):
        value = self.cleaned_data.get("value")
        if self.kind == "json":
            try:
                return json.loads(value)
            except ValueError:
                raise ValidationError(_("取值不是有效的 JSON。")) from None
        return value

    def policy_value(self):
        """The value as the parameter's check expects it."""
        value = self.cleaned_data["value"]
        if self.kind == "quantity":
            amount = int(value) if value == value.to_integral_value() else float(value)
            return {"value": amount, "unit": self.cleaned_data["unit"]}
        if self.kind == "kinds":
            return list(value)
        return value

    @staticmethod
    def initial_for(param, current) -> dict:
        kind = parameter_kind(param)
        if kind == "quantity" and isinstance(current, dict):
            return {"value": Decimal(str(current.get("value"))), "unit": current.get("unit")}
        if kind == "json":
            return {"value": json.dumps(current, ensure_ascii=False)}
        if kind == "kinds":
            return {"value": list(current) if isinstance(current, list) else []}
        return {"value": current}


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("动作"), required=False, max_length=64)
    actor = forms.CharField(label=_("操作人"), required=False, max_length=80,
                            help_text=_("姓名或用户名"))
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=_DATE,
                                error_messages={"invalid": _("请输入有效日期，例如 2026-01-01。")})
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=_DATE,
                              error_messages={"invalid": _("请输入有效日期，例如 2026-01-31。")})

    def clean_action(self):
        action = self.cleaned_data["action"].strip()
        if action and not re.fullmatch(r"[a-z_.]+", action):
            raise ValidationError(_("动作只能是如 auth. 或 org.roles_changed 的代码。"))
        return action

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("截止日期不能早于起始日期。"))
        return data
