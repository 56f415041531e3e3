"""Familias ``.fam`` case files: reading and writing (issue #18 item 5).

Implemented from ``docs/familias-format.md`` only (a clean-room description of
the format).  :func:`read_fam` / :func:`parse_fam` read a file into a
:class:`FamFile` (persons, pedigrees and genotypes of the main section, the
frequency database with mutation models, θ, drop-out, and the reference
families and victims of the DVI section as an Imena :class:`~kinship.case.Case`).
:func:`write_fam_dvi` writes a whole Imena case as a DVI file;
:func:`write_fam_pair` writes one victim against one missing person as a
standard file with two hypotheses (``H1``: the victim is the missing person,
``H2``: unrelated).  Every rejection is a :class:`FamiliasError` naming the line.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import numpy as np

from kinship.case import Case, Family, Pedigree, Profile, Victim
from kinship.errors import KinshipError, KinshipWarning
from kinship.likelihood import pedigree_loglik
from kinship.markers import Marker
from kinship.mutation import MutationSpec, SexMutation

#: Files larger than this are refused before decoding (10,000 victims and
#: 10,000 families at 23 loci make 38 MB; the national register's 89,000
#: reference profiles about 140 MB).
MAX_BYTES = 256 * 2**20
#: Persons (listed and extra) a file may declare; bounds memory on hostile counts.
MAX_PERSONS = 200_000
#: Persons summed over the pedigrees of the main section (every pedigree holds
#: every listed person, so many pedigrees of many persons would multiply).
MAX_PEDIGREE_ENTRIES = 5_000_000
#: Version written on line 3: the newest seen in files from Familias itself.
FAMILIAS_VERSION = "3.3.1"
#: Fixed name of a DVI family's missing person.
MISSING_NAME = "Missing person"
REFERENCE_PEDIGREE = "Reference pedigree"
#: Prefix of the per-family DVI note in which Imena keeps what Familias cannot
#: hold: the missing person's id, sex and position, and the Imena family.
NOTE_PREFIX = "Imena:"

_MODEL_OF_CODE = {
    0: "equal",
    1: "proportional",
    2: "stepwise_unstable",
    3: "stepwise",
    4: "stepwise_unstable",
}
_INT = re.compile(r"-?\d{1,9}")
_REAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d{1,4})?")
_VERSION = re.compile(r"(3(?:\.\d+){0,2})( \(DVI\))?")
_STEP_LABEL = re.compile(r"\d+(?:\.\d)?")


class FamiliasError(KinshipError):
    """A ``.fam`` file that cannot be read or a case that cannot be written."""


@dataclass
class FamPerson:
    """A listed person of the main section."""

    name: str
    sex: int
    genotypes: Profile = field(default_factory=dict)
    dropout: bool = False


@dataclass
class FamPedigree:
    """A pedigree (hypothesis) of the main section over all persons."""

    name: str
    pedigree: Pedigree


@dataclass
class LocusInfo:
    """Informational locus fields kept for re-export (no effect on LRs)."""

    database_size: float = 1000.0
    maf: float = 0.0


@dataclass
class FamFile:
    """A parsed ``.fam`` file."""

    version: str
    dvi: bool
    persons: list[FamPerson]
    pedigrees: list[FamPedigree]
    markers: dict[str, Marker]
    theta: float = 0.0
    database: str | None = None
    locus_info: dict[str, LocusInfo] = field(default_factory=dict)
    #: Per-locus drop-out probability (database info line).
    locus_dropout: dict[str, float] = field(default_factory=dict)
    #: ``[Advanced]`` ``[[Direct/Identity]]`` ``Dropout=`` (DVI files), if present.
    settings_dropout: float | None = None
    #: The DVI section as an Imena case (None for a standard file).
    dvi_case: Case | None = None

    @property
    def dropout(self) -> float:
        """The one drop-out value of the case (see :func:`fam_to_case`)."""
        values = set(self.locus_dropout.values()) - {0.0}
        if len(values) > 1:
            raise FamiliasError(
                "the loci have different drop-out probabilities "
                f"({', '.join(_num(v) for v in sorted(values))}); Imena uses one"
            )
        per_locus = values.pop() if values else 0.0
        if self.settings_dropout is None:
            return per_locus
        if per_locus not in (0.0, self.settings_dropout):
            raise FamiliasError(
                f"drop-out {_num(per_locus)} of the loci differs from Dropout= "
                f"{_num(self.settings_dropout)} of [Advanced]"
            )
        return self.settings_dropout


# ------------------------------------------------------------------ reading


def _encoding(data: bytes, source: str) -> str:
    """Return the encoding of ``data`` (UTF-8, else Windows-1252 with a warning)."""
    if b"\x00" in data:
        raise FamiliasError(f"{source}: binary data (NUL byte); not a .fam file")
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        data.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise FamiliasError(
            f"{source}: undecodable byte 0x{data[exc.start]:02x} at offset "
            f"{exc.start} (line {line}); the file is "
            "neither UTF-8 nor Windows-1252"
        ) from None
    warnings.warn(
        f"{source}: not UTF-8 (byte offset {utf8_error.start}); read as Windows-1252",
        KinshipWarning,
        stacklevel=3,
    )
    return "cp1252"


class _LineStore:
    """The file's lines, decoded one at a time from the bytes on demand.

    Holding only the bytes and two offset arrays (16 bytes a line) instead of
    one ``str`` per line keeps a national-size file's memory near its size.
    """

    def __init__(self, data: bytes, encoding: str) -> None:
        self.data = data
        self.encoding = encoding
        newlines = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
        self.starts = np.concatenate(([0], newlines + 1))
        self.ends = np.concatenate((newlines, [len(data)]))
        if self.starts[-1] == len(data):  # the text after the last newline
            self.starts, self.ends = self.starts[:-1], self.ends[:-1]

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, k: int) -> str:
        line = self.data[int(self.starts[k]) : int(self.ends[k])]
        return line.decode(self.encoding).removesuffix("\r")


class _Lines:
    """Positional reader over the lines of the main section."""

    def __init__(self, lines: _LineStore, source: str) -> None:
        self.lines = lines
        self.pos = 0
        self.source = source

    @property
    def lineno(self) -> int:
        """Number (1-based) of the line last read."""
        return self.pos

    @property
    def remaining(self) -> int:
        return len(self.lines) - self.pos

    def error(self, message: str, lineno: int | None = None) -> FamiliasError:
        return FamiliasError(f"{self.source} line {lineno or self.pos}: {message}")

    def raw(self, what: str) -> str:
        if self.pos >= len(self.lines):
            raise FamiliasError(
                f"{self.source} line {self.pos + 1}: unexpected end of file; "
                f"expected {what}"
            )
        line = self.lines[self.pos]
        self.pos += 1
        return line

    def token(self, what: str) -> str:
        return self.raw(what).rstrip(" \t")

    def string(self, what: str) -> str:
        line = self.token(what)
        if len(line) < 2 or line[0] != '"' or line[-1] != '"':
            raise self.error(f"expected {what} in double quotes, got {_show(line)}")
        inner = line[1:-1]
        if '"' in inner:
            raise self.error(f"{what} contains a double quote: {_show(line)}")
        return inner

    def integer(
        self, what: str, *, low: int = 0, high: int | None = None, text: str = ""
    ) -> int:
        line = text or self.token(what)
        if not _INT.fullmatch(line):
            raise self.error(f"expected {what} (an integer), got {_show(line)}")
        value = int(line)
        if value < low or (high is not None and value > high):
            limit = f"{low}–{high}" if high is not None else f"≥ {low}"
            raise self.error(f"{what} must be {limit}, got {value}")
        return value

    def count(self, what: str, per_item: int) -> int:
        """A count of items of ``per_item`` lines each, bounded by the file."""
        value = self.integer(what)
        if value * per_item > self.remaining:
            raise self.error(
                f"{what} is {value} but only {self.remaining} lines follow"
            )
        return value

    def real(
        self, what: str, low: float = 0.0, high: float = 1.0, *, text: str = ""
    ) -> float:
        line = text or self.token(what)
        return _real(line, what, low, high, self.error)

    def boolean(self, what: str) -> bool:
        line = self.token(what)
        if line == "#TRUE#":
            return True
        if line == "#FALSE#":
            return False
        raise self.error(f"expected {what} (#TRUE# or #FALSE#), got {_show(line)}")


def _real(
    text: str, what: str, low: float, high: float, error: Any, lineno: int = 0
) -> float:
    if "," in text and _REAL.fullmatch(text.replace(",", ".")):
        raise error(f"{what}: decimal comma in {_show(text)}; use a point", lineno)
    if not _REAL.fullmatch(text):
        raise error(f"expected {what} (a number), got {_show(text)}", lineno)
    value = float(text)
    if not (math.isfinite(value) and low <= value <= high):
        raise error(f"{what} must lie in [{low:g}, {high:g}], got {text}", lineno)
    return value


def _show(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")


@dataclass
class _RawPerson:
    person: FamPerson
    lineno: int
    triples: list[tuple[int, int, int, int]]  # allele1, allele2, locus, line


def _read_relations(lines: _Lines, count_what: str) -> list[tuple[int, int, int]]:
    n = lines.count(count_what, 2)
    out = []
    for _ in range(n):
        values = []
        for role in ("parent index", "child index"):
            text = lines.token(role)
            if not _INT.fullmatch(text) or text.startswith("-"):
                raise lines.error(
                    f"expected a {role}, got {_show(text)}: twins / direct "
                    "relations are not supported"
                    if "direct" in text.lower()
                    else f"expected a {role} (a non-negative integer), got "
                    f"{_show(text)}; twins / direct relations are not supported"
                )
            values.append(int(text))
        out.append((values[0], values[1], lines.lineno))
    return out


def _build_pedigree(
    where: str,
    names: Sequence[str],
    sexes: Sequence[int],
    relations: Sequence[tuple[int, int, int]],
    lines: _Lines,
) -> Pedigree:
    fid: list[str | None] = [None] * len(names)
    mid: list[str | None] = [None] * len(names)
    for parent, child, lineno in relations:
        for idx in (parent, child):
            if idx >= len(names):
                raise lines.error(
                    f"{where}: person index {idx} out of range (0–{len(names) - 1})",
                    lineno,
                )
        if parent == child:
            raise lines.error(f"{where}: {names[child]!r} is their own parent", lineno)
        slot = fid if sexes[parent] == 1 else mid
        role = "father" if sexes[parent] == 1 else "mother"
        if slot[child] is not None and slot[child] != names[parent]:
            raise lines.error(
                f"{where}: {names[child]!r} has two parents of the same sex "
                f"({slot[child]!r} and {names[parent]!r}); expected one {role}",
                lineno,
            )
        slot[child] = names[parent]
    try:
        return Pedigree.from_lists(names, fid, mid, sexes, name=where)
    except KinshipError as exc:
        raise lines.error(str(exc), relations[-1][2] if relations else None) from None


def _read_main(lines: _Lines) -> tuple[str, bool, list[_RawPerson], list[Any]]:
    lines.string("the header line 'Output from Familias, version ...'")
    lines.string("the second header line")
    version_line = lines.token("the Familias version")
    match = _VERSION.fullmatch(version_line)
    if not match:
        raise lines.error(
            f"unsupported Familias version {_show(version_line)}; expected 3.x "
            "(optionally followed by ' (DVI)')"
        )
    version, dvi = match.group(1), bool(match.group(2))
    if lines.remaining and lines.lines[lines.pos].rstrip(" \t") == '""':
        lines.pos += 1
    n_persons = lines.count("the number of persons", 6)
    if n_persons > MAX_PERSONS:
        raise lines.error(f"more than {MAX_PERSONS} persons")
    raw_persons: list[_RawPerson] = []
    seen: dict[str, int] = {}
    for _ in range(n_persons):
        name = lines.string("a person's name")
        lineno = lines.lineno
        if not name.strip():
            raise lines.error("empty person name")
        if name in seen:
            raise lines.error(f"duplicate person name {name!r} (line {seen[name]})")
        seen[name] = lineno
        flag1 = lines.boolean("a person flag")
        text = lines.token("a person's -1 line")
        drop_match = re.fullmatch(r"(-?\d{1,9})( \(Consider dropouts\))?", text)
        if not drop_match:
            raise lines.error(
                f"expected -1, optionally followed by ' (Consider dropouts)', "
                f"got {_show(text)}"
            )
        flag3 = lines.boolean("a person flag")
        if flag1 or flag3 or drop_match.group(1) != "-1":
            warnings.warn(
                f"{lines.source} line {lineno}: person {name!r} has unusual flag "
                "values (always #FALSE#, -1, #FALSE# in known files); ignored",
                KinshipWarning,
                stacklevel=4,
            )
        sex = 1 if lines.boolean("the sex (#TRUE# male, #FALSE# female)") else 2
        k = lines.count("the number of typed loci", 3)
        triples = []
        for _ in range(k):
            a = lines.integer("an allele index")
            b = lines.integer("an allele index")
            locus = lines.integer("a locus index")
            triples.append((a, b, locus, lines.lineno))
        if drop_match.group(2) and not triples:
            raise lines.error(
                f"person {name!r} is untyped but marked ' (Consider dropouts)'",
                lineno + 2,
            )
        raw_persons.append(
            _RawPerson(
                FamPerson(name, sex, dropout=bool(drop_match.group(2))), lineno, triples
            )
        )
    label = lines.token('"Known relations"')
    if label != '"Known relations"':
        raise lines.error(
            f'expected "Known relations", got {_show(label)} (are the person '
            "counts right?)"
        )
    common_f = lines.integer("the number of extra female persons")
    common_m = lines.integer("the number of extra male persons")
    common = _read_relations(lines, "the number of relations")
    n_peds = lines.count("the number of pedigrees", 5)
    peds: list[Any] = []
    for i in range(n_peds):
        lines.integer(f"the pedigree index {i}", low=i, high=i)
        name = lines.string("the pedigree name")
        lineno = lines.lineno
        own_f = lines.integer("the number of extra female persons")
        own_m = lines.integer("the number of extra male persons")
        rels = _read_relations(lines, "the number of relations")
        peds.append((name, lineno, own_f, own_m, rels))
    extras = common_f + common_m + max((p[2] + p[3] for p in peds), default=0)
    if n_persons + extras > MAX_PERSONS:
        raise lines.error(f"more than {MAX_PERSONS} persons with the extra persons")
    base = n_persons + common_f + common_m
    entries = sum(base + p[2] + p[3] for p in peds)
    if entries > MAX_PEDIGREE_ENTRIES:
        raise lines.error(
            f"{len(peds)} pedigrees of {base} or more persons each: more than "
            f"{MAX_PEDIGREE_ENTRIES} pedigree entries"
        )
    main = (common_f, common_m, common, peds)
    return version, dvi, raw_persons, [main]


def _stepwise_labels(
    locus: str, alleles: Sequence[str], lines: _Lines, line: int
) -> None:
    for a in alleles:
        if not _STEP_LABEL.fullmatch(a) or float(a) < 1:
            raise lines.error(
                f"locus {locus!r}: a stepwise mutation model needs allele labels "
                f"that are numbers ≥ 1 with at most one decimal, got {a!r}",
                line,
            )


def _mutation_spec(
    code: int,
    rate: float,
    rng: float,
    rate2: float,
    what: str,
    lines: _Lines,
    line: int,
) -> MutationSpec | None:
    if rate == 0.0:
        return None
    model = _MODEL_OF_CODE[code]
    if model in ("equal", "proportional"):
        return MutationSpec(model, {"rate": rate})
    if not 0.0 < rng < 1.0:
        raise lines.error(
            f"{what} mutation range must lie in (0, 1) for a stepwise model, got "
            f"{_num(rng)}",
            line,
        )
    return MutationSpec(model, {"rate": rate, "range": rng, "rate2": rate2})


def _read_database(lines: _Lines, fam: FamFile) -> list[int]:
    header = lines.token("the database header")
    first = header.split(" ", 1)[0]
    if first == "#TRUE#":
        raise lines.error(
            "file contains stored results; save the case again without results"
        )
    if first != "#FALSE#":
        raise lines.error(
            f"expected the database header '#FALSE# (#Databases: 1 ;"
            f"Theta/Kinship/Fst: <θ> )', got {_show(header)}"
        )
    n_db = re.search(r"#Databases:\s*(\S+?)\s*;", header)
    if not n_db or n_db.group(1) != "1":
        raise lines.error(f"expected '#Databases: 1' in {_show(header)}")
    theta = re.search(r"Theta/Kinship/Fst:\s*([^\s)]+)", header)
    if not theta:
        raise lines.error(f"no 'Theta/Kinship/Fst:' value in {_show(header)}")
    fam.theta = lines.real("θ (Theta/Kinship/Fst)", 0.0, 1.0, text=theta.group(1))
    if fam.theta >= 1.0:
        raise lines.error(f"θ must lie in [0, 1), got {theta.group(1)}")
    if fam.theta > 0:
        warnings.warn(
            f"{lines.source}: θ = {_num(fam.theta)}", KinshipWarning, stacklevel=4
        )
    n_loci = lines.count("the number of loci", 13)
    if lines.boolean("the database-name flag"):
        fam.database = lines.string("the database name")
    sizes: list[int] = []
    for _ in range(n_loci):
        name = lines.string("a locus name")
        line = lines.lineno
        if name in fam.markers:
            raise lines.error(f"duplicate locus name {name!r}")
        if not name.strip():
            raise lines.error("empty locus name")
        rate_f = lines.real("the female mutation rate")
        rate_m = lines.real("the male mutation rate")
        code_f = lines.integer("the female mutation model code", high=4)
        code_m = lines.integer("the male mutation model code", high=4)
        n_alleles = lines.integer("the number of alleles")
        range_f = lines.real("the female mutation range")
        range_m = lines.real("the male mutation range")
        rate2_f = lines.real("the female rate2")
        rate2_m = lines.real("the male rate2")
        if lines.boolean("the silent-allele flag"):
            raise lines.error(f"silent alleles are not supported (locus {name!r})")
        lines.real("the silent allele frequency")
        info = lines.raw("the allele count and locus information")
        info_match = re.fullmatch(r"(\d{1,9})\t\((.*)\)\s*", info)
        if not info_match:
            raise lines.error(
                "expected '<number of alleles><TAB>(DatabaseSize = n , Dropout "
                f"probability = d , Minor allele frequency = m )', got {_show(info)}"
            )
        count = int(info_match.group(1))
        if count != n_alleles:
            raise lines.error(
                f"locus {name!r}: {n_alleles} alleles announced but {count} listed "
                "(a silent allele?); silent alleles are not supported"
            )
        values: dict[str, float] = {}
        for key, label, high in (
            ("size", "DatabaseSize", math.inf),
            ("dropout", "Dropout probability", 1.0),
            ("maf", "Minor allele frequency", 1.0),
        ):
            found = re.search(
                re.escape(label) + r"\s*=\s*([^\s,)]+)", info_match.group(2)
            )
            if not found:
                raise lines.error(f"locus {name!r}: no '{label} =' in {_show(info)}")
            values[key] = lines.real(
                f"{label} of locus {name!r}", 0.0, high, text=found.group(1)
            )
        if values["dropout"] >= 1.0:
            raise lines.error(f"locus {name!r}: drop-out probability must be < 1")
        if count == 0 or count * 2 > lines.remaining:
            raise lines.error(
                f"locus {name!r}: {count} alleles but only {lines.remaining} lines follow"
                if count
                else f"locus {name!r} has no alleles"
            )
        alleles: list[str] = []
        freqs: list[float] = []
        for _ in range(count):
            label_text = lines.string("an allele label")
            if not label_text.strip():
                raise lines.error(f"locus {name!r}: empty allele label")
            if label_text in alleles:
                raise lines.error(
                    f"locus {name!r}: duplicate allele label {label_text!r}"
                )
            alleles.append(label_text)
            freq = lines.real(f"the frequency of allele {label_text!r}")
            if freq <= 0.0:
                raise lines.error(
                    f"locus {name!r}: frequency of {label_text!r} must be > 0"
                )
            freqs.append(freq)
        specs = {}
        for sex, code, rate, rng, rate2 in (
            ("female", code_f, rate_f, range_f, rate2_f),
            ("male", code_m, rate_m, range_m, rate2_m),
        ):
            specs[sex] = _mutation_spec(code, rate, rng, rate2, sex, lines, line)
            if specs[sex] is not None and specs[sex].model.startswith("stepwise"):  # type: ignore[union-attr]
                _stepwise_labels(name, alleles, lines, line)
        total = sum(freqs)
        if abs(total - 1.0) > 1e-6:
            warnings.warn(
                f"{lines.source} line {line}: frequencies of locus {name!r} sum to "
                f"{total:.9g}; rescaled to 1",
                KinshipWarning,
                stacklevel=4,
            )
        mutation = None
        if specs["male"] is not None or specs["female"] is not None:
            mutation = SexMutation(male=specs["male"], female=specs["female"])
        try:
            marker = Marker(name, tuple(alleles), np.array(freqs), mutation)
            marker.male_matrix, marker.female_matrix  # noqa: B018 (validate now)
        except KinshipError as exc:
            raise lines.error(f"locus {name!r}: {exc}", line) from None
        fam.markers[name] = marker
        fam.locus_info[name] = LocusInfo(values["size"], values["maf"])
        fam.locus_dropout[name] = values["dropout"]
        sizes.append(count)
    return sizes


def _resolve_genotypes(raw: Sequence[_RawPerson], fam: FamFile, lines: _Lines) -> None:
    loci = list(fam.markers.values())
    for rp in raw:
        for a, b, locus, lineno in rp.triples:
            if locus >= len(loci):
                raise lines.error(
                    f"person {rp.person.name!r}: locus index {locus} out of range "
                    f"(0–{len(loci) - 1})",
                    lineno,
                )
            marker = loci[locus]
            if marker.name in rp.person.genotypes:
                raise lines.error(
                    f"person {rp.person.name!r}: locus {marker.name!r} listed twice",
                    lineno,
                )
            for idx in (a, b):
                if idx >= marker.n_alleles:
                    raise lines.error(
                        f"person {rp.person.name!r}: allele index {idx} out of range "
                        f"for locus {marker.name!r} (0–{marker.n_alleles - 1})",
                        lineno,
                    )
            rp.person.genotypes[marker.name] = (marker.alleles[a], marker.alleles[b])


def _main_pedigrees(
    raw: Sequence[_RawPerson], main: Any, lines: _Lines
) -> list[FamPedigree]:
    common_f, common_m, common, peds = main
    names = [rp.person.name for rp in raw]
    sexes = [rp.person.sex for rp in raw]
    taken = set(names)

    def extras(n_f: int, n_m: int, start: int) -> tuple[list[str], list[int]]:
        out_names, out_sex = [], []
        k = start
        for sex in [2] * n_f + [1] * n_m:
            k += 1
            while f"extra_{k}" in taken:
                k += 1
            out_names.append(f"extra_{k}")
            out_sex.append(sex)
        return out_names, out_sex

    c_names, c_sex = extras(common_f, common_m, 0)
    out = []
    if not peds:
        if names or c_names:
            ped = _build_pedigree(
                "known relations", names + c_names, sexes + c_sex, common, lines
            )
            out.append(FamPedigree("Known relations", ped))
        return out
    for name, _lineno, own_f, own_m, rels in peds:
        o_names, o_sex = extras(own_f, own_m, len(c_names))
        ped = _build_pedigree(
            f"pedigree {name!r}",
            names + c_names + o_names,
            sexes + c_sex + o_sex,
            list(common) + list(rels),
            lines,
        )
        out.append(FamPedigree(name, ped))
    return out


def parse_fam(data: bytes | str, *, source: str = "file") -> FamFile:
    """Parse the text or bytes of a ``.fam`` file (see docs/familias-format.md)."""
    if len(data) > MAX_BYTES:
        raise FamiliasError(f"{source}: larger than {MAX_BYTES // 2**20} MB")
    if isinstance(data, str):
        data = data.encode("utf-8", errors="surrogatepass")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = _Lines(_LineStore(data, _encoding(data, source)), source)
    version, dvi, raw, main = _read_main(lines)
    fam = FamFile(version, dvi, [rp.person for rp in raw], [], {})
    _read_database(lines, fam)
    _resolve_genotypes(raw, fam, lines)
    fam.pedigrees = _main_pedigrees(raw, main[0], lines)
    _read_tail(lines, fam)
    return fam


def read_fam(path: str | Path) -> FamFile:
    """Read a ``.fam`` file from disk (the name must end in ``.fam``)."""
    path = Path(path)
    if path.suffix.lower() != ".fam":
        raise FamiliasError(f"{path}: expected a Familias file ending in .fam")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise FamiliasError(f"{path}: larger than {MAX_BYTES // 2**20} MB")
        data = path.read_bytes()
    except OSError as exc:
        raise FamiliasError(f"cannot read {path}: {exc.strerror}") from None
    return parse_fam(data, source=str(path))


# ------------------------------------------------------------- DVI section


@dataclass(slots=True)
class _Item:
    lineno: int
    depth: int  # 0 for a value line, -1 for a blank line
    key: str  # heading name (trimmed) or value key
    value: str = ""


def _item_at(lines: _Lines, k: int) -> _Item:
    """Parse line ``k`` (0-based) of the INI-like part; made on demand, not stored."""
    line = lines.lines[k].rstrip(" \t")
    lineno = k + 1
    if not line:
        return _Item(lineno, -1, "")
    if line.startswith("["):
        depth = len(line) - len(line.lstrip("["))
        inner = line[depth:]
        if not inner.endswith("]" * depth) or inner[-depth - 1 : -depth] == "]":
            raise lines.error(f"malformed heading {_show(line)}", lineno)
        return _Item(lineno, depth, inner[:-depth].strip())
    if "=" in line:
        key, value = line.split("=", 1)
        return _Item(lineno, 0, key, value.removeprefix(" "))
    return _Item(lineno, 0, "", line)


class _Tree:
    """Sequential reader over the INI-like DVI section and settings."""

    def __init__(self, lines: _Lines) -> None:
        self.lines = lines
        self.pos = lines.pos
        self.end = len(lines.lines)

    def skip_blank(self) -> None:
        while self.pos < self.end and not self.lines.lines[self.pos].strip(" \t"):
            self.pos += 1

    def peek(self) -> _Item | None:
        self.skip_blank()
        return _item_at(self.lines, self.pos) if self.pos < self.end else None

    def _next(self, what: str) -> _Item:
        item = self.peek()
        if item is None:
            raise self.lines.error(
                f"unexpected end of file; expected {what}", self.end + 1
            )
        self.pos += 1
        return item

    def heading(self, depth: int, name: str, *, pattern: bool = False) -> _Item:
        shown = "[" * depth + name + "]" * depth
        item = self._next(shown)
        ok = item.depth == depth and (
            re.fullmatch(name, item.key) if pattern else item.key == name
        )
        if not ok:
            raise self.lines.error(
                f"expected the heading {shown}, got {_show(self.lines.lines[item.lineno - 1])}",
                item.lineno,
            )
        return item

    def value(self, key: str) -> tuple[str, int]:
        item = self._next(f"'{key}= ...'")
        if item.depth != 0 or item.key != key:
            raise self.lines.error(
                f"expected '{key}= ...', got {_show(self.lines.lines[item.lineno - 1])}",
                item.lineno,
            )
        return item.value.rstrip(" \t"), item.lineno

    def count(self, key: str) -> tuple[int, int]:
        text, lineno = self.value(key)
        if not _INT.fullmatch(text) or int(text) < 0:
            raise self.lines.error(
                f"expected {key}= a non-negative integer, got {_show(text)}", lineno
            )
        value = int(text)
        if value > self.end - self.pos:
            raise self.lines.error(
                f"{key}= {value} but only {self.end - self.pos} lines follow",
                lineno,
            )
        return value, lineno


def _dvi_person(
    tree: _Tree, depth: int, number: int, markers: Mapping[str, Marker], where: str
) -> tuple[str, int, Profile, int]:
    tree.heading(depth, rf"Person {number}", pattern=True)
    name, lineno = tree.value("Name")
    if not name:
        raise tree.lines.error(f"{where}: empty person name", lineno)
    gender, g_line = tree.value("Gender")
    if gender not in ("Male", "Female"):
        raise tree.lines.error(
            f"{where}: expected Gender= Male or Female for {name!r}, got {_show(gender)}",
            g_line,
        )
    tree.heading(depth + 1, "DNA data")
    n_systems, _ = tree.count("nSystems")
    profile: Profile = {}
    for _ in range(n_systems):
        locus, l_line = tree.value("SystemName")
        if locus not in markers:
            raise tree.lines.error(
                f"{where}: {name!r}: locus {locus!r} is not in the database", l_line
            )
        if locus in profile:
            raise tree.lines.error(
                f"{where}: {name!r}: locus {locus!r} listed twice", l_line
            )
        pair = []
        for key in ("Allele1", "Allele2"):
            allele, a_line = tree.value(key)
            if not markers[locus].has(allele):
                raise tree.lines.error(
                    f"{where}: {name!r}: allele {allele!r} of locus {locus!r} is not "
                    "in the database",
                    a_line,
                )
            pair.append(allele)
        profile[locus] = (pair[0], pair[1])
    return name, 1 if gender == "Male" else 2, profile, lineno


@dataclass
class _Note:
    family: str
    missing: str
    sex: int
    at: int


def _parse_note(text: str) -> _Note | None:
    if not text.startswith(NOTE_PREFIX):
        return None
    fields = dict(
        part.split("=", 1) for part in text[len(NOTE_PREFIX) :].split() if "=" in part
    )
    try:
        return _Note(
            unquote(fields["family"], errors="strict"),
            unquote(fields["missing"], errors="strict"),
            int(fields["sex"]) if fields["sex"] in ("0", "1", "2") else 0,
            int(fields["at"]) if _INT.fullmatch(fields["at"]) else -1,
        )
    except (KeyError, UnicodeDecodeError):
        return None


def _read_dvi(tree: _Tree, fam: FamFile) -> None:
    lines = tree.lines
    tree.heading(1, "DVI")
    tree.heading(2, "Unidentified persons")
    n_victims, _ = tree.count("nPersons")
    victims: dict[str, Victim] = {}
    for i in range(n_victims):
        name, sex, profile, lineno = _dvi_person(
            tree, 3, i + 1, fam.markers, "unidentified persons"
        )
        if name in victims:
            raise lines.error(f"duplicate unidentified person {name!r}", lineno)
        victims[name] = Victim(name, sex, profile)
    notes: list[str] = []
    item = tree.peek()
    if item is not None and item.depth == 2 and item.key == "Notes":
        tree.pos += 1
        n_notes, _ = tree.count("nFamilies")
        # Note lines are free text (blank in Familias' files): read up to the
        # next heading without interpreting them.
        while tree.pos < tree.end and not lines.lines[tree.pos].startswith("["):
            notes.append(lines.lines[tree.pos].rstrip(" \t"))
            tree.pos += 1
        while notes and not notes[-1] and len(notes) > n_notes:
            notes.pop()
        if len(notes) != n_notes:
            notes = []
    tree.heading(2, "Reference Families")
    n_families, _ = tree.count("nFamilies")
    raw_families = []
    for j in range(n_families):
        f_item = tree.heading(3, rf"Family {j + 1}", pattern=True)
        fname, f_line = tree.value("Name")
        where = f"family {fname!r}"
        tree.heading(4, "Persons")
        n_members, _ = tree.count("nPersons")
        members: dict[str, tuple[int, Profile]] = {}
        for k in range(n_members):
            name, sex, profile, lineno = _dvi_person(tree, 5, k + 1, fam.markers, where)
            if name in members:
                raise lines.error(f"{where}: duplicate person {name!r}", lineno)
            if name == MISSING_NAME:
                raise lines.error(
                    f"{where}: {MISSING_NAME!r} must not be listed under Persons",
                    lineno,
                )
            members[name] = (sex, profile)
        tree.heading(4, "Pedigrees")
        n_peds, p_line = tree.count("nPedigrees")
        peds: list[tuple[str, list[tuple[str, str, int]], int]] = []
        for p in range(n_peds):
            tree.heading(5, rf"Pedigree {p + 1}", pattern=True)
            pname, pl = tree.value("Name")
            n_rel, _ = tree.count("nRelations")
            rels = []
            for _ in range(n_rel):
                parent, r_line = tree.value("Parent")
                child, _ = tree.value("Child")
                rels.append((parent, child, r_line))
            peds.append((pname, rels, pl))
        note = _parse_note(notes[j]) if notes else None
        raw_families.append((fname, f_line, members, peds, note, f_item.lineno, p_line))
    families, missing = _dvi_families(raw_families, lines, n_families)
    fam.dvi_case = Case(dict(fam.markers), victims, families, missing)


def _choose_pedigree(
    where: str,
    peds: list[tuple[str, list[tuple[str, str, int]], int]],
    lines: _Lines,
    line: int,
) -> list[tuple[str, str, int]]:
    if not peds:
        raise lines.error(f"{where}: no pedigree", line)
    chosen = [p for p in peds if p[0] != REFERENCE_PEDIGREE] or peds
    shapes = {frozenset((a, b) for a, b, _ in p[1]) for p in chosen}
    if len(shapes) > 1:
        names = ", ".join(repr(p[0]) for p in chosen)
        raise lines.error(
            f"{where}: {len(shapes)} different pedigrees ({names}); Imena needs one "
            "pedigree per reference family",
            chosen[1][2],
        )
    return chosen[0][1]


def _infer_parent_sex(
    sex: dict[str, int], parents_of: Mapping[str, Sequence[tuple[str, int]]]
) -> None:
    """Give an unlisted parent the sex opposite to its co-parent's (in place).

    A breadth-first walk over co-parent pairs, linear in the relations (a
    hostile file cannot make it quadratic); contradictions are left for the
    two-parents-of-one-sex check.
    """
    partners: dict[str, list[str]] = {}
    for plist in parents_of.values():
        if len(plist) == 2 and plist[0][0] != plist[1][0]:
            (p1, _), (p2, _) = plist
            partners.setdefault(p1, []).append(p2)
            partners.setdefault(p2, []).append(p1)
    queue = [p for p in partners if sex.get(p) in (1, 2)]
    while queue:
        known = queue.pop()
        for other in partners[known]:
            if other not in sex:
                sex[other] = 3 - sex[known]
                queue.append(other)


def _dvi_families(
    raw_families: list[Any], lines: _Lines, n_families: int
) -> tuple[dict[str, Family], list[str]]:
    built: list[tuple[str, Family, str, _Note | None, int]] = []
    for fname, f_line, members, peds, note, _h_line, p_line in raw_families:
        where = f"family {fname!r}"
        rels = _choose_pedigree(where, peds, lines, p_line)
        if note is not None:
            missing_id = note.missing
        elif n_families == 1:
            missing_id = MISSING_NAME
        else:
            missing_id = f"{MISSING_NAME} [{fname}]"
        if missing_id in members:
            raise lines.error(
                f"{where}: the missing person's id {missing_id!r} is also a listed "
                "person",
                f_line,
            )
        sex: dict[str, int] = {n: s for n, (s, _) in members.items()}
        order = list(members)
        extra: dict[str, None] = {}
        if not any(MISSING_NAME in (a, b) for a, b, _ in rels):
            raise lines.error(
                f"{where}: no {MISSING_NAME!r} in the pedigree (each family needs "
                "exactly one)",
                p_line,
            )
        parents_of: dict[str, list[tuple[str, int]]] = {}
        for parent, child, r_line in rels:
            if parent == child:
                raise lines.error(f"{where}: {parent!r} is their own parent", r_line)
            for person in (parent, child):
                if person not in sex:
                    extra.setdefault(person)
            parents_of.setdefault(child, []).append((parent, r_line))
        if note is not None and note.sex:
            sex[MISSING_NAME] = note.sex
        _infer_parent_sex(sex, parents_of)
        fid: dict[str, str] = {}
        mid: dict[str, str] = {}
        for child, plist in parents_of.items():
            if len(plist) > 2:
                raise lines.error(
                    f"{where}: {child!r} has more than two parents", plist[2][1]
                )
            for parent, r_line in plist:
                if sex.get(parent, 0) not in (1, 2):
                    raise lines.error(
                        f"{where}: the sex of parent {parent!r} cannot be decided",
                        r_line,
                    )
                slot = fid if sex[parent] == 1 else mid
                if child in slot:
                    raise lines.error(
                        f"{where}: {child!r} has two parents of the same sex", r_line
                    )
                slot[child] = parent
        ids = order + [p for p in extra if p != MISSING_NAME]
        at = note.at if note is not None and 0 <= note.at <= len(ids) else len(ids)
        ids.insert(at, MISSING_NAME)
        rename = {MISSING_NAME: missing_id}
        ped_ids = [rename.get(i, i) for i in ids]
        try:
            ped = Pedigree.from_lists(
                ped_ids,
                [rename.get(fid.get(i, ""), fid.get(i)) for i in ids],
                [rename.get(mid.get(i, ""), mid.get(i)) for i in ids],
                [sex.get(i, 0) for i in ids],
                name=where,
            )
        except KinshipError as exc:
            raise lines.error(str(exc), p_line) from None
        genos = {n: prof for n, (_, prof) in members.items() if prof}
        built.append((fname, Family(fname, ped, genos), missing_id, note, f_line))
    return _merge_copies(built, lines)


def _merge_copies(
    built: list[tuple[str, Family, str, _Note | None, int]], lines: _Lines
) -> tuple[dict[str, Family], list[str]]:
    """Join the Familias families Imena wrote for one family with several missing."""
    families: dict[str, Family] = {}
    missing: list[str] = []
    seen_missing: set[str] = set()
    first_line: dict[str, int] = {}
    for fname, family, missing_id, note, f_line in built:
        key = note.family if note is not None else fname
        if key in families:
            old = families[key]
            same = old.pedigree == family.pedigree and old.genotypes == family.genotypes
            if note is None or not same:
                raise lines.error(
                    f"family {fname!r}: "
                    + (
                        f"its Imena note names family {key!r} (line {first_line[key]}) "
                        "but the pedigrees or genotypes differ"
                        if note is not None
                        else "duplicate family name"
                    ),
                    f_line,
                )
        else:
            families[key] = Family(key, family.pedigree, family.genotypes)
            first_line[key] = f_line
        if missing_id in seen_missing:
            raise lines.error(f"missing person {missing_id!r} appears twice", f_line)
        seen_missing.add(missing_id)
        missing.append(missing_id)
    return families, missing


def _read_tail(lines: _Lines, fam: FamFile) -> None:
    tree = _Tree(lines)
    item = tree.peek()
    if item is not None and item.depth == 1 and item.key == "DVI":
        if not fam.dvi:
            raise lines.error(
                "a [DVI] section but line 3 does not end in ' (DVI)'", item.lineno
            )
        _read_dvi(tree, fam)
    elif fam.dvi:
        warnings.warn(
            f"{lines.source}: line 3 says (DVI) but the file has no [DVI] section",
            KinshipWarning,
            stacklevel=3,
        )
    section = ""
    sub = ""
    while (item := tree.peek()) is not None:
        tree.pos += 1
        if item.depth == 1:
            if item.key not in ("Prior", "Advanced"):
                raise lines.error(
                    f"unexpected section [{item.key}] (expected [Prior] or [Advanced])",
                    item.lineno,
                )
            section, sub = item.key, ""
        elif item.depth > 1:
            if not section:
                raise lines.error(f"unexpected heading {_show(item.key)}", item.lineno)
            if item.depth == 2:
                sub = item.key
        elif not section or not item.key:
            raise lines.error(
                "unexpected line after the frequency database: "
                f"{_show(lines.lines[item.lineno - 1])}",
                item.lineno,
            )
        elif (section, sub, item.key) == ("Advanced", "Direct/Identity", "Dropout"):
            value = lines.real("Dropout=", 0.0, 1.0, text=item.value.strip())
            if value >= 1.0:
                raise lines.error("Dropout= must be < 1", item.lineno)
            # A setting of the DVI module's direct matching: a standard
            # case's drop-out is the loci's (with the persons' flags).
            if fam.dvi_case is not None:
                fam.settings_dropout = value


# ------------------------------------------------------- conversion to a case


def fam_to_case(fam: FamFile) -> Case:
    """Return the Imena case of a DVI file, or of a standard one-victim file.

    A standard file must have the shape :func:`write_fam_pair` writes: two
    pedigrees, ``H1`` with one typed person (the victim) in the place of an
    untyped person (the missing person) of ``H2``, who is unrelated in ``H1``,
    while the victim is unrelated in ``H2``.  Drop-out must be flagged on the
    victim only.
    """
    fam.dropout  # noqa: B018 (one drop-out value, or FamiliasError)
    if fam.dvi_case is not None:
        return fam.dvi_case
    expected = (
        "a standard file must have two pedigrees, H1 with the victim in the "
        "missing person's place and H2 with the victim unrelated (the shape "
        "imena dvi export-fam --victim writes)"
    )
    if len(fam.pedigrees) != 2:
        raise FamiliasError(f"{len(fam.pedigrees)} pedigree(s): {expected}")
    h1, h2 = (p.pedigree for p in fam.pedigrees)
    if h1.ids != h2.ids:
        raise FamiliasError(f"the pedigrees have different extra persons: {expected}")

    def connected(ped: Pedigree) -> set[int]:
        out: set[int] = set()
        for k in range(len(ped)):
            for par in (ped.father[k], ped.mother[k]):
                if par >= 0:
                    out.update((k, par))
        return out

    c1, c2 = connected(h1), connected(h2)
    persons = {p.name: p for p in fam.persons}
    victims = [k for k in c1 - c2 if persons.get(h1.ids[k], FamPerson("", 0)).genotypes]
    missing = [
        k for k in c2 - c1 if h1.ids[k] in persons and not persons[h1.ids[k]].genotypes
    ]
    if len(victims) != 1 or len(missing) != 1:
        raise FamiliasError(
            f"found {len(victims)} victim(s) and {len(missing)} missing person(s): "
            f"{expected}"
        )
    v, m = victims[0], missing[0]
    swap = {v: m, m: v}
    for k in range(len(h1)):
        for a, b in (
            (h1.father[k], h2.father[swap.get(k, k)]),
            (h1.mother[k], h2.mother[swap.get(k, k)]),
        ):
            if swap.get(a, a) != b:
                raise FamiliasError(
                    f"H1 is not H2 with {h1.ids[v]!r} in {h1.ids[m]!r}'s place: {expected}"
                )
    for p in fam.persons:
        if p.dropout and p.name != h1.ids[v]:
            raise FamiliasError(
                f"drop-out is flagged on {p.name!r}; Imena applies it to the victim only"
            )
    keep = [k for k in range(len(h2)) if k != v]
    pos = {k: i for i, k in enumerate(keep)}
    family = Pedigree(
        tuple(h2.ids[k] for k in keep),
        tuple(pos[h2.father[k]] if h2.father[k] >= 0 else -1 for k in keep),
        tuple(pos[h2.mother[k]] if h2.mother[k] >= 0 else -1 for k in keep),
        tuple(h2.sex[k] for k in keep),
    )
    fname = fam.pedigrees[1].name
    genos = {
        i: persons[i].genotypes
        for i in family.ids
        if i in persons and persons[i].genotypes
    }
    victim = persons[h1.ids[v]]
    return Case(
        dict(fam.markers),
        {victim.name: Victim(victim.name, victim.sex, dict(victim.genotypes))},
        {fname: Family(fname, family, genos)},
        [h1.ids[m]],
    )


def hypothesis_lrs(fam: FamFile) -> dict[str, Any]:
    """Likelihoods of a standard file's pedigrees, as Familias reports them.

    ``{"pedigrees": [{"name", "log10_likelihood"}], "LR": {name: LR}}`` with
    each LR against the last pedigree; persons flagged ``(Consider dropouts)``
    get the loci's drop-out.  θ > 0 is refused (``pedigree_loglik`` has no
    subpopulation correction for arbitrary pedigrees).
    """
    if not fam.pedigrees:
        raise FamiliasError("the file has no pedigree")
    if fam.theta > 0:
        raise FamiliasError(
            f"θ = {_num(fam.theta)}: likelihoods of the file's pedigrees are "
            "computed without θ only"
        )
    dropout = fam.dropout
    genos = {p.name: p.genotypes for p in fam.persons if p.genotypes}
    drop = {p.name: dropout for p in fam.persons if p.dropout and dropout > 0}
    logs = [
        pedigree_loglik(p.pedigree, genos, fam.markers, dropout=drop or None)
        for p in fam.pedigrees
    ]
    last = logs[-1]
    return {
        "pedigrees": [
            {
                "name": p.name,
                "log10_likelihood": x / math.log(10) if math.isfinite(x) else None,
            }
            for p, x in zip(fam.pedigrees, logs, strict=True)
        ],
        "LR": {
            p.name: (math.exp(x - last) if math.isfinite(last) else None)
            for p, x in zip(fam.pedigrees, logs, strict=True)
        },
    }


def case_to_dict(
    case: Case, fam: FamFile | None = None, *, dropout: float | None = None
) -> dict[str, Any]:
    """Return the interchange JSON structure of a case (docs/kinship.md).

    With ``fam`` the file's θ, drop-out and informational fields go under a
    ``"familias"`` key, which :func:`write_fam_dvi` reads back on export.
    """
    out: dict[str, Any] = {
        "markers": [_marker_dict(m) for m in case.markers.values()],
        "pm": {
            v.name: {
                "sex": v.sex,
                "genotypes": {k: list(g) for k, g in v.genotypes.items()},
            }
            for v in case.victims.values()
        },
        "am": {},
        "missing": list(case.missing),
    }
    for f in case.families.values():
        ped = f.pedigree
        out["am"][f.name] = {
            "id": list(ped.ids),
            "fid": [ped.ids[p] if p >= 0 else None for p in ped.father],
            "mid": [ped.ids[p] if p >= 0 else None for p in ped.mother],
            "sex": list(ped.sex),
            "genotypes": {
                i: {k: list(g) for k, g in prof.items()}
                for i, prof in f.genotypes.items()
            },
        }
    if fam is not None:
        out["familias"] = {
            "theta": fam.theta,
            "dropout": fam.dropout if dropout is None else dropout,
            "database": fam.database,
            "loci": {
                k: {"database_size": i.database_size, "maf": i.maf}
                for k, i in fam.locus_info.items()
            },
        }
    return out


def _marker_dict(marker: Marker) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": marker.name,
        "alleles": list(marker.alleles),
        "afreq": [float(x) for x in marker.freqs],
    }
    mut = marker.mutation
    if mut is not None and not mut.is_trivial:
        out["mutation"] = {
            sex: None
            if spec is None
            else {"model": spec.model, **{k: [v] for k, v in spec.params.items()}}
            for sex, spec in (("male", mut.male), ("female", mut.female))
        }
    return out


# ------------------------------------------------------------------ writing


def _num(x: float) -> str:
    x = float(x)
    if x == 0.0:
        return "0"
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


def _check_name(name: str, what: str, *, dvi: bool = False) -> str:
    if (
        not name
        or name != name.strip()
        or '"' in name
        or not name.isascii()
        or any(ord(c) < 32 or ord(c) == 127 for c in name)
    ):
        raise FamiliasError(
            f"cannot export {what} {name!r}: names must be printable ASCII without "
            "double quotes or surrounding spaces (use Imena's codes)"
        )
    if dvi and name.lower().startswith("missing"):
        raise FamiliasError(
            f"cannot export {what} {name!r}: only the missing person's name may "
            "start with 'Missing' in a DVI file (dvir would treat it as missing)"
        )
    return name


def _sex_bool(sex: int, who: str) -> str:
    if sex not in (1, 2):
        raise FamiliasError(
            f"cannot export {who}: unknown sex cannot be written to a Familias file"
        )
    return "#TRUE#" if sex == 1 else "#FALSE#"


def _mutation_lines(marker: Marker) -> tuple[list[str], list[str]]:
    """Rates, codes, ranges and rate2 per sex (female first) for a locus."""
    mut = marker.mutation
    values: dict[str, tuple[str, str, str, str]] = {}
    for sex in ("female", "male"):
        spec = getattr(mut, sex) if mut is not None else None
        params = dict(spec.params) if spec is not None else {}
        rate = float(params.get("rate", 0.0))
        model = spec.model if spec is not None else "none"
        if model in ("none", "trivial") or (rate == 0.0 and not params.get("rate2")):
            values[sex] = ("0", "0", "0", "0")
            continue
        if rate == 0.0:
            raise FamiliasError(
                f"cannot export marker {marker.name}: rate 0 with rate2 > 0 cannot "
                "be written (Familias reads rate 0 as no mutation)"
            )
        if model in ("equal", "proportional"):
            code = "0" if model == "equal" else "1"
            values[sex] = (_num(rate), code, "0", "0")
            continue
        if model not in ("stepwise", "stepwise_unstable"):
            raise FamiliasError(
                f"cannot export marker {marker.name}: mutation model {model!r} has "
                "no Familias code"
            )
        for a in marker.alleles:
            if not _STEP_LABEL.fullmatch(a) or float(a) < 1:
                raise FamiliasError(
                    f"cannot export marker {marker.name}: allele {a!r} does not fit "
                    "Familias' stepwise model (numbers ≥ 1, at most one decimal)"
                )
        rng = float(params.get("range", 0.1))
        rate2 = float(params.get("rate2", 0.0))
        code = "3" if model == "stepwise" else ("4" if rate2 > 0 else "2")
        values[sex] = (_num(rate), code, _num(rng), _num(rate2))
    f, m = values["female"], values["male"]
    head = [f[0], m[0], f[1], m[1]]
    tail = [f[2], m[2], f[3], m[3]]
    return head, tail


def _database_lines(
    markers: Mapping[str, Marker],
    *,
    theta: float,
    dropout: float,
    database: str,
    info: Mapping[str, Any],
) -> list[str]:
    out = [
        f"#FALSE# (#Databases: 1 ;Theta/Kinship/Fst: {_num(theta)} )",
        str(len(markers)),
        "#TRUE#",
        f'"{_check_name(database, "database name")}"',
    ]
    for marker in markers.values():
        head, tail = _mutation_lines(marker)
        loc = info.get(marker.name) or {}
        size = float(loc.get("database_size", 1000))
        maf = float(loc.get("maf", 0.0))
        out += [f'"{_check_name(marker.name, "locus")}"', *head, str(marker.n_alleles)]
        out += [*tail, "#FALSE#", "0"]
        out.append(
            f"{marker.n_alleles}\t(DatabaseSize = {_num(size)} , Dropout probability = "
            f"{_num(dropout)} , Minor allele frequency = {_num(maf)} )"
        )
        for allele, freq in zip(marker.alleles, marker.freqs, strict=True):
            out += [f'"{_check_name(allele, "allele label")}"', repr(float(freq))]
    return out


def _header(dvi: bool, produced: str, n_persons: int) -> list[str]:
    return [
        f'"Output from Familias, version {FAMILIAS_VERSION}"',
        f'"(Produced by Imena, {produced})"',
        FAMILIAS_VERSION + (" (DVI)" if dvi else ""),
        '""',
        str(n_persons),
    ]


def _check_export(case: Case, theta: float, dropout: float) -> None:
    for name, value in (("theta", theta), ("dropout", dropout)):
        if not 0.0 <= value < 1.0:
            raise FamiliasError(f"{name} must lie in [0, 1), got {value}")
    lineage = case.lineage
    if any((lineage.y_victims, lineage.mt_victims, lineage.y_refs, lineage.mt_refs)):
        warnings.warn(
            "Y-STR / mtDNA data cannot be written to a Familias file; left out",
            KinshipWarning,
            stacklevel=3,
        )


def _today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


def write_fam_dvi(
    case: Case,
    *,
    theta: float = 0.0,
    dropout: float = 0.0,
    database: str = "Imena",
    locus_info: Mapping[str, Any] | None = None,
    produced: str | None = None,
) -> str:
    """Return a whole case as a Familias DVI file (CRLF line endings).

    A family with several missing persons becomes one Familias family per
    missing person (the others untyped members), named ``<family> [<missing>]``;
    a per-family note (``Imena: family=... missing=... sex=... at=...``) lets
    :func:`parse_fam` join them again and keep the missing persons' ids and sexes,
    which a Familias DVI file does not hold.
    """
    _check_export(case, theta, dropout)
    lines = _header(True, produced or _today(), 0)
    lines += ['"Known relations"', "0", "0", "0", "0"]
    lines += _database_lines(
        case.markers,
        theta=theta,
        dropout=dropout,
        database=database,
        info=locus_info or {},
    )
    lines += ["", "[DVI]", "[[Unidentified persons]]", f"nPersons= {len(case.victims)}"]

    def person(
        depth: int, number: int, name: str, sex: int, prof: Profile
    ) -> list[str]:
        trail = " " if depth == 3 else ""
        out = [
            "[" * depth + f"Person {number}{trail}" + "]" * depth,
            f"Name= {name}",
            f"Gender= {'Male' if _sex_bool(sex, repr(name)) == '#TRUE#' else 'Female'}",
            "[" * (depth + 1) + "DNA data" + "]" * (depth + 1),
            f"nSystems= {len(prof)}",
        ]
        for locus in case.markers:
            if locus in prof:
                a, b = prof[locus]
                out += [f"SystemName= {locus}", f"Allele1= {a}", f"Allele2= {b}"]
        return out

    for i, v in enumerate(case.victims.values()):
        lines += person(
            3, i + 1, _check_name(v.name, "victim", dvi=True), v.sex, v.genotypes
        )
    copies = []
    for fam in case.families.values():
        _check_name(fam.name, "family")
        ped = fam.pedigree
        missing = [i for i in ped.ids if i in case.missing]
        if not missing:
            raise FamiliasError(
                f"cannot export family {fam.name!r}: it has no missing person"
            )
        for m in missing:
            copies.append(
                (fam, m, fam.name if len(missing) == 1 else f"{fam.name} [{m}]")
            )
    lines += ["[[Notes]]", f"nFamilies= {len(copies)}"]
    for fam, m, _ in copies:
        k = fam.pedigree.index(m)
        lines.append(
            f"{NOTE_PREFIX} family={quote(fam.name, safe='')} missing={quote(m, safe='')} "
            f"sex={fam.pedigree.sex[k]} at={k}"
        )
    lines += ["[[Reference Families]]", f"nFamilies= {len(copies)}"]
    for j, (fam, m, fname) in enumerate(copies):
        ped = fam.pedigree
        k_missing = ped.index(m)
        if ped.is_founder(k_missing) and k_missing not in ped.father + ped.mother:
            raise FamiliasError(
                f"cannot export family {fam.name!r}: missing person {m!r} has no "
                "relative in the pedigree"
            )
        lines += [f"[[[Family {j + 1} ]]]", f"Name= {fname}", "[[[[Persons]]]]"]
        members = [i for i in ped.ids if i != m]
        sex_of = dict(zip(ped.ids, ped.sex, strict=True))
        lines.append(f"nPersons= {len(members)}")
        for n, ident in enumerate(members):
            _check_name(ident, f"member of family {fam.name!r}", dvi=True)
            lines += person(
                5, n + 1, ident, sex_of[ident], fam.genotypes.get(ident, {})
            )
        rels = []
        for k, child in enumerate(ped.ids):
            for par in (ped.father[k], ped.mother[k]):
                if par >= 0:
                    rels.append(
                        (
                            MISSING_NAME if ped.ids[par] == m else ped.ids[par],
                            MISSING_NAME if child == m else child,
                        )
                    )
        lines += ["[[[[Pedigrees]]]]", "nPedigrees= 2"]
        for p, pname in enumerate((REFERENCE_PEDIGREE, fname)):
            lines += [
                f"[[[[[Pedigree {p + 1}]]]]]",
                f"Name= {pname}",
                f"nRelations= {len(rels)}",
            ]
            for parent, child in rels:
                lines += [f"Parent= {parent}", f"Child= {child}"]
    lines += [
        "[Prior]",
        "UseList= No",
        f"Size= {len(case.victims)}",
        "[Advanced]",
        "[[Direct/Identity]]",
        "Dropin= 0",
        f"Dropout= {_num(dropout)}",
        "Error= 0",
        "[[Other]]",
        "NumberOfDecimals= 4",
        "[[DVI]]",
        "QuickSearch= Disabled",
        "AllowedMismatches= 0",
        "[[Simulation]]",
        "SaveGenotypes= Disabled",
        "SaveComplete= Disabled",
        "ForceMAF= Disabled",
    ]
    return "\r\n".join(lines) + "\r\n"


def write_fam_pair(
    case: Case,
    victim: str,
    missing: str,
    *,
    theta: float = 0.0,
    dropout: float = 0.0,
    database: str = "Imena",
    locus_info: Mapping[str, Any] | None = None,
    produced: str | None = None,
) -> str:
    """Return one victim against one missing person as a standard file.

    Persons are the family's members (the missing person untyped) and the
    victim; pedigree ``H1`` puts the victim in the missing person's place,
    pedigree ``H2`` (named after the family) leaves the victim unrelated, so
    Familias' LR H1/H2 is Imena's pairwise LR.
    """
    _check_export(case, theta, dropout)
    if victim not in case.victims:
        raise FamiliasError(f"no victim {victim!r} in the case")
    if missing not in case.missing:
        raise FamiliasError(f"no missing person {missing!r} in the case")
    fam = case.families[case.missing_family[missing]]
    ped = fam.pedigree
    if victim in ped.ids:
        raise FamiliasError(
            f"victim {victim!r} has the name of a member of family {fam.name!r}"
        )
    v = case.victims[victim]
    m_sex = ped.sex[ped.index(missing)]
    if v.sex in (1, 2) and m_sex in (1, 2) and v.sex != m_sex:
        raise FamiliasError(
            f"victim {victim!r} and missing person {missing!r} differ in sex: "
            "Imena's LR is 0, Familias would compute one"
        )
    names = [*ped.ids, victim]
    sexes = [*ped.sex, v.sex]
    profiles = [fam.genotypes.get(i, {}) for i in ped.ids] + [v.genotypes]
    index = {n: k for k, n in enumerate(names)}
    loci = list(case.markers)
    lines = _header(False, produced or _today(), len(names))
    for k, name in enumerate(names):
        _check_name(name, "person")
        prof = profiles[k]
        flag = " (Consider dropouts)" if name == victim and dropout > 0 and prof else ""
        lines += [
            f'"{name}"',
            "#FALSE#",
            f"-1{flag}",
            "#FALSE#",
            _sex_bool(sexes[k], repr(name)),
        ]
        typed = [(loc, prof[loc]) for loc in loci if loc in prof]
        lines.append(str(len(typed)))
        for loc, (a, b) in typed:
            marker = case.markers[loc]
            lines += [str(marker.index(a)), str(marker.index(b)), str(loci.index(loc))]
    lines += ['"Known relations"', "0", "0", "0", "2"]

    def relations(put: str | None) -> list[str]:
        out = []
        for k, child in enumerate(ped.ids):
            for par in (ped.father[k], ped.mother[k]):
                if par >= 0:
                    p_name, c_name = ped.ids[par], child
                    if put is not None:
                        p_name = put if p_name == missing else p_name
                        c_name = put if c_name == missing else c_name
                    out += [str(index[p_name]), str(index[c_name])]
        return out

    h1, h2 = relations(victim), relations(None)
    _check_name(fam.name, "family")
    lines += ["0", f'"H1 {victim} is {missing}"', "0", "0", str(len(h1) // 2), *h1]
    lines += ["1", f'"{fam.name}"', "0", "0", str(len(h2) // 2), *h2]
    lines += _database_lines(
        case.markers,
        theta=theta,
        dropout=dropout,
        database=database,
        info=locus_info or {},
    )
    return "\r\n".join(lines) + "\r\n"
