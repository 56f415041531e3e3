"""Nameless rows at the neighbouring plank (#15): a row left unlinked at the
other journal's number blocks the link only if it could be that body."""

from __future__ import annotations

from linkage.reconcile import reconcile
from linkage.tests.test_explain import assert_explained
from linkage.tests.test_rules import background, fh, same, vol


def test_an_unlinked_row_of_the_other_sex_at_the_plank_is_no_rival() -> None:
    # the funeral home: a nameless man at 369; the volunteers: a nameless man
    # at 370 (the next plank), where the funeral home has a woman whom the
    # volunteers did not write: she cannot be the man the volunteers saw
    a = fh(2, "369", "неизвестный", "", "", "", "62", "28.07.2022", "30.07.2022")
    b = vol(2, "370", "н/в чоловік", "", "", "28.07.2022", "30.07.2022")
    woman = fh(3, "370", "Харчова", "Ольга", "Петровна", "03.03.1950", "",
               "28.07.2022", "30.07.2022")  # fmt: skip
    res = reconcile(background() + [a, b, woman])
    assert_explained(res)
    assert same(res, ("fh", 2), ("vol", 2))
    # an unlinked man there could be the volunteers' nameless man: a guess
    man = fh(3, "370", "Харченко", "Олег", "Петрович", "03.03.1960", "",
             "28.07.2022", "30.07.2022")  # fmt: skip
    assert not same(reconcile(background() + [a, b, man]), ("fh", 2), ("vol", 2))
