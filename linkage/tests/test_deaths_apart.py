"""Two journals' rows whose death days no slip explains are two deaths (#15 jrec6)."""

from __future__ import annotations

from linkage.reconcile import reconcile
from linkage.tests.test_explain import assert_explained
from linkage.tests.test_rules import background, fh, same, vol


def test_rows_with_death_days_a_week_apart_stay_apart() -> None:
    # one name and birth date on neighbouring graves, the same burial day, but
    # died on 20.06 and on 12.06: not a slip of one digit nor two swapped
    # digits, so two deaths (a reviewer asks, no rule links them)
    b = "21.06.2022"
    home = fh(
        2, "443", "Литвинюк", "Римма", "Василівна", "03.07.1992", "", "20.06.2022", b
    )
    other = vol(2, "442", "Литвинюк Римма Василівна", "03.07.1992", "", "12.06.2022", b)
    res = reconcile(background() + [home, other])
    assert not same(res, ("fh", 2), ("vol", 2))
    assert_explained(res)
    # a day off (found the next day) or one digit slipped (26.06): one death
    for death in ("21.06.2022", "26.06.2022", "02.06.2022"):
        moved = vol(2, "442", "Литвинюк Римма Василівна", "03.07.1992", "", death, b)
        res = reconcile(background() + [home, moved])
        assert same(res, ("fh", 2), ("vol", 2)), death
