"""The record is append-only in the database itself: triggers refuse UPDATE and DELETE on records_event
(and TRUNCATE on PostgreSQL). The SQL is in zhifa.records.triggers."""

from django.db import migrations


def install(apps, schema_editor):
    from zhifa.records.triggers import statements

    for sql in statements(schema_editor.connection.vendor, create=True):
        schema_editor.execute(sql, None)


def remove(apps, schema_editor):
    from zhifa.records.triggers import statements

    for sql in statements(schema_editor.connection.vendor, create=False):
        schema_editor.execute(sql, None)


class Migration(migrations.Migration):

    dependencies = [("records", "0002_verification")]

    operations = [migrations.RunPython(install, remove)]
