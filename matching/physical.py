"""Physical AM/PM comparison: one likelihood ratio (or exclusion) per trait.

Every comparator answers the same question for one trait: how much more probable
is the PM observation if the body is this missing person than if it is a random
person from the reference population (the dead of the site who are not on the
list)? The models and their defaults are described in
``docs/identification-model.md``; every number is a field of a model dataclass,
so a caller can replace it when it has data.

Comparators live in the ``COMPARATORS`` registry. Each takes
``(am, pm, model)`` and returns a ``TraitResult``; traits made of several items
(particulars, teeth, clothing) carry the per-item results in ``items`` so a
reviewer can override one tooth or one mark.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from matching.records import (
    AMRecord,
    Document,
    Item,
    Particular,
    PMRecord,
    Tooth,
    region_observed,
)
from matching.vocabulary import BODY_REGIONS, label, tooth_class

CONSISTENT = "consistent"
EXPLAINED = "consistent_explained"
INCONSISTENT = "inconsistent"
NO_DATA = "no_data"
OUTCOMES = (CONSISTENT, EXPLAINED, INCONSISTENT, NO_DATA)


@dataclass(frozen=True)
class TraitResult:
    trait: str
    outcome: str
    lr: float
    exclusion: bool
    explanation_en: str
    explanation_uk: str
    items: tuple[TraitResult, ...] = ()
    override_reason: str | None = None

    @property
    def log10_lr(self) -> float:
        return math.log10(self.lr) if self.lr > 0 else -math.inf


def _no_data(trait: str, en: str = "", uk: str = "") -> TraitResult:
    return TraitResult(
        trait, NO_DATA, 1.0, False, en or "no data to compare", uk or "немає даних"
    )


def _excluded(trait: str, en: str, uk: str) -> TraitResult:
    return TraitResult(trait, INCONSISTENT, 0.0, True, en, uk)


def _norm_pdf(x: float, mu: float, sd: float) -> float:
    z = (x - mu) / sd
    return math.exp(-0.5 * z * z) / (sd * math.sqrt(2.0 * math.pi))


def _phi(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


# --- Model parameters ---------------------------------------------------------


def _sex_rows() -> dict[str, dict[str, float]]:
    return {
        "male": {
            "male": 0.80,
            "probable_male": 0.12,
            "indeterminate": 0.06,
            "probable_female": 0.015,
            "female": 0.005,
        },
        "female": {
            "female": 0.80,
            "probable_female": 0.12,
            "indeterminate": 0.06,
            "probable_male": 0.015,
            "male": 0.005,
        },
    }


@dataclass(frozen=True)
class SexModel:
    """P(PM sex category | true sex) and the male share of the reference population.

    The default rows are design values for morphological sexing of adult skeletons
    (about 90 % correct with the probable categories counted); amelogenin typing
    is sharper and gets its own rows. Definite and opposite is an exclusion by
    rule, whatever these numbers say.
    """

    pm_given_true: Mapping[str, Mapping[str, float]] = field(default_factory=_sex_rows)
    pm_given_true_amelogenin: Mapping[str, Mapping[str, float]] = field(
        default_factory=lambda: {
            "male": {"male": 0.99, "indeterminate": 0.008, "female": 0.002},
            "female": {"female": 0.995, "indeterminate": 0.005},
        }
    )
    p_male_population: float = 0.5

    def rows(self, method: str | None) -> Mapping[str, Mapping[str, float]]:
        return (
            self.pm_given_true_amelogenin
            if method == "amelogenin"
            else self.pm_given_true
        )

    def p_obs(self, obs: str, true_sex: str, method: str | None = None) -> float:
        return self.rows(method)[true_sex].get(obs, 0.0)

    def p_obs_population(self, obs: str, method: str | None = None) -> float:
        pm = self.p_male_population
        return pm * self.p_obs(obs, "male", method) + (1 - pm) * self.p_obs(
            obs, "female", method
        )

    def posterior_male(self, obs: str | None, method: str | None = None) -> float:
        """P(male | PM observation) in the reference population."""
        if obs is None:
            return self.p_male_population
        den = self.p_obs_population(obs, method)
        if den == 0:
            return self.p_male_population
        return self.p_male_population * self.p_obs(obs, "male", method) / den


@dataclass(frozen=True)
class AgeModel:
    """Likelihood of a PM age range given the true age.

    g(t) = 1 inside [age_min, age_max]; outside it falls as a half-normal with
    ``spread_years`` (ranges from adult methods miss, mostly for older people).
    The reference population's age at death is uniform on ``population_age``,
    or, when ``population_pieces`` is given, piecewise uniform: (from, to,
    weight) pieces, for example estimated from the PM age ranges of the site's
    bodies (``population_pieces_from_ranges``). A reference population without
    children makes every child body match every missing child with an LR of
    10^2 or more: set the pieces wherever children may be among the dead.
    """

    spread_years: float = 5.0
    tolerance_years: float = 5.0
    exclude_beyond_years: float = 15.0
    population_age: tuple[float, float] = (15.0, 90.0)
    typical_pm_halfwidth: float = 5.0
    population_pieces: tuple[tuple[float, float, float], ...] | None = None


def population_pieces_from_ranges(
    ranges: Sequence[tuple[float, float]],
    prior: tuple[float, float] = (15.0, 90.0),
    prior_weight: float = 20.0,
    top: float = 100.0,
) -> tuple[tuple[float, float, float], ...]:
    """One-year pieces of the age distribution of the dead, from PM age ranges.

    Each range spreads one unit of weight uniformly over its years (a point
    estimate is widened to one year); ``prior_weight`` pseudo-bodies uniform on
    ``prior`` smooth the estimate when there are few bodies.
    """
    n = int(math.ceil(top))
    w = [0.0] * n
    p1, p2 = prior
    for k in range(n):
        w[k] += prior_weight * max(0.0, min(k + 1, p2) - max(k, p1)) / (p2 - p1)
    for lo, hi in ranges:
        lo = max(0.0, min(lo, top - 1.0))
        hi = min(max(hi, lo + 1.0), top)
        for k in range(int(lo), min(n, int(math.ceil(hi)))):
            w[k] += max(0.0, min(k + 1, hi) - max(k, lo)) / (hi - lo)
    return tuple((float(k), float(k + 1), x) for k, x in enumerate(w) if x > 0)


@dataclass(frozen=True)
class StatureModel:
    """Normal measurement error of AM stature by source and of the PM estimate.

    Family estimates run high (vocabulary §3), hence the bias. Population means
    and SDs by sex are assumptions close to published Ukrainian adult means.
    """

    sd_by_source: Mapping[str, float] = field(
        default_factory=lambda: {
            "id_document": 2.5,
            "military_record": 2.5,
            "medical_record": 2.0,
            "family_estimate": 5.0,
        }
    )
    sd_unknown_source: float = 5.0
    bias_by_source: Mapping[str, float] = field(
        default_factory=lambda: {"family_estimate": 2.0}
    )
    default_pm_se: float = 4.0
    population: Mapping[str, tuple[float, float]] = field(
        default_factory=lambda: {"male": (176.0, 7.0), "female": (164.0, 6.5)}
    )
    inconsistent_z: float = 2.0
    exclude_z: float | None = None
    # Children's stature by age (years 0..18, cm): approximate medians of the WHO
    # growth references (assumptions). Used for the denominator when the PM age
    # range reaches below ``adult_age``: stature is then conditioned on the PM
    # age estimate (as on the PM sex estimate), so age and stature are not
    # counted twice and a child's body is compared with children, not adults.
    growth: Mapping[str, tuple[float, ...]] = field(
        default_factory=lambda: {
            "male": (
                50,
                76,
                87,
                96,
                103,
                110,
                116,
                122,
                128,
                133,
                138,
                143,
                149,
                156,
                163,
                169,
                173,
                175,
                176,
            ),
            "female": (
                49,
                74,
                86,
                95,
                102,
                109,
                115,
                121,
                127,
                132,
                138,
                144,
                151,
                156,
                159,
                161,
                162,
                163,
                164,
            ),
        }
    )
    growth_cv: float = 0.045  # SD of a child's stature / median for the age
    adult_age: float = 18.0


@dataclass(frozen=True)
class CategoricalModel:
    """Soft categorical trait (hair, eye colour, build) with confusion by adjacency.

    P(PM shows o | true c) = ``w_same`` if o == c, ``w_adjacent`` shared by the
    categories adjacent to c, the rest shared by the others. LR = P(o | AM c) /
    sum_c f(c) P(o | c); with ``w_same`` = 1 it is 1/f(o).
    """

    frequencies: Mapping[str, float]
    adjacent: Mapping[str, tuple[str, ...]]
    w_same: float
    w_adjacent: float
    uninformative: tuple[str, ...] = ()

    def p_obs(self, obs: str, true: str) -> float:
        if obs == true:
            return self.w_same
        adj = self.adjacent.get(true, ())
        if obs in adj:
            return self.w_adjacent / len(adj)
        others = len(self.frequencies) - 1 - len(adj)
        rest = 1.0 - self.w_same - (self.w_adjacent if adj else 0.0)
        return rest / others if others > 0 else 0.0

    def lr(self, obs: str, am: str) -> float:
        den = sum(f * self.p_obs(obs, c) for c, f in self.frequencies.items())
        return self.p_obs(obs, am) / den


HAIR = CategoricalModel(
    frequencies={
        "black": 0.10,
        "dark_brown": 0.30,
        "brown": 0.25,
        "light_brown": 0.15,
        "blond": 0.06,
        "red": 0.02,
        "grey": 0.10,
        "white": 0.02,
    },
    adjacent={
        "black": ("dark_brown", "grey"),
        "dark_brown": ("black", "brown", "grey"),
        "brown": ("dark_brown", "light_brown", "red", "grey"),
        "light_brown": ("brown", "blond", "red"),
        "blond": ("light_brown", "red", "white"),
        "red": ("brown", "light_brown", "blond"),
        "grey": ("white", "black", "dark_brown", "brown"),
        "white": ("grey", "blond"),
    },
    w_same=0.70,
    w_adjacent=0.25,
    uninformative=("dyed", "bald"),
)
EYES = CategoricalModel(
    frequencies={
        "blue": 0.30,
        "grey": 0.12,
        "green": 0.10,
        "hazel": 0.13,
        "brown": 0.33,
        "black": 0.02,
    },
    adjacent={
        "blue": ("grey",),
        "grey": ("blue", "green"),
        "green": ("grey", "hazel"),
        "hazel": ("green", "brown"),
        "brown": ("hazel", "black"),
        "black": ("brown",),
    },
    w_same=0.80,
    w_adjacent=0.18,
)
BUILD = CategoricalModel(
    frequencies={"slight": 0.20, "medium": 0.50, "heavy": 0.20, "obese": 0.10},
    adjacent={
        "slight": ("medium",),
        "medium": ("slight", "heavy"),
        "heavy": ("medium", "obese"),
        "obese": ("heavy",),
    },
    w_same=0.60,
    w_adjacent=0.35,
)


@dataclass(frozen=True)
class ParticularsModel:
    """Population frequencies and observation probabilities of marks and devices.

    ``frequency[kind]``: share of the reference population with such a feature in
    one given body region (all assumptions). ``p_missed[kind]``: probability that
    a feature the person had is not seen in a region that was examined (decay,
    remodelling, hardware removal); 0 means absence excludes. ``p_unreported``:
    probability that a family asked about marks does not mention one.
    """

    frequency: Mapping[str, float] = field(
        default_factory=lambda: {
            "scar": 0.05,
            "tattoo": 0.02,
            "piercing": 0.03,
            "birthmark": 0.05,
            "mole": 0.20,
            "amputation": 0.002,
            "deformity": 0.005,
            "prosthesis": 0.005,
            "implant": 0.01,
            "fracture": 0.03,
        }
    )
    p_missed: Mapping[str, float] = field(
        default_factory=lambda: {
            "scar": 0.3,
            "tattoo": 0.1,
            "piercing": 0.5,
            "birthmark": 0.5,
            "mole": 0.5,
            "amputation": 0.0,
            "deformity": 0.0,
            "implant": 0.1,
            "fracture": 0.2,
        }
    )
    # Joint replacements cannot be taken out without leaving a trace; limb, eye
    # and dental prostheses are removable and their absence says nothing.
    fixed_prostheses: tuple[str, ...] = ("hip", "knee")
    p_unreported: Mapping[str, float] = field(
        default_factory=lambda: {
            "scar": 0.5,
            "tattoo": 0.3,
            "piercing": 0.5,
            "birthmark": 0.7,
            "mole": 0.9,
            "amputation": 0.02,
            "deformity": 0.3,
            "prosthesis": 0.1,
            "implant": 0.3,
            "fracture": 1.0,
        }
    )
    p_serial_random: float = 1e-4
    p_serial_mismatch_same_person: float = 0.01
    skin_kinds: tuple[str, ...] = ("scar", "tattoo", "piercing", "birthmark", "mole")


def _dental_freqs() -> dict[str, dict[str, float]]:
    return {
        "molar": {
            "missing": 0.20,
            "filled": 0.30,
            "crown": 0.08,
            "root_filling": 0.08,
            "implant": 0.01,
            "bridge": 0.04,
            "root_only": 0.03,
        },
        "premolar": {
            "missing": 0.10,
            "filled": 0.20,
            "crown": 0.06,
            "root_filling": 0.06,
            "implant": 0.01,
            "bridge": 0.04,
            "root_only": 0.02,
        },
        "canine": {
            "missing": 0.04,
            "filled": 0.10,
            "crown": 0.04,
            "root_filling": 0.03,
            "implant": 0.005,
            "bridge": 0.03,
            "root_only": 0.01,
        },
        "incisor": {
            "missing": 0.06,
            "filled": 0.12,
            "crown": 0.05,
            "root_filling": 0.04,
            "implant": 0.005,
            "bridge": 0.03,
            "root_only": 0.01,
        },
    }


@dataclass(frozen=True)
class DentalModel:
    """Per-tooth feature frequencies by tooth class (assumptions) and caps.

    A concordant feature gives 1/frequency; identical restored surfaces a further
    1/``p_same_surfaces``. Sound-to-sound agreement is common and counts 1. The
    product over teeth is capped at ``max_lr`` because dental states of one mouth
    are not independent.
    """

    frequency: Mapping[str, Mapping[str, float]] = field(default_factory=_dental_freqs)
    p_same_surfaces: float = 0.3
    p_chart_error: float = 0.1
    max_lr: float = 1e6
    # Teeth of one mouth: feature -> concentration c of an exchangeable
    # (Polya urn / beta-binomial) model. The i-th concordant tooth with that
    # feature in a mouth (i = 0, 1, ...) gives 1/p_i with
    # p_i = (c f + i) / (c + i) instead of 1/f: someone who has lost many teeth
    # is likely to have lost the next one. None or a missing feature: the teeth
    # are independent (the product, only capped). Estimate with
    # ``dental_concentration`` from the charts of the site's dead.
    concentration: Mapping[str, float] | None = None


@dataclass(frozen=True)
class EffectsModel:
    """Clothing, effects and documents: items travel, so each LR is capped."""

    p_item_random: float = 0.1
    p_label_random: float = 0.01
    p_serial_random: float = 1e-5
    p_item_missing: float = 0.7
    clothing_max_lr: float = 100.0
    effects_max_lr: float = 1000.0
    p_carry_own_document: float = 0.3
    p_carry_other_document: float = 0.003
    other_name_document_lr: float = 0.5


@dataclass(frozen=True)
class PhysicalModel:
    sex: SexModel = field(default_factory=SexModel)
    age: AgeModel = field(default_factory=AgeModel)
    stature: StatureModel = field(default_factory=StatureModel)
    hair: CategoricalModel = HAIR
    eyes: CategoricalModel = EYES
    build: CategoricalModel = BUILD
    particulars: ParticularsModel = field(default_factory=ParticularsModel)
    dental: DentalModel = field(default_factory=DentalModel)
    effects: EffectsModel = field(default_factory=EffectsModel)


DEFAULT_MODEL = PhysicalModel()

Comparator = Callable[[AMRecord, PMRecord, PhysicalModel], TraitResult]
COMPARATORS: dict[str, Comparator] = {}
# How a PM record would look if the trait were observed and agreed with AM; used
# for "what would a consistent observation add".
MIRRORS: dict[str, Callable[[AMRecord, PMRecord, PhysicalModel], PMRecord | None]] = {}


def register(name: str) -> Callable[[Comparator], Comparator]:
    def deco(fn: Comparator) -> Comparator:
        COMPARATORS[name] = fn
        return fn

    return deco


# --- Sex ----------------------------------------------------------------------

_DEFINITE = {"male", "female"}


@register("sex")
def compare_sex(am: AMRecord, pm: PMRecord, model: PhysicalModel) -> TraitResult:
    obs = pm.sex_category()
    if am.sex not in _DEFINITE or obs is None:
        return _no_data("sex")
    assert am.sex is not None
    am_uk = label("sex_am", am.sex, "uk")
    obs_uk = label("sex_pm", obs, "uk")
    if obs in _DEFINITE and obs != am.sex:
        return _excluded(
            "sex",
            f"reported {am.sex}, body definitely {obs}: exclusion",
            f"за даними родини стать {am_uk}, тіло однозначно: {obs_uk} — виключення",
        )
    m = model.sex
    lr = m.p_obs(obs, am.sex, pm.sex_method) / m.p_obs_population(obs, pm.sex_method)
    if obs == "indeterminate":
        outcome = NO_DATA
    elif obs in (am.sex, "probable_" + am.sex):
        outcome = CONSISTENT
    else:
        outcome = INCONSISTENT
    return TraitResult(
        "sex",
        outcome,
        lr,
        False,
        f"reported {am.sex}, body estimated {obs}",
        f"за даними родини стать {am_uk}, оцінка за тілом: {obs_uk}",
    )


def _mirror_sex(am: AMRecord, pm: PMRecord, model: PhysicalModel) -> PMRecord | None:
    if am.sex not in _DEFINITE:
        return None
    return replace(pm, sex=am.sex, sex_certainty=None, sex_method=None)


MIRRORS["sex"] = _mirror_sex


# --- Age ----------------------------------------------------------------------


def _g_integral(x1: float, x2: float, lo: float, hi: float, sd: float) -> float:
    """Integral over [x1, x2] of g(t): 1 on [lo, hi], a half-normal tail outside."""
    c = sd * math.sqrt(2.0 * math.pi)
    total = max(0.0, min(x2, hi) - max(x1, lo))
    if x1 < lo:
        total += c * (_phi((lo - x1) / sd) - _phi((lo - min(x2, lo)) / sd))
    if x2 > hi:
        total += c * (_phi((x2 - hi) / sd) - _phi((max(x1, hi) - hi) / sd))
    return total


def _g(t: float, lo: float, hi: float, sd: float) -> float:
    d = lo - t if t < lo else (t - hi if t > hi else 0.0)
    return math.exp(-0.5 * (d / sd) ** 2)


def age_lr(
    am_range: tuple[float, float], pm_range: tuple[float, float], model: AgeModel
) -> float:
    """LR = mean g over the AM age range / mean g over the population's ages."""
    lo, hi = pm_range
    a1, a2 = am_range
    sd = model.spread_years
    if a2 <= a1:
        return _g(a1, lo, hi, sd) / _population_mean_g(lo, hi, model)
    num = _g_integral(a1, a2, lo, hi, sd) / (a2 - a1)
    return num / _population_mean_g(lo, hi, model)


def _population_mean_g(lo: float, hi: float, model: AgeModel) -> float:
    if model.population_pieces:
        total = sum(w for _a, _b, w in model.population_pieces)
        return (
            sum(
                w * _g_integral(a, b, lo, hi, model.spread_years) / (b - a)
                for a, b, w in model.population_pieces
            )
            / total
        )
    p1, p2 = model.population_age
    return _g_integral(p1, p2, lo, hi, model.spread_years) / (p2 - p1)


def _span(lo: float, hi: float) -> str:
    """An age range as read: "44" for one age (not "44–44"), one decimal at most."""
    a, b = round(lo, 1), round(hi, 1)
    return f"{a:g}" if a == b else f"{a:g}–{b:g}"


@register("age")
def compare_age(am: AMRecord, pm: PMRecord, model: PhysicalModel) -> TraitResult:
    if am.age_min is None or pm.age_min is None:
        return _no_data("age")
    a1 = am.age_min
    a2 = am.age_max if am.age_max is not None else a1
    lo = pm.age_min
    hi = pm.age_max if pm.age_max is not None else lo
    gap = max(0.0, lo - a2, a1 - hi)
    am_age = _span(a1, a2)
    en = f"age at disappearance {am_age}, body estimated {_span(lo, hi)}"
    uk = f"вік на момент зникнення {am_age}, оцінка за тілом {_span(lo, hi)}"
    m = model.age
    if gap > m.exclude_beyond_years:
        return _excluded(
            "age",
            f"{en}: {gap:g} years apart, beyond {m.exclude_beyond_years:g}",
            f"{uk}: розбіжність {gap:g} р., більше ніж {m.exclude_beyond_years:g}",
        )
    lr = age_lr((a1, a2), (lo, hi), m)
    outcome = CONSISTENT if gap <= m.tolerance_years else INCONSISTENT
    return TraitResult("age", outcome, lr, False, en, uk)


def _mirror_age(am: AMRecord, pm: PMRecord, model: PhysicalModel) -> PMRecord | None:
    if am.age_min is None:
        return None
    mid = (am.age_min + (am.age_max if am.age_max is not None else am.age_min)) / 2
    w = model.age.typical_pm_halfwidth
    return replace(pm, age_min=mid - w, age_max=mid + w)


MIRRORS["age"] = _mirror_age


# --- Stature ------------------------------------------------------------------


def stature_lr(
    am_cm: float,
    am_source: str | None,
    pm_cm: float,
    pm_se: float | None,
    p_male: float,
    model: StatureModel,
    pm_age: tuple[float, float] | None = None,
) -> tuple[float, float]:
    """Return (LR, z) for AM reported stature against the PM estimate.

    Numerator: N(pm; am - bias, sqrt(sd_am^2 + se_pm^2)). Denominator: the
    population density of a PM estimate, a mixture over sex weighted by
    P(male | PM sex estimate): N(pm; mu_s, sqrt(sd_s^2 + se_pm^2)). When the PM
    age range ``pm_age`` reaches below ``adult_age``, the denominator is also
    conditioned on it: the mean over the range's years of the growth reference.
    """
    sd_am = model.sd_by_source.get(am_source or "", model.sd_unknown_source)
    bias = model.bias_by_source.get(am_source or "", 0.0)
    se = pm_se if pm_se is not None else model.default_pm_se
    sd = math.sqrt(sd_am**2 + se**2)
    expected = am_cm - bias
    num = _norm_pdf(pm_cm, expected, sd)
    den = stature_density(pm_cm, se, p_male, pm_age, model)
    return num / den, (pm_cm - expected) / sd


def stature_density(
    pm_cm: float,
    se: float,
    p_male: float,
    pm_age: tuple[float, float] | None,
    model: StatureModel,
) -> float:
    """The denominator of ``stature_lr``: the density of the PM estimate among
    the dead, conditioned on the PM age range when it reaches below
    ``adult_age``."""
    if pm_age is not None and pm_age[0] < model.adult_age:
        return _stature_density_by_age(pm_cm, se, p_male, pm_age, model)
    return _stature_density_adult(pm_cm, se, p_male, model)


def _stature_density_adult(
    pm_cm: float, se: float, p_male: float, model: StatureModel
) -> float:
    mu_m, sd_m = model.population["male"]
    mu_f, sd_f = model.population["female"]
    return p_male * _norm_pdf(pm_cm, mu_m, math.hypot(sd_m, se)) + (
        1 - p_male
    ) * _norm_pdf(pm_cm, mu_f, math.hypot(sd_f, se))


def _stature_density_by_age(
    pm_cm: float,
    se: float,
    p_male: float,
    pm_age: tuple[float, float],
    model: StatureModel,
) -> float:
    """Density of a PM stature among the dead whose age is in the PM range."""
    lo = max(0.0, pm_age[0])
    hi = max(lo, pm_age[1])
    steps = max(1, int(math.ceil(hi - lo)) * 2)
    total = 0.0
    for i in range(steps):
        t = lo + (hi - lo) * (i + 0.5) / steps
        if t >= model.adult_age:
            total += _stature_density_adult(pm_cm, se, p_male, model)
            continue
        dens = 0.0
        for sex, share in (("male", p_male), ("female", 1.0 - p_male)):
            table = model.growth[sex]
            k = min(int(t), len(table) - 2)
            mu = table[k] + (table[k + 1] - table[k]) * (t - k)
            adult_mu, adult_sd = model.population[sex]
            # The SD grows with the median and reaches the adult SD at adult_age.
            sd = max(model.growth_cv * mu, 2.0)
            sd = sd + (adult_sd - sd) * max(0.0, t - (model.adult_age - 2)) / 2
            dens += share * _norm_pdf(pm_cm, mu, math.hypot(sd, se))
        total += dens
    return total / steps


def _pm_age(pm: PMRecord) -> tuple[float, float] | None:
    if pm.age_min is None:
        return None
    return (pm.age_min, pm.age_max if pm.age_max is not None else pm.age_min)


@register("stature")
def compare_stature(am: AMRecord, pm: PMRecord, model: PhysicalModel) -> TraitResult:
    if am.stature_cm is None or pm.stature_cm is None:
        return _no_data("stature")
    p_male = model.sex.posterior_male(pm.sex_category(), pm.sex_method)
    lr, z = stature_lr(
        am.stature_cm,
        am.stature_source,
        pm.stature_cm,
        pm.stature_se,
        p_male,
        model.stature,
        _pm_age(pm),
    )
    se = pm.stature_se if pm.stature_se is not None else model.stature.default_pm_se
    en = (
        f"reported {am.stature_cm:g} cm ({am.stature_source or 'source unknown'}), "
        f"body estimated {pm.stature_cm:g} ± {se:g} cm (z = {z:.1f})"
    )
    uk = (
        f"зріст за даними родини {am.stature_cm:g} см, оцінка за тілом "
        f"{pm.stature_cm:g} ± {se:g} см (z = {z:.1f})"
    )
    ez = model.stature.exclude_z
    if ez is not None and abs(z) > ez:
        return _excluded("stature", en + ": exclusion", uk + ": виключення")
    outcome = CONSISTENT if abs(z) <= model.stature.inconsistent_z else INCONSISTENT
    return TraitResult("stature", outcome, lr, False, en, uk)


def _mirror_stature(
    am: AMRecord, pm: PMRecord, model: PhysicalModel
) -> PMRecord | None:
    if am.stature_cm is None:
        return None
    bias = model.stature.bias_by_source.get(am.stature_source or "", 0.0)
    return replace(pm, stature_cm=am.stature_cm - bias, stature_se=None)


MIRRORS["stature"] = _mirror_stature


# --- Hair, eyes, build ---------------------------------------------------------


def _categorical(
    trait: str, vocab_key: str, am_v: str | None, pm_v: str | None, m: CategoricalModel
) -> TraitResult:
    if (
        am_v is None
        or pm_v is None
        or am_v in m.uninformative
        or pm_v in m.uninformative
    ):
        return _no_data(trait)
    if am_v not in m.frequencies or pm_v not in m.frequencies:
        raise ValueError(f"{trait}: unknown code {am_v!r} or {pm_v!r}")
    lr = m.lr(pm_v, am_v)
    if pm_v == am_v:
        outcome = CONSISTENT
    elif pm_v in m.adjacent.get(am_v, ()):
        outcome = EXPLAINED
    else:
        outcome = INCONSISTENT
    en = f"{trait.replace('_', ' ')}: reported {label(vocab_key, am_v)}, body {label(vocab_key, pm_v)}"
    uk = (
        f"{label_uk_trait(trait)}: за даними родини {label(vocab_key, am_v, 'uk')}, "
        f"на тілі {label(vocab_key, pm_v, 'uk')}"
    )
    return TraitResult(trait, outcome, lr, False, en, uk)


_TRAIT_UK = {
    "hair_colour": "колір волосся",
    "eye_colour": "колір очей",
    "build": "статура",
    "sex": "стать",
    "age": "вік",
    "stature": "зріст",
    "particulars": "особливі прикмети",
    "dental": "зубна формула",
    "clothing": "одяг",
    "effects": "особисті речі",
    "documents": "документи",
}


def label_uk_trait(trait: str) -> str:
    return _TRAIT_UK.get(trait, trait)


@register("hair_colour")
def compare_hair(am: AMRecord, pm: PMRecord, model: PhysicalModel) -> TraitResult:
    return _categorical(
        "hair_colour", "hair_colour", am.hair_colour, pm.hair_colour, model.hair
    )


@register("eye_colour")
def compare_eyes(am: AMRecord, pm: PMRecord, model: PhysicalModel) -> TraitResult:
    return _categorical(
        "eye_colour", "eye_colour", am.eye_colour, pm.eye_colour, model.eyes
    )


@register("build")
def compare_build(am: AMRecord, pm: PMRecord, model: PhysicalModel) -> TraitResult:
    return _categorical("build", "build", am.build, pm.build, model.build)


def _mirror_attr(
    attr: str,
) -> Callable[[AMRecord, PMRecord, PhysicalModel], PMRecord | None]:
    def mirror(am: AMRecord, pm: PMRecord, model: PhysicalModel) -> PMRecord | None:
        v = getattr(am, attr)
        return None if v is None else replace(pm, **{attr: v})

    return mirror


for _attr in ("hair_colour", "eye_colour", "build"):
    MIRRORS[_attr] = _mirror_attr(_attr)


# --- Particulars ---------------------------------------------------------------


def _norm_serial(s: str | None) -> str:
    return "".join(ch for ch in (s or "").upper() if ch.isalnum())


def _where(p: Particular) -> str:
    return "/".join(x for x in (p.kind, p.region, p.side) if x)


def _same_place(a: Particular, b: Particular) -> bool:
    if a.kind != b.kind:
        return False
    if a.region and b.region and a.region != b.region:
        return False
    if a.side and b.side and a.side != b.side:
        return False
    return not (
        a.subtype and b.subtype and a.subtype != b.subtype and a.kind != "fracture"
    )


def _region_frequency(m: ParticularsModel, p: Particular) -> float:
    f = m.frequency.get(p.kind, 0.05)
    if p.region is None:
        f = min(1.0, f * len(BODY_REGIONS))
    return f


def _item(
    trait: str, outcome: str, lr: float, excl: bool, en: str, uk: str
) -> TraitResult:
    return TraitResult(trait, outcome, lr, excl, en, uk)


def _compare_one_particular(
    a: Particular, pm: PMRecord, used: set[int], m: ParticularsModel
) -> TraitResult:
    key = "particulars/" + _where(a)
    what_en = _where(a).replace("/", " ")
    what_uk = label("particular_kind", a.kind, "uk") + (
        f" ({label('body_region', a.region, 'uk')})" if a.region else ""
    )
    # PM fracture rows with a perimortem state are injuries, not history.
    for i, b in enumerate(pm.particulars):
        if i in used or not _same_place(a, b) or b.subtype == "perimortem":
            continue
        used.add(i)
        f = _region_frequency(m, a)
        sa, sb = _norm_serial(a.serial), _norm_serial(b.serial)
        if sa and sb:
            if sa == sb:
                lr = 1.0 / (f * m.p_serial_random)
                return _item(
                    key,
                    CONSISTENT,
                    lr,
                    False,
                    f"{what_en}: same serial number {a.serial}",
                    f"{what_uk}: той самий серійний номер {a.serial}",
                )
            return _item(
                key,
                INCONSISTENT,
                m.p_serial_mismatch_same_person,
                False,
                f"{what_en}: serial {a.serial} reported, {b.serial} found",
                f"{what_uk}: номер за даними родини {a.serial}, на тілі {b.serial}",
            )
        en = f"{what_en}: present on both sides"
        uk = f"{what_uk}: є в обох описах"
        if a.kind == "tattoo":
            en += " (motif to be compared by a reviewer)"
            uk += " (мотив порівнює експерт)"
        return _item(key, CONSISTENT, 1.0 / f, False, en, uk)
    regions = pm.skin_regions if a.kind in m.skin_kinds else pm.skeletal_regions
    if not region_observed(regions, a.region, a.side):
        return _item(
            key,
            NO_DATA,
            1.0,
            False,
            f"{what_en}: region not recovered or not examined",
            f"{what_uk}: ділянку не виявлено або не досліджено",
        )
    if a.kind == "prosthesis" and a.subtype not in m.fixed_prostheses:
        return _item(
            key,
            NO_DATA,
            1.0,
            False,
            f"{what_en}: removable device, absence proves nothing",
            f"{what_uk}: знімний протез, його відсутність нічого не доводить",
        )
    p_missed = m.p_missed.get(a.kind, 0.0)
    if p_missed <= 0.0:
        return _item(
            key,
            INCONSISTENT,
            0.0,
            True,
            f"{what_en}: reported, but the region is present without it: exclusion",
            f"{what_uk}: є за даними родини, але ділянка тіла збережена без неї — "
            "виключення",
        )
    f = _region_frequency(m, a)
    lr = p_missed / (1.0 - f * (1.0 - p_missed))
    return _item(
        key,
        INCONSISTENT,
        lr,
        False,
        f"{what_en}: not seen in the examined region (missed with p={p_missed:g})",
        f"{what_uk}: не виявлено на дослідженій ділянці",
    )


@register("particulars")
def compare_particulars(
    am: AMRecord, pm: PMRecord, model: PhysicalModel
) -> TraitResult:
    m = model.particulars
    used: set[int] = set()
    items = [_compare_one_particular(a, pm, used, m) for a in am.particulars]
    if am.particulars_asked:
        for i, b in enumerate(pm.particulars):
            if i in used or b.subtype == "perimortem":
                continue
            key = "particulars/pm/" + _where(b)
            p_u = m.p_unreported.get(b.kind, 0.5)
            f = _region_frequency(m, b)
            lr = p_u / (f * p_u + 1.0 - f)
            outcome = INCONSISTENT if p_u < 0.1 else EXPLAINED
            what_uk = label("particular_kind", b.kind, "uk")
            items.append(
                _item(
                    key,
                    outcome,
                    lr,
                    False,
                    f"{_where(b).replace('/', ' ')} on the body, not reported",
                    f"{what_uk}: є на тілі, родина не згадувала",
                )
            )
    return aggregate("particulars", items)


def _mirror_particulars(
    am: AMRecord, pm: PMRecord, model: PhysicalModel
) -> PMRecord | None:
    if not am.particulars:
        return None
    return replace(pm, particulars=am.particulars)


MIRRORS["particulars"] = _mirror_particulars


# --- Dental --------------------------------------------------------------------

_DENTAL_NO_DATA = {"missing_postmortem", "not_recovered", "no_information"}
_ABSENT = {"missing_antemortem"}
_UNERUPTED = {"not_erupted", "impacted"}


def _features(t: Tooth) -> set[str]:
    """Irreversible features: once present they remain (or give way to bigger work)."""
    out: set[str] = set()
    if t.restoration or t.surfaces:
        out.add("filled")
    if t.crown:
        out.add("crown")
    if "root_filling" in t.endodontics or "post" in t.endodontics:
        out.add("root_filling")
    if t.implant:
        out.add("implant")
    if t.bridge:
        out.add("bridge")
    if t.status == "root_only":
        out.add("root_only")
    return out


def _covered(am_f: set[str], pm_f: set[str], am_t: Tooth, pm_t: Tooth) -> bool:
    """AM work is still there, or covered by bigger work done later."""
    for feat in am_f:
        if feat in pm_f:
            continue
        if feat == "filled" and pm_f & {"crown", "root_only", "implant"}:
            continue
        if feat == "root_only" and pm_f & {"crown", "implant"}:
            continue
        if feat in {"crown", "bridge"} and "implant" in pm_f:
            continue
        return False
    if "filled" in am_f and "filled" in pm_f and not pm_f & {"crown"}:
        return am_t.surfaces <= pm_t.surfaces
    return True


def dental_concentration(
    charts: Sequence[Mapping[int, Tooth]], min_cases: int = 10
) -> dict[str, float]:
    """Within-mouth concentration per dental feature, from charts (moment estimate).

    For each feature, k_j of the n_j charted teeth of chart j have it. Under a
    beta-binomial with intra-mouth correlation rho, E[sum (k_j - n_j p)^2] =
    p (1 - p) sum n_j [1 + (n_j - 1) rho]; c = 1/rho - 1. Features seen on fewer
    than ``min_cases`` teeth get the smallest estimate of the others (the most
    dependent, i.e. cautious). An empty result means "not enough data".
    """
    feats = (
        "missing",
        "filled",
        "crown",
        "root_filling",
        "implant",
        "bridge",
        "root_only",
    )
    rows: list[tuple[int, dict[str, int]]] = []
    for chart in charts:
        n = 0
        k = dict.fromkeys(feats, 0)
        for t in chart.values():
            if t.status in _DENTAL_NO_DATA or t.status in _UNERUPTED:
                continue
            n += 1
            if t.status in _ABSENT:
                k["missing"] += 1
            for f in _features(t):
                if f in k:
                    k[f] += 1
        if n >= 2:
            rows.append((n, k))
    out: dict[str, float] = {}
    for f in feats:
        total_n = sum(n for n, _k in rows)
        total_k = sum(k[f] for _n, k in rows)
        if total_k < min_cases or total_n == 0:
            continue
        p = total_k / total_n
        if p >= 1:
            continue
        ss = sum((k[f] - n * p) ** 2 for n, k in rows)
        base = p * (1 - p) * total_n
        pairs = p * (1 - p) * sum(n * (n - 1) for n, _k in rows)
        rho = (ss - base) / pairs if pairs > 0 else 0.0
        rho = min(max(rho, 1e-3), 0.999)
        out[f] = 1.0 / rho - 1.0
    if out:
        low = min(out.values())
        for f in feats:
            out.setdefault(f, low)
    return out


def _p_shared(
    m: DentalModel, feat: str, f: float, seen: dict[str, int] | None
) -> float:
    """Reference probability of the next concordant ``feat`` in this mouth."""
    c = (m.concentration or {}).get(feat)
    if c is None or seen is None:
        return f
    i = seen.get(feat, 0)
    seen[feat] = i + 1
    return (c * f + i) / (c + i)


def compare_tooth(
    code: int,
    a: Tooth,
    p: Tooth,
    m: DentalModel,
    am_reliable: bool = True,
    seen: dict[str, int] | None = None,
) -> TraitResult:
    """One tooth; ``seen`` counts the concordant features of the teeth before it."""
    key = f"dental/{code}"
    cls = tooth_class(code)
    freq = m.frequency[cls]
    if a.status in _DENTAL_NO_DATA or p.status in _DENTAL_NO_DATA:
        return _item(
            key,
            NO_DATA,
            1.0,
            False,
            f"tooth {code}: no data",
            f"зуб {code}: немає даних",
        )
    if a.status in _ABSENT:
        if p.status in _ABSENT:
            return _item(
                key,
                CONSISTENT,
                1.0 / _p_shared(m, "missing", freq["missing"], seen),
                False,
                f"tooth {code}: missing antemortem on both charts",
                f"зуб {code}: прижиттєво втрачений в обох картах",
            )
        if p.implant or p.bridge == "pontic" or p.status in _UNERUPTED:
            return _item(
                key,
                EXPLAINED,
                1.0,
                False,
                f"tooth {code}: missing in AM, implant, pontic or unerupted tooth PM",
                f"зуб {code}: відсутній за даними родини, на тілі імплантат, проміжна "
                "частина мосту або неповністю прорізаний зуб",
            )
        return _item(
            key,
            INCONSISTENT,
            0.0,
            True,
            f"tooth {code}: extracted before disappearance but present on the "
            "body: exclusion (check for a mis-charted deciduous or impacted tooth)",
            f"зуб {code}: видалений до зникнення, але наявний на тілі — "
            "виключення (перевірте помилку в записі тимчасового або "
            "ретинованого зуба)",
        )
    if p.status in _ABSENT:
        return _item(
            key,
            EXPLAINED,
            1.0,
            False,
            f"tooth {code}: present in AM, extracted later",
            f"зуб {code}: наявний за даними родини, видалений пізніше",
        )
    if a.status in _UNERUPTED or p.status in _UNERUPTED:
        return _item(
            key,
            NO_DATA,
            1.0,
            False,
            f"tooth {code}: unerupted on one chart",
            f"зуб {code}: не прорізався в одній з карт",
        )
    af, pf = _features(a), _features(p)
    if not af and not pf:
        return _item(
            key,
            CONSISTENT,
            1.0,
            False,
            f"tooth {code}: sound on both",
            f"зуб {code}: інтактний в обох картах",
        )
    if af and not pf:
        if am_reliable:
            return _item(
                key,
                INCONSISTENT,
                0.0,
                True,
                f"tooth {code}: treated ({', '.join(sorted(af))}) in AM but "
                "sound on the body: exclusion (work cannot be undone)",
                f"зуб {code}: лікований за даними родини, але інтактний на тілі — "
                "виключення (лікування не можна скасувати)",
            )
        return _item(
            key,
            INCONSISTENT,
            m.p_chart_error,
            False,
            f"tooth {code}: treated in an unreliable AM chart, sound PM",
            f"зуб {code}: лікований за ненадійною прижиттєвою картою, інтактний на тілі",
        )
    if not _covered(af, pf, a, p):
        return _item(
            key,
            INCONSISTENT,
            m.p_chart_error,
            False,
            f"tooth {code}: AM work ({', '.join(sorted(af))}) not found PM "
            f"({', '.join(sorted(pf))})",
            f"зуб {code}: лікування за даними родини не відповідає стану на тілі",
        )
    shared = af & pf
    lr = 1.0
    for feat in sorted(shared):
        lr /= _p_shared(m, feat, freq.get(feat, 1.0), seen) if feat in freq else 1.0
    if "filled" in shared and a.surfaces and a.surfaces == p.surfaces:
        lr /= m.p_same_surfaces
    if pf - af or ("filled" in shared and a.surfaces != p.surfaces):
        return _item(
            key,
            EXPLAINED,
            lr,
            False,
            f"tooth {code}: more work on the body ({', '.join(sorted(pf))}) "
            "than in AM: treatment after the record",
            f"зуб {code}: на тілі більше лікування, ніж за даними родини — лікування після запису",
        )
    return _item(
        key,
        CONSISTENT,
        lr,
        False,
        f"tooth {code}: same work on both ({', '.join(sorted(shared))})",
        f"зуб {code}: однакове лікування в обох картах",
    )


@register("dental")
def compare_dental(am: AMRecord, pm: PMRecord, model: PhysicalModel) -> TraitResult:
    codes = sorted(set(am.dental) & set(pm.dental))
    seen: dict[str, int] = {}
    items = [
        compare_tooth(
            c, am.dental[c], pm.dental[c], model.dental, am.dental_reliable, seen
        )
        for c in codes
    ]
    return aggregate("dental", items, cap=_cap("dental", model))


def _mirror_dental(am: AMRecord, pm: PMRecord, model: PhysicalModel) -> PMRecord | None:
    return replace(pm, dental=dict(am.dental)) if am.dental else None


MIRRORS["dental"] = _mirror_dental


# --- Clothing, effects, documents ----------------------------------------------


def _norm_text(s: str | None) -> str:
    s = unicodedata.normalize("NFKC", s or "").casefold().replace("ё", "е")
    for ch in "'’`ʼ\"":
        s = s.replace(ch, "")
    s = s.replace("-", " ")
    return " ".join(s.split())


#: The vocabulary field naming the categories of each kind of item.
_CATEGORY_FIELDS = {
    "clothing": "clothing_category",
    "effects": "effect",
    "documents": "identity_document",
}


def _category_uk(trait: str, code: str) -> str:
    """The Ukrainian label of an item's category (the code when it has none)."""
    key = _CATEGORY_FIELDS.get(trait)
    try:
        return label(key, code, "uk") if key else code
    except KeyError:
        return code


def _compare_items(
    trait: str,
    am_items: tuple[Item, ...],
    pm_items: tuple[Item, ...],
    m: EffectsModel,
    cap: float | None,
) -> TraitResult:
    items: list[TraitResult] = []
    used: set[int] = set()
    for a in am_items:
        key = f"{trait}/{a.category}"
        what_uk = _category_uk(trait, a.category)
        best: TraitResult | None = None
        best_i = -1
        for i, b in enumerate(pm_items):
            if i in used or b.category != a.category:
                continue
            sa, sb = _norm_serial(a.serial), _norm_serial(b.serial)
            if sa and sb:
                if sa == sb:
                    r = _item(
                        key,
                        CONSISTENT,
                        1.0 / m.p_serial_random,
                        False,
                        f"{a.category}: same serial number {a.serial}",
                        f"{what_uk}: той самий серійний номер {a.serial}",
                    )
                else:
                    continue
            elif a.colours and b.colours and not a.colours & b.colours:
                r = _item(
                    key,
                    INCONSISTENT,
                    1.0,
                    False,
                    f"{a.category}: colours differ (colours change in burial)",
                    f"{what_uk}: кольори різняться (у похованні кольори змінюються)",
                )
            else:
                lr = 1.0 / m.p_item_random
                en = f"{a.category}: described item found"
                uk = f"{what_uk}: описаний предмет знайдено"
                la, lb = _norm_text(a.label_text), _norm_text(b.label_text)
                if la and lb and la == lb:
                    lr /= m.p_label_random
                    en += f", same label or engraving '{a.label_text}' (reviewer to confirm)"
                    uk += f", той самий напис '{a.label_text}' (підтверджує експерт)"
                r = _item(key, CONSISTENT, lr, False, en, uk)
            if best is None or r.lr > best.lr:
                best, best_i = r, i
        if best is None:
            best = _item(
                key,
                NO_DATA,
                1.0,
                False,
                f"{a.category}: not found on the body",
                f"{what_uk}: на тілі не знайдено",
            )
        else:
            used.add(best_i)
        items.append(best)
    return aggregate(trait, items, cap=cap)


@register("clothing")
def compare_clothing(am: AMRecord, pm: PMRecord, model: PhysicalModel) -> TraitResult:
    m = model.effects
    return _compare_items(
        "clothing", am.clothing, pm.clothing, m, _cap("clothing", model)
    )


@register("effects")
def compare_effects(am: AMRecord, pm: PMRecord, model: PhysicalModel) -> TraitResult:
    m = model.effects
    return _compare_items("effects", am.effects, pm.effects, m, _cap("effects", model))


def _name_matches(doc: Document, am: AMRecord) -> bool | None:
    """True/False if the document's name is (not) the AM name; None if unreadable."""
    name = _norm_text(doc.name)
    if not name or not am.family_name:
        return None
    tokens = set(name.split())
    family = _norm_text(am.family_name)
    given = _norm_text(am.given_names).split()
    return family in tokens and (not given or given[0] in tokens)


@register("documents")
def compare_documents(am: AMRecord, pm: PMRecord, model: PhysicalModel) -> TraitResult:
    m = model.effects
    am_numbers = {_norm_serial(d.number) for d in am.documents if d.number}
    items: list[TraitResult] = []
    own_lr = m.p_carry_own_document / m.p_carry_other_document
    for doc in pm.documents:
        key = f"documents/{doc.kind}"
        number = _norm_serial(doc.number)
        if number and number in am_numbers:
            items.append(
                _item(
                    key,
                    CONSISTENT,
                    own_lr,
                    False,
                    f"{doc.kind} number {doc.number} is the missing person's "
                    "(supporting only: papers travel)",
                    f"номер документа {doc.number} належить зниклій особі "
                    "(лише допоміжно: документи можуть переходити)",
                )
            )
            continue
        same = _name_matches(doc, am)
        if same is True:
            items.append(
                _item(
                    key,
                    CONSISTENT,
                    own_lr,
                    False,
                    f"{doc.kind} in the name '{doc.name}' found with the body "
                    "(supporting only: papers travel)",
                    f"при тілі документ на ім'я '{doc.name}' "
                    "(лише допоміжно: документи можуть переходити)",
                )
            )
        elif same is False:
            items.append(
                _item(
                    key,
                    INCONSISTENT,
                    m.other_name_document_lr,
                    False,
                    f"{doc.kind} in another name '{doc.name}' found with the body",
                    f"при тілі документ на інше ім'я '{doc.name}'",
                )
            )
    return aggregate("documents", items)


def _mirror_items(
    attr: str,
) -> Callable[[AMRecord, PMRecord, PhysicalModel], PMRecord | None]:
    def mirror(am: AMRecord, pm: PMRecord, model: PhysicalModel) -> PMRecord | None:
        v = getattr(am, attr)
        return replace(pm, **{attr: v}) if v else None

    return mirror


MIRRORS["clothing"] = _mirror_items("clothing")
MIRRORS["effects"] = _mirror_items("effects")
MIRRORS["documents"] = _mirror_items("documents")


# --- Aggregation, overrides, compare ------------------------------------------


def aggregate(
    trait: str,
    items: list[TraitResult] | tuple[TraitResult, ...],
    cap: float | None = None,
) -> TraitResult:
    """Combine item results: product of LRs (capped), exclusion if any item excludes."""
    items = tuple(items)
    informative = [r for r in items if r.outcome != NO_DATA]
    if not informative:
        return TraitResult(
            trait, NO_DATA, 1.0, False, "no data to compare", "немає даних", items
        )
    excluded = [r for r in items if r.exclusion]
    if excluded:
        return TraitResult(
            trait,
            INCONSISTENT,
            0.0,
            True,
            "; ".join(r.explanation_en for r in excluded),
            "; ".join(r.explanation_uk for r in excluded),
            items,
        )
    lr = math.prod(r.lr for r in items)
    if cap is not None:
        lr = min(lr, cap)
    outcomes = {r.outcome for r in informative}
    if INCONSISTENT in outcomes:
        outcome = INCONSISTENT
    elif EXPLAINED in outcomes:
        outcome = EXPLAINED
    else:
        outcome = CONSISTENT
    en = "; ".join(r.explanation_en for r in informative)
    uk = "; ".join(r.explanation_uk for r in informative)
    if cap is not None and math.prod(r.lr for r in items) > cap:
        en += f" (LR capped at {cap:g})"
        uk += f" (LR обмежено до {cap:g})"
    return TraitResult(trait, outcome, lr, False, en, uk, items)


def _neutralise(r: TraitResult, reason: str) -> TraitResult:
    return replace(
        r,
        lr=1.0,
        exclusion=False,
        override_reason=reason,
        explanation_en=f"{r.explanation_en} [overridden: {reason}]",
        explanation_uk=f"{r.explanation_uk} [скасовано рецензентом: {reason}]",
    )


def _cap(trait: str, model: PhysicalModel) -> float | None:
    return {
        "dental": model.dental.max_lr,
        "clothing": model.effects.clothing_max_lr,
        "effects": model.effects.effects_max_lr,
    }.get(trait)


def apply_overrides(
    r: TraitResult,
    overrides: Mapping[str, str],
    used: set[str],
    model: PhysicalModel = DEFAULT_MODEL,
) -> TraitResult:
    """Neutralise (LR 1, no exclusion) the trait or items named in ``overrides``."""
    for key, reason in overrides.items():
        if not reason or not reason.strip():
            raise ValueError(f"override for {key!r} needs a reason")
    if r.trait in overrides:
        used.add(r.trait)
        return _neutralise(r, overrides[r.trait])
    if not any(i.trait in overrides for i in r.items):
        return r
    new_items = []
    for i in r.items:
        if i.trait in overrides:
            used.add(i.trait)
            i = _neutralise(i, overrides[i.trait])
        new_items.append(i)
    return aggregate(r.trait, new_items, cap=_cap(r.trait, model))


@dataclass(frozen=True)
class PhysicalComparison:
    am_id: str
    pm_id: str
    results: tuple[TraitResult, ...]
    lr: float
    exclusions: tuple[TraitResult, ...]
    overrides: Mapping[str, str]
    unused_overrides: tuple[str, ...] = ()

    @property
    def excluded(self) -> bool:
        return bool(self.exclusions)

    @property
    def log10_lr(self) -> float:
        return math.log10(self.lr) if self.lr > 0 else -math.inf

    def result(self, trait: str) -> TraitResult:
        for r in self.results:
            if r.trait == trait:
                return r
        raise KeyError(trait)


def compare(
    am: AMRecord,
    pm: PMRecord,
    overrides: Mapping[str, str] | None = None,
    model: PhysicalModel = DEFAULT_MODEL,
    traits: tuple[str, ...] | None = None,
) -> PhysicalComparison:
    """Run every registered comparator and combine.

    The combined LR is the product of the trait LRs, which assumes the traits are
    conditionally independent given identity (stature is conditioned on the PM
    sex estimate to avoid counting sex twice). Any exclusion not overridden makes
    the combined LR 0. ``overrides`` maps a trait (``"sex"``) or an item
    (``"dental/36"``, ``"particulars/amputation/forearm/L"``) to a reviewer's
    reason; that result becomes LR 1 and no exclusion, and the reason is kept.
    """
    overrides = dict(overrides or {})
    used: set[str] = set()
    results = []
    for name in traits or tuple(COMPARATORS):
        r = COMPARATORS[name](am, pm, model)
        results.append(apply_overrides(r, overrides, used, model))
    exclusions = tuple(r for r in results if r.exclusion)
    lr = 0.0 if exclusions else math.prod(r.lr for r in results)
    return PhysicalComparison(
        am.person_id,
        pm.body_id,
        tuple(results),
        lr,
        exclusions,
        overrides,
        tuple(k for k in overrides if k not in used),
    )


def potential_lr(
    am: AMRecord, pm: PMRecord, trait: str, model: PhysicalModel = DEFAULT_MODEL
) -> float | None:
    """LR a consistent PM observation of ``trait`` would give, if it is missing now.

    Returns None when the trait already has PM data or AM has nothing to compare.
    """
    current = COMPARATORS[trait](am, pm, model)
    if current.outcome != NO_DATA:
        return None
    mirrored = MIRRORS[trait](am, pm, model) if trait in MIRRORS else None
    if mirrored is None:
        return None
    r = COMPARATORS[trait](am, mirrored, model)
    return None if r.outcome == NO_DATA else r.lr
