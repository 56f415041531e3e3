"""Blocking and clustering rules for rows with little to go on: nameless rows,
rows without a grave number, Latin-written names, lost grave suffixes and
entries written twice in one journal."""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd

from linkage.io import ParsedRow, RawRow, guess_mapping, parse_row
from linkage.normalize import sex_of, written_twice_note
from linkage.reconcile import (
    AMBIGUITY_BITS,
    ReconcileResult,
    _dates_fit,
    _form_clusters,
    _nameless_duplicate,
    _related_graves,
    _RowFacts,
    _two_deaths,
    reconcile,
)
from linkage.tests.synth import FH, VOL, journals

FH_MAP, VOL_MAP = guess_mapping(FH), guess_mapping(VOL)


def fh(rn: int, grave: str, sur: str = "", giv: str = "", pat: str = "",
       birth: str = "", age: str = "", death: str = "", burial: str = "",
       ) -> ParsedRow:  # fmt: skip
    cells = [str(rn), grave, sur, giv, pat, birth, age, death, burial]
    return parse_row(RawRow(rn, dict(zip(FH, cells, strict=True))), FH_MAP, "fh")


def vol(rn: int, grave: str, pib: str = "", birth: str = "", age: str = "",
        death: str = "", burial: str = "") -> ParsedRow:  # fmt: skip
    cells = [str(rn), grave, pib, birth, age, death, burial]
    return parse_row(RawRow(rn, dict(zip(VOL, cells, strict=True))), VOL_MAP, "vol")


def background() -> list[ParsedRow]:
    """Forty named people in both journals, graves 10..49 (context for the
    rows under test; their row numbers start at 1000)."""
    rows, _ = journals(40, seed=3)
    src = {"funeral_home": "fh", "volunteers": "vol"}
    return [
        ParsedRow(**{**{f: getattr(r, f) for f in r.__slots__},
                     "source": src[r.source], "row_number": r.row_number + 1000})
        for r in rows
    ]  # fmt: skip


def same(res: ReconcileResult, a: tuple[str, int], b: tuple[str, int]) -> bool:
    return res.row_cluster[a] == res.row_cluster[b]


def test_latin_row_without_grave_linked_by_birth_date() -> None:
    rows = background() + [
        fh(2, "б/н", "Мартишин", "Евгений", "Викторович", "12.02.1943", "79",
           "03.03.2022", "04.03.2022"),
        vol(2, "БН", "Martyshyn Yevhen", "12.02.1943", "79"),  # no dates
    ]  # fmt: skip
    res = reconcile(rows)
    assert res.explain(("fh", 2), ("vol", 2)) is not None  # blocked on birth date
    assert same(res, ("fh", 2), ("vol", 2))


def test_nameless_entry_written_twice_in_one_journal() -> None:
    rows = background() + [
        fh(2, "5", "неизвестный", age="32", death="02.03.2022", burial="06.03.2022"),
        vol(2, "5", "невідомий", burial="06.03.2022"),
        vol(3, "5", "невідомий", death="02.03.2022", burial="06.03.2022"),
    ]
    res = reconcile(rows)
    assert same(res, ("fh", 2), ("vol", 2)) and same(res, ("vol", 2), ("vol", 3))


def test_two_nameless_bodies_in_one_grave_are_not_merged() -> None:
    # both journals list two nameless rows at grave 5: two bodies, and which
    # row of one journal goes with which of the other is a guess -> no links
    rows = background() + [
        fh(2, "5", "неизвестный", death="02.03.2022", burial="06.03.2022"),
        fh(3, "5", "неизвестный", death="02.03.2022", burial="06.03.2022"),
        vol(2, "5", "невідомий", death="02.03.2022", burial="06.03.2022"),
        vol(3, "5", "невідомий", death="02.03.2022", burial="06.03.2022"),
    ]
    res = reconcile(rows)
    clusters = {res.row_cluster[r] for r in (("fh", 2), ("fh", 3), ("vol", 2),
                                             ("vol", 3))}  # fmt: skip
    assert len(clusters) == 4


def test_nameless_rows_with_lost_grave_suffix() -> None:
    rows = background() + [
        fh(2, "339а", "неизвестный", age="50", death="11.08.2022", burial="12.08.2022"),
        vol(2, "339", "невідомий", age="50", death="11.08.2022", burial="12.08.2022"),
    ]
    res = reconcile(rows)
    e = res.explain(("fh", 2), ("vol", 2))
    assert e is not None
    assert {x.comparison: x.level for x in e.explanation}["grave"] == "suffix differs"
    assert same(res, ("fh", 2), ("vol", 2))


def test_nameless_row_without_grave_needs_a_single_candidate() -> None:
    one = background() + [
        fh(2, "79", "неизвестный", age="60", death="29.03.2022", burial="12.04.2022"),
        vol(2, "", "невідомий", age="60", death="29.03.2022", burial="12.04.2022"),
    ]
    res = reconcile(one)
    assert same(res, ("fh", 2), ("vol", 2))
    two = one + [
        fh(3, "80", "неизвестный", age="60", death="29.03.2022", burial="12.04.2022")
    ]
    res = reconcile(two)
    assert not same(res, ("fh", 2), ("vol", 2))
    assert not same(res, ("fh", 3), ("vol", 2))


def facts_of(rows: list[ParsedRow]) -> _RowFacts:
    return _RowFacts.of(rows)


def test_nameless_duplicate_rule() -> None:
    d, b = "02.03.2022", "06.03.2022"
    rows = [
        vol(2, "5", "невідомий", death=d, burial=b),
        vol(3, "5", "невідомий", burial=b),
        vol(4, "5", "невідомий", burial="07.03.2022"),  # another burial day
        vol(5, "5", "Шевченко Іван", death=d, burial=b),  # named
        vol(6, "БМ-1", "невідомий", death=d, burial=b),
        vol(7, "БМ-1", "невідомий", death=d, burial=b),  # mass grave
        vol(8, "5", "невідомий", age="20", death=d, burial=b),
        vol(9, "5", "невідомий", age="70", death=d, burial=b),  # ages disagree
    ]
    f = facts_of(rows)
    assert _nameless_duplicate(f, 0, 1, {})
    assert not _nameless_duplicate(f, 0, 2, {})
    assert not _nameless_duplicate(f, 0, 3, {})
    assert not _nameless_duplicate(f, 4, 5, {})
    assert not _nameless_duplicate(f, 6, 7, {})
    # the other journal lists two rows at grave 5: two bodies there
    assert not _nameless_duplicate(f, 0, 1, {"5": {"fh": 2, "vol": 2}})
    assert _nameless_duplicate(f, 0, 1, {"5": {"fh": 1, "vol": 2}})


def test_related_graves() -> None:
    rows = [vol(2, "36"), vol(3, "63"), vol(4, "339а"), vol(5, "339"), vol(6, "40")]
    f = facts_of(rows)
    assert _related_graves(f, 0, 1) and _related_graves(f, 2, 3)
    assert not _related_graves(f, 0, 4) and not _related_graves(f, 3, 4)


def _edges(pairs: list[tuple[int, int, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unique_id_l": [a for a, _, _ in pairs],
            "unique_id_r": [b for _, b, _ in pairs],
            "match_weight": [w for _, _, w in pairs],
            "match_probability": [2**w / (1 + 2**w) for _, _, w in pairs],
            "mw_death_date": [5.0] * len(pairs),
        }
    )


def test_same_journal_duplicate_at_transposed_grave() -> None:
    rows = [
        fh(2, "36", "Антонишин", "Сергей", "Олесевич", "19.06.1939"),
        vol(2, "36", "Антонишин Сергій Олесьович", "19.06.1939"),
        vol(3, "63", "Антонишин Сергій Олесьович", "19.06.1939"),
        vol(4, "70", "Антонишин Сергій Олесьович", "19.06.1939"),
    ]
    f = facts_of(rows)
    kw: dict[str, Any] = {
        "threshold": 0.9,
        "strong_weight": 20.0,
        "must": [],
        "cannot": set(),
        "isolated": set(),
    }
    # 36/63 is one grave written two ways: the direct weight 25 suffices
    uf = _form_clusters(4, _edges([(0, 1, 30.0), (0, 2, 28.0), (1, 2, 25.0)]), f, **kw)
    assert uf.find(0) == uf.find(1) == uf.find(2)
    # 36/70 are different graves: 25 < strong_weight + 10
    uf = _form_clusters(4, _edges([(0, 1, 30.0), (0, 3, 28.0), (1, 3, 25.0)]), f, **kw)
    assert uf.find(3) != uf.find(0)


def test_ambiguity_is_order_independent() -> None:
    # fh 2 matches vol 2 and vol 3 equally; vol 2 and 3 are one entry written
    # twice, so once they are merged the link is no longer a guess
    b = "29.04.2022"
    rows = [
        fh(2, "123", "неизвестный", death="28.04.2022", burial=b),
        vol(2, "123", "невідомий", death="28.04.2022", burial=b),
        vol(3, "123", "невідомий", death="28.04.2022", burial=b),
    ]
    f = facts_of(rows)
    kw: dict[str, Any] = {
        "threshold": 0.9,
        "strong_weight": 20.0,
        "must": [],
        "cannot": set(),
        "isolated": set(),
    }
    uf = _form_clusters(3, _edges([(0, 1, 13.0), (0, 2, 13.0), (1, 2, 13.0)]), f, **kw)
    assert uf.find(0) == uf.find(1) == uf.find(2)
    # a clearly better candidate (more than AMBIGUITY_BITS) is not ambiguous
    rows[2] = vol(3, "124", "невідомий", death="28.04.2022", burial=b)
    f = facts_of(rows)
    w = 13.0 - AMBIGUITY_BITS - 1
    uf = _form_clusters(3, _edges([(0, 1, 13.0), (0, 2, w)]), f, **kw)
    assert uf.find(0) == uf.find(1) != uf.find(2)
    uf = _form_clusters(3, _edges([(0, 1, 13.0), (0, 2, 12.5)]), f, **kw)
    assert len({uf.find(i) for i in range(3)}) == 3


def test_dates_within_day_keys() -> None:
    # the dates_key feature exists for rows with both death and burial days
    from linkage.reconcile import build_features

    feats = build_features(
        [vol(2, "", "невідомий", death="01.03.2022", burial="02.03.2022"),
         vol(3, "", "невідомий", burial="02.03.2022")]
    )  # fmt: skip
    assert feats["dates_key"].iloc[0] is not None
    assert feats["dates_key"].iloc[1] is None
    assert bool(feats["nameless"].iloc[0])


def test_neighbouring_plank_is_weak_evidence() -> None:
    rows = background() + [
        fh(2, "288", "Ковальчук", "Василий", "Петрович", "03.04.1961", "",
           "09.05.2022", "11.05.2022"),
        vol(2, "289", "Ковальчук Василь Петрович", "03.04.1961", "",
            "09.05.2022", "11.05.2022"),
        vol(3, "288", "Ковальчук Василь Петрович", "03.04.1961", "",
            "09.05.2022", "11.05.2022"),
    ]  # fmt: skip
    res = reconcile(rows)
    plank = res.explain(("fh", 2), ("vol", 2))
    same_grave = res.explain(("fh", 2), ("vol", 3))
    assert plank is not None and same_grave is not None
    w = {x.comparison: x for x in plank.explanation}
    exact = {x.comparison: x for x in same_grave.explanation}["grave"].match_weight
    assert w["grave"].level == "neighbouring plank"
    # some evidence, far less than the same number, less than a name or a date
    assert 0 < w["grave"].match_weight < exact / 2
    assert w["grave"].match_weight < w["surname"].match_weight
    assert w["grave"].match_weight < w["death_date"].match_weight


def test_ukrainian_initials_match_a_russian_given_name() -> None:
    rows = background() + [
        fh(2, "500", "Руденко", "Александр", "Васильевич", "14.03.1957", "",
           "09.05.2022", "11.05.2022"),
        vol(2, "500", "Руденко О.В.", "14 березня 1957", "", "09.05.2022"),
    ]  # fmt: skip
    res = reconcile(rows)
    e = res.explain(("fh", 2), ("vol", 2))
    assert e is not None
    levels = {x.comparison: x.level for x in e.explanation}
    assert levels["given"] == levels["patronymic"] == "initial"
    assert same(res, ("fh", 2), ("vol", 2))


def test_entry_written_twice_is_linked_when_another_journal_backs_both() -> None:
    # the volunteers wrote the person twice (the second time surname, given
    # name, age and death date only); the funeral home's row links to both
    rows = background() + [
        fh(2, "214", "Гончаренко", "Степан", "Андреевич", "07.02.1979", "",
           "11.05.2022", "13.05.2022"),
        vol(2, "214", "Гончаренко Степан Андрійович", "7/2/79", "", "11/5/22",
            "13.05.2022"),
        vol(3, "214", "Гончаренко Степан", "", "43 (вік)", "11.05.2022"),
    ]  # fmt: skip
    res = reconcile(rows)
    assert same(res, ("vol", 2), ("vol", 3)) and same(res, ("fh", 2), ("vol", 3))


def test_namesakes_in_one_journal_stay_apart() -> None:
    # father and son: same surname, given name and patronymic, other dates
    rows = background() + [
        fh(2, "301", "Гончаренко", "Степан", "Андреевич", "07.02.1979", "",
           "11.05.2022", "13.05.2022"),
        vol(2, "301", "Гончаренко Степан Андрійович", "07.02.1979", "",
            "11.05.2022", "13.05.2022"),
        vol(3, "302", "Гончаренко Степан Андрійович", "21.08.1953", "",
            "02.06.2022", "05.06.2022"),
    ]  # fmt: skip
    res = reconcile(rows)
    assert same(res, ("fh", 2), ("vol", 2))
    assert not same(res, ("vol", 2), ("vol", 3))


def test_passport_spelling_given_name_first_without_grave_or_birth_date() -> None:
    # "Vitalina Pavlina" (given name first, as on a Latin document) with no grave
    # number and no birth date: only the names, swapped, and the dates meet.
    rows = background() + [
        fh(2, "б/н", "Павлина", "Виталина", "Петровна", "", "", "03.05.2022",
           "06.05.2022"),
        vol(2, "", "Vitalina Pavlina", "", "", "03.05.2022", "06.05.2022"),
    ]  # fmt: skip
    res = reconcile(rows)
    assert same(res, ("fh", 2), ("vol", 2))


def test_next_burials_name_on_a_grave_stays_apart() -> None:
    # the volunteers wrote the next burial's name (and dates) on grave 300,
    # where the funeral home has another person: that row is the body at 300
    # under a wrong name, not the person of grave 301 written twice
    p = ("03.04.1961", "", "09.05.2022", "11.05.2022")
    rows = background() + [
        fh(2, "300", "Кравец", "Петр", "Ильич", "17.10.1948", "", "08.05.2022",
           "11.05.2022"),
        fh(3, "301", "Бондаренко", "Олег", "Иванович", *p),
        vol(2, "300", "Бондаренко Олег Іванович", *p),
        vol(3, "301", "Бондаренко Олег Іванович", *p),
    ]  # fmt: skip
    res = reconcile(rows)
    assert same(res, ("fh", 3), ("vol", 3))
    assert not same(res, ("vol", 2), ("vol", 3))


def test_entry_written_twice_at_a_neighbouring_plank_is_linked() -> None:
    # the same person written twice by the volunteers, the second time with
    # the next grave's number, where the volunteers also have that grave's own
    # person: not a wrong name on a grave
    p = ("03.04.1961", "", "09.05.2022", "11.05.2022")
    rows = background() + [
        fh(2, "300", "Бондаренко", "Олег", "Иванович", *p),
        fh(3, "301", "Кравец", "Петр", "Ильич", "17.10.1948", "", "08.05.2022",
           "11.05.2022"),
        vol(2, "300", "Бондаренко Олег Іванович", *p),
        vol(3, "301", "Бондаренко Олег Іванович", *p),
        vol(4, "301", "Кравець Петро Ілліч", "17.10.1948", "", "08.05.2022",
            "11.05.2022"),
    ]  # fmt: skip
    res = reconcile(rows)
    assert same(res, ("fh", 2), ("vol", 2)) and same(res, ("vol", 2), ("vol", 3))
    assert same(res, ("fh", 3), ("vol", 4))


def test_review_pairs_leave_out_pairs_a_conflict_already_shows() -> None:
    # a mass grave with three nameless bodies in each journal: its pairs are
    # in the review band (0.45 here), and the grave's conflict shows its rows
    rows = background()
    for k, day in enumerate(("02.05.2022", "03.05.2022", "04.05.2022"), start=2):
        rows += [fh(k, "бм1", "неизвестный", death=day, burial="06.05.2022"),
                 vol(k, "бм1", "невідомий", death=day, burial="06.05.2022")]  # fmt: skip
    res = reconcile(rows)
    mass = {r for c in res.conflicts if c.grave == "бм1" for r in c.rows}
    assert len(mass) == 6

    def inside(frame: pd.DataFrame) -> int:
        return sum(
            (sl, rl) in mass and (sr, rr) in mass
            for sl, rl, sr, rr in zip(frame.source_l, frame.row_l, frame.source_r,
                                      frame.row_r, strict=True)
        )  # fmt: skip

    f = res.pairs_frame
    band = f[(f.match_probability >= 0.3) & (f.match_probability < 0.97)]
    assert inside(band) > 0
    kept = res.review_pairs(0.3, 0.97)
    assert inside(kept) == 0
    # and the background's pairs of one journal with two death days (never
    # linked, ``_two_deaths``), none of them inside the grave's conflict
    facts, at = res._facts, res._ref_index
    assert facts is not None
    two = sum(
        _two_deaths(facts, at[(sl, rl)], at[(sr, rr)])
        for sl, rl, sr, rr in zip(band.source_l, band.row_l, band.source_r,
                                  band.row_r, strict=True)
    )  # fmt: skip
    assert len(kept) == len(band) - inside(band) - two


def test_nameless_row_without_grave_and_only_dates_linked_when_alone() -> None:
    # no age, no grave number on one side: only the death and burial days
    # (1.7 bits on simulator output, below the threshold), which no other
    # nameless row has
    d, b = "29.03.2022", "12.04.2022"
    rows = [fh(2, "79", "неизвестный", death=d, burial=b),
            vol(2, "", "невідомий", death=d, burial=b),
            vol(3, "", "невідомий", death=d, burial="13.04.2022")]  # fmt: skip
    kw: dict[str, Any] = {
        "threshold": 0.9,
        "strong_weight": 20.0,
        "must": [],
        "cannot": set(),
        "isolated": set(),
    }
    uf = _form_clusters(3, _edges([(0, 1, 1.7), (0, 2, 1.0)]), facts_of(rows), **kw)
    assert uf.find(0) == uf.find(1) != uf.find(2)
    # another nameless row with both days: which one is a guess
    rows[2] = vol(3, "", "невідомий", death=d, burial=b)
    uf = _form_clusters(3, _edges([(0, 1, 1.7), (0, 2, 1.7)]), facts_of(rows), **kw)
    assert len({uf.find(i) for i in range(3)}) == 3


def test_one_journal_with_two_death_days_is_two_rows_apart() -> None:
    kw: dict[str, Any] = {
        "threshold": 0.9,
        "strong_weight": 20.0,
        "must": [],
        "cannot": set(),
        "isolated": set(),
    }
    name = ("Стецич Ганна Трохимівна", "07.12.1939")
    for death, merged in (("03.08.2022", True), ("08.08.2022", False)):
        rows = [vol(2, "3482", *name, "", "03.08.2022", "09.08.2022"),
                vol(3, "3482", *name, "", death, "09.08.2022")]  # fmt: skip
        uf = _form_clusters(2, _edges([(0, 1, 40.0)]), facts_of(rows), **kw)
        assert (uf.find(0) == uf.find(1)) is merged


def test_nameless_row_between_the_same_linked_neighbours() -> None:
    # two nameless volunteers' rows share the funeral home's nameless row's
    # dates; only one sits between the same two people in both journals
    d, b = "29.03.2022", "01.04.2022"
    rows = background() + [
        fh(2, "78", "Кравец", "Петр", "Ильич", "17.10.1948", "", "28.03.2022", b),
        fh(3, "79", "неизвестный", death=d, burial=b),
        fh(4, "80", "Бондаренко", "Олег", "Иванович", "03.04.1961", "", d, b),
        vol(2, "78", "Кравець Петро Ілліч", "17.10.1948", "", "28.03.2022", b),
        vol(3, "", "невідомий", death=d, burial=b),
        vol(4, "80", "Бондаренко Олег Іванович", "03.04.1961", "", d, b),
        vol(5, "", "невідомий", death=d, burial=b),
    ]  # fmt: skip
    res = reconcile(rows)
    assert same(res, ("fh", 3), ("vol", 3))
    assert not same(res, ("fh", 3), ("vol", 5))


def test_nameless_rows_of_a_mass_grave_in_order_between_linked_neighbours() -> None:
    b = "01.04.2022"
    named = [
        (fh(2, "78", "Кравец", "Петр", "Ильич", "17.10.1948", "", "28.03.2022", b),
         vol(2, "78", "Кравець Петро Ілліч", "17.10.1948", "", "28.03.2022", b)),
        (fh(6, "80", "Бондаренко", "Олег", "Иванович", "03.04.1961", "",
            "29.03.2022", b),
         vol(6, "80", "Бондаренко Олег Іванович", "03.04.1961", "", "29.03.2022", b)),
    ]  # fmt: skip
    people = [r for pair in named for r in pair]
    three = [fh(k, "бм1", "неизвестный", burial=b) for k in (3, 4, 5)] + [
        vol(k, "бм1", "невідомий", burial=b) for k in (3, 4, 5)
    ]
    res = reconcile(background() + people + three)
    for k in (3, 4, 5):
        assert same(res, ("fh", k), ("vol", k))
    # two in one journal, three in the other: which is missing is a guess
    res = reconcile(background() + people + three[:5])
    assert not any(same(res, ("fh", k), ("vol", j)) for k in (3, 4, 5) for j in (3, 4))


def noted(row: ParsedRow, note: str) -> ParsedRow:
    return dataclasses.replace(row, notes=note)


def test_entry_written_twice_with_the_same_birth_date_is_linked() -> None:
    # a reburial from the yard: the volunteers wrote the person twice, both
    # times without a grave number, with the same full name (typos in the
    # surname and patronymic) and dates of birth and death (burial days
    # differ); nobody else backs the pair
    rows = background() + [
        vol(2, "", "Мельнчук Дмитро Іванвич", "08.11.1945", "",
            "8 березня 2022", "18.03.2022"),
        vol(3, "", "Мельничук Дмитро Іванович", "08.11.45", "", "08.03.2022",
            "14.04.2022"),
    ]  # fmt: skip
    res = reconcile(rows)
    assert same(res, ("vol", 2), ("vol", 3))


def test_reburial_at_another_grave_is_linked_when_the_journal_says_so() -> None:
    # the funeral home wrote a temporary grave (93) and, at the reburial, the
    # new grave (177) with "перезахоронение"; the volunteers know grave 177
    first = fh(2, "93", "Кириленко", "Анна", "Владимировна", "22.12.1975", "",
               "13.03.2022", "24.03.2022")  # fmt: skip
    again = fh(3, "№ 177", "Кириленко", "Анна", "Владимировна", "22.12.1975", "",
               "13.03.2022", "13.07.2022")  # fmt: skip
    other = vol(2, "177", "Кириленко Ганна Володимирівна", "", "46",
                "13.03.2022", "13.07.2022")  # fmt: skip
    res = reconcile(background() + [first, noted(again, "перезахоронение"), other])
    assert same(res, ("fh", 2), ("fh", 3)) and same(res, ("fh", 3), ("vol", 2))
    # without the note, one name at two graves of one journal stays apart
    # unless the whole identity agrees (full name, full birth date, death
    # day: ``reburied_without_note``, #15); with the birth year only, apart
    year = fh(3, "№ 177", "Кириленко", "Анна", "Владимировна", "1975", "",
              "13.03.2022", "13.07.2022")  # fmt: skip
    res = reconcile(background() + [first, year, other])
    assert not same(res, ("fh", 2), ("fh", 3))
    res = reconcile(background() + [first, again, other])
    assert same(res, ("fh", 2), ("fh", 3))
    assert any(k.rule == "reburied_without_note" for k in res.links)


def test_corrected_entry_at_the_same_grave_is_linked() -> None:
    # the volunteers corrected an entry: a typo in the patronymic, the birth
    # year and the death day one off; the later row says "повторно"
    first = vol(2, "72", "Вовк Анатолій Оленович", "3/9/45", "", "5.3.2022",
                "15.03.2022")  # fmt: skip
    again = vol(3, "72.", "Вовк Анатолій Олегович", "3/9/44", "", "04.03.22",
                "15 березня 2022 р.")  # fmt: skip
    res = reconcile(background() + [first, noted(again, "повторно")])
    assert same(res, ("vol", 2), ("vol", 3))
    res = reconcile(background() + [first, again])  # two death days, no note
    assert not same(res, ("vol", 2), ("vol", 3))


def test_reburial_without_birth_date_needs_the_same_death_day() -> None:
    # Russian spelling; "временно во дворе" on the first entry, no birth date
    first = fh(2, "", "Павленко", "Михаил", "Леонидович", "1961", "",
               "11.03.2022", "22.03.2022")  # fmt: skip
    again = fh(3, "142", "ПАВЛЕНКО", "Михаил", "Леонидович", "4 октября 1961 г.",
               "", "11.03.2022", "19.04.2022")  # fmt: skip
    res = reconcile(background() + [noted(first, "временно во дворе"), again])
    assert same(res, ("fh", 2), ("fh", 3))
    other_day = dataclasses.replace(again, death_date=first.burial_date)
    res = reconcile(background() + [noted(first, "временно во дворе"), other_day])
    assert not same(res, ("fh", 2), ("fh", 3))


def test_relatives_and_namesakes_in_one_journal_stay_apart_despite_a_note() -> None:
    # killed the same day: a father and his son named after him (another
    # patronymic), and two namesakes with one full name and other birth dates
    rows = background() + [
        noted(vol(2, "310", "Коваленко Іван Петрович", "", "71", "07.03.2022",
                  "20.03.2022"), "перепоховано з двору"),
        vol(3, "310", "Коваленко Іван Іванович", "", "45", "07.03.2022",
            "20.03.2022"),
        noted(vol(4, "", "Бойко Олег Миколайович", "12.01.1970", "",
                  "09.03.2022", "14.03.2022"), "уточнено дані"),
        vol(5, "320", "Бойко Олег Миколайович", "30.06.1988", "", "09.03.2022",
            "25.03.2022"),
        # one full name and birth date, but two death days: two entries apart
        vol(6, "330", "Лисенко Петро Андрійович", "02.02.1960", "", "01.03.2022",
            "10.03.2022"),
        vol(7, "", "Лисенко Петро Андрійович", "02.02.1960", "", "21.03.2022",
            "25.03.2022"),
    ]  # fmt: skip
    res = reconcile(rows)
    assert not same(res, ("vol", 2), ("vol", 3))
    assert not same(res, ("vol", 4), ("vol", 5))
    assert not same(res, ("vol", 6), ("vol", 7))


def test_written_twice_note() -> None:
    for yes in ("перезахоронение", "временно во дворе", "перепоховано з двору",
                "ексгумовано, перепоховано", "уточнено дані", "исправлено",
                "повторно", "Виправлено", "см. выше"):  # fmt: skip
        assert written_twice_note(yes), yes
    for no in ("", "~50 лет", "осколочное", "Временный пропуск", "ТРО"):
        assert not written_twice_note(no), no


def test_nameless_row_and_named_row_between_the_same_linked_neighbours() -> None:
    # the funeral home recorded no name (grave 79) and no death day; the
    # volunteers wrote the name but no grave number: the two rows sit between
    # the same two people in both journals, with the same burial day (which
    # alone scores below the threshold)
    d, b = "29.03.2022", "01.04.2022"
    people = [
        fh(2, "78", "Кравец", "Петр", "Ильич", "17.10.1948", "", "28.03.2022", b),
        fh(4, "80", "Бондаренко", "Олег", "Иванович", "03.04.1961", "", d, b),
        vol(2, "78", "Кравець Петро Ілліч", "17.10.1948", "", "28.03.2022", b),
        vol(4, "80", "Бондаренко Олег Іванович", "03.04.1961", "", d, b),
    ]  # fmt: skip
    for age, birth, linked in (("40", "02.02.1981", True), ("70", "02.02.1981", False)):
        rows = background() + people + [
            fh(3, "79", "неизвестная", age=age, burial=b),
            vol(3, "", "Ящко Ярослава Кирилівна", birth, "", d, b),
        ]  # fmt: skip
        res = reconcile(rows)
        # an age of 70 against a birth in 1981: someone else
        assert same(res, ("fh", 3), ("vol", 3)) is linked


def test_nameless_row_without_death_day_is_scored_by_its_burial_day() -> None:
    # neither row has a death day; one has no grave number: the burial day
    # puts them in one block, so the pair has a score to show, and their
    # place between the same two people links them
    b = "01.04.2022"
    rows = background() + [
        fh(2, "78", "Кравец", "Петр", "Ильич", "17.10.1948", "", "28.03.2022", b),
        fh(3, "79", "неизвестный", burial=b),
        fh(4, "80", "Бондаренко", "Олег", "Иванович", "03.04.1961", "",
           "29.03.2022", b),
        vol(2, "78", "Кравець Петро Ілліч", "17.10.1948", "", "28.03.2022", b),
        vol(3, "", "невідомий", burial=b),
        vol(4, "80", "Бондаренко Олег Іванович", "03.04.1961", "", "29.03.2022", b),
    ]  # fmt: skip
    res = reconcile(rows)
    assert res.explain(("fh", 3), ("vol", 3)) is not None
    assert same(res, ("fh", 3), ("vol", 3))


def test_name_slipped_onto_the_neighbouring_line_is_taken_out() -> None:
    # the volunteers wrote Бондаренко on two lines in a row, the first with no
    # grave number and no death day; the funeral home has, at that first
    # line's place, Панчук (the same burial day), whom no volunteers' row
    # names: the first line is Панчук's body under the next burial's name
    b = "11.05.2022"
    p = ("03.04.1961", "", "09.05.2022", b)
    rows = background() + [
        fh(2, "298", "Кравец", "Петр", "Ильич", "17.10.1948", "", "07.05.2022", b),
        fh(3, "299", "Панчук", "Матвей", "Олегович", "02.10.1934", "",
           "08.05.2022", b),
        fh(4, "300", "Бондаренко", "Олег", "Иванович", *p),
        fh(5, "301", "Климак", "Юрий", "Петрович", "23.08.1976", "", "06.05.2022", b),
        vol(2, "298", "Кравець Петро Ілліч", "17.10.1948", "", "07.05.2022", b),
        vol(3, "", "Бондаренко Олег Іванович", "03.04.1961", "", "", b),
        vol(4, "300", "Бондаренко Олег Іванович", *p),
        vol(5, "301", "Климак Юрій Петрович", "23.08.1976", "", "06.05.2022", b),
    ]  # fmt: skip
    res = reconcile(rows)
    assert same(res, ("fh", 4), ("vol", 4))
    assert not same(res, ("vol", 3), ("vol", 4))
    # without Панчук's entry the two lines are one entry written twice
    res = reconcile([r for r in rows if (r.source, r.row_number) != ("fh", 3)])
    assert same(res, ("vol", 3), ("vol", 4)) and same(res, ("fh", 4), ("vol", 3))


def test_an_age_and_a_birth_date_that_disagree_do_not_fit() -> None:
    # the rules that link by place read an age against a birth date
    b = "01.04.2022"
    for age, fit in (("40", True), ("41", True), ("70", False), ("30+", False)):
        rows = [fh(3, "79", "неизвестная", age=age, burial=b),
                vol(3, "", "Ящко Ярослава Кирилівна", "02.02.1981", "", "", b)]  # fmt: skip
        assert _dates_fit(facts_of(rows), 0, 1) is fit, age


def test_sex_of_a_row() -> None:
    assert sex_of("Невідома жінка") == sex_of("Неизвестная") == "f"
    assert sex_of("Неизвестный мужчина") == sex_of("н/в чоловік") == "m"
    assert sex_of("н/в") == sex_of("невідомий жінка") == ""
    assert sex_of("", "Степанівна") == sex_of("", "Петровна") == "f"
    assert sex_of("", "Олегович") == sex_of("", "Ильич") == "m"
    # the unknown person's name cell is kept as written
    r = fh(2, "5", "Неопознанная", death="03.03.2022")
    assert (r.surname, r.full_name) == ("", "Неопознанная")
    assert _RowFacts.of([r]).sex == ["f"]


def test_a_named_woman_and_a_nameless_man_stay_apart() -> None:
    # one grave, one day: the volunteers' "невідомий" is a man, the funeral
    # home's Тамара Денисовна a woman (two bodies at 365)
    rows = background() + [
        fh(2, "365", "Григоренко", "Тамара", "Денисовна", "04.10.42", "",
           "20.03.2022", "14.04.22"),
        vol(2, "365", "невідомий", "", "", "20.03.2022", "14 квітня 2022 р."),
    ]  # fmt: skip
    res = reconcile(rows)
    assert not same(res, ("fh", 2), ("vol", 2))


def test_nameless_rows_alone_at_one_grave_are_linked() -> None:
    # the only row of each journal at grave 312, the volunteers wrote no date
    rows = background() + [
        fh(2, "312", "Неизвестный мужчина", death="28.02.2022", burial="08.03.2022"),
        vol(2, "312", "Невідомий"),
    ]  # fmt: skip
    assert same(reconcile(rows), ("fh", 2), ("vol", 2))
    # two nameless rows of the volunteers at that grave: which one is a guess
    res = reconcile(rows + [vol(3, "312", "Невідомий")])
    assert not same(res, ("fh", 2), ("vol", 2))
    assert not same(res, ("fh", 2), ("vol", 3))


def test_nameless_rows_at_the_neighbouring_plank_are_linked() -> None:
    # 369 against 370: both days, the age (~80) and the sex agree, and
    # neither journal has a row at the other's number
    a = fh(2, "369", "Неизвестный мужчина", "", "", "", "~80", "23.03.2022",
           "30.04.22")  # fmt: skip
    b = vol(2, "370", "невідомий", "", "~80", "2022-03-23", "30 квітня 2022 р.")
    assert same(reconcile(background() + [a, b]), ("fh", 2), ("vol", 2))
    # the volunteers also have a row at 369: the plank is not a misreading
    c = vol(3, "369", "Бондар Петро Іванович", "", "", "23.03.2022", "30.04.2022")
    assert not same(reconcile(background() + [a, b, c]), ("fh", 2), ("vol", 2))
    # ... unless that row is already someone else's (linked to the funeral
    # home's row of that person): the two nameless rows are still one body
    e = fh(3, "369", "Бондар", "Петр", "Иванович", "12.05.1950", "", "23.03.2022",
           "30.04.2022")  # fmt: skip
    c = vol(3, "369", "Бондар Петро Іванович", "12.05.1950", "", "23.03.2022",
            "30.04.2022")  # fmt: skip
    res = reconcile(background() + [a, b, c, e])
    assert same(res, ("fh", 3), ("vol", 3)) and same(res, ("fh", 2), ("vol", 2))
    # a nameless woman at the neighbouring plank is someone else
    d = vol(2, "370", "невідома", "", "~80", "2022-03-23", "30 квітня 2022 р.")
    assert not same(reconcile(background() + [a, d]), ("fh", 2), ("vol", 2))


def test_nameless_entry_corrected_in_one_journal() -> None:
    # the volunteers wrote a nameless body at 250 twice, the second time
    # "уточнено дані" with the death day one off
    first = vol(2, "250", "Невідомий", "", "", "24/3/22", "29.03.2022")
    again = vol(3, "250", "невідомий", "", "~70", "23.03.2022", "29.03.22")
    res = reconcile(background() + [first, noted(again, "уточнено дані")])
    assert same(res, ("vol", 2), ("vol", 3))
    res = reconcile(background() + [first, again])  # no note: two bodies
    assert not same(res, ("vol", 2), ("vol", 3))


def test_reburial_with_an_age_against_a_birth_date() -> None:
    # the reburial row gives the age (85) and the death day, the first entry
    # (no grave) the birth date and no death day: the birth years fit
    first = vol(2, "б/н", "Пилипенко Ігор Леонідович", "21/1/37", "", "",
                "25.03.2022")  # fmt: skip
    again = vol(3, "191.", "Пилипенко Ігор Леонідович", "", "85", "09.03.2022",
                "9.5.2022")  # fmt: skip
    res = reconcile(background() + [first, noted(again, "ексгумовано, перепоховано")])
    assert same(res, ("vol", 2), ("vol", 3))
    res = reconcile(background() + [first, again])
    assert not same(res, ("vol", 2), ("vol", 3))
    older = dataclasses.replace(again, age=(60, 60))  # born about 1961
    res = reconcile(background() + [first, noted(older, "ексгумовано, перепоховано")])
    assert not same(res, ("vol", 2), ("vol", 3))


def test_temporary_burial_and_its_reburial() -> None:
    # Russian funeral home: "временно во дворе" first, "перезахоронение" later
    temp = fh(2, "", "Гнатюк", "Денис", "Анатолійович", "09.06.1944", "", "",
              "27.03.2022")  # fmt: skip
    moved = fh(3, "217", "Гнатюк", "Денис", "Анатольевич", "", "", "6.3.2022",
               "28 апреля 2022 г.")  # fmt: skip
    rows = [noted(temp, "временно во дворе"), noted(moved, "перезахоронение")]
    assert same(reconcile(background() + rows), ("fh", 2), ("fh", 3))
    # a "temporary" burial after the reburial is not its first entry
    assert moved.burial_date is not None
    after = dataclasses.replace(moved.burial_date, day=30)  # 30 April
    late = dataclasses.replace(rows[0], burial_date=after)
    assert not same(reconcile(background() + [late, rows[1]]), ("fh", 2), ("fh", 3))


def test_written_twice_without_a_patronymic_needs_birth_years_on_both_rows() -> None:
    # a passport spelling without a patronymic (and an age) against the full
    # Ukrainian entry: the note, the death day and the birth years agree
    first = vol(2, "б/н", "Бойко Оксана Павлівна", "16.06.1935", "", "1/3/22",
                "3 березня 2022 р.")  # fmt: skip
    again = vol(3, "б/н", "BOIKO OKSANA", "", "87 р.", "1 березня 2022",
                "26.05.2022")  # fmt: skip
    res = reconcile(background() + [first, noted(again, "ексгумовано, перепоховано")])
    assert same(res, ("vol", 2), ("vol", 3))
    # a namesake (or a daughter named after her mother) born 25 years later
    assert first.birth_date is not None
    son = dataclasses.replace(first, birth_date=dataclasses.replace(
        first.birth_date, year=1960))  # fmt: skip
    res = reconcile(background() + [son, noted(again, "ексгумовано, перепоховано")])
    assert not same(res, ("vol", 2), ("vol", 3))
    # no birth year on one row and no patronymic: the note alone is not enough
    unknown = dataclasses.replace(first, birth_date=None)
    res = reconcile(background() + [unknown, noted(again, "ексгумовано, перепоховано")])
    assert not same(res, ("vol", 2), ("vol", 3))


def test_review_leaves_out_a_nameless_row_and_a_row_of_the_other_sex() -> None:
    d, b = "20.03.2022", "14.04.2022"

    def asked(unknown: str) -> bool:
        rows = background() + [
            fh(2, "365", "Григоренко", "Тамара", "Денисовна", "04.10.1942", "", d, b),
            vol(2, "", unknown, death=d, burial=b),
        ]
        res = reconcile(rows)
        band = res.review_pairs(0.0, 1.1)
        refs = {((a, int(x)), (c, int(y))) for a, x, c, y in zip(
            band.source_l, band.row_l, band.source_r, band.row_r, strict=True)}  # fmt: skip
        return bool({(("fh", 2), ("vol", 2)), (("vol", 2), ("fh", 2))} & refs)

    assert asked("невідома")
    assert not asked("невідомий")


def test_pairs_without_a_grave_number_are_scored_together() -> None:
    from linkage.evaluate import pairwise_scores_by_class, without_grave_number

    rows = [fh(2, "10", "неизвестный", burial="01.04.2022"),
            vol(2, "", "невідомий", burial="01.04.2022"),
            fh(3, "11", "Кравец", "Петр", burial="01.04.2022"),
            vol(3, "11", "Кравець Петро", burial="01.04.2022")]  # fmt: skip
    refs = [(r.source, r.row_number) for r in rows]
    truth = dict(zip(refs, ["a", "a", "b", "b"], strict=True))
    predicted = dict(zip(refs, ["1", "2", "3", "3"], strict=True))
    by = pairwise_scores_by_class(rows, predicted, truth, classify=without_grave_number)
    assert by["without grave number"].false_negatives == 1
    assert by["with grave numbers"].true_positives == 1


def test_nameless_entry_repeated_without_a_grave_number() -> None:
    # the volunteers wrote a nameless body at 357 and again, "повторно",
    # without a number: the same death and burial days, no other nameless row
    # of theirs with both
    first = vol(2, "357.", "н/в чоловік", "", "~80", "1/4/22", "13.04.2022")
    again = noted(vol(3, "", "Невідомий", "", "", "1.4.2022", "13.04.2022"), "повторно")
    assert same(reconcile(background() + [first, again]), ("vol", 2), ("vol", 3))
    # a second nameless row with those days: which one is repeated is a guess
    other = vol(4, "358", "невідомий", "", "", "01.04.2022", "13.04.2022")
    res = reconcile(background() + [first, again, other])
    assert not same(res, ("vol", 2), ("vol", 3))


def test_nameless_body_buried_temporarily_and_reburied() -> None:
    # the funeral home: a nameless man "временно во дворе", and later the
    # reburial of a nameless body who died that day, "~65 лет перезахоронение"
    temp = noted(fh(2, "", "Неизвестный мужчина", death="03.03.2022",
                    burial="15.03.2022"), "временно во дворе")  # fmt: skip
    moved = noted(fh(3, "№ 76", "Неопознанный", death="03.03.2022",
                     burial="21.06.2022"), "~65 лет перезахоронение")  # fmt: skip
    assert same(reconcile(background() + [temp, moved]), ("fh", 2), ("fh", 3))
    # two bodies buried temporarily that day: which one was moved is a guess
    other = noted(fh(4, "", "Неизвестный", death="03.03.2022", burial="16.03.2022"),
                  "временно во дворе")  # fmt: skip
    res = reconcile(background() + [temp, moved, other])
    assert not same(res, ("fh", 2), ("fh", 3))


def test_the_person_s_own_line_is_linked_when_the_neighbouring_one_slipped() -> None:
    # the volunteers wrote Бондаренко (with his birth date) on Панчук's line
    # at grave 299 (Панчук's death day), then Бондаренко's own line without a
    # grave number; the funeral home has both people. The slipped line scores
    # higher (birth date, neighbouring plank) and took the funeral home's
    # Бондаренко; his own line was kept out by its other death day
    b = "11.05.2022"
    rows = background() + [
        fh(2, "298", "Кравец", "Петр", "Ильич", "17.10.1948", "", "07.05.2022", b),
        fh(3, "299", "Панчук", "Матвей", "Олегович", "02.10.1934", "",
           "08.05.2022", b),
        fh(4, "300", "Бондаренко", "Олег", "Иванович", "03.04.1961", "",
           "09.05.2022", b),
        fh(5, "301", "Климак", "Юрий", "Петрович", "23.08.1976", "", "06.05.2022", b),
        vol(2, "298", "Кравець Петро Ілліч", "17.10.1948", "", "07.05.2022", b),
        vol(3, "299", "Бондаренко Олег Іванович", "03.04.1961", "", "08.05.2022", b),
        vol(4, "", "Бондаренко Олег Іванович", "", "", "09.05.2022", b),
        vol(5, "301", "Климак Юрій Петрович", "23.08.1976", "", "06.05.2022", b),
    ]  # fmt: skip
    res = reconcile(rows)
    assert same(res, ("fh", 4), ("vol", 4))
    assert not same(res, ("fh", 4), ("vol", 3))


def test_entry_written_twice_is_linked_through_the_other_journal() -> None:
    # the volunteers wrote a reburial at a new grave (777, nobody else there)
    # without a note: the age and the death day on the first row, the birth
    # date on the second; the funeral home's row at grave 150 is linked to
    # both rows above the threshold (#15 jrec3: ``twice_through_other_journal``)
    d = "14.04.2022"
    home = fh(2, "150", "Малюк", "Семен", "Евгеньевич", "17.04.1935", "", d,
              "23.04.2022")  # fmt: skip
    first = vol(2, "150", "Малюк Семен Євгенович", "", "86", d, "23.04.2022")
    again = vol(3, "777", "Малюк Семен Євгенович", "17.04.1935", "", d, "31.05.2022")
    from linkage.tests.test_explain import assert_explained  # imports this module

    res = reconcile(background() + [home, first, again])
    assert same(res, ("vol", 2), ("vol", 3)) and same(res, ("fh", 2), ("vol", 3))
    assert_explained(res)
    link = next(k for k in res.links if k.rule == "twice_through_other_journal")
    assert {"linked_to_both_rows", "agree_in_all_written", "other_grave"} <= set(
        link.evidence
    )
    assert link.pair is not None and link.pair.match_probability >= res.threshold
    # the funeral home names someone else at grave 777: the row there is that
    # grave's body under this name (the next burial's), not a reburial
    body = fh(3, "777", "Гордієнко", "Петр", "Ильич", "02.02.1950", "", d,
              "31.05.2022")  # fmt: skip
    res = reconcile(background() + [home, first, again, body])
    assert not same(res, ("vol", 2), ("vol", 3))
    # two rows that disagree in what both write (another birth year) stay apart
    other = vol(3, "777", "Малюк Семен Євгенович", "17.04.1955", "", d, "31.05.2022")
    res = reconcile(background() + [home, first, other])
    assert not same(res, ("vol", 2), ("vol", 3))


def test_entry_written_twice_without_a_grave_number_through_the_other_journal() -> None:
    # the first row without a grave number and without a patronymic, the second
    # at the funeral home's grave without a birth date: nothing but the names
    # and the death day in common, and the funeral home's row links both
    d = "29.08.2022"
    home = fh(2, "402", "Кравчук", "Сергей", "Владимирович", "17.11.1936", "", d,
              "02.09.2022")  # fmt: skip
    first = vol(2, "", "Кравчук Сергій", "17.11.1936", "", d, "02.09.2022")
    again = vol(3, "402", "Кравчук Сергій Володимирович", "", "", d, "04.10.2022")
    res = reconcile(background() + [home, first, again])
    assert same(res, ("vol", 2), ("vol", 3)) and same(res, ("fh", 2), ("vol", 2))
    # the given name and the surname written in swapped order, with a slip
    swapped = vol(3, "402", "Сергйі Кравчук Володимирович", "", "", d, "04.10.2022")
    res = reconcile(background() + [home, first, swapped])
    assert same(res, ("vol", 2), ("vol", 3))
    # a second "Кравчук Сергій" of the volunteers killed that day at another
    # grave is someone else (a namesake): the rows are not one entry
    namesake = vol(3, "403", "Кравчук Сергій Володимирович", "", "", d, "04.10.2022")
    home2 = fh(3, "403", "Кравчук", "Сергей", "Владимирович", "01.01.1970", "", d,
               "04.10.2022")  # fmt: skip
    res = reconcile(background() + [home, home2, first, namesake])
    assert not same(res, ("vol", 2), ("vol", 3))
    # the name slipped onto the next line (grave 403, where the funeral home
    # has someone else): that line is the body of 403, not an entry written
    # twice, even though the funeral home's row at 402 scores well with it
    typo = vol(2, "", "Кравчкук Сергій", "17.11.1936", "", d, "02.09.2022")
    slipped = vol(3, "403", "Кравчук Сергій Володимирович", "", "86", "",
                  "02.09.2022")  # fmt: skip
    body = fh(3, "403", "Гордієнко", "Петр", "Ильич", "02.02.1950", "", d,
              "02.09.2022")  # fmt: skip
    res = reconcile(background() + [home, body, typo, slipped])
    assert not same(res, ("vol", 2), ("vol", 3))


def test_corrected_entry_with_the_age_one_digit_off() -> None:
    # the first entry has the age 84 for 94 (the slip a corrected entry fixes)
    # and no patronymic; the correction, without a grave number, has a slip in
    # the given name and the right age: one person (``_one_digit_off``)
    d, b = "16.06.2022", "19.06.2022"
    first = vol(2, "286", "Прокопчук Кирило", "", "84", d, b)
    again = vol(3, "", "Прокопчук Киирло Федорович", "", "94", d, b)
    res = reconcile(background() + [first, noted(again, "повторно")])
    assert same(res, ("vol", 2), ("vol", 3))
    link = next(k for k in res.links if {k.left, k.right} == {("vol", 2), ("vol", 3)})
    assert "birth_year_one_digit" in link.evidence
    # an age against a full birth date: 58 written, 68 from the date
    dated = vol(3, "", "Прокопчук Кирило Федорович", "20.10.1953", "", d, b)
    res = reconcile(background() + [vol(2, "286", "Прокопчук Кирило", "", "58", d, b),
                                    dated])  # fmt: skip
    assert same(res, ("vol", 2), ("vol", 3))
    # 64 against 94: not one digit (a father, a namesake), apart
    res = reconcile(background() + [vol(2, "286", "Прокопчук Кирило", "", "64", d, b),
                                    again])  # fmt: skip
    assert not same(res, ("vol", 2), ("vol", 3))


def test_corrected_entry_written_in_latin_meets_its_cyrillic_row() -> None:
    # a corrected entry: the first row in Latin at the grave with the birth
    # year one off, the second in Cyrillic without a number; no death day on
    # either, the same burial day. Surname sound and given-name keys differ
    # between the scripts; the Latin surname key brings them together
    b = "21.05.2022"
    first = vol(2, "1725", "Melnichko Olga", "21.07.1931", "", "", b)
    again = vol(3, "", "Мельничко Ольга Мирославівна", "21.07.1930", "", "", b)
    res = reconcile(background() + [first, again])
    assert same(res, ("vol", 2), ("vol", 3))
    # a namesake born 1955: apart
    other = vol(3, "", "Мельничко Ольга Мирославівна", "21.07.1955", "", "", b)
    assert not same(reconcile(background() + [first, other]), ("vol", 2), ("vol", 3))


def test_reburial_without_a_note_with_the_patronymic_on_one_row() -> None:
    # a new grave (4278) without a note; the full birth date and the death day
    # on both rows, the patronymic on the first row only, a slip in the given
    # name: ``reburied_without_note`` with ``patronymic_on_one_row``
    d = "13.07.2022"
    first = vol(2, "2973", "Пономаренко Уялна Анатоліївна", "24.04.1970", "", d,
                "15.07.2022")  # fmt: skip
    again = vol(3, "4278", "Пономаренко Уляна", "24.04.1970", "", d, "24.07.2022")
    res = reconcile(background() + [first, again])
    assert same(res, ("vol", 2), ("vol", 3))
    link = next(k for k in res.links if k.rule == "reburied_without_note")
    assert {"full_identity", "patronymic_on_one_row"} <= set(link.evidence)
    # no patronymic on either row: a namesake of one birth date is not ruled
    # out by the name; apart
    bare = vol(2, "2973", "Пономаренко Уляна", "24.04.1970", "", d, "15.07.2022")
    assert not same(reconcile(background() + [bare, again]), ("vol", 2), ("vol", 3))


def test_a_name_one_slip_away_at_the_grave_is_no_one_else() -> None:
    # the funeral home writes the Russian spelling at grave 1879 (Долгий), the
    # volunteers' row there the Ukrainian one (Довгий) with the birth year one
    # off; the correction without a grave number has a slip in the surname.
    # The funeral home names this person at 1879, not someone else, so the
    # row at 1879 is not another grave's body (``misnamed``)
    b = "02.06.2022"
    home = fh(2, "1879", "Долгий", "Глеб", "Зиновьевич", "21.09.1975", "",
              "31.05.2022", b)  # fmt: skip
    first = vol(2, "1879", "Довгий Гліб Зиновійович", "21.09.1974", "46", "", b)
    again = vol(3, "", "Довигй Гліб Зиновійович", "1975-09-21", "", "", b)
    res = reconcile(background() + [home, first, again])
    assert same(res, ("vol", 2), ("vol", 3)) and same(res, ("fh", 2), ("vol", 2))
    # someone else at 1879 in the funeral home: the row may be that body
    other = fh(2, "1879", "Гордієнко", "Петр", "Ильич", "02.02.1950", "",
               "31.05.2022", b)  # fmt: skip
    assert not same(reconcile(background() + [other, first, again]), ("vol", 2),
                    ("vol", 3))  # fmt: skip


def test_one_person_written_three_times_in_one_journal() -> None:
    # the volunteers wrote a person at grave 84 twice (a repeated line) and
    # once more, corrected, without a grave number (no patronymic, the birth
    # year ten off): the third row fits both others, so "each the other's
    # only candidate" does not hold, but the three fit each other and no
    # other row (``only_group``)
    d, b = "14.04.2022", "15.04.2022"
    rows = [
        vol(2, "84", "Пономарчук Михайло Мар'янович", "07.03.1950", "", d, b),
        vol(3, "84", "Пономарчук Михайло Мар'янович", "", "72", d, b),
        vol(4, "", "Пономарчук Михайло", "7 березня 1940", "", "14/04/22", b),
    ]
    from linkage.tests.test_explain import assert_explained  # imports this module

    res = reconcile(background() + rows)
    assert same(res, ("vol", 2), ("vol", 4)) and same(res, ("vol", 3), ("vol", 4))
    assert any("only_group" in k.evidence for k in res.links)
    assert_explained(res)
    # a son of one name born in 1975 at grave 85 and a third row that fits
    # both: father and son do not fit each other, none is linked to the third
    son = vol(3, "85", "Пономарчук Михайло Мар'янович", "11.11.1975", "", d, b)
    third = vol(4, "", "Пономарчук Михайло Мар'янович", "", "", d, "20.04.2022")
    res = reconcile(background() + [rows[0], son, third])
    assert not same(res, ("vol", 2), ("vol", 4)) and not same(
        res, ("vol", 3), ("vol", 4)
    )


def test_entry_written_twice_with_two_surname_slips_through_the_other_journal() -> None:
    # the volunteers wrote the person twice, without a grave number and again at
    # the funeral home's grave after the reburial: each surname one slip from the
    # funeral home's ``Ревунич`` but two from each other; the given name, the
    # patronymic, the full birth date and the death day agree (#15 jrec5)
    d = "22.03.2022"
    home = fh(2, "399", "Ревунич", "Остап", "Остапович", "21.06.1939", "", d,
              "23.03.2022")  # fmt: skip
    first = vol(2, "", "Рзвунич Остап Остапович", "21.06.1939", "", d, "23.03.2022")
    again = vol(3, "399", "Ревуинч Остап Остапович", "21.06.1939", "", d, "03.04.2022")
    res = reconcile(background() + [home, first, noted(again, "перепоховано")])
    assert same(res, ("vol", 2), ("vol", 3)) and same(res, ("fh", 2), ("vol", 2))
    link = next(k for k in res.links if k.rule == "twice_through_other_journal")
    assert "surnames_through_other_row" in link.evidence
    # another given name on the row without a number (a relative): apart
    brother = vol(2, "", "Рзвунич Орест Остапович", "21.06.1939", "", d, "23.03.2022")
    res = reconcile(background() + [home, brother, noted(again, "перепоховано")])
    assert not same(res, ("vol", 2), ("vol", 3))


def test_entry_written_twice_with_the_same_age_and_a_birth_year_slip() -> None:
    # the row without a grave number writes the birth year ten years off
    # (1953 for 1963) next to the right age, 58; the corrected entry at the
    # funeral home's grave writes the age only: the same age on both rows
    d, b = "12.08.2022", "26.08.2022"
    home = fh(2, "3863", "Бориснюк", "Тарас", "", "04.11.1963", "", d, b)
    first = vol(2, "", "БОРИСНЮК ТАРАС СВЯТОСЛАВОВИЧ", "04.11.1953", "58", d, b)
    again = vol(3, "3863", "Бориснюк Траас Святославович", "", "58", d, b)
    res = reconcile(background() + [home, first, noted(again, "уточнено дані")])
    assert same(res, ("vol", 2), ("vol", 3)) and same(res, ("fh", 2), ("vol", 2))
    # another age on the corrected entry (48): two people
    older = vol(3, "3863", "Бориснюк Траас Святославович", "", "48", d, b)
    res = reconcile(background() + [home, first, noted(older, "уточнено дані")])
    assert not same(res, ("vol", 2), ("vol", 3))
