"""DNA screening moved to the identification app; its tables stay where they are."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("dna", "0002_screening"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="ScreeningCandidate"),
                migrations.DeleteModel(name="ScreeningRun"),
            ],
            database_operations=[],
        ),
    ]
