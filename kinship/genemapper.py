"""GeneMapper-style CSV import of STR profiles.

Two layouts are accepted:

* long: ``Sample Name,Marker,Allele 1,Allele 2[,Allele 3...]``, one row per
  sample and marker;
* wide: one row per sample, with ``<locus> Allele 1``, ``<locus> Allele 2``
  columns (``<locus>_Allele1`` style names are accepted too).

A single allele is read as a homozygote.  More than two alleles at a locus is
an error naming the sample and the locus (mixtures are not supported).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from kinship.errors import KinshipError

Profiles = dict[str, dict[str, tuple[str, str]]]

_EMPTY = {"", "NA", "N/A", "-", "OL?"}
_WIDE = re.compile(r"^(?P<locus>.+?)[\s_-]*allele[\s_-]*(?P<k>\d+)$", re.IGNORECASE)


def _norm(name: str) -> str:
    return re.sub(r"[\s_]+", " ", name.strip()).lower()


def _genotype(alleles: list[str], sample: str, locus: str) -> tuple[str, str] | None:
    vals = [a.strip() for a in alleles if a is not None and a.strip() not in _EMPTY]
    if not vals:
        return None
    if len(vals) > 2:
        raise KinshipError(
            f"sample {sample!r}, locus {locus!r}: {len(vals)} alleles "
            f"({', '.join(vals)}); at most two are allowed"
        )
    return (vals[0], vals[-1])


def read_genemapper_csv(source: str | Path) -> Profiles:
    """Read profiles ``{sample: {locus: (a, b)}}`` from a path or CSV text."""
    if isinstance(source, Path) or ("\n" not in str(source) and Path(source).exists()):
        text = Path(source).read_text("utf-8-sig")
    else:
        text = str(source)
    sample_text = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            sample_text, delimiters=",;\t"
        )
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    rows = [r for r in reader if any(c.strip() for c in r)]
    if not rows:
        raise KinshipError("GeneMapper CSV: the file is empty")
    header = [_norm(h) for h in rows[0]]
    try:
        sample_col = next(
            i for i, h in enumerate(header) if h in ("sample name", "sample")
        )
    except StopIteration:
        raise KinshipError("GeneMapper CSV: no 'Sample Name' column") from None
    out: Profiles = {}
    if "marker" in header:
        marker_col = header.index("marker")
        allele_cols = [
            i for i, h in enumerate(header) if re.fullmatch(r"allele ?\d+", h)
        ]
        if not allele_cols:
            raise KinshipError("GeneMapper CSV: no 'Allele 1' column")
        for row in rows[1:]:
            row = row + [""] * (len(header) - len(row))
            sample, locus = row[sample_col].strip(), row[marker_col].strip()
            if not sample or not locus:
                continue
            g = _genotype([row[i] for i in allele_cols], sample, locus)
            if g is not None:
                out.setdefault(sample, {})[locus] = g
        return out
    loci: dict[str, list[int]] = {}
    for i, h in enumerate(rows[0]):
        m = _WIDE.match(h.strip())
        if m:
            loci.setdefault(m.group("locus").strip(), []).append(i)
    if not loci:
        raise KinshipError(
            "GeneMapper CSV: neither a 'Marker' column nor allele columns"
        )
    for row in rows[1:]:
        row = row + [""] * (len(rows[0]) - len(row))
        sample = row[sample_col].strip()
        if not sample:
            continue
        prof = out.setdefault(sample, {})
        for locus, cols in loci.items():
            g = _genotype([row[i] for i in cols], sample, locus)
            if g is not None:
                prof[locus] = g
    return out
