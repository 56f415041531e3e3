"""DNA screening joins the identification app.

The models move from ``dna`` without moving data: the tables keep their
``dna_`` names (see ``dna/migrations/0003``), so only the migration state
changes.  Existing content types follow the models.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ["screeningrun", "screeningcandidate"]


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MOVED:
        if ContentType.objects.using(db).filter(
            app_label="identification", model=model
        ).exists():
            continue
        ContentType.objects.using(db).filter(app_label="dna", model=model).update(
            app_label="identification"
        )


def restore_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    ContentType.objects.using(db).filter(
        app_label="identification", model__in=MOVED
    ).update(app_label="dna")


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
        ("burials", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("dna", "0003_screening_moved_to_identification"),
        ("exhumations", "0001_initial"),
        ("identification", "0001_initial"),
        ("missing", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ScreeningRun',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('threshold', models.FloatField(default=10000.0, verbose_name='LR threshold')),
                        ('top_k', models.PositiveSmallIntegerField(default=5, verbose_name='candidates kept per body')),
                        ('dropout', models.FloatField(default=0.0, verbose_name='allele drop-out probability')),
                        ('theta', models.FloatField(default=0.0, verbose_name='theta (co-ancestry)')),
                        ('mutation', models.CharField(default='none', max_length=20, verbose_name='mutation model')),
                        ('mutation_rate', models.FloatField(default=0.0, verbose_name='mutation rate')),
                        ('bodies', models.PositiveIntegerField(default=0, verbose_name='bodies screened')),
                        ('families', models.PositiveIntegerField(default=0, verbose_name='families')),
                        ('missing_persons', models.PositiveIntegerField(default=0, verbose_name='missing persons')),
                        ('pairs', models.PositiveBigIntegerField(default=0, verbose_name='pairs compared')),
                        ('candidates', models.PositiveIntegerField(default=0, verbose_name='candidates kept')),
                        ('above_threshold', models.PositiveIntegerField(default=0, verbose_name='candidates above threshold')),
                        ('seconds', models.FloatField(default=0.0, verbose_name='seconds')),
                        ('status', models.CharField(choices=[('done', 'Done'), ('empty', 'Nothing to screen')], default='done', max_length=12, verbose_name='status')),
                        ('message', models.TextField(blank=True, verbose_name='message')),
                        ('warnings', models.JSONField(blank=True, default=list, verbose_name='warnings')),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.organisation', verbose_name='organisation')),
                        ('site', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='dna_screenings', to='burials.site', verbose_name='site')),
                        ('started_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='started by')),
                    ],
                    options={
                        'verbose_name': 'DNA screening',
                        'db_table': 'dna_screeningrun',
                        'verbose_name_plural': 'DNA screenings',
                        'ordering': ['-created', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='ScreeningCandidate',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('pm_label', models.CharField(max_length=40, verbose_name='post-mortem number')),
                        ('rank', models.PositiveSmallIntegerField(default=1, verbose_name='rank for the body')),
                        ('lr', models.FloatField(verbose_name='LR')),
                        ('log10_lr', models.FloatField(help_text='Over the consistent loci.', verbose_name='log10 LR')),
                        ('inconsistent', models.PositiveSmallIntegerField(default=0, verbose_name='inconsistent loci')),
                        ('per_marker', models.JSONField(default=dict, help_text='{"D3S1358": 2.5, ...}', verbose_name='LR per marker')),
                        ('body', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='exhumations.body', verbose_name='body')),
                        ('person', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='missing.missingperson', verbose_name='missing person')),
                        ('run', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='candidate_rows', to='identification.screeningrun', verbose_name='screening')),
                    ],
                    options={
                        'verbose_name': 'screening candidate',
                        'db_table': 'dna_screeningcandidate',
                        'verbose_name_plural': 'screening candidates',
                        'ordering': ['run', 'pm_label', 'rank'],
                    },
                ),
                migrations.AddIndex(
                    model_name='screeningrun',
                    index=models.Index(fields=['site', 'created'], name='dna_screeni_site_id_598a4d_idx'),
                ),
                migrations.AddConstraint(
                    model_name='screeningrun',
                    constraint=models.CheckConstraint(condition=models.Q(('status__in', ['done', 'empty'])), name='screeningrun_status_valid'),
                ),
                migrations.AddConstraint(
                    model_name='screeningrun',
                    constraint=models.CheckConstraint(condition=models.Q(('threshold__gt', 0)), name='screeningrun_threshold_positive'),
                ),
                migrations.AddConstraint(
                    model_name='screeningrun',
                    constraint=models.CheckConstraint(condition=models.Q(('dropout__gte', 0), ('dropout__lt', 1)), name='screeningrun_dropout_range'),
                ),
                migrations.AddConstraint(
                    model_name='screeningrun',
                    constraint=models.CheckConstraint(condition=models.Q(('theta__gte', 0), ('theta__lt', 1)), name='screeningrun_theta_range'),
                ),
                migrations.AddConstraint(
                    model_name='screeningcandidate',
                    constraint=models.UniqueConstraint(fields=('run', 'body', 'person'), name='screeningcandidate_unique_pair'),
                ),
                migrations.AddConstraint(
                    model_name='screeningcandidate',
                    constraint=models.CheckConstraint(condition=models.Q(('lr__gte', 0)), name='screeningcandidate_lr_nonnegative'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, restore_content_types),
    ]
