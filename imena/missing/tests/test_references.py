from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import make_user
from imena.accounts.models import Role
from imena.audit.models import AuditEntry
from imena.dna.models import DNAProfile
from imena.dna.uploads import ProfileFileError, families_from_case, parse_profile_file
from imena.missing import services
from imena.missing.models import ReferenceSample
from imena.missing.records import family_as_case_dict
from imena.missing.tests.factories import make_person
from kinship.case import case_from_dict
from tests.paths import DVI_EXAMPLES

DVI = DVI_EXAMPLES

GM_LONG = """Sample Name,Marker,Allele 1,Allele 2,Allele 3
REF-1,D3S1358,15,16,
REF-1,vWA,17,,
REF-1,Penta D,9,12,
REF-1,AMEL,X,Y,
REF-1,DYS999,5,,
"""


def _parse(text: str, filename: str = "file"):
    return parse_profile_file(io.BytesIO(text.encode()), filename=filename)


def test_genemapper_long_format_is_read_and_unknown_loci_warned() -> None:
    parsed = _parse(GM_LONG, filename="ref.csv")
    (p,) = parsed.profiles.values()
    # Loci get their norSTR spelling, which the kinship statistics look up.
    assert p["genotypes"] == {
        "D3S1358": ["15", "16"],
        "vWA": ["17", "17"],
        "Penta D": ["9", "12"],
    }
    assert p["sex"] == 1
    assert any("DYS999" in w for w in parsed.warnings)


def test_genemapper_wide_format_is_read() -> None:
    text = "Sample Name\tTH01\tFGA\nA\t6/9.3\t20,22\nB\t7\t\n"
    parsed = _parse(text)
    a, b = parsed.profiles["A"], parsed.profiles["B"]
    assert a["genotypes"] == {"TH01": ["6", "9.3"], "FGA": ["20", "22"]}
    assert b["genotypes"] == {"TH01": ["7", "7"]}


def test_three_alleles_is_an_error_naming_sample_and_locus() -> None:
    with pytest.raises(ProfileFileError, match="sample REF-2, locus TH01"):
        _parse(
            "Sample Name,Marker,Allele 1,Allele 2,Allele 3\nREF-2,TH01,6,7,9.3\n",
            filename="mix.csv",
        )


@pytest.fixture
def person(org, liaison):
    return make_person(org, liaison)


@pytest.mark.django_db
def test_liaison_uploads_a_reference_sample_and_a_profile_is_created(
    client, person, liaison
) -> None:
    brother = services.pedigree_member_add(
        actor=liaison, person=person, sex=1, relationship="full_sibling", name="Брат"
    )
    client.force_login(liaison)
    upload = SimpleUploadedFile("ref.csv", GM_LONG.encode(), content_type="text/csv")
    client.post(
        reverse("missing:sample_add", args=[person.pk]),
        {
            "member": brother.pk,
            "sample_id": "REF-1",
            "consent_scope": ["dna"],
            "consent_date": "2023-01-05",
            "profile_file": upload,
        },
    )
    sample = ReferenceSample.objects.get()
    assert sample.profile.kind == "reference"  # type: ignore[union-attr]
    assert sample.profile.loci_typed == 3  # type: ignore[union-attr]
    # The liaison officer sees that a profile is on file, not the genotypes.
    body = client.get(person.get_absolute_url()).content.decode()
    assert "profile on file" in body and "PENTA_D" not in body
    assert (
        client.get(reverse("missing:sample_profile", args=[sample.pk])).status_code
        == 403
    )


@pytest.mark.django_db
def test_a_dna_analyst_sees_the_profile_and_the_view_is_audited(
    client, person, liaison, analyst
) -> None:
    member = services.pedigree_member_add(
        actor=liaison,
        person=person,
        sex=2,
        relationship="mother",
        parent_of=person.pedigree.get(is_missing=True),
    )
    sample = services.reference_sample_create(
        actor=liaison,
        member=member,
        sample_id="REF-M",
        genotypes={"TH01": ["6", "9.3"]},
        consent_scope=["dna"],
        consent_date=dt.date(2023, 1, 1),
    )
    client.force_login(analyst)
    body = client.get(
        reverse("missing:sample_profile", args=[sample.pk])
    ).content.decode()
    assert "9.3" in body
    assert (
        AuditEntry.objects.filter(action="dna.profile.view", actor=analyst).count() == 1
    )


@pytest.mark.django_db
def test_an_outsider_cannot_see_a_profile(client, person, liaison, other_org) -> None:

    member = services.pedigree_member_add(actor=liaison, person=person, sex=1)
    sample = services.reference_sample_create(
        actor=liaison,
        member=member,
        sample_id="REF-X",
        genotypes={"TH01": ["6", "7"]},
        consent_scope=["dna"],
        consent_date=dt.date(2023, 1, 1),
    )
    client.force_login(make_user(other_org, Role.DNA_ANALYST, "other-dna"))
    assert (
        client.get(reverse("missing:sample_profile", args=[sample.pk])).status_code
        == 404
    )


@pytest.mark.django_db
def test_a_bad_genemapper_upload_stores_nothing(client, person, liaison) -> None:
    member = services.pedigree_member_add(actor=liaison, person=person, sex=1)
    client.force_login(liaison)
    upload = SimpleUploadedFile(
        "mix.csv",
        b"Sample Name,Marker,Allele 1,Allele 2,Allele 3\nREF-9,TH01,6,7,9.3\n",
    )
    response = client.post(
        reverse("missing:sample_add", args=[person.pk]),
        {
            "member": member.pk,
            "sample_id": "REF-9",
            "consent_scope": ["dna"],
            "consent_date": "2023-01-05",
            "profile_file": upload,
        },
        follow=True,
    )
    assert "sample REF-9, locus TH01" in response.content.decode()
    assert ReferenceSample.objects.count() == 0 and DNAProfile.objects.count() == 0


@pytest.mark.django_db
def test_a_profile_needs_consent_to_dna_analysis(person, liaison) -> None:
    member = services.pedigree_member_add(actor=liaison, person=person, sex=1)
    with pytest.raises(ValidationError, match="consent"):
        services.reference_sample_create(
            actor=liaison,
            member=member,
            sample_id="R",
            genotypes={"TH01": ["6", "7"]},
            consent_scope=["identification"],
        )


@pytest.mark.django_db
def test_withdrawing_consent_withdraws_the_profile(person, liaison) -> None:
    member = services.pedigree_member_add(actor=liaison, person=person, sex=1)
    sample = services.reference_sample_create(
        actor=liaison,
        member=member,
        sample_id="R",
        genotypes={"TH01": ["6", "7"]},
        consent_scope=["dna"],
        consent_date=dt.date(2023, 1, 1),
    )
    services.reference_sample_withdraw_consent(
        actor=liaison, sample=sample, reason="the donor asked"
    )
    sample.refresh_from_db()
    assert sample.profile.withdrawn and not sample.consent_active  # type: ignore[union-attr]
    assert family_as_case_dict(person)["genotypes"] == {}


@pytest.mark.django_db
def test_a_person_cannot_be_their_own_ancestor(person, liaison) -> None:
    mp = person.pedigree.get(is_missing=True)
    father = services.pedigree_member_add(
        actor=liaison, person=person, sex=1, relationship="father", parent_of=mp
    )
    with pytest.raises(ValidationError, match="cycle"):
        services.pedigree_member_set_parents(
            actor=liaison, member=father, father=mp, mother=None
        )
    with pytest.raises(ValidationError, match="own parent"):
        services.pedigree_member_set_parents(
            actor=liaison, member=father, father=father, mother=None
        )


@pytest.mark.django_db
def test_a_pedigree_converts_to_the_kinship_case_format(person, liaison) -> None:
    mp = person.pedigree.get(is_missing=True)
    fa = services.pedigree_member_add(
        actor=liaison, person=person, sex=1, relationship="father", parent_of=mp
    )
    mo = services.pedigree_member_add(
        actor=liaison, person=person, sex=2, relationship="mother", parent_of=mp
    )
    sib = services.pedigree_member_add(
        actor=liaison,
        person=person,
        sex=2,
        father=fa,
        mother=mo,
        relationship="full_sibling",
    )
    services.reference_sample_create(
        actor=liaison,
        member=sib,
        sample_id="S1",
        genotypes={"TH01": ["6", "7"]},
        consent_scope=["dna"],
        consent_date=dt.date(2023, 1, 1),
    )
    fam = family_as_case_dict(person)
    assert fam["fid"][fam["id"].index("MP")] == fa.member_id
    assert fam["genotypes"] == {sib.member_id: {"TH01": ["6", "7"]}}
    case = case_from_dict(
        {
            "markers": [{"name": "TH01", "alleles": ["6", "7"], "afreq": [0.5, 0.5]}],
            "pm": {},
            "am": {"F": fam},
            "missing": ["MP"],
        }
    )
    assert case.missing_family == {"MP": "F"}


@pytest.mark.django_db
def test_a_dvi_examples_family_imports_onto_a_report(person, liaison) -> None:
    data = json.loads((DVI / "example2.json").read_text())
    families = families_from_case(data)
    fam = next(f for f in families if f.name == "F1")  # M1 and M2 are both missing
    with pytest.raises(ValidationError, match="which member"):
        services.family_import_case(actor=liaison, person=person, family=fam)
    services.family_import_case(
        actor=liaison,
        person=person,
        family=fam,
        missing_id="M1",
        consent_date=dt.date(2023, 1, 1),
    )
    out = family_as_case_dict(person)
    assert sorted(out["id"]) == sorted(fam.ids)
    assert out["missing"] == "M1"
    assert set(out["genotypes"]) == {k for k, v in fam.genotypes.items() if v}


def test_a_cyclic_case_file_is_refused() -> None:
    data = {
        "am": {
            "F": {
                "id": ["a", "b"],
                "fid": ["b", "a"],
                "mid": [None, None],
                "sex": [1, 1],
                "genotypes": {},
            }
        },
        "missing": ["a"],
    }
    with pytest.raises(ProfileFileError, match="cycle"):
        families_from_case(data)
