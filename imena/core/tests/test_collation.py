"""Ukrainian alphabetical order, in Python and in the database (#21 item 10)."""

from __future__ import annotations

import pytest

from imena.accounts.models import Organisation
from imena.core.collation import Ukrainian, uk_sort_key

# Each list is in Ukrainian alphabetical order.
ORDERED = [
    ["Андрієнко", "Іваненко"],
    ["Гнатюк", "Ґонта", "Дмитренко"],
    ["Євтушенко", "Ємець", "Жук"],
    ["Євтушенко", "Жук"],
    ["Иванишин", "Іваненко", "Їжакевич", "Йосипенко", "Кравець"],
    ["Шевченко", "Щербак", "Юрченко", "Яковенко"],
    ["Демченко", "Демчук", "Дем’яненко"],
    ["андрієнко", "Бойко"],
    ["Яковенко", "Adams"],
]


@pytest.mark.parametrize("names", ORDERED, ids=lambda n: " < ".join(n))
def test_names_sort_in_ukrainian_order(names: list[str]) -> None:
    rotated = names[1:] + names[:1]
    assert sorted(rotated, key=uk_sort_key) == names


def test_case_only_breaks_ties() -> None:
    assert sorted(["бойко", "Бойко"], key=uk_sort_key) == ["Бойко", "бойко"]


@pytest.mark.django_db
def test_the_database_orders_in_ukrainian_too() -> None:
    names = ["Іваненко", "Ґонта", "Яковенко", "Євтушенко", "Андрієнко", "Гнатюк"]
    for i, name in enumerate(names):
        Organisation.objects.create(name=name, code=f"c{i}")
    ordered = list(
        Organisation.objects.filter(code__startswith="c")
        .order_by(Ukrainian("name"))
        .values_list("name", flat=True)
    )
    assert ordered == sorted(names, key=uk_sort_key)
    assert ordered[:2] == ["Андрієнко", "Гнатюк"]
