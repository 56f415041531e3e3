"""Report tests build on the burials factories; a site with graves in every state."""

from __future__ import annotations

import datetime as dt

from imena.burials import services
from imena.burials.models import GraveKind, GraveStatus, Site
from imena.burials.tests.factories import GraveFactory, SiteFactory
from imena.exhumations import services as ex
from imena.exhumations.models import PostMortemRecord

__all__ = ["GraveFactory", "SiteFactory", "populated_site"]


def populated_site(org, actor, *, code: str = "izm", graves: int = 12) -> Site:
    """A synthetic site: numbered graves on a grid, one mass grave, one withdrawn."""
    site = services.site_create(
        actor=actor,
        organisation=org,
        code=code,
        name="Лісове кладовище",
        settlement="Ізюм",
        region="Харківська область",
        lat=49.19,
        lon=37.28,
    )
    statuses = list(GraveStatus.values)
    for i in range(1, graves + 1):
        services.grave_create(
            actor=actor,
            site=site,
            marker_text=f"№ {i}",
            x=(i % 6) * 2.5,
            y=(i // 6) * 3.0,
            lat=49.19 + i * 1e-5,
            lon=37.28 + i * 1e-5,
            status=statuses[i % len(statuses)],
            audit=False,
        )
    services.grave_create(
        actor=actor,
        site=site,
        marker_text="Братська могила",
        kind=GraveKind.MASS,
        bodies_expected=17,
        x=20.0,
        y=4.0,
        lat=49.1902,
        lon=37.2806,
        status=GraveStatus.EXHUMED,
        audit=False,
    )
    services.grave_create(actor=actor, site=site, marker_text="БН", audit=False)
    withdrawn = services.grave_create(
        actor=actor, site=site, marker_text="№ 999", x=1, y=1
    )
    services.grave_withdraw(actor=actor, grave=withdrawn, reason="Registered twice")
    return site


def add_bodies(site: Site, actor) -> list:
    """Exhume two graves of the site and record synthetic post-mortem findings."""

    graves = list(site.graves.filter(withdrawn=False).order_by("ref")[:2])
    ex1 = ex.exhumation_create(
        actor=actor,
        grave=graves[0],
        date=dt.date(2022, 9, 16),
        team="Team A",
        pm_numbers=["IZM-PM-0001"],
        audit=False,
    )
    ex2 = ex.exhumation_create(
        actor=actor,
        grave=graves[1],
        date=dt.date(2022, 9, 17),
        team="Team A",
        pm_numbers=["IZM-PM-0002", "IZM-PM-0003"],
        audit=False,
    )
    bodies = [*ex1.bodies.order_by("pm_number"), *ex2.bodies.order_by("pm_number")]
    PostMortemRecord.objects.filter(body=bodies[0]).update(
        sex="probable_male",
        age_min=25,
        age_max=37,
        cause_of_death="gunshot",
        manner_of_death="homicide",
        bound_hands=True,
        gunshot_wounds=True,
    )
    PostMortemRecord.objects.filter(body=bodies[1]).update(
        sex="female",
        age_min=60,
        age_max=70,
        cause_of_death="undetermined",
        manner_of_death="undetermined",
    )
    return bodies
