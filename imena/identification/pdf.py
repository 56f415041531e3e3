"""The identification report for the prosecutor's file (reportlab)."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from django.utils import translation
from django.utils.translation import gettext as _

from imena.audit.services import audit_head_hash
from imena.core.templatetags.numbers import decimals, significant
from imena.core.times import local_time
from imena.identification import safeguards
from imena.identification.templatetags.explanations import evidence_label
from imena.lib.pdf import column_widths, register_fonts

if TYPE_CHECKING:
    from imena.identification.models import Identification


def _fonts() -> tuple[str, str]:
    try:
        return register_fonts()
    except Exception:  # noqa: BLE001 - no Cyrillic font: Latin-only fallback
        return "Helvetica", "Helvetica-Bold"


def identification_pdf(ident: Identification, *, lang: str = "en") -> bytes:
    # reportlab is heavy and only needed for PDFs; imported on use.
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import inch, mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

    regular, bold = _fonts()
    body = ParagraphStyle("b", fontName=regular, fontSize=9, leading=12)
    head = ParagraphStyle("h", fontName=bold, fontSize=14, leading=18)
    sub = ParagraphStyle("s", fontName=bold, fontSize=11, leading=14)
    uk = lang == "uk"
    ev: dict[str, Any] = ident.evidence or {}

    def p(text: Any, style: Any = body) -> Any:
        return Paragraph(escape(str(text)), style)

    frame = A4[0] - 2 * inch  # SimpleDocTemplate's default margins

    def grid(rows: list[list[str]], total: float) -> Any:
        """Paragraph cells in columns sized to their words (none split)."""
        widths = column_widths(rows, total, font=regular, size=body.fontSize)
        return Table([[p(c) for c in row] for row in rows], colWidths=widths)

    conf = getattr(ident, "confirmation", None)
    with translation.override(lang):
        warnings = safeguards.warning_texts(ident.warnings)
        primary = (
            f"{ident.get_primary_identifier_display()}"
            + (f" ({ident.primary_reference})" if ident.primary_reference else "")
            if not ident.presumptive
            else str(
                _(
                    "none: presumptive identification, not notified to the family "
                    "as confirmed"
                )
            )
        )
    story: list[Any] = [
        p("Звіт про ідентифікацію" if uk else "Identification report", head),
        Spacer(1, 4 * mm),
        grid(
            [
                [
                    "Тіло" if uk else "Body",
                    f"{ident.body.pm_number} ({ident.body.grave})",
                ],
                [
                    "Зникла особа" if uk else "Missing person",
                    f"{ident.person.case_no} {ident.person}",
                ],
                ["Статус" if uk else "Status", str(ident.get_status_display())],
                [
                    "Апріорна ймовірність" if uk else "Prior",
                    f"{ev.get('prior', 0):.4g}",
                ],
                [
                    "Сукупне LR" if uk else "Combined LR",
                    f"{ev.get('lr') or 0:.4g}",
                ],
                [
                    "Апостеріорна ймовірність" if uk else "Posterior",
                    f"{ident.posterior:.6f}",
                ],
                [
                    "«Нікого з них»" if uk else "None of these",
                    f"{ev.get('posterior_unlisted', 0):.4g}",
                ],
                [
                    "Запропонував" if uk else "Proposed by",
                    f"{ident.proposed_by} · {local_time(ident.proposed_at)}",
                ],
                [
                    "Підтвердив" if uk else "Confirmed by",
                    str(
                        f"{conf.reviewer} · {local_time(conf.confirmed_at)}"
                        if conf
                        else "—"
                    ),
                ],
                [
                    "Первинний ідентифікатор" if uk else "Primary identifier",
                    str(primary),
                ],
            ],
            frame,
        ),
        Spacer(1, 4 * mm),
    ]
    if ident.warnings:
        story.append(
            p(
                "Попередження під час пропозиції" if uk else "Warnings when proposed",
                sub,
            )
        )
        story += [p("• " + text) for text in warnings]
        story.append(
            p(("Обґрунтування: " if uk else "Justification: ") + ident.justification)
        )
        if conf:
            story.append(
                p(
                    "Другий експерт явно підтвердив попередження."
                    if uk
                    else "The second examiner confirmed the warnings explicitly."
                )
            )
        story.append(Spacer(1, 4 * mm))
    story.append(p("Докази" if uk else "Evidence", sub))
    rows: list[list[str]] = [
        ["Вид" if uk else "Kind", "LR", "Пояснення" if uk else "Explanation"]
    ]
    with translation.override(lang):  # labels and numbers in the report's language
        for e in ev.get("evidence", []):
            lr = e.get("lr")
            rows.append(
                [
                    evidence_label(e["kind"]),
                    "—" if lr is None else significant(lr, 4),
                    decimals(e.get("uk" if uk else "en") or ""),
                ]
            )
            for t in e.get("traits", []):
                tl = t.get("lr")
                rows.append(
                    [
                        "  " + evidence_label(t["trait"]),
                        "—" if tl is None else significant(tl, 3),
                        decimals(t.get("uk" if uk else "en") or ""),
                    ]
                )
    story.append(grid(rows, frame))
    story += [
        Spacer(1, 4 * mm),
        p(
            ("Хеш журналу аудиту: " if uk else "Audit log head hash: ")
            + audit_head_hash()
        ),
    ]
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, title="Identification report").build(story)
    return buf.getvalue()
