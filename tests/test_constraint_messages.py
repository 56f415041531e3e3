"""Every database constraint is reported at a field, in both languages (#21 item 2).

A violated constraint is a ``ValidationError`` from ``full_clean()`` (run by
every ModelForm and by the services), keyed by the field the model's
``constraint_fields`` names, worded by the constraint's
``violation_error_message``; never the default "Constraint … is violated."
above the form, and never an IntegrityError.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import translation

from imena.core.constraints import FieldConstraintErrors


def imena_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m.__module__.startswith("imena.")]


CONSTRAINTS = [(m, c) for m in imena_models() for c in m._meta.constraints]
UNIQUE_FIELDS = [
    (m, f)
    for m in imena_models()
    for f in m._meta.concrete_fields
    if f.unique and not f.primary_key
]


def referenced(node: Any) -> Iterator[str]:
    """The model fields a constraint's condition or expression mentions."""
    if isinstance(node, Q):
        for child in node.children:
            if isinstance(child, tuple):
                yield child[0].split("__")[0]
                yield from referenced(child[1])
            else:
                yield from referenced(child)
    elif isinstance(node, F):
        yield str(node.name).split("__")[0]  # type: ignore[attr-defined]


def fields_of(constraint: Any) -> set[str]:
    names = set(getattr(constraint, "fields", ()))
    names |= set(referenced(getattr(constraint, "condition", None)))
    return names - {"pk"}


def in_both(text: Callable[[], Any]) -> tuple[str, str]:
    """``text()`` rendered in English and in Ukrainian."""
    with translation.override("en"):
        en = str(text())
    with translation.override("uk"):
        uk = str(text())
    return en, uk


def test_the_walk_finds_the_constraints() -> None:
    assert len(CONSTRAINTS) > 80
    assert {m._meta.app_label for m, _ in CONSTRAINTS} >= {
        "burials",
        "exhumations",
        "missing",
        "identification",
        "journals",
    }


@pytest.mark.parametrize(
    ("model", "constraint"), CONSTRAINTS, ids=[c.name for _, c in CONSTRAINTS]
)
def test_a_violation_is_a_translated_message_at_a_field(
    model: type[models.Model], constraint: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert issubclass(model, FieldConstraintErrors)
    field = model.constraint_fields.get(constraint.name)
    assert field, f"{model.__name__}.constraint_fields lacks {constraint.name}"
    model._meta.get_field(field)
    # Only a field the constraint judges: a form without it skips the check.
    assert field in fields_of(constraint), (field, fields_of(constraint))

    en, uk = in_both(constraint.get_violation_error_message)
    assert constraint.name not in en and "violated" not in en
    assert uk != en, f"not translated: {en!r}"

    def violated(*args: Any, **kwargs: Any) -> None:
        raise ValidationError(
            constraint.get_violation_error_message(),
            code=constraint.violation_error_code,
        )

    monkeypatch.setattr(constraint, "validate", violated)
    monkeypatch.setattr(model, "get_constraints", lambda self: [(model, [constraint])])
    for language, text in (("en", en), ("uk", uk)):
        with translation.override(language), pytest.raises(ValidationError) as e:
            model().validate_constraints()
        assert e.value.message_dict == {field: [text]}


@pytest.mark.parametrize(
    ("model", "field"),
    UNIQUE_FIELDS,
    ids=[f"{m.__name__}.{f.name}" for m, f in UNIQUE_FIELDS],
)
def test_a_unique_field_has_a_translated_message(
    model: type[models.Model], field: Any
) -> None:
    # Django reports these at the field itself, worded with both labels.
    error = model().unique_error_message(model, (field.name,))
    assert error.code == "unique"
    en, uk = in_both(lambda: str(error.message) % error.params)
    assert uk != en
    for label in (model._meta.verbose_name, field.verbose_name):
        label_en, label_uk = in_both(lambda label=label: label)  # type: ignore[misc]
        assert label_uk != label_en, f"not translated: {label_en!r}"
