"""A mass grave in review: people by journal, paged, no decision chosen for the
reviewer (#21 item 6)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from imena.journals import selectors, services, views
from imena.journals.models import JournalRow, LinkDecision, ReviewItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(imported, examiner) -> ReviewItem:
    services.reconcile_site(actor=examiner, site=imported)
    run = selectors.latest_run(imported)
    rows = list(JournalRow.objects.order_by("journal__name", "row_number"))
    item = ReviewItem.objects.create(  # type: ignore[misc]
        run=run,
        kind="grave_multiple_people",
        key=services._question_key("group", [r.pk for r in rows]),
        priority=1000,
        message="",
        grave_number="13",
    )
    item.rows.set(rows)
    return item


def test_a_group_is_one_line_per_person_and_a_column_per_journal(
    client, group, examiner
) -> None:
    client.force_login(examiner)
    response = client.get(reverse("journals:review_item", args=[group.pk]))
    html = response.content.decode()
    journals = response.context["journals"]
    assert [j.name for j in journals] == ["Funeral home", "Volunteers"]
    people = response.context["people"].rows
    # The same Shevchenko is one line, with his row in each journal.
    shevchenko = [
        p for p in people if any("Шевченко" in r.surname for c in p.cells for r in c)
    ]
    assert len(shevchenko) == 1
    assert [len(cell) for cell in shevchenko[0].cells] == [1, 1]
    assert len(people) < 8
    # No header set of one journal is laid under another journal's rows.
    assert "Фамилия" not in html and "people-by-journal" in html


def test_a_large_group_is_paged_inside_the_item(
    client, group, examiner, monkeypatch
) -> None:
    monkeypatch.setattr(views, "PEOPLE_PER_PAGE", 2)
    client.force_login(examiner)
    url = reverse("journals:review_item", args=[group.pk])
    first = client.get(url).context["people"]
    second = client.get(url, {"page": 2}).context["people"]
    assert len(first.rows) == 2 and first.page.paginator.num_pages > 1
    assert {p.name for p in first.rows}.isdisjoint(p.name for p in second.rows)


def test_no_decision_is_chosen_for_the_reviewer(client, group, examiner) -> None:
    client.force_login(examiner)
    url = reverse("journals:review_item", args=[group.pk])
    html = client.get(url).content.decode()
    assert '<option value="" selected>' in html
    response = client.post(url, {"reason": "Looked at the grave plan."})
    assert response.status_code == 200
    assert "kind" in response.context["form"].errors
    assert not LinkDecision.objects.exists()


@pytest.mark.parametrize(
    ("message", "ukrainian"),
    [
        (
            "grave бм1 proposed for 26 people (mass grave)",
            "могилу бм1 запропоновано для 26 осіб (братська могила)",
        ),
        (
            "Кравчко Петр: rows name graves 7, 8",
            "Кравчко Петр: записи називають могили 7, 8",
        ),
        ("something new", "something new"),
    ],
)
def test_review_messages_are_read_in_ukrainian(message, ukrainian) -> None:
    from django.utils import translation

    from imena.journals.texts import review_message

    with translation.override("uk"):
        assert review_message(message) == ukrainian


@pytest.mark.parametrize(
    ("problem", "ukrainian"),
    [
        (
            {"code": "missing_grave_number", "message": "no grave number"},
            "немає номера могили",
        ),
        (
            {
                "code": "unknown_person",
                "message": "name recorded as unknown: 'невідомий'",
            },
            "ім’я записано як невідоме: 'невідомий'",
        ),
        ({"code": "new_code", "message": "as written"}, "as written"),
    ],
)
def test_journal_problems_are_read_in_ukrainian(problem, ukrainian) -> None:
    from django.utils import translation

    from imena.journals.texts import problem_message

    with translation.override("uk"):
        assert problem_message(problem) == ukrainian
