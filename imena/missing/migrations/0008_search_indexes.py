"""Indexes for the register's search and list at national size (#13 item 5)."""

import django.db.models.functions.text
from django.db import migrations, models

# PostgreSQL only: the list's Ukrainian order (``imena.core.collation.Ukrainian``:
# ``COLLATE "uk-x-icu"``) read from an index of the organisation's unmerged
# reports instead of sorting all of them for every page. SQLite's "uk"
# collation is a Python function registered per connection, which an index
# would need on every write, so SQLite keeps sorting (it is for one site).
UK_NAME_INDEX = (
    'CREATE INDEX IF NOT EXISTS missing_person_uk_name ON missing_missingperson '
    '(organisation_id, (family_name COLLATE "uk-x-icu"), '
    '(given_names COLLATE "uk-x-icu"), id) WHERE merged_into_id IS NULL'
)


def create_uk_name_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UK_NAME_INDEX)


def drop_uk_name_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS missing_person_uk_name")


class Migration(migrations.Migration):
    dependencies = [
        ("missing", "0007_constraint_messages"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="missingperson",
            index=models.Index(
                django.db.models.functions.text.Upper("case_no"),
                name="missing_case_no_upper",
            ),
        ),
        migrations.RunPython(create_uk_name_index, drop_uk_name_index),
    ]
