from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from linkage.io import (
    JournalFileError,
    decode_bytes,
    guess_mapping,
    read_journal,
    read_journal_bytes,
)

FH_HEADER = (
    "№ п/п;№ могилы;Фамилия;Имя;Отчество;Дата рождения;Возраст;Дата смерти;"
    "Дата захоронения;Причина смерти;Кто доставил;Примечание"
)
VOL_HEADER = (
    "№,Номер могили,ПІБ,Дата народження,Вік,Дата смерті,Дата поховання,"
    "Причина смерті,Хто привіз,Примітки"
)


def _codes(row) -> set[str]:  # type: ignore[no-untyped-def]
    return {p.code for p in row.problems}


def test_funeral_home_cp1251(tmp_path: Path) -> None:
    text = (
        FH_HEADER
        + "\r\n"
        + (
            "1;№ 12а;Шевченко;Иван;Петрович;12.03.1950;72;01.04.2022;05.04.2022;"
            'осколочное;соседи;=HYPERLINK("x")\r\n'
            "2;БН;Н/у мужчина;;;;;апрель 2022;06.04.2022;;;\r\n"
            "3;;Коваль;Анна;;32.01.1950;;;;;\r\n"
            "4;13;Коваль\r\n"
        )
    )
    p = tmp_path / "funeral_home.csv"
    p.write_bytes(text.encode("cp1251"))
    j = read_journal(p)
    assert (j.format, j.encoding, j.delimiter) == ("csv", "cp1251", ";")
    assert j.sha256 == hashlib.sha256(p.read_bytes()).hexdigest()
    assert j.mapping["grave"] == "№ могилы" and j.mapping["row_id"] == "№ п/п"
    r1, r2, r3, r4 = j.rows
    assert r1.row_number == 2 and r1.grave_key == "12а"
    assert (r1.surname, r1.given_name, r1.patronymic) == (
        "Шевченко",
        "Иван",
        "Петрович",
    )
    assert r1.birth_date and r1.birth_date.iso() == "1950-03-12"
    assert "formula_like" in _codes(r1)
    assert j.raw_rows[0].cells["Примечание"] == '=HYPERLINK("x")'  # verbatim
    assert {"unnumbered_grave", "unknown_person"} <= _codes(r2)
    assert r2.surname == "" and r2.death_date and r2.death_date.precision == "month"
    assert {"missing_grave_number", "unparseable_date"} <= _codes(r3)
    assert "ragged_row" in _codes(r4)


def test_volunteers_utf8_bom(tmp_path: Path) -> None:
    text = (
        VOL_HEADER
        + "\n1,№ 7,Іван Петрович Шевченко,1950-03-12,,1.4.22,5 квітня 2022,,,\n"
    )
    p = tmp_path / "volunteers.csv"
    p.write_bytes("\ufeff".encode() + text.encode("utf-8"))
    j = read_journal(p)
    assert (j.encoding, j.delimiter) == ("utf-8-sig", ",")
    r = j.rows[0]
    assert j.mapping["full_name"] == "ПІБ"
    assert (r.surname, r.given_name, r.patronymic, r.name_swapped) == (
        "Шевченко", "Іван", "Петрович", True,
    )  # fmt: skip
    assert r.burial_date and r.burial_date.iso() == "2022-04-05"
    assert r.grave_key == "7"


def test_plain_utf8_and_english_headers() -> None:
    data = "Grave,Surname,Given name,Patronymic,Date of birth,Age,Date of death\n5,Shevchenko,Ivan,,1950,,\n"
    j = read_journal_bytes(data.encode(), "x.csv")
    assert j.encoding == "utf-8"
    assert set(j.mapping) >= {"grave", "surname", "given_name", "birth_date", "age"}


def test_headerless_file_is_clear_error() -> None:
    with pytest.raises(JournalFileError) as e:
        read_journal_bytes(b"1;12;Shevchenko\n2;13;Koval\n", "j.csv")
    assert "j.csv" in str(e.value) and "no header" in str(e.value)
    assert e.value.row == 1


def test_preamble_rows_skipped() -> None:
    data = "Журнал поховань\n\nНомер могили,ПІБ\n1,Шевченко Іван\n".encode()
    j = read_journal_bytes(data, "j.csv")
    assert j.header_row == 3 and j.rows[0].row_number == 4
    assert any(p.code == "preamble_rows" for p in j.problems)


def test_mapping_override() -> None:
    data = "A,B\n12,Шевченко Іван\n".encode()
    with pytest.raises(JournalFileError):
        read_journal_bytes(data, "j.csv")
    j = read_journal_bytes(data, "j.csv", mapping={"grave": "A", "full_name": "B"})
    assert j.rows[0].grave_key == "12" and j.rows[0].surname == "Шевченко"


def test_size_limit() -> None:
    with pytest.raises(JournalFileError, match="over the limit"):
        read_journal_bytes(b"x" * 100, "big.csv", max_bytes=10)


def test_undecodable_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(JournalFileError, match="cannot open"):
        read_journal(tmp_path / "nope.csv")
    with pytest.raises(JournalFileError):
        decode_bytes(b"\x98\x98\x98", "bad.csv")


def test_guess_mapping_languages() -> None:
    m = guess_mapping(["№ могилы", "ФИО", "Возраст", "Дата смерти", "Кто доставил"])
    assert m == {"grave": "№ могилы", "full_name": "ФИО", "age": "Возраст",
                 "death_date": "Дата смерти", "brought_by": "Кто доставил"}  # fmt: skip
    m = guess_mapping(["Номер", "Прізвище", "Ім'я", "По батькові", "Дата поховання"])
    assert m == {"grave": "Номер", "surname": "Прізвище", "given_name": "Ім'я",
                 "patronymic": "По батькові", "burial_date": "Дата поховання"}  # fmt: skip


def test_xlsx_formulas_and_merged_cells(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.worksheets[0]
    ws.append(["Номер могили", "Прізвище", "Ім'я", "Дата поховання"])
    ws.append([1, "Шевченко", "Іван", "05.04.2022"])
    ws.append(["=A2+1", "Коваль", "Анна", None])
    ws.merge_cells("D2:D3")
    p = tmp_path / "j.xlsx"
    wb.save(p)  # openpyxl writes no cached values: formula text is kept
    j = read_journal(p)
    assert j.format == "xlsx"
    r1, r2 = j.rows
    assert r1.grave_key == "1"
    assert "formula_no_cached_value" in _codes(r2)
    assert j.raw_rows[1].cells["Номер могили"] == "=A2+1"
    assert "merged_cell_filled" in _codes(r2)
    assert r2.burial_date and r2.burial_date.iso() == "2022-04-05"


def test_not_an_xlsx() -> None:
    with pytest.raises(JournalFileError, match="XLSX"):
        read_journal_bytes(b"PK\x03\x04garbage", "j.xlsx")


def test_age_in_the_notes_when_the_journal_has_no_age_column(tmp_path: Path) -> None:
    text = (
        "№ п/п;№ могилы;Фамилия;Имя;Отчество;Дата смерти;Примечание\r\n"
        "1;259;Неопознанный;;;13.03.2022;~50 лет\r\n"
        "2;260;Бондар;Петр;;14.03.2022;обстрел 12.03\r\n"
    )
    p = tmp_path / "funeral.csv"
    p.write_bytes(text.encode("cp1251"))
    r1, r2 = read_journal(p).rows
    assert r1.age == (50, 50) and r2.age is None


def test_grave_number_written_with_a_dot(tmp_path: Path) -> None:
    p = tmp_path / "volunteers.csv"
    p.write_text("№ могили,ПІБ,Вік\n259.,Невідомий,~50\n", encoding="utf-8")
    (r,) = read_journal(p).rows
    assert r.grave_key == "259" and "unparseable_grave_number" not in _codes(r)
