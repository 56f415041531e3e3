"""Reads of the dna app for other apps."""

from __future__ import annotations

from typing import Any

from imena.dna.models import LineageKind, LineageTable


def lineage_tables(organisation_id: int) -> dict[str, Any]:
    """The organisation's lineage population tables in the ``kinship`` case format.

    ``{"ystr_database": {"rates", "haplotypes"}, "mtdna_database": {"rate",
    "sequences"}}`` with the newest table of each kind; a kind without a table
    is left out (its lineage markers are then not compared).
    """
    out: dict[str, Any] = {}
    for kind in LineageKind.values:
        table = (
            LineageTable.objects.filter(organisation_id=organisation_id, kind=kind)
            .order_by("-created", "-pk")
            .first()
        )
        if table is None:
            continue
        if kind == LineageKind.YSTR:
            out["ystr_database"] = {"rates": table.rates, "haplotypes": table.rows}
        else:
            mt: dict[str, Any] = {"sequences": table.rows}
            if "rate" in table.rates:
                mt["rate"] = table.rates["rate"]
            out["mtdna_database"] = mt
    return out
