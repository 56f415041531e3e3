from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imena.dna.models import DNAProfile
from imena.exhumations import services
from imena.exhumations.models import Sample

CSV = (
    "Sample Name,Marker,Allele 1,Allele 2\n"
    "IZM-PM-0001-S1,D3S1358,15,16\n"
    "IZM-PM-0001-S1,TH01,6,\n"
    "IZM-PM-0001-S1,FGA,21,24\n"
)


@pytest.fixture
def sample(body, recorder):
    return services.sample_create(
        actor=recorder,
        body=body,
        sample_id="IZM-PM-0001-S1",
        sample_type="bone",
        bone_element="femur",
        taken_by="Експерт",
        taken_on=body.exhumation.date,
        lab="Kyiv DNA lab",
    )


@pytest.mark.django_db
def test_the_recorder_records_a_sample_with_an_fdi_tooth(
    client, body, recorder
) -> None:
    client.force_login(recorder)
    response = client.post(
        reverse("exhumations:sample_create", args=[body.pk]),
        {
            "sample_id": "IZM-PM-0001-T1",
            "sample_type": "tooth",
            "tooth": 47,
            "taken_by": "Експерт",
            "taken_on": "2022-09-17",
            "status": "collected",
        },
    )
    assert response.status_code == 302
    assert Sample.objects.get().tooth == 47


@pytest.mark.django_db
def test_a_sample_tooth_outside_fdi_is_refused(client, body, recorder) -> None:
    client.force_login(recorder)
    response = client.post(
        reverse("exhumations:sample_create", args=[body.pk]),
        {
            "sample_id": "X",
            "sample_type": "tooth",
            "tooth": 99,
            "taken_by": "E",
            "taken_on": "2022-09-17",
            "status": "collected",
        },
    )
    assert "99 is not an FDI tooth number" in response.content.decode()
    assert not Sample.objects.exists()


@pytest.mark.django_db
def test_a_dna_analyst_attaches_a_genemapper_csv_profile(client, sample, users) -> None:
    client.force_login(users["dna_analyst"])
    response = client.post(
        reverse("exhumations:sample_profile", args=[sample.pk]),
        {"file": SimpleUploadedFile("run1.csv", CSV.encode())},
    )
    assert response.status_code == 302
    sample.refresh_from_db()
    profile = sample.profile
    assert profile.kind == "pm" and profile.label == "IZM-PM-0001-S1"
    assert profile.genotypes["TH01"] == ["6", "6"] and profile.loci_typed == 3
    assert sample.status == "profile"


@pytest.mark.django_db
def test_a_dna_analyst_attaches_a_profile_from_the_dvi_json_format(
    client, sample, users
) -> None:
    data = {"pm": {"IZM-PM-0001": {"sex": 1, "genotypes": {"VWA": ["16", "17"]}}}}
    client.force_login(users["dna_analyst"])
    client.post(
        reverse("exhumations:sample_profile", args=[sample.pk]),
        {"file": SimpleUploadedFile("case.json", json.dumps(data).encode())},
    )
    sample.refresh_from_db()
    assert sample.profile.sex == 1
    assert sample.profile.genotypes == {"vWA": ["16", "17"]}  # the norSTR spelling


@pytest.mark.django_db
def test_a_profile_file_with_three_alleles_is_refused(client, sample, users) -> None:
    bad = CSV.replace("Allele 2\n", "Allele 2,Allele 3\n").replace("21,24", "21,24,25")
    client.force_login(users["dna_analyst"])
    response = client.post(
        reverse("exhumations:sample_profile", args=[sample.pk]),
        {"file": SimpleUploadedFile("run1.csv", bad.encode())},
    )
    assert "3 alleles" in response.content.decode()
    assert not DNAProfile.objects.exists()


@pytest.mark.django_db
def test_a_field_recorder_may_not_attach_a_profile(client, sample, recorder) -> None:
    client.force_login(recorder)
    response = client.post(
        reverse("exhumations:sample_profile", args=[sample.pk]),
        {"file": SimpleUploadedFile("run1.csv", CSV.encode())},
    )
    assert response.status_code == 403
