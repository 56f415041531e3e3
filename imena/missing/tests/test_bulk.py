"""Bulk import of reports (CSV/XLSX with a mapping): all or nothing, audited per
batch with each record's SHA-256, duplicates proposed by record linkage."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from imena.audit.models import AuditEntry
from imena.audit.services import audit_batch_check, audit_verify
from imena.dna.bulk import ProfileRow, dna_profiles_bulk_create
from imena.dna.models import DNAProfile
from imena.lib.bulk import BulkRowError
from imena.missing.bulk import ReportRow, missing_persons_bulk_create
from imena.missing.models import MissingPerson, NameKey, PedigreeMember
from imena.missing.tabular import import_reports

HEADER = "case_no;family_name;given_names;patronymic;sex;date_of_birth;reporter_name"
GOOD = [
    "AM-90001;Коваленко;Марія;Петрівна;female;1961-04-02;Коваленко Олег",
    "AM-90002;Бондар;Іван;Сергійович;male;1988;Бондар Ганна",
    # The first person again, from another organisation, with fewer details.
    "AM-90003;Коваленко;Марія;;female;1961;Центр розшуку",
]


def _csv(*lines: str) -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode()


@pytest.mark.django_db
def test_reports_are_stored_audited_per_batch_and_duplicates_proposed(
    org, liaison
) -> None:
    result = import_reports(
        actor=liaison, organisation=org, data=_csv(*GOOD), filename="r.csv"
    )
    assert [p.case_no for p in result.persons] == ["AM-90001", "AM-90002", "AM-90003"]
    assert MissingPerson.objects.filter(organisation=org).count() == 3
    assert PedigreeMember.objects.filter(is_missing=True).count() == 3
    assert NameKey.objects.filter(person__case_no="AM-90002").exists()
    first = MissingPerson.objects.get(case_no="AM-90001")
    assert (first.birth_year, first.birth_month, first.birth_day) == (1961, 4, 2)
    assert first.family_name_latin  # derived like a report filed by hand
    pairs = {(a.case_no, b.case_no) for a, b in result.duplicates}
    assert ("AM-90001", "AM-90003") in pairs or ("AM-90003", "AM-90001") in pairs
    assert all("AM-90002" not in pair for pair in pairs)
    batch = AuditEntry.objects.get(action="missing.import_batch")
    assert set(batch.after_data["records"]) == {str(p.pk) for p in result.persons}
    assert audit_batch_check(batch) == []
    assert audit_verify().ok
    summary = AuditEntry.objects.get(action="missing.import_reports")
    assert summary.after_data["reports"] == 3


@pytest.mark.django_db
def test_batches_of_a_large_import_each_get_an_entry(org, liaison) -> None:

    rows = [
        ReportRow(
            row=f"row {k}",
            fields={
                "family_name": "Шевчук",
                "given_names": f"Тест{k}",
                "reporter_name": "x",
            },
        )
        for k in range(25)
    ]
    result = missing_persons_bulk_create(
        actor=liaison, organisation=org, rows=rows, batch_size=10
    )
    assert result.audit_entries == 3
    entries = AuditEntry.objects.filter(action="missing.bulk_create")
    assert sorted(e.after_data["count"] for e in entries) == [5, 10, 10]
    assert len({p.case_no for p in result.persons}) == 25


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("bad", "says"),
    [
        ("AM-90004;Шевченко;;Іванович;male;1970;Шевченко Ірина", "given_names"),
        ("AM-90004;Шевченко;Іван;;martian;1970;Шевченко Ірина", "sex"),
        ("AM-90004;Шевченко;Іван;;male;19.13.1970;Шевченко Ірина", "birth_month"),
        ("AM-90004;Шевченко;Іван;;male;19-13;Шевченко Ірина", "date_of_birth"),
        ("AM-90001;Шевченко;Іван;;male;1970;Шевченко Ірина", "AM-90001"),
    ],
)
def test_a_bad_row_stores_nothing_and_names_the_row(org, liaison, bad, says) -> None:
    entries = AuditEntry.objects.count()
    with pytest.raises(BulkRowError) as caught:
        import_reports(
            actor=liaison, organisation=org, data=_csv(*GOOD, bad), filename="r.csv"
        )
    # Header is row 1, so the fourth data row is spreadsheet row 5.
    assert caught.value.row == "r.csv, row 5"
    assert says in str(caught.value) and "Nothing was stored" in str(caught.value)
    assert not MissingPerson.objects.exists()
    assert not PedigreeMember.objects.exists()
    assert AuditEntry.objects.count() == entries


@pytest.mark.django_db
def test_xlsx_with_a_column_mapping(org, liaison, tmp_path: Path) -> None:
    # openpyxl is heavy and only needed for XLSX files; imported on use.
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Прізвище", "Ім'я", "Стать", "Хто повідомив", "Зріст"])  # type: ignore[union-attr]
    ws.append(["Мельник", "Олена", "female", "Мельник Петро", 164])  # type: ignore[union-attr]
    buf = io.BytesIO()
    wb.save(buf)
    mapping = {
        "family_name": "Прізвище",
        "given_names": "Ім'я",
        "sex": "Стать",
        "reporter_name": "Хто повідомив",
        "stature_cm": "Зріст",
    }
    result = import_reports(
        actor=liaison,
        organisation=org,
        data=buf.getvalue(),
        filename="r.xlsx",
        mapping=mapping,
    )
    (person,) = result.persons
    assert (person.family_name, person.sex, person.stature_cm) == (
        "Мельник",
        "female",
        164,
    )
    assert person.case_no.startswith("AM-")


@pytest.mark.django_db
def test_the_command_imports_and_names_a_bad_row(org, tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_bytes(_csv(*GOOD))
    out = io.StringIO()
    call_command(
        "missing",
        "import-reports",
        str(good),
        "--organisation",
        org.code,
        "--no-progress",
        stdout=out,
    )
    assert "Imported 3 reports from good.csv" in out.getvalue()
    assert "possible duplicate: AM-90001 ~ AM-90003" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_bytes("Surname,Given\nПетренко,\n".encode())  # no given name, no reporter
    with pytest.raises(CommandError, match=r"bad.csv, row 2: .*given_names"):
        call_command(
            "missing",
            "import-reports",
            str(bad),
            "--organisation",
            org.code,
            "--mapping",
            json.dumps({"family_name": "Surname", "given_names": "Given"}),
            "--no-progress",
        )
    assert MissingPerson.objects.count() == 3


@pytest.mark.django_db
def test_bulk_profiles_all_or_nothing(org, analyst) -> None:
    good = {"D3S1358": ["15", "16"], "vWA": ["17", "17"]}
    rows = [
        ProfileRow(row="profile 1 (S1)", label="S1", genotypes=good),
        ProfileRow(
            row="profile 2 (S2)", label="S2", genotypes={"TH01": ["6", "7", "8"]}
        ),
    ]
    with pytest.raises(BulkRowError) as caught:
        dna_profiles_bulk_create(
            actor=analyst, organisation=org, kind="reference", rows=rows
        )
    assert caught.value.row == "profile 2 (S2)"
    assert not DNAProfile.objects.exists()
    stored = dna_profiles_bulk_create(
        actor=analyst, organisation=org, kind="reference", rows=rows[:1]
    )
    assert [p.genotypes for p in stored.profiles] == [good]
    entry = AuditEntry.objects.get(action="dna.profile.bulk_create")
    assert audit_batch_check(entry) == []
