"""Name cells of unknown bodies as journals written apart from Imena's
simulator have them (#15): the sex a cell states, and when it states none."""

from __future__ import annotations

from linkage.normalize import is_unknown_name, sex_of


def test_a_person_or_a_body_states_no_sex() -> None:
    # "особа" (a person) and "тіло"/"труп" (a body) have a grammatical gender
    # of their own: the adjective agrees with the noun, not with the body
    for text in ("невстановлена особа", "невідома особа", "неопознанный труп",
                 "невідоме тіло"):  # fmt: skip
        assert is_unknown_name(text) and sex_of(text) == "", text
    assert sex_of("невідома жінка") == "f" and sex_of("Неизвестный мужчина") == "m"


def test_more_ways_of_writing_an_unknown_body() -> None:
    for text, sex in (("н/в ж", "f"), ("н.в.", ""), ("Н.В. чол.", "m"),
                      ("неустановленный", "m"), ("без имени", ""),
                      ("без імені", ""), ("неизв.", ""), ("невід.", "")):  # fmt: skip
        assert is_unknown_name(text), text
        assert sex_of(text) == sex, text
    for text in ("Коваль", "Без", "Мельник М.", "Невідомський Іван"):
        assert not is_unknown_name(text), text
