"""Plain records for identification: the AM record and the family's case JSON."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from imena.missing.models import MissingPerson, PedigreeMember, ReferenceSample


def am_record_as_dict(person: MissingPerson) -> dict[str, Any]:
    """The AM record in the vocabulary keys ``matching.records.AMRecord`` accepts."""
    age = person.age_range()
    particulars = [
        {
            k: p.get(k)
            for k in ("kind", "region", "side", "subtype", "serial")
            if p.get(k) not in (None, "")
        }
        | {"description": p.get("description", "")}
        for p in person.particulars
    ]
    for f in person.fractures:
        particulars.append(
            {
                "kind": "fracture",
                "side": f.get("side"),
                "description": " ".join(
                    str(x) for x in (f.get("bone"), f.get("year")) if x
                ),
            }
        )
    dental: dict[int, dict[str, Any]] = {}
    for t in person.dental_chart:
        row: dict[str, Any] = {"status": t["status"]}
        for k in ("restoration", "crown"):
            if t.get(k):
                row[k] = t[k]
        if t.get("surfaces"):
            row["surfaces"] = list(t["surfaces"])
        if t.get("endodontics"):
            row["endodontics"] = list(t["endodontics"])
        dental[int(t["tooth"])] = row
    clothing = [
        {
            k: c[k]
            for k in (
                "category",
                "colours",
                "pattern",
                "material",
                "size_eu",
                "label_text",
            )
            if c.get(k) not in (None, "", [])
        }
        for c in person.clothing
    ]
    effects = [
        {
            "category": e["category"],
            **({"serial": e["serial"]} if e.get("serial") else {}),
            **({"label_text": e["engraving"]} if e.get("engraving") else {}),
        }
        for e in person.effects
    ]
    documents = [
        {"kind": d["kind"], "number": d.get("number") or None, "name": person.full_name}
        for d in person.documents
    ]
    return {
        "am_case_no": person.case_no,
        "family_name": person.family_name,
        "given_names": person.given_names,
        "patronymic": person.patronymic,
        "sex_am": person.sex if person.sex in ("male", "female") else None,
        "age_am": list(age) if age else None,
        "stature_am": float(person.stature_cm) if person.stature_cm else None,
        "stature_source": person.stature_source or None,
        "build": person.build or None,
        "hair_colour": person.hair_colour or None,
        "eye_colour": person.eye_colour or None,
        "particulars": particulars,
        "particulars_asked": person.particulars_asked,
        "dental": dental,
        "clothing": clothing,
        "effects": effects,
        "documents": documents,
    }


def family_as_case_dict(
    person: MissingPerson, *, withdrawn: bool = False
) -> dict[str, Any]:
    """The family in the kinship case JSON ``am`` format.

    ``{"id": [...], "fid": [...], "mid": [...], "sex": [...], "genotypes": {...},
    "missing": "<member id>"}``, and ``"ystr"``/``"mtdna"`` ``{member: ...}``
    when a reference has lineage markers; only current profiles with active consent are
    included unless ``withdrawn`` is True.
    """
    return families_as_case_dicts([person.pk], withdrawn=withdrawn)[person.pk]


#: Persons per query in ``families_as_case_dicts`` (SQLite allows 32,766
#: parameters in one statement; the national register has 55,000 persons).
CHUNK = 5000


def families_as_case_dicts(
    person_ids: Sequence[int], *, withdrawn: bool = False
) -> dict[int, dict[str, Any]]:
    """``family_as_case_dict`` of many persons in two queries per ``CHUNK``.

    Every id in ``person_ids`` gets a dict (an empty family when it has no
    pedigree). At national scale one query per family took minutes.
    """
    members_of: dict[int, list[PedigreeMember]] = {pk: [] for pk in person_ids}
    samples_of: dict[int, list[ReferenceSample]] = defaultdict(list)
    ids = list(members_of)
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        for m in (
            PedigreeMember.objects.filter(person_id__in=chunk)
            .select_related("father", "mother")
            .order_by("pk")
        ):
            members_of[m.person_id].append(m)
        for s in (
            ReferenceSample.objects.filter(
                member__person_id__in=chunk,
                profile__isnull=False,
                reference_kind="kinship",
            )
            .select_related("profile")
            .order_by("pk")
        ):
            samples_of[s.member_id].append(s)
    out = {}
    # One string object per locus name and allele value: 90,000 profiles hold
    # the same few hundred strings (a sixth of a report's memory otherwise).
    strings: dict[str, str] = {}

    def one(value: Any) -> Any:
        return strings.setdefault(value, value) if type(value) is str else value

    for pk, members in members_of.items():
        genotypes: dict[str, dict[str, list[str]]] = {}
        lineage: dict[str, dict[str, Any]] = {}
        for m in members:
            for s in samples_of.get(m.pk, ()):
                p = s.profile
                assert p is not None
                if not withdrawn and (p.withdrawn or not s.consent_active):
                    continue
                if p.genotypes:
                    genotypes[m.member_id] = {
                        one(k): [one(a) for a in v] for k, v in p.genotypes.items()
                    }
                for kind, value in p.lineage_json().items():
                    lineage.setdefault(kind, {})[m.member_id] = value
        missing = next((m.member_id for m in members if m.is_missing), None)
        out[pk] = {
            "id": [m.member_id for m in members],
            "fid": [m.father.member_id if m.father else None for m in members],
            "mid": [m.mother.member_id if m.mother else None for m in members],
            "sex": [m.sex for m in members],
            "genotypes": genotypes,
            "missing": missing,
            # Y-STR and mtDNA (issue 18): {member: value}, only when typed.
            **lineage,
        }
    return out
