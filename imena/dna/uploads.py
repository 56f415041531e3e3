"""Reading an uploaded profile file: GeneMapper-style CSV or dvi-examples JSON.

Lineage markers (issue 18) come in the same files: Y-STR loci (``DYS...``,
``DYF...``, ``Y-GATA-...``) of a genotyping export go to the profile's
``ystr``, a CSV with ``Range`` and ``Variants`` columns is mtDNA, and a case
file's ``pm[V].ystr/mtdna`` and ``am[F].ystr/mtdna`` are read as
``kinship.lineage`` reads them (docs/kinship.md).  Each profile is then
``{"sex", "genotypes", "ystr"?, "mtdna"?}``.

The one reader of profile files for every app: ``dna`` (batch uploads),
``exhumations`` (one post-mortem sample) and ``missing`` (one reference sample,
or a family from a case file).  Parsing is done by ``kinship``
(``read_genemapper_csv``, ``read_victims``, ``read_families``); this module
adds the size limit, the translated messages and the choice of sample.

Loci are renamed to the norSTR spelling (``VWA`` is ``vWA``), or to the
file's own marker list for a case file that has one; other loci are skipped
with a warning.  An amelogenin call gives the sex when the file does not.
Three or more alleles at a locus, or an allele that is not an STR repeat
number, is an error naming the sample and the locus.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from imena.lib.safejson import UnsafeJSON, loads_untrusted
from kinship.case import read_families, read_victims
from kinship.errors import KinshipError
from kinship.genemapper import amelogenin_sex, known_loci, read_genemapper_csv
from kinship.lineage import (
    NULL,
    Haplotype,
    format_haplotype,
    format_mt,
    is_known_y_locus,
    is_mtdna_csv,
    parse_haplotype,
    parse_mt,
    read_mtdna_csv,
    split_ystr_csv,
)
from kinship.markers import load_frequency_table

#: An STR allele: repeat number with an optional micro-variant (``9.3``); an
#: off-ladder ``<`` / ``>`` call is not accepted.
ALLELE = re.compile(r"^\d{1,3}(\.\d)?$")


class ProfileFileError(ValueError):
    """A file that cannot be used; the message names file, sample and locus."""


@dataclass
class ParsedFile:
    """Every profile of one file: ``{sample: {"sex", "genotypes"}}``."""

    source_format: str
    sha256: str = ""
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass
class CaseFamily:
    """A reference family of a dvi-examples case, as ``missing`` imports it."""

    name: str
    ids: list[str]
    fid: list[str | None]
    mid: list[str | None]
    sex: list[int]
    genotypes: dict[str, dict[str, list[str]]]
    missing: list[str]
    warnings: list[str] = field(default_factory=list)
    # Lineage markers (issue 18), normalised: {member: haplotype / sequence}.
    ystr: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    mtdna: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def typed(self) -> list[str]:
        """Members with any marker, in pedigree order."""
        have = {m for m, g in self.genotypes.items() if g} | set(self.ystr)
        return [m for m in self.ids if m in have or m in self.mtdna]


def parse_profile_file(
    handle: IO[bytes],
    *,
    filename: str,
    max_bytes: int | None = None,
    parts: Sequence[str] = ("pm", "am"),
) -> ParsedFile:
    """Read every profile of a file; raise :class:`ProfileFileError` on bad input.

    ``max_bytes`` defaults to ``settings.IMENA_MAX_PROFILE_BYTES``; ``parts``
    are the parts of a JSON case that are read.
    """
    raw, sha256 = read_upload(handle, filename=filename, max_bytes=max_bytes)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Spreadsheets saved on Ukrainian Windows.
        try:
            text = raw.decode("cp1251")
        except UnicodeDecodeError:
            raise ProfileFileError(
                _("%(file)s is not UTF-8 text.") % {"file": filename}
            ) from None
    stripped = text.lstrip()
    if not stripped:
        raise ProfileFileError(_("%(file)s is empty.") % {"file": filename})
    try:
        if stripped.startswith("{"):
            parsed = _parse_json(_load_json(stripped, filename), filename, parts)
        else:
            parsed = _parse_csv(text)
    except KinshipError as e:
        raise ProfileFileError(f"{filename}: {e}") from None
    parsed.sha256 = sha256
    if not parsed.profiles:
        raise ProfileFileError(_("%(file)s holds no profiles.") % {"file": filename})
    return parsed


def read_upload(
    handle: IO[bytes], *, filename: str, max_bytes: int | None = None
) -> tuple[bytes, str]:
    """Return the bytes of an upload and their SHA-256, within the size limit."""
    limit = settings.IMENA_MAX_PROFILE_BYTES if max_bytes is None else max_bytes
    digest = hashlib.sha256()
    chunks = []
    size = 0
    for chunk in iter(lambda: handle.read(1 << 16), b""):
        size += len(chunk)
        if size > limit:
            raise ProfileFileError(
                _("%(file)s is larger than %(n)d bytes.")
                % {"file": filename, "n": limit}
            )
        digest.update(chunk)
        chunks.append(chunk)
    return b"".join(chunks), digest.hexdigest()


def pick_profile(
    parsed: ParsedFile, wanted: Sequence[str], *, filename: str
) -> tuple[str, dict[str, Any]]:
    """Return the profile named by the first of ``wanted`` in the file.

    A file holding one profile gives that profile whatever its name.
    """
    for name in wanted:
        if name in parsed.profiles:
            return name, parsed.profiles[name]
    if len(parsed.profiles) == 1:
        return next(iter(parsed.profiles.items()))
    raise ProfileFileError(
        ngettext(
            "%(file)s holds %(n)d sample and none is named %(names)s.",
            "%(file)s holds %(n)d samples and none is named %(names)s.",
            len(parsed.profiles),
        )
        % {"file": filename, "n": len(parsed.profiles), "names": " / ".join(wanted)}
    )


def families_from_case(data: Any) -> list[CaseFamily]:
    """The reference families (``am``) of a dvi-examples JSON case, validated.

    Pedigrees are checked by ``kinship`` (unknown parents, cycles, a father
    who is female, ...); genotypes follow the rules of :func:`parse_profile_file`.
    """
    if not isinstance(data, Mapping) or not isinstance(data.get("am"), Mapping):
        raise ProfileFileError(_("The file has no “am” object of reference families."))
    markers = tuple(_markers(data))
    # Position of each missing member in the file's list (a set: a case of
    # 50,000 families must not scan the whole list once per family).
    missing = {str(m): k for k, m in enumerate(data.get("missing") or [])}
    try:
        families = read_families(data["am"], None, set())
    except KinshipError as e:
        raise ProfileFileError(str(e)) from None
    out = []
    for fam in families.values():
        ped = fam.pedigree
        warnings: list[str] = []  # unknown loci are skipped, as in an upload
        try:
            lineage = _lineage_json({"am": {fam.name: data["am"][fam.name]}}, ("am",))
        except KinshipError as e:
            raise ProfileFileError(f"{fam.name}: {e}") from None
        unknown = sorted(set(lineage) - set(ped.ids))
        if unknown:
            raise ProfileFileError(
                _("Family %(family)s: lineage markers of %(member)s, not a member.")
                % {"family": fam.name, "member": unknown[0]}
            )
        out.append(
            CaseFamily(
                fam.name,
                list(ped.ids),
                [ped.ids[k] if k >= 0 else None for k in ped.father],
                [ped.ids[k] if k >= 0 else None for k in ped.mother],
                list(ped.sex),
                {
                    member: _clean(member, g, markers, warnings)[1]
                    for member, g in fam.genotypes.items()
                },
                sorted((i for i in ped.ids if i in missing), key=missing.__getitem__),
                warnings,
                {
                    m: format_haplotype(v["ystr"])
                    for m, v in lineage.items()
                    if "ystr" in v
                },
                {m: v["mtdna"] for m, v in lineage.items() if "mtdna" in v},
            )
        )
    return out


def _load_json(text: str, filename: str) -> Any:
    try:
        return loads_untrusted(text)
    except (json.JSONDecodeError, UnsafeJSON) as e:
        raise ProfileFileError(
            _("%(file)s: invalid JSON (%(error)s).") % {"file": filename, "error": e}
        ) from None


def _markers(data: Mapping[str, Any]) -> list[str]:
    """The norSTR loci, then those of the case file's own marker list."""
    own = data.get("markers") or []
    return [
        *load_frequency_table(),
        *(str(m["name"]) for m in own if isinstance(m, Mapping) and "name" in m),
    ]


def _clean(
    sample: str,
    genotypes: Mapping[str, Iterable[str]],
    markers: Iterable[str] | None,
    warnings: list[str],
) -> tuple[int, dict[str, list[str]]]:
    """Return (amelogenin sex, genotypes at known loci) of one sample."""
    as_lists = {locus: [str(a).strip() for a in g] for locus, g in genotypes.items()}
    known, unknown = known_loci(as_lists, markers)
    for locus in unknown:
        warnings.append(
            _("Sample %(sample)s: locus %(locus)s is not in the norSTR table; skipped.")
            % {"sample": sample, "locus": locus}
        )
    for locus, alleles in known.items():
        for a in alleles:
            if not ALLELE.match(a):
                raise ProfileFileError(
                    _(
                        "Sample %(sample)s, locus %(locus)s: “%(allele)s” is not an allele."
                    )
                    % {"sample": sample, "locus": locus, "allele": a}
                )
    return amelogenin_sex(as_lists), known


def _parse_csv(text: str) -> ParsedFile:
    text = text if "\n" in text else text + "\n"
    if is_mtdna_csv(text):
        out = ParsedFile("mtdna-csv")
        for sample, seq in read_mtdna_csv(text).items():
            out.profiles[sample] = {"sex": 0, "genotypes": {}, "mtdna": format_mt(seq)}
        return out
    rest, ystr = split_ystr_csv(text)
    out = ParsedFile("genemapper-csv" if rest else "ystr-csv")
    profiles = read_genemapper_csv(rest) if rest else {}
    for sample, prof in profiles.items():
        sex, genotypes = _clean(sample, prof, None, out.warnings)
        out.profiles[sample] = {"sex": sex, "genotypes": genotypes}
    for sample, haplotype in ystr.items():
        _add_ystr(
            out.profiles.setdefault(sample, {"sex": 0, "genotypes": {}}), haplotype
        )
        for locus in haplotype:
            if not is_known_y_locus(locus):
                out.warnings.append(
                    _(
                        "Sample %(sample)s: locus %(locus)s is not a known Y-STR "
                        "locus; kept in the Y-STR haplotype."
                    )
                    % {"sample": sample, "locus": locus}
                )
    return out


def _add_ystr(entry: dict[str, Any], haplotype: Haplotype) -> None:
    entry["ystr"] = format_haplotype(haplotype)
    if not entry.get("sex") and any(
        a != NULL for alleles in haplotype.values() for a in alleles
    ):
        entry["sex"] = 1  # a Y chromosome was typed


def _lineage_json(
    data: Mapping[str, Any], parts: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """``{sample: {"ystr": ..., "mtdna": ...}}`` of a case file (issue 18 fields)."""
    out: dict[str, dict[str, Any]] = {}
    sources: list[tuple[str, Any, Any]] = []
    if "pm" in parts:
        for name, v in (data.get("pm") or {}).items():
            if isinstance(v, Mapping):
                sources.append((str(name), v.get("ystr"), v.get("mtdna")))
    if "am" in parts:
        for fam in (data.get("am") or {}).values():
            if not isinstance(fam, Mapping):
                continue
            ys, mts = fam.get("ystr") or {}, fam.get("mtdna") or {}
            for member in {*ys, *mts}:
                sources.append((str(member), ys.get(member), mts.get(member)))
    for name, y, mt in sources:
        if y:
            out.setdefault(name, {})["ystr"] = parse_haplotype(y)
        if mt:
            if not isinstance(mt, Mapping) or "range" not in mt:
                raise KinshipError(f"sample {name}: mtdna needs 'variants' and 'range'")
            seq = parse_mt(mt.get("variants") or "", str(mt["range"]))
            out.setdefault(name, {})["mtdna"] = format_mt(seq)
    return out


def _parse_json(data: Any, filename: str, parts: Sequence[str]) -> ParsedFile:
    if not isinstance(data, dict) or not any(
        isinstance(data.get(p), dict) for p in parts
    ):
        raise ProfileFileError(
            _("%(file)s: expected a “pm” or “am” object as in the dvi-examples format.")
            % {"file": filename}
        )
    out = ParsedFile("dvi-json")
    markers = _markers(data)
    raw: list[tuple[str, int, Mapping[str, Any]]] = []
    if "pm" in parts:
        for name, victim in read_victims(data.get("pm") or {}, None, set()).items():
            raw.append((name, victim.sex, victim.genotypes))
    if "am" in parts:
        for fam in read_families(data.get("am") or {}, None, set()).values():
            ped = fam.pedigree
            for member, prof in fam.genotypes.items():
                raw.append((member, ped.sex[ped.index(member)], prof))
    for sample, sex, genotypes in raw:
        amel_sex, checked = _clean(sample, genotypes, markers, out.warnings)
        sex = sex if sex in (0, 1, 2) else 0
        out.profiles[sample] = {"sex": sex or amel_sex, "genotypes": checked}
    for sample, lineage in _lineage_json(data, parts).items():
        entry = out.profiles.setdefault(sample, {"sex": 0, "genotypes": {}})
        if "ystr" in lineage:
            _add_ystr(entry, lineage["ystr"])
        if "mtdna" in lineage:
            entry["mtdna"] = lineage["mtdna"]
    return out


def read_lineage_table(
    handle: IO[bytes], *, filename: str, kind: str
) -> tuple[list[dict[str, Any]], dict[str, float], str]:
    """Read a lineage population table: ``(rows, rates, sha256)``.

    CSV: Y-STR haplotypes as a genotyping export (one sample a haplotype) or
    mtDNA ``Sample,Range,Variants``; JSON: ``{"haplotypes": [...], "rates":
    {locus: rate}}`` or ``{"sequences": [...], "rate": r}`` as in a case file.
    """
    raw, sha256 = read_upload(handle, filename=filename, max_bytes=None)
    text = raw.decode("utf-8-sig", errors="replace")
    if not text.strip():
        raise ProfileFileError(_("%(file)s is empty.") % {"file": filename})
    try:
        if text.lstrip().startswith("{"):
            data = _load_json(text, filename)
            if not isinstance(data, Mapping):
                raise KinshipError("expected a JSON object")
            if kind == "ystr":
                rows = list(data.get("haplotypes") or [])
                rates = dict(data.get("rates") or {})
            else:
                rows = list(data.get("sequences") or [])
                rates = {"rate": data["rate"]} if "rate" in data else {}
            return rows, rates, sha256
        if kind == "ystr":
            _rest, haps = split_ystr_csv(text if "\n" in text else text + "\n")
            return [format_haplotype(h) for h in haps.values()], {}, sha256
        seqs = read_mtdna_csv(text if "\n" in text else text + "\n")
        return [format_mt(s) for s in seqs.values()], {}, sha256
    except (KinshipError, TypeError, ValueError) as e:
        raise ProfileFileError(f"{filename}: {e}") from None
