from __future__ import annotations

import math

import pytest
from scipy.stats import norm

from matching import physical as ph
from matching.records import AMRecord, Document, Item, Particular, PMRecord, Tooth

M = ph.DEFAULT_MODEL


def am(**kw: object) -> AMRecord:
    return AMRecord("P1", **kw)  # type: ignore[arg-type]


def pm(**kw: object) -> PMRecord:
    return PMRecord("B1", **kw)  # type: ignore[arg-type]


def test_registry_has_every_trait() -> None:
    assert set(ph.COMPARATORS) == {
        "sex",
        "age",
        "stature",
        "hair_colour",
        "eye_colour",
        "build",
        "particulars",
        "dental",
        "clothing",
        "effects",
        "documents",
    }


# --- sex -------------------------------------------------------------------------
# Population denominator with p_male 0.5: 0.5 * P(obs|M) + 0.5 * P(obs|F).
@pytest.mark.parametrize(
    "am_sex,pm_sex,certainty,outcome,lr,excl",
    [
        ("male", "male", None, "consistent", 0.80 / 0.4025, False),
        ("male", "probable_male", None, "consistent", 0.12 / 0.0675, False),
        ("male", "male", "probable", "consistent", 0.12 / 0.0675, False),
        ("female", "probable_male", None, "inconsistent", 0.015 / 0.0675, False),
        ("male", "female", None, "inconsistent", 0.0, True),
        ("female", "male", "certain", "inconsistent", 0.0, True),
        ("male", "indeterminate", None, "no_data", 1.0, False),
        ("unknown", "male", None, "no_data", 1.0, False),
        ("male", None, None, "no_data", 1.0, False),
    ],
)
def test_sex(
    am_sex: str,
    pm_sex: str | None,
    certainty: str | None,
    outcome: str,
    lr: float,
    excl: bool,
) -> None:
    r = ph.compare_sex(am(sex=am_sex), pm(sex=pm_sex, sex_certainty=certainty), M)
    assert (r.outcome, r.exclusion) == (outcome, excl)
    assert r.lr == pytest.approx(lr)


def test_sex_exclusion_override_is_neutral_and_recorded() -> None:
    c = ph.compare(
        am(sex="male"), pm(sex="female"), {"sex": "amelogenin AMELY deletion suspected"}
    )
    r = c.result("sex")
    assert not c.excluded and r.lr == 1.0 and not r.exclusion
    assert r.override_reason == "amelogenin AMELY deletion suspected"
    assert "overridden" in r.explanation_en and "скасовано" in r.explanation_uk


def test_override_needs_a_reason() -> None:
    with pytest.raises(ValueError):
        ph.compare(am(sex="male"), pm(sex="female"), {"sex": "  "})


# --- age -------------------------------------------------------------------------
def _tail(a: float, sd: float) -> float:
    # integral of the half-normal tail over a length a beyond the range edge
    return float(sd * math.sqrt(2 * math.pi) * (norm.cdf(a / sd) - 0.5))


def _age_den(lo: float, hi: float) -> float:
    return ((hi - lo) + _tail(lo - 15, 5) + _tail(90 - hi, 5)) / 75


@pytest.mark.parametrize(
    "am_range,pm_range,outcome,lr,excl",
    [
        ((40, 40), (35, 50), "consistent", 1 / _age_den(35, 50), False),
        ((30, 30), (35, 50), "consistent", math.exp(-0.5) / _age_den(35, 50), False),
        ((30, 30), (40, 50), "inconsistent", math.exp(-2) / _age_den(40, 50), False),
        ((20, 21), (50, 60), "inconsistent", 0.0, True),
        ((None, None), (50, 60), "no_data", 1.0, False),
    ],
)
def test_age(
    am_range: tuple[float | None, float | None],
    pm_range: tuple[float, float],
    outcome: str,
    lr: float,
    excl: bool,
) -> None:
    r = ph.compare_age(
        am(age_min=am_range[0], age_max=am_range[1]),
        pm(age_min=pm_range[0], age_max=pm_range[1]),
        M,
    )
    assert (r.outcome, r.exclusion) == (outcome, excl)
    assert r.lr == pytest.approx(lr, rel=1e-9)


def test_age_range_is_averaged_over_the_am_range() -> None:
    # AM 30-40 vs PM 35-50: mean of g over [30, 40] = (5 + tail(5)) / 10
    expected = (5 + _tail(5, 5)) / 10 / _age_den(35, 50)
    assert ph.age_lr((30, 40), (35, 50), M.age) == pytest.approx(expected)
    assert ph.age_lr((30, 40), (35, 50), M.age) == pytest.approx(2.5274, abs=1e-3)


# --- stature ---------------------------------------------------------------------
def _stature_closed(
    am_cm: float, sd_am: float, bias: float, pm_cm: float, se: float, p_male: float
) -> float:
    num = norm.pdf(pm_cm, am_cm - bias, math.hypot(sd_am, se))
    den = p_male * norm.pdf(pm_cm, 176, math.hypot(7, se)) + (1 - p_male) * norm.pdf(
        pm_cm, 164, math.hypot(6.5, se)
    )
    return float(num / den)


@pytest.mark.parametrize(
    "am_cm,source,pm_cm,se,pm_sex,sd_am,bias,p_male",
    [
        (180, "military_record", 178, 3.5, "male", 2.5, 0.0, 0.4 / 0.4025),
        (182, "family_estimate", 178, 4.0, None, 5.0, 2.0, 0.5),
        (165, "id_document", 163, None, "female", 2.5, 0.0, 0.0025 / 0.4025),
        (190, None, 170, 3.0, None, 5.0, 0.0, 0.5),
    ],
)
def test_stature_matches_closed_form(
    am_cm: float,
    source: str | None,
    pm_cm: float,
    se: float | None,
    pm_sex: str | None,
    sd_am: float,
    bias: float,
    p_male: float,
) -> None:
    r = ph.compare_stature(
        am(stature_cm=am_cm, stature_source=source),
        pm(stature_cm=pm_cm, stature_se=se, sex=pm_sex),
        M,
    )
    expected = _stature_closed(am_cm, sd_am, bias, pm_cm, se or 4.0, p_male)
    assert r.lr == pytest.approx(expected, rel=1e-9)
    assert not r.exclusion


def test_stature_numbers() -> None:
    r = ph.compare_stature(
        am(stature_cm=180, stature_source="military_record"),
        pm(stature_cm=178, stature_se=3.5, sex="male"),
        M,
    )
    assert r.lr == pytest.approx(1.6959, abs=1e-3)  # checked by hand
    assert r.outcome == "consistent"
    far = ph.compare_stature(
        am(stature_cm=190, stature_source="id_document"),
        pm(stature_cm=170, stature_se=3.0),
        M,
    )
    assert far.outcome == "inconsistent" and far.lr < 0.01


def test_stature_no_data() -> None:
    assert ph.compare_stature(am(stature_cm=180), pm(), M).outcome == "no_data"


# --- hair, eyes, build -----------------------------------------------------------
def test_categorical_reduces_to_inverse_frequency_without_confusion() -> None:
    exact = ph.CategoricalModel(ph.HAIR.frequencies, ph.HAIR.adjacent, 1.0, 0.0)
    for c, f in ph.HAIR.frequencies.items():
        assert exact.lr(c, c) == pytest.approx(1 / f)


@pytest.mark.parametrize(
    "trait,am_v,pm_v,outcome,lr",
    [
        ("hair_colour", "red", "red", "consistent", 0.7 / 0.053742),
        ("hair_colour", "brown", "dark_brown", "consistent_explained", None),
        ("hair_colour", "blond", "black", "inconsistent", None),
        ("hair_colour", "dyed", "black", "no_data", 1.0),
        ("eye_colour", "blue", None, "no_data", 1.0),
        ("eye_colour", "blue", "blue", "consistent", None),
        ("eye_colour", "blue", "brown", "inconsistent", None),
        ("build", "slight", "obese", "inconsistent", 0.025 / 0.125),
    ],
)
def test_categorical(
    trait: str, am_v: str, pm_v: str | None, outcome: str, lr: float | None
) -> None:
    r = ph.COMPARATORS[trait](am(**{trait: am_v}), pm(**{trait: pm_v}), M)
    assert r.outcome == outcome and not r.exclusion
    if lr is not None:
        assert r.lr == pytest.approx(lr, rel=1e-2)
    if outcome == "consistent":
        assert r.lr > 1
    if outcome == "inconsistent":
        assert r.lr <= 0.2 + 1e-12


def test_red_hair_denominator_by_hand() -> None:
    # P(PM red | c): red 0.70; brown, light_brown, blond each list red among
    # 4, 3, 3 neighbours (0.25/4, 0.25/3, 0.25/3); other colours share 0.05.
    f = ph.HAIR.frequencies
    den = (
        f["red"] * 0.7
        + f["brown"] * 0.25 / 4
        + f["light_brown"] * 0.25 / 3
        + f["blond"] * 0.25 / 3
        + f["black"] * 0.05 / 5
        + f["dark_brown"] * 0.05 / 4
        + f["grey"] * 0.05 / 3
        + f["white"] * 0.05 / 5
    )
    assert ph.HAIR.lr("red", "red") == pytest.approx(0.7 / den)


# --- particulars -----------------------------------------------------------------
AMP = Particular("amputation", "forearm", "L")


@pytest.mark.parametrize(
    "am_p,pm_p,skin,skel,outcome,lr,excl",
    [
        (AMP, (), None, frozenset({"forearm"}), "inconsistent", 0.0, True),
        (AMP, (), None, frozenset({"forearm:R"}), "no_data", 1.0, False),
        (AMP, (AMP,), None, None, "consistent", 500.0, False),
        (
            Particular("tattoo", "upper_arm", "R"),
            (),
            frozenset({"upper_arm"}),
            None,
            "inconsistent",
            0.1 / (1 - 0.02 * 0.9),
            False,
        ),
        (
            Particular("tattoo", "upper_arm", "R"),
            (Particular("tattoo", "upper_arm", "R"),),
            None,
            None,
            "consistent",
            50.0,
            False,
        ),
        (
            Particular("tattoo", "upper_arm", "R"),
            (Particular("tattoo", "upper_arm", "L"),),
            frozenset({"upper_arm:R"}),
            None,
            "inconsistent",
            0.1 / (1 - 0.02 * 0.9),
            False,
        ),
        (
            Particular("implant", "thigh", "L", "plate", "AB-123"),
            (Particular("implant", "thigh", "L", "plate", "ab 123"),),
            None,
            None,
            "consistent",
            1 / (0.01 * 1e-4),
            False,
        ),
        (
            Particular("implant", "thigh", "L", "plate", "AB-123"),
            (Particular("implant", "thigh", "L", "plate", "XY-999"),),
            None,
            None,
            "inconsistent",
            0.01,
            False,
        ),
        (
            Particular("prosthesis", "thigh", "R", "hip"),
            (),
            None,
            frozenset({"thigh"}),
            "inconsistent",
            0.0,
            True,
        ),
        (
            Particular("prosthesis", "lower_leg", "R", "limb"),
            (),
            None,
            frozenset({"lower_leg"}),
            "no_data",
            1.0,
            False,
        ),
    ],
)
def test_particulars(
    am_p: Particular,
    pm_p: tuple[Particular, ...],
    skin: frozenset[str] | None,
    skel: frozenset[str] | None,
    outcome: str,
    lr: float,
    excl: bool,
) -> None:
    r = ph.compare_particulars(
        am(particulars=(am_p,)),
        pm(particulars=pm_p, skin_regions=skin, skeletal_regions=skel),
        M,
    )
    item = r.items[0]
    assert (item.outcome, item.exclusion) == (outcome, excl)
    assert item.lr == pytest.approx(lr)
    assert r.exclusion == excl


def test_pm_only_healed_fracture_is_explained_and_amputation_counts_against() -> None:
    r = ph.compare_particulars(
        am(),
        pm(
            particulars=(
                Particular("fracture", "forearm", "R", "healed"),
                Particular("amputation", "foot", "L"),
                Particular("fracture", "head", None, "perimortem"),
            )
        ),
        M,
    )
    frac, amp = r.items
    assert frac.outcome == "consistent_explained" and frac.lr == pytest.approx(1.0)
    assert amp.outcome == "inconsistent"
    assert amp.lr == pytest.approx(0.02 / (0.002 * 0.02 + 0.998))
    assert len(r.items) == 2  # the perimortem fracture is an injury, not history


def test_particular_item_override() -> None:
    a = am(particulars=(AMP, Particular("tattoo", "hand", "R")))
    p = pm(
        skeletal_regions=frozenset({"forearm"}),
        particulars=(Particular("tattoo", "hand", "R"),),
    )
    assert ph.compare(a, p).excluded
    c = ph.compare(a, p, {"particulars/amputation/forearm/L": "limb is commingled"})
    assert not c.excluded
    part = c.result("particulars")
    assert part.lr == pytest.approx(1.0 / 0.02)
    assert part.items[0].override_reason == "limb is commingled"


# --- dental ----------------------------------------------------------------------
SOUND = Tooth()
MISSING = Tooth(status="missing_antemortem")
MO = Tooth(restoration="amalgam", surfaces=frozenset("MO"))
MOD = Tooth(restoration="amalgam", surfaces=frozenset("MOD"))
O_ONLY = Tooth(restoration="composite", surfaces=frozenset("O"))
CROWN = Tooth(crown="porcelain_fused_to_metal")


@pytest.mark.parametrize(
    "code,a,p,outcome,lr,excl",
    [
        (36, MISSING, SOUND, "inconsistent", 0.0, True),
        (36, MISSING, MO, "inconsistent", 0.0, True),
        (36, MISSING, MISSING, "consistent", 1 / 0.20, False),
        (14, MISSING, MISSING, "consistent", 1 / 0.10, False),
        (
            36,
            MISSING,
            Tooth(status="missing_antemortem", implant="fixture"),
            "consistent",
            1 / 0.20,
            False,
        ),
        (36, MISSING, Tooth(implant="fixture"), "consistent_explained", 1.0, False),
        (38, MISSING, Tooth(status="impacted"), "consistent_explained", 1.0, False),
        (36, MO, SOUND, "inconsistent", 0.0, True),
        (36, CROWN, SOUND, "inconsistent", 0.0, True),
        (36, SOUND, MO, "consistent_explained", 1.0, False),
        (36, SOUND, MISSING, "consistent_explained", 1.0, False),
        (36, MO, MO, "consistent", 1 / 0.30 / 0.3, False),
        (36, MO, MOD, "consistent_explained", 1 / 0.30, False),
        (36, MOD, O_ONLY, "inconsistent", 0.1, False),
        (36, MO, CROWN, "consistent_explained", 1.0, False),
        (36, CROWN, MO, "inconsistent", 0.1, False),
        (11, CROWN, CROWN, "consistent", 1 / 0.05, False),
        (36, MO, Tooth(status="missing_postmortem"), "no_data", 1.0, False),
        (36, SOUND, SOUND, "consistent", 1.0, False),
    ],
)
def test_tooth(
    code: int, a: Tooth, p: Tooth, outcome: str, lr: float, excl: bool
) -> None:
    r = ph.compare_tooth(code, a, p, M.dental)
    assert (r.outcome, r.exclusion) == (outcome, excl)
    assert r.lr == pytest.approx(lr)


def test_unreliable_am_chart_does_not_exclude() -> None:
    r = ph.compare_tooth(36, MO, SOUND, M.dental, am_reliable=False)
    assert not r.exclusion and r.lr == pytest.approx(0.1)


def test_dental_chart_product_exclusion_and_override() -> None:
    a = am(dental={16: MO, 26: MO, 36: MISSING, 46: MISSING, 11: SOUND})
    p = pm(dental={16: MO, 26: MO, 36: MISSING, 46: SOUND, 11: SOUND})
    r = ph.compare_dental(a, p, M)
    assert r.exclusion and r.lr == 0.0
    c = ph.compare(a, p, {"dental/46": "odontologist: 46 is a drifted 47"})
    d = c.result("dental")
    assert not d.exclusion
    assert d.lr == pytest.approx((1 / 0.09) ** 2 * 5)
    assert not c.excluded


def test_dental_cap() -> None:
    teeth = dict.fromkeys((16, 17, 18, 26, 27, 28, 36, 37, 38, 46, 47, 48), MISSING)
    r = ph.compare_dental(am(dental=teeth), pm(dental=teeth), M)
    assert M.dental.max_lr < 5.0**12
    assert r.lr == M.dental.max_lr


# --- clothing, effects, documents ------------------------------------------------
@pytest.mark.parametrize(
    "a,p,outcome,lr",
    [
        (
            Item("jacket", frozenset({"black"})),
            Item("jacket", frozenset({"black"})),
            "consistent",
            10.0,
        ),
        (
            Item("jacket", frozenset({"black"}), label_text="Handmade Ivanivna"),
            Item(
                "jacket", frozenset({"black", "grey"}), label_text="handmade  ivanivna"
            ),
            "consistent",
            100.0,
        ),
        (
            Item("jacket", frozenset({"red"})),
            Item("jacket", frozenset({"blue"})),
            "inconsistent",
            1.0,
        ),
        (Item("jacket"), Item("trousers"), "no_data", 1.0),
    ],
)
def test_clothing(a: Item, p: Item, outcome: str, lr: float) -> None:
    r = ph.compare_clothing(am(clothing=(a,)), pm(clothing=(p,)), M)
    assert r.outcome == outcome
    assert r.lr == pytest.approx(lr)


def test_effect_serial_is_capped() -> None:
    r = ph.compare_effects(
        am(effects=(Item("phone", serial="3569-0000"),)),
        pm(effects=(Item("phone", serial="35690000"),)),
        M,
    )
    assert r.outcome == "consistent" and r.lr == pytest.approx(1000.0)


@pytest.mark.parametrize(
    "doc,outcome,lr",
    [
        (Document("passport", name="КОВАЛЕНКО Іван Петрович"), "consistent", 100.0),
        (Document("military_id", number="AB 123456"), "consistent", 100.0),
        (Document("passport", name="Шевченко Петро"), "inconsistent", 0.5),
        (Document("passport"), "no_data", 1.0),
    ],
)
def test_documents(doc: Document, outcome: str, lr: float) -> None:
    a = am(
        family_name="Коваленко",
        given_names="Іван",
        documents=(Document("military_id", number="ab-123456"),),
    )
    r = ph.compare_documents(a, pm(documents=(doc,)), M)
    assert r.outcome == outcome and r.lr == pytest.approx(lr) and not r.exclusion


# --- compare ---------------------------------------------------------------------
def test_compare_is_product_and_records_unused_overrides() -> None:
    a = am(
        sex="male",
        age_min=40,
        age_max=41,
        stature_cm=180,
        stature_source="military_record",
        hair_colour="brown",
    )
    p = pm(
        sex="male",
        age_min=35,
        age_max=50,
        stature_cm=178,
        stature_se=3.5,
        hair_colour="brown",
    )
    c = ph.compare(a, p, {"eye_colour": "not preserved"})
    assert c.lr == pytest.approx(math.prod(r.lr for r in c.results))
    assert c.lr == pytest.approx(
        c.result("sex").lr
        * c.result("age").lr
        * c.result("stature").lr
        * c.result("hair_colour").lr
    )
    assert c.unused_overrides == ()
    c2 = ph.compare(a, p, {"dental/99": "typo"})
    assert c2.unused_overrides == ("dental/99",)


def test_exclusion_makes_combined_lr_zero() -> None:
    c = ph.compare(
        am(sex="male", hair_colour="red"), pm(sex="female", hair_colour="red")
    )
    assert c.excluded and c.lr == 0.0 and c.log10_lr == -math.inf
    assert [r.trait for r in c.exclusions] == ["sex"]


def test_potential_lr_for_missing_observation() -> None:
    a = am(sex="male", stature_cm=180, stature_source="id_document")
    pot = ph.potential_lr(a, pm(sex="male"), "stature")
    expected = _stature_closed(180, 2.5, 0.0, 180, 4.0, 0.4 / 0.4025)
    assert pot == pytest.approx(expected)
    assert ph.potential_lr(a, pm(sex="male", stature_cm=170), "stature") is None
    assert ph.potential_lr(am(), pm(), "stature") is None


def test_records_from_vocabulary_dicts() -> None:
    a = AMRecord.from_dict(
        {
            "am_case_no": "AM-1",
            "sex_am": "male",
            "age_am": [30, 31],
            "stature_am": 175,
            "particulars": [{"kind": "tattoo", "region": "hand"}],
            "dental": {
                "36": {"status": "missing_antemortem"},
                "16": {"restoration": "amalgam", "surfaces": "MO"},
            },
            "clothing": [{"category": "jacket", "colours": ["black"]}],
            "unknown_key": 1,
        }
    )
    assert a.person_id == "AM-1" and a.sex == "male" and a.age_max == 31
    assert a.dental[16].surfaces == frozenset("MO")
    p = PMRecord.from_dict(
        {
            "pm_case_no": "IZM-PM-0001",
            "sex_pm": "male",
            "certainty": "probable",
            "skeletal_regions": ["thigh"],
        }
    )
    assert p.sex_category() == "probable_male"
    with pytest.raises(ValueError):
        AMRecord.from_dict({"person_id": "x", "dental": {"19": {}}})


def test_records_accept_the_simulator_shapes() -> None:
    a = AMRecord.from_dict(
        {
            "am_case_no": "AM-2",
            "sex": "male",
            "hair_colour": None,
            "particulars": [
                {
                    "type": "tattoo",
                    "body_region": "forearm",
                    "side": "L",
                    "motif": "anchor",
                },
                {"type": "prosthesis", "kind": "hip", "side": "R"},
            ],
            "dental": {
                "source": "dentist",
                "chart": [
                    {"tooth": 36, "status": "missing_antemortem"},
                    {
                        "tooth": 16,
                        "status": "present_sound",
                        "restoration": "amalgam",
                        "surfaces": "MO",
                    },
                ],
            },
        }
    )
    assert a.particulars[0] == Particular("tattoo", "forearm", "L")
    assert a.particulars[1] == Particular("prosthesis", None, "R", "hip")
    assert a.dental[36].status == "missing_antemortem"
    assert a.dental[16].surfaces == frozenset("MO")
    p = PMRecord.from_dict(
        {"pm_case_no": "IZM-PM-0001", "stature_min": 170, "stature_max": 178}
    )
    assert (p.stature_cm, p.stature_se) == (174.0, 4.0)


def test_an_age_reads_as_one_number_when_the_range_is_one_age() -> None:
    """Issue #21 item 10: "age 62.4–62.4" read as "age 62.4"."""
    from matching.physical import _span

    assert _span(62.4, 62.4) == "62.4"
    assert _span(44.26, 44.31) == "44.3"
    assert _span(37, 55) == "37–55"
