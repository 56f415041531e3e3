from __future__ import annotations

import pytest

from linkage.normalize import (
    PartialDate,
    age_from_note,
    birth_year_range_from_age,
    canonical_name,
    fix_mixed_script,
    grave_numbers_transposed,
    is_patronymic,
    is_unknown_name,
    latin_key,
    nfc,
    parse_age,
    parse_date,
    parse_grave_number,
    phonetic_key,
    split_full_name,
    unify_apostrophes,
    xlang_key,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Й", "Й"),  # И + combining breve -> Й (uk and ru)
        ("ї", "ї"),  # і + combining diaeresis (uk)
        ("Алёна", "Алёна"),  # е + combining diaeresis (ru)
    ],
)
def test_nfc(raw: str, expected: str) -> None:
    assert nfc(raw) == expected


@pytest.mark.parametrize(
    "raw", ["Мар'ян", "Мар’ян", "Мар`ян", "Мар′ян", "Марʼян", "Д'яченко", "Дʼяченко"]
)
def test_apostrophes(raw: str) -> None:
    assert "ʼ" in unify_apostrophes(raw)
    assert not any(ch in unify_apostrophes(raw) for ch in "'’`′")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Шeвчeнкo", "Шевченко"),  # uk, Latin e/o
        ("Iван", "Іван"),  # uk, Latin I
        ("Сepгей", "Сергей"),  # ru, Latin e/p
        ("Kовaль", "Коваль"),  # Latin K, a
        ("Mихайло Tкачук", "Михайло Ткачук"),
        ("Shevchenko", "Shevchenko"),  # Latin word stays Latin
        ("Shevсhenko", "Shevchenko"),  # Cyrillic с inside Latin word
    ],
)
def test_mixed_script(raw: str, expected: str) -> None:
    assert fix_mixed_script(raw) == expected


@pytest.mark.parametrize(
    ("a", "b", "kind"),
    [
        ("Олександр", "Александр", "first"),
        ("Сергій", "Сергей", "first"),
        ("Микола", "Николай", "first"),
        ("Ганна", "Анна", "first"),
        ("Наталія", "Наталья", "first"),
        ("Олександрович", "Александрович", "patronymic"),
        ("Сергіївна", "Сергеевна", "patronymic"),
        ("Шевченко", "Шевченко", "last"),
        ("Ковальський", "Ковальский", "last"),
        ("Кравчська", "Кравчская", "last"),
        ("Глухий", "Глухой", "last"),
        ("Білик", "Билик", "last"),
        ("Рибак", "Рыбак", "last"),
        ("ШЕВЧЕНКО", "шевченко", "last"),
    ],
)
def test_uk_ru_equivalents(a: str, b: str, kind: str) -> None:
    assert xlang_key(a, kind) == xlang_key(b, kind)


@pytest.mark.parametrize(
    ("a", "b", "kind"),
    [("Олександр", "Сергей", "first"), ("Шевченко", "Шевчук", "last")],
)
def test_uk_ru_different(a: str, b: str, kind: str) -> None:
    assert xlang_key(a, kind) != xlang_key(b, kind)


@pytest.mark.parametrize(
    ("cyr", "lat"),
    [
        ("Олександр", "Oleksandr"),
        ("Шевченко", "Shevchenko"),
        ("Юлія", "Yuliia"),
        ("Щербак", "Shcherbak"),
        ("Жанна", "Zhanna"),
    ],
)
def test_latin_key(cyr: str, lat: str) -> None:
    assert latin_key(cyr) == latin_key(lat)


@pytest.mark.parametrize(
    ("a", "b"),
    [("Шевченко", "Шефченко"), ("Шевченко", "Шевчэнко"), ("Гнатюк", "Хнатюк")],
)
def test_phonetic(a: str, b: str) -> None:
    assert phonetic_key(a) == phonetic_key(b)


@pytest.mark.parametrize(
    ("full", "parts", "swapped"),
    [
        ("Шевченко Іван Петрович", ("Шевченко", "Іван", "Петрович"), False),
        ("Іван Петрович Шевченко", ("Шевченко", "Іван", "Петрович"), True),
        ("Иванов Сергей Николаевич", ("Иванов", "Сергей", "Николаевич"), False),
        ("Сергей Николаевич Иванов", ("Иванов", "Сергей", "Николаевич"), True),
        ("Коваль Ганна Іванівна", ("Коваль", "Ганна", "Іванівна"), False),
        ("Олена Коваль", ("Коваль", "Олена", ""), True),
        ("Лукко Вадим Лукич", ("Лукко", "Вадим", "Лукич"), False),
        ("Шевченко І.П.", ("Шевченко", "І", "П"), False),
        ("Oleksandr Shevchenko", ("Shevchenko", "Oleksandr", ""), True),
    ],
)
def test_split_full_name(full: str, parts: tuple[str, str, str], swapped: bool) -> None:
    n = split_full_name(full)
    assert (n.surname, n.given, n.patronymic) == parts
    assert n.swapped is swapped


@pytest.mark.parametrize(
    ("word", "yes"),
    [("Петрович", True), ("Петрівна", True), ("Сергеевна", True), ("Ильинична", True),
     ("Андріївна", True), ("Шевченко", False), ("Бабич", False)],
)  # fmt: skip
def test_is_patronymic(word: str, yes: bool) -> None:
    assert is_patronymic(word) is yes


@pytest.mark.parametrize(
    ("text", "yes"),
    [("невідомий", True), ("н/в жінка", True), ("Н/у мужчина", True),
     ("неизвестный военный", True), ("Невідома", True), ("Шевченко", False),
     ("Жінка Олена", False)],
)  # fmt: skip
def test_unknown_name(text: str, yes: bool) -> None:
    assert is_unknown_name(text) is yes


def test_canonical_name() -> None:
    assert canonical_name("  ОЛЕКСАНДР   Д'ЯЧЕНКО ") == "олександр дʼяченко"
    assert canonical_name("Алёна") == canonical_name("Алена")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12.03.2022", PartialDate(2022, 3, 12)),
        ("12/03/22", PartialDate(2022, 3, 12)),
        ("2.3.22", PartialDate(2022, 3, 2)),
        ("2022-03-12", PartialDate(2022, 3, 12)),
        ("12 березня 2022", PartialDate(2022, 3, 12)),
        ("12 березня 2022 р.", PartialDate(2022, 3, 12)),
        ("12 марта 2022", PartialDate(2022, 3, 12)),
        ("12 марта 2022 г.", PartialDate(2022, 3, 12)),
        ("березень 2022", PartialDate(2022, 3)),
        ("март 2022", PartialDate(2022, 3)),
        ("03.2022", PartialDate(2022, 3)),
        ("1950", PartialDate(1950)),
    ],
)
def test_parse_date(raw: str, expected: PartialDate) -> None:
    assert parse_date(raw) == expected


def test_two_digit_year_pivot() -> None:
    assert parse_date("15/10/29", pivot=22) == PartialDate(1929, 10, 15)
    assert parse_date("15/10/20", pivot=22) == PartialDate(2020, 10, 15)


@pytest.mark.parametrize("raw", ["31.02.2022", "вчора", "12.13.2022", "", "1.2.3.4"])
def test_parse_date_bad(raw: str) -> None:
    assert parse_date(raw) is None


def test_partial_date_precision() -> None:
    assert PartialDate(2022, 3, 12).precision == "day"
    assert PartialDate(2022, 3).precision == "month"
    assert PartialDate(2022).last_day().isoformat() == "2022-12-31"
    assert PartialDate(2022, 2).last_day().isoformat() == "2022-02-28"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("45", (45, 45)), ("45 лет", (45, 45)), ("45 років", (45, 45)),
     ("45 р.", (45, 45)), ("45-50", (45, 50)), ("3 міс.", (0, 0)),
     ("3 мес", (0, 0)), ("40+", (40, 49)), ("abc", None)],
)  # fmt: skip
def test_parse_age(raw: str, expected: tuple[int, int] | None) -> None:
    assert parse_age(raw) == expected


def test_birth_year_range_from_age() -> None:
    assert birth_year_range_from_age(45, PartialDate(2022, 4, 1)) == (1976, 1977)
    assert birth_year_range_from_age((40, 49), PartialDate(2022)) == (1972, 1982)


@pytest.mark.parametrize(
    ("raw", "key"),
    [("12", "12"), ("№12", "12"), ("№ 12", "12"), ("12а", "12а"), ("12-a", "12а"),
     ("12 A", "12а"), ("12/2", "12/2"), ("123/2", "123/2"), ("могила 7", "7"),
     ("БМ-1", "бм1"), ("БМ №1", "бм1"), ("братська 1", "бм1"),
     ("Братская могила №3", "бм3"), ("214.", "214"), ("57а.", "57а")],
)  # fmt: skip
def test_grave_numbers(raw: str, key: str) -> None:
    g = parse_grave_number(raw)
    assert g is not None and g.key == key


@pytest.mark.parametrize("raw", ["БН", "б/н", "Б/Н", "без номера", "", "н/д", "?"])
def test_grave_unnumbered(raw: str) -> None:
    assert parse_grave_number(raw) is None


@pytest.mark.parametrize(
    ("a", "b", "yes"),
    [("123", "132", True), ("12", "21", True), ("12а", "21а", True),
     ("123", "321", False), ("12", "12", False), ("12а", "21", False),
     ("123", "124", False)],
)  # fmt: skip
def test_transposed(a: str, b: str, yes: bool) -> None:
    assert grave_numbers_transposed(a, b) is yes


@pytest.mark.parametrize(
    ("note", "age"),
    [("~50 лет", (50, 50)), ("~55", (55, 55)), ("вік 45", (45, 45)),
     ("прибл. 40 років", (40, 40)), ("~ 45 лет, в форме", (45, 45)),
     ("1979 г.р.", None), ("~12.03", None), ("ул. Шевченко 12", None),
     ("тело 3 дня", None), ("~40 лет или ~50 лет", None), ("", None)],
)  # fmt: skip
def test_age_from_note(note: str, age: tuple[int, int] | None) -> None:
    assert age_from_note(note) == age
