"""Reading STR profiles: GeneMapper-style CSV exports, allele cells, locus names.

Two CSV layouts are accepted, with a comma, semicolon or tab as separator:

* long: ``Sample Name,Marker,Allele 1,Allele 2[,Allele 3...]``, one row per
  sample and marker (``Locus`` may name the marker column);
* wide: one row per sample, with ``<locus> Allele 1``, ``<locus>_Allele1`` or
  ``<locus> 1`` columns, or one ``<locus>`` column holding ``a/b`` or ``a,b``.

A single allele is read as a homozygote.  More than two alleles at a locus is
an error naming the sample and the locus (mixtures are not supported).  The
reader keeps locus names as the file spells them; :func:`known_loci` renames
them to the marker set's spelling (``VWA`` is ``vWA``, ``PENTA_D`` is
``Penta D``) and lists the loci that are not in it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, TypeVar

from kinship.errors import KinshipError

Genotype = tuple[str, str]
Profiles = dict[str, dict[str, Genotype]]
G = TypeVar("G")

#: Cells that mean "no call".
EMPTY = frozenset({"", "NA", "N/A", "-", "OL?", "?"})
#: ``<locus> Allele 1``, ``<locus>_Allele1``, ``<locus> 1``.
_WIDE = re.compile(
    r"^(?P<locus>.+?)(?:[\s_-]*allele[\s_-]*|\s+)(?P<k>\d+)$", re.IGNORECASE
)
#: Lab spellings that differ from the marker set by more than case and spaces.
_ALIASES = {"AMELOGENIN": "AMEL", "THO1": "TH01"}


def parse_genotype(value: Any, sample: str, locus: str) -> Genotype | None:
    """Read one allele cell (``"6/9.3"``, ``"20,22"``, ``"17"``) or list.

    No call gives None; one allele is a homozygote; more than two alleles is a
    :class:`KinshipError` naming the sample and the locus.
    """
    if value is None:
        return None
    if isinstance(value, str):
        value = re.split(r"[/,;]", value)
    elif not isinstance(value, list | tuple):
        value = [value]
    alleles = [str(a).strip() for a in value if a is not None]
    alleles = [a for a in alleles if a.upper() not in EMPTY]
    if not alleles:
        return None
    if len(alleles) > 2:
        raise KinshipError(
            f"sample {sample}, locus {locus}: {len(alleles)} alleles "
            f"({', '.join(alleles)}); at most two are allowed"
        )
    return (alleles[0], alleles[-1])


@lru_cache(maxsize=4096)
def _key(name: str) -> str:
    key = re.sub(r"[^0-9A-Z]", "", str(name).upper())
    return _ALIASES.get(key, key)


def _spellings(markers: Iterable[str]) -> dict[str, str]:
    if isinstance(markers, tuple):
        return _spellings_of(markers)  # the same marker list for every sample
    names: dict[str, str] = {}
    for n in markers:
        names.setdefault(_key(n), n)
    return names


@lru_cache(maxsize=64)
def _spellings_of(markers: tuple[str, ...]) -> dict[str, str]:
    names: dict[str, str] = {}
    for n in markers:
        names.setdefault(_key(n), n)
    return names


@cache
def _norstr() -> dict[str, str]:
    from kinship.markers import load_frequency_table

    return _spellings(load_frequency_table())


def canonical_locus(name: str, markers: Iterable[str] | None = None) -> str | None:
    """Return the marker-set spelling of a locus as a lab writes it, or None.

    The marker set is the shipped norSTR table unless ``markers`` is given.
    ``VWA``, ``vWA`` and ``vwa`` are ``vWA``; ``PENTA_D`` and ``Penta D`` are
    ``Penta D``.
    """
    return (_norstr() if markers is None else _spellings(markers)).get(_key(name))


def canonical_profile(profile: Mapping[str, G]) -> dict[str, G]:
    """Rename the loci the shipped norSTR table knows to its spelling
    (``VWA`` is ``vWA``, ``PENTA_D`` is ``Penta D``); other loci keep the
    name they were written with. The first of two names that spell the same
    locus wins. Every reader of stored profiles (the identification engine,
    the screening, the per-marker table) reads them through this, so one
    pair gets one DNA LR whichever spelling the lab used."""
    names = _norstr()
    out: dict[str, G] = {}
    for locus, g in profile.items():
        out.setdefault(names.get(_key(locus), locus), g)
    return out


def known_loci(
    profile: Mapping[str, G], markers: Iterable[str] | None = None
) -> tuple[dict[str, G], list[str]]:
    """Rename loci to the marker set's spelling; return (known loci, unknown ones).

    The marker set is the shipped norSTR table unless ``markers`` is given; the
    first of two names that spell the same locus wins.
    """
    names = _norstr() if markers is None else _spellings(markers)
    known: dict[str, G] = {}
    unknown: list[str] = []
    for locus, g in profile.items():
        name = names.get(_key(locus))
        if name is None:
            unknown.append(locus)
        else:
            known[name] = g
    return known, unknown


def amelogenin_sex(profile: Mapping[str, Sequence[str]]) -> int:
    """Sex from an amelogenin call: 1 (X,Y), 2 (X only), 0 (none)."""
    for locus, alleles in profile.items():
        if _key(locus) == "AMEL" and alleles:
            return 1 if "Y" in [a.upper() for a in alleles] else 2
    return 0


def _dialect(text: str) -> type[csv.Dialect]:
    first = text.splitlines()[0] if text else ""
    for sep in ("\t", ";", ","):
        if sep in first:

            class Dialect(csv.excel):
                delimiter = sep

            return Dialect
    return csv.excel


def _norm(name: str) -> str:
    return re.sub(r"[\s_]+", " ", name.strip()).lower()


def _read_text(source: str | Path) -> str:
    if isinstance(source, Path) or "\n" not in source:
        try:
            if isinstance(source, Path) or Path(source).is_file():
                return Path(source).read_text("utf-8-sig")
        except OSError:
            pass
    return str(source).lstrip("\ufeff")


def read_genemapper_csv(source: str | Path) -> Profiles:
    """Read profiles ``{sample: {locus: (a, b)}}`` from a path or CSV text."""
    text = _read_text(source)
    reader = csv.reader(io.StringIO(text), _dialect(text))
    rows = [r for r in reader if any(c.strip() for c in r)]
    if not rows:
        raise KinshipError("GeneMapper CSV: the file is empty")
    header = [h.strip() for h in rows[0]]
    norm = [_norm(h) for h in header]
    try:
        sample_col = next(
            i for i, h in enumerate(norm) if h in ("sample name", "sample")
        )
    except StopIteration:
        raise KinshipError("GeneMapper CSV: no 'Sample Name' column") from None
    marker_col = next((i for i, h in enumerate(norm) if h in ("marker", "locus")), None)
    # Locus -> its allele columns; in the long layout the key is the position
    # of the column that names the locus on each row.
    groups: dict[str | int, list[int]] = {}
    if marker_col is not None:
        groups[marker_col] = [
            i for i, h in enumerate(norm) if re.fullmatch(r"allele ?\d+", h)
        ]
        if not groups[marker_col]:
            raise KinshipError("GeneMapper CSV: no 'Allele 1' column")
    else:
        for i, h in enumerate(header):
            m = _WIDE.match(h)
            if m and i != sample_col:
                groups.setdefault(m.group("locus").strip(), []).append(i)
        if not groups:
            # One column per locus, both alleles in the cell.
            groups = {h: [i] for i, h in enumerate(header) if h and i != sample_col}
        if not groups:
            raise KinshipError(
                "GeneMapper CSV: neither a 'Marker' column nor allele columns"
            )
    out: Profiles = {}
    for n, row in enumerate(rows[1:], start=2):
        row = [c.strip() for c in row] + [""] * (len(header) - len(row))
        sample = row[sample_col]
        for group, cols in groups.items():
            locus = row[group] if isinstance(group, int) else group
            cells = [a for i in cols for a in re.split(r"[/,;]", row[i])]
            if not locus or not any(a.strip().upper() not in EMPTY for a in cells):
                continue
            if not sample:
                raise KinshipError(f"GeneMapper CSV, row {n}: no sample name")
            g = parse_genotype(cells, sample, locus)
            if g is None:
                continue
            profile = out.setdefault(sample, {})
            if locus in profile:
                raise KinshipError(
                    f"GeneMapper CSV, row {n}: sample {sample}, locus {locus} "
                    "appears twice"
                )
            profile[locus] = g
    return out
