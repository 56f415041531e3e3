"""DNA fixtures: a small case (bodies with PM profiles, reference families) and a
small simulated scenario."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from imena.burials.models import GraveKind
from imena.burials.tests.factories import GraveFactory, SiteFactory
from imena.identification.tests.screening.factories import (
    add_bodies,
    add_family,
    add_sample,
    child_of,
    random_alleles,
)
from imena.lib.scenario import ScenarioContext, load_scenario
from imena.simulation import simulate


@pytest.fixture(scope="session")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small simulated scenario (seed 1, 30 graves), written once per session."""

    out = tmp_path_factory.mktemp("sim1")
    simulate(seed=1, out=out, graves=30)
    return out


@pytest.fixture
def scenario(simulated: Path, org: Any, users: dict[str, Any]) -> dict[str, Any]:
    """The simulated scenario loaded through every app's loader."""

    context = ScenarioContext(
        directory=simulated,
        organisation=org,
        actor=users["forensic_examiner"],
        users={"dna": users["dna_analyst"]},
    )
    summary = load_scenario(context)
    truth = json.loads((simulated / "truth.json").read_text("utf-8"))
    return {"context": context, "summary": summary, "truth": truth}


@pytest.fixture
def analyst(users: dict[str, Any]) -> Any:
    return users["dna_analyst"]


@pytest.fixture
def site(org: Any) -> Any:
    return SiteFactory(organisation=org, code="izm", name="Лісове кладовище")


@pytest.fixture
def grave(site: Any) -> Any:
    return GraveFactory(site=site, marker_text="№ 12а", bodies_expected=1)


@pytest.fixture
def small_case(
    org: Any, site: Any, grave: Any, users: dict[str, Any]
) -> dict[str, Any]:
    """Four bodies (one grave of one, a mass grave of three) and four families.

    Bodies IZM-PM-0001..0003 are sons of the fathers of families 1..3; body
    IZM-PM-0004 belongs to nobody; family 4 has no body here.
    """

    rng = random.Random(7)
    actor = users["forensic_examiner"]
    mass = GraveFactory(site=site, marker_text="БН", kind=GraveKind.MASS)
    bodies = add_bodies(grave, actor, ["IZM-PM-0001"]) + add_bodies(
        mass, actor, ["IZM-PM-0002", "IZM-PM-0003", "IZM-PM-0004"]
    )
    fathers = [random_alleles(rng) for _ in range(4)]
    families = [
        add_family(org, fathers[i], f"REF-{i + 1}", given_names=f"Син{i + 1}")
        for i in range(4)
    ]
    samples = []
    for i, body in enumerate(bodies):
        genotypes = child_of(fathers[i], rng) if i < 3 else random_alleles(rng)
        samples.append(add_sample(body, genotypes))
    return {
        "bodies": bodies,
        "families": families,
        "samples": samples,
        "mass": mass,
        "truth": {bodies[i].pk: families[i].pk for i in range(3)},
    }
