"""Bodies typed only for Y-STR or mtDNA are not in the (autosomal) screening,
and the screening says so with their count."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from imena.dna.models import DNAProfile
from imena.identification.models import ScreeningRun
from imena.identification.screening import lineage_only_bodies
from imena.identification.services import screening_run, screening_run_national

pytestmark = pytest.mark.django_db

HAPLOTYPE = {"DYS391": ["10"], "DYS19": ["14"], "DYS390": ["24"]}


def make_lineage_only(sample: Any, **lineage: Any) -> None:
    DNAProfile.objects.filter(pk=sample.profile_id).update(
        genotypes={}, loci_typed=0, **lineage
    )


def test_a_lineage_only_body_is_counted_as_not_screened(
    client, small_case, site, analyst
) -> None:
    first, second = small_case["samples"][:2]
    make_lineage_only(first, ystr=HAPLOTYPE)
    # Autosomal and Y-STR: screened, not counted.
    DNAProfile.objects.filter(pk=second.profile_id).update(ystr=HAPLOTYPE)
    run = screening_run(actor=analyst, site=site)
    assert run.bodies == 3
    assert not run.candidate_rows.filter(body=small_case["bodies"][0]).exists()
    client.force_login(analyst)
    with translation.override("en"):
        page = client.get(run.get_absolute_url()).content.decode()
    assert "Not screened" in page
    assert "1 body: lineage profile only" in page and "IZM-PM-0001" in page
    with translation.override("uk"):
        page = client.get(run.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="uk")
    assert "Не в скринінгу" in page.content.decode()


def test_a_run_with_no_lineage_only_body_says_nothing_of_them(
    client, small_case, site, analyst
) -> None:
    run = screening_run(actor=analyst, site=site)
    client.force_login(analyst)
    assert "lineage-only" not in client.get(run.get_absolute_url()).content.decode()


def test_a_national_run_counts_them_on_every_site(
    small_case, org, site, analyst
) -> None:
    make_lineage_only(small_case["samples"][3], mtdna={"variants": "263G"})
    assert lineage_only_bodies(organisation_id=org.pk) == ["IZM-PM-0004"]
    assert lineage_only_bodies(organisation_id=org.pk, site=site) == ["IZM-PM-0004"]
    run = screening_run_national(actor=analyst, organisation=org)
    assert run.bodies == 3


def test_a_site_of_lineage_only_bodies_says_why_it_cannot_be_screened(
    small_case, site, analyst
) -> None:
    for sample in small_case["samples"]:
        make_lineage_only(sample, ystr=HAPLOTYPE)
    with (
        translation.override("en"),
        pytest.raises(ValidationError, match="4 bodies have a lineage profile only"),
    ):
        screening_run(actor=analyst, site=site)
    assert not ScreeningRun.objects.exists()
