"""Reading a post-mortem DNA profile file with the pure ``kinship`` readers.

Two formats: a GeneMapper-style CSV (``kinship.genemapper``) and the JSON case
format of ``shared/data/dvi-examples`` (its ``pm`` part; ``kinship.case``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from kinship.case import load_case, read_profile
from kinship.errors import KinshipError
from kinship.genemapper import read_genemapper_csv

MAX_PROFILE_BYTES = 5 * 1024 * 1024


class ProfileFileError(ValueError):
    pass


@dataclass(frozen=True)
class ParsedProfile:
    sample: str
    genotypes: dict[str, tuple[str, str]]
    sex: int
    source_format: str


def _pick(found: dict[str, Any], wanted: Sequence[str], filename: str) -> str:
    for name in wanted:
        if name in found:
            return name
    if len(found) == 1:
        return next(iter(found))
    raise ProfileFileError(
        _("%(file)s holds %(n)d samples and none is named %(names)s.")
        % {"file": filename, "n": len(found), "names": " / ".join(wanted)}
    )


def parse_profile(text: str, *, filename: str, wanted: Sequence[str]) -> ParsedProfile:
    """Parse ``text`` and return the profile of the sample named in ``wanted``."""
    stripped = text.lstrip("\ufeff \n\r\t")
    try:
        if stripped.startswith("{"):
            return _parse_json(stripped, filename, wanted)
        profiles = read_genemapper_csv(text if "\n" in text else text + "\n")
    except KinshipError as e:
        raise ProfileFileError(f"{filename}: {e}") from None
    if not profiles:
        raise ProfileFileError(_("%(file)s holds no profiles.") % {"file": filename})
    name = _pick(profiles, wanted, filename)
    return ParsedProfile(name, profiles[name], 0, "genemapper-csv")


def _parse_json(text: str, filename: str, wanted: Sequence[str]) -> ParsedProfile:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ProfileFileError(
            _("%(file)s: invalid JSON (%(error)s).") % {"file": filename, "error": e}
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("pm"), dict):
        raise ProfileFileError(
            _("%(file)s: no “pm” object with post-mortem profiles.") % {"file": filename}
        )
    if {"markers", "am", "missing"} <= set(data):
        case = load_case(data)
        victims = {k: (v.sex, v.genotypes) for k, v in case.victims.items()}
    else:
        victims = {}
        for vid, v in data["pm"].items():
            raw = v.get("genotypes") if isinstance(v, dict) else None
            loci = dict.fromkeys(raw or {}, None)
            victims[str(vid)] = (
                int(v.get("sex") or 0), read_profile(raw, str(vid), loci, set())
            )
    if not victims:
        raise ProfileFileError(_("%(file)s holds no profiles.") % {"file": filename})
    name = _pick(victims, wanted, filename)
    sex, genotypes = victims[name]
    return ParsedProfile(name, dict(genotypes), sex if sex in (0, 1, 2) else 0, "dvi-json")
