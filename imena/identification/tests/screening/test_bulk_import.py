"""`imena import profiles`: a profile file through the bulk path, all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from imena.audit.models import AuditEntry
from imena.audit.services import audit_batch_check, audit_verify
from imena.dna.models import DNAProfile
from imena.identification.tests.screening.test_profiles import CSV_OK

pytestmark = pytest.mark.django_db


def test_a_genemapper_csv_is_stored_in_audited_batches(
    small_case, org, tmp_path: Path, capsys
) -> None:
    path = tmp_path / "run.csv"
    path.write_text(CSV_OK, encoding="utf-8")
    old = small_case["samples"][0].profile
    call_command(
        "import",
        "profiles",
        str(path),
        "--kind",
        "pm",
        "--organisation",
        org.code,
        "--no-progress",
    )
    assert "Stored 2 pm profiles from run.csv" in capsys.readouterr().out
    sample = small_case["samples"][0]
    sample.refresh_from_db()
    assert sample.profile.supersedes_id == old.pk
    assert sample.profile.genotypes == {"D3S1358": ["15", "16"], "vWA": ["17", "17"]}
    for action in ("dna.profile.bulk_create", "dna.profile.bulk_attach"):
        entry = AuditEntry.objects.get(action=action)
        assert audit_batch_check(entry) == []
    assert audit_verify().ok


def test_an_unknown_sample_stores_nothing_and_is_named(
    small_case, org, tmp_path: Path
) -> None:
    path = tmp_path / "run.csv"
    path.write_text(CSV_OK + "IZM-PM-9999-S1,TH01,6,7\n", encoding="utf-8")
    before = DNAProfile.objects.count()
    with pytest.raises(CommandError, match=r"profile 3 \(IZM-PM-9999-S1\)"):
        call_command(
            "import",
            "profiles",
            str(path),
            "--kind",
            "pm",
            "--organisation",
            org.code,
            "--no-progress",
        )
    assert DNAProfile.objects.count() == before
