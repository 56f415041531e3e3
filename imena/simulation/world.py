"""The ground truth: sites, graves, people, bodies and their traits."""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from typing import Any

from .names import FEMALE, MALE, SURNAMES, Surname, ru_patronymic, uk_patronymic

SITE_LAT = 49.19
SITE_LON = 37.28
GRAVES_PER_UNIT = 445
MASS_GRAVE_SIZE = 17
ROW_LENGTH = 30
FIRST_DEATH = dt.date(2022, 3, 1)
LAST_BURIAL = dt.date(2022, 9, 9)
EXHUMATION = dt.date(2022, 9, 16)

BODY_REGIONS = (
    "head",
    "neck",
    "torso_front",
    "torso_back",
    "upper_arm",
    "forearm",
    "hand",
    "thigh",
    "lower_leg",
    "foot",
)
PERMANENT_TEETH = tuple(q * 10 + p for q in (1, 2, 3, 4) for p in range(1, 9))


@dataclass
class Person:
    pid: str
    sex: str  # male | female
    surname: Surname
    given: int  # index into MALE / FEMALE
    father: int  # index into MALE
    dob: dt.date
    dod: dt.date  # death date; for people not at the site, the last-seen date
    category: str  # civilian | soldier
    at_site: bool
    circumstance: str  # AMPM circumstances
    cause: str  # AMPM cause_of_death category or "natural"
    stature: int
    build: str
    hair: str
    eyes: str
    particulars: list[dict[str, Any]] = field(default_factory=list)
    fractures: list[dict[str, Any]] = field(default_factory=list)
    dental: list[dict[str, Any]] = field(default_factory=list)
    clothing: list[dict[str, Any]] = field(default_factory=list)
    effects: list[dict[str, Any]] = field(default_factory=list)
    torture: list[str] = field(default_factory=list)
    document: dict[str, Any] | None = None
    body: str | None = None  # PM number
    grave: str | None = None  # grave id
    place: str = ""  # settlement where the person lived (national scenario)

    @property
    def given_uk(self) -> str:
        return (MALE if self.sex == "male" else FEMALE)[self.given][0]

    @property
    def given_ru(self) -> str:
        return (MALE if self.sex == "male" else FEMALE)[self.given][1]

    @property
    def surname_uk(self) -> str:
        return self.surname.uk(self.sex)

    @property
    def surname_ru(self) -> str:
        return self.surname.ru(self.sex)

    @property
    def patronymic_uk(self) -> str:
        return uk_patronymic(MALE[self.father][0], self.sex)

    @property
    def patronymic_ru(self) -> str:
        return ru_patronymic(MALE[self.father][1], self.sex)

    @property
    def full_uk(self) -> str:
        return f"{self.surname_uk} {self.given_uk} {self.patronymic_uk}"

    def age_at(self, when: dt.date) -> int:
        years = when.year - self.dob.year
        if (when.month, when.day) < (self.dob.month, self.dob.day):
            years -= 1
        return years


@dataclass
class Body:
    pm: str
    pid: str
    grave: str
    burial: dt.date
    unnamed: bool  # nobody knew the name at burial
    preservation: str


@dataclass
class Grave:
    gid: str
    site: str
    number: str | None  # canonical number as the funeral home assigned it
    marker: str  # text as read on the cross or plank
    kind: str  # individual | mass | unknown
    x: float
    y: float
    lat: float
    lon: float
    burial: dt.date
    exhumed: bool = True
    bodies: list[str] = field(default_factory=list)


@dataclass
class Site:
    code: str
    name: str
    settlement: str
    region: str
    lat: float
    lon: float
    graves: list[Grave] = field(default_factory=list)


@dataclass
class World:
    sites: list[Site]
    persons: dict[str, Person]
    bodies: dict[str, Body]
    graves: dict[str, Grave]
    # Burials in graves not exhumed yet (national scenario): journal rows, no body.
    unexhumed: list[Body] = field(default_factory=list)

    def site_persons(self) -> list[Person]:
        return [self.persons[b.pid] for b in self.bodies.values()]


def _weighted(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    r = rng.random() * sum(w for _, w in table)
    for value, w in table:
        r -= w
        if r < 0:
            return value
    return table[-1][0]


def _date_between(rng: random.Random, a: dt.date, b: dt.date) -> dt.date:
    return a + dt.timedelta(days=rng.randint(0, (b - a).days))


def _civilian_age(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.45:
        return rng.randint(65, 94)
    if r < 0.80:
        return rng.randint(35, 64)
    if r < 0.95:
        return rng.randint(18, 34)
    return rng.randint(1, 17)


def _traits(p: Person, rng: random.Random) -> None:
    age = p.age_at(p.dod)
    male = p.sex == "male"
    stature = rng.gauss(176 if male else 163, 6.5)
    if age > 65:
        stature -= 3
    if age < 16:
        stature = 80 + age * 5.5 + rng.gauss(0, 5)
    p.stature = round(stature)
    p.build = _weighted(
        rng, (("slight", 20), ("medium", 50), ("heavy", 22), ("obese", 8))
    )
    hair: tuple[tuple[str, int], ...]
    if age > 65:
        hair = (
            ("grey", 45),
            ("white", 30),
            ("bald", 15 if male else 1),
            ("dyed", 0 if male else 15),
            ("dark_brown", 5),
        )
    else:
        hair = (
            ("black", 8),
            ("dark_brown", 30),
            ("brown", 25),
            ("light_brown", 18),
            ("blond", 9),
            ("red", 3),
            ("grey", 5 if age > 40 else 0),
            ("dyed", 0 if male else 12),
            ("bald", 3 if male and age > 35 else 0),
        )
    p.hair = _weighted(rng, hair)
    p.eyes = _weighted(
        rng,
        (
            ("blue", 30),
            ("grey", 15),
            ("green", 10),
            ("hazel", 15),
            ("brown", 28),
            ("black", 2),
        ),
    )
    if rng.random() < 0.3 and age > 10:
        cause = rng.choice(("surgery", "injury", "burn"))
        region = "torso_front" if cause == "surgery" else rng.choice(BODY_REGIONS)
        p.particulars.append(
            {
                "type": "scar",
                "body_region": region,
                "side": rng.choice(("L", "R", "midline")),
                "cause": cause,
                "length_cm": rng.randint(2, 20),
            }
        )
    tattoo_p = 0.45 if p.category == "soldier" else (0.15 if 16 < age < 60 else 0.02)
    if rng.random() < tattoo_p:
        motif = rng.choice(
            (
                "trident",
                "anchor",
                "rose",
                "cross",
                "wolf",
                "name",
                "date",
                "dragon",
                "swallow",
            )
        )
        tattoo = {
            "type": "tattoo",
            "body_region": rng.choice(
                ("upper_arm", "forearm", "hand", "torso_front", "torso_back")
            ),
            "side": rng.choice(("L", "R")),
            "motif": motif,
        }
        if motif == "name":
            tattoo["text"] = rng.choice(FEMALE)[0]
        elif motif == "date":
            tattoo["text"] = str(rng.randint(1975, 2020))
        p.particulars.append(tattoo)
    if rng.random() < 0.01 and age > 30:
        p.particulars.append(
            {
                "type": "amputation",
                "limb": rng.choice(("leg", "arm", "fingers")),
                "side": rng.choice(("L", "R")),
                "level": rng.choice(("below_knee", "above_knee", "hand")),
            }
        )
    if rng.random() < (0.06 if age > 60 else 0.005):
        kind = rng.choice(("hip", "knee", "eye"))
        p.particulars.append(
            {"type": "prosthesis", "kind": kind, "side": rng.choice(("L", "R"))}
        )
    if rng.random() < 0.12 and age > 8:
        p.fractures.append(
            {
                "bone": rng.choice(
                    (
                        "radius",
                        "ulna",
                        "clavicle",
                        "tibia",
                        "fibula",
                        "femur",
                        "rib",
                        "humerus",
                        "nasal",
                    )
                ),
                "side": rng.choice(("L", "R")),
                "year": rng.randint(max(p.dob.year + 5, 1960), 2021),
            }
        )
    _dental(p, age, rng)
    _clothing(p, rng)
    if rng.random() < 0.35:
        effect = rng.choice(
            (
                "watch",
                "ring",
                "necklace",
                "religious_item",
                "glasses",
                "keys",
                "phone",
                "lighter",
                "wallet",
            )
        )
        item: dict[str, Any] = {"effect": effect}
        if effect == "ring":
            item["material"] = rng.choice(("gold", "silver", "steel"))
            if rng.random() < 0.4:
                item["engraving"] = (
                    f"{rng.choice(MALE)[0][0]}+{rng.choice(FEMALE)[0][0]}"
                )
        if effect == "watch":
            item["make"] = rng.choice(("Casio", "Slava", "Poljot", "Orient"))
        p.effects.append(item)


def _dental(p: Person, age: int, rng: random.Random) -> None:
    if age < 12:
        return
    lost = 0 if age < 25 else int(max(0.0, rng.gauss((age - 25) / 3.2, 3)))
    lost = min(lost, 32)
    teeth = list(PERMANENT_TEETH)
    rng.shuffle(teeth)
    missing = set(teeth[:lost])
    chart: dict[int, dict[str, Any]] = {
        t: {"tooth": t, "status": "missing_antemortem"} for t in missing
    }
    if lost >= 28 and rng.random() < 0.7:
        for row in chart.values():
            row["denture"] = "full"
    present = [t for t in PERMANENT_TEETH if t not in missing]
    for t in present:
        r = rng.random()
        if r < 0.12:
            chart[t] = {
                "tooth": t,
                "status": "present_sound",
                "restoration": rng.choice(
                    ("amalgam", "amalgam", "composite", "glass_ionomer")
                ),
                "surfaces": rng.choice(("O", "MO", "DO", "MOD", "B")),
            }
        elif r < 0.12 + (0.05 if age > 35 else 0.01):
            chart[t] = {
                "tooth": t,
                "status": "present_sound",
                "crown": rng.choice(
                    (
                        "full_metal",
                        "steel",
                        "porcelain_fused_to_metal",
                        "ceramic",
                        "gold",
                    )
                ),
            }
        elif r < 0.19 and age > 30:
            chart[t] = {"tooth": t, "status": "root_only"}
    p.dental = [chart[t] for t in sorted(chart)]


_COLOURS = (
    "black",
    "grey",
    "blue",
    "brown",
    "green",
    "white",
    "red",
    "beige",
    "dark_blue",
)


def _clothing(p: Person, rng: random.Random) -> None:
    if p.category == "soldier":
        p.clothing = [
            {
                "category": "uniform",
                "colour": "olive",
                "pattern": "camouflage",
                "material": "synthetic",
            },
            {
                "category": "footwear",
                "colour": "black",
                "material": "leather",
                "kind": "boots",
                "size_eu": rng.randint(40, 46),
            },
            {
                "category": "t-shirt",
                "colour": rng.choice(("black", "olive")),
                "material": "cotton",
            },
        ]
        return
    top = rng.choice(("coat", "jacket", "sweater", "shirt"))
    bottom = (
        "trousers"
        if p.sex == "male" or rng.random() < 0.5
        else rng.choice(("skirt", "dress"))
    )
    items: list[dict[str, Any]] = [
        {
            "category": top,
            "colour": rng.choice(_COLOURS),
            "material": rng.choice(("wool", "cotton", "synthetic")),
        },
        {
            "category": bottom,
            "colour": rng.choice(_COLOURS),
            "material": rng.choice(("wool", "cotton", "synthetic")),
            "pattern": rng.choice(("plain", "plain", "striped", "checked")),
        },
        {
            "category": "footwear",
            "colour": rng.choice(("black", "brown", "grey")),
            "material": rng.choice(("leather", "rubber", "synthetic")),
            "kind": rng.choice(("shoes", "boots", "sandals")),
            "size_eu": rng.randint(40, 46) if p.sex == "male" else rng.randint(35, 41),
        },
    ]
    if rng.random() < 0.3:
        items.append(
            {"category": "headwear", "colour": rng.choice(_COLOURS), "material": "wool"}
        )
    p.clothing = items


def _new_person(
    pid: str, rng: random.Random, *, soldier: bool, at_site: bool, dod: dt.date
) -> Person:
    if soldier:
        sex = "male"
        age = rng.randint(20, 55)
    else:
        sex = "male" if rng.random() < 0.55 else "female"
        age = _civilian_age(rng)
    dob = dod - dt.timedelta(days=age * 365 + rng.randint(5, 360))
    names = MALE if sex == "male" else FEMALE
    p = Person(
        pid=pid,
        sex=sex,
        surname=rng.choice(SURNAMES),
        given=rng.randrange(len(names)),
        father=rng.randrange(len(MALE)),
        dob=dob,
        dod=dod,
        category="soldier" if soldier else "civilian",
        at_site=at_site,
        circumstance="unknown",
        cause="undetermined",
        stature=0,
        build="",
        hair="",
        eyes="",
    )
    age = p.age_at(dod)
    if soldier:
        p.circumstance = "combat"
        p.cause = rng.choice(("gunshot", "blast", "blast"))
    elif at_site:
        r = rng.random()
        if r < 0.07 and age >= 18:
            p.circumstance = "detained"
            p.cause = rng.choice(("gunshot", "gunshot", "blunt_force", "asphyxia"))
            p.torture = sorted(
                rng.sample(
                    (
                        "ligature_marks",
                        "bound_hands",
                        "gunshot_wound",
                        "blunt_force",
                        "fractures",
                        "burn_marks",
                    ),
                    rng.randint(1, 4),
                )
            )
        elif r < 0.45:
            p.circumstance = "shelling"
            p.cause = rng.choice(("blast", "blast", "blast", "burns", "blunt_force"))
        elif r < 0.55:
            p.circumstance = "unknown"
            p.cause = "gunshot"
        elif r < 0.85:
            p.circumstance = "unknown"
            p.cause = "natural"
        else:
            p.circumstance = "unknown"
            p.cause = "undetermined"
    else:
        p.circumstance = _weighted(
            rng,
            (("detained", 45), ("abducted", 20), ("displacement", 10), ("unknown", 25)),
        )
    _traits(p, rng)
    if rng.random() < (0.5 if soldier else 0.18):
        kind = (
            "military_id"
            if soldier
            else rng.choice(("passport", "passport", "national_id", "driving_licence"))
        )
        p.document = {
            "type": kind,
            "number": f"{rng.choice('АВЕКМНОРСТ')}"
            f"{rng.choice('АВЕКМНОРСТ')} {rng.randint(100000, 999999)}",
        }
    return p


def build_world(seed: int, graves_per_unit: int, scale: int) -> World:
    """Create the people and graves; everything else is derived from this."""
    rng = random.Random(f"{seed}:world")
    n_mass = scale if graves_per_unit >= 30 else 0
    n_individual = graves_per_unit * scale - n_mass
    site = Site(
        code="IZM",
        name="Лісове кладовище, вул. Ювілейна",
        settlement="Ізюм",
        region="Харківська область",
        lat=SITE_LAT,
        lon=SITE_LON,
    )
    world = World(sites=[site], persons={}, bodies={}, graves={})
    pids = PersonIds()
    build_site(world, site, rng, pids, n_individual=n_individual, n_mass=n_mass)
    # People taken away or still missing: they have reports but no body here.
    n_elsewhere = max(1, round(len(world.bodies) * 0.12))
    add_elsewhere(world, rng, pids, n_elsewhere)
    return world


class PersonIds:
    """Person ids ``P000001`` ... in creation order."""

    def __init__(self) -> None:
        self.counter = 0

    def __call__(self) -> str:
        self.counter += 1
        return f"P{self.counter:06d}"


def add_elsewhere(
    world: World,
    rng: random.Random,
    next_pid: PersonIds,
    count: int,
    places: list[str] | None = None,
) -> None:
    """People taken away or missing elsewhere: reports, but no body at a site."""
    for _ in range(count):
        seen = _date_between(rng, dt.date(2022, 4, 1), dt.date(2022, 9, 5))
        p = _new_person(
            next_pid(), rng, soldier=rng.random() < 0.1, at_site=False, dod=seen
        )
        if places:
            p.place = rng.choice(places)
        world.persons[p.pid] = p


def build_site(
    world: World,
    site: Site,
    rng: random.Random,
    next_pid: PersonIds,
    *,
    n_individual: int,
    n_mass: int,
    exhume_bodies: int | None = None,
) -> None:
    """One burial site's graves and the people in them, added to ``world``.

    ``exhume_bodies``: exhume graves (chosen at random) until that many bodies
    are out; the other graves keep their people (in the journals, no body).
    ``None`` exhumes every grave.
    """
    # A burial event is a list of persons buried together in one grave.
    events: list[tuple[dt.date, int, str, list[Person]]] = []
    for i in range(n_individual):
        dod = _date_between(rng, FIRST_DEATH, LAST_BURIAL - dt.timedelta(days=2))
        burial = min(
            dod + dt.timedelta(days=rng.choice((1, 1, 2, 2, 3, 4, 6, 9, 14))),
            LAST_BURIAL,
        )
        soldier = rng.random() < 0.02
        group = [_new_person(next_pid(), rng, soldier=soldier, at_site=True, dod=dod)]
        if rng.random() < 0.015:
            group.append(
                _new_person(next_pid(), rng, soldier=False, at_site=True, dod=dod)
            )
        events.append((burial, i, "individual", group))
    for k in range(n_mass):
        dod = _date_between(rng, dt.date(2022, 4, 10), dt.date(2022, 8, 20))
        group = [
            _new_person(
                next_pid(),
                rng,
                soldier=True,
                at_site=True,
                dod=dod - dt.timedelta(days=rng.randint(0, 3)),
            )
            for _ in range(MASS_GRAVE_SIZE)
        ]
        events.append((dod + dt.timedelta(days=5), n_individual + k, "mass", group))
    events.sort(key=lambda e: (e[0], e[1]))
    exhumed: set[int] | None = None
    if exhume_bodies is not None:
        order = list(range(len(events)))
        rng.shuffle(order)
        exhumed, taken = set(), 0
        for pos in order:
            size = len(events[pos][3])
            if taken + size <= exhume_bodies:
                exhumed.add(pos)
                taken += size
            if taken == exhume_bodies:
                break

    number = 0
    mass_no = 0
    n_bodies = 0
    cos_lat = math.cos(math.radians(site.lat))
    for pos, (burial, _i, kind, group) in enumerate(events):
        unnamed_flags = [
            rng.random() < (0.35 if kind == "mass" else 0.07) for _ in group
        ]
        row, col = divmod(pos, ROW_LENGTH)
        x = round(col * 2.5 + rng.uniform(-0.3, 0.3), 2)
        y = round(-row * 4.0 + rng.uniform(-0.3, 0.3), 2)
        gid = f"{site.code}-G{pos + 1:05d}"
        if kind == "mass":
            mass_no += 1
            num: str | None = f"БМ-{mass_no}"
            marker = f"Братська могила №{mass_no}"
        else:
            r = rng.random()
            if r < 0.02 and number > 0:
                num = f"{number}а"
            elif r < 0.03 and number > 0:
                num = f"{number}/2"
            elif r < 0.04:
                num = None
                kind = "unknown"
            else:
                number += 1
                num = str(number)
            if num is None:
                marker = "БН"
            else:
                m = rng.random()
                if m < 0.5:
                    marker = f"№ {num}"
                elif m < 0.85:
                    marker = num
                elif m < 0.96:
                    marker = f"№{num}"
                elif unnamed_flags[0]:
                    marker = f"№ {num}"
                else:
                    p0 = group[0]
                    marker = f"№ {num} {p0.surname_uk} {p0.given_uk[0]}."
        lat = round(site.lat + y / 111_320.0, 7)
        lon = round(site.lon + x / (111_320.0 * cos_lat), 7)
        grave = Grave(
            gid=gid,
            site=site.code,
            number=num,
            marker=marker,
            kind=kind,
            x=x,
            y=y,
            lat=lat,
            lon=lon,
            burial=burial,
            exhumed=exhumed is None or pos in exhumed,
        )
        world.graves[gid] = grave
        site.graves.append(grave)
        for p, unnamed in zip(group, unnamed_flags, strict=True):
            world.persons[p.pid] = p
            p.grave = gid
            p.place = site.settlement
            if not grave.exhumed:
                # Buried and in the journals, not exhumed yet: no body, no PM number.
                world.unexhumed.append(
                    Body(
                        pm=f"{gid}:{p.pid}",
                        pid=p.pid,
                        grave=gid,
                        burial=burial,
                        unnamed=unnamed,
                        preservation="",
                    )
                )
                continue
            n_bodies += 1
            pm = f"{site.code}-PM-{n_bodies:04d}"
            months = (EXHUMATION - burial).days / 30.0
            if p.cause == "burns":
                preservation = "burnt"
            elif months > 4 and rng.random() < 0.35:
                preservation = rng.choice(("skeletonised", "adipocere"))
            else:
                preservation = "decomposed"
            world.bodies[pm] = Body(
                pm=pm,
                pid=p.pid,
                grave=gid,
                burial=burial,
                unnamed=unnamed,
                preservation=preservation,
            )
            grave.bodies.append(pm)
            p.body = pm
