"""The lineage population tables of a simulated scenario (issue 18).

``dna/ystr_table.json`` (``{"haplotypes", "rates"}``) and
``dna/mtdna_table.json`` (``{"sequences", "rate"}``), written by the simulator
when it types Y-STR and mtDNA, become the organisation's tables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from imena.dna.models import LineageKind
from imena.dna.services import lineage_table_load
from imena.lib.hashing import bytes_sha256

if TYPE_CHECKING:
    from imena.lib.scenario import ScenarioContext

FILES = {
    LineageKind.YSTR: ("dna/ystr_table.json", "haplotypes", "rates"),
    LineageKind.MTDNA: ("dna/mtdna_table.json", "sequences", "rate"),
}


def load_scenario(context: ScenarioContext) -> None:
    for kind, (name, rows_key, rate_key) in FILES.items():
        path = context.directory / name
        if not path.exists():
            continue
        data = context.read_json(name)
        rates = data.get(rate_key) or {}
        lineage_table_load(
            actor=context.actor,
            organisation=context.organisation,
            kind=kind,
            name=f"{context.directory.name}/{name}",
            rows=data[rows_key],
            rates=rates if isinstance(rates, dict) else {"rate": rates},
            source_sha256=bytes_sha256(path.read_bytes()),
        )
        context.summary[f"{kind}_table"] = len(data[rows_key])
