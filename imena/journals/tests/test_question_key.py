"""Review and decision keys fit their 200-character column at national scale."""

from __future__ import annotations

from imena.journals.services import _question_key


def test_a_short_key_lists_the_rows() -> None:
    assert _question_key("pair", [12, 3, 12]) == "pair:3,12"


def test_a_conflict_over_many_large_row_ids_still_fits_and_is_stable() -> None:
    pks = range(1_000_000, 1_000_040)  # 40 rows of a mass grave, 7-digit ids
    key = _question_key("conflict", pks)
    assert len(key) <= 200 and key.startswith("conflict:sha256:")
    assert key == _question_key("conflict", reversed(pks))
    assert key != _question_key("conflict", range(1_000_000, 1_000_041))
