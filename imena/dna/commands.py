"""`imena import lineage-table FILE --kind ystr|mtdna`: a population table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from imena.core.commands import organisation_by_code
from imena.dna.models import LineageKind
from imena.dna.services import lineage_table_load
from imena.dna.uploads import ProfileFileError, read_lineage_table
from imena.lib.bulk import error_text


def add_import_lineage_table_arguments(parser: Any) -> None:
    parser.add_argument(
        "file",
        help="CSV (Y-STR: Sample,Marker,Allele 1,... or one column per locus; "
        "mtDNA: Sample,Range,Variants) or JSON ({haplotypes, rates} / "
        "{sequences, rate})",
    )
    parser.add_argument("--kind", required=True, choices=LineageKind.values)
    parser.add_argument("--name", default="", help="table name (default: file name)")
    parser.add_argument("--organisation", default="demo", help="organisation code")


def import_lineage_table(options: dict[str, Any], stdout: Any) -> None:
    org = organisation_by_code(options["organisation"])
    path = Path(options["file"])
    kind = options["kind"]
    try:
        with path.open("rb") as handle:
            rows, rates, sha256 = read_lineage_table(
                handle, filename=path.name, kind=kind
            )
        table = lineage_table_load(
            actor=None,
            organisation=org,
            kind=kind,
            name=options["name"] or path.name,
            rows=rows,
            rates=rates,
            source_sha256=sha256,
        )
    except OSError as e:
        raise CommandError(f"cannot read {path}: {e.strerror}") from None
    except ProfileFileError as e:
        raise CommandError(str(e)) from None
    except ValidationError as e:
        raise CommandError(error_text(e)) from None
    stdout.write(
        f"Stored {kind} table {table.name!r} of {table.size} "
        f"{'haplotypes' if kind == 'ystr' else 'sequences'} for {org.code}; "
        "lineage LRs now count in it."
    )
