"""The national scenario: many burial sites and one national missing-person register.

Each site is built like the Izium site (graves, a mass grave, two burial
journals), but only part of its graves has been exhumed: the journals record
every burial, the bodies are the exhumed ones. The register holds everyone
missing elsewhere (most of it), 72% of the exhumed bodies' people and a share of
the people still in unexhumed graves.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from .world import MASS_GRAVE_SIZE, PersonIds, Site, World, add_elsewhere, build_site

#: ``imena simulate --national``.
NATIONAL_SITES = 40
NATIONAL_BODIES = 10_000
NATIONAL_MISSING = 55_000
#: Exhumed bodies per site when only ``--sites`` is given.
BODIES_PER_SITE = 250
#: People buried per exhumed body: about 100k journal rows for 10k bodies.
BURIALS_PER_BODY = 5.4
#: Share of a site's people who were reported missing among those not exhumed,
#: chosen so that about 30% of the reported people lie at a simulated site.
AT_SITE_SHARE = 0.3
P_DUPLICATE = 0.06

# code, settlement, region, lat, lon. Real places, synthetic graves and people.
PLACES: tuple[tuple[str, str, str, float, float], ...] = (
    ("IZM", "Ізюм", "Харківська область", 49.19, 37.28),
    ("BUC", "Буча", "Київська область", 50.54, 30.22),
    ("LYM", "Лиман", "Донецька область", 48.99, 37.81),
    ("MAR", "Маріуполь", "Донецька область", 47.10, 37.55),
    ("IRP", "Ірпінь", "Київська область", 50.52, 30.25),
    ("BOR", "Бородянка", "Київська область", 50.64, 29.92),
    ("HOS", "Гостомель", "Київська область", 50.57, 30.26),
    ("MAK", "Макарів", "Київська область", 50.46, 29.81),
    ("BAH", "Бахмут", "Донецька область", 48.60, 38.00),
    ("SVI", "Святогірськ", "Донецька область", 49.04, 37.57),
    ("KUP", "Куп'янськ", "Харківська область", 49.71, 37.61),
    ("BAL", "Балаклія", "Харківська область", 49.46, 36.86),
    ("KHA", "Харків", "Харківська область", 49.99, 36.23),
    ("CHU", "Чугуїв", "Харківська область", 49.84, 36.69),
    ("VOV", "Вовчанськ", "Харківська область", 50.29, 36.94),
    ("KHE", "Херсон", "Херсонська область", 46.64, 32.62),
    ("SNI", "Снігурівка", "Миколаївська область", 47.08, 32.81),
    ("MYK", "Миколаїв", "Миколаївська область", 46.98, 31.99),
    ("CHE", "Чернігів", "Чернігівська область", 51.49, 31.29),
    ("TRO", "Тростянець", "Сумська область", 50.48, 34.96),
    ("OKH", "Охтирка", "Сумська область", 50.31, 34.90),
    ("SUM", "Суми", "Сумська область", 50.91, 34.80),
    ("ZAP", "Запоріжжя", "Запорізька область", 47.84, 35.14),
    ("ORI", "Оріхів", "Запорізька область", 47.57, 35.79),
    ("HUL", "Гуляйполе", "Запорізька область", 47.66, 36.26),
    ("SEV", "Сєвєродонецьк", "Луганська область", 48.95, 38.49),
    ("LYS", "Лисичанськ", "Луганська область", 48.90, 38.43),
    ("RUB", "Рубіжне", "Луганська область", 49.01, 38.38),
    ("KRA", "Краматорськ", "Донецька область", 48.72, 37.56),
    ("SLO", "Слов'янськ", "Донецька область", 48.85, 37.60),
    ("AVD", "Авдіївка", "Донецька область", 48.14, 37.75),
    ("VUH", "Вугледар", "Донецька область", 47.78, 37.25),
    ("POK", "Покровськ", "Донецька область", 48.28, 37.18),
    ("KOS", "Костянтинівка", "Донецька область", 48.53, 37.71),
    ("NKA", "Нова Каховка", "Херсонська область", 46.75, 33.35),
    ("BER", "Берислав", "Херсонська область", 46.84, 33.43),
    ("DER", "Дергачі", "Харківська область", 50.11, 36.12),
    ("BOH", "Богодухів", "Харківська область", 50.16, 35.53),
    ("POP", "Попасна", "Луганська область", 48.63, 38.38),
    ("SVA", "Сватове", "Луганська область", 49.41, 38.15),
)
_CEMETERIES = ("Міське кладовище", "Нове кладовище", "Лісове кладовище")
_STREETS = ("вул. Ювілейна", "вул. Цвинтарна", "вул. Польова", "вул. Миру")


@dataclass(frozen=True)
class NationalSize:
    sites: int
    bodies: int
    missing: int


def national_size(
    sites: int | None, bodies: int | None, missing: int | None
) -> NationalSize:
    """Fill what was not given: the preset, or ``BODIES_PER_SITE`` per site."""
    n_sites = NATIONAL_SITES if sites is None else sites
    if bodies is None:
        bodies = NATIONAL_BODIES if sites is None else BODIES_PER_SITE * n_sites
    if missing is None:
        missing = NATIONAL_MISSING if sites is None else round(5.5 * bodies)
    if n_sites < 1 or bodies < n_sites or missing < 1:
        raise ValueError("need 1 or more sites, a body per site and 1 or more reports")
    return NationalSize(n_sites, bodies, missing)


def _sites(n: int, rng: random.Random) -> list[Site]:
    out = []
    for i in range(n):
        code, settlement, region, lat, lon = PLACES[i % len(PLACES)]
        if i >= len(PLACES):
            code = f"{code}{i // len(PLACES) + 1}"
        name = (
            "Лісове кладовище, вул. Ювілейна"
            if i == 0
            else f"{rng.choice(_CEMETERIES)}, {rng.choice(_STREETS)}"
        )
        out.append(Site(code, name, settlement, region, lat, lon))
    return out


def _shares(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder), each >= 1."""
    scale = (total - len(weights)) / sum(weights)
    raw = [w * scale for w in weights]
    counts = [1 + math.floor(r) for r in raw]
    rest = total - sum(counts)
    order = sorted(
        range(len(raw)), key=lambda i: (raw[i] - math.floor(raw[i]), -i), reverse=True
    )
    for i in order[:rest]:
        counts[i] += 1
    return counts


def build_national_world(seed: int, size: NationalSize) -> tuple[World, float]:
    """The sites, their people and the people missing elsewhere.

    Returns the world and the share of unexhumed people to report.
    """
    rng = random.Random(f"{seed}:national")
    sites = _sites(size.sites, rng)
    per_site = _shares(size.bodies, [rng.uniform(0.6, 1.4) for _ in sites])
    world = World(sites=sites, persons={}, bodies={}, graves={})
    pids = PersonIds()
    for site, bodies in zip(sites, per_site, strict=True):
        site_rng = random.Random(f"{seed}:world:{site.code}")
        buried = max(bodies, round(bodies * BURIALS_PER_BODY))
        n_mass = 1 if buried >= 4 * MASS_GRAVE_SIZE else 0
        n_individual = max(1, round((buried - MASS_GRAVE_SIZE * n_mass) / 1.015))
        build_site(
            world,
            site,
            site_rng,
            pids,
            n_individual=n_individual,
            n_mass=n_mass,
            exhume_bodies=bodies,
        )
    people = size.missing / (1 + P_DUPLICATE)
    exhumed_reported = 0.72 * len(world.bodies)
    unexhumed = len(world.unexhumed)
    p_unexhumed = 0.0
    if unexhumed:
        p_unexhumed = min(
            0.5, max(0.0, (AT_SITE_SHARE * people - exhumed_reported) / unexhumed)
        )
    expected = exhumed_reported + p_unexhumed * unexhumed
    n_elsewhere = max(round(0.5 * people), math.ceil((people - expected) * 1.03) + 10)
    add_elsewhere(
        world,
        random.Random(f"{seed}:world:elsewhere"),
        pids,
        n_elsewhere,
        places=[s.settlement for s in sites],
    )
    return world, p_unexhumed
