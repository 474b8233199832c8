"""Django's ``flush`` (empty every table), with the record's append-only triggers lifted for its length.

``flush`` removes the whole database's content, the record with it; it is an operator's command, never something
the application does, and Django's test runner uses it between tests that commit. Without lifting the triggers the
record's table could not be emptied (zhifa.records.triggers).
"""

from django.core.management.commands import flush
from django.db import connections

from ...triggers import lifted


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options["database"]]
        with lifted(connection):
            return super().handle(**options)
