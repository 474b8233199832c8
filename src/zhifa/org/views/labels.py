"""Translatable names of the qualification rule's values, for the screens.

`zhifa.law` is pure Python without Django, and names its values in Chinese only (CERT_STATUS_LABELS,
UNIT_LABELS, `Quantity.__str__`). The screens show them through these functions instead, which give
the same Chinese text and, under another language, its translation.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from zhifa.law import qualification as q

CERT_STATUS_NAMES = {
    q.CertStatus.VALID: _("有效"),
    q.CertStatus.SUSPENDED: _("暂扣"),
    q.CertStatus.REVOKED: _("注销"),
    q.CertStatus.EXPIRED: _("过期"),
}


def cert_status_name(status) -> str:
    """有效 / 暂扣 / 注销 / 过期 in the current language."""
    status = q.CertStatus(status)
    return str(CERT_STATUS_NAMES.get(status) or q.CERT_STATUS_LABELS[status])


def quantity(value, unit) -> str:
    """An amount with its unit as `Quantity.__str__` writes it (60学时, 5天, 1个月), translated."""
    amount = int(value) if float(value).is_integer() else value
    n = amount if isinstance(amount, int) else 2  # a fractional amount reads as a plural
    unit = q.Unit(unit)
    if unit is q.Unit.HOURS:
        text = ngettext("%(n)s学时", "%(n)s学时", n)
    elif unit is q.Unit.DAYS:
        text = ngettext("%(n)s天", "%(n)s天", n)
    elif unit is q.Unit.WEEKS:
        text = ngettext("%(n)s周", "%(n)s周", n)
    else:
        text = ngettext("%(n)s个月", "%(n)s个月", n)
    return text % {"n": amount}


def training_unit(unit) -> str:
    """The unit a training amount is counted in: 学时 (class hours) or 个培训日 (training days)."""
    return str(_("学时") if q.Unit(unit) is q.Unit.HOURS else _("个培训日"))


_TRAINING_UNIT_NAMES = {"学时": _("学时"), "个培训日": _("个培训日")}


def training_unit_name(label: str) -> str:
    """A unit label as the services give it (学时 or 个培训日), translated."""
    return str(_TRAINING_UNIT_NAMES.get(label, label))
