from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from imena.accounts.models import Role
from imena.audit.models import AuditEntry
from imena.missing import services
from imena.missing.models import MissingPerson
from imena.missing.records import am_record_as_dict
from imena.missing.tests.factories import make_person
from matching.records import AMRecord

FORM = {
    "family_name": "Коваленко",
    "given_names": "Ірина",
    "patronymic": "Олегівна",
    "sex": "female",
    "date_of_birth": "1980-02",
    "circumstances": "shelling",
    "reporter_name": "Коваленко Петро",
    "home_country": "UA",
}


@pytest.mark.django_db
def test_liaison_files_a_report_with_computed_transliteration(client, liaison) -> None:
    client.force_login(liaison)
    response = client.post(reverse("missing:person_create"), FORM)
    person = MissingPerson.objects.get()
    assert response.status_code == 302
    assert person.full_name_latin == "Kovalenko Iryna Olehivna"
    assert person.given_names_ru == "Ирина"
    assert (person.birth_year, person.birth_month, person.birth_day) == (1980, 2, None)
    assert AuditEntry.objects.filter(action="missing.create").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", [Role.FORENSIC_EXAMINER, Role.DNA_ANALYST, Role.FIELD_RECORDER]
)
def test_other_roles_cannot_file_a_report(client, users, role) -> None:
    client.force_login(users[role])
    assert client.post(reverse("missing:person_create"), FORM).status_code == 403
    assert MissingPerson.objects.count() == 0


@pytest.mark.django_db
def test_an_investigator_may_read_a_report(client, org, users, liaison) -> None:
    person = make_person(org, liaison)
    client.force_login(users[Role.INVESTIGATOR])
    assert client.get(person.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_a_field_recorder_may_not_read_reports(client, org, users, liaison) -> None:
    person = make_person(org, liaison)
    client.force_login(users[Role.FIELD_RECORDER])
    assert client.get(person.get_absolute_url()).status_code == 403


@pytest.mark.django_db
def test_an_outsider_gets_404(client, org, liaison, outsider) -> None:
    person = make_person(org, liaison)
    client.force_login(outsider)
    assert client.get(person.get_absolute_url()).status_code == 404
    assert "Шевченко" not in client.get(reverse("missing:index")).content.decode()


@pytest.mark.django_db
def test_a_report_with_only_a_first_name_is_refused(client, liaison) -> None:
    client.force_login(liaison)
    body = client.post(
        reverse("missing:person_create"), {**FORM, "family_name": ""}
    ).content.decode()
    assert "surname unknown" in body
    assert MissingPerson.objects.count() == 0


@pytest.mark.django_db
def test_surname_unknown_must_be_said_explicitly(org, liaison) -> None:
    person = make_person(org, liaison, family_name="", family_name_unknown=True)
    assert person.family_name_unknown


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes, field",
    [
        ({"last_seen_date": dt.date(1970, 1, 1)}, "last_seen_date"),
        ({"last_seen_date": dt.timedelta(days=3)}, "last_seen_date"),
        ({"birth_year": 2999, "birth_month": None, "birth_day": None}, "birth_year"),
        ({"birth_month": 2, "birth_day": 30}, "birth_day"),
        ({"consent_date": dt.timedelta(days=1)}, "consent_date"),
    ],
)
def test_impossible_dates_are_refused(org, liaison, changes, field) -> None:
    # A timedelta is a day after today, read when the test runs (not when it is
    # collected: a run that crosses midnight would otherwise ask for today's date).
    changes = {
        key: timezone.localdate() + value if isinstance(value, dt.timedelta) else value
        for key, value in changes.items()
    }
    with pytest.raises(ValidationError) as err:
        make_person(org, liaison, **changes)
    assert field in err.value.message_dict
    assert MissingPerson.objects.count() == 0


@pytest.mark.django_db
def test_an_fdi_number_that_is_no_tooth_is_refused(org, liaison) -> None:
    person = make_person(org, liaison)
    with pytest.raises(ValidationError, match="FDI"):
        services.missing_person_add_item(
            actor=liaison,
            person=person,
            section="dental_chart",
            item={"tooth": 19, "status": "present_sound"},
        )


@pytest.mark.django_db
def test_am_record_as_dict_is_accepted_by_matching(org, liaison) -> None:
    person = make_person(
        org,
        liaison,
        last_seen_date=dt.date(2022, 3, 20),
        stature_cm=180,
        hair_colour="grey",
        eye_colour="blue",
        build="medium",
    )
    for section, item in [
        (
            "dental_chart",
            {
                "tooth": 36,
                "status": "present_sound",
                "restoration": "amalgam",
                "surfaces": ["M", "O"],
            },
        ),
        ("particulars", {"kind": "scar", "region": "forearm", "side": "L"}),
        ("fractures", {"bone": "radius", "side": "R", "year": 2001}),
        ("clothing", {"category": "jacket", "colours": ["khaki"]}),
        ("effects", {"category": "watch", "serial": "A1"}),
        ("documents", {"kind": "passport", "number": "AB123"}),
    ]:
        services.missing_person_add_item(
            actor=liaison,
            person=person,
            section=section,
            item=item,  # type: ignore[arg-type]
        )
    person.refresh_from_db()
    record = AMRecord.from_dict(am_record_as_dict(person))
    assert record.person_id == person.case_no
    assert record.sex == "male" and record.stature_cm == 180
    assert 46 <= record.age_min <= record.age_max <= 48  # type: ignore[operator]
    assert record.dental[36].restoration == "amalgam"
    assert {p.kind for p in record.particulars} == {"scar", "fracture"}
    assert record.documents[0].number == "AB123"


@pytest.mark.django_db
def test_duplicate_reports_are_proposed_merged_and_unmerged(
    client, org, liaison
) -> None:
    first = make_person(org, liaison)
    second = make_person(
        org,
        liaison,
        family_name="Шевченко",
        given_names="Александр",
        patronymic="Иванович",
        birth_month=None,
        birth_day=None,
        reporter_name="Шевченко Ганна",
    )
    make_person(org, liaison, given_names="Олександр", birth_year=1990)
    assert services.duplicate_candidates(second) == [first]
    client.force_login(liaison)
    body = client.get(second.get_absolute_url()).content.decode()
    assert "Possible duplicate reports" in body
    client.post(
        reverse("missing:person_merge", args=[second.pk]),
        {"into": first.pk, "reason": "same person, two relatives"},
    )
    second.refresh_from_db()
    assert second.merged_into == first
    assert MissingPerson.objects.filter(pk=second.pk).exists()
    assert second.case_no not in client.get(reverse("missing:index")).content.decode()
    client.post(
        reverse("missing:person_unmerge", args=[second.pk]), {"reason": "mistake"}
    )
    second.refresh_from_db()
    assert second.merged_into is None
    actions = list(
        AuditEntry.objects.filter(object_id=str(second.pk)).values_list(
            "action", flat=True
        )
    )
    assert "missing.merge" in actions and "missing.unmerge" in actions


@pytest.mark.django_db
def test_a_merge_needs_a_reason(org, liaison) -> None:
    a, b = make_person(org, liaison), make_person(org, liaison)
    with pytest.raises(ValidationError):
        services.missing_person_merge(actor=liaison, duplicate=b, into=a, reason=" ")


@pytest.mark.django_db
def test_the_list_finds_a_report_by_a_latin_spelling(client, org, liaison) -> None:
    make_person(org, liaison)
    client.force_login(liaison)
    response = client.get(reverse("missing:index"), {"q": "Oleksandr Shevchenko"})
    assert "Шевченко Олександр" in response.content.decode()
    # Found by two name keys, listed once.
    assert response.context["listing"].count == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"age_min": 50, "age_max": 30}, "age_max"),
        ({"stature_cm": 300}, "stature_cm"),
    ],
)
def test_a_value_the_database_refuses_is_said_at_its_field(
    client, liaison, data, field
) -> None:
    client.force_login(liaison)
    response = client.post(
        reverse("missing:person_create"), {**FORM, **data}, HTTP_ACCEPT_LANGUAGE="uk"
    )
    form = response.context["form"]
    assert field in form.errors and not form.non_field_errors()
    assert "violated" not in response.content.decode()
    assert MissingPerson.objects.count() == 0


@pytest.mark.django_db
def test_the_list_sorts_names_in_ukrainian_order(client, org, liaison) -> None:
    for family in ["Іваненко", "Ґонта", "Андрієнко", "Євтушенко", "Гнатюк"]:
        make_person(org, liaison, family_name=family)
    client.force_login(liaison)
    html = client.get(reverse("missing:index")).content.decode()
    positions = [
        html.index(n) for n in ["Андрієнко", "Гнатюк", "Ґонта", "Євтушенко", "Іваненко"]
    ]
    assert positions == sorted(positions)
