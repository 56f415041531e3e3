"""The vectorised physical LRs equal the comparators of ``matching.physical``."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from matching import physical, vectorised
from matching.records import AMRecord, Document, Item, Particular, PMRecord, Tooth

PERSONS = [
    AMRecord("p0"),
    AMRecord("p1", sex="male", age_min=30, age_max=30, stature_cm=176),
    AMRecord(
        "p2",
        sex="female",
        age_min=25,
        age_max=35,
        stature_cm=164,
        stature_source="id_document",
        hair_colour="blond",
        eye_colour="blue",
    ),
    AMRecord(
        "p3",
        sex="male",
        age_min=70,
        stature_cm=170,
        build="heavy",
        stature_source="family_estimate",
    ),
    AMRecord("p4", sex="unknown", age_min=8, age_max=9, stature_cm=130),
    AMRecord(
        "p5",
        sex="male",
        hair_colour="dyed",
        eye_colour="brown",
        build="slight",
        dental={36: Tooth(status="missing_antemortem")},
        clothing=(Item("jacket", frozenset({"black"})),),
    ),
]

FILLED = Tooth(restoration="amalgam", surfaces=frozenset({"O"}))
PERSONS += [
    AMRecord(
        "p6",
        family_name="Бойко",
        given_names="Петро",
        particulars=(
            Particular("tattoo", "forearm", "L"),
            Particular("prosthesis", "thigh", "R", subtype="hip", serial="AB-12"),
        ),
        dental={16: FILLED, 26: FILLED, 36: Tooth(crown="gold"), 11: Tooth()},
        clothing=(
            Item("jacket", frozenset({"black"}), label_text="Zara"),
            Item("boots", serial="X1"),
        ),
        effects=(Item("watch", serial="W-9"),),
        documents=(Document("passport", "ET 123456"),),
    ),
    AMRecord(
        "p7",
        family_name="Коваль",
        given_names="Іван",
        particulars_asked=False,
        dental={16: Tooth(status="missing_antemortem"), 26: FILLED},
        dental_reliable=False,
        clothing=(Item("jacket", frozenset({"blue"})),),
    ),
    AMRecord("p8", particulars=(Particular("amputation", "forearm", "R"),)),
]

BODIES = [
    PMRecord("b0"),
    PMRecord("b1", sex="male", age_min=25, age_max=40, stature_cm=175),
    PMRecord(
        "b2",
        sex="female",
        sex_certainty="probable",
        age_min=20,
        age_max=30,
        stature_cm=162,
        stature_se=3.0,
        hair_colour="light_brown",
    ),
    PMRecord(
        "b3",
        sex="male",
        sex_method="amelogenin",
        age_min=3,
        age_max=7,
        stature_cm=110,
        eye_colour="hazel",
        build="medium",
    ),
    PMRecord(
        "b4",
        sex="indeterminate",
        age_min=60,
        stature_cm=168,
        dental={36: Tooth(status="present_sound")},
        clothing=(Item("jacket", frozenset({"black"})),),
    ),
    PMRecord(
        "b5",
        skin_regions=frozenset({"forearm:L", "forearm:R"}),
        skeletal_regions=frozenset({"forearm", "thigh"}),
        particulars=(
            Particular("tattoo", "forearm", "L"),
            Particular("prosthesis", "thigh", "R", subtype="hip", serial="AB12"),
            Particular("scar", "torso_front"),
        ),
        dental={
            16: FILLED,
            26: Tooth(crown="gold"),
            36: Tooth(crown="gold"),
            11: Tooth(status="missing_postmortem"),
        },
        clothing=(
            Item("jacket", frozenset({"black"}), label_text="ZARA"),
            Item("boots", serial="X2"),
            Item("jacket", frozenset({"blue"})),
        ),
        effects=(Item("watch", serial="w9"),),
        documents=(
            Document("passport", "ET123456"),
            Document("id_card", name="Коваль Іван Петрович"),
        ),
    ),
]


def _simple(
    am: AMRecord, pm: PMRecord, model: physical.PhysicalModel
) -> tuple[float, bool]:
    comp = physical.compare(am, pm, None, model, vectorised.SIMPLE_TRAITS)
    return comp.lr, comp.excluded


@pytest.mark.parametrize("pm", BODIES, ids=lambda p: p.body_id)
def test_simple_row_equals_the_comparators(pm: PMRecord) -> None:
    model = physical.DEFAULT_MODEL
    table = vectorised.PersonTable.build(PERSONS)
    lr, excl = vectorised.simple_row(table, pm, model)
    for j, am in enumerate(PERSONS):
        want_lr, want_excl = _simple(am, pm, model)
        assert bool(excl[j]) == want_excl, am.person_id
        assert math.isclose(lr[j], want_lr, rel_tol=1e-12), am.person_id


def test_simple_rows_equal_the_comparators_under_each_model() -> None:
    """A few reports against many bodies (``simple_rows``): the same LRs as
    the comparators, asked again and under another stature model (each
    body's stature density is kept per model: ``_stature_density``)."""
    table = vectorised.PersonTable.build(PERSONS)
    shorter = replace(
        physical.DEFAULT_MODEL.stature,
        population={"male": (170.0, 8.0), "female": (158.0, 7.0)},
    )
    for model in (
        physical.DEFAULT_MODEL,
        physical.DEFAULT_MODEL,
        replace(physical.DEFAULT_MODEL, stature=shorter),
    ):
        lr, excl = vectorised.simple_rows(table, BODIES, model)
        for i, pm in enumerate(BODIES):
            for j, am in enumerate(PERSONS):
                want_lr, want_excl = _simple(am, pm, model)
                assert bool(excl[i, j]) == want_excl, (pm.body_id, am.person_id)
                assert math.isclose(lr[i, j], want_lr, rel_tol=1e-12), (
                    pm.body_id,
                    am.person_id,
                )


def test_an_exclusion_blocks_only_what_the_rule_excludes() -> None:
    table = vectorised.PersonTable.build(PERSONS)
    _lr, excl = vectorised.simple_row(table, BODIES[1], physical.DEFAULT_MODEL)
    # a woman against a definite male; a 70-year-old against 25-40 (gap 30)
    assert [p.person_id for p, e in zip(PERSONS, excl, strict=True) if e] == [
        "p2",
        "p3",
        "p4",
    ]


@pytest.mark.parametrize("pm", BODIES, ids=lambda p: p.body_id)
def test_item_traits_are_no_data_when_not_needed(pm: PMRecord) -> None:
    model = physical.DEFAULT_MODEL
    table = vectorised.PersonTable.build(PERSONS)
    need = vectorised.item_traits_needed(table, pm)
    for j, am in enumerate(PERSONS):
        lr, out = vectorised.item_traits(am, pm, model)
        comp = physical.compare(am, pm, None, model, vectorised.ITEM_TRAITS)
        assert out == comp.excluded
        assert lr == pytest.approx(comp.lr, rel=1e-12)
        if not need[j]:
            assert (lr, out) == (1.0, False)


@pytest.mark.parametrize("split", [0, 1, 3, len(PERSONS)])
def test_an_extended_table_equals_one_built_at_once(split: int) -> None:
    whole = vectorised.PersonTable.build(PERSONS)
    table = vectorised.PersonTable.build(PERSONS[:split]).extended(PERSONS[split:])
    assert table.records == whole.records
    assert table.keys == whole.keys
    for trait, codes in whole.codes.items():
        assert table.codes[trait].tolist() == codes.tolist()
    for flag in ("particulars", "particulars_asked", "dental", "clothing", "effects"):
        assert getattr(table, flag).tolist() == getattr(whole, flag).tolist()


def test_a_table_with_records_replaced_gives_the_lrs_of_one_built_at_once() -> None:
    model = physical.DEFAULT_MODEL
    # Each replaced record takes another person's fields (new and old values).
    now = list(PERSONS)
    swaps = {0: 3, 2: len(PERSONS) - 1, len(PERSONS) - 2: 1}
    for j, k in swaps.items():
        now[j] = replace(PERSONS[k], person_id=PERSONS[j].person_id)
    old = vectorised.PersonTable.build(PERSONS)
    js = np.arange(len(PERSONS))
    for pm in BODIES:  # (fills the old table's items, which must be dropped)
        vectorised.item_traits_row(old, js, pm, model)
    table = old.replaced({j: now[j] for j in [*swaps, 1]})
    whole = vectorised.PersonTable.build(now)
    assert table.records == whole.records
    assert old.records == PERSONS  # (left as it was)
    for flag in ("particulars", "particulars_asked", "dental", "clothing", "effects"):
        assert getattr(table, flag).tolist() == getattr(whole, flag).tolist()
    for pm in BODIES:
        lr, excl = vectorised.simple_row(table, pm, model)
        want_lr, want_excl = vectorised.simple_row(whole, pm, model)
        assert excl.tolist() == want_excl.tolist()
        assert lr.tolist() == want_lr.tolist()
        lr, out = vectorised.item_traits_row(table, js, pm, model)
        want_lr, want_out = vectorised.item_traits_row(whole, js, pm, model)
        assert out.tolist() == want_out.tolist()
        assert lr.tolist() == want_lr.tolist()
    # Nothing changed: the same table.
    assert old.replaced({1: PERSONS[1]}) is old


@pytest.mark.parametrize("pm", BODIES, ids=lambda p: p.body_id)
def test_item_traits_of_a_row_equal_those_of_each_pair(pm: PMRecord) -> None:
    model = physical.DEFAULT_MODEL
    table = vectorised.PersonTable.build(PERSONS)
    js = np.arange(len(PERSONS))
    for _twice in range(2):  # the second time from the persons' items read once
        lr, out = vectorised.item_traits_row(table, js, pm, model)
        for j, am in enumerate(PERSONS):
            want_lr, want_out = vectorised.item_traits(am, pm, model)
            assert bool(out[j]) == want_out, am.person_id
            assert lr[j] == want_lr, am.person_id


def test_simple_rows_share_the_values_of_bodies_alike_and_only_theirs() -> None:
    """``simple_rows`` computes a trait once per distinct value of what it
    reads of a body (``TRAIT_READS``): bodies alike get the comparators'
    numbers, and a body that differs in one field read gets its own."""
    table = vectorised.PersonTable.build(PERSONS)
    model = physical.DEFAULT_MODEL
    base = BODIES[2]
    bodies = [
        replace(base, body_id="a"),
        replace(base, body_id="b"),  # alike
        replace(base, body_id="c", age_min=50, age_max=60),
        replace(base, body_id="c2", age_max=45),
        replace(base, body_id="d", stature_se=1.0),
        replace(base, body_id="e", sex_certainty=None, sex_method="amelogenin"),
        replace(base, body_id="f", hair_colour="black"),
        replace(base, body_id="g", sex_certainty=None),
        *BODIES,
    ]
    lr, excl = vectorised.simple_rows(table, bodies, model)
    for i, pm in enumerate(bodies):
        for j, am in enumerate(PERSONS):
            want_lr, want_excl = _simple(am, pm, model)
            assert bool(excl[i, j]) == want_excl, (pm.body_id, am.person_id)
            assert lr[i, j] == want_lr or math.isclose(lr[i, j], want_lr, rel_tol=1e-12)
    assert not np.array_equal(lr[0], lr[2]) and not np.array_equal(lr[0], lr[3])


def test_the_fields_a_trait_reads_are_the_ones_listed() -> None:
    """Changing a field that ``TRAIT_READS`` does not list for a trait changes
    none of its values: the comparators read nothing else of a body (else
    bodies alike in the listed fields would share wrong numbers)."""
    model = physical.DEFAULT_MODEL
    others: dict[str, Any] = {
        "sex": "female",
        "sex_certainty": "probable",
        "sex_method": "amelogenin",
        "age_min": 5.0,
        "age_max": 9.0,
        "stature_cm": 120.0,
        "stature_se": 1.5,
        "build": "heavy",
        "hair_colour": "black",
        "eye_colour": "green",
    }
    for trait in vectorised.TRAIT_READS:
        keys = vectorised.PersonTable.build(PERSONS).keys[trait]
        for pm in BODIES:
            sig = vectorised.pm_reads(trait, pm)
            want = vectorised._key_values(trait, keys, pm, model)
            for name, value in others.items():
                moved = replace(pm, **{name: value})
                if vectorised.pm_reads(trait, moved) != sig:
                    continue  # a field the trait reads
                assert vectorised._key_values(trait, keys, moved, model) == want, (
                    trait,
                    name,
                )
