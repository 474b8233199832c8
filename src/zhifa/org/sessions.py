"""Sessions in the database (Django's ``db`` engine), the session of every request read by one compiled query.

Only the read changes: ``SessionStore.load`` found the row by building and compiling an ORM query on each request;
here the query is compiled once (``zhifa.prepared``) and the expiry is compared in Python, as the ORM's
``expire_date__gt=now`` did in SQL. Saving, flushing, ``clearsessions`` are Django's.
"""

from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from zhifa.prepared import Prepared

_SESSION = Prepared("org.session", lambda key: Session.objects.filter(session_key=key).order_by(), str)


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        key = self.session_key
        found = _SESSION(key) if key else []
        if found and found[0].expire_date > timezone.now():
            return found[0]
        self._session_key = None
        return None
