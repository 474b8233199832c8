"""Security events go to the record; role exclusivity holds however groups are changed."""

import time

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from zhifa.law.errors import RuleViolation
from zhifa.records.services import record

from .middleware import IDLE_KEY
from .models import User


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    record("auth.login", actor=user, subject=f"user:{user.pk}", payload={"ip": _ip(request)})
    # the quiet spell counts from the sign-in, written with the session the sign-in saves anyway: the first page
    # after it is then a read, not a session write (middleware.IdleTimeoutMiddleware)
    session = getattr(request, "session", None)
    if session is not None:
        session[IDLE_KEY] = time.time()


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record("auth.logout", actor=user, subject=f"user:{user.pk}", payload={})


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username", "")
    user = User.objects.filter(username=username).first()
    record("auth.login_failed", actor=None, agency=user.agency if user else None,
           subject=f"user:{user.pk}" if user else f"username:{username[:40]}", payload={"username": username[:150],
                                                                                         "ip": _ip(request)})


@receiver(user_locked_out)
def _locked_out(sender, request, username=None, ip_address=None, **kwargs):
    from django.conf import settings

    user = User.objects.filter(username=username).first()
    record("auth.locked", actor=None, agency=user.agency if user else None,
           subject=f"user:{user.pk}" if user else f"username:{(username or '')[:40]}",
           payload={"username": username, "ip": ip_address,
                    "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)})


@receiver(m2m_changed, sender=User.groups.through)
def _guard_admin_roles(sender, instance, action, pk_set, reverse, **kwargs):
    """Whatever path adds a group (admin site, shell), the three admin roles stay exclusive."""
    if action != "pre_add" or not pk_set:
        return
    from django.contrib.auth.models import Group

    from .services import check_role_set

    if reverse:  # group.user_set.add(user, …): the instance is the group, pk_set the users
        pairs = [(set(u.groups.values_list("name", flat=True)), {instance.name})
                 for u in User.objects.filter(pk__in=pk_set)]
    else:
        pairs = [(set(instance.groups.values_list("name", flat=True)),
                  set(Group.objects.filter(pk__in=pk_set).values_list("name", flat=True)))]
    for current, adding in pairs:
        try:
            check_role_set((current | adding) & {"sysadmin", "secadmin", "auditadmin"})
        except RuleViolation as exc:
            raise RuleViolation(exc.code, exc.message, exc.field, exc.basis) from None


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None
