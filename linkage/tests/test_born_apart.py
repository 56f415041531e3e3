"""Born decades apart: two people, whatever else agrees (#15 precision). A
father and the son named after him, in one grave and one journal, stay
apart; a birth year with one mistyped digit, and everything else the same,
is still one person."""

from __future__ import annotations

import pytest

from linkage.io import ParsedRow
from linkage.reconcile import (
    BIRTH_YEARS_APART,
    Decision,
    _born_apart,
    _RowFacts,
    reconcile,
)
from linkage.tests.test_explain import assert_explained
from linkage.tests.test_rules import background, fh, same, vol

B = "15.05.2022"


def father_and_son() -> list[ParsedRow]:
    # both died on 11 May and lie in grave 214; the son (born 1968, 27 years
    # after his father) carries his father's full name; the volunteers give
    # the son's age, not his birth date
    return [
        fh(2, "214", "Гончаренко", "Степан", "Андреевич", "07.02.1941", "",
           "11.05.2022", B),
        fh(3, "214", "Гончаренко", "Степан", "Андреевич", "12.09.1968", "",
           "11.05.2022", B),
        vol(2, "214", "Гончаренко Степан Андрійович", "7/2/41", "", "11.05.2022", B),
        vol(3, "214", "Гончаренко Степан Андрійович", "", "53", "11.05.2022", B),
    ]  # fmt: skip


def test_a_father_and_his_namesake_son_in_one_grave_stay_apart() -> None:
    res = reconcile(background() + father_and_son())
    assert same(res, ("fh", 2), ("vol", 2))  # the father
    assert same(res, ("fh", 3), ("vol", 3))  # the son (age 53: born 1968-69)
    assert not same(res, ("fh", 2), ("fh", 3))
    assert not same(res, ("vol", 2), ("vol", 3))
    assert_explained(res)


def test_a_reviewer_may_still_link_rows_born_apart() -> None:
    res = reconcile(
        background() + father_and_son(),
        fixed=[Decision("must_link", ("fh", 2), ("fh", 3))],
    )
    assert same(res, ("fh", 2), ("fh", 3))


def test_one_mistyped_digit_of_the_birth_year_is_one_person() -> None:
    # 1957 written 1987 (5 read as 8), everything else the same
    rows = background() + [
        fh(2, "288", "Ковальчук", "Василий", "Петрович", "14.03.1957", "",
           "02.04.2022", "06.04.2022"),
        vol(2, "288", "Ковальчук Василь Петрович", "14.03.1987", "", "02.04.2022",
            "06.04.2022"),
    ]  # fmt: skip
    res = reconcile(rows)
    assert same(res, ("fh", 2), ("vol", 2))
    # another day of birth too: not a slip of one digit, two people
    rows[-1] = vol(2, "288", "Ковальчук Василь Петрович", "21.09.1987", "",
                   "02.04.2022", "06.04.2022")  # fmt: skip
    assert not same(reconcile(rows), ("fh", 2), ("vol", 2))


def facts(*rows: ParsedRow) -> _RowFacts:
    return _RowFacts.of(list(rows))


@pytest.mark.parametrize(
    ("left", "right", "apart"),
    [
        # two birth dates 27 years apart
        (("07.02.1941", ""), ("12.09.1968", ""), True),
        # within BIRTH_YEARS_APART: a slipped decade is not vetoed
        (("07.02.1951", ""), ("07.02.1961", ""), False),
        # one digit, same day and month, all else the same: a typo
        (("07.02.1941", ""), ("07.02.1971", ""), False),
        # an age of 53 at death in 2022 (born 1968-69, +-3) against 1941
        (("07.02.1941", ""), ("", "53"), True),
        # an age of 78 against 1941: fits
        (("07.02.1941", ""), ("", "78"), False),
        # no birth year on one row: nothing to go on
        (("07.02.1941", ""), ("", ""), False),
    ],
)
def test_born_apart(left: tuple[str, str], right: tuple[str, str], apart: bool) -> None:
    a = fh(2, "214", "Гончаренко", "Степан", "Андреевич", *left, "11.05.2022", B)
    b = vol(2, "214", "Гончаренко Степан Андрійович", *right, "11.05.2022", B)
    assert _born_apart(facts(a, b), 0, 1) is apart


def test_rows_that_name_different_people_are_left_to_the_names() -> None:
    # a row written under another burial's name carries that person's birth
    # date: the names already disagree, the birth date adds nothing
    a = fh(2, "214", "Гончаренко", "Степан", "Андреевич", "07.02.1941", "",
           "11.05.2022", B)  # fmt: skip
    b = vol(2, "214", "Рудак Всеволод Олександрович", "06.06.1978", "",
            "11.05.2022", B)  # fmt: skip
    assert not _born_apart(facts(a, b), 0, 1)
    # one name part in common: the birth date decides
    c = vol(2, "214", "Гончаренко Всеволод Олександрович", "06.06.1978", "",
            "11.05.2022", B)  # fmt: skip
    assert _born_apart(facts(a, c), 0, 1)


def test_a_nameless_bodys_estimated_age_is_wide() -> None:
    # ~60 for a man born in 1941 (81): an estimate, 21 years off, within
    # its slack; ~30 is 50 years off: someone else
    a = fh(2, "214", "Гончаренко", "Степан", "Андреевич", "07.02.1941", "",
           "11.05.2022", B)  # fmt: skip
    for age, apart in (("~60", False), ("~30", True)):
        b = vol(2, "214", "невідомий", "", age, "11.05.2022", B)
        assert _born_apart(facts(a, b), 0, 1) is apart, age
    assert BIRTH_YEARS_APART == 15


def test_namesakes_with_other_patronymics_and_birth_dates_stay_apart() -> None:
    # two Іван Шевчук, one Петрович born 1950, one Олегович born 1983, one
    # burial day, graves 301 and 302, in both journals
    d = "03.04.2022"
    rows = background() + [
        fh(2, "301", "Шевчук", "Иван", "Петрович", "12.01.1950", "", d, "07.04.2022"),
        fh(3, "302", "Шевчук", "Иван", "Олегович", "30.06.1983", "", d, "07.04.2022"),
        vol(2, "301", "Шевчук Іван Петрович", "12.01.1950", "", d, "07.04.2022"),
        vol(3, "", "Шевчук Іван", "", "38", d, "07.04.2022"),
    ]  # fmt: skip
    res = reconcile(rows)
    assert same(res, ("fh", 2), ("vol", 2))
    assert not same(res, ("fh", 2), ("fh", 3))
    assert not same(res, ("vol", 2), ("vol", 3))
    assert not same(res, ("fh", 2), ("vol", 3))
    assert_explained(res)


def test_the_review_does_not_ask_about_rows_born_apart() -> None:
    # the same name and days, born 30 years apart (and on another day): two
    # people, never linked, so the review queue does not ask
    d, b = "02.04.2022", "06.04.2022"
    rows = background() + [
        fh(2, "288", "Ковальчук", "Василий", "Петрович", "14.03.1957", "", d, b),
        vol(2, "", "Ковальчук Василь Петрович", "21.09.1987", "", d, b),
    ]
    res = reconcile(rows)
    assert res.explain(("fh", 2), ("vol", 2)) is not None  # scored
    band = res.review_pairs(0.0, 1.01)
    asked = {
        frozenset(((sl, int(rl)), (sr, int(rr))))
        for sl, rl, sr, rr in zip(band.source_l, band.row_l, band.source_r,
                                  band.row_r, strict=True)
    }  # fmt: skip
    assert frozenset((("fh", 2), ("vol", 2))) not in asked
    assert asked  # other pairs are still asked about
