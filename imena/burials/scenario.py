"""Sites and graves of a simulated scenario."""

from __future__ import annotations

from typing import TYPE_CHECKING

from imena.audit.services import audit_record
from imena.burials.models import Grave, GraveKind, Site

if TYPE_CHECKING:
    from imena.lib.scenario import ScenarioContext


def load_scenario(context: ScenarioContext) -> None:
    data = context.read_json("sites.json")
    if data is None:
        raise FileNotFoundError(f"{context.directory}/sites.json is missing")
    for site_data in data["sites"]:
        site = Site.objects.create(
            organisation=context.organisation,
            code=site_data["code"],
            name=site_data["name"],
            settlement=site_data.get("settlement", ""),
            region=site_data.get("region", ""),
            lat=site_data.get("lat"),
            lon=site_data.get("lon"),
            boundary=site_data.get("boundary"),
            description=site_data.get("description", ""),
        )
        context.sites[site.code] = site
        graves = []
        for i, g in enumerate(site_data["graves"], start=1):
            grave = Grave(
                site=site,
                ref=g.get("ref") or g.get("id") or Grave.make_ref(site.code, i),
                marker_text=g.get("marker", ""),
                kind=g.get("kind", GraveKind.INDIVIDUAL),
                bodies_expected=g.get("bodies_expected")
                or (
                    len(g["bodies"])
                    if g.get("kind") == GraveKind.MASS and g.get("bodies")
                    else None
                ),
                lat=g.get("lat"),
                lon=g.get("lon"),
                x=g.get("x"),
                y=g.get("y"),
                created_by=context.actor,
            )
            grave.derive_number()
            graves.append(grave)
        Grave.objects.bulk_create(graves, batch_size=1000)
        for grave in Grave.objects.filter(site=site):
            context.graves_by_ref[(site.code, grave.ref)] = grave
            context.graves_by_marker.setdefault((site.code, grave.marker_text), grave)
        # One entry for the whole bulk load keeps the chain short and still
        # names what was loaded and from where.
        audit_record(
            actor=context.actor,
            action="scenario.load_graves",
            obj=site,
            after={
                "graves": len(graves),
                "source": str(context.directory / "sites.json"),
            },
            organisation_id=context.organisation.pk,
        )
        context.summary["graves"] = context.summary.get("graves", 0) + len(graves)
    context.summary["sites"] = len(context.sites)
