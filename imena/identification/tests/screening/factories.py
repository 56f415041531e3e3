"""Small DNA fixtures: bodies with PM profiles, families with reference profiles."""

from __future__ import annotations

import datetime as dt
import random
from functools import cache
from typing import Any

from imena.dna.models import ProfileKind
from imena.dna.services import dna_profile_create
from imena.exhumations.models import Sample
from imena.exhumations.services import exhumation_create
from imena.missing.services import pedigree_member_add, reference_sample_create
from imena.missing.tests.factories import make_person
from kinship import load_frequency_table
from kinship.genemapper import canonical_locus

_frequency_table = cache(load_frequency_table)

LOCI = [
    "D3S1358", "VWA", "D16S539", "CSF1PO", "TPOX", "D8S1179", "D21S11", "D18S51",
    "D2S441", "D19S433", "TH01", "FGA", "D22S1045", "D5S818", "D13S317", "D7S820",
]  # fmt: skip


def random_alleles(rng: random.Random) -> dict[str, list[str]]:
    """One allele a locus, drawn from the norSTR frequencies."""
    table = _frequency_table()
    out = {}
    for locus in LOCI:
        m = table[canonical_locus(locus) or locus]
        out[locus] = rng.choices(list(m.alleles), weights=list(m.freqs), k=2)
    return out


def child_of(parent: dict[str, list[str]], rng: random.Random) -> dict[str, list[str]]:
    """A child's genotypes: one allele from ``parent``, one from the population."""
    other = random_alleles(rng)
    return {
        locus: sorted([rng.choice(parent[locus]), other[locus][0]], key=float)
        for locus in LOCI
    }


def add_bodies(grave: Any, actor: Any, pm_numbers: list[str]) -> list[Any]:
    ex = exhumation_create(
        actor=actor, grave=grave, date=dt.date(2022, 9, 16), team="Експерт",
        pm_numbers=pm_numbers, audit=False,
    )  # fmt: skip
    return list(ex.bodies.order_by("pm_number"))


def add_sample(body: Any, genotypes: dict[str, list[str]] | None, sex: int = 1) -> Any:
    sample = Sample.objects.create(
        organisation_id=body.organisation_id, body=body,
        sample_id=f"{body.pm_number}-S1", sample_type="bone", taken_by="Експерт",
        taken_on=dt.date(2022, 9, 16),
    )  # fmt: skip
    if genotypes is not None:
        sample.profile = dna_profile_create(
            actor=None, organisation=body.organisation, kind=ProfileKind.POST_MORTEM,
            label=sample.sample_id, genotypes=genotypes, sex=sex, audit=False,
        )  # fmt: skip
        sample.save(update_fields=["profile"])
    return sample


def add_family(
    org: Any,
    father_genotypes: dict[str, list[str]] | None,
    sample_id: str,
    **fields: Any,
) -> Any:
    """A missing son and his typed father (reference ``sample_id``)."""
    person = make_person(org, **fields)
    father = pedigree_member_add(
        actor=None, person=person, sex=1, name="Батько", relationship="father",
        member_id="FA", audit=False,
    )  # fmt: skip
    mp = person.pedigree.get(is_missing=True)
    mp.father = father
    mp.save(update_fields=["father"])
    reference_sample_create(
        actor=None, member=father, sample_id=sample_id, genotypes=father_genotypes,
        consent_scope=["dna"], consent_date=dt.date(2022, 10, 1), audit=False,
    )  # fmt: skip
    return person
