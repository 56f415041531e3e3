"""`imena odk import-export`: Kobo/Central exports become drafts, safely."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.management import CommandError, call_command

from imena.odk.importer import ImportError_, read_rows
from imena.odk.models import Attachment, Submission
from imena.odk.tests.factories import real_jpeg

pytestmark = pytest.mark.django_db
HEADER = "marker_text,site,location,marker_photo,grave_marker,kind,meta/instanceID\n"


def export(tmp_path, rows: str):
    path = tmp_path / "export.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def run(*args) -> str:
    out = io.StringIO()
    call_command("odk", *args, stdout=out)
    return out.getvalue()


def test_rows_and_media_become_drafts(tmp_path, recorder, published, site) -> None:
    path = export(
        tmp_path, "№ 5,izium-forest,49.1 37.2 0 0,p1.jpg,cross,individual,u-1\n"
    )
    media = tmp_path / "media.zip"
    with zipfile.ZipFile(media, "w") as z:
        z.writestr("attachments/u-1/p1.jpg", real_jpeg())
    out = run(
        "import-export",
        "imena_grave_registration",
        str(path),
        "--media",
        str(media),
        "--user",
        recorder.username,
    )
    assert "drafts created: 1" in out
    draft = Submission.objects.get()
    assert (draft.source, draft.instance_id) == ("import", "uuid:u-1")
    assert Attachment.objects.get().filename == "p1.jpg"
    again = run(
        "import-export",
        "imena_grave_registration",
        str(path),
        "--user",
        recorder.username,
    )
    assert "duplicates: 1" in again and Submission.objects.count() == 1


def test_a_bad_row_is_named(tmp_path, recorder, published, site) -> None:
    path = export(
        tmp_path, "№ 5,izium-forest,49.1 37.2 0 0,,tombstone,individual,u-2\n"
    )
    with pytest.raises(CommandError, match="no row could be imported"):
        run(
            "import-export",
            "imena_grave_registration",
            str(path),
            "--user",
            recorder.username,
        )
    assert not Submission.objects.exists()


def test_zip_slip_names_are_reduced_to_base_names(
    tmp_path, recorder, published, site
) -> None:
    path = export(
        tmp_path, "№ 5,izium-forest,49.1 37.2 0 0,p1.jpg,cross,individual,u-3\n"
    )
    media = tmp_path / "media.zip"
    with zipfile.ZipFile(media, "w") as z:
        z.writestr("../../../../tmp/p1.jpg", real_jpeg())
    run(
        "import-export",
        "imena_grave_registration",
        str(path),
        "--media",
        str(media),
        "--user",
        recorder.username,
    )
    assert Attachment.objects.get().filename == "p1.jpg"
    assert not (tmp_path.parent / "p1.jpg").exists()


def test_a_zip_bomb_member_is_refused(
    tmp_path, recorder, published, site, settings
) -> None:
    settings.IMENA_MAX_SUBMISSION_BYTES = 10_000
    path = export(
        tmp_path, "№ 5,izium-forest,49.1 37.2 0 0,p1.jpg,cross,individual,u-4\n"
    )
    media = tmp_path / "media.zip"
    with zipfile.ZipFile(media, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("p1.jpg", b"\0" * 5_000_000)
    with pytest.raises(CommandError, match="larger than 10000 bytes"):
        run(
            "import-export",
            "imena_grave_registration",
            str(path),
            "--media",
            str(media),
            "--user",
            recorder.username,
        )
    assert not Submission.objects.exists()


def test_an_unknown_form_is_one_line(tmp_path, recorder, published) -> None:
    path = export(tmp_path, "")
    with pytest.raises(CommandError, match="unknown form nope"):
        run("import-export", "nope", str(path), "--user", recorder.username)


def test_check_forms_reports_no_drift(published) -> None:
    assert "no drift" in run("check-forms")


def test_xlsx_export_is_read_streamed_and_bounded(tmp_path) -> None:
    # openpyxl is heavy and only needed for XLSX files; imported on use.
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["meta/instanceID", "grave"])  # type: ignore[union-attr]
    wb.active.append(["uuid:1", "7"])  # type: ignore[union-attr]
    wb.active["XFD9"] = "x"  # type: ignore[index]  # one far cell: refused, never padded
    p = tmp_path / "export.xlsx"
    wb.save(p)
    with pytest.raises(ImportError_, match="limit of 512 columns"):
        read_rows(p)
    del wb.active["XFD9"]  # type: ignore[union-attr]
    wb.active.delete_rows(9)  # type: ignore[union-attr]
    wb.save(p)
    assert read_rows(p) == [{"meta/instanceID": "uuid:1", "grave": "7"}]


CENTRAL_HEADER = (
    "SubmissionDate,marker_text,site,location-Latitude,location-Longitude,"
    "location-Altitude,location-Accuracy,marker_photo,grave_marker,kind,"
    "meta-instanceID,KEY,SubmitterID,SubmitterName,AttachmentsPresent,"
    "AttachmentsExpected,Status,ReviewState,DeviceID,Edits,FormVersion\n"
)


def test_a_central_export_with_a_split_geopoint_imports(
    tmp_path, recorder, published, site
) -> None:
    """#22 item 2: Central splits ``location`` into four columns."""
    path = tmp_path / "central.csv"
    path.write_text(
        CENTRAL_HEADER
        + "2022-09-20T10:00:00.000Z,№ 7,izium-forest,49.21,37.25,101.5,4.2,p7.jpg,"
        "cross,individual,uuid:c-1,uuid:c-1,5,recorder,0,0,,,,0,2022090100\n",
        encoding="utf-8",
    )
    media = tmp_path / "media.zip"
    with zipfile.ZipFile(media, "w") as z:
        z.writestr("attachments/c-1/p7.jpg", real_jpeg())
    out = run(
        "import-export", "imena_grave_registration", str(path),
        "--media", str(media), "--user", recorder.username,
    )  # fmt: skip
    assert "drafts created: 1" in out, out
    data = Submission.objects.get().data
    assert "49.21 37.25 101.5 4.2" in str(data), data
