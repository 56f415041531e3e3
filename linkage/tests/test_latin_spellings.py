"""Latin spellings other than KMU 2010 (#15): older passports (``Yuriy``,
``Iurii``, ``Serhiy``) and the Russian form transliterated (``Sergey``,
``Nikolay``, ``Evgeniy``) compare as the Cyrillic given name they spell."""

from __future__ import annotations

from linkage.normalize import cyrillic_given_name, xlang_key
from linkage.reconcile import reconcile
from linkage.tests.test_explain import assert_explained
from linkage.tests.test_rules import background, fh, vol


def test_latin_given_names_in_any_transliteration() -> None:
    for latin, cyrillic in (("Sergey", "Сергій"), ("Serhiy", "Сергей"),
                            ("Iurii", "Юрій"), ("Yuriy", "Юрий"),
                            ("Nikolay", "Микола"), ("Evgeniy", "Євген"),
                            ("Vladimir", "Володимир"), ("Elena", "Олена"),
                            ("Oleksii", "Алексей"), ("Tatyana", "Тетяна")):  # fmt: skip
        found = cyrillic_given_name(latin)
        assert xlang_key(found, "first") == xlang_key(cyrillic, "first"), latin
    # other names stay apart; Cyrillic input and unknown words give ""
    assert xlang_key(cyrillic_given_name("Nikolay"), "first") != xlang_key(
        "Микита", "first"
    )
    assert (
        cyrillic_given_name("Сергій") == "" and cyrillic_given_name("Kovalenko") == ""
    )


def test_passport_spelling_from_the_russian_form_without_a_grave_number() -> None:
    # the funeral home: Russian spelling at grave 214; the volunteers: a
    # Russian-based passport spelling, surname first, no grave number
    rows = background() + [
        fh(2, "214", "Гончаренко", "Николай", "Андреевич", "07.02.1979", "",
           "11.05.2022", "15.05.2022"),
        vol(2, "", "HONCHARENKO NIKOLAY", "", "43", "11.05.2022", "17.05.2022"),
        # a namesake's brother: another given name, the same surname and dates
        vol(3, "", "HONCHARENKO NIKITA", "", "43", "11.05.2022", "17.05.2022"),
    ]  # fmt: skip
    res = reconcile(rows)
    assert_explained(res)
    assert res.row_cluster[("fh", 2)] == res.row_cluster[("vol", 2)]
    assert res.row_cluster[("fh", 2)] != res.row_cluster[("vol", 3)]
