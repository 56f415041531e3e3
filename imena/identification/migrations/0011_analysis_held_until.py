"""A body's analysis is held by the site's later runs until one computes the
body again (``BodyAnalysis.until``), instead of being copied into each (#13).

Every analysis stored before was one run's own copy: it is held until the
next run of its site (its ``until``), or by the latest run (None)."""

import django.db.models.deletion
from django.db import migrations, models


def hold_until_next_run(apps, schema_editor):
    """One statement (runs are many: a worker stores one per update)."""
    qn = schema_editor.quote_name
    a = qn(apps.get_model("identification", "BodyAnalysis")._meta.db_table)
    r = qn(apps.get_model("identification", "CandidateRun")._meta.db_table)
    # The next run of the same site, by id (the order runs are created in).
    schema_editor.execute(
        f"UPDATE {a} SET site_id = (SELECT r.site_id FROM {r} r WHERE r.id = {a}.run_id), "
        f"until_id = (SELECT MIN(n.id) FROM {r} n JOIN {r} r ON n.site_id = r.site_id "
        f"WHERE r.id = {a}.run_id AND n.id > r.id)"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("burials", "0003_constraint_messages"),
        ("identification", "0010_exclusion_override_withdrawal"),
    ]

    operations = [
        migrations.AddField(
            model_name="bodyanalysis",
            name="site",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="burials.site",
            ),
        ),
        migrations.AddField(
            model_name="bodyanalysis",
            name="until",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="identification.candidaterun",
            ),
        ),
        migrations.RunPython(hold_until_next_run, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="bodyanalysis",
            name="site",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="burials.site",
            ),
        ),
        migrations.AddConstraint(
            model_name="bodyanalysis",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("until__isnull", True),
                    ("until__gt", models.F("run")),
                    _connector="OR",
                ),
                name="analysis_until_after_run",
                violation_error_message="An analysis is held until a later run than the one that computed it.",
            ),
        ),
        migrations.AddIndex(
            model_name="bodyanalysis",
            index=models.Index(
                fields=["site", "until"], name="analysis_site_until_idx"
            ),
        ),
    ]
