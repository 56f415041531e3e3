"""Identification safeguards (issue #21, item 1): low posteriors and missing primary
identifiers need a justification, an explicit second confirmation, and leave the
identification presumptive."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from imena.audit.services import history_for
from imena.identification import services
from imena.identification.models import Candidate

pytestmark = pytest.mark.django_db

NOTIFY = {
    "notified_by": "Зв'язкова",
    "notified_whom": "Шевченко Марія",
    "relationship": "wife",
    "notified_on": "2022-10-01T10:00Z",
    "method": "in_person",
}


def test_a_weak_proposal_without_justification_is_refused_with_its_numbers(
    candidate, users
):
    Candidate.objects.filter(pk=candidate.pk).update(posterior=0.0157, lr_dna=1.0)
    candidate.refresh_from_db()
    with pytest.raises(ValidationError) as e:
        services.identification_propose(
            actor=users["forensic_examiner"], candidate=candidate
        )
    text = " ".join(e.value.messages)
    assert "0.0157" in text and "0.99" in text and "none of these" in text
    assert "No primary identifier" in text
    assert not candidate.analysis.body.identifications.exists()


def test_a_justified_proposal_keeps_warnings_and_is_presumptive(candidate, users):
    Candidate.objects.filter(pk=candidate.pk).update(posterior=0.5, lr_dna=1.0)
    candidate.refresh_from_db()
    ident = services.identification_propose(
        actor=users["forensic_examiner"],
        candidate=candidate,
        justification="Effects recognised by the family.",
    )
    assert ident.presumptive
    assert {w["code"] for w in ident.warnings} == {"low_posterior", "no_primary"}
    proposed = [e for e in history_for(ident) if e.action == "identification.propose"]
    assert proposed, "the proposal is audited"


def test_the_second_examiner_must_acknowledge_the_warnings(candidate, users):
    ident = services.identification_propose(
        actor=users["forensic_examiner"], candidate=candidate, justification="why"
    )
    with pytest.raises(ValidationError, match="explicitly"):
        services.identification_confirm(
            actor=users["dna_analyst"], identification=ident
        )
    ident.refresh_from_db()
    assert ident.status == "proposed"
    services.identification_confirm(
        actor=users["dna_analyst"], identification=ident, acknowledge_warnings=True
    )
    ident.refresh_from_db()
    assert ident.status == "confirmed"
    assert ident.confirmation.warnings_acknowledged
    confirm = [e for e in history_for(ident) if e.action == "identification.confirm"]
    assert confirm and json.loads(confirm[0].after)["warnings_acknowledged"] is True


@override_settings(IMENA_PROPOSE_MIN_POSTERIOR=0.99, IMENA_PRIMARY_DNA_LR=1e6)
def test_a_dna_identification_at_high_posterior_needs_nothing_more(candidate, users):
    Candidate.objects.filter(pk=candidate.pk).update(posterior=0.9995, lr_dna=1e9)
    candidate.refresh_from_db()
    ident = services.identification_propose(
        actor=users["forensic_examiner"], candidate=candidate
    )
    assert ident.primary_identifier == "dna" and not ident.warnings
    assert not ident.presumptive
    services.identification_confirm(actor=users["dna_analyst"], identification=ident)
    ident.refresh_from_db()
    assert ident.status == "confirmed"
    assert not ident.confirmation.warnings_acknowledged


def test_a_dental_identification_needs_its_report(candidate, users):
    with pytest.raises(ValidationError, match="comparison report"):
        services.identification_propose(
            actor=users["forensic_examiner"],
            candidate=candidate,
            primary_identifier="dental",
            justification="x",
        )


def test_a_presumptive_identification_is_not_notified_as_confirmed(
    client, candidate, users
):
    ident = services.identification_propose(
        actor=users["forensic_examiner"], candidate=candidate, justification="why"
    )
    services.identification_confirm(
        actor=users["dna_analyst"], identification=ident, acknowledge_warnings=True
    )
    ident.refresh_from_db()
    with pytest.raises(ValidationError, match="presumptive"):
        services.family_notification_record(
            actor=users["family_liaison"], identification=ident, **NOTIFY
        )
    assert not ident.notifications.exists()


def test_the_pdf_carries_the_warnings_and_the_justification(
    client, candidate, users, tmp_path
):
    ident = services.identification_propose(
        actor=users["forensic_examiner"],
        candidate=candidate,
        justification="Tattoo described by the sister.",
    )
    client.force_login(users["investigator"])
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(
        client.get(f"/identification/identifications/{ident.pk}/report.pdf").content
    )
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed")
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Tattoo described by the sister." in text
    assert "presumptive" in text and "Warnings when proposed" in text
