"""Missing-person reports and family references of a simulated scenario.

Reads ``missing/reports.json`` (the families' reports, AM/PM vocabulary keys)
and the ``am`` part of ``dna/case.json`` (reference families: pedigree and the
typed relatives' profiles). A report's ``dna.family_id`` names its family.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from imena.audit.services import audit_record
from imena.dna.uploads import families_from_case
from imena.lib.hashing import bytes_sha256
from imena.missing.bulk import (
    FamilyRow,
    ReportRow,
    families_bulk_import,
    missing_persons_bulk_create,
)
from imena.missing.services import clean_item

if TYPE_CHECKING:
    from imena.lib.scenario import ScenarioContext


def _date(value: Any) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _items(section: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for row in rows or []:
        try:
            out.append(clean_item(section, row))
        except ValidationError:
            continue  # a code outside the vocabulary: keep the report, drop the row
    return out


def report_fields(r: dict[str, Any]) -> dict[str, Any]:
    """Model fields of one simulator report."""
    birth = str(r.get("date_of_birth") or "")
    parts = [int(x) for x in birth.split("-") if x.isdigit()] if birth else []
    parts += [None] * (3 - len(parts))  # type: ignore[list-item]
    rp = r.get("reporting_person") or {}
    particulars = []
    for p in r.get("particulars") or []:
        particulars.append(
            {
                "kind": p.get("type") or p.get("kind"),
                "region": p.get("body_region"),
                "side": p.get("side"),
                "subtype": p.get("cause")
                or p.get("level")
                or (p.get("kind") if p.get("type") else None),
                "description": " ".join(
                    str(p[k])
                    for k in ("motif", "text", "limb", "length_cm")
                    if p.get(k)
                ),
            }
        )
    dental = r.get("dental") or {}
    clothing = [
        {
            "category": c.get("category"),
            "colours": [c["colour"]] if c.get("colour") else c.get("colours") or [],
            "pattern": c.get("pattern"),
            "material": c.get("material"),
            "size_eu": c.get("size_eu"),
            "label_text": c.get("kind") or c.get("label_text"),
        }
        for c in r.get("clothing") or []
    ]
    effects = [
        {
            "category": e.get("effect") or e.get("category"),
            "serial": e.get("serial"),
            "engraving": e.get("engraving"),
        }
        for e in r.get("effects") or []
    ]
    documents = [
        {"kind": d.get("type") or d.get("kind"), "number": d.get("number")}
        for d in r.get("identity_documents") or []
    ]
    return {
        "family_name": r.get("family_name") or "",
        "family_name_unknown": not r.get("family_name"),
        "given_names": r.get("given_names") or "",
        "patronymic": r.get("patronymic") or "",
        "aliases": "\n".join(r.get("aliases") or []),
        "sex": r.get("sex") if r.get("sex") in ("male", "female") else "unknown",
        "birth_year": parts[0],
        "birth_month": parts[1],
        "birth_day": parts[2],
        "last_seen_date": _date(r.get("last_seen_date")),
        "last_seen_place": (r.get("last_seen_place") or "")[:300],
        "circumstances": r.get("circumstances") or "unknown",
        "stature_cm": r.get("stature_cm"),
        "stature_source": r.get("stature_source") or "",
        "build": r.get("build") or "",
        "hair_colour": r.get("hair_colour") or "",
        "eye_colour": r.get("eye_colour") or "",
        "particulars": _items("particulars", particulars),
        "fractures": _items("fractures", r.get("fractures") or []),
        "dental_chart": _items(
            "dental_chart",
            [
                {**t, "surfaces": list(t.get("surfaces") or "")}
                for t in dental.get("chart") or []
            ],
        ),
        "dentist": dental.get("source") or "",
        "dental_as_of": str(dental.get("as_of") or ""),
        "clothing": _items("clothing", clothing),
        "effects": _items("effects", effects),
        "documents": _items("documents", documents),
        "reporter_name": rp.get("name") or "—",
        "reporter_relationship": rp.get("relationship") or "",
        "reporter_contact": rp.get("contact") or "",
        "consent_identification": True,
        "consent_dna": bool(r.get("dna")),
        "consent_publication": publication_consent(r),
    }


def publication_consent(r: dict[str, Any]) -> bool:
    """Whether the family agreed to publication (PFIF export, family search).

    The simulator's reports may say so (``consent_publication``); when they do
    not, one report in three consents, chosen from the case number so the
    same scenario always gives the same answer. Without any consent the demo's
    family search and PFIF export would have nothing to show.
    """
    if "consent_publication" in r:
        return bool(r["consent_publication"])
    key = str(r.get("am_case_no") or r.get("id") or "")
    if not key:
        return False
    return int(bytes_sha256(key.encode())[:8], 16) % 3 == 0


#: Who filed a report of the national register (``reporting_organisation``).
REPORTING_ORGANISATIONS = {
    "national_police": "National Police",
    "commissioner_missing_persons": "Commissioner for Persons Missing",
    "coordination_hq_pow": "Coordination Headquarters (prisoners of war)",
    "icrc_central_tracing": "ICRC Central Tracing Agency",
    "prosecutor_general": "Office of the Prosecutor General",
}


def load_scenario(context: ScenarioContext) -> None:
    """Reports and reference families through the bulk paths (``missing.bulk``):
    each batch is audited with the SHA-256 of every record, plus one summary
    entry per file."""
    data = context.read_json("missing/reports.json")
    if data is None:
        return
    reports = data["reports"] if isinstance(data, dict) else data
    actor = context.users.get("liaison") or context.actor
    source = str(context.directory / "missing/reports.json")
    rows = []
    family_of_case: dict[str, str] = {}
    for k, r in enumerate(reports, start=1):
        family_id = (r.get("dna") or {}).get("family_id")
        if family_id and r.get("am_case_no"):
            family_of_case[r["am_case_no"]] = str(family_id)
        fields = report_fields(r)
        org = r.get("reporting_organisation")
        if org:
            fields["description"] = "Reported by: " + REPORTING_ORGANISATIONS.get(
                org, str(org)
            )
        rows.append(
            ReportRow(
                row=f"report {k} ({r.get('am_case_no') or '?'})",
                fields=fields,
                case_no=r.get("am_case_no") or "",
            )
        )
    del data, reports
    result = missing_persons_bulk_create(
        actor=actor,
        organisation=context.organisation,
        rows=rows,
        source=source,
        action="scenario.missing_batch",
        progress=context.bar("missing-person reports"),
        propose_duplicates=False,
    )
    by_family: dict[str, Any] = {}
    for person in result.persons:
        family_id = family_of_case.get(person.case_no)
        if family_id:
            by_family[family_id] = person
    audit_record(
        actor=actor,
        action="scenario.load_missing",
        object_type="missing.scenario",
        object_repr="missing/reports.json",
        after={
            "reports": len(result.persons),
            "batches": result.audit_entries,
            "source": source,
        },
        organisation_id=context.organisation.pk,
    )
    context.summary["missing_reports"] = len(result.persons)
    path = context.directory / "dna" / "case.json"
    case = context.read_json("dna/case.json")
    if case is None:
        return
    digest = bytes_sha256(path.read_bytes())
    items = [
        FamilyRow(
            row=f"family {family.name}",
            person=by_family[family.name],
            family=family,
            consent_date=_consent_date(by_family[family.name].last_seen_date),
        )
        for family in families_from_case(case)
        if family.name in by_family
    ]
    del case
    result_f = families_bulk_import(
        actor=actor,
        organisation=context.organisation,
        items=items,
        source_format="dvi-json",
        source_sha256=digest,
        source=str(path),
        progress=context.bar("reference families"),
    )
    audit_record(
        actor=actor,
        action="scenario.load_references",
        object_type="missing.scenario",
        object_repr="dna/case.json",
        after={
            "families": result_f.families,
            "reference_profiles": result_f.profiles,
            "batches": result_f.audit_entries,
            "sha256": digest,
        },
        organisation_id=context.organisation.pk,
    )
    context.summary["reference_families"] = result_f.families
    context.summary["reference_profiles"] = result_f.profiles


def _consent_date(last_seen: dt.date | None) -> dt.date | None:
    """The simulator records no consent date: a reference given two months
    after the disappearance, never in the future."""
    if last_seen is None:
        return None
    return min(last_seen + dt.timedelta(days=60), timezone.localdate())
