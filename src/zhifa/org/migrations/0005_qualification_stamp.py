"""The qualification stamp and the triggers that change it (org.models.QualificationStamp)."""

from django.db import migrations, models

# Every table the qualification rule reads, as org.services.qualification_data caches it.
WATCHED = ("org_certificate", "org_certificate_domains", "org_certificatestatuschange", "org_annualreview",
           "org_training", "org_user_groups")
STAMP = "org_qualificationstamp"


def _sqlite(table: str, op: str) -> tuple[str, str]:
    name = f"zhifa_qualification_stamp_{table}_{op.lower()}"
    return (f"CREATE TRIGGER {name} AFTER {op} ON {table} BEGIN "
            f"INSERT INTO {STAMP} (id, value) VALUES (1, random()) "
            f"ON CONFLICT (id) DO UPDATE SET value = excluded.value; END",
            f"DROP TRIGGER IF EXISTS {name}")


# PostgreSQL: once per transaction. Every UPDATE of one row leaves a row version that later updates and reads in the
# same transaction walk, so a bulk load bumping the stamp per statement would grow quadratically; the transaction
# that changed it is recorded instead, and the fingerprint reads NULL (no cache) inside that transaction.
PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION zhifa_qualification_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {STAMP} (id, value, changed_in) VALUES (1, (floor(random() * 9.2e18) - 4.6e18)::bigint, txid_current())
    ON CONFLICT (id) DO UPDATE SET value = excluded.value, changed_in = excluded.changed_in
    WHERE {STAMP}.changed_in IS DISTINCT FROM excluded.changed_in;
    RETURN NULL;
END $$"""


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cur:
        cur.execute(f"INSERT INTO {STAMP} (id, value) VALUES (1, 0)")
        if vendor == "sqlite":
            for table in WATCHED:
                for op in ("INSERT", "UPDATE", "DELETE"):
                    cur.execute(_sqlite(table, op)[0])
        elif vendor == "postgresql":
            cur.execute(PG_FUNCTION)
            for table in WATCHED:
                cur.execute(f"CREATE TRIGGER zhifa_qualification_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION zhifa_qualification_stamp()")
        else:  # pragma: no cover - the two supported databases
            raise RuntimeError(f"no qualification stamp triggers for {vendor}")


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cur:
        if vendor == "sqlite":
            for table in WATCHED:
                for op in ("INSERT", "UPDATE", "DELETE"):
                    cur.execute(_sqlite(table, op)[1])
        elif vendor == "postgresql":
            for table in WATCHED:
                cur.execute(f"DROP TRIGGER IF EXISTS zhifa_qualification_stamp ON {table}")
            cur.execute("DROP FUNCTION IF EXISTS zhifa_qualification_stamp()")


class Migration(migrations.Migration):

    dependencies = [
        ("org", "0004_order_by_holder_id"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.CreateModel(
            name="QualificationStamp",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("value", models.BigIntegerField(default=0)),
                ("changed_in", models.BigIntegerField(null=True)),
            ],
            options={"verbose_name": "执法资格数据版本", "verbose_name_plural": "执法资格数据版本"},
        ),
        migrations.RunPython(forwards, backwards),
    ]
