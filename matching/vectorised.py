"""Physical LRs of one body against many missing persons at once (numpy).

``matching.physical.compare`` answers for one pair and explains every trait.
At national scale a body meets tens of thousands of reports, so here the same
numbers are computed for a whole row of persons:

- the *simple* traits (sex, age, stature, hair, eyes, build) depend on a few
  fields of each side. Each person is reduced to a key per trait (its sex code,
  its age range, its stature and source, its colour codes); for one body the
  trait's LR and exclusion flag are computed once per distinct key, with the
  very formulas of ``matching.physical``, and gathered into the row with numpy;
- the *item* traits (particulars, teeth, clothing, effects, documents) are
  compared pair by pair with ``matching.physical``'s comparators, but only for
  the pairs that are still possible, and only when both sides have data that
  the comparator can use (otherwise its answer is "no data", LR 1).

The per-trait explanations of the candidates shown to a reviewer still come from
``matching.physical.compare`` (see ``imena.identification.services``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from matching import physical
from matching.records import AMRecord, PMRecord

#: Traits computed from keys, in the order of ``physical.COMPARATORS``.
SIMPLE_TRAITS = ("sex", "age", "stature", "hair_colour", "eye_colour", "build")
#: Traits compared item by item.
ITEM_TRAITS = tuple(t for t in physical.COMPARATORS if t not in SIMPLE_TRAITS)


def _keys(values: Sequence[Any]) -> tuple[list[object], np.ndarray]:
    """Distinct values (first-seen order) and each value's index among them."""
    index: dict[object, int] = {}
    codes = np.empty(len(values), dtype=np.int32)
    for i, v in enumerate(values):
        codes[i] = index.setdefault(v, len(index))
    return list(index), codes


@dataclass
class PersonTable:
    """The missing persons' AM records, reduced to keys for the simple traits.

    Built once and reused for every site (building AM records is the slow part).
    """

    records: list[AMRecord]
    keys: dict[str, list[object]]
    codes: dict[str, np.ndarray]
    # Whether the person has data an item comparator can use (see ``_needed``).
    particulars: np.ndarray
    particulars_asked: np.ndarray
    dental: np.ndarray
    clothing: np.ndarray
    effects: np.ndarray

    @classmethod
    def build(cls, records: Sequence[AMRecord]) -> PersonTable:
        records = list(records)
        fields: dict[str, list[Any]] = {
            "sex": [r.sex if r.sex in ("male", "female") else None for r in records],
            "age": [
                None
                if r.age_min is None
                else (r.age_min, r.age_max if r.age_max is not None else r.age_min)
                for r in records
            ],
            "stature": [
                None if r.stature_cm is None else (r.stature_cm, r.stature_source)
                for r in records
            ],
            "hair_colour": [r.hair_colour for r in records],
            "eye_colour": [r.eye_colour for r in records],
            "build": [r.build for r in records],
        }
        keys: dict[str, list[object]] = {}
        codes: dict[str, np.ndarray] = {}
        for trait, values in fields.items():
            keys[trait], codes[trait] = _keys(values)
        return cls(
            records,
            keys,
            codes,
            np.array([bool(r.particulars) for r in records], dtype=bool),
            np.array([r.particulars_asked for r in records], dtype=bool),
            np.array([bool(r.dental) for r in records], dtype=bool),
            np.array([bool(r.clothing) for r in records], dtype=bool),
            np.array([bool(r.effects) for r in records], dtype=bool),
        )

    def __len__(self) -> int:
        return len(self.records)


def _pair(key: object) -> tuple[Any, Any]:
    assert isinstance(key, tuple)
    return key[0], key[1]


def _key_results(
    trait: str, keys: Sequence[object], pm: PMRecord, model: physical.PhysicalModel
) -> tuple[np.ndarray, np.ndarray]:
    """LR and exclusion flag of ``trait`` for each distinct AM key, against ``pm``."""
    lr = np.ones(len(keys))
    excl = np.zeros(len(keys), dtype=bool)
    if trait == "age":
        if pm.age_min is None:
            return lr, excl
        lo = pm.age_min
        hi = pm.age_max if pm.age_max is not None else lo
        m = model.age
        den = physical._population_mean_g(lo, hi, m)
        for i, k in enumerate(keys):
            if k is None:
                continue
            a1, a2 = _pair(k)
            gap = max(0.0, lo - a2, a1 - hi)
            if gap > m.exclude_beyond_years:
                lr[i], excl[i] = 0.0, True
            elif a2 <= a1:
                lr[i] = physical._g(a1, lo, hi, m.spread_years) / den
            else:
                num = physical._g_integral(a1, a2, lo, hi, m.spread_years) / (a2 - a1)
                lr[i] = num / den
        return lr, excl
    if trait == "stature":
        if pm.stature_cm is None:
            return lr, excl
        sm = model.stature
        p_male = model.sex.posterior_male(pm.sex_category(), pm.sex_method)
        se = pm.stature_se if pm.stature_se is not None else sm.default_pm_se
        pm_age = physical._pm_age(pm)
        if pm_age is not None and pm_age[0] < sm.adult_age:
            den = physical._stature_density_by_age(
                pm.stature_cm, se, p_male, pm_age, sm
            )
        else:
            den = physical._stature_density_adult(pm.stature_cm, se, p_male, sm)
        for i, k in enumerate(keys):
            if k is None:
                continue
            cm, source = _pair(k)
            sd_am = sm.sd_by_source.get(source or "", sm.sd_unknown_source)
            bias = sm.bias_by_source.get(source or "", 0.0)
            sd = math.sqrt(sd_am**2 + se**2)
            expected = cm - bias
            lr[i] = physical._norm_pdf(pm.stature_cm, expected, sd) / den
            z = (pm.stature_cm - expected) / sd
            if sm.exclude_z is not None and abs(z) > sm.exclude_z:
                lr[i], excl[i] = 0.0, True
        return lr, excl
    # sex, hair, eyes, build: the comparator itself, once per code.
    fn = physical.COMPARATORS[trait]
    attr = trait
    for i, k in enumerate(keys):
        if k is None:
            continue
        r = fn(AMRecord(person_id="", **{attr: k}), pm, model)  # type: ignore[arg-type]
        lr[i], excl[i] = r.lr, r.exclusion
    return lr, excl


def simple_row(
    table: PersonTable, pm: PMRecord, model: physical.PhysicalModel
) -> tuple[np.ndarray, np.ndarray]:
    """Product of the simple traits' LRs for every person, and the exclusion flags.

    An excluded person's LR is 0. Equal, up to rounding, to the product of the
    same traits in ``matching.physical.compare``.
    """
    lr = np.ones(len(table))
    excl = np.zeros(len(table), dtype=bool)
    for trait in SIMPLE_TRAITS:
        k_lr, k_excl = _key_results(trait, table.keys[trait], pm, model)
        codes = table.codes[trait]
        lr *= k_lr[codes]
        excl |= k_excl[codes]
    lr[excl] = 0.0
    return lr, excl


def item_traits_needed(table: PersonTable, pm: PMRecord) -> np.ndarray:
    """Persons for whom some item comparator can return more than "no data".

    Particulars: the person reported marks, or was asked and the body has some;
    teeth, clothing, effects: both sides have entries; documents: the body had
    some (the comparator reads the name on them).
    """
    need = table.particulars.copy()
    if pm.particulars:
        need |= table.particulars_asked
    if pm.dental:
        need |= table.dental
    if pm.clothing:
        need |= table.clothing
    if pm.effects:
        need |= table.effects
    if pm.documents:
        need[:] = True
    return need


def item_traits(
    am: AMRecord, pm: PMRecord, model: physical.PhysicalModel
) -> tuple[float, bool]:
    """Product of the item traits' LRs for one pair, and whether one excludes."""
    lr = 1.0
    for trait in ITEM_TRAITS:
        r = physical.COMPARATORS[trait](am, pm, model)
        if r.exclusion:
            return 0.0, True
        lr *= r.lr
    return lr, False
