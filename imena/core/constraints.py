"""Database constraints reported at the form field they judge.

Django reports a violated ``CheckConstraint`` (and a ``UniqueConstraint`` over
several fields) as an error of the whole form, worded with the constraint's
name. A model with this mixin names, per constraint, the field whose input the
constraint judges; ``full_clean()`` (a ModelForm's validation, a service's)
then puts the constraint's ``violation_error_message`` at that field.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, router

if TYPE_CHECKING:
    _Base = models.Model
else:
    _Base = object


def constraint_field(model: type[models.Model], constraint: Any) -> str:
    """The field at which a violation of ``constraint`` is reported."""
    named = getattr(model, "constraint_fields", {}).get(constraint.name)
    if named:
        return str(named)
    fields: tuple[str, ...] = tuple(getattr(constraint, "fields", ()))
    return fields[0] if len(fields) == 1 else NON_FIELD_ERRORS


class FieldConstraintErrors(_Base):
    """Report each constraint's violation at the field ``constraint_fields`` names."""

    #: Constraint name -> the field its violation message is shown at.
    constraint_fields: ClassVar[dict[str, str]] = {}

    def validate_constraints(self, exclude: Any = None) -> None:
        using = router.db_for_write(self.__class__, instance=self)
        errors: dict[str, list[ValidationError]] = {}
        for model_class, constraints in self.get_constraints():
            for constraint in constraints:
                try:
                    constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as e:
                    field = constraint_field(model_class, constraint)
                    found = getattr(e, "error_list", None) or [
                        ValidationError(m) for m in e.messages
                    ]
                    errors.setdefault(field, []).extend(found)
        if errors:
            raise ValidationError(errors)
