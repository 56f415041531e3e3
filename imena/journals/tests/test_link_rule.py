"""A link made by a clustering rule is explained on the row's page and in the
review queue (#15 item 2): the rule and its evidence, in English and
Ukrainian, also when the model never scored the two rows together."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from imena.journals import selectors, services
from imena.journals.models import ClusterMember, JournalRow
from imena.journals.waterfall import EVIDENCE_LABELS, RULE_LABELS
from linkage.reconcile import EVIDENCE, RULES

# a nameless man buried temporarily in the yard, and the reburial of a
# nameless body who died that day: one body, written twice by the funeral
# home; no blocking rule scores the two rows together
MOVED = (
    "№ могилы;Фамилия;Имя;Отчество;Дата смерти;Дата захоронения;Примечание\n"
    ";Неизвестный мужчина;;;03.03.2022;15.03.2022;временно во дворе\n"
    "№ 76;Неопознанный;;;03.03.2022;21.06.2022;~65 лет перезахоронение\n"
)


def test_every_rule_and_fact_has_a_label() -> None:
    assert set(RULE_LABELS) == set(RULES)
    assert set(EVIDENCE_LABELS) == set(EVIDENCE)


@pytest.fixture
def moved(site, examiner, tmp_path: Path):
    path = tmp_path / "fh.csv"
    path.write_bytes(MOVED.encode("cp1251"))
    journal = services.journal_get_or_create(actor=examiner, site=site, name="FH")
    services.journal_import(actor=examiner, journal=journal, path=path,
                            filename=path.name)  # fmt: skip
    services.reconcile_site(actor=examiner, site=site)
    return site


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "words"),
    [("en", ["Linked by", "a nameless body buried temporarily and reburied",
             "the same death day", "a note: reburial", "no waterfall"]),
     ("uk", ["Як зв’язано", "тіло невідомого, поховане тимчасово й перепоховане",
             "той самий день смерті", "примітка: перепоховання"])],
)  # fmt: skip
def test_a_rows_page_shows_the_rule_that_linked_it(
    client, moved, examiner, lang: str, words: list[str]
) -> None:
    first = JournalRow.objects.get(row_number=2)
    again = JournalRow.objects.get(row_number=3)
    member = ClusterMember.objects.get(row=first)
    assert member.link_row == again
    assert member.link_rule == "nameless_moved"
    assert "same_death_day" in member.link_evidence and member.link_weight is None
    client.force_login(examiner)
    with translation.override(lang):
        html = client.get(
            reverse("journals:row_detail", args=[first.pk]), HTTP_ACCEPT_LANGUAGE=lang
        ).content.decode()
    assert reverse("journals:row_detail", args=[again.pk]) in html
    assert '<svg class="waterfall"' not in html
    for w in words:
        assert w in html, w


@pytest.mark.django_db
def test_the_review_queue_shows_the_rule_behind_a_conflict(
    client, moved, examiner
) -> None:
    first = JournalRow.objects.get(row_number=2)
    item = selectors.review_queue(moved).get(kind="row_without_grave", rows=first)
    assert item.rule == "nameless_moved" and "buried_later" in item.evidence
    client.force_login(examiner)
    html = client.get(reverse("journals:review_item", args=[item.pk])).content.decode()
    assert "Why the model proposes this" in html
    assert "a nameless body buried temporarily and reburied" in html
    assert "buried later (the reburial)" in html
