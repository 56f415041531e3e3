"""The candidates' evidence and the analyses' exclusions are compressed with
LZ4 on PostgreSQL (#13).

Both are JSON documents of a few kilobytes (4 KB of evidence per candidate,
12 KB of exclusions per analysis), which PostgreSQL compresses when it
stores them (TOAST). With its default method (pglz), the server took about
twice as long to store a batch of candidates as with LZ4: 275 against 141 ms
for 2,900 candidates, the rows an update of 25 sites stores (measured on the
benchmark's server, PostgreSQL 15). Rows stored earlier keep their
compression; new rows are compressed with LZ4.

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
