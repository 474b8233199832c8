"""An issued document cannot be changed in the database itself (the SQL is in zhifa.documents.triggers)."""

from django.db import migrations


def install(apps, schema_editor):
    from zhifa.documents.triggers import statements

    for sql in statements(schema_editor.connection.vendor, create=True):
        schema_editor.execute(sql, None)


def remove(apps, schema_editor):
    from zhifa.documents.triggers import statements

    for sql in statements(schema_editor.connection.vendor, create=False):
        schema_editor.execute(sql, None)


class Migration(migrations.Migration):

    dependencies = [("documents", "0002_documenttype_document_service_template")]

    operations = [migrations.RunPython(install, remove)]
