from __future__ import annotations

import shutil
import subprocess

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from imena.audit.services import history_for
from imena.identification import services
from imena.identification.models import Confirmation, IdentificationStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(candidate, users):
    # A recorded dental identification: primary, yet below the posterior threshold,
    # so the proposal is justified and the confirmation acknowledges it.
    return services.identification_propose(
        actor=users["forensic_examiner"],
        candidate=candidate,
        primary_identifier="dental",
        primary_reference="OD-2022-017",
        justification="Dental comparison by the odontologist identifies.",
    )


def test_proposer_cannot_confirm_own_proposal(proposal, users):
    with pytest.raises(PermissionDenied):
        services.identification_confirm(
            actor=users["forensic_examiner"], identification=proposal
        )
    proposal.refresh_from_db()
    assert proposal.status == IdentificationStatus.PROPOSED


def test_db_forbids_proposer_equal_reviewer(proposal, users):
    with pytest.raises(IntegrityError), transaction.atomic():
        Confirmation.objects.create(
            identification=proposal,
            proposer=users["forensic_examiner"],
            reviewer=users["forensic_examiner"],
        )


def test_second_person_confirms_and_statuses_follow(proposal, users):
    services.identification_confirm(
        actor=users["dna_analyst"], identification=proposal, acknowledge_warnings=True
    )
    proposal.refresh_from_db()
    assert proposal.status == IdentificationStatus.CONFIRMED
    assert proposal.confirmation.reviewer == users["dna_analyst"]
    proposal.person.refresh_from_db()
    assert proposal.person.status == "identified"
    grave = proposal.body.grave
    grave.refresh_from_db()
    assert grave.status == "identified"


def test_reject_needs_reason(proposal, users):
    with pytest.raises(ValidationError):
        services.identification_reject(
            actor=users["dna_analyst"], identification=proposal, reason=""
        )
    services.identification_reject(
        actor=users["dna_analyst"],
        identification=proposal,
        reason="dental chart of another person",
    )
    proposal.refresh_from_db()
    assert proposal.status == IdentificationStatus.REJECTED


def test_reopen_keeps_history_and_reopens_person(proposal, users):

    services.identification_confirm(
        actor=users["dna_analyst"], identification=proposal, acknowledge_warnings=True
    )
    services.identification_reopen(
        actor=users["investigator"],
        identification=proposal,
        reason="new DNA reference excludes",
    )
    proposal.refresh_from_db()
    assert proposal.status == IdentificationStatus.REOPENED
    proposal.person.refresh_from_db()
    assert proposal.person.status == "open"
    actions = [e.action for e in history_for(proposal)]
    assert "identification.confirm" in actions and "identification.reopen" in actions


def test_liaison_queue_and_notification(client, proposal, users):
    services.identification_confirm(
        actor=users["dna_analyst"], identification=proposal, acknowledge_warnings=True
    )
    client.force_login(users["family_liaison"])
    assert (
        proposal.person.case_no
        in client.get("/identification/liaison/").content.decode()
    )
    resp = client.post(
        f"/identification/identifications/{proposal.pk}/notify/",
        {
            "notified_by": "Зв'язкова",
            "notified_whom": "Шевченко Марія",
            "relationship": "wife",
            "notified_on": "2022-10-01T10:00",
            "method": "in_person",
            "notes": "",
        },
    )
    assert resp.status_code == 302
    assert (
        proposal.person.case_no
        not in client.get("/identification/liaison/").content.decode()
    )


def test_pdf_report_has_the_numbers(client, proposal, users, tmp_path):
    services.identification_confirm(
        actor=users["dna_analyst"], identification=proposal, acknowledge_warnings=True
    )
    client.force_login(users["investigator"])
    resp = client.get(f"/identification/identifications/{proposal.pk}/report.pdf")
    assert resp.status_code == 200
    assert resp.content.startswith(b"%PDF")
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(resp.content)
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert f"{proposal.posterior:.6f}" in text
        assert proposal.body.pm_number in text
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "p")], check=True
        )
        assert list(tmp_path.glob("p*.png"))


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_no_word_of_the_report_tables_is_split_across_lines(proposal, tmp_path, lang):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    from collections import Counter

    from imena.identification.pdf import identification_pdf

    # A long trait code in the narrow first column (it was cut mid-word).
    evidence = dict(proposal.evidence or {})
    evidence["evidence"] = [
        *evidence.get("evidence", []),
        {
            "kind": "physical",
            "lr": 2.5,
            "uk": "Порівняння зубної формули",
            "en": "Dental chart comparison",
            "traits": [{"trait": "odontological_comparison", "lr": 2.5}],
        },
    ]
    proposal.evidence = evidence
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(identification_pdf(proposal, lang=lang))
    lines = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    uk = lang == "uk"
    cells = ["Апостеріорна ймовірність", "Первинний ідентифікатор"] if uk else []
    cells += [proposal.body.pm_number, proposal.person.case_no]
    from django.utils import translation

    from imena.core.templatetags.numbers import decimals
    from imena.identification.templatetags.explanations import evidence_label

    with translation.override(lang):  # the PDF names kinds and traits by their labels
        texts = {
            text: decimals(text)  # and writes decimals as the language does
            for e in evidence["evidence"]
            for x in [e, *e.get("traits", [])]
            for text in [x.get("uk" if uk else "en") or ""]
        }
        labels = {
            key: evidence_label(key)
            for e in evidence["evidence"]
            for key in [e["kind"], *(t["trait"] for t in e.get("traits", []))]
        }
    for e in evidence["evidence"]:
        cells += [labels[e["kind"]], texts[e.get("uk" if uk else "en") or ""]]
        cells += [labels[t["trait"]] for t in e.get("traits", [])]
        cells += [texts[t.get("uk" if uk else "en") or ""] for t in e.get("traits", [])]
    wanted = Counter(w for cell in cells for w in cell.split())
    split = [w for w, n in wanted.items() if sum(ln.count(w) for ln in lines) < n]
    assert split == []
