from __future__ import annotations

from typing import Any

from imena.missing.models import MissingPerson
from imena.missing.services import missing_person_create


def make_person(org: Any, actor: Any = None, **fields: Any) -> MissingPerson:
    """A report through the service (so names are derived and indexed)."""
    defaults: dict[str, Any] = {
        "family_name": "Шевченко",
        "given_names": "Олександр",
        "patronymic": "Іванович",
        "sex": "male",
        "birth_year": 1975,
        "birth_month": 3,
        "birth_day": 14,
        "reporter_name": "Шевченко Марія Петрівна",
        "reporter_relationship": "wife",
    }
    defaults.update(fields)
    return missing_person_create(actor=actor, organisation=org, **defaults)
