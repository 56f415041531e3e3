from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from imena.audit.models import AuditEntry
from imena.journals import services
from imena.journals.models import Journal, JournalImport, JournalRow
from imena.journals.tests.conftest import FUNERAL_HOME
from linkage.io import JournalFileError

pytestmark = pytest.mark.django_db


def _import(site, actor, path: Path, name: str = "Funeral home", **kwargs):
    journal = services.journal_get_or_create(actor=actor, site=site, name=name)
    return services.journal_import(
        actor=actor, journal=journal, path=path, filename=path.name, **kwargs
    )


def test_a_cp1251_file_is_detected_and_every_row_kept(
    site, examiner, funeral_home_file
):
    result = _import(site, examiner, funeral_home_file)
    imp = result.source_import
    assert result.created and imp.encoding == "cp1251" and imp.row_count == 4
    row = JournalRow.objects.get(source_import=imp, row_number=2)
    assert row.raw["Фамилия"] == "Шевченко" and row.raw["Имя"] == "Александр"
    assert row.surname == "Шевченко" and row.grave_number == "12"
    assert row.grave is not None and row.grave.marker_text == "№ 12"
    assert row.birth_date == "1950-03-12"
    assert imp.sha256 and len(imp.sha256) == 64 and imp.imported_by == examiner


def test_age_only_rows_keep_the_age_range(site, examiner, funeral_home_file):
    _import(site, examiner, funeral_home_file)
    row = JournalRow.objects.get(surname="Коваленко")
    assert (row.age_min, row.age_max) == (71, 71) and row.birth_date == ""


def test_a_utf8_bom_file_with_full_names_is_split(site, examiner, volunteers_file):
    result = _import(site, examiner, volunteers_file, name="Volunteers")
    assert result.source_import.encoding == "utf-8-sig"
    row = JournalRow.objects.get(source_import=result.source_import, row_number=2)
    assert (row.surname, row.given_name, row.patronymic) == (
        "Шевченко",
        "Олександр",
        "Миколайович",
    )


def test_bad_rows_are_kept_with_a_listed_problem(
    site, examiner, funeral_home_file, volunteers_file
):
    _import(site, examiner, funeral_home_file)
    no_grave = JournalRow.objects.get(surname="Мельник")
    assert any(p["code"] == "missing_grave_number" for p in no_grave.problems)
    _import(site, examiner, volunteers_file, name="Volunteers")
    bad_date = JournalRow.objects.get(surname="Ткаченко")
    assert any(p["code"] == "unparseable_date" for p in bad_date.problems)
    assert bad_date.raw["Дата народження"] == "32.13.1970"


def test_the_same_file_twice_adds_nothing(site, examiner, funeral_home_file):
    first = _import(site, examiner, funeral_home_file)
    second = _import(site, examiner, funeral_home_file)
    assert not second.created and second.source_import == first.source_import
    assert JournalRow.objects.count() == 4 and JournalImport.objects.count() == 1


def test_the_import_is_audited(site, examiner, funeral_home_file):
    result = _import(site, examiner, funeral_home_file)
    entry = AuditEntry.objects.get(action="journal.import")
    assert entry.after_data["sha256"] == result.source_import.sha256
    assert entry.after_data["rows"] == 4


def test_the_column_mapping_is_saved_per_journal(site, examiner, funeral_home_file):
    _import(site, examiner, funeral_home_file)
    journal = Journal.objects.get(name="Funeral home")
    assert journal.mapping["grave"] == "№ могилы"
    assert journal.mapping["surname"] == "Фамилия"


def test_an_explicit_mapping_overrides_the_guess(site, examiner, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("A,B,C\n12,Шевченко,Олександр\n", encoding="utf-8")
    _import(
        site, examiner, path, mapping={"grave": "A", "surname": "B", "given_name": "C"}
    )
    row = JournalRow.objects.get()
    assert row.grave_number == "12" and row.given_name == "Олександр"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02\xff\xfe\x00garbage", ""),
        ("Шевченко,Олександр,12\nКоваленко,Ганна,13\n".encode(), "header"),
    ],
)
def test_an_unreadable_file_stores_nothing(site, examiner, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(JournalFileError) as excinfo:
        _import(site, examiner, path)
    assert "bad.csv" in str(excinfo.value)
    assert message.lower() in str(excinfo.value).lower()
    assert JournalImport.objects.count() == 0 and JournalRow.objects.count() == 0


def test_a_file_over_the_limit_is_refused_before_reading(
    site, examiner, tmp_path, settings
):
    settings.IMENA_MAX_JOURNAL_BYTES = 100
    path = tmp_path / "big.csv"
    path.write_text("№ могили,Прізвище\n" + "12,Шевченко\n" * 50, encoding="utf-8")
    with pytest.raises(JournalFileError, match="over the limit"):
        _import(site, examiner, path)
    assert JournalRow.objects.count() == 0


def test_formula_cells_are_kept_verbatim_and_flagged(site, examiner, tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(
        '№ могили,Прізвище,Ім\'я\n12,=HYPERLINK("x"),Олена\n', encoding="utf-8"
    )
    _import(site, examiner, path)
    row = JournalRow.objects.get()
    assert row.raw["Прізвище"] == '=HYPERLINK("x")'
    assert any("formula" in p["code"] for p in row.problems)


def test_ragged_rows_are_flagged(site, examiner, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(
        "№ могили,Прізвище,Ім'я\n12,Шевченко,Олена,extra,more\n13,Коваленко\n",
        encoding="utf-8",
    )
    _import(site, examiner, path)
    codes = [
        p["code"]
        for row in JournalRow.objects.order_by("row_number")
        for p in row.problems
    ]
    assert any("ragged" in c or "cells" in c for c in codes)


def test_xlsx_is_read(site, examiner, tmp_path):
    # openpyxl is heavy and only needed for XLSX files; imported on use.
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["№ могили", "Прізвище", "Ім'я", "По батькові"])
    ws.append([12, "Шевченко", "Олександр", "Миколайович"])
    path = tmp_path / "j.xlsx"
    wb.save(path)
    result = _import(site, examiner, path)
    assert result.source_import.format == "xlsx"
    assert JournalRow.objects.get().grave_number == "12"


def test_the_cli_imports_and_reports_a_reimport(site, funeral_home_file, capsys):
    call_command(
        "import",
        "journal",
        str(funeral_home_file),
        "--site",
        "izm",
        "--journal",
        "Funeral home",
        "--no-progress",
    )
    assert "4 rows imported" in capsys.readouterr().out
    call_command(
        "import",
        "journal",
        str(funeral_home_file),
        "--site",
        "izm",
        "--journal",
        "Funeral home",
        "--no-progress",
    )
    assert "already imported" in capsys.readouterr().out


def test_the_cli_names_an_unknown_site(funeral_home_file, db):
    with pytest.raises(CommandError, match="no site"):
        call_command(
            "import",
            "journal",
            str(funeral_home_file),
            "--site",
            "nowhere",
            "--journal",
            "x",
        )


def test_a_nul_byte_is_refused_naming_the_row_and_nothing_is_stored(
    site, tmp_path, capsys
) -> None:

    text = FUNERAL_HOME.replace("Коваленко", "Ковал\x00енко")
    path = tmp_path / "nul.csv"
    path.write_bytes(text.encode("utf-8"))
    with pytest.raises(CommandError, match=r"nul.csv, row 3, column '3': a NUL"):
        call_command(
            "import", "journal", str(path), "--site", "izm",
            "--journal", "New journal", "--no-progress",
        )  # fmt: skip
    assert not Journal.objects.filter(name="New journal").exists()
    assert not JournalRow.objects.exists()
