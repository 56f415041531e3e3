from __future__ import annotations

import shutil
import subprocess
from collections import Counter

import pytest
from django.urls import reverse

from imena.audit.services import audit_head_hash

pytestmark = pytest.mark.django_db


def pdf_of(client, site) -> bytes:
    response = client.get(
        reverse("reports:site_export", args=[site.pk, "summary", "pdf"])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


def test_the_summary_pdf_renders_with_cyrillic_text(
    client, investigator, site, tmp_path
) -> None:
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    head = audit_head_hash()
    client.force_login(investigator)
    pdf = tmp_path / "summary.pdf"
    pdf.write_bytes(pdf_of(client, site))
    assert pdf.read_bytes().startswith(b"%PDF")
    assert b"FontFile2" in pdf.read_bytes()  # the TrueType font is embedded
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "40",
            "-f",
            "1",
            "-l",
            "1",
            str(pdf),
            str(tmp_path / "p"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    pngs = list(tmp_path.glob("p*.png"))
    assert pngs and pngs[0].stat().st_size > 1000
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], check=True, capture_output=True, timeout=60
        ).stdout.decode()
        assert "Лісове кладовище" in text
        assert head in text.replace("\n", "")  # the audit head before the export
        assert "Братська могила" in text


def test_the_summary_is_in_the_users_language(
    client, investigator, site, tmp_path
) -> None:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    client.force_login(investigator)
    client.cookies["django_language"] = "uk"
    pdf = tmp_path / "summary.pdf"
    pdf.write_bytes(pdf_of(client, site))
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, timeout=60
    ).stdout.decode()
    assert "Зведення для прокурора" in text


def pdf_lines(path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, timeout=60
    ).stdout.decode()
    return text.splitlines()


def split_words(cells: list[list[str]], lines: list[str]) -> list[str]:
    """Words of the cells found whole on a line fewer times than the cells hold them.

    Counted on lines (not tokens): poppler may glue a short word to the next
    (“№ 5” comes out as “№5”), but a word split across lines is on no line.
    """
    wanted = Counter(w for row in cells for cell in row for w in cell.split())
    return sorted(
        w for w, n in wanted.items() if sum(line.count(w) for line in lines) < n
    )


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_no_word_of_a_table_cell_is_split_across_lines(site, tmp_path, lang) -> None:
    """Every word of the graves table comes out of poppler whole."""
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    from django.core.management import call_command
    from django.utils import translation

    from imena.burials.models import Grave, GraveKind, GraveStatus

    out = tmp_path / "summary.pdf"
    call_command(
        "report", "site", "izm", "--format", "pdf", "--lang", lang, "--out", str(out)
    )
    lines = pdf_lines(out)
    with translation.override(lang):
        kinds, statuses = dict(GraveKind.choices), dict(GraveStatus.choices)
        cells = [
            [ref, marker, str(kinds[kind]), str(statuses[status])]
            for ref, marker, kind, status in Grave.objects.filter(
                site=site, withdrawn=False
            ).values_list("ref", "marker_text", "kind", "status")
        ]
    assert cells
    assert split_words(cells, lines) == []
