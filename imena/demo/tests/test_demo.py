"""The demo loader end to end on a small simulated scenario: every app's part loads."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from imena.audit.models import AuditEntry
from imena.audit.services import audit_verify
from imena.demo.services import DEMO_USERS, demo_load
from imena.simulation import simulate


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    out = tmp_path_factory.mktemp("scenario")
    simulate(seed=3, out=out, graves=40)
    return out


@pytest.mark.django_db
def test_the_demo_loads_every_part_and_the_audit_chain_holds(scenario) -> None:
    result = demo_load(scenario_dir=scenario)
    assert result.created
    assert result.summary["graves"] == 40
    assert {u for u, _, _ in result.logins} == {u for u, _, _ in DEMO_USERS}
    for label in [
        "burials.Grave",
        "journals.JournalRow",
        "exhumations.Body",
        "missing.MissingPerson",
        "dna.DNAProfile",
        "families.PublicReport",
    ]:
        assert apps.get_model(label).objects.exists(), label
    assert audit_verify().ok

    # Loading again changes nothing.
    again = demo_load(scenario_dir=scenario)
    assert not again.created

    entry = AuditEntry.objects.order_by("seq")[1]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEntry._meta.db_table} SET action = %s WHERE id = %s",
            ["tampered", entry.pk],
        )
    result = audit_verify()  # type: ignore[assignment]
    assert not result.ok and result.bad_seq == entry.seq  # type: ignore[attr-defined]
    with pytest.raises(Exception, match=f"entry #{entry.seq}"):
        call_command("audit", "verify")


@pytest.mark.django_db
def test_loading_the_demo_shows_its_progress(scenario, capsys) -> None:
    demo_load(scenario_dir=scenario, progress=True, compute=False)
    err = capsys.readouterr().err
    assert "Loading the scenario" in err
    assert err.rstrip().endswith(")")  # the last step's bar is complete
