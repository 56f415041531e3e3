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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

import numpy as np

from matching import physical
from matching.records import (
    AMRecord,
    Item,
    Particular,
    PMRecord,
    Tooth,
    region_observed,
)
from matching.vocabulary import tooth_class

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


def _joined_keys(
    old: Sequence[object], new: Sequence[object]
) -> tuple[list[object], np.ndarray]:
    """``old``'s keys followed by those of ``new`` it lacks, and the index
    of each of ``new``'s keys among them."""
    index = {v: i for i, v in enumerate(old)}
    remap = np.array([index.setdefault(v, len(index)) for v in new], dtype=np.int32)
    return list(index), remap


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
    # Person index -> its clothing and effects read once (``_norm_items``).
    items: dict[int, tuple[_NormItems, _NormItems]] = field(default_factory=dict)

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

    def extended(self, records: Sequence[AMRecord]) -> PersonTable:
        """This table with ``records`` appended: equal to building the whole
        table again, at the cost of the new records only."""
        new = PersonTable.build(records)
        keys: dict[str, list[object]] = {}
        codes: dict[str, np.ndarray] = {}
        for trait, old_keys in self.keys.items():
            keys[trait], remap = _joined_keys(old_keys, new.keys[trait])
            codes[trait] = np.concatenate(
                [self.codes[trait], remap[new.codes[trait]]]
            ).astype(np.int32)
        return PersonTable(
            self.records + new.records,
            keys,
            codes,
            np.concatenate([self.particulars, new.particulars]),
            np.concatenate([self.particulars_asked, new.particulars_asked]),
            np.concatenate([self.dental, new.dental]),
            np.concatenate([self.clothing, new.clothing]),
            np.concatenate([self.effects, new.effects]),
        )

    def replaced(self, records: Mapping[int, AMRecord]) -> PersonTable:
        """This table with the record at each index of ``records`` replaced:
        the same LRs as building the whole table again (a trait's key list
        may keep a value no record has any longer: its LR is computed and
        never read), at the cost of the replaced records only. ``self`` is
        left as it was; with no record changed, it is returned."""
        at = sorted(j for j, r in records.items() if r != self.records[j])
        if not at:
            return self
        new = PersonTable.build([records[j] for j in at])
        rows = np.array(at, dtype=np.int64)
        keys: dict[str, list[object]] = {}
        codes: dict[str, np.ndarray] = {}
        for trait, old_keys in self.keys.items():
            keys[trait], remap = _joined_keys(old_keys, new.keys[trait])
            codes[trait] = self.codes[trait].copy()
            codes[trait][rows] = remap[new.codes[trait]]
        flags = []
        for name in (
            "particulars",
            "particulars_asked",
            "dental",
            "clothing",
            "effects",
        ):
            flag = getattr(self, name).copy()
            flag[rows] = getattr(new, name)
            flags.append(flag)
        out = list(self.records)
        for j in at:
            out[j] = records[j]
        items = dict(self.items)
        for j in at:
            items.pop(j, None)
        return PersonTable(
            out,
            keys,
            codes,
            particulars=flags[0],
            particulars_asked=flags[1],
            dental=flags[2],
            clothing=flags[3],
            effects=flags[4],
            items=items,
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
    lr, excl = _key_values(trait, keys, pm, model)
    return np.array(lr, dtype=float), np.array(excl, dtype=bool)


def _key_values(
    trait: str, keys: Sequence[object], pm: PMRecord, model: physical.PhysicalModel
) -> tuple[list[float], list[bool]]:
    """``_key_results`` as lists (a few keys against many bodies: the arrays
    are built once for all the bodies, ``simple_rows``)."""
    lr = [1.0] * len(keys)
    excl = [False] * len(keys)
    if trait == "age":
        if pm.age_min is None:
            return lr, excl
        lo = pm.age_min
        hi = pm.age_max if pm.age_max is not None else lo
        m = model.age
        den = _population_mean_g(lo, hi, m)
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
        den = _stature_density(pm.stature_cm, se, p_male, physical._pm_age(pm), sm)
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
    for i, k in enumerate(keys):
        if k is None:
            continue
        r = fn(_am_of(trait, k), pm, model)
        lr[i], excl[i] = r.lr, r.exclusion
    return lr, excl


def _am_of(trait: str, code: object) -> AMRecord:
    """The AM record of one code of a trait (nothing else known), made once."""
    am = _AM_OF.get((trait, code))
    if am is None:
        if len(_AM_OF) > 10_000:
            _AM_OF.clear()
        am = _AM_OF[(trait, code)] = AMRecord(person_id="", **{trait: code})  # type: ignore[arg-type]
    return am


#: (trait, code) -> ``AMRecord`` (frozen): the codes of a trait are few.
_AM_OF: dict[tuple[str, object], AMRecord] = {}


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


def simple_rows(
    table: PersonTable, pms: Sequence[PMRecord], model: physical.PhysicalModel
) -> tuple[np.ndarray, np.ndarray]:
    """``simple_row`` of each body of ``pms`` (bodies x persons): the same
    products, trait by trait, for a small table (new reports) against many
    bodies."""
    lr = np.ones((len(pms), len(table)))
    excl = np.zeros((len(pms), len(table)), dtype=bool)
    for trait in SIMPLE_TRAITS:
        keys = table.keys[trait]
        if all(k is None for k in keys):
            continue  # LR 1 and no exclusion at every body
        # Once per distinct value of what the trait reads of a body: the same
        # numbers for every body that shares it (a site's bodies share a
        # few age ranges, sexes and colours).
        if trait not in TRAIT_READS:
            values = [_key_values(trait, keys, pm, model) for pm in pms]
        else:
            seen: dict[tuple[Any, ...], tuple[list[float], list[bool]]] = {}
            values = []
            for pm in pms:
                key = pm_reads(trait, pm)
                found = seen.get(key)
                if found is None:
                    found = seen[key] = _key_values(trait, keys, pm, model)
                values.append(found)
        k_lr = np.array([v[0] for v in values], dtype=float).reshape(
            len(pms), len(keys)
        )
        k_excl = np.array([v[1] for v in values], dtype=bool).reshape(
            len(pms), len(keys)
        )
        codes = table.codes[trait]
        lr *= k_lr[:, codes]
        excl |= k_excl[:, codes]
    lr[excl] = 0.0
    return lr, excl


#: The simple traits' fields, (AM record's, PM record's): what each trait's
#: comparator in ``physical`` reads of either side (``compare_sex`` the sex,
#: and the body's certainty and method; the stature what its density reads;
#: the colours and build ``_categorical`` their one field), so that a trait's
#: result is computed once per distinct pair of values (``simple_rows``;
#: ``identification.engine.FastComparer``). A guard test checks the PM side.
TRAIT_READS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "sex": (("sex",), ("sex", "sex_certainty", "sex_method")),
    "age": (("age_min", "age_max"), ("age_min", "age_max")),
    "stature": (
        ("stature_cm", "stature_source"),
        (
            "stature_cm",
            "stature_se",
            "sex",
            "sex_certainty",
            "sex_method",
            "age_min",
            "age_max",
        ),
    ),
    "hair_colour": (("hair_colour",), ("hair_colour",)),
    "eye_colour": (("eye_colour",), ("eye_colour",)),
    "build": (("build",), ("build",)),
}


def pm_reads(trait: str, pm: PMRecord) -> tuple[Any, ...]:
    """The values of ``pm`` that ``trait`` (one of ``TRAIT_READS``) reads."""
    return tuple(getattr(pm, name) for name in TRAIT_READS[trait][1])


def item_traits_needed_rows(table: PersonTable, pms: Sequence[PMRecord]) -> np.ndarray:
    """``item_traits_needed`` of each body of ``pms`` (bodies x persons)."""
    flags = np.array(
        [
            [
                bool(pm.particulars),
                bool(pm.dental),
                bool(pm.clothing),
                bool(pm.effects),
                bool(pm.documents),
            ]
            for pm in pms
        ],
        dtype=bool,
    ).reshape(len(pms), 5)
    need = np.repeat(table.particulars[None, :], len(pms), axis=0)
    need |= flags[:, 0:1] & table.particulars_asked[None, :]
    need |= flags[:, 1:2] & table.dental[None, :]
    need |= flags[:, 2:3] & table.clothing[None, :]
    need |= flags[:, 3:4] & table.effects[None, :]
    need |= flags[:, 4:5]
    return need


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


# A body's age range against the reference ages: once per body and model (every
# run of a site with a cache asks again for the same bodies).
_population_mean_g = lru_cache(maxsize=65536)(physical._population_mean_g)


def _stature_density(
    cm: float,
    se: float,
    p_male: float,
    pm_age: tuple[float, float] | None,
    sm: physical.StatureModel,
) -> float:
    """The density of a body's stature among the dead (the denominator of
    its stature LRs, ``physical.stature_density``), once per body and model: a
    subadult's takes a growth reference over its age range (60 µs; new
    reports against every body of a site ask again for the same bodies)."""
    key = (cm, se, p_male, pm_age, id(sm))
    kept = _STATURE_DENSITY.get(key)
    if kept is not None and kept[0] is sm:
        return kept[1]
    den = physical.stature_density(cm, se, p_male, pm_age, sm)
    if len(_STATURE_DENSITY) > 65_536:
        _STATURE_DENSITY.clear()
    # (The model kept with its density: its id is not reused meanwhile.)
    _STATURE_DENSITY[key] = (sm, den)
    return den


_STATURE_DENSITY: dict[tuple[Any, ...], tuple[physical.StatureModel, float]] = {}

# The item comparators normalise the same strings and teeth over and over.
_serial = lru_cache(maxsize=None)(physical._norm_serial)
_text = lru_cache(maxsize=None)(physical._norm_text)
_tooth_class = lru_cache(maxsize=None)(tooth_class)


@cache
def _features(t: Tooth) -> frozenset[str]:
    return frozenset(physical._features(t))


@cache
def _name_matches(doc_name: str | None, family: str, given: str) -> bool | None:
    """``physical._name_matches`` on the strings it reads."""
    name = _text(doc_name)
    if not name or not family:
        return None
    tokens = set(name.split())
    given_words = _text(given).split()
    return _text(family) in tokens and (not given_words or given_words[0] in tokens)


def item_traits(
    am: AMRecord, pm: PMRecord, model: physical.PhysicalModel
) -> tuple[float, bool]:
    """Product of the item traits' LRs for one pair, and whether one excludes.

    The numbers of ``matching.physical``'s comparators (particulars, dental,
    clothing, effects, documents, in that order), without their explanations.
    """
    lr = 1.0
    for fn in (_particulars_lr, _dental_lr, _clothing_lr, _effects_lr, _documents_lr):
        r, out = fn(am, pm, model)
        if out:
            return 0.0, True
        lr *= r
    return lr, False


def item_traits_row(
    table: PersonTable, js: np.ndarray, pm: PMRecord, model: physical.PhysicalModel
) -> tuple[np.ndarray, np.ndarray]:
    """``item_traits`` for the persons ``js`` of ``table`` against one body.

    The body's clothing and effects, and each person's, are read once (their
    serial numbers and labels normalised) instead of once per pair; the numbers
    are those of ``item_traits``.
    """
    lr = np.ones(len(js))
    out = np.zeros(len(js), dtype=bool)
    pm_clothing, pm_effects = _norm_items(pm.clothing), _norm_items(pm.effects)
    m = model.effects
    records, items = table.records, table.items
    for k, j in enumerate(js.tolist()):
        am = records[j]
        r = 1.0
        for fn in (_particulars_lr, _dental_lr):
            x, excluded = fn(am, pm, model)
            if excluded:
                break
            r *= x
        else:
            both = items.get(j)
            if both is None:
                both = items[j] = (_norm_items(am.clothing), _norm_items(am.effects))
            r *= _norm_items_lr(both[0], pm_clothing, m, m.clothing_max_lr)
            r *= _norm_items_lr(both[1], pm_effects, m, m.effects_max_lr)
            r *= _documents_lr(am, pm, model)[0]
            lr[k] = r
            continue
        lr[k], out[k] = 0.0, True
    return lr, out


#: Items as ``_items_lr`` reads them: category, normalised serial, colours,
#: normalised label.
_NormItems = tuple[tuple[str, str, frozenset[str], str], ...]


def _norm_items(items: tuple[Item, ...]) -> _NormItems:
    return tuple(
        (i.category, _serial(i.serial), i.colours, _text(i.label_text)) for i in items
    )


def _norm_items_lr(
    am_items: _NormItems,
    pm_items: _NormItems,
    m: physical.EffectsModel,
    cap: float | None,
) -> float:
    """``_items_lr`` on items read by ``_norm_items`` (never an exclusion)."""
    if not am_items or not pm_items:
        return 1.0
    used: set[int] = set()
    lr = 1.0
    for cat, sa, colours_a, la in am_items:
        best: float | None = None
        best_i = -1
        for i, (cat_b, sb, colours_b, lb) in enumerate(pm_items):
            if i in used or cat_b != cat:
                continue
            if sa and sb:
                if sa != sb:
                    continue
                r = 1.0 / m.p_serial_random
            elif colours_a and colours_b and not colours_a & colours_b:
                r = 1.0
            else:
                r = 1.0 / m.p_item_random
                if la and lb and la == lb:
                    r /= m.p_label_random
            if best is None or r > best:
                best, best_i = r, i
        if best is not None:
            used.add(best_i)
            lr *= best
    return min(lr, cap) if cap is not None else lr


def _particulars_lr(
    am: AMRecord, pm: PMRecord, model: physical.PhysicalModel
) -> tuple[float, bool]:
    m = model.particulars
    used: set[int] = set()
    lr = 1.0
    for a in am.particulars:
        r = _one_particular_lr(a, pm, used, m)
        if r is None:
            return 0.0, True
        lr *= r
    if am.particulars_asked:
        for i, b in enumerate(pm.particulars):
            if i in used or b.subtype == "perimortem":
                continue
            p_u = m.p_unreported.get(b.kind, 0.5)
            f = physical._region_frequency(m, b)
            lr *= p_u / (f * p_u + 1.0 - f)
    return lr, False


def _one_particular_lr(
    a: Particular, pm: PMRecord, used: set[int], m: physical.ParticularsModel
) -> float | None:
    """``physical._compare_one_particular``'s LR; None for an exclusion."""
    for i, b in enumerate(pm.particulars):
        if i in used or not physical._same_place(a, b) or b.subtype == "perimortem":
            continue
        used.add(i)
        f = physical._region_frequency(m, a)
        sa, sb = _serial(a.serial), _serial(b.serial)
        if sa and sb:
            if sa == sb:
                return 1.0 / (f * m.p_serial_random)
            return m.p_serial_mismatch_same_person
        return 1.0 / f
    regions = pm.skin_regions if a.kind in m.skin_kinds else pm.skeletal_regions
    if not region_observed(regions, a.region, a.side):
        return 1.0
    if a.kind == "prosthesis" and a.subtype not in m.fixed_prostheses:
        return 1.0
    p_missed = m.p_missed.get(a.kind, 0.0)
    if p_missed <= 0.0:
        return None
    f = physical._region_frequency(m, a)
    return p_missed / (1.0 - f * (1.0 - p_missed))


def _dental_lr(
    am: AMRecord, pm: PMRecord, model: physical.PhysicalModel
) -> tuple[float, bool]:
    if not am.dental or not pm.dental:
        return 1.0, False
    m = model.dental
    seen: dict[str, int] = {}
    lr = 1.0
    out = False
    for code in sorted(set(am.dental) & set(pm.dental)):
        r = _tooth_lr(
            code, am.dental[code], pm.dental[code], m, am.dental_reliable, seen
        )
        if r is None:
            out = True
        else:
            lr *= r
    if out:
        return 0.0, True
    cap = m.max_lr
    return (min(lr, cap) if cap is not None else lr), False


def _tooth_lr(
    code: int,
    a: Tooth,
    p: Tooth,
    m: physical.DentalModel,
    am_reliable: bool,
    seen: dict[str, int],
) -> float | None:
    """``physical.compare_tooth``'s LR; None for an exclusion."""
    if a.status in physical._DENTAL_NO_DATA or p.status in physical._DENTAL_NO_DATA:
        return 1.0
    freq = m.frequency[_tooth_class(code)]
    if a.status in physical._ABSENT:
        if p.status in physical._ABSENT:
            return 1.0 / physical._p_shared(m, "missing", freq["missing"], seen)
        if p.implant or p.bridge == "pontic" or p.status in physical._UNERUPTED:
            return 1.0
        return None
    if p.status in physical._ABSENT:
        return 1.0
    if a.status in physical._UNERUPTED or p.status in physical._UNERUPTED:
        return 1.0
    af, pf = _features(a), _features(p)
    if not af and not pf:
        return 1.0
    if af and not pf:
        return None if am_reliable else m.p_chart_error
    if not physical._covered(set(af), set(pf), a, p):
        return m.p_chart_error
    lr = 1.0
    for feat in sorted(af & pf):
        lr /= (
            physical._p_shared(m, feat, freq.get(feat, 1.0), seen)
            if feat in freq
            else 1.0
        )
    if "filled" in af & pf and a.surfaces and a.surfaces == p.surfaces:
        lr /= m.p_same_surfaces
    return lr


def _items_lr(
    am_items: tuple[Item, ...],
    pm_items: tuple[Item, ...],
    m: physical.EffectsModel,
    cap: float | None,
) -> tuple[float, bool]:
    if not am_items or not pm_items:
        return 1.0, False
    used: set[int] = set()
    lr = 1.0
    for a in am_items:
        best: float | None = None
        best_i = -1
        sa = _serial(a.serial)
        for i, b in enumerate(pm_items):
            if i in used or b.category != a.category:
                continue
            sb = _serial(b.serial)
            if sa and sb:
                if sa != sb:
                    continue
                r = 1.0 / m.p_serial_random
            elif a.colours and b.colours and not a.colours & b.colours:
                r = 1.0
            else:
                r = 1.0 / m.p_item_random
                la = _text(a.label_text)
                lb = _text(b.label_text)
                if la and lb and la == lb:
                    r /= m.p_label_random
            if best is None or r > best:
                best, best_i = r, i
        if best is not None:
            used.add(best_i)
            lr *= best
    return (min(lr, cap) if cap is not None else lr), False


def _clothing_lr(
    am: AMRecord, pm: PMRecord, model: physical.PhysicalModel
) -> tuple[float, bool]:
    m = model.effects
    return _items_lr(am.clothing, pm.clothing, m, m.clothing_max_lr)


def _effects_lr(
    am: AMRecord, pm: PMRecord, model: physical.PhysicalModel
) -> tuple[float, bool]:
    m = model.effects
    return _items_lr(am.effects, pm.effects, m, m.effects_max_lr)


def _documents_lr(
    am: AMRecord, pm: PMRecord, model: physical.PhysicalModel
) -> tuple[float, bool]:
    if not pm.documents:
        return 1.0, False
    m = model.effects
    am_numbers = {_serial(d.number) for d in am.documents if d.number}
    own_lr = m.p_carry_own_document / m.p_carry_other_document
    lr = 1.0
    for doc in pm.documents:
        number = _serial(doc.number)
        if number and number in am_numbers:
            lr *= own_lr
            continue
        same = _name_matches(doc.name, am.family_name, am.given_names)
        if same is True:
            lr *= own_lr
        elif same is False:
            lr *= m.other_name_document_lr
    return lr, False
