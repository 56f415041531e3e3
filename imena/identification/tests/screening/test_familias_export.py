"""A reference family downloaded as a Familias .fam file (issue 18 item 5)."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.urls import reverse

from conftest import make_user
from imena.audit.models import AuditEntry
from imena.identification.screening import canonical_genotypes
from imena.missing.services import pedigree_member_add
from kinship.familias import fam_to_case, parse_fam

pytestmark = pytest.mark.django_db


def test_an_analyst_downloads_the_family_and_the_download_is_audited(
    client, small_case, analyst
) -> None:
    person = small_case["families"][0]
    client.force_login(analyst)
    page = client.get(reverse("missing:person_detail", args=[person.pk]))
    url = reverse("dna:family_fam", args=[person.pk])
    assert url in page.content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Cache-Control"] == "no-store"
    case = fam_to_case(parse_fam(response.content))
    (family,) = case.families.values()
    father = person.pedigree.get(member_id="FA")
    profile = father.samples.get().profile
    assert family.genotypes["FA"] == {
        k: tuple(v)
        for k, v in canonical_genotypes(profile.genotypes).items()
        if k in case.markers
    }
    (missing,) = case.missing
    assert family.pedigree.father[family.pedigree.index(missing)] == (
        family.pedigree.index("FA")
    )
    assert "Батько" not in response.content.decode("ascii")  # codes, not names
    entry = AuditEntry.objects.filter(action="dna.family.export_fam").latest("seq")
    assert entry.actor == analyst and entry.object_id == str(person.pk)
    assert (
        json.loads(entry.after)["sha256"]
        == hashlib.sha256(response.content).hexdigest()
    )


@pytest.mark.parametrize(
    "role", ["forensic_examiner", "investigator", "field_recorder", "family_liaison"]
)
def test_other_roles_get_403_for_the_family_file(
    client, small_case, users, role
) -> None:
    person = small_case["families"][0]
    client.force_login(users[role])
    url = reverse("dna:family_fam", args=[person.pk])
    assert client.get(url).status_code == 403
    page = client.get(reverse("missing:person_detail", args=[person.pk]))
    assert url not in page.content.decode()
    assert not AuditEntry.objects.filter(action="dna.family.export_fam").exists()


def test_an_outsider_analyst_gets_404_for_the_family_file(
    client, small_case, other_org
) -> None:
    person = small_case["families"][0]
    client.force_login(make_user(other_org, "dna_analyst", "other-analyst"))
    assert client.get(reverse("dna:family_fam", args=[person.pk])).status_code == 404
    assert client.post(reverse("dna:family_fam", args=[person.pk])).status_code in (
        404,
        405,
    )


def test_a_family_familias_cannot_hold_gives_a_message_not_a_file(
    client, small_case, analyst
) -> None:
    person = small_case["families"][0]
    pedigree_member_add(
        actor=None, person=person, sex=0, relationship="", member_id="SB",
        audit=False,
    )  # fmt: skip
    client.force_login(analyst)
    response = client.get(reverse("dna:family_fam", args=[person.pk]), follow=True)
    assert response.redirect_chain[0][0] == person.get_absolute_url()
    assert "cannot be written as a Familias file" in response.content.decode()
    assert "unknown sex" in response.content.decode()
    assert not AuditEntry.objects.filter(action="dna.family.export_fam").exists()
