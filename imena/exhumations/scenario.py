"""Exhumations, bodies, post-mortem records and DNA samples of a simulated scenario.

Reads ``pm/findings.json`` and the ``pm`` part of ``dna/case.json`` (see
``docs/simulation.md``). Rows are bulk-created; the audit log gets one entry
for the whole load.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from imena.audit.services import audit_batch, audit_record
from imena.burials.models import Grave, GraveStatus
from imena.dna.bulk import ProfileRow, dna_profiles_bulk_create
from imena.dna.models import ProfileKind
from imena.exhumations.models import (
    Body,
    BodyItem,
    BodyKind,
    Exhumation,
    Injury,
    Particular,
    PostMortemRecord,
    Sample,
    SampleStatus,
    ToothFinding,
)
from imena.exhumations.services import (
    category_from_findings,
    expected_bodies_for_grave,
    journal_flag,
)
from imena.exhumations.vocab import codes, is_valid_fdi
from imena.lib.bulk import update_rows

if TYPE_CHECKING:
    from imena.lib.scenario import ScenarioContext

# The simulator's torture indicators -> the record's structured fields.
TORTURE_FIELDS = {
    "ligature_marks": "ligature_marks",
    "bound_hands": "bound_hands",
    "gunshot_wound": "gunshot_wounds",
    "gunshot_wounds": "gunshot_wounds",
    "blunt_force": "blunt_force",
    "fractures": "fractures",
    "burn_marks": "burn_marks",
}
# Simulator colours outside the shared colour list.
COLOUR_ALIASES = {"dark_blue": "blue", "olive": "khaki"}
PROFILE_STATUS = {
    "complete": SampleStatus.PROFILE,
    "degraded": SampleStatus.PARTIAL,
    "none": SampleStatus.FAILED,
}


def _code(key: str, value: Any) -> str:
    if value is None:
        return ""
    text = str(value).strip().replace(" ", "_")
    return text if text in codes(key) else ""


def _grave_index(context: ScenarioContext) -> dict[str, Grave]:
    sites = context.read_json("sites.json") or {"sites": []}
    out: dict[str, Grave] = {}
    for site in sites["sites"]:
        for i, g in enumerate(site["graves"], start=1):
            # The burials loader names a grave by its "ref", else its "id",
            # else its position; look it up the same way.
            for ref in (g.get("ref"), g.get("id"), Grave.make_ref(site["code"], i)):
                grave = context.graves_by_ref.get((site["code"], ref)) if ref else None
                if grave is not None:
                    out[str(g.get("id") or ref)] = grave
                    break
    return out


def _pm_record(body: Body, f: dict[str, Any]) -> PostMortemRecord:
    cod = f.get("cause_of_death") or {}
    if isinstance(cod, str):
        cod = {"category": cod, "text": cod}
    signs = set(f.get("torture_indicators") or [])
    restraints = f.get("restraints") or [{}]
    record = PostMortemRecord(
        body=body,
        sex=_code("sex_pm", f.get("sex")),
        sex_method=_code("sex_method", f.get("sex_method")),
        age_min=f.get("age_min"),
        age_max=f.get("age_max"),
        age_method=_code("age_method", f.get("age_method")),
        stature_min=f.get("stature_min"),
        stature_max=f.get("stature_max"),
        stature_formula=str(f.get("stature_formula") or "")[:60],
        build=_code("build", f.get("build")),
        hair_colour=_code("hair_colour", f.get("hair_colour")),
        eye_colour=_code("eye_colour", f.get("eye_colour")),
        preservation=_code("preservation", f.get("preservation")),
        cause_of_death=_code("cause_of_death", cod.get("category")),
        cause_of_death_text=str(cod.get("text") or "")[:300],
        manner_of_death=_code("manner_of_death", f.get("manner_of_death")),
        torture_indicators=["ligature_mark"] if "ligature_marks" in signs else [],
        restraint_material=_code("restraint_material", restraints[0].get("material")),
        restraint_location=_code("restraint_location", restraints[0].get("location")),
    )
    for sign in signs:
        if sign in TORTURE_FIELDS:
            setattr(record, TORTURE_FIELDS[sign], True)
    return record


def _rows(body: Body, f: dict[str, Any]) -> dict[str, list[Any]]:
    rows: dict[str, list[Any]] = defaultdict(list)
    for p in f.get("particulars") or []:
        kind = _code("particular_kind", p.get("type"))
        if not kind:
            continue
        details = [str(p[k]) for k in ("motif", "text", "limb") if p.get(k)]
        if p.get("length_cm"):
            details.append(f"{p['length_cm']} cm")
        rows["particulars"].append(
            Particular(
                body=body,
                kind=kind,
                region=_code("body_region", p.get("body_region")),
                side=_code("body_side", p.get("side")),
                subtype=str(p.get("cause") or p.get("level") or p.get("kind") or "")[
                    :30
                ],
                description=", ".join(details),
            )
        )
    for fr in f.get("fractures") or []:
        details = [str(fr.get("bone") or "")]
        if fr.get("year"):
            details.append(str(fr["year"]))
        rows["particulars"].append(
            Particular(
                body=body,
                kind="fracture",
                side=_code("body_side", fr.get("side")),
                subtype=_code("fracture_state", fr.get("timing")),
                description=" ".join(d for d in details if d),
            )
        )
    chart = (f.get("dental") or {}).get("chart") or []
    for t in chart:
        if not is_valid_fdi(t.get("tooth")):
            continue
        rows["teeth"].append(
            ToothFinding(
                body=body,
                tooth=int(t["tooth"]),
                status=_code("tooth_status", t.get("status")) or "no_information",
                restoration=_code("restoration", t.get("restoration")),
                surfaces=str(t.get("surfaces") or "")[:8],
                crown=_code("crown", t.get("crown")),
                bridge=_code("bridge", t.get("bridge")),
                implant=_code("dental_implant", t.get("implant")),
            )
        )
    for c in f.get("clothing") or []:
        colour = COLOUR_ALIASES.get(c.get("colour"), c.get("colour"))
        rows["items"].append(
            BodyItem(
                body=body,
                kind="clothing",
                category=_code("clothing_category", c.get("category")) or "footwear",
                colours=[colour] if colour in codes("colour") else [],
                pattern=_code("pattern", c.get("pattern")),
                material=_code("material", c.get("material")),
                size_eu=c.get("size_eu"),
                description=str(c.get("kind") or ""),
            )
        )
    for e in f.get("effects") or []:
        rows["items"].append(
            BodyItem(
                body=body,
                kind="effect",
                category=_code("effect", e.get("effect")) or "other",
                material=str(e.get("material") or "")[:30],
                label_text=str(e.get("engraving") or e.get("make") or "")[:200],
            )
        )
    for d in f.get("documents") or []:
        location = str(d.get("location_on_body") or "")
        rows["items"].append(
            BodyItem(
                body=body,
                kind="document",
                category=_code("identity_document", d.get("type")) or "other",
                serial=str(d.get("number") or "")[:80],
                name_on_item=str(d.get("name") or "")[:200],
                location_on_body=_code("location_on_body", location)
                or ("grave_fill" if "grave fill" in location else ""),
            )
        )
    for i in f.get("injuries") or []:
        rows["injuries"].append(
            Injury(
                body=body,
                region=_code("injury_region", i.get("region")) or "torso_front",
                side=_code("body_side", i.get("side")),
                mechanism=_code("injury_mechanism", i.get("mechanism")),
                timing=_code("injury_timing", i.get("timing")),
                gunshot_wound=_code("gunshot_wound", i.get("wound")),
            )
        )
    return rows


def load_scenario(context: ScenarioContext) -> None:

    data = context.read_json("pm/findings.json")
    if not data:
        return
    findings = data.get("findings") or []
    dna = context.read_json("dna/case.json") or {}
    pm_profiles: dict[str, Any] = dna.get("pm") or {}
    graves = _grave_index(context)
    org = context.organisation
    actor = context.actor
    by_grave: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for f in findings:
        if f.get("grave_id") in graves and f.get("pm_case_no"):
            by_grave[f["grave_id"]].append(f)
    team = (
        "\n".join(
            u.get_full_name() or u.username
            for key, u in context.users.items()
            if key in ("recorder", "examiner")
        )
        or "—"
    )

    exhumations: dict[str, Exhumation] = {}
    for gid, rows in by_grave.items():
        grave = graves[gid]
        expected = expected_bodies_for_grave(grave)
        date = min(dt.date.fromisoformat(r["exhumation_date"]) for r in rows)
        exhumations[gid] = Exhumation(
            organisation=org,
            grave=grave,
            date=date,
            team=team,
            bodies_found=len(rows),
            bodies_expected=expected,
            journal_flag=journal_flag(expected, len(rows)),
            created_by=actor,
        )
    Exhumation.objects.bulk_create(exhumations.values(), batch_size=500)

    bodies: list[tuple[Body, dict[str, Any]]] = []
    for gid, rows in by_grave.items():
        ex = exhumations[gid]
        for f in rows:
            bodies.append(
                (
                    Body(
                        organisation=org,
                        exhumation=ex,
                        grave=ex.grave,
                        pm_number=f["pm_case_no"],
                        marker_text=ex.grave.marker_text,
                        kind=BodyKind.BODY,
                        created_by=actor,
                        # From what was found on the body only, never from truth.json.
                        category=category_from_findings(
                            f.get("clothing") or [], f.get("documents") or []
                        ),
                    ),
                    f,
                )
            )
    Body.objects.bulk_create([b for b, _f in bodies], batch_size=500)

    records, particulars, teeth, items, injuries, samples = [], [], [], [], [], []
    for body, f in bodies:
        records.append(_pm_record(body, f))
        rows = _rows(body, f)  # type: ignore[assignment]
        particulars += rows["particulars"]  # type: ignore[call-overload]
        teeth += rows["teeth"]  # type: ignore[call-overload]
        items += rows["items"]  # type: ignore[call-overload]
        injuries += rows["injuries"]  # type: ignore[call-overload]
        ds = f.get("dna_sample") or {}
        element = ds.get("element") or ""
        samples.append(
            Sample(
                organisation=org,
                body=body,
                sample_id=f"{body.pm_number}-S1",
                sample_type="tooth"
                if element == "tooth"
                else (_code("pm_sample", ds.get("pm_sample")) or "bone"),
                bone_element=_code("bone_element", element),
                taken_by=team.splitlines()[0],
                taken_on=body.exhumation.date,
                lab="DNA laboratory (simulated)",
                status=PROFILE_STATUS.get(ds.get("profile"), SampleStatus.SENT),  # type: ignore[arg-type]
                created_by=actor,
            )
        )
    PostMortemRecord.objects.bulk_create(records, batch_size=500)
    Particular.objects.bulk_create(particulars, batch_size=1000)
    ToothFinding.objects.bulk_create(teeth, batch_size=1000)
    BodyItem.objects.bulk_create(items, batch_size=1000)
    Injury.objects.bulk_create(injuries, batch_size=1000)
    Sample.objects.bulk_create(samples, batch_size=500)

    with_profile = []
    profile_rows = []
    for sample in samples:
        entry = pm_profiles.get(sample.body.pm_number)
        if not entry or sample.status == SampleStatus.FAILED:
            continue
        profile_rows.append(
            ProfileRow(
                row=f"PM profile {sample.body.pm_number}",
                label=sample.sample_id,
                genotypes=entry.get("genotypes") or {},
                sex=int(entry.get("sex") or 0),
                lab=sample.lab,
                ystr=entry.get("ystr") or {},
                mtdna=entry.get("mtdna") or {},
            )
        )
        with_profile.append(sample)
    stored = dna_profiles_bulk_create(
        actor=actor,
        organisation=org,
        kind=ProfileKind.POST_MORTEM,
        rows=profile_rows,
        source_format="dvi-json",
        source=str(context.directory / "dna/case.json"),
        progress=context.bar("post-mortem profiles"),
    )
    for sample, profile in zip(with_profile, stored.profiles, strict=True):
        sample.profile = profile
        if sample.status not in (SampleStatus.PROFILE, SampleStatus.PARTIAL):
            sample.status = SampleStatus.PROFILE
    update_rows(with_profile, ["profile", "status"])
    source = str(context.directory / "pm/findings.json")
    stored_records: list[list[Any]] = [[b for b, _f in bodies], records, samples]
    for batch in stored_records:
        for start in range(0, len(batch), 1000):
            audit_batch(
                actor=actor,
                action="scenario.postmortem_batch",
                records=batch[start : start + 1000],
                source=source,
                organisation_id=org.pk,
            )

    grave_ids = [g.grave_id for g in exhumations.values()]
    Grave.objects.filter(pk__in=grave_ids).update(status=GraveStatus.AT_MORGUE)
    audit_record(
        actor=actor,
        action="scenario.load_postmortem",
        object_type="exhumations.exhumation",
        object_repr="simulated exhumations",
        after={
            "exhumations": len(exhumations),
            "bodies": len(bodies),
            "samples": len(samples),
            "profiles": len(with_profile),
            "source": str(context.directory / "pm/findings.json"),
        },
        organisation_id=org.pk,
    )
    context.summary["exhumations"] = len(exhumations)
    context.summary["bodies"] = len(bodies)
    context.summary["bodies_military"] = sum(
        1 for b, _f in bodies if b.category == "military"
    )
    context.summary["pm_samples"] = len(samples)
    context.summary["pm_profiles"] = len(with_profile)
