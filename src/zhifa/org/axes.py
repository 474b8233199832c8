"""How django-axes names the account a sign-in attempt is for."""

from django.conf import settings

# User.username holds at most 150 characters and axes stores at most 255: a longer "username" can
# name no account, and must not reach the database as an error (PostgreSQL refuses the overlong value).
USERNAME_MAX = 150


def attempt_username(request, credentials=None) -> str | None:
    field = settings.AXES_USERNAME_FORM_FIELD
    source = credentials if credentials else getattr(request, "data", request.POST)
    username = source.get(field)
    return None if username is None else str(username)[:USERNAME_MAX]
