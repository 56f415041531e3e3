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
    assert a.keys == b.keys  # type: ignore[attr-defined]
    for trait, codes in a.codes.items():  # type: ignore[attr-defined]
        assert np.array_equal(codes, b.codes[trait])  # type: ignore[attr-defined]
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
    person = MissingPerson.objects.filter(organisation=org).order_by("pk")[2]
    person.stature_cm = 181
    person.save()
    shared = register.refresh(org)
    _same_table(shared.table, person_table(shared.person_inputs))
    for r in shared.table.records:
        # The same objects, but for the changed report.
        assert (r is kept[r.person_id]) == (r.person_id != str(person.pk))
    assert [
        r.stature_cm for r in shared.table.records if r.person_id == str(person.pk)
    ] == [181]
