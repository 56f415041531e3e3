"""The candidates' evidence and the analyses' exclusions are compressed with
LZ4 on PostgreSQL (#13).

Both are JSON documents of a few kilobytes (4 KB of evidence per candidate,
12 KB of exclusions per analysis), which PostgreSQL compresses when it
stores them (TOAST). With its default method (pglz), storing a site's run of
the national preset (1,974 candidates) took 1.63 s against 0.96 s with LZ4,
the server's CPU 0.46-0.81 s against 0.32 s (``benchmarks/bench_store_json.py
0 --compression``, PostgreSQL 15; docs/benchmarks.md). Rows stored earlier
keep their compression; new rows are compressed with LZ4.

Only on PostgreSQL 14 or later built with LZ4 (Debian's is): elsewhere the
columns are left as they are, with the same values. SQLite: nothing to do.
"""

from django.db import DatabaseError, migrations, transaction

#: (model, field) of the columns compressed with LZ4.
COLUMNS = (("Candidate", "evidence"), ("BodyAnalysis", "exclusions"))


def _set(apps, schema_editor, method):
    conn = schema_editor.connection
    if conn.vendor != "postgresql" or conn.pg_version < 140000:
        return
    qn = schema_editor.quote_name
    for model, field in COLUMNS:
        meta = apps.get_model("identification", model)._meta
        sql = (
            f"ALTER TABLE {qn(meta.db_table)} ALTER COLUMN "
            f"{qn(meta.get_field(field).column)} SET COMPRESSION {method}"
        )
        try:
            # (A savepoint: a server without LZ4 refuses, and the migration
            # goes on with the column as it was.)
            with transaction.atomic(using=conn.alias):
                schema_editor.execute(sql)
        except DatabaseError:
            return


def lz4(apps, schema_editor):
    _set(apps, schema_editor, "lz4")


def default(apps, schema_editor):
    _set(apps, schema_editor, "default")


class Migration(migrations.Migration):
    dependencies = [("identification", "0011_analysis_held_until")]

    operations = [migrations.RunPython(lz4, default)]
