"""The match-weight waterfall on a review item (#15 item 2), server-side SVG
in English and Ukrainian."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from imena.journals import selectors, services
from imena.journals.models import JournalRow, ReviewItem
from imena.journals.waterfall import waterfall

pytestmark = pytest.mark.django_db

EXPLANATION = [
    {"comparison": "surname", "level": "exact", "weight": 6.5},
    {"comparison": "given", "level": "initial", "weight": 1.2},
    {"comparison": "birth", "level": "else", "weight": -3.0},
    {"comparison": "grave", "level": "neighbouring plank", "weight": 2.3},
]


def _item(site, examiner):
    services.reconcile_site(actor=examiner, site=site)
    a = JournalRow.objects.get(surname="Коваленко", journal__name="Funeral home")
    b = JournalRow.objects.get(surname="Коваленко", journal__name="Volunteers")
    item = ReviewItem.objects.create(
        run=selectors.latest_run(site),
        kind="borderline_match",
        key=services._question_key("pair", [a.pk, b.pk]),
        message="",
        match_probability=0.62,
        match_weight=0.7,
        explanation=EXPLANATION,
    )
    item.rows.set([a, b])
    return item


def test_the_bars_add_up_to_the_match_weight() -> None:
    wf = waterfall(EXPLANATION, 0.7)
    assert wf is not None
    kinds = [b.kind for b in wf.bars]
    assert kinds == ["prior", "for", "for", "against", "for", "total"]
    prior = wf.bars[0].weight
    assert prior == pytest.approx(0.7 - 7.0)
    assert wf.bars[-1].weight == pytest.approx(0.7)
    # each step starts where the previous one ended
    for before, after in zip(wf.bars[1:-2], wf.bars[2:-1], strict=True):
        edges_before = {before.x, round(before.x + before.width, 1)}
        edges_after = {after.x, round(after.x + after.width, 1)}
        assert edges_before & edges_after
    assert waterfall([], 1.0) is None


@pytest.mark.parametrize(
    ("lang", "words"),
    [("en", ["Match-weight waterfall", "neighbouring plank", "prior", "given name"]),
     ("uk", ["сусідня табличка", "апріорі", "Водоспад ваги збігу"])],
)  # fmt: skip
def test_the_review_item_shows_the_waterfall(
    client, imported, examiner, lang: str, words: list[str]
) -> None:
    item = _item(imported, examiner)
    client.force_login(examiner)
    with translation.override(lang):
        html = client.get(
            reverse("journals:review_item", args=[item.pk]),
            HTTP_ACCEPT_LANGUAGE=lang,
        ).content.decode()
    svg = re.search(r"<svg class=\"waterfall\".*?</svg>", html, re.S)
    assert svg, html
    assert svg.group(0).count("<rect") == 6
    for w in words:
        assert w in html, w


@pytest.mark.parametrize(
    ("lang", "words"),
    [("en", ["Strongest link", "given name", "the same"]),
     ("uk", ["Найсильніший зв’язок", "апріорі"])],
)  # fmt: skip
def test_a_linked_rows_page_shows_its_link_and_waterfall(
    client, imported, examiner, lang: str, words: list[str]
) -> None:
    services.reconcile_site(actor=examiner, site=imported)
    ru = JournalRow.objects.get(surname="Шевченко", journal__name="Funeral home")
    uk = JournalRow.objects.get(surname="Шевченко", journal__name="Volunteers")
    client.force_login(examiner)
    with translation.override(lang):
        html = client.get(
            reverse("journals:row_detail", args=[ru.pk]), HTTP_ACCEPT_LANGUAGE=lang
        ).content.decode()
    assert reverse("journals:row_detail", args=[uk.pk]) in html
    svg = re.search(r"<svg class=\"waterfall\".*?</svg>", html, re.S)
    assert svg and svg.group(0).count("<rect") == 9  # prior, 7 comparisons, total
    for w in words:
        assert w in html, w


def test_a_rows_page_lists_its_open_questions(client, imported, examiner) -> None:
    services.reconcile_site(actor=examiner, site=imported)
    row = JournalRow.objects.get(surname="Мельник")
    item = selectors.review_queue(imported).get(kind="row_without_grave", rows=row)
    client.force_login(examiner)
    html = client.get(reverse("journals:row_detail", args=[row.pk])).content.decode()
    assert reverse("journals:review_item", args=[item.pk]) in html


def test_a_conflict_shows_the_pair_that_explains_it(
    client, site, examiner, tmp_path
) -> None:
    # one person written at grave 12 by the funeral home and at 15 by the
    # volunteers: joined by name and dates, a "one person, several graves"
    # conflict explained by that pair
    fh = tmp_path / "fh.csv"
    fh.write_text(
        "№ могилы;Фамилия;Имя;Отчество;Дата рождения;Дата смерти;Дата захоронения\n"
        "12;Шевченко;Александр;Николаевич;12.03.1950;10.03.2022;14.03.2022\n",
        "utf-8",
    )
    vol = tmp_path / "vol.csv"
    vol.write_text(
        "Номер могили,ПІБ,Дата народження,Дата смерті,Дата поховання\n"
        "15,Шевченко Олександр Миколайович,12.03.1950,10.03.2022,14.03.2022\n",
        "utf-8",
    )
    for path, name in [(fh, "Funeral home"), (vol, "Volunteers")]:
        journal = services.journal_get_or_create(actor=examiner, site=site, name=name)
        services.journal_import(
            actor=examiner, journal=journal, path=path, filename=path.name
        )
    services.reconcile_site(actor=examiner, site=site)
    item = selectors.review_queue(site).get(kind="person_multiple_graves")
    assert item.explanation and item.match_weight is not None
    levels = {e["comparison"]: e["level"] for e in item.explanation}
    assert levels["grave"] == "else" and levels["birth"] == "same birth date"
    client.force_login(examiner)
    html = client.get(reverse("journals:review_item", args=[item.pk])).content.decode()
    assert '<svg class="waterfall"' in html
