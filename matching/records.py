"""Plain AM and PM records, keyed by the vocabulary (see ``matching.vocabulary``).

The Django side builds these from its models (or from the simulator's JSON with
``AMRecord.from_dict`` / ``PMRecord.from_dict``); the comparison code reads nothing
else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

from matching.vocabulary import is_valid_fdi


@dataclass(frozen=True)
class Particular:
    """One distinguishing mark or device (vocabulary §5 and §6 fractures).

    ``kind`` is a ``particular_kind`` code; ``subtype`` holds the kind's own list
    (scar cause, implant or prosthesis type, amputation level, PM fracture state).
    """

    kind: str
    region: str | None = None
    side: str | None = None
    subtype: str | None = None
    serial: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Tooth:
    """One tooth on one chart (vocabulary §7).

    ``surfaces`` are the restored surfaces (``M``, ``O``, ``I``, ``D``, ``B``,
    ``F``, ``L``, ``P``); ``endodontics`` holds ``root_filling`` and/or ``post``.
    """

    status: str = "present_sound"
    restoration: str | None = None
    surfaces: frozenset[str] = frozenset()
    crown: str | None = None
    bridge: str | None = None
    implant: str | None = None
    endodontics: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Item:
    """A clothing item (§8) or a personal effect (§9)."""

    category: str
    colours: frozenset[str] = frozenset()
    pattern: str | None = None
    material: str | None = None
    size_eu: float | None = None
    label_text: str | None = None
    serial: str | None = None


@dataclass(frozen=True)
class Document:
    """An identity document (§9): the kind, its number and the name written on it."""

    kind: str
    number: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class AMRecord:
    """Ante-mortem data of one missing person.

    ``age_min``/``age_max`` are the age at disappearance (a range when the date of
    birth is partial). ``particulars_asked`` says the family was asked about marks
    and devices, so a major PM feature they did not mention counts against.
    """

    person_id: str
    family_name: str = ""
    given_names: str = ""
    patronymic: str = ""
    sex: str | None = None
    age_min: float | None = None
    age_max: float | None = None
    stature_cm: float | None = None
    stature_source: str | None = None
    build: str | None = None
    hair_colour: str | None = None
    eye_colour: str | None = None
    particulars: tuple[Particular, ...] = ()
    particulars_asked: bool = True
    dental: Mapping[int, Tooth] = field(default_factory=dict)
    dental_reliable: bool = True
    clothing: tuple[Item, ...] = ()
    effects: tuple[Item, ...] = ()
    documents: tuple[Document, ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AMRecord:
        return _from_dict(cls, data, _AM_ALIASES)


@dataclass(frozen=True)
class PMRecord:
    """Post-mortem data of one body.

    ``sex`` is a ``sex_pm`` code; a plain ``male``/``female`` with
    ``sex_certainty`` ``probable`` or ``possible`` reads as ``probable_*``.
    ``skin_regions`` and ``skeletal_regions`` list where soft tissue and bone were
    recovered and examined, as ``"forearm:L"`` or a bare region (both sides);
    ``None`` means not recorded, so absence of a feature there proves nothing.
    """

    body_id: str
    sex: str | None = None
    sex_certainty: str | None = None
    sex_method: str | None = None
    age_min: float | None = None
    age_max: float | None = None
    stature_cm: float | None = None
    stature_se: float | None = None
    build: str | None = None
    hair_colour: str | None = None
    eye_colour: str | None = None
    skin_regions: frozenset[str] | None = None
    skeletal_regions: frozenset[str] | None = None
    particulars: tuple[Particular, ...] = ()
    dental: Mapping[int, Tooth] = field(default_factory=dict)
    clothing: tuple[Item, ...] = ()
    effects: tuple[Item, ...] = ()
    documents: tuple[Document, ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PMRecord:
        return _from_dict(cls, data, _PM_ALIASES)

    def sex_category(self) -> str | None:
        """The PM sex as one of the five ``sex_pm`` codes, or None."""
        s = self.sex
        if s is None:
            return None
        if s in ("male", "female") and self.sex_certainty in ("probable", "possible"):
            return "probable_" + s
        if self.sex_certainty == "indeterminate":
            return "indeterminate"
        return s


def region_observed(
    regions: frozenset[str] | None, region: str | None, side: str | None
) -> bool:
    """True if ``region`` (on ``side``) is in the recovered and examined set."""
    if regions is None or region is None:
        return False
    if region in regions:
        return True
    if side in ("L", "R"):
        return f"{region}:{side}" in regions
    return f"{region}:L" in regions and f"{region}:R" in regions


_AM_ALIASES = {
    "sex_am": "sex",
    "stature_am": "stature_cm",
    "am_case_no": "person_id",
    "identity_documents": "documents",
}
_PM_ALIASES = {
    "sex_pm": "sex",
    "certainty": "sex_certainty",
    "stature_pm": "stature_cm",
    "stature_pm_se": "stature_se",
    "pm_case_no": "body_id",
    "body_no": "body_id",
}


def _tooth(d: Mapping[str, Any]) -> Tooth:
    d = dict(d)
    for key in ("surfaces", "endodontics"):
        if key in d:
            v = d[key]
            d[key] = frozenset(v if not isinstance(v, str) else list(v))
    return Tooth(**d)


def _items(rows: Iterable[Mapping[str, Any]]) -> tuple[Item, ...]:
    out = []
    for r in rows:
        r = dict(r)
        if "colours" in r:
            r["colours"] = frozenset(r["colours"])
        out.append(Item(**r))
    return tuple(out)


_Record = TypeVar("_Record", "AMRecord", "PMRecord")


def _from_dict(
    cls: type[_Record], data: Mapping[str, Any], aliases: Mapping[str, str]
) -> _Record:
    names = {f.name for f in fields(cls)}
    kw: dict[str, Any] = {}
    for key, value in data.items():
        key = aliases.get(key, key)
        if key in ("age_am", "age_pm") and value is not None:
            kw["age_min"], kw["age_max"] = value
            continue
        if key in ("stature_min", "stature_max"):
            continue
        if key not in names or value is None:
            continue
        if key == "particulars":
            value = tuple(_particular(p) for p in value)
        elif key == "dental":
            if isinstance(value, Mapping) and "chart" in value:
                value = value["chart"]
            if not isinstance(value, Mapping):  # a list of rows with a "tooth" key
                value = {
                    row["tooth"]: {k: v for k, v in row.items() if k != "tooth"}
                    for row in value
                }
            chart: dict[int, Tooth] = {}
            for code, t in value.items():
                if not is_valid_fdi(code):
                    raise ValueError(f"not an FDI tooth code: {code!r}")
                chart[int(code)] = t if isinstance(t, Tooth) else _tooth(t)
            value = chart
        elif key in ("clothing", "effects"):
            value = _items(value)
        elif key == "documents":
            value = tuple(Document(**d) for d in value)
        elif key in ("skin_regions", "skeletal_regions") and value is not None:
            value = frozenset(value)
        kw[key] = value
    # A PM stature given as a range (min, max) reads as its midpoint ± half-width.
    if "stature_min" in data and "stature_max" in data and "stature_cm" not in kw:
        lo, hi = float(data["stature_min"]), float(data["stature_max"])
        kw["stature_cm"] = (lo + hi) / 2
        if "stature_se" in names:
            kw["stature_se"] = (hi - lo) / 2
    return cls(**kw)


_PARTICULAR_KEYS = {"type": "kind", "body_region": "region"}
_SUBTYPE_KEYS = ("subtype", "cause", "level", "state")


def _particular(d: Mapping[str, Any]) -> Particular:
    """A particular from vocabulary keys (``type``/``body_region`` accepted too)."""
    d = {_PARTICULAR_KEYS.get(k, k): v for k, v in d.items()}
    if "kind" in d and d["kind"] in ("hip", "knee", "eye", "limb", "dental"):
        d.setdefault("subtype", d.pop("kind"))
        d["kind"] = "prosthesis"
    for k in _SUBTYPE_KEYS[1:]:
        if k in d:
            d.setdefault("subtype", d[k])
    allowed = {f.name for f in fields(Particular)}
    return Particular(**{k: v for k, v in d.items() if k in allowed})
