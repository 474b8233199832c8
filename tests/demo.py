"""The demo bureau's cases in tests (zhifa.cases.demo): a case by its scenario, and its lead officer."""

from __future__ import annotations


def demo_case(slug: str):
    """The demo case of scenario ``slug`` (e.g. "trv-decided")."""
    from zhifa.cases.models import Case

    return Case.objects.get(creation_key__endswith=f":demo:{slug}")


def lead_of(case):
    """The case's lead officer (主办人) in charge now."""
    return case.handlers.filter(removed_on__isnull=True, is_lead=True).first().user
