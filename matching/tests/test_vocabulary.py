from __future__ import annotations

import hashlib
import json
import re

import pytest

from matching import vocabulary as v

CYRILLIC = re.compile(r"[А-Яа-яІіЇїЄєҐґ]")

REQUIRED_FIELDS = [
    "sex_am",
    "sex_pm",
    "certainty",
    "age_am",
    "age_pm",
    "stature_am",
    "stature_pm",
    "build",
    "hair_colour",
    "hair_length",
    "eye_colour",
    "body_region",
    "body_side",
    "particular_kind",
    "scar_cause",
    "amputation_level",
    "prosthesis_type",
    "implant_type",
    "fracture_state",
    "tooth",
    "tooth_status",
    "restoration",
    "surface",
    "crown",
    "bridge",
    "dental_implant",
    "endodontics",
    "clothing_category",
    "effect",
    "identity_document",
    "cause_of_death",
    "manner_of_death",
    "injury_mechanism",
    "injury_region",
    "gunshot_range",
    "restraint_location",
    "torture_indicator",
    "circumstances",
    "pm_sample",
    "donor_relationship",
]


@pytest.mark.parametrize("key", REQUIRED_FIELDS)
def test_required_field_is_present(key: str) -> None:
    f = v.field(key)
    assert f.side in v.SIDES
    assert f.compare in v.COMPARE_CODES


@pytest.mark.parametrize("f", list(v.FIELDS.values()), ids=lambda f: f.key)
def test_every_field_and_code_has_both_languages(f: v.Field) -> None:
    assert f.label_en and CYRILLIC.search(f.label_uk), f.key
    assert f.section in {s.key for s in v.SECTIONS}
    codes = [c.code for c in f.choices]
    assert len(codes) == len(set(codes)), f"duplicate code in {f.key}"
    for c in f.choices:
        assert c.code and " " not in c.code and "/" not in c.code, (f.key, c.code)
        assert c.en.strip(), (f.key, c.code)
        assert CYRILLIC.search(c.uk), (f.key, c.code, c.uk)


def test_choices_are_django_style_pairs() -> None:
    assert v.choices("sex_pm") == [
        ("male", "male"),
        ("probable_male", "probably male"),
        ("indeterminate", "indeterminate"),
        ("probable_female", "probably female"),
        ("female", "female"),
    ]
    assert v.choices("certainty", "uk")[0] == ("certain", "достовірно")
    with pytest.raises(ValueError):
        v.choices("family_name")


@pytest.mark.parametrize(
    "key,code,lang,expected",
    [
        ("hair_colour", "blond", "uk", "біляве"),
        ("circumstances", "detained", "en", "detained"),
        ("circumstances", "shelling", "uk", "обстріл"),
        ("tooth", "36", "en", "36 lower left first molar"),
        ("tooth", "85", "uk", "85 нижній правий тимчасовий другий моляр"),
        ("restraint_location", "blindfold", "uk", "пов'язка на очах"),
        ("donor_relationship", "full_sibling", "en", "full sibling"),
    ],
)
def test_label(key: str, code: str, lang: v.Lang, expected: str) -> None:
    assert v.label(key, code, lang) == expected


def test_label_rejects_unknown_code() -> None:
    with pytest.raises(KeyError):
        v.label("sex_am", "probable_male")


@pytest.mark.parametrize(
    "code",
    [11, 18, 21, 28, 31, 38, 41, 48, 51, 55, 61, 65, 71, 75, 81, 85, "36", " 47"],
)
def test_valid_fdi(code: object) -> None:
    assert v.is_valid_fdi(code)


@pytest.mark.parametrize(
    "code",
    [
        0,
        9,
        10,
        19,
        20,
        29,
        39,
        49,
        50,
        56,
        59,
        66,
        86,
        90,
        99,
        "3a",
        "136",
        True,
        None,
        36.0,
    ],
)
def test_invalid_fdi(code: object) -> None:
    assert not v.is_valid_fdi(code)


def test_fdi_sets_have_the_right_size() -> None:
    assert len(v.FDI_PERMANENT) == 32
    assert len(v.FDI_DECIDUOUS) == 20
    assert len(v.field("tooth").choices) == 52


@pytest.mark.parametrize(
    "code,cls",
    [
        (11, "incisor"),
        (13, "canine"),
        (24, "premolar"),
        (36, "molar"),
        (48, "molar"),
        (54, "molar"),
        (82, "incisor"),
    ],
)
def test_tooth_class(code: int, cls: str) -> None:
    assert v.tooth_class(code) == cls


def test_version_is_a_hash_of_the_content() -> None:
    blob = json.dumps(v.as_dict(), sort_keys=True, ensure_ascii=False).encode()
    assert hashlib.sha256(blob).hexdigest()[:16] == v.VOCABULARY_VERSION
    changed = v.as_dict()
    changed["fields"][0]["label_uk"] += "!"
    blob2 = json.dumps(changed, sort_keys=True, ensure_ascii=False).encode()
    assert hashlib.sha256(blob2).hexdigest()[:16] != v.VOCABULARY_VERSION
