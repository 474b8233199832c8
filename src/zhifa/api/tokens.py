"""Issuing, revoking and checking API tokens (the only place that writes ``ApiToken``)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from zhifa.prepared import Prepared
from zhifa.records.services import record

from .models import ApiToken

PREFIX = "zf_"
# A token's last use is written at most this often: a read must not take the write lock on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue(user, *, actor=None) -> tuple[ApiToken, str]:
    """A new token for ``user``: (the row, the secret). The secret exists only in the return value."""
    secret = PREFIX + secrets.token_urlsafe(32)  # 32 random bytes
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, key_hash=digest(secret), prefix=secret[:10])
        record("api.token_issued", actor=actor, agency=user.agency, subject=f"user:{user.pk}",
               payload={"token": token.pk, "prefix": token.prefix, "user": user.pk, "username": user.username})
    return token, secret


def revoke_all(user, *, actor=None) -> int:
    """Revoke every live token of ``user``; the number revoked (an event is recorded for each)."""
    now = timezone.now()
    with transaction.atomic():
        tokens = list(ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True))
        for token in tokens:
            token.revoked_at = now
            token.save(update_fields=["revoked_at"])
            record("api.token_revoked", actor=actor, agency=user.agency, subject=f"user:{user.pk}",
                   payload={"token": token.pk, "prefix": token.prefix, "user": user.pk, "username": user.username})
    return len(tokens)


# the live token of a secret's digest with its user and agency: asked by every API request, compiled once
_LIVE_TOKEN = Prepared("api.live_token", lambda key_hash: ApiToken.objects.select_related("user__agency").filter(
    key_hash=key_hash, revoked_at__isnull=True).order_by()[:1], str)


def authenticate(header: str | None):
    """The active user whose live token is in an ``Authorization: Token <secret>`` header, or None."""
    if not header:
        return None
    scheme, _, secret = header.strip().partition(" ")
    secret = secret.strip()
    if scheme.lower() != "token" or not secret or len(secret) > 200:
        return None
    found = _LIVE_TOKEN(digest(secret))
    token = found[0] if found else None
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
