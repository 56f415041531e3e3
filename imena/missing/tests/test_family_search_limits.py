"""Family search: one person per query, consent, race-free rate limits per
client and overall, the trusted proxy header (#19 rows 7, 17)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import override_settings

from imena.missing import search as search_lib
from imena.missing.models import ContactRequest
from imena.missing.tests.factories import make_person

URL = "/missing/family/"
EXISTS = "A report with these details exists."


def search(client, name, dob, **extra):
    return client.post(
        URL, {"action": "search", "name": name, "date_of_birth": dob}, **extra
    )


@pytest.fixture
def people(org, liaison):
    common = {"birth_year": 1968, "birth_month": 7, "birth_day": 23}
    return [
        make_person(
            org,
            liaison,
            family_name=f,
            given_names=g,
            patronymic=p,
            consent_publication=True,
            **common,
        )  # fmt: skip
        for f, g, p in [
            ("Зюзюкевич", "Аполлінарій", "Феоктистович"),
            ("Петрущак", "Іларіон", "Мефодійович"),
        ]
    ]


@pytest.fixture
def generous():
    with override_settings(
        IMENA_FAMILY_SEARCH_RATE="1000/h", IMENA_FAMILY_SEARCH_GLOBAL_RATE=""
    ):
        yield


@pytest.mark.django_db
@pytest.mark.usefixtures("generous")
def test_one_query_cannot_name_a_group(client, people) -> None:
    body = search(
        client, "Зюзюкевич Петрущак Аполлінарій Іларіон", "1968"
    ).content.decode()
    assert EXISTS not in body and "two or three words" in body
    # Two surnames of two people, each word one part: not one person.
    assert (
        EXISTS
        not in search(client, "Зюзюкевич Петрущак", "23.07.1968").content.decode()
    )
    assert EXISTS in search(client, "Петрущак Іларіон", "23.07.1968").content.decode()


@pytest.mark.django_db
@pytest.mark.usefixtures("generous")
def test_without_consent_the_answer_is_no_report(client, people) -> None:
    person = people[0]
    person.consent_publication = False
    person.save(update_fields=["consent_publication"])
    hit = search(client, "Зюзюкевич Аполлінарій", "23.07.1968")
    miss = search(client, "Зюзюкевич Аполлінарій", "23.07.1969")
    assert EXISTS not in hit.content.decode()
    assert len(hit.content) == len(miss.content)
    # A contact request still reaches the organisation holding the report.
    client.post(
        URL,
        {
            "action": "contact",
            "name": "Зюзюкевич Аполлінарій",
            "date_of_birth": "23.07.1968",
            "requester_name": "Онука Зоя",
            "requester_contact": "zoya@example.org",
        },
    )
    assert ContactRequest.objects.get().person == person


@pytest.mark.django_db(transaction=True)
def test_parallel_searches_never_pass_the_limit() -> None:
    def one(_: int) -> bool:
        try:
            return search_lib.rate_limited("10.1.1.1")
        finally:
            connection.close()

    with override_settings(
        IMENA_FAMILY_SEARCH_RATE="10/h", IMENA_FAMILY_SEARCH_GLOBAL_RATE=""
    ), ThreadPoolExecutor(max_workers=10) as pool:  # fmt: skip
        limited = list(pool.map(one, range(30)))
    assert limited.count(False) == 10


@pytest.mark.django_db
def test_the_overall_limit_holds_across_addresses(client) -> None:
    with override_settings(
        IMENA_FAMILY_SEARCH_RATE="100/h", IMENA_FAMILY_SEARCH_GLOBAL_RATE="3/h"
    ):
        codes = [
            search(
                client, "Петрущак Іларіон", "23.07.1968", REMOTE_ADDR=f"10.0.0.{i}"
            ).status_code
            for i in range(4)
        ]
    assert codes == [200, 200, 200, 429]


@pytest.mark.django_db
def test_the_client_address_comes_from_the_trusted_header_only(client) -> None:
    def codes(**extra):
        return [
            search(client, "Петрущак Іларіон", "23.07.1968", **extra).status_code
            for _ in range(2)
        ]

    with override_settings(
        IMENA_FAMILY_SEARCH_RATE="2/h", IMENA_FAMILY_SEARCH_GLOBAL_RATE=""
    ):
        # Not configured: a forged header changes nothing.
        assert codes(HTTP_X_FORWARDED_FOR="1.1.1.1") == [200, 200]
        assert codes(HTTP_X_FORWARDED_FOR="2.2.2.2") == [429, 429]
        with override_settings(IMENA_CLIENT_IP_HEADER="X-Forwarded-For"):
            # Behind the proxy: each family has its own bucket (the last
            # address is the one the proxy added).
            assert codes(HTTP_X_FORWARDED_FOR="9.9.9.9, 3.3.3.3") == [200, 200]
            assert codes(HTTP_X_FORWARDED_FOR="4.4.4.4") == [200, 200]
            assert codes(HTTP_X_FORWARDED_FOR="5.5.5.5, 3.3.3.3") == [429, 429]


@pytest.mark.django_db(transaction=True)
def test_thirty_parallel_searches_on_the_live_server_get_ten_answers(
    live_server,
) -> None:
    from imena.core.testing import post_at_once

    with override_settings(
        IMENA_FAMILY_SEARCH_RATE="10/h", IMENA_FAMILY_SEARCH_GLOBAL_RATE=""
    ):
        statuses = post_at_once(
            f"{live_server.url}{URL}",
            {
                "action": "search",
                "name": "Петрущак Іларіон",
                "date_of_birth": "1968-07-23",
            },
            session="",
            n=30,
        )
    assert statuses.count(200) == 10 and statuses.count(429) == 20, statuses
