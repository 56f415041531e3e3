"""Regression tests for the over-confident posteriors found on simulated seed 3.

Root causes (docs/identification.md, "Calibration decisions"):

1. the physical reference population had no children (age uniform 15-90,
   adult statures), so a child's body matched any missing child with a raw
   stature LR of 10^6 to 10^24;
2. shared lost teeth were multiplied as independent (13 teeth: 10^13);
3. a grave whose journals name someone with no report gave "none of these"
   no support, so a physical-only match of a listed person won.
"""

from __future__ import annotations

import pytest

from imena.identification.engine import (
    BodyIn,
    LeadIn,
    Params,
    PersonIn,
    compute_site,
    site_physical_model,
)
from matching import physical
from matching.documentary import JournalRecord, Reliability, journal_lrs, unlisted_lr
from matching.records import AMRecord, PMRecord, Tooth

REL = Reliability(0.02, 0.015)


def _adult(i: int, age: float = 40.0) -> PersonIn:
    return PersonIn(
        f"a{i}",
        f"A{i}",
        {"sex_am": "male", "age_am": [age, age], "stature_am": 176.0 + (i % 5)},
    )


def test_a_child_body_is_compared_with_children_of_the_site() -> None:
    # PM: a 2-6 year old of 123 cm; AM: a missing boy of 10.9, 135 cm (family).
    am = AMRecord.from_dict(
        {
            "am_case_no": "x",
            "sex_am": "male",
            "age_am": [10.9, 10.9],
            "stature_am": 135.0,
            "stature_source": "family_estimate",
        }
    )
    pm = PMRecord.from_dict(
        {
            "body_id": "b",
            "sex": "indeterminate",
            "age_min": 2,
            "age_max": 6,
            "stature_cm": 123.0,
            "stature_se": 4.0,
        }
    )
    m = physical.DEFAULT_MODEL
    # Before: adult statures as the reference (z = 6.6 from the adult mean).
    assert (
        physical.stature_lr(135, "family_estimate", 123, 4.0, 0.5, m.stature)[0] > 1e6
    )
    assert physical.compare_age(am, pm, m).lr > 50  # no children aged 2-6
    ages = [(30, 45)] * 90 + [(2, 6), (4, 8), (9, 12)] * 3
    model = site_physical_model(
        [
            pm,
            *(
                PMRecord.from_dict({"body_id": f"p{i}", "age_min": a, "age_max": b})
                for i, (a, b) in enumerate(ages)
            ),
        ]
    )
    after = physical.compare(am, pm, None, model)
    assert after.result("stature").lr < 10
    assert after.result("age").lr < 20
    assert after.lr < 1e2


def test_adult_stature_is_unchanged_by_the_age_conditioning() -> None:
    m = physical.DEFAULT_MODEL.stature
    a = physical.stature_lr(180, "id_document", 178, 4.0, 0.9, m)
    b = physical.stature_lr(180, "id_document", 178, 4.0, 0.9, m, (30.0, 45.0))
    assert a == b


def test_shared_lost_teeth_are_not_independent() -> None:
    lost = Tooth(status="missing_antemortem")
    teeth = dict.fromkeys((12, 13, 16, 17, 18, 23, 26, 31, 32, 34, 37, 38, 41), lost)
    am = AMRecord.from_dict({"am_case_no": "x"})
    am = AMRecord(**{**am.__dict__, "dental": teeth})
    pm = PMRecord(**{**PMRecord.from_dict({"body_id": "b"}).__dict__, "dental": teeth})
    independent = physical.compare_dental(am, pm, physical.DEFAULT_MODEL).lr
    assert independent == physical.DEFAULT_MODEL.dental.max_lr  # 10^13, capped
    charts = [
        dict.fromkeys(range(11, 11 + k), lost) | {40 + j: Tooth() for j in range(1, 9)}
        for k in (0, 0, 0, 1, 2, 6, 8, 0, 0, 7)
    ] * 5
    conc = physical.dental_concentration(charts)
    assert conc["missing"] < 20
    model = site_physical_model([], physical.DEFAULT_MODEL)
    dep = physical.compare_dental(am, pm, model).lr
    assert 10 < dep < 1e5  # was 10^13 (capped at 10^6)


def test_a_name_with_no_report_supports_none_of_these() -> None:
    # Two journals name "~u" (nobody on the list) on the grave.
    recs = [JournalRecord("J1", "~u", "G"), JournalRecord("J2", "~u", "G")]
    assert unlisted_lr(recs, REL, 400, ["~u"], 150) > 3
    # A listed name: nothing changes for "none of these".
    recs2 = [JournalRecord("J1", "x", "G")]
    assert unlisted_lr(recs2, REL, 400, [], 150) == 1.0
    # Symmetry: with pi = 1 the unlisted name gets what a listed name gets.
    lr_listed = journal_lrs(
        [JournalRecord("J1", "x", "G"), JournalRecord("J2", "x", "G")], REL, 400
    )["x"]
    assert unlisted_lr(recs, REL, 400, ["~u"], 1) == pytest_approx(
        lr_listed.lr_vs_unlisted
    )


def pytest_approx(x: float) -> object:

    return pytest.approx(x, rel=1e-9)


def test_physical_only_match_of_an_unlisted_body_stays_below_099() -> None:
    """Seed 3, IZM-PM-0413: a child's body, journals name a child with no report.

    A missing boy (not buried at the site) matched on age and stature alone and
    got 0.995. Now the site's age distribution and the unlisted name bring him
    well below 0.99.
    """
    persons = [_adult(i) for i in range(200)] + [
        PersonIn(
            "boy",
            "BOY",
            {
                "sex_am": "male",
                "age_am": [10.9, 10.9],
                "stature_am": 135.0,
                "stature_source": "family_estimate",
                "hair_colour": "dark_brown",
                "build": "heavy",
            },
        )
    ]
    bodies = [
        BodyIn(
            "child",
            "g1",
            "369",
            {
                "sex": "indeterminate",
                "age_min": 2,
                "age_max": 6,
                "stature_cm": 123.0,
                "stature_se": 4.0,
                "hair_colour": "dark_brown",
                "build": "heavy",
            },
        )
    ]
    bodies += [
        BodyIn(
            f"b{i}",
            f"g{i + 2}",
            str(i + 400),
            {"sex": "male", "age_min": 30, "age_max": 50, "stature_cm": 175.0},
        )
        for i in range(40)
    ]
    bodies += [
        BodyIn(
            f"c{i}",
            f"h{i}",
            str(i + 500),
            {"age_min": 3 + i, "age_max": 7 + i, "stature_cm": 100.0 + 6 * i},
        )
        for i in range(6)
    ]
    leads = [LeadIn("g1", "C1", "Тарасич Степан", ("J1", "J2"), ())]
    params = Params(p_unlisted=0.32, reliability=REL)
    res = compute_site(
        bodies,
        persons,
        leads,
        params,
        n_graves=50,
        grave_numbers={b.grave_id: b.grave_number for b in bodies},
    )
    boy = next(
        c for c in res.bodies["child"].posterior.candidates if c.person_id == "boy"
    )
    assert boy.posterior < 0.9
    assert res.bodies["child"].pairs["boy"].lr["journal"] < 1


def test_the_journal_explanation_names_the_grave_number_not_its_id() -> None:
    """Issue #21 item 8: a body in grave "9" (database id 17) read "grave 17"."""
    persons = [_adult(0), _adult(1)]
    bodies = [BodyIn("b1", "17", "9", {"sex": "male", "age_min": 30, "age_max": 50})]
    leads = [LeadIn("17", "C1", "A0", ("J1",), ("a0",))]
    res = compute_site(
        bodies,
        persons,
        leads,
        Params(p_unlisted=0.3, reliability=REL),
        grave_numbers={"17": "9"},
    )
    text = repr(res.bodies["b1"].pairs["a0"])
    assert "grave 9:" in text and "могила 9:" in text
    assert "grave 17" not in text


def test_an_override_for_a_person_no_longer_open_is_ignored() -> None:
    persons = [_adult(i) for i in range(3)]
    bodies = [BodyIn("b1", "g1", "1", {"sex": "male", "age_min": 35, "age_max": 45})]
    params = Params(p_unlisted=0.2, reliability=REL)
    overrides = {("b1", "closed"): {"sex": "reviewed"}, ("b1", "a1"): {"age": "ok"}}
    res = compute_site(bodies, persons, [], params, overrides=overrides)
    full = compute_site(
        bodies, persons, [], params, overrides=overrides, blocking=False
    )
    a = res.bodies["b1"].posterior.posterior_unlisted
    assert abs(a - full.bodies["b1"].posterior.posterior_unlisted) < 1e-12
