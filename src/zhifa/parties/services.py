"""Services of the `parties` app: registration, validation, duplicate detection, scoping."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Licence, Party, Premises


def parties_visible_to(user) -> QuerySet[Party]:
    """Parties registered by the user's agency and the agencies under it."""
    if not user.is_authenticated:
        return Party.objects.none()
    if user.is_superuser and user.agency_id is None:
        return Party.objects.all()
    if user.agency_id is None:
        return Party.objects.none()
    return Party.objects.filter(agency__path__startswith=user.agency.path)


def premises_visible_to(user) -> QuerySet[Premises]:
    return Premises.objects.filter(party__in=parties_visible_to(user))


def licences_visible_to(user) -> QuerySet[Licence]:
    return Licence.objects.filter(party__in=parties_visible_to(user))
