"""PFIF 1.4 export and import of missing-person reports (person and note records).

Only what PFIF fields hold leaves Imena, and only for reports whose family
consented to publication (``consent_publication``): names, sex, date of birth
or age, the home address and one note with the status. No DNA, no findings, no
reporting person, no contact details. A report whose consent was withdrawn goes
out as the spec's expired placeholder (record id, dates, ``expiry_date``) so
that repositories holding an earlier copy delete it.

A record imported from another repository keeps its PFIF fields and notes as
received (``MissingPerson.pfif_record``) and is re-exported as such, with
Imena's own note under Imena's record domain. Outside notes are information
reported by their author: their ``status`` never changes Imena's status.

``pfif-1.4.rng`` beside this file is ``tests/data/pfif/pfif-1.4.rnc`` converted
with ``rnc2rng`` (the spec's schema; GFDL 1.2). Imports are parsed with
``defusedxml``: a document with a DTD or entities is refused whole.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree as ET

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from lxml import etree

from imena.audit.services import audit_record
from imena.lib.bulk import BulkRowError
from imena.missing.bulk import ReportRow, missing_persons_bulk_create
from imena.missing.models import MissingPerson, Status
from linkage.normalize import split_full_name

if TYPE_CHECKING:
    from imena.accounts.models import Organisation, User
    from imena.lib.bulk import Progress

NS = "http://zesty.ca/pfif/1.4"
SCHEMA_PATH = Path(__file__).with_name("pfif-1.4.rng")
STATUS_TO_PFIF = {
    Status.OPEN: "believed_missing",
    Status.CLOSED: "information_sought",
    Status.IDENTIFIED: "believed_dead",
}
#: How an outside note's status reads in Imena: reported by its author, never
#: Imena's own finding (``believed_dead`` is not an identification).
NOTE_STATUS_LABELS = {
    "information_sought": gettext_lazy("information sought"),
    "is_note_author": gettext_lazy("is the note's author"),
    "believed_alive": gettext_lazy("believed alive"),
    "believed_missing": gettext_lazy("believed missing"),
    "believed_dead": gettext_lazy("believed dead"),
}
_ISO_CODES = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL
    BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV
    CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD
    GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM
    IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK
    LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW
    MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR
    PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS
    ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY
    UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
    """
#: ISO 3166-1 alpha-2 (from Debian's iso-codes), for ``home_country``.
ISO_3166_ALPHA2 = frozenset(_ISO_CODES.split())


class PFIFError(ValueError):
    """A PFIF document that cannot be imported; nothing was stored."""


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _time(value: dt.datetime | None) -> str:
    value = value or timezone.now()
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def record_domain(organisation: Organisation) -> str:
    return f"{organisation.code}.imena.invalid"


def person_record_id(person: MissingPerson) -> str:
    return (
        person.pfif_record_id
        or f"{record_domain(person.organisation)}/{person.case_no}"
    )


def _sub(parent: ET.Element, tag: str, value: str | None) -> None:
    if value not in (None, ""):
        ET.SubElement(parent, _q(tag)).text = value


def _published(p: MissingPerson) -> bool:
    return p.consent_publication and p.consent_withdrawn_date is None


def _placeholder(root: ET.Element, rid: str, p: MissingPerson, expiry: str) -> None:
    """The spec's expired record: id, dates and ``expiry_date``, no content."""
    el = ET.SubElement(root, _q("person"))
    _sub(el, "person_record_id", rid)
    _sub(el, "entry_date", _time(p.updated))
    _sub(el, "expiry_date", expiry)
    _sub(el, "source_date", _time(p.source_date or p.updated))
    ET.SubElement(el, _q("full_name")).text = ""


def _outside(p: MissingPerson) -> dict[str, Any] | None:
    """The PFIF person fields another repository sent, or ``None``."""
    record = p.pfif_record or {}
    person = record.get("person")
    return person if isinstance(person, dict) and person else None


def _expired(value: str) -> bool:
    try:
        when = _parse_time(value, "expiry_date", field_name="expiry_date")
    except PFIFError:
        return False
    return when is not None and when <= timezone.now()


def _imena_note(el: ET.Element, rid: str, p: MissingPerson, *, own: bool) -> None:
    """Imena's note on a person, with a record id in Imena's own domain."""
    note = ET.SubElement(el, _q("note"))
    _sub(note, "note_record_id", f"{record_domain(p.organisation)}/{p.case_no}.status")
    _sub(note, "person_record_id", rid)
    _sub(note, "author_name", p.organisation.name)
    _sub(note, "source_date", _time(p.source_date or p.updated))
    # On another repository's record Imena states a status only when it has
    # reached one itself (an identification or a closed report).
    if own or p.status != Status.OPEN:
        _sub(note, "status", STATUS_TO_PFIF[Status(p.status)])
    if own:
        _sub(note, "last_known_location", p.last_seen_place)
    text = f"Missing-person report {p.case_no}."
    if own and p.last_seen_date:
        text += f" Last seen: {p.last_seen_date.isoformat()}."
    _sub(note, "text", text)


def export_people(people: Iterable[MissingPerson]) -> bytes:
    """A PFIF 1.4 document of the given reports (merged ones are skipped).

    Only reports with consent to publication go out. Withdrawn consent gives
    an expired placeholder; no consent ever given gives nothing.
    """
    return _export(people)[0]


def _export(people: Iterable[MissingPerson]) -> tuple[bytes, int]:
    ET.register_namespace("pfif", NS)
    root = ET.Element(_q("pfif"))
    for p in people:
        if p.merged_into_id is not None:
            continue
        rid = person_record_id(p)
        if p.consent_withdrawn_date is not None:
            withdrawn = dt.datetime.combine(
                p.consent_withdrawn_date, dt.time(), tzinfo=dt.UTC
            )
            _placeholder(root, rid, p, _time(withdrawn))
            continue
        if not _published(p):
            continue
        outside = _outside(p)
        if outside is not None:
            if _expired(outside.get("expiry_date", "")):
                _placeholder(root, rid, p, outside["expiry_date"])
                continue
            el = ET.SubElement(root, _q("person"))
            for tag, value in outside.items():
                # entry_date is the storing repository's own (the spec): Imena's.
                value = _time(p.updated) if tag == "entry_date" else value
                ET.SubElement(el, _q(tag)).text = value
            if "entry_date" not in outside:
                _sub(el, "entry_date", _time(p.updated))
            for received in (p.pfif_record or {}).get("notes", []):
                note = ET.SubElement(el, _q("note"))
                for tag, value in received.items():
                    ET.SubElement(note, _q(tag)).text = value
            _imena_note(el, rid, p, own=False)
            continue
        el = ET.SubElement(root, _q("person"))
        _sub(el, "person_record_id", rid)
        _sub(el, "entry_date", _time(p.updated))
        _sub(el, "source_name", p.organisation.name)
        _sub(el, "source_date", _time(p.source_date or p.updated))
        full_names = [p.full_name]
        if p.full_name_latin and p.full_name_latin != p.full_name:
            full_names.append(p.full_name_latin)
        _sub(el, "full_name", "\n".join(full_names))
        _sub(el, "given_name", p.given_names)
        _sub(el, "family_name", p.family_name)
        _sub(
            el,
            "alternate_names",
            "\n".join(line.strip() for line in p.aliases.splitlines() if line.strip()),
        )
        if p.sex in ("male", "female"):
            _sub(el, "sex", p.sex)
        _sub(el, "date_of_birth", p.date_of_birth)
        if not p.date_of_birth and p.age_min is not None:
            age = str(p.age_min)
            if p.age_max is not None and p.age_max != p.age_min:
                age += f"-{p.age_max}"
            _sub(el, "age", age)
        _sub(el, "home_street", p.home_street)
        _sub(el, "home_city", p.home_city)
        _sub(el, "home_state", p.home_region)
        country = p.home_country.upper()
        _sub(el, "home_country", country if country in ISO_3166_ALPHA2 else None)
        _imena_note(el, rid, p, own=True)
    ET.indent(root)
    count = len(root.findall(_q("person")))
    return ET.tostring(root, encoding="utf-8", xml_declaration=True), count


def export_organisation(organisation: Organisation) -> tuple[bytes, int]:
    """The PFIF document of an organisation's live reports, and how many persons
    it holds (placeholders included).

    The command line (``imena missing export-pfif``) and the web download both
    call this, so they give the same content.
    """
    people = (
        MissingPerson.objects.filter(
            organisation=organisation, merged_into__isnull=True
        )
        .select_related("organisation")
        .order_by("case_no")
    )
    return _export(people)


def validate(document: bytes) -> list[str]:
    """Schema errors of a PFIF 1.4 document (empty when valid). Needs lxml."""

    schema = etree.RelaxNG(etree.parse(str(SCHEMA_PATH)))
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        doc = etree.fromstring(document, parser)
    except etree.XMLSyntaxError as e:
        return [f"not well-formed XML: {e}"]
    if schema.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


@dataclass
class PFIFPerson:
    record_id: str
    source_date: dt.datetime | None
    fields: dict[str, Any]
    notes: list[dict[str, str]] = field(default_factory=list)
    #: The person's PFIF elements as received (notes apart), in document order.
    raw: dict[str, str] = field(default_factory=dict)


def _text(el: ET.Element, tag: str) -> str:
    child = el.find(_q(tag))
    return (child.text or "").strip() if child is not None else ""


def _elements(el: ET.Element) -> dict[str, str]:
    """The PFIF child elements of ``el`` (notes apart) with their text as given."""
    out: dict[str, str] = {}
    prefix = f"{{{NS}}}"
    for child in el:
        if not isinstance(child.tag, str) or not child.tag.startswith(prefix):
            continue
        tag = child.tag[len(prefix) :]
        if tag != "note":
            out[tag] = child.text or ""
    return out


def _parse_time(
    value: str, where: str, *, field_name: str = "source_date"
) -> dt.datetime | None:
    if not value:
        return None
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z", value.strip())
    if not m:
        raise PFIFError(f"{where}: {field_name} {value!r} is not a UTC time")
    return dt.datetime.fromisoformat(m[1]).replace(tzinfo=dt.UTC)


def parse(
    document: bytes,
    *,
    source: str = "document",
    strict: bool = True,
    warnings: list[str] | None = None,
) -> list[PFIFPerson]:
    """Read persons (with nested and top-level notes) from a PFIF 1.4 document.

    Expired persons (``expiry_date`` in the past), their notes and notes about
    persons not in the document are skipped; each adds a line to ``warnings``.
    A ``home_country`` that is not an ISO 3166-1 alpha-2 code refuses the
    document (``strict``) or is dropped with a warning.
    """

    warnings = warnings if warnings is not None else []
    try:
        root = fromstring(document, forbid_dtd=True)
    except DefusedXmlException as e:
        raise PFIFError(
            f"{source}: refused: the XML declares a DTD or entities ({type(e).__name__}); "
            "PFIF needs neither. Nothing was imported."
        ) from None
    except ET.ParseError as e:
        raise PFIFError(
            f"{source}: not well-formed XML ({e}). Nothing was imported."
        ) from None
    if root.tag != _q("pfif"):
        raise PFIFError(
            f"{source}: the root element is not pfif:pfif of PFIF 1.4 ({NS})"
        )
    people: dict[str, PFIFPerson] = {}
    expired: set[str] = set()
    for k, el in enumerate(root.findall(_q("person")), start=1):
        where = f"{source}, person {k}"
        rid = _text(el, "person_record_id")
        if not rid or "/" not in rid:
            raise PFIFError(f"{where}: no valid person_record_id")
        expiry = _parse_time(
            _text(el, "expiry_date"), f"{where} ({rid})", field_name="expiry_date"
        )
        if expiry is not None and expiry <= timezone.now():
            expired.add(rid)
            warnings.append(
                _(
                    "%(where)s (%(id)s): expired on %(date)s; skipped, as PFIF "
                    "requires for expired records."
                )
                % {"where": where, "id": rid, "date": expiry.date().isoformat()}
            )
            continue
        raw = _elements(el)
        given, family = _text(el, "given_name"), _text(el, "family_name")
        full = _text(el, "full_name").split("\n")[0].strip()
        patronymic = ""
        if given and family and full.startswith(f"{family} {given} "):
            patronymic = full[len(family) + len(given) + 2 :].strip()
        if not given:
            parts = split_full_name(full)
            given, family = parts.given, family or parts.surname
            patronymic = patronymic or parts.patronymic
        if not given:
            raise PFIFError(
                f"{where} ({rid}): no given name in given_name or full_name"
            )
        fields: dict[str, Any] = {
            "family_name": family,
            "family_name_unknown": not family,
            "given_names": given,
            "patronymic": patronymic,
            "aliases": _text(el, "alternate_names"),
            "sex": _text(el, "sex")
            if _text(el, "sex") in ("male", "female")
            else "unknown",
            "description": _text(el, "description"),
        }
        dob = _text(el, "date_of_birth")
        if dob:
            m = re.fullmatch(r"(\d{4})(?:-(\d\d)(?:-(\d\d))?)?", dob)
            if not m:
                raise PFIFError(f"{where}: date_of_birth {dob!r} is not YYYY[-MM[-DD]]")
            fields["birth_year"] = int(m[1])
            fields["birth_month"] = int(m[2]) if m[2] else None
            fields["birth_day"] = int(m[3]) if m[3] else None
        age = _text(el, "age")
        if age and not dob:
            m = re.fullmatch(r"(\d+)(?:-(\d+))?", age)
            if not m:
                raise PFIFError(f"{where}: age {age!r} is not N or N-M")
            fields["age_min"], fields["age_max"] = int(m[1]), int(m[2] or m[1])
        country = _text(el, "home_country")
        if country and country not in ISO_3166_ALPHA2:
            if strict:
                raise PFIFError(
                    f"{where} ({rid}): home_country {country!r} is not an "
                    "ISO 3166-1 alpha-2 code"
                )
            warnings.append(
                _(
                    "%(where)s (%(id)s): home country %(value)s is not an ISO "
                    "3166-1 code; left out."
                )
                % {"where": where, "id": rid, "value": repr(country)}
            )
            raw.pop("home_country", None)
            country = ""
        fields.update(
            home_street=_text(el, "home_street"),
            home_city=_text(el, "home_city"),
            home_region=_text(el, "home_state"),
            home_country=country,
        )
        person = PFIFPerson(
            rid, _parse_time(_text(el, "source_date"), where), fields, raw=raw
        )
        for note in el.findall(_q("note")):
            person.notes.append(_elements(note))
        people[rid] = person
    for note_el in root.findall(_q("note")):
        loose = _elements(note_el)
        rid = (loose.get("person_record_id") or "").strip()
        if rid in expired:
            continue
        if rid not in people:
            warnings.append(
                _(
                    "%(source)s: note %(note)s is about person %(person)s, who is "
                    "not in the document; skipped."
                )
                % {
                    "source": source,
                    "note": repr(loose.get("note_record_id", "")),
                    "person": repr(rid),
                }
            )
            continue
        people[rid].notes.append(loose)
    return list(people.values())


def note_lines(person: MissingPerson) -> list[dict[str, str]]:
    """The notes another repository sent about ``person``, oldest first.

    Each says who reported what: a ``believed_dead`` here is the author's
    report, not an identification by Imena.
    """
    record = person.pfif_record or {}
    source = (_outside(person) or {}).get("source_name", "")
    out = []
    for note in record.get("notes", []):
        status = (note.get("status") or "").strip()
        domain = (note.get("note_record_id") or "").split("/")[0]
        out.append(
            {
                "source_date": (note.get("source_date") or "").strip(),
                "author": (note.get("author_name") or "").strip(),
                "source": source or domain,
                "status": status,
                "status_label": str(NOTE_STATUS_LABELS.get(status, "")),
                "text": (note.get("text") or "").strip(),
                "last_known_location": (note.get("last_known_location") or "").strip(),
            }
        )
    return sorted(out, key=lambda n: n["source_date"])


@dataclass
class ImportResult:
    created: int
    skipped: int
    case_numbers: list[str]
    warnings: list[str] = field(default_factory=list)


@transaction.atomic
def import_document(
    *,
    actor: User | None,
    organisation: Organisation,
    document: bytes,
    source: str = "document",
    strict: bool = True,
    progress: Progress | None = None,
) -> ImportResult:
    """Import persons as reports. All or nothing: any error stores nothing.

    A person whose record id is already in the organisation is skipped.
    With ``strict`` the document must validate against the PFIF 1.4 schema.
    The reports are stored in batches (``missing.bulk``), each audited with
    the SHA-256 of every record.
    """

    warnings: list[str] = []
    # parse() refuses hostile XML before anything else.
    people = parse(document, source=source, strict=strict, warnings=warnings)
    if strict:
        errors = validate(document)
        if errors:
            raise PFIFError(f"{source}: not valid PFIF 1.4: {errors[0]}")
    ids = [p.record_id for p in people]
    present: set[str] = set()
    for start in range(0, len(ids), 2000):
        present.update(
            MissingPerson.objects.filter(
                organisation=organisation, pfif_record_id__in=ids[start : start + 2000]
            ).values_list("pfif_record_id", flat=True)
        )
    rows: list[ReportRow] = []
    skipped = 0
    for p in people:
        if p.record_id in present:
            skipped += 1
            continue
        fields = dict(p.fields)
        place = ""
        last_seen = None
        # A note's status is its author's report (shown with the note); it
        # never sets Imena's status, which stays open.
        for note in sorted(p.notes, key=lambda n: n.get("source_date", "")):
            place = (note.get("last_known_location") or "").strip() or place
            m = re.search(r"Last seen: (\d{4}-\d\d-\d\d)", note.get("text", ""))
            if m:
                last_seen = dt.date.fromisoformat(m[1])
        fields.update(
            reporter_name=f"PFIF: {p.record_id.split('/')[0]}"[:200],
            pfif_record_id=p.record_id,
            pfif_record={"person": p.raw, "notes": p.notes},
            source_date=p.source_date,
            status=Status.OPEN,
            last_seen_place=place[:300],
            last_seen_date=last_seen,
            # The home repository published the record; it goes out again as
            # received unless a liaison officer turns publication off.
            consent_publication=True,
        )
        rows.append(ReportRow(row=f"{source}, person {p.record_id}", fields=fields))
    try:
        result = missing_persons_bulk_create(
            actor=actor,
            organisation=organisation,
            rows=rows,
            source=source,
            action="missing.pfif_import_batch",
            progress=progress,
            propose_duplicates=False,
        )
    except BulkRowError as e:
        raise PFIFError(f"{e.row}: {e.reason}") from None
    created = [p.case_no for p in result.persons]
    audit_record(
        actor=actor,
        action="missing.pfif_import",
        object_type="missing.pfif",
        object_repr=source[:300],
        after={
            "created": len(created),
            "skipped": skipped,
            "source": source,
            "warnings": warnings,
        },
        organisation_id=organisation.pk,
    )
    return ImportResult(len(created), skipped, created, warnings)
