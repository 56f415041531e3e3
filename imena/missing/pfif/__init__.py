"""PFIF 1.4 export and import of missing-person reports (person and note records).

Only what PFIF fields hold leaves Imena: names, sex, date of birth or age, the
home address (only with the family's consent to publication) and one note with
the status. No DNA, no findings, no reporting person, no contact details.

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

from django.db import transaction
from django.utils import timezone

from imena.missing.models import MissingPerson, Status

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
PFIF_TO_STATUS = {
    "believed_dead": Status.IDENTIFIED,
    "information_sought": Status.CLOSED,
}


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


def export_people(people: Iterable[MissingPerson]) -> bytes:
    """A PFIF 1.4 document of the given reports (merged ones are skipped)."""
    ET.register_namespace("pfif", NS)
    root = ET.Element(_q("pfif"))
    for p in people:
        if p.merged_into_id is not None:
            continue
        el = ET.SubElement(root, _q("person"))
        rid = person_record_id(p)
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
        if p.consent_publication and p.consent_withdrawn_date is None:
            _sub(el, "home_street", p.home_street)
            _sub(el, "home_city", p.home_city)
            _sub(el, "home_state", p.home_region)
            _sub(el, "home_country", p.home_country.upper() or None)
        note = ET.SubElement(el, _q("note"))
        _sub(note, "note_record_id", f"{rid}.status")
        _sub(note, "person_record_id", rid)
        _sub(note, "author_name", p.organisation.name)
        _sub(note, "source_date", _time(p.source_date or p.updated))
        _sub(note, "status", STATUS_TO_PFIF[Status(p.status)])
        _sub(note, "last_known_location", p.last_seen_place)
        text = f"Missing-person report {p.case_no}."
        if p.last_seen_date:
            text += f" Last seen: {p.last_seen_date.isoformat()}."
        _sub(note, "text", text)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def export_organisation(organisation: Organisation) -> tuple[bytes, int]:
    """The PFIF document of an organisation's live reports, and how many persons.

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
    return export_people(people), people.count()


def validate(document: bytes) -> list[str]:
    """Schema errors of a PFIF 1.4 document (empty when valid). Needs lxml."""
    from lxml import etree

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


def _text(el: ET.Element, tag: str) -> str:
    child = el.find(_q(tag))
    return (child.text or "").strip() if child is not None else ""


def _parse_time(value: str, where: str) -> dt.datetime | None:
    if not value:
        return None
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z", value)
    if not m:
        raise PFIFError(f"{where}: source_date {value!r} is not a UTC time")
    return dt.datetime.fromisoformat(m[1]).replace(tzinfo=dt.UTC)


def parse(document: bytes, *, source: str = "document") -> list[PFIFPerson]:
    """Read persons (with nested and top-level notes) from a PFIF 1.4 document."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

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
    for k, el in enumerate(root.findall(_q("person")), start=1):
        where = f"{source}, person {k}"
        rid = _text(el, "person_record_id")
        if not rid or "/" not in rid:
            raise PFIFError(f"{where}: no valid person_record_id")
        given, family = _text(el, "given_name"), _text(el, "family_name")
        full = _text(el, "full_name").split("\n")[0].strip()
        patronymic = ""
        if given and family and full.startswith(f"{family} {given} "):
            patronymic = full[len(family) + len(given) + 2 :].strip()
        if not given:
            from linkage.normalize import split_full_name

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
        for pfif_name, ours in (
            ("home_street", "home_street"),
            ("home_city", "home_city"),
            ("home_state", "home_region"),
            ("home_country", "home_country"),
        ):
            value = _text(el, pfif_name)
            if value:
                fields[ours] = value[:2] if ours == "home_country" else value
                fields["consent_publication"] = True
        if not any(
            _text(el, n)
            for n in ("home_street", "home_city", "home_state", "home_country")
        ):
            fields["home_country"] = ""
        person = PFIFPerson(rid, _parse_time(_text(el, "source_date"), where), fields)
        for note in el.findall(_q("note")):
            person.notes.append(_note(note))
        people[rid] = person
    for note_el in root.findall(_q("note")):
        loose = _note(note_el)
        rid = loose.get("person_record_id", "")
        if rid not in people:
            raise PFIFError(
                f"{source}: note {loose.get('note_record_id')!r} belongs to person "
                f"{rid!r}, which is not in the document"
            )
        people[rid].notes.append(loose)
    return list(people.values())


def _note(el: ET.Element) -> dict[str, str]:
    return {
        tag: _text(el, tag)
        for tag in (
            "note_record_id",
            "person_record_id",
            "status",
            "last_known_location",
            "text",
            "source_date",
        )
    }


@dataclass
class ImportResult:
    created: int
    skipped: int
    case_numbers: list[str]


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
    from imena.audit.services import audit_record
    from imena.lib.bulk import BulkRowError
    from imena.missing.bulk import ReportRow, missing_persons_bulk_create

    people = parse(document, source=source)  # refuses hostile XML before anything else
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
        status = Status.OPEN
        place = ""
        last_seen = None
        for note in sorted(p.notes, key=lambda n: n.get("source_date", "")):
            status = PFIF_TO_STATUS.get(note.get("status", ""), status)
            place = note.get("last_known_location") or place
            m = re.search(r"Last seen: (\d{4}-\d\d-\d\d)", note.get("text", ""))
            if m:
                last_seen = dt.date.fromisoformat(m[1])
        fields.update(
            reporter_name=f"PFIF: {p.record_id.split('/')[0]}"[:200],
            pfif_record_id=p.record_id,
            source_date=p.source_date,
            status=status,
            last_seen_place=place[:300],
            last_seen_date=last_seen,
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
        after={"created": len(created), "skipped": skipped, "source": source},
        organisation_id=organisation.pk,
    )
    return ImportResult(len(created), skipped, created)
