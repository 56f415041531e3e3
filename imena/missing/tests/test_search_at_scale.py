"""The register's search and list read through their indexes (#13 item 5).

The search is one set of ids (name keys or the case number) rather than an OR
that tests every report; the list's Ukrainian order is read from an index on
PostgreSQL. Same rows, same order, same pages.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from imena.accounts.models import Role
from imena.missing import services
from imena.missing.models import MissingPerson
from imena.missing.tests.factories import make_person

pytestmark = pytest.mark.django_db


def listed(client, **params) -> list[str]:
    response = client.get(reverse("missing:index"), params)
    assert response.status_code == 200
    return [p.case_no for p in response.context["page"]]


def test_a_search_finds_names_and_case_numbers_once_each(
    client, org, other_org, liaison
) -> None:
    from conftest import make_user

    a = make_person(org, liaison, family_name="Шевченко")
    b = make_person(org, liaison, family_name="Бондар", given_names="Шевченко")
    c = make_person(org, liaison, family_name="Коваль")
    merged = make_person(org, liaison, family_name="Шевченко")
    services.missing_person_merge(actor=liaison, duplicate=merged, into=a, reason="x")
    outsider = make_user(other_org, Role.FAMILY_LIAISON, "other-liaison")
    make_person(other_org, outsider, family_name="Шевченко")
    client.force_login(liaison)
    # Found by a name key (family or given name), listed once, in name order.
    assert listed(client, q="Шевченко") == [b.case_no, a.case_no]
    # The case number, in any case, alone or with the status filter.
    assert listed(client, q=c.case_no.lower()) == [c.case_no]
    assert listed(client, q=c.case_no, status=c.status) == [c.case_no]
    assert listed(client, q=c.case_no, status="closed") == []
    assert listed(client, q="Нікого") == []


def test_the_list_pages_keep_the_ukrainian_order(client, org, liaison) -> None:
    families = ["Іваненко", "Ґонта", "Андрієнко", "Євтушенко", "Гнатюк", "Гнатюк"]
    for family in families:
        make_person(org, liaison, family_name=family)
    client.force_login(liaison)
    pages = [listed(client, page=n, per_page=2) for n in (1, 2, 3)]
    names = dict(
        MissingPerson.objects.filter(organisation=org).values_list(
            "case_no", "family_name"
        )
    )
    assert [names[c] for page in pages for c in page] == [
        "Андрієнко",
        "Гнатюк",
        "Гнатюк",
        "Ґонта",
        "Євтушенко",
        "Іваненко",
    ]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the collation index is PostgreSQL's"
)
def test_postgresql_reads_the_list_order_from_the_index(org, liaison) -> None:
    from imena.core.collation import Ukrainian
    from imena.missing.models import MissingPerson

    make_person(org, liaison)
    people = (
        MissingPerson.objects.filter(organisation=org, merged_into__isnull=True)
        .annotate(family_uk=Ukrainian("family_name"), given_uk=Ukrainian("given_names"))
        .order_by("family_uk", "given_uk", "pk")[:50]
    )
    sql, params = people.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "missing_person_uk_name" in plan, plan
    assert "Sort" not in plan, plan
