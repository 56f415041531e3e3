"""What the public family pages must not reveal (#16 item 5)."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from imena.families import tokens
from imena.families.models import CaseAccess, PublicReport
from imena.missing.tests.factories import make_person

pytestmark = pytest.mark.django_db


def _submit(client: Any, data: dict[str, Any]) -> tuple[Any, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/family/report/", data)
    return response, len(queries)


def test_a_report_answers_alike_for_existing_and_unknown_names(
    client, org, form_data
) -> None:
    make_person(
        org,
        family_name="Тестенко",
        given_names="Вигадан",
        patronymic="Петрович",
        birth_year=1979,
        birth_month=4,
        birth_day=2,
        consent_publication=True,
    )
    known, known_queries = _submit(client, form_data)
    other = dict(form_data, family_name="Немаєнко", given_names="Нікого")
    other["reporter_phone"] = "+380 00 000 0002"
    unknown, unknown_queries = _submit(client, other)
    assert (known.status_code, known["Location"]) == (
        unknown.status_code,
        unknown["Location"],
    )
    # The same work either way: nothing is looked up in the register.
    assert known_queries == unknown_queries
    page = client.get(known["Location"]).content.decode()
    assert "Тестенко" not in page and "AM-" not in page
    assert PublicReport.objects.count() == 2


def test_case_links_are_long_random_and_not_enumerable(client) -> None:
    seen = {tokens.new_token() for _ in range(500)}
    assert len(seen) == 500
    for token in list(seen)[:20]:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        assert len(raw) * 8 >= 128
    for guess in ("1", "F-2345-6789", "0" * 43, "../queue"):
        assert client.get(f"/family/case/{guess}/").status_code == 404


def _accept(client: Any, liaison: Any, data: dict[str, Any]) -> str:
    client.logout()
    assert client.post("/family/report/", data).status_code == 302
    report = PublicReport.objects.order_by("-pk").first()
    client.force_login(liaison)
    response = client.post(f"/family/queue/{report.pk}/accept/")  # type: ignore[union-attr]
    client.logout()
    return re.search(r"(/family/case/[^<]+/)<", response.content.decode())[1]  # type: ignore[index]


def test_the_case_page_shows_nothing_of_other_cases(client, liaison, form_data):
    mine = _accept(client, liaison, form_data)
    theirs_data = dict(
        form_data,
        family_name="Іншенко",
        given_names="Другий",
        reporter_name="Іншенко Ольга",
        reporter_phone="+380 00 000 0003",
    )
    theirs = _accept(client, liaison, theirs_data)
    page = client.get(mine).content.decode()
    their_access = CaseAccess.objects.get(report__family_name="Іншенко")
    for secret in (
        "Іншенко",
        "Другий",
        their_access.case_code,
        theirs.split("/")[-2],
        their_access.person.case_no,
    ):
        assert secret not in page
    # Nor the report's own register data beyond its status: no case number,
    # no DNA, no graves, no candidates.
    my_access = CaseAccess.objects.get(report__family_name="Тестенко")
    assert my_access.person.case_no not in page
    # The content only: the footer speaks of graves, the markup has a <body>.
    main = page.split("<main")[1].split("</main>")[0].lower()
    for word in ("posterior", "candidate", "grave", "genotype", "d3s1358", "body"):
        assert word not in main


def test_the_public_form_and_its_answers_name_nobody(client, org, form_data):
    make_person(org, family_name="Тестенко", given_names="Вигадан")
    for url in ("/family/report/", "/family/report/received/"):
        page = client.get(url).content.decode()
        assert "Тестенко" not in page and "AM-" not in page
    form_data["given_names"] = ""  # an error page repeats only what was sent
    page = client.post("/family/report/", form_data).content.decode()
    assert "AM-" not in page
