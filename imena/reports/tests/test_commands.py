from __future__ import annotations

import json

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from imena.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fmt", ["pdf", "json", "csv", "xlsx", "geojson", "gpkg"])
def test_report_site_writes_each_format_and_audits_it_with_the_os_user(
    tmp_path, site, fmt, capsys
) -> None:
    out = tmp_path / f"report.{fmt}"
    call_command("report", "site", "izm", "--format", fmt, "--out", str(out))
    assert out.stat().st_size > 0
    assert "sha256" in capsys.readouterr().out
    entry = AuditEntry.objects.filter(action="report.export").latest("seq")
    assert entry.actor is None and entry.actor_name == "system"
    assert entry.after_data["via"] == "cli" and entry.after_data["os_user"]
    assert entry.after_data["format"] == fmt
    if fmt == "xlsx":
        assert openpyxl.load_workbook(out).active.max_row == 16  # type: ignore[union-attr]
    if fmt == "geojson":
        assert json.loads(out.read_text())["type"] == "FeatureCollection"
    if fmt == "gpkg":
        assert out.read_bytes()[68:72] == b"GPKG"  # the SQLite application_id


def test_report_site_accepts_the_numeric_id(tmp_path, site) -> None:
    out = tmp_path / "g.csv"
    call_command("report", "site", str(site.pk), "--format", "csv", "--out", str(out))
    assert "Братська могила" in out.read_text(encoding="utf-8-sig")


def test_report_as_a_user_without_the_export_right_is_refused(
    tmp_path, users, site
) -> None:
    out = tmp_path / "x.csv"
    with pytest.raises(CommandError, match="may not export"):
        call_command(
            "report",
            "site",
            "izm",
            "--format",
            "csv",
            "--out",
            str(out),
            "--as",
            "family_liaison",
        )
    assert not out.exists()


def test_report_as_an_outsider_is_refused(tmp_path, outsider, site) -> None:
    with pytest.raises(CommandError, match="may not see site"):
        call_command(
            "report",
            "site",
            "izm",
            "--format",
            "csv",
            "--out",
            str(tmp_path / "x.csv"),
            "--as",
            "outsider",
        )


def test_report_as_a_user_is_audited_as_that_user(tmp_path, investigator, site) -> None:
    call_command(
        "report",
        "site",
        "izm",
        "--format",
        "csv",
        "--out",
        str(tmp_path / "x.csv"),
        "--as",
        "investigator",
    )
    entry = AuditEntry.objects.filter(action="report.export").latest("seq")
    assert entry.actor == investigator


def test_an_unknown_site_is_a_one_line_error(tmp_path, site) -> None:
    with pytest.raises(CommandError, match="no site with code or id 'nope'"):
        call_command(
            "report",
            "site",
            "nope",
            "--format",
            "pdf",
            "--out",
            str(tmp_path / "x.pdf"),
        )
