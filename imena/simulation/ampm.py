"""Ante-mortem reports from families and post-mortem findings per body."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from .names import FEMALE, MALE, SURNAMES, uk_patronymic
from .noise import typo
from .world import EXHUMATION, Person, World

_STREETS = (
    "вул. Садова",
    "вул. Центральна",
    "вул. Шкільна",
    "вул. Миру",
    "вул. Польова",
    "вул. Лісна",
    "вул. Весняна",
    "вул. Калинова",
    "пров. Тихий",
    "вул. Вишнева",
)
_PLACES = ("Ізюм", "Ізюм", "Ізюм", "с. Кам'янка", "с. Віщине", "Ізюмський район")
_RELATIONS_OLD = (
    "son",
    "daughter",
    "grandson",
    "granddaughter",
    "neighbour",
    "wife",
    "husband",
)
_RELATIONS_YOUNG = ("mother", "father", "sister", "brother", "wife", "husband")


@dataclass
class ReportLink:
    am: str
    pid: str
    duplicate_of: str | None


def _partial_dob(p: Person, rng: random.Random) -> tuple[str, str]:
    if rng.random() < 0.15:
        return str(p.dob.year), "Y"
    return p.dob.isoformat(), "YMD"


def _last_seen(p: Person, rng: random.Random) -> dt.date:
    if not p.at_site:
        return p.dod
    if p.circumstance == "detained":
        return p.dod - dt.timedelta(days=rng.randint(2, 30))
    if p.circumstance == "combat":
        return p.dod - dt.timedelta(days=rng.randint(0, 20))
    return p.dod - dt.timedelta(days=rng.choice((0, 0, 1, 2, 5)))


def _report(
    p: Person, am: str, rng: random.Random, *, duplicate: bool, home: bool = False
) -> dict[str, Any]:
    male = p.sex == "male"
    surname, given, patr = p.surname_uk, p.given_uk, p.patronymic_uk
    aliases: list[str] = []
    r = rng.random()
    if r < 0.12:
        given, patr = p.given_ru, p.patronymic_ru
    elif r < 0.17:
        surname, _ = typo(surname, rng)
    if rng.random() < (0.2 if duplicate else 0.08):
        patr = ""
    if rng.random() < 0.1:
        aliases.append(p.given_ru if given == p.given_uk else p.given_uk)
    dob, precision = _partial_dob(p, rng)
    if duplicate and rng.random() < 0.5:
        dob, precision = str(p.dob.year), "Y"
    seen = _last_seen(p, rng)
    circumstance = p.circumstance if rng.random() < 0.8 else "unknown"
    age = p.age_at(seen)
    rel = rng.choice(_RELATIONS_OLD if age > 55 else _RELATIONS_YOUNG)
    if rel in ("wife", "husband"):
        rel = ("wife" if male else "husband") if age >= 18 else "mother"
    rel_sex = (
        "female"
        if rel in ("daughter", "granddaughter", "mother", "sister", "wife")
        else "male"
    )
    if rel == "neighbour":
        rel_sex = rng.choice(("male", "female"))
    rel_given = rng.choice(MALE if rel_sex == "male" else FEMALE)[0]
    rel_surname = (p.surname if rel != "neighbour" else rng.choice(SURNAMES)).uk(
        rel_sex
    )
    stature = p.stature + round(rng.gauss(2, 3))
    source = "family_estimate"
    if p.category == "soldier" and rng.random() < 0.5:
        stature, source = p.stature + rng.choice((-1, 0, 0, 1)), "military_record"
    elif rng.random() < 0.5:
        stature = 5 * round(stature / 5)
    dental: dict[str, Any] | None = None
    d = rng.random()
    if p.dental and d < 0.25:
        dental = {
            "source": "dentist",
            "as_of": str(rng.randint(2012, 2021)),
            "chart": [dict(t) for t in p.dental],
        }
    elif p.dental and d < 0.6:
        notable = [dict(t) for t in p.dental if "crown" in t or "denture" in t]
        if not notable:
            notable = [
                dict(t) for t in p.dental if t["status"] == "missing_antemortem"
            ][:2]
        if notable:
            dental = {"source": "family", "chart": notable}
    report: dict[str, Any] = {
        "am_case_no": am,
        "family_name": surname,
        "given_names": given,
        "patronymic": patr,
        "aliases": aliases,
        "sex": p.sex,
        "date_of_birth": dob,
        "date_of_birth_precision": precision,
        "last_seen_date": seen.isoformat(),
        "last_seen_place": f"{p.place if home else rng.choice(_PLACES)}, "
        f"{rng.choice(_STREETS)}",
        "circumstances": circumstance,
        "stature_cm": stature,
        "stature_source": source,
        "build": p.build if rng.random() < 0.8 else None,
        "hair_colour": p.hair if rng.random() < 0.85 else None,
        "eye_colour": p.eyes if rng.random() < 0.6 else None,
        "particulars": [dict(x) for x in p.particulars if rng.random() < 0.8],
        "fractures": [dict(x) for x in p.fractures if rng.random() < 0.6],
        "dental": dental,
        "clothing": [dict(x) for x in p.clothing if rng.random() < 0.6],
        "effects": [dict(x) for x in p.effects if rng.random() < 0.7],
        "identity_documents": (
            [dict(p.document)] if p.document and rng.random() < 0.5 else []
        ),
        "reporting_person": {
            "name": f"{rel_surname} {rel_given} {uk_patronymic(rng.choice(MALE)[0], rel_sex)}",
            "relationship": rel,
            "contact": f"+380 (00) {rng.randint(100, 999)}-{rng.randint(10, 99)}-"
            f"{rng.randint(10, 99)}",
        },
        "dna": None,
    }
    if not male and report["hair_colour"] == "bald":
        report["hair_colour"] = None
    return report


def build_reports(
    world: World, seed: int
) -> tuple[list[dict[str, Any]], list[ReportLink], list[str]]:
    """Reports (sorted by case number), their links to people, and people with DNA families."""
    rng = random.Random(f"{seed}:reports")
    chosen: list[Person] = []
    for pid in sorted(world.persons):
        p = world.persons[pid]
        if not p.at_site or rng.random() < 0.72:
            chosen.append(p)
    rng.shuffle(chosen)
    reports: list[dict[str, Any]] = []
    links: list[ReportLink] = []
    family_pids: list[str] = []
    for p in chosen:
        am = f"AM-{len(reports) + 1:05d}"
        rep = _report(p, am, rng, duplicate=False)
        reports.append(rep)
        links.append(ReportLink(am, p.pid, None))
        if rng.random() < (0.6 if p.at_site else 0.5):
            family_pids.append(p.pid)
            rep["dna"] = {
                "reference_kind": "kinship",
                "family_id": f"F{len(family_pids):04d}",
            }
        if rng.random() < 0.06:
            dup_am = f"AM-{len(reports) + 1:05d}"
            reports.append(_report(p, dup_am, rng, duplicate=True))
            links.append(ReportLink(dup_am, p.pid, am))
    return reports, links, family_pids


#: Who files a report in the national register (codes; a duplicate report of the
#: same person comes from another organisation than the first).
REPORTING_ORGANISATIONS = (
    "national_police",
    "commissioner_missing_persons",
    "coordination_hq_pow",
    "icrc_central_tracing",
    "prosecutor_general",
)


def build_national_reports(
    world: World,
    seed: int,
    *,
    reports: int,
    p_unexhumed: float,
    p_family: float = 0.97,
    p_duplicate: float = 0.06,
) -> tuple[list[dict[str, Any]], list[ReportLink], list[str]]:
    """The national register: exactly ``reports`` reports (when enough people).

    Everyone missing elsewhere is a candidate, 72% of the exhumed bodies'
    people and ``p_unexhumed`` of the people still in unexhumed graves; the
    order is shuffled and reports stop at ``reports``. Case numbers are
    zero-padded to one width so that they sort as numbers.
    """
    rng = random.Random(f"{seed}:reports")
    width = max(5, len(str(reports)))
    fam_width = max(4, len(str(reports)))
    chosen: list[Person] = []
    for pid in sorted(world.persons):
        p = world.persons[pid]
        if not p.at_site or rng.random() < (
            0.72 if p.body is not None else p_unexhumed
        ):
            chosen.append(p)
    rng.shuffle(chosen)
    out: list[dict[str, Any]] = []
    links: list[ReportLink] = []
    family_pids: list[str] = []
    for p in chosen:
        if len(out) >= reports:
            break
        am = f"AM-{len(out) + 1:0{width}d}"
        rep = _report(p, am, rng, duplicate=False, home=True)
        org = rng.choice(REPORTING_ORGANISATIONS)
        rep["reporting_organisation"] = org
        out.append(rep)
        links.append(ReportLink(am, p.pid, None))
        if rng.random() < p_family:
            family_pids.append(p.pid)
            rep["dna"] = {
                "reference_kind": "kinship",
                "family_id": f"F{len(family_pids):0{fam_width}d}",
            }
        if rng.random() < p_duplicate and len(out) < reports:
            dup_am = f"AM-{len(out) + 1:0{width}d}"
            dup = _report(p, dup_am, rng, duplicate=True, home=True)
            dup["reporting_organisation"] = rng.choice(
                [o for o in REPORTING_ORGANISATIONS if o != org]
            )
            out.append(dup)
            links.append(ReportLink(dup_am, p.pid, am))
    return out, links, family_pids


_CAUSE_TEXT = {
    "gunshot": "gunshot wound",
    "blast": "blast and fragment injuries",
    "blunt_force": "blunt force trauma",
    "burns": "thermal injuries",
    "asphyxia": "asphyxia",
    "undetermined": "undetermined",
    "natural": "no trauma found; natural disease presumed",
}


def _pm_sex(p: Person, rng: random.Random) -> str:
    r = rng.random()
    if p.age_at(p.dod) < 15:
        return "indeterminate" if r < 0.7 else f"probable_{p.sex}"
    if r < 0.7:
        return p.sex
    return f"probable_{p.sex}" if r < 0.95 else "indeterminate"


def build_findings(
    world: World, seed: int, dna_status: dict[str, dict[str, Any]]
) -> tuple[list[dict[str, Any]], dict[str, str | None]]:
    """PM records per body, and for each body whose document names someone, that person."""
    rng = random.Random(f"{seed}:findings")
    all_pids = sorted(world.persons)
    findings: list[dict[str, Any]] = []
    doc_person: dict[str, str | None] = {}
    for pm in sorted(world.bodies):
        b = world.bodies[pm]
        p = world.persons[b.pid]
        g = world.graves[b.grave]
        age = p.age_at(p.dod)
        soft = b.preservation not in ("skeletonised", "burnt")
        # An estimate is never below birth: a young child's range starts at 0.
        est = max(0.0, age + rng.gauss(0, 3 if age < 20 else 5))
        half = 2 if age < 18 else (6 if age < 40 else 9)
        age_min, age_max = max(0, round(est - half)), round(est + half)
        st = p.stature + rng.gauss(0, 2.5)
        dental = []
        for t in p.dental:
            dental.append(dict(t))
        lost = {t["tooth"] for t in p.dental}
        for tooth in range(11, 49):
            if tooth % 10 == 0 or tooth % 10 == 9 or tooth in lost or age < 12:
                continue
            r = rng.random()
            if r < 0.03:
                dental.append({"tooth": tooth, "status": "missing_postmortem"})
            elif r < (0.08 if not soft else 0.04):
                dental.append({"tooth": tooth, "status": "not_recovered"})
        dental.sort(key=lambda t: t["tooth"])
        particulars = []
        for x in p.particulars:
            if x["type"] in ("tattoo", "scar") and (not soft or rng.random() < 0.3):
                continue
            particulars.append(dict(x))
        fractures = [dict(x, timing="healed") for x in p.fractures]
        injuries: list[dict[str, Any]] = []
        if p.cause in ("gunshot", "blast", "blunt_force", "burns"):
            mech = {
                "gunshot": "gunshot",
                "blast": "blast",
                "blunt_force": "blunt",
                "burns": "burn",
            }[p.cause]
            for _ in range(rng.randint(1, 3)):
                inj: dict[str, Any] = {
                    "region": rng.choice(
                        ("head", "torso_front", "torso_back", "thigh", "neck")
                    ),
                    "mechanism": mech,
                    "timing": "perimortem",
                }
                if mech == "gunshot":
                    inj["wound"] = rng.choice(("entrance", "entrance", "exit"))
                injuries.append(inj)
        restraints = []
        if "bound_hands" in p.torture:
            restraints.append(
                {
                    "material": rng.choice(("rope", "cable_tie", "cloth", "wire")),
                    "location": "wrists",
                }
            )
        if "fractures" in p.torture:
            fractures.append(
                {
                    "bone": rng.choice(("metacarpal", "rib", "phalanx")),
                    "side": rng.choice(("L", "R")),
                    "timing": "perimortem",
                }
            )
        documents = []
        doc_person[pm] = None
        if p.document:
            owner = p
            if rng.random() < 0.05:
                owner = world.persons[rng.choice(all_pids)]
            doc = dict(owner.document or p.document)
            doc["name"] = owner.full_uk
            doc["location_on_body"] = rng.choice(
                ("pocket", "pocket", "grave fill nearby")
            )
            documents.append(doc)
            doc_person[pm] = owner.pid
        status = dna_status.get(pm, {"status": "none"})["status"]
        hair = p.hair if p.hair != "dyed" else rng.choice(("brown", "dark_brown"))
        manner = {"natural": "natural", "undetermined": "undetermined"}.get(
            p.cause, "homicide"
        )
        findings.append(
            {
                "pm_case_no": pm,
                "site": g.site,
                "grave_id": g.gid,
                "grave_marker": g.marker,
                "exhumation_date": (
                    EXHUMATION + dt.timedelta(days=int(pm.rsplit("-", 1)[1]) // 40 % 60)
                ).isoformat(),
                "preservation": b.preservation,
                "sex": _pm_sex(p, rng),
                "sex_method": "morphology",
                "age_min": age_min,
                "age_max": age_max,
                "age_method": "dental development" if age < 20 else "pubic symphysis",
                "stature_min": round(st - 4),
                "stature_max": round(st + 4),
                "stature_formula": "Trotter-Gleser",
                "build": p.build if soft and rng.random() < 0.7 else None,
                "hair_colour": hair if rng.random() < 0.7 else None,
                "eye_colour": p.eyes
                if b.preservation == "decomposed" and rng.random() < 0.1
                else None,
                "particulars": particulars,
                "fractures": fractures,
                "dental": {"chart": dental, "other_teeth": "present_sound"}
                if age >= 12
                else {"chart": [], "other_teeth": "deciduous_or_mixed"},
                "clothing": [dict(x) for x in p.clothing],
                "effects": [dict(x) for x in p.effects],
                "documents": documents,
                "cause_of_death": {
                    "category": "undetermined" if p.cause == "natural" else p.cause,
                    "text": _CAUSE_TEXT[p.cause],
                },
                "manner_of_death": manner,
                "injuries": injuries,
                "restraints": restraints,
                "torture_indicators": list(p.torture),
                "dna_sample": {
                    "pm_sample": "bone",
                    "element": rng.choice(("femur", "petrous", "tibia", "tooth")),
                    "profile": status,
                },
            }
        )
    return findings, doc_person
