"""Forms of the org app. Labels and messages are Chinese; every error names its field."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确。连续 %(limit)s 次失败将锁定账户。",
        "inactive": "该账户已停用，请联系系统管理员。",
    }
    lockout_message = ""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"

    def get_invalid_login_error(self):
        from django.conf import settings

        return forms.ValidationError(self.error_messages["invalid_login"] % {"limit": settings.AXES_FAILURE_LIMIT},
                                     code="invalid_login")


class TokenForm(forms.Form):
    token = forms.CharField(label="动态验证码", min_length=6, max_length=6,
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                          "pattern": "[0-9]{6}", "autofocus": True}),
                            error_messages={"required": "请输入 6 位动态验证码。",
                                            "min_length": "动态验证码为 6 位数字。",
                                            "max_length": "动态验证码为 6 位数字。"})

    def clean_token(self):
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError("动态验证码为 6 位数字。")
        return token
