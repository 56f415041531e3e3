from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from imena.accounts.models import Organisation
from imena.missing import pfif
from imena.missing.models import MissingPerson
from imena.missing.services import (
    missing_person_add_item,
    pedigree_member_add,
    reference_sample_create,
)
from imena.missing.tests.factories import make_person
from tests.paths import PFIF

SAMPLE = PFIF / "sample.xml"

PFIF_FIELDS = (
    "family_name",
    "given_names",
    "patronymic",
    "sex",
    "date_of_birth",
    "age_min",
    "age_max",
    "status",
    "home_city",
    "last_seen_place",
    "last_seen_date",
    "aliases",
)


@pytest.fixture
def demo_like(org, liaison):
    people = [
        make_person(
            org,
            liaison,
            last_seen_date=dt.date(2022, 5, 26),
            last_seen_place="с. Кам'янка, вул. Польова",
            aliases="Шевченко Саша",
            consent_publication=True,
            home_city="Ізюм",
            home_street="вул. Миру",
        ),
        make_person(
            org,
            liaison,
            family_name="Грицук",
            given_names="Людмила",
            patronymic="Геннадіївна",
            sex="female",
            birth_year=1961,
            birth_month=None,
            birth_day=None,
            consent_publication=True,
        ),
        make_person(
            org,
            liaison,
            family_name="",
            family_name_unknown=True,
            given_names="Тарас",
            patronymic="",
            sex="unknown",
            birth_year=None,
            birth_month=None,
            birth_day=None,
            age_min=40,
            age_max=45,
            consent_publication=True,
        ),
    ]
    missing_person_add_item(
        actor=liaison,
        person=people[0],
        section="documents",
        item={"kind": "passport", "number": "ЖЖ 777123"},
    )
    member = people[0].pedigree.get(is_missing=True)

    brother = pedigree_member_add(
        actor=liaison, person=people[0], sex=1, relationship="full_sibling"
    )
    reference_sample_create(
        actor=liaison,
        member=brother,
        sample_id="REF-SECRET-1",
        genotypes={"TH01": ["6", "9.3"]},
        consent_scope=["dna"],
        consent_date=dt.date(2023, 1, 1),
    )
    assert member
    return people


def record(p: MissingPerson) -> tuple:
    return tuple(str(getattr(p, f)) for f in PFIF_FIELDS)


@pytest.mark.django_db
def test_the_export_of_demo_like_data_is_schema_valid(demo_like) -> None:
    document = pfif.export_people(MissingPerson.objects.all())
    assert pfif.validate(document) == []
    text = document.decode()
    assert "Шевченко" in text and "Shevchenko" in text
    # No DNA, no documents, no reporter, no contact.
    for secret in ("REF-SECRET-1", "9.3", "ЖЖ 777123", "Марія", "wife"):
        assert secret not in text


@pytest.mark.django_db
def test_the_spec_sample_is_not_schema_valid() -> None:
    assert pfif.validate(SAMPLE.read_bytes()) != []


@pytest.mark.django_db
def test_the_export_reimports_to_the_same_records(demo_like, tmp_path, liaison) -> None:
    out = tmp_path / "export.xml"
    call_command("missing", "export-pfif", "--out", str(out), "--organisation", "test")
    other = Organisation.objects.create(name="Receiving team", code="recv")
    call_command("missing", "import-pfif", str(out), "--organisation", "recv")
    before = sorted(
        record(p)
        for p in MissingPerson.objects.filter(organisation=demo_like[0].organisation)
    )
    after = sorted(record(p) for p in MissingPerson.objects.filter(organisation=other))
    assert before == after
    # Importing the same file again adds nothing.
    call_command("missing", "import-pfif", str(out), "--organisation", "recv")
    assert MissingPerson.objects.filter(organisation=other).count() == 3


@pytest.mark.django_db
def test_the_spec_sample_is_refused_strictly_and_read_leniently(org) -> None:
    with pytest.raises(CommandError, match="not valid PFIF 1.4"):
        call_command("missing", "import-pfif", str(SAMPLE), "--organisation", "test")
    assert MissingPerson.objects.count() == 0
    call_command(
        "missing", "import-pfif", str(SAMPLE), "--organisation", "test", "--lenient"
    )
    assert MissingPerson.objects.filter(given_names="_test_given_name").exists()


HOSTILE = {
    "billion_laughs": b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4"><pfif:person>
<pfif:person_record_id>x.org/1</pfif:person_record_id>
<pfif:source_date>2022-01-01T00:00:00Z</pfif:source_date>
<pfif:full_name>&lol3;</pfif:full_name><pfif:given_name>&lol3;</pfif:given_name>
</pfif:person></pfif:pfif>""",
    "external_entity": b"""<?xml version="1.0"?>
<!DOCTYPE p [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4"><pfif:person>
<pfif:person_record_id>x.org/1</pfif:person_record_id>
<pfif:source_date>2022-01-01T00:00:00Z</pfif:source_date>
<pfif:full_name>&xxe;</pfif:full_name><pfif:given_name>a</pfif:given_name>
</pfif:person></pfif:pfif>""",
    "not_xml": b"<pfif:pfif xmlns:pfif='http://zesty.ca/pfif/1.4'><pfif:person>",
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_xml_is_refused_with_a_clear_error_and_nothing_stored(
    org, tmp_path, kind
) -> None:
    path = tmp_path / f"{kind}.xml"
    path.write_bytes(HOSTILE[kind])
    with pytest.raises(CommandError) as err:
        call_command(
            "missing", "import-pfif", str(path), "--organisation", "test", "--lenient"
        )
    assert "Nothing was imported" in str(err.value) or "refused" in str(err.value)
    assert MissingPerson.objects.count() == 0


@pytest.mark.django_db
def test_a_bad_record_late_in_the_file_stores_nothing(org, tmp_path) -> None:
    doc = b"""<?xml version="1.0" encoding="UTF-8"?>
<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4">
<pfif:person><pfif:person_record_id>x.org/1</pfif:person_record_id>
<pfif:source_date>2022-01-01T00:00:00Z</pfif:source_date>
<pfif:full_name>Kovalenko Ivan</pfif:full_name><pfif:given_name>Ivan</pfif:given_name>
<pfif:family_name>Kovalenko</pfif:family_name></pfif:person>
<pfif:person><pfif:person_record_id>x.org/2</pfif:person_record_id>
<pfif:source_date>2022-01-01T00:00:00Z</pfif:source_date>
<pfif:full_name>Bondar</pfif:full_name><pfif:family_name>Bondar</pfif:family_name>
<pfif:date_of_birth>2999</pfif:date_of_birth></pfif:person>
</pfif:pfif>"""
    path = tmp_path / "bad.xml"
    path.write_bytes(doc)
    with pytest.raises(CommandError, match="x.org/2"):
        call_command("missing", "import-pfif", str(path), "--organisation", "test")
    assert MissingPerson.objects.count() == 0


def test_the_shipped_rng_matches_the_spec_rnc() -> None:
    rnc2rng = pytest.importorskip("rnc2rng")
    rnc = SAMPLE.with_name("pfif-1.4.rnc")
    converted = rnc2rng.dumps(rnc2rng.load(str(rnc)))
    shipped = pfif.SCHEMA_PATH.read_text()
    body = shipped.split("-->", 1)[1]
    assert "".join(converted.split()).split("?>", 1)[1] == "".join(body.split())
