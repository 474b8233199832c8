"""Signing in and finding the signed-in user: Django's model backend, with the user of every request read by one
compiled query together with their agency (which every page and rule reads next)."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from zhifa.prepared import Prepared

from .models import User

_USER = Prepared("org.session_user", lambda pk: User.objects.filter(pk=pk).select_related("agency"), int)


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        if not 0 < pk < 2**63:
            return None
        found = _USER(pk)
        if not found:
            return None
        return found[0] if self.user_can_authenticate(found[0]) else None
