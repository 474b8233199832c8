# PostgreSQL only: a log of the changes to the search entries, in the order they were committed, which each app
# server's local copy of the search index follows once it has copied the entries (zhifa.publicity.replica). SQLite
# needs none: its FTS5 index is in the database itself.

from django.db import migrations

from zhifa.records.triggers import run_python

TABLE = "publicity_searchentry"
LOG = "publicity_search_log"
# Writers of the entries take this lock (held to their commit), so the log's sequence is the order of the commits: a
# reader that sees a number has seen every smaller one.
LOCK = "hashtext('zhifa.publicity.search_log')"

POSTGRES_CREATE = [
    # sort_key NULL: the entries were emptied (TRUNCATE)
    f"CREATE TABLE IF NOT EXISTS {LOG} (seq bigserial PRIMARY KEY, sort_key bigint)",
    "CREATE OR REPLACE FUNCTION publicity_search_log() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP = 'UPDATE' AND NEW.sort_key = OLD.sort_key AND NEW.grams IS NOT DISTINCT FROM OLD.grams THEN "
    "RETURN NULL; END IF; "
    f"PERFORM pg_advisory_xact_lock({LOCK}); "
    f"IF TG_OP = 'TRUNCATE' THEN INSERT INTO {LOG}(sort_key) VALUES (NULL); RETURN NULL; END IF; "
    "IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND NEW.sort_key <> OLD.sort_key) THEN "
    f"INSERT INTO {LOG}(sort_key) VALUES (OLD.sort_key); END IF; "
    f"IF TG_OP <> 'DELETE' THEN INSERT INTO {LOG}(sort_key) VALUES (NEW.sort_key); END IF; "
    "RETURN NULL; END $$",
    f"CREATE OR REPLACE TRIGGER publicity_search_log AFTER INSERT OR UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION publicity_search_log()",
    f"CREATE OR REPLACE TRIGGER publicity_search_log_truncate AFTER TRUNCATE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION publicity_search_log()",
]
POSTGRES_DROP = [f"DROP TRIGGER IF EXISTS publicity_search_log_truncate ON {TABLE}",
                 f"DROP TRIGGER IF EXISTS publicity_search_log ON {TABLE}",
                 "DROP FUNCTION IF EXISTS publicity_search_log()", f"DROP TABLE IF EXISTS {LOG}"]


class Migration(migrations.Migration):

    dependencies = [
        ("publicity", "0003_search_order"),
    ]

    operations = [
        run_python(postgresql=(POSTGRES_CREATE, POSTGRES_DROP)),
    ]
