"""A body's analysis computed again with the same listed exclusions refers to
those of the analysis that stored them (``BodyAnalysis.exclusions_of``)
instead of copying them (#13: up to 200 excluded reports with their reasons,
about 100 KB an analysis at a national register's sites).

The stored list keeps its column (``exclusions``); the model's field is
renamed ``own_exclusions`` so that code reads the listed exclusions through
``BodyAnalysis.exclusions``, which follows the reference. Rows stored before
store their own lists (``exclusions_of`` None): nothing to rewrite."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("identification", "0012_json_lz4")]

    operations = [
        # The same column, under the new name: no SQL.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField(
                    model_name="bodyanalysis",
                    old_name="exclusions",
                    new_name="own_exclusions",
                ),
                migrations.AlterField(
                    model_name="bodyanalysis",
                    name="own_exclusions",
                    field=models.JSONField(
                        blank=True,
                        db_column="exclusions",
                        default=list,
                        help_text="Every excluded missing person with the reasons.",
                        verbose_name="exclusions",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="bodyanalysis",
            name="exclusions_of",
            field=models.ForeignKey(
                blank=True,
                help_text="The earlier analysis of the body whose listed exclusions these are.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="identification.bodyanalysis",
                verbose_name="exclusions as stored by",
            ),
        ),
    ]
