"""Reading an uploaded profile file: GeneMapper-style CSV or dvi-examples JSON.

Parsing is done by ``kinship`` (``read_genemapper_csv``, ``read_profile``).
Three or more alleles at a locus, or an allele that is not an STR repeat
number, is an error naming the sample and the locus; a locus outside the
norSTR table is a warning and is skipped.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils.translation import gettext as _

from imena.dna.screening import canonical_locus
from kinship import KinshipError, read_genemapper_csv
from kinship.case import read_profile

#: An STR allele: repeat number with an optional micro-variant (``9.3``), or
#: an off-ladder ``<`` / ``>`` call is not accepted.
ALLELE = re.compile(r"^\d{1,3}(\.\d)?$")


class _Everything(dict):  # type: ignore[type-arg]
    """A marker map that contains every locus name (for ``read_profile``)."""

    def __contains__(self, key: object) -> bool:
        return True


_EVERY_LOCUS: Any = _Everything()


class ProfileFileError(ValueError):
    """A file that cannot be stored; the message names sample and locus."""


@dataclass
class ParsedFile:
    source_format: str
    sha256: str
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _check_alleles(sample: str, genotypes: dict[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for locus, alleles in genotypes.items():
        values = [str(a).strip() for a in alleles]
        for a in values:
            if not ALLELE.match(a):
                raise ProfileFileError(
                    _(
                        "Sample %(sample)s, locus %(locus)s: “%(allele)s” is not an allele."
                    )
                    % {"sample": sample, "locus": locus, "allele": a}
                )
        out[locus] = values
    return out


def _unknown_loci(sample: str, genotypes: dict[str, Any], warnings: list[str]) -> dict:
    kept = {}
    for locus, g in genotypes.items():
        name = canonical_locus(locus)
        if name is not None:
            kept[name] = g
        else:
            warnings.append(
                _(
                    "Sample %(sample)s: locus %(locus)s is not in the norSTR table; skipped."
                )
                % {"sample": sample, "locus": locus}
            )
    return kept


def parse_profile_file(
    handle: IO[bytes], *, filename: str, max_bytes: int
) -> ParsedFile:
    """Read every profile of a file; raise :class:`ProfileFileError` on bad input."""
    digest = hashlib.sha256()
    chunks = []
    size = 0
    for chunk in iter(lambda: handle.read(1 << 16), b""):
        size += len(chunk)
        if size > max_bytes:
            raise ProfileFileError(
                _("%(file)s is larger than %(n)d bytes.")
                % {"file": filename, "n": max_bytes}
            )
        digest.update(chunk)
        chunks.append(chunk)
    try:
        text = b"".join(chunks).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ProfileFileError(
            _("%(file)s is not UTF-8 text.") % {"file": filename}
        ) from None
    stripped = text.lstrip()
    if not stripped:
        raise ProfileFileError(_("%(file)s is empty.") % {"file": filename})
    try:
        if stripped.startswith("{"):
            parsed = _parse_json(stripped, filename)
        else:
            parsed = _parse_csv(text)
    except KinshipError as e:
        raise ProfileFileError(f"{filename}: {e}") from None
    parsed.sha256 = digest.hexdigest()
    if not parsed.profiles:
        raise ProfileFileError(_("%(file)s holds no profiles.") % {"file": filename})
    return parsed


def _parse_csv(text: str) -> ParsedFile:
    out = ParsedFile("genemapper-csv", "")
    for sample, prof in read_genemapper_csv(
        text if "\n" in text else text + "\n"
    ).items():
        known = _unknown_loci(
            sample, {k: list(v) for k, v in prof.items()}, out.warnings
        )
        genotypes = _check_alleles(sample, known)
        out.profiles[sample] = {"sex": 0, "genotypes": genotypes}
    return out


def _parse_json(text: str, filename: str) -> ParsedFile:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ProfileFileError(
            _("%(file)s: invalid JSON (%(error)s).") % {"file": filename, "error": e}
        ) from None
    if not isinstance(data, dict) or not (
        isinstance(data.get("pm"), dict) or isinstance(data.get("am"), dict)
    ):
        raise ProfileFileError(
            _("%(file)s: expected a “pm” or “am” object as in the dvi-examples format.")
            % {"file": filename}
        )
    out = ParsedFile("dvi-json", "")
    raw: list[tuple[str, int, Any]] = []
    for sample, v in (data.get("pm") or {}).items():
        if not isinstance(v, dict):
            raise KinshipError(f"sample {sample!r}: expected an object")
        raw.append((str(sample), int(v.get("sex") or 0), v.get("genotypes")))
    for fam_name, fam in (data.get("am") or {}).items():
        if not isinstance(fam, dict):
            raise KinshipError(f"family {fam_name!r}: expected an object")
        sexes = dict(zip(fam.get("id") or [], fam.get("sex") or [], strict=False))
        for member, prof in (fam.get("genotypes") or {}).items():
            raw.append((str(member), int(sexes.get(member) or 0), prof))
    for sample, sex, genotypes in raw:
        # With a marker map holding every name, read_profile reads every locus
        # (three alleles are an error naming sample and locus); loci outside
        # the norSTR table are dropped after, with a warning.
        prof = read_profile(genotypes, sample, _EVERY_LOCUS, set())
        known = _unknown_loci(
            sample, {k: list(g) for k, g in prof.items()}, out.warnings
        )
        checked = _check_alleles(sample, known)
        out.profiles[sample] = {"sex": sex, "genotypes": checked}
    return out
