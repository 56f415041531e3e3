"""The public family search tells only whether a report exists; it leaks nothing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import override_settings
from django.urls import reverse

from imena.evidence.tests.factories import png
from imena.missing.models import ContactRequest
from imena.missing.services import (
    SECTION_FIELDS,
    missing_person_add_item,
    missing_photo_create,
    photo_stage,
)
from imena.missing.tests.factories import make_person

URL = "/missing/family/"

# Every field of a report, with a value that appears nowhere else.
DISTINCT = {
    "family_name": "Зюзюкевич",
    "given_names": "Аполлінарій",
    "patronymic": "Феоктистович",
    "aliases": "Ксюзюкевич",
    "place_of_birth": "Квакошино",
    "home_city": "Бурбуляки",
    "home_street": "вулиця Шкварчальна",
    "home_region": "Примарщина",
    "last_seen_place": "Хутір Мжичка",
    "circumstances_text": "Пішов по воду до криниці Дзвонарки",
    "medical_notes": "Шунтування Трикутникове",
    "dentist": "Лікар Пломбаренко",
    "description": "Носив окуляри Мурмуляндії",
    "reporter_name": "Гуцулюк Веселина",
    "reporter_relationship": "сусідка-Кваква",
    "reporter_contact": "+380 99 123 45 67",
}
ITEMS = {
    "particulars": {
        "kind": "tattoo",
        "region": "forearm",
        "side": "L",
        "description": "татуювання Грифобджола",
    },
    "fractures": {"bone": "кістка Плюсна-Ламка", "side": "R", "year": 1991},
    "clothing": {
        "category": "coat",
        "colours": ["purple"],
        "label_text": "Бренд Шубохвіст",
    },
    "effects": {
        "category": "watch",
        "serial": "SERIAL-ZQX-9931",
        "engraving": "Вічно Твоя Зоя",
    },
    "documents": {"kind": "passport", "number": "ЖЖ 777123"},
}


PHOTO_NAME = "Фото-Зюзюкевича-Мурмуляндія.png"


def _add_photo(person, liaison) -> None:

    staged = photo_stage([png((9, 7))], name=PHOTO_NAME)
    photo = missing_photo_create(
        actor=liaison,
        person=person,
        staged=staged,
        kind="face",
        consent_use=True,
        description="усмішка Шкрябодзьоба",
    )
    DISTINCT_PHOTO.update(
        {
            "photo.original_name": photo.original_name,
            "photo.sha256": photo.sha256,
            "photo.sha256_prefix": photo.sha256[:16],
            "photo.description": photo.description,
            "photo.url": f"/missing/photos/{photo.pk}/",
        }
    )


DISTINCT_PHOTO: dict[str, str] = {}


@pytest.fixture(autouse=True)
def _evidence_root(settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path / "evidence"


@pytest.fixture
def secret_person(org, liaison):
    person = make_person(
        org,
        liaison,
        **DISTINCT,
        sex="male",
        birth_year=1968,
        birth_month=7,
        birth_day=23,
        last_seen_date=dt.date(2022, 4, 2),
        circumstances="detained",
        stature_cm=187,
        consent_publication=True,
    )
    for section, item in ITEMS.items():
        missing_person_add_item(
            actor=liaison, person=person, section=section, item=item
        )
    _add_photo(person, liaison)
    return person


def leak_values(person) -> list[str]:
    values = list(DISTINCT.values())
    values += [
        person.case_no,
        person.family_name_latin,
        person.given_names_latin,
        person.patronymic_latin,
        person.family_name_ru,
        person.given_names_ru,
    ]
    for item in ITEMS.values():
        values += [str(v) for v in item.values() if isinstance(v, str) and len(v) > 6]  # type: ignore[attr-defined]
    return [v for v in values if v]


@pytest.fixture(autouse=True)
def generous_rate():
    with override_settings(IMENA_FAMILY_SEARCH_RATE="1000/h"):
        yield


def search(client, name, dob):
    return client.post(URL, {"action": "search", "name": name, "date_of_birth": dob})


@pytest.mark.django_db
def test_the_page_is_public(client) -> None:
    response = client.get(URL)
    assert response.status_code == 200
    assert "date_of_birth" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    [
        "Зюзюкевич Аполлінарій",
        "Apollinarii Ziuziukevych",
        "Аполлинарий Зюзюкевич",
    ],
)
def test_a_hit_says_a_report_exists_in_any_spelling(
    client, secret_person, name
) -> None:
    body = search(client, name, "1968-07-23").content.decode()
    assert "A report with these details exists." in body


@pytest.mark.django_db
def test_a_wrong_birth_date_is_a_miss(client, secret_person) -> None:
    body = search(client, "Зюзюкевич Аполлінарій", "1969-07-23").content.decode()
    assert "No report with these details was found." in body


@pytest.mark.django_db
def test_a_year_of_birth_with_the_patronymic_is_enough_for_a_hit(
    client, secret_person
) -> None:
    # #19 row 7: a year alone no longer suffices with two names; the
    # patronymic makes the query one person.
    body = search(client, "Зюзюкевич Аполлінарій Феоктистович", "1968").content.decode()
    assert "A report with these details exists." in body
    body = search(client, "Зюзюкевич Аполлінарій", "1968").content.decode()
    assert "A report with these details exists." not in body
    assert "also write the patronymic" in body


# Free-text values of the repeating sections (coded values such as "L" or
# "coat" are vocabulary words that appear on any page and prove nothing).
LEAK_FIELDS = [
    *DISTINCT,
    *(
        f"{s}.{k}"
        for s, item in ITEMS.items()
        for k in item  # type: ignore[attr-defined]
        if SECTION_FIELDS[s][k][0] == "text"
    ),
    "photo.original_name",
    "photo.sha256",
    "photo.sha256_prefix",
    "photo.description",
    "photo.url",
]


# Only the CSRF token fields: a leaked hash elsewhere must still be found.
TOKEN = re.compile(
    r'(?<=name="csrfmiddlewaretoken" value=")[^"]+|(?<="X-CSRFToken": ")[^"]+'
)


@pytest.mark.django_db
@pytest.mark.parametrize("field", LEAK_FIELDS)
def test_no_response_shows_a_field_the_searcher_did_not_give(
    client, secret_person, field
) -> None:
    """Per field: hit, miss, contact request and rate-limit pages never contain it."""
    if field.startswith("photo."):
        value = DISTINCT_PHOTO[field]
    elif "." in field:
        section, key = field.split(".")
        value = str(ITEMS[section][key])  # type: ignore[index]
    else:
        value = DISTINCT[field]
    supplied = {"family_name": "Зюзюкевич", "given_names": "Аполлінарій"}
    bodies = [
        client.get(URL).content.decode(),
        search(client, "Ziuziukevych Apollinarii", "1968-07-23").content.decode(),
        search(client, "Зюзюкевич Аполлінарій", "1968").content.decode(),
        search(client, "Петренко Іван", "1968-07-23").content.decode(),
        client.post(
            URL,
            {
                "action": "contact",
                "name": "Ziuziukevych Apollinarii",
                "date_of_birth": "1968-07-23",
                "requester_name": "Син",
                "requester_contact": "+380 1",
            },
        ).content.decode(),
    ]
    # CSRF tokens are random letters and digits: one may contain "187" by
    # chance, so they are taken out before looking for short values.
    bodies = [TOKEN.sub("<token>", body) for body in bodies]
    for body in bodies:
        if field in supplied and supplied[field] in value:
            continue
        assert value not in body, f"{field} leaked"
        # nor the status, DNA or other derived data
        assert secret_person.case_no not in body
        assert "1991" not in body and "187" not in body


@pytest.mark.django_db
def test_hit_and_miss_have_the_same_shape_and_size_class(client, secret_person) -> None:
    hit = search(client, "Зюзюкевич Аполлінарій", "1968-07-23")
    miss = search(client, "Зюзюкевич Аполлінарій", "1970-07-23")
    assert hit.status_code == miss.status_code == 200
    assert len(hit.content) == len(miss.content)
    assert hit.templates[0].name == miss.templates[0].name


@pytest.mark.django_db
def test_a_contact_request_is_stored_and_shown_to_liaison(
    client, secret_person, liaison
) -> None:
    client.post(
        URL,
        {
            "action": "contact",
            "name": "Apollinarii Ziuziukevych",
            "date_of_birth": "23.07.1968",
            "requester_name": "Онука Зоя",
            "requester_contact": "zoya@example.org",
        },
    )
    request = ContactRequest.objects.get()
    assert request.person == secret_person
    client.force_login(liaison)
    body = client.get(reverse("missing:contact_requests")).content.decode()
    assert "Онука Зоя" in body and secret_person.case_no in body


@pytest.mark.django_db
def test_searches_are_rate_limited_per_address(client) -> None:
    with override_settings(IMENA_FAMILY_SEARCH_RATE="3/h"):
        codes = [search(client, "Петренко Іван", "1950").status_code for _ in range(4)]
        other = client.post(
            URL,
            {"name": "Петренко Іван", "date_of_birth": "1950"},
            REMOTE_ADDR="10.9.9.9",
        )
    assert codes == [200, 200, 200, 429]
    assert other.status_code == 200
    assert SECTION_FIELDS  # the leak test covers every section with items


@pytest.mark.django_db
def test_the_rate_limit_page_says_why(client) -> None:
    with override_settings(IMENA_FAMILY_SEARCH_RATE="1/h"):
        search(client, "Петренко Іван", "1950")
        response = search(client, "Петренко Іван", "1950")
    assert response.status_code == 429
    assert "Too many searches" in response.content.decode()
