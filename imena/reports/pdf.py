"""The prosecutor's summary of a site as a PDF (reportlab, DejaVu Sans embedded).

It ties the document to the database state with the audit chain's head hash:
anyone holding the database can check that the hash printed on the first page
is an entry of the chain (``imena audit verify``) and that the figures match.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from imena.audit.models import AuditHead
from imena.audit.services import audit_head_hash
from imena.burials.models import Grave, GraveKind, GraveStatus
from imena.lib.pdf import FONT, column_widths, register_fonts
from imena.reports import selectors
from imena.reports.files import ExportFile, export_file, temp_path

if TYPE_CHECKING:
    from imena.burials.models import Site
    from imena.reports.access import Audience


def _styles() -> dict[str, Any]:
    # reportlab is heavy and only needed for PDFs; imported on use.
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet

    regular, bold = register_fonts()
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("t", parent=base["Title"], fontName=bold, fontSize=16),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontName=bold, fontSize=12),
        "body": ParagraphStyle(
            "b", parent=base["BodyText"], fontName=regular, fontSize=9
        ),
        "small": ParagraphStyle(
            "s", parent=base["BodyText"], fontName=regular, fontSize=7.5, leading=9
        ),
        "mono": ParagraphStyle(
            "m", parent=base["BodyText"], fontName=regular, fontSize=8
        ),
    }


def _p(text: Any, style: Any) -> Any:
    # reportlab is heavy and only needed for PDFs; imported on use.
    from reportlab.platypus import Paragraph

    return Paragraph(escape(str(text if text is not None else "")), style)


def _table(rows: list[list[Any]], total: float, styles: dict[str, Any]) -> Any:
    """A table ``total`` points wide whose cells wrap at spaces only.

    Every cell is a paragraph; the columns are sized to their content
    (``column_widths``) so that no word is split across lines.
    """
    # reportlab is heavy and only needed for PDFs; imported on use.
    from reportlab.lib import colors
    from reportlab.platypus import LongTable, TableStyle

    regular, bold = register_fonts()
    style = styles["small"]
    texts = [["" if c is None else str(c) for c in row] for row in rows]
    widths = column_widths(texts, total, font=style.fontName, size=style.fontSize)
    data = [[_p(c, style) for c in row] for row in texts]
    table = LongTable(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), regular),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e6e1")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b5b0a5")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    return table


def summary_story(audience: Audience, site: Site) -> list[Any]:
    # reportlab is heavy and only needed for PDFs; imported on use.
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer

    st = _styles()
    head = AuditHead.objects.filter(pk=1).first()
    story: list[Any] = [
        _p(_("Prosecutor's summary: %(site)s") % {"site": site.name}, st["title"]),
        _p(
            _("Site %(code)s · %(place)s · organisation: %(org)s")
            % {
                "code": site.code,
                "place": ", ".join(x for x in [site.settlement, site.region] if x)
                or "—",
                "org": site.organisation.name,
            },
            st["body"],
        ),
    ]
    if site.lat is not None and site.lon is not None:
        story.append(
            _p(
                _("Coordinates (WGS84): %(lat).6f, %(lon).6f")
                % {"lat": site.lat, "lon": site.lon},
                st["body"],
            )
        )
    story += [
        _p(
            _("Prepared %(when)s for %(who)s.")
            % {
                "when": timezone.localtime().strftime("%Y-%m-%d %H:%M %Z"),
                "who": audience.name,
            },
            st["body"],
        ),
        _p(
            _("Audit chain head at the time of writing: entry #%(seq)s, hash %(hash)s")
            % {"seq": head.seq if head else 0, "hash": audit_head_hash()},
            st["mono"],
        ),
        _p(
            _(
                "This document holds only what the requesting role may see. "
                "The data are a working record and may be corrected later; the audit "
                "log keeps every earlier value."
            ),
            st["small"],
        ),
        Spacer(1, 4 * mm),
    ]

    scope = selectors.Scope(audience, type(site).objects.filter(pk=site.pk), site=site)
    story.append(_p(_("Statistics"), st["h2"]))
    for section in selectors.statistics(scope):
        if not section.available:
            story.append(_p(f"{section.title}: {section.note}", st["small"]))
            continue
        rows = [[section.title, _("Count")]] + [
            [f.label, f.value] for f in section.figures
        ]
        story += [_table(rows, 140 * mm, st), Spacer(1, 3 * mm)]

    findings = (
        selectors.findings_by_grave(site) if audience.can("postmortem.view") else {}
    )
    story.append(_p(_("Graves"), st["h2"]))
    kinds = dict(GraveKind.choices)
    statuses = dict(GraveStatus.choices)
    rows = [[_("Ref."), _("Marker as written"), _("Kind"), _("Status"), _("Findings")]]
    graves = (
        Grave.objects.filter(site=site, withdrawn=False)
        .order_by("ref")
        .values_list("pk", "ref", "marker_text", "kind", "status")
    )
    for pk, ref, marker, kind, status in graves.iterator(chunk_size=5000):
        rows.append(
            [  # type: ignore[arg-type]
                ref,
                marker,
                kinds.get(kind, kind),
                statuses.get(status, status),
                findings.get(pk, ""),
            ]
        )
    story.append(_table(rows, 180 * mm, st))

    if audience.can("identification.view"):
        ident = selectors.identification_rows(site)
        story.append(_p(_("Identifications"), st["h2"]))
        rows = [
            [
                _("Body"),
                _("Missing person"),
                _("Status"),
                _("Posterior"),
                _("Reviewers"),
            ]
        ] + ident
        story.append(_table(rows, 180 * mm, st))

    if audience.can("evidence.view"):
        custody = selectors.custody_rows(site)
        story.append(_p(_("Evidence and chain of custody"), st["h2"]))
        rows = [[_("Item"), _("Description"), _("Custody"), _("Holder")]] + custody
        story.append(_table(rows, 180 * mm, st))
    return story


def write_summary_pdf(path: Path, audience: Audience, site: Site, *, lang: str) -> None:
    # reportlab is heavy and only needed for PDFs; imported on use.
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    with translation.override(lang or translation.get_language() or "en"):
        title = _("Prosecutor's summary: %(site)s") % {"site": site.name}
        story = summary_story(audience, site)
        footer = _("Imena · %(site)s · page %%d") % {"site": site.code}

    def on_page(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.drawString(15 * mm, 8 * mm, footer % doc.page)
        canvas.restoreState()

    doc = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        title=title,
        author="Imena",
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
    )
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)


def export_summary_pdf(audience: Audience, site: Site, *, lang: str = "") -> ExportFile:
    path = temp_path(".pdf")
    write_summary_pdf(path, audience, site, lang=lang)
    return export_file(
        path, filename=f"{site.code}-summary.pdf", fmt="pdf", dataset="summary", rows=0
    )
