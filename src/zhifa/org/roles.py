"""Roles of the bureau's people. Each role is a Django group named by its code."""

from enum import StrEnum

from django.utils.translation import pgettext_lazy


class Role(StrEnum):
    OFFICER = "officer"  # 执法人员
    REVIEWER = "reviewer"  # 法制审核人员
    HEAD = "head"  # 负责人 (局长、分管副局长)
    CLERK = "clerk"  # 内勤/档案
    SYSADMIN = "sysadmin"  # 系统管理员
    SECADMIN = "secadmin"  # 安全管理员
    AUDITADMIN = "auditadmin"  # 审计管理员


ROLE_LABELS = {
    Role.OFFICER: pgettext_lazy("role", "执法人员"),
    Role.REVIEWER: pgettext_lazy("role", "法制审核人员"),
    Role.HEAD: pgettext_lazy("role", "负责人"),
    Role.CLERK: pgettext_lazy("role", "内勤/档案"),
    Role.SYSADMIN: pgettext_lazy("role", "系统管理员"),
    Role.SECADMIN: pgettext_lazy("role", "安全管理员"),
    Role.AUDITADMIN: pgettext_lazy("role", "审计管理员"),
}

# 等保 2.0 §8.1.5 "三员分立": the system, security and audit administrators are three different
# people; no account may hold two of these roles (standards.md §1(a)).
ADMIN_ROLES = frozenset({Role.SYSADMIN, Role.SECADMIN, Role.AUDITADMIN})
