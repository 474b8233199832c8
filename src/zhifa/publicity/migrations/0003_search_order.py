# The portal's search answered by the index in its own order (issue 7, bench/portal.py): each search entry gets a
# sort key (a decision's day and id) and an agency and starts with tokens (kind; a decision's agency and main item),
# the SQLite FTS5 table becomes contentless with the sort key as rowid, and the publications get the indexes of the
# lists in the order of the decision date.

from importlib import import_module

import django.db.models.deletion
from django.db import migrations, models

BATCH = 5000
TABLE = "publicity_searchentry"


def _run(schema_editor, statements) -> None:
    if schema_editor.connection.vendor == "sqlite":  # PostgreSQL keeps 0002's vec column and GIN index
        for sql in statements:
            schema_editor.execute(sql, None)


def _0002():
    return import_module("zhifa.publicity.migrations.0002_portal")


def drop_old_index(apps, schema_editor):
    """0002's SQLite index and triggers (rowid = entry id), dropped before the entries change."""
    _run(schema_editor, _0002().SQLITE_DROP)


def restore_old_index(apps, schema_editor):
    _run(schema_editor, [*_0002().SQLITE_CREATE,
                         "INSERT INTO publicity_search_fts(publicity_search_fts) VALUES ('rebuild')"])


def _rewrite(schema_editor, rows) -> None:
    with schema_editor.connection.cursor() as cur:
        cur.executemany(f"UPDATE {TABLE} SET grams = %s, sort_key = %s, agency_id = %s WHERE id = %s", rows)


def add_tokens(apps, schema_editor):
    """Every entry: its kind's token (and a decision's agency and item tokens) before its grams; its key and agency."""
    from zhifa.publicity import search

    Publication = apps.get_model("publicity", "Publication")
    SearchEntry = apps.get_model("publicity", "SearchEntry")
    last = 0
    while True:
        entries = list(SearchEntry.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "kind", "ref", "grams")
                       [:BATCH])
        if not entries:
            break
        last = entries[-1][0]
        pubs = {p["pk"]: p for p in Publication.objects.filter(
            pk__in=[ref for _, kind, ref, _ in entries if kind == "decision"]).values(
            "pk", "agency_id", "item_code", "decided_on")}
        rows = []
        for pk, kind, ref, grams in entries:
            tokens, key, agency = [], -ref, None
            if kind == "decision":
                p = pubs.get(ref)
                if p is None:  # an entry without its publication finds nothing on the portal
                    key = -(10 ** 12) - pk
                else:
                    tokens = search.decision_tokens(p["agency_id"], p["item_code"])
                    key, agency = search.decision_key(p["decided_on"], ref), p["agency_id"]
            rows.append((search.entry_text(kind, tokens, grams), key, agency, pk))
        _rewrite(schema_editor, rows)


def remove_tokens(apps, schema_editor):
    SearchEntry = apps.get_model("publicity", "SearchEntry")
    rows = []
    for pk, grams in SearchEntry.objects.values_list("pk", "grams").iterator(chunk_size=BATCH):
        words = grams.split(" ")
        while words and len(words[0]) > 2 and words[0] != "brk":  # the leading tokens (grams have one or two)
            words.pop(0)
        rows.append((" ".join(words), None, None, pk))
    _rewrite(schema_editor, rows)


def make_index(apps, schema_editor):
    from zhifa.publicity.search import SQLITE_CREATE

    _run(schema_editor, SQLITE_CREATE)


def drop_index(apps, schema_editor):
    from zhifa.publicity.search import SQLITE_DROP

    _run(schema_editor, SQLITE_DROP)


class Migration(migrations.Migration):

    dependencies = [
        ("org", "0005_qualification_stamp"),
        ("publicity", "0002_portal"),
    ]

    operations = [
        migrations.RunPython(drop_old_index, restore_old_index),
        migrations.AddField(
            model_name="searchentry",
            name="sort_key",
            field=models.BigIntegerField(null=True, verbose_name="排序键"),
        ),
        migrations.AddField(
            model_name="searchentry",
            name="agency",
            field=models.ForeignKey(blank=True, db_index=False, help_text="决定的执法主体；事项为空", null=True,
                                    on_delete=django.db.models.deletion.CASCADE, related_name="+", to="org.agency",
                                    verbose_name="执法主体"),
        ),
        migrations.RunPython(add_tokens, remove_tokens),
        migrations.AlterField(
            model_name="searchentry",
            name="sort_key",
            field=models.BigIntegerField(help_text="决定：决定日期与公示编号；事项：负的编号", unique=True,
                                         verbose_name="排序键"),
        ),
        migrations.AddIndex(
            model_name="searchentry",
            index=models.Index(fields=["agency", "-sort_key"], name="searchentry_agency_order"),
        ),
        migrations.RunPython(make_index, drop_index),
        migrations.AlterField(
            model_name="publication",
            name="item_code",
            field=models.CharField(blank=True, max_length=32, verbose_name="主要执法事项编码"),
        ),
        migrations.RemoveIndex(
            model_name="publication",
            name="publication_live_decided",
        ),
        migrations.AddIndex(
            model_name="publication",
            index=models.Index(fields=["agency", "status", "item_code", "-decided_on", "-id"],
                               name="publication_live_item"),
        ),
        migrations.AddIndex(
            model_name="publication",
            index=models.Index(fields=["agency", "status", "-decided_on", "-id"], name="publication_live_decided"),
        ),
    ]
