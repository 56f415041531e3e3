"""The worker's register (``services.Register``) reads again only the reports
that changed, and its person table equals one built from scratch (#13 item 3)."""

from __future__ import annotations

import numpy as np
import pytest

from imena.accounts.models import Organisation
from imena.burials.tests.factories import SiteFactory
from imena.identification import services
from imena.identification.engine import person_table
from imena.missing.models import MissingPerson
from imena.missing.tests.factories import make_person

pytestmark = pytest.mark.django_db


def _same_table(a: object, b: object) -> None:
    assert a.records == b.records  # type: ignore[attr-defined]
    # Each person's value of each trait (a table with records replaced may
    # keep a value no record has any longer among its keys).
    for trait, codes in a.codes.items():  # type: ignore[attr-defined]
        keys_a, keys_b = a.keys[trait], b.keys[trait]  # type: ignore[attr-defined]
        assert [keys_a[c] for c in codes.tolist()] == [
            keys_b[c]
            for c in b.codes[trait].tolist()  # type: ignore[attr-defined]
        ]
    for name in ("particulars", "particulars_asked", "dental", "clothing", "effects"):
        assert np.array_equal(getattr(a, name), getattr(b, name))


def test_a_changed_report_rebuilds_only_its_own_am_record(
    org: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    SiteFactory(organisation=org)  # changes are recorded per site
    for i in range(5):
        make_person(
            org, family_name=f"Особа{i}", given_names="Петро", birth_year=1970 + i
        )
    register = services.Register()
    shared = register.refresh(org)
    kept = {r.person_id: r for r in shared.table.records}
    services._ids_of(shared.persons, shared.person_inputs)  # (kept: updated below)
    person = MissingPerson.objects.filter(organisation=org).order_by("pk")[2]
    person.stature_cm = 181
    person.save()
    shared = register.refresh(org)
    _same_table(shared.table, person_table(shared.person_inputs))
    # The reports by id: those of the new lists (the changed one's new objects).
    objs, pins = services._ids_of(shared.persons, shared.person_inputs)
    assert set(objs) == set(pins) == {str(p.pk) for p in shared.persons}
    assert all(objs[str(p.pk)] is p for p in shared.persons)
    assert all(pins[p.person_id] is p for p in shared.person_inputs)
    for r in shared.table.records:
        # The same objects, but for the changed report.
        assert (r is kept[r.person_id]) == (r.person_id != str(person.pk))
    assert [
        r.stature_cm for r in shared.table.records if r.person_id == str(person.pk)
    ] == [181]
