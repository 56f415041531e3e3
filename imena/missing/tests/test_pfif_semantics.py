"""PFIF meaning kept: outside notes, expiry, names, countries, consent (issue 22)."""

from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree as ET

import pytest
from django.core.management import call_command

from imena.missing import pfif
from imena.missing.models import MissingPerson, Status
from imena.missing.tests.factories import make_person

pytestmark = pytest.mark.django_db
NS = {"p": pfif.NS}

PERSON = """<pfif:person>
<pfif:person_record_id>finder.example.org/p1</pfif:person_record_id>
<pfif:entry_date>2022-04-02T10:00:00Z</pfif:entry_date>
<pfif:expiry_date>{expiry}</pfif:expiry_date>
<pfif:author_name>Field volunteer</pfif:author_name>
<pfif:author_email>volunteer@example.org</pfif:author_email>
<pfif:author_phone>+380 44 000 0000</pfif:author_phone>
<pfif:source_name>Example Finder</pfif:source_name>
<pfif:source_date>2022-04-02T09:00:00Z</pfif:source_date>
<pfif:source_url>https://finder.example.org/view?id=p1</pfif:source_url>
<pfif:full_name>Maria Petrenko</pfif:full_name>
<pfif:given_name>Maria</pfif:given_name>
<pfif:family_name>Petrenko</pfif:family_name>
<pfif:alternate_names>Mariia Petrenko</pfif:alternate_names>
<pfif:description>Blue coat, red scarf.</pfif:description>
<pfif:sex>female</pfif:sex>
<pfif:date_of_birth>1984-07</pfif:date_of_birth>
<pfif:home_street>Sadova</pfif:home_street>
<pfif:home_neighborhood>Centre</pfif:home_neighborhood>
<pfif:home_city>Bucha</pfif:home_city>
<pfif:home_state>UA-32</pfif:home_state>
<pfif:home_postal_code>08292</pfif:home_postal_code>
<pfif:home_country>{country}</pfif:home_country>
<pfif:photo_url>https://finder.example.org/photo/p1.jpg</pfif:photo_url>
<pfif:profile_urls>https://social.example.org/mp1</pfif:profile_urls>
<pfif:note>
<pfif:note_record_id>finder.example.org/n1</pfif:note_record_id>
<pfif:person_record_id>finder.example.org/p1</pfif:person_record_id>
<pfif:author_name>Neighbour One</pfif:author_name>
<pfif:source_date>2022-04-03T09:00:00Z</pfif:source_date>
<pfif:author_made_contact>false</pfif:author_made_contact>
<pfif:status>believed_dead</pfif:status>
<pfif:last_known_location>50.54, 30.22</pfif:last_known_location>
<pfif:text>I heard she died in the shelling.</pfif:text>
</pfif:note>
</pfif:person>"""

LOOSE_NOTE = """<pfif:note>
<pfif:note_record_id>finder.example.org/n2</pfif:note_record_id>
<pfif:person_record_id>{person}</pfif:person_record_id>
<pfif:author_name>Cousin Two</pfif:author_name>
<pfif:source_date>2022-04-05T09:00:00Z</pfif:source_date>
<pfif:author_made_contact>true</pfif:author_made_contact>
<pfif:status>believed_alive</pfif:status>
<pfif:text>She called me from Lviv.</pfif:text>
</pfif:note>"""


def document(
    *, expiry: str = "2099-01-01T00:00:00Z", country: str = "UA", loose: str = ""
) -> bytes:
    body = PERSON.format(expiry=expiry, country=country)
    body += LOOSE_NOTE.format(person=loose or "finder.example.org/p1")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4">'
        f"{body}</pfif:pfif>"
    ).encode()


def children(el: ET.Element) -> dict[str, str]:
    return {
        c.tag.split("}")[1]: c.text or "" for c in el if c.tag.split("}")[1] != "note"
    }


def notes_by_id(root: ET.Element) -> dict[str, dict[str, str]]:
    return {
        n.findtext("p:note_record_id", default="", namespaces=NS): children(n)
        for n in root.iter(f"{{{pfif.NS}}}note")
    }


def import_(org, doc: bytes, *, strict: bool = True) -> pfif.ImportResult:
    return pfif.import_document(
        actor=None, organisation=org, document=doc, strict=strict
    )


def test_the_outside_document_is_schema_valid() -> None:
    assert pfif.validate(document()) == []


def test_a_round_trip_keeps_every_field_and_note_and_adds_imenas_own(org) -> None:
    original = ET.fromstring(document())
    import_(org, document())
    exported = pfif.export_people(MissingPerson.objects.filter(organisation=org))
    assert pfif.validate(exported) == []
    root = ET.fromstring(exported)
    (person,) = root.findall("p:person", NS)
    (sent_el,) = original.findall("p:person", NS)
    sent = children(sent_el)
    back = children(person)
    # entry_date is the storing repository's own (PFIF 1.4); all else as given.
    assert back.pop("entry_date") != sent.pop("entry_date")
    assert back == sent
    assert back["full_name"] == "Maria Petrenko"
    theirs = notes_by_id(original)
    ours = notes_by_id(root)
    for note_id, note in theirs.items():
        assert ours[note_id] == note
    own = {k: v for k, v in ours.items() if k not in theirs}
    (own_id,) = own
    assert own_id.startswith(f"{pfif.record_domain(org)}/")
    assert "status" not in own[own_id]  # Imena has no finding of its own yet


@pytest.mark.parametrize("status", ["believed_dead", "believed_alive"])
def test_an_outside_status_note_never_changes_imenas_status(org, status) -> None:
    doc = document().replace(b"believed_dead", status.encode())
    import_(org, doc)
    person = MissingPerson.objects.get(organisation=org)
    assert person.status == Status.OPEN
    notes = pfif.note_lines(person)
    assert [n["status"] for n in notes] == [status, "believed_alive"]
    assert notes[0]["author"] == "Neighbour One"
    assert notes[0]["source"] == "Example Finder"


def test_the_report_page_shows_who_reported_a_death(client, liaison, org) -> None:
    import_(org, document())
    person = MissingPerson.objects.get(organisation=org)
    client.force_login(liaison)
    page = client.get(person.get_absolute_url()).content.decode()
    assert "believed dead, reported by Neighbour One (Example Finder)" in page
    assert "believed alive, reported by Cousin Two (Example Finder)" in page


def test_an_expired_record_is_skipped_with_a_warning(org) -> None:
    result = import_(org, document(expiry="2020-01-01T00:00:00Z"))
    assert result.created == 0
    assert MissingPerson.objects.count() == 0
    assert any("expired on 2020-01-01" in w for w in result.warnings)
    # Its top-level note is dropped with it, not reported as an orphan.
    assert len(result.warnings) == 1


def test_a_note_about_a_person_not_in_the_document_is_skipped(org) -> None:
    result = import_(org, document(loose="finder.example.org/nobody"))
    assert result.created == 1
    assert any("finder.example.org/nobody" in w for w in result.warnings)
    person = MissingPerson.objects.get()
    assert [n["status"] for n in pfif.note_lines(person)] == ["believed_dead"]


def test_the_command_prints_the_warnings(org, tmp_path, capsys) -> None:
    path = tmp_path / "orphan.xml"
    path.write_bytes(document(loose="finder.example.org/nobody"))
    call_command("missing", "import-pfif", str(path), "--organisation", "test")
    assert "warning:" in capsys.readouterr().err


def test_a_country_name_is_not_cut_to_a_code_in_lenient_mode(org) -> None:
    result = import_(org, document(country="Ukraine"), strict=False)
    person = MissingPerson.objects.get()
    assert person.home_country == ""
    assert any("Ukraine" in w for w in result.warnings)
    exported = pfif.export_people([person])
    assert pfif.validate(exported) == []
    assert b"home_country" not in exported


def test_a_code_outside_iso_3166_is_refused_strictly(org) -> None:
    with pytest.raises(pfif.PFIFError, match="ISO 3166-1"):
        import_(org, document(country="XX"))
    assert MissingPerson.objects.count() == 0


def test_name_order_is_kept_for_an_imported_name(org) -> None:
    import_(org, document())
    person = MissingPerson.objects.get()
    assert (person.given_names, person.family_name) == ("Maria", "Petrenko")


def test_export_leaves_out_reports_without_consent_to_publication(org, liaison) -> None:
    make_person(org, liaison, family_name="Безназвенко", given_names="Оксана")
    make_person(
        org,
        liaison,
        family_name="Дозволенко",
        given_names="Петро",
        consent_publication=True,
    )
    exported = pfif.export_people(MissingPerson.objects.filter(organisation=org))
    assert pfif.validate(exported) == []
    text = exported.decode()
    assert "Дозволенко" in text
    assert "Безназвенко" not in text and "Оксана" not in text
    document_, count = pfif.export_organisation(org)
    assert count == 1


def test_withdrawn_consent_goes_out_as_an_expired_placeholder(org, liaison) -> None:
    person = make_person(
        org,
        liaison,
        family_name="Відкликенко",
        given_names="Ірина",
        consent_publication=True,
        consent_withdrawn_date=dt.date(2024, 3, 1),
        home_city="Ірпінь",
    )
    exported = pfif.export_people([person])
    assert pfif.validate(exported) == []
    root = ET.fromstring(exported)
    (el,) = root.findall("p:person", NS)
    fields = children(el)
    assert fields["expiry_date"] == "2024-03-01T00:00:00Z"
    assert fields["full_name"] == ""
    assert set(fields) == {
        "person_record_id",
        "entry_date",
        "expiry_date",
        "source_date",
        "full_name",
    }
    assert "Відкликенко" not in exported.decode() and "Ірпінь" not in exported.decode()
