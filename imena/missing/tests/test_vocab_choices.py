"""The missing-person models take their choices from the shared vocabulary."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import translation

from imena.lib.vocab import VocabChoices
from imena.missing.models import MissingPerson

VOCAB_FIELDS = {
    ("missingperson", "sex"),
    ("missingperson", "circumstances"),
    ("missingperson", "stature_source"),
    ("missingperson", "build"),
    ("missingperson", "handedness"),
    ("missingperson", "hair_colour"),
    ("missingperson", "hair_length"),
    ("missingperson", "hair_style"),
    ("missingperson", "facial_hair"),
    ("missingperson", "eye_colour"),
    ("pedigreemember", "relationship"),
    ("referencesample", "reference_kind"),
    ("referencesample", "direct_source"),
}


def test_no_model_field_holds_a_copied_vocabulary_list() -> None:
    found = set()
    for model in apps.get_app_config("missing").get_models():
        for field in model._meta.concrete_fields:
            choices = field.deconstruct()[3].get("choices")
            if isinstance(choices, VocabChoices):
                found.add((model._meta.model_name, field.name))
    assert found == VOCAB_FIELDS


def test_labels_follow_the_language() -> None:
    person = MissingPerson(build="slight")
    with translation.override("en"):
        english = person.get_build_display()
    with translation.override("uk"):
        ukrainian = person.get_build_display()
    assert english != ukrainian and ukrainian == "худорлява"


@pytest.mark.django_db
def test_dropping_the_copied_lists_changes_no_table() -> None:
    loader = MigrationLoader(connection)
    before = loader.project_state(("missing", "0005_withdrawable")).apps
    after = loader.project_state(("missing", "0006_vocab_choices")).apps
    editor = connection.schema_editor(collect_sql=True)  # not entered: no SQL run
    for model_name, name in VOCAB_FIELDS:
        old = before.get_model("missing", model_name)._meta.get_field(name)
        new = after.get_model("missing", model_name)._meta.get_field(name)
        assert isinstance(old.choices, list)  # the copied list
        assert not editor._field_should_be_altered(old, new), name  # type: ignore[attr-defined]
