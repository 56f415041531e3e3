"""Reading reference profiles: GeneMapper-style CSV exports and dvi-examples JSON.

``kinship`` reads cases (``kinship.case``) and validates pedigrees
(``kinship.case.Pedigree.from_lists``); it has no GeneMapper reader yet, so the
CSV reader lives here, with the same rules as ``kinship.case.read_profile``
(at most two alleles, one allele read as homozygous). When ``kinship`` gains a
reader this module should call it instead.

GeneMapper ID/ID-X "Genotypes" tables come in two shapes, both accepted, with a
comma, semicolon or tab as separator:

- long: ``Sample Name, Marker, Allele 1, Allele 2[, Allele 3 ...]`` (one row per
  sample and locus);
- wide: ``Sample Name, <locus> 1, <locus> 2, ...`` or ``Sample Name, <locus>``
  with ``a/b`` or ``a,b`` in the cell.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kinship.errors import KinshipError

# Autosomal STR loci of the common kits (CODIS-20, ESS, GlobalFiler, PowerPlex
# Fusion, Investigator 24plex), in the spelling the simulator and the norSTR
# table use.
KNOWN_LOCI = frozenset(
    ["CSF1PO", "D10S1248", "D12S391", "D13S317", "D16S539", "D18S51", "D19S433", "D1S1656", "D21S11", "D22S1045", "D2S1338", "D2S441", "D3S1358", "D5S818", "D7S820", "D8S1179", "FGA", "PENTA_D", "PENTA_E", "SE33", "TH01", "TPOX", "VWA", "D6S1043"]
)
SEX_LOCI = frozenset({"AMEL", "AMELOGENIN", "DYS391", "YINDEL", "Y_INDEL", "DYS570",
                      "DYS576"})
EMPTY = {"", "-", "NA", "N/A", "OL?", "?"}


class ProfileFileError(ValueError):
    """A profile file that cannot be used; the message names sample and locus."""


@dataclass
class ParsedProfile:
    sample: str
    genotypes: dict[str, list[str]] = field(default_factory=dict)
    sex: int = 0  # from amelogenin: 1 male (X,Y), 2 female (X,X), 0 unknown


@dataclass
class ParsedFile:
    profiles: list[ParsedProfile]
    warnings: list[str]


def locus_name(raw: str) -> str:
    """Canonical locus spelling: ``Penta D`` -> ``PENTA_D``, ``vWA`` -> ``VWA``."""
    name = re.sub(r"[\s\-]+", "_", raw.strip()).upper()
    return {"AMELOGENIN": "AMEL", "THO1": "TH01"}.get(name, name)


def _split_alleles(cell: str) -> list[str]:
    return [a.strip() for a in re.split(r"[/,;]", cell) if a.strip()]


def _sniff(text: str) -> csv.Dialect | type[csv.Dialect]:
    first = text.splitlines()[0] if text else ""
    for sep in ("\t", ";", ","):
        if sep in first:
            class D(csv.excel):
                delimiter = sep
            return D
    return csv.excel


def parse_genemapper(text: str, *, filename: str = "file") -> ParsedFile:
    """Parse a GeneMapper-style export into profiles.

    Unknown loci are skipped with a warning; more than two alleles at a locus
    is an error naming the sample and the locus.
    """
    text = text.lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text), _sniff(text)))
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise ProfileFileError(f"{filename}: the file is empty")
    header = [h.strip() for h in rows[0]]
    lower = [h.lower() for h in header]
    try:
        sample_col = next(i for i, h in enumerate(lower) if h in ("sample name", "sample",
                                                                "sample_name"))
    except StopIteration:
        raise ProfileFileError(
            f"{filename}: no 'Sample Name' column in the header row"
        ) from None
    warnings: list[str] = []
    unknown: set[str] = set()
    collected: dict[str, dict[str, list[str]]] = {}
    marker_col = next((i for i, h in enumerate(lower) if h in ("marker", "locus")), None)
    if marker_col is not None:
        allele_cols = [i for i, h in enumerate(lower) if re.fullmatch(r"allele\s*\d+", h)]
        if not allele_cols:
            raise ProfileFileError(f"{filename}: no 'Allele 1' column in the header row")
        for n, row in enumerate(rows[1:], start=2):
            row = row + [""] * (len(header) - len(row))
            sample = row[sample_col].strip()
            if not sample:
                raise ProfileFileError(f"{filename}, row {n}: no sample name")
            values = [row[i].strip() for i in allele_cols]
            _add(collected, sample, row[marker_col], values, unknown, filename, n)
    else:
        groups: dict[str, list[int]] = {}
        for i, h in enumerate(header):
            if i == sample_col or not h:
                continue
            base = re.sub(r"\s*(allele)?\s*\d$", "", h, flags=re.I) if re.search(
                r"\s\d$", h) else h
            groups.setdefault(base, []).append(i)
        for n, row in enumerate(rows[1:], start=2):
            row = row + [""] * (len(header) - len(row))
            sample = row[sample_col].strip()
            if not sample:
                raise ProfileFileError(f"{filename}, row {n}: no sample name")
            for base, cols in groups.items():
                values: list[str] = []
                for i in cols:
                    values.extend(_split_alleles(row[i]))
                _add(collected, sample, base, values, unknown, filename, n)
    if unknown:
        warnings.append(
            "{}: unknown loci skipped: {}".format(filename, ", ".join(sorted(unknown)))
        )
    profiles = []
    for sample, data in collected.items():
        amel = data.pop("AMEL", [])
        sex = 0
        if amel:
            sex = 1 if "Y" in [a.upper() for a in amel] else 2
        profiles.append(ParsedProfile(sample, data, sex))
    if not profiles:
        raise ProfileFileError(f"{filename}: no profile found")
    return ParsedFile(profiles, warnings)


def _add(
    collected: dict[str, dict[str, list[str]]],
    sample: str,
    raw_locus: str,
    values: Iterable[str],
    unknown: set[str],
    filename: str,
    row: int,
) -> None:
    locus = locus_name(raw_locus)
    alleles = [v for v in values if v and v.upper() not in EMPTY]
    if not locus:
        return
    if locus in SEX_LOCI:
        if locus == "AMEL":
            collected.setdefault(sample, {})["AMEL"] = alleles
        return
    if locus not in KNOWN_LOCI:
        unknown.add(raw_locus.strip())
        return
    if len(alleles) > 2:
        raise ProfileFileError(
            f"{filename}, row {row}: sample {sample}, locus {locus}: "
            f"{len(alleles)} alleles ({', '.join(alleles)}); at most two are allowed "
            "(a mixture or an artefact: re-check the electropherogram)"
        )
    if not alleles:
        return
    profile = collected.setdefault(sample, {})
    if locus in profile:
        raise ProfileFileError(
            f"{filename}, row {row}: sample {sample}, locus {locus} appears twice"
        )
    profile[locus] = alleles if len(alleles) == 2 else alleles * 2


@dataclass
class CaseFamily:
    name: str
    ids: list[str]
    fid: list[str | None]
    mid: list[str | None]
    sex: list[int]
    genotypes: dict[str, dict[str, list[str]]]
    missing: list[str]


def families_from_case(data: Any) -> list[CaseFamily]:
    """The reference families (``am``) of a dvi-examples JSON case, validated.

    Pedigrees are checked with ``kinship`` (unknown parents, cycles, a father
    who is female, ...); a ``KinshipError`` becomes a ``ProfileFileError``.
    """
    from kinship.case import Pedigree

    if not isinstance(data, Mapping) or not isinstance(data.get("am"), Mapping):
        raise ProfileFileError("the JSON has no 'am' object of reference families")
    missing = [str(m) for m in data.get("missing") or []]
    out: list[CaseFamily] = []
    for name, fam in data["am"].items():
        try:
            ids = [str(i) for i in fam["id"]]
            fid = [None if f in (None, "", "0", "NA") else str(f) for f in fam["fid"]]
            mid = [None if m in (None, "", "0", "NA") else str(m) for m in fam["mid"]]
            sex = [int(s or 0) for s in fam["sex"]]
            Pedigree.from_lists(ids, fid, mid, sex, name=f"family {name}")
        except KinshipError as e:
            raise ProfileFileError(str(e)) from None
        except (KeyError, TypeError, ValueError) as e:
            raise ProfileFileError(f"family {name}: malformed pedigree ({e})") from None
        genos: dict[str, dict[str, list[str]]] = {}
        for member, prof in (fam.get("genotypes") or {}).items():
            if str(member) not in ids:
                raise ProfileFileError(
                    f"family {name}: typed member {member!r} is not in the pedigree"
                )
            clean: dict[str, list[str]] = {}
            for locus, value in (prof or {}).items():
                if value is None:
                    continue
                alleles = [str(a).strip() for a in value if a is not None and str(a).strip()]
                if len(alleles) > 2:
                    raise ProfileFileError(
                        f"family {name}: sample {member}, locus {locus}: "
                        f"{len(alleles)} alleles; at most two are allowed"
                    )
                if alleles:
                    clean[str(locus)] = alleles if len(alleles) == 2 else alleles * 2
            genos[str(member)] = clean
        out.append(CaseFamily(str(name), ids, fid, mid, sex, genos,
                              [m for m in missing if m in ids]))
    return out
