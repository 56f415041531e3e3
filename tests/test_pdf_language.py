"""#22 item 6: every text of the prosecutor's PDF in the PDF's language.

Labels are translated when the PDF is written; stored descriptions are printed
as they were written. Evidence accepted from a field draft by a reviewer whose
screen is in English must not put English sentences into a Ukrainian PDF.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.test import TestCase
from django.utils import translation

from imena.accounts.models import Role
from imena.burials import services as burials
from imena.burials.tests.factories import SiteFactory
from imena.evidence.models import EvidenceItem
from imena.odk import services as odk
from imena.odk.tests.factories import (
    basic,
    instance_xml,
    photo,
    real_jpeg,
    token_for,
    xml_file,
)

pytestmark = pytest.mark.django_db


def exhumation_draft(client, users, site, grave):
    odk.xform_publish()
    form = odk.xforms_current()["imena_exhumation"]
    recorder = users[Role.FIELD_RECORDER]
    fields = (
        f"<site>{site.code}</site><grave>{grave.pk}</grave>"
        "<exhumation_date>2025-05-02</exhumation_date><team>Олена К.</team>"
        "<grave_type>individual</grave_type><commingling>none</commingling>"
        "<body><body_no>IZM-PM-0901</body_no><body_kind>body</body_kind>"
        "<preservation>skeletonised</preservation>"
        "<body_photo>body1.jpg</body_photo></body>"
        "<grave_photo><photo>grave1.jpg</photo><caption>до розкриття</caption>"
        "</grave_photo><deviceid>collect:xyz</deviceid>"
    )
    xml = instance_xml(form.form_id, form.version, fields, "uuid:pdf-language")
    # the files go into the store when the request's transaction commits
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            "/submission",
            {
                "xml_submission_file": xml_file(xml),
                "body1.jpg": photo("body1.jpg", real_jpeg((1, 2, 3))),
                "grave1.jpg": photo("grave1.jpg", real_jpeg((9, 8, 7))),
            },
            HTTP_AUTHORIZATION=basic(recorder.username, token_for(recorder)),
        )
    assert response.status_code == 201, response.content
    return odk.Submission.objects.get(instance_id="uuid:pdf-language")


def pdf_text(site, tmp_path, lang: str) -> str:
    out = tmp_path / f"summary-{lang}.pdf"
    call_command(
        "report", "site", site.code, "--format", "pdf", "--lang", lang, "--out", out
    )
    return subprocess.run(
        ["pdftotext", str(out), "-"], check=True, capture_output=True, timeout=60
    ).stdout.decode()


def test_evidence_from_a_field_draft_reads_in_the_pdfs_language(
    client, users, org, tmp_path
) -> None:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    examiner = users[Role.FORENSIC_EXAMINER]
    site = SiteFactory(organisation=org, code="IZM", name="Лісове кладовище")
    grave = burials.grave_create(actor=examiner, site=site, marker_text="№ 12")  # type: ignore[arg-type]
    draft = exhumation_draft(client, users, site, grave)
    with (
        translation.override("en"),  # the reviewer's screen is in English
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        odk.submission_accept(actor=examiner, submission=draft)

    body_photo = EvidenceItem.objects.get(body__pm_number="IZM-PM-0901")
    grave_photo = EvidenceItem.objects.exclude(pk=body_photo.pk).get()
    # Descriptions hold what a person wrote; Imena's own words and the
    # submission go on the first custody entry.
    assert (body_photo.description, grave_photo.description) == ("", "до розкриття")
    first = body_photo.custody.get(seq=1)
    assert "in situ" in first.notes and "uuid:pdf-language" in first.notes

    uk = " ".join(pdf_text(site, tmp_path, "uk").split())
    assert "тіло IZM-PM-0901" in uk
    assert "до розкриття" in uk  # as written
    for english in ("in situ", "From field submission", "Photo", "body IZM"):
        assert english not in uk
    en = " ".join(pdf_text(site, tmp_path, "en").split())
    assert "Photo · body IZM-PM-0901" in en
    assert "до розкриття" in en  # not translated
