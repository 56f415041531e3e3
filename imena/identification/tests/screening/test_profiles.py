"""Profile pages: audited views, uploads with bad input, permissions."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import make_user
from imena.audit.models import AuditEntry
from imena.dna.models import DNAProfile
from imena.missing.models import ReferenceSample

pytestmark = pytest.mark.django_db

CSV_OK = (
    "Sample Name,Marker,Allele 1,Allele 2\n"
    "IZM-PM-0001-S1,D3S1358,15,16\n"
    "IZM-PM-0001-S1,vWA,17,\n"
    "IZM-PM-0001-S1,AMEL,X,Y\n"
    "IZM-PM-0002-S1,D3S1358,14,15\n"
    "IZM-PM-0002-S1,TH01,9.3,9.3\n"
)


def _upload(client, kind: str, name: str, content: str):
    return client.post(
        reverse("dna:profile_upload"),
        {"kind": kind, "file": SimpleUploadedFile(name, content.encode("utf-8"))},
    )


def test_opening_a_profile_is_audited(client, small_case, analyst) -> None:
    profile = small_case["samples"][0].profile
    client.force_login(analyst)
    before = AuditEntry.objects.filter(action="dna.profile.view").count()
    page = client.get(reverse("dna:profile_detail", args=[profile.pk]))
    assert page.status_code == 200
    assert "D3S1358" in page.content.decode()
    entries = AuditEntry.objects.filter(action="dna.profile.view")
    assert entries.count() == before + 1
    entry = entries.latest("seq")
    assert entry.object_id == str(profile.pk) and entry.actor == analyst


@pytest.mark.parametrize(
    "role", ["forensic_examiner", "investigator", "field_recorder", "family_liaison"]
)
def test_other_roles_get_403_for_profiles(client, small_case, users, role) -> None:
    profile = small_case["samples"][0].profile
    client.force_login(users[role])
    assert (
        client.get(reverse("dna:profile_detail", args=[profile.pk])).status_code == 403
    )
    assert client.get(reverse("dna:profile_upload")).status_code == 403
    assert _upload(client, "pm", "p.csv", CSV_OK).status_code == 403
    assert not AuditEntry.objects.filter(action="dna.profile.view").exists()


def test_an_outsider_analyst_gets_404_for_a_profile(client, small_case, other_org):

    profile = small_case["samples"][0].profile
    client.force_login(make_user(other_org, "dna_analyst", "other-analyst"))
    assert (
        client.get(reverse("dna:profile_detail", args=[profile.pk])).status_code == 404
    )


def test_a_genemapper_csv_stores_pm_profiles_and_warns_of_unknown_loci(
    client, small_case, analyst
) -> None:
    client.force_login(analyst)
    old = small_case["samples"][0].profile
    response = _upload(client, "pm", "run.csv", CSV_OK)
    assert response.status_code == 302
    sample = small_case["samples"][0]
    sample.refresh_from_db()
    new = sample.profile
    assert new.pk != old.pk and new.supersedes_id == old.pk
    assert new.genotypes == {"D3S1358": ["15", "16"], "vWA": ["17", "17"]}
    assert new.source_format == "genemapper-csv" and len(new.source_sha256) == 64
    page = client.get(reverse("dna:index"))
    assert "AMEL" in page.content.decode()  # the warning is listed


def test_three_alleles_are_refused_naming_sample_and_locus(
    client, small_case, analyst
) -> None:
    client.force_login(analyst)
    before = DNAProfile.objects.count()
    bad = CSV_OK.replace("IZM-PM-0002-S1,TH01,9.3,9.3", "IZM-PM-0002-S1,TH01,6,7,9.3")
    bad = bad.replace("Allele 2\n", "Allele 2,Allele 3\n", 1)
    response = _upload(client, "pm", "run.csv", bad)
    assert response.status_code == 400
    html = response.content.decode()
    assert "IZM-PM-0002-S1" in html and "TH01" in html and "3 alleles" in html
    assert DNAProfile.objects.count() == before


def test_an_unknown_sample_stores_nothing(client, small_case, analyst) -> None:
    client.force_login(analyst)
    before = DNAProfile.objects.count()
    response = _upload(client, "pm", "run.csv", CSV_OK + "IZM-PM-9999-S1,TH01,6,7\n")
    assert response.status_code == 400
    assert "IZM-PM-9999-S1" in response.content.decode()
    # The two good samples of the same file were not stored either.
    assert DNAProfile.objects.count() == before


def test_a_non_allele_value_is_refused(client, small_case, analyst) -> None:
    client.force_login(analyst)
    response = _upload(client, "pm", "run.csv", CSV_OK.replace("15,16", "15,OL"))
    assert response.status_code == 400
    assert "IZM-PM-0001-S1" in response.content.decode()
    assert "D3S1358" in response.content.decode()


def test_invalid_json_is_refused(client, small_case, analyst) -> None:
    client.force_login(analyst)
    response = _upload(client, "reference", "refs.json", '{"am": ')
    assert response.status_code == 400
    assert "invalid JSON" in response.content.decode()


def test_a_dvi_json_stores_reference_profiles(client, small_case, analyst) -> None:

    client.force_login(analyst)
    data = {
        "am": {
            "F1": {
                "id": ["REF-1", "MP"], "fid": [None, "REF-1"], "mid": [None, None],
                "sex": [1, 1],
                "genotypes": {"REF-1": {"D3S1358": [15, 16], "PENTA_D": "9/12",
                                        "DYS391": [10, 10]}},
            }
        }
    }  # fmt: skip
    response = _upload(client, "reference", "refs.json", json.dumps(data))
    assert response.status_code == 302
    ref = ReferenceSample.objects.get(sample_id="REF-1")
    assert ref.profile.genotypes == {"D3S1358": ["15", "16"], "Penta D": ["9", "12"]}  # type: ignore[union-attr]
    assert ref.profile.kind == "reference" and ref.profile.sex == 1  # type: ignore[union-attr]
    assert AuditEntry.objects.filter(action="dna.profile.attach").exists()


def test_a_json_with_three_alleles_names_sample_and_locus(
    client, small_case, analyst
) -> None:
    client.force_login(analyst)
    data = {"pm": {"IZM-PM-0001-S1": {"sex": 1, "genotypes": {"FGA": [20, 21, 22]}}}}
    response = _upload(client, "pm", "pm.json", json.dumps(data))
    assert response.status_code == 400
    html = response.content.decode()
    assert "IZM-PM-0001-S1" in html and "FGA" in html
