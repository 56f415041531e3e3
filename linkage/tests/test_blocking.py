"""Blocking with a cap on block size (#19 row 16): one name written on
thousands of rows must not make ``reconcile`` score all their pairs."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from linkage.io import ParsedRow, RawRow, guess_mapping, parse_row
from linkage.reconcile import (
    BLOCKING_RULES,
    add_blocking_keys,
    build_features,
    count_candidate_pairs,
    reconcile,
)

HEAD = ["№ могили", "ПІБ", "Дата народження", "Дата смерті", "Дата поховання"]
MAP = guess_mapping(HEAD)
NAME = "Вигаданенко Тарас Петрович"  # synthetic


def row(src: str, rn: int, grave: str, name: str, birth: dt.date,
        death: dt.date) -> ParsedRow:  # fmt: skip
    cells = [grave, name, f"{birth:%d.%m.%Y}", f"{death:%d.%m.%Y}",
             f"{death + dt.timedelta(days=2):%d.%m.%Y}"]  # fmt: skip
    return parse_row(RawRow(rn, dict(zip(HEAD, cells, strict=True))), MAP, src)


def one_name(n: int, name: str = NAME, seed: int = 5) -> list[ParsedRow]:
    """``n`` different people who share one name: each at their own grave,
    with their own birth date and a death date spread over a year."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(365 * 50))
        death = dt.date(2022, 3, 1) + dt.timedelta(days=rng.randrange(365))
        out.append(row("j", i + 2, str(i + 1), name, birth, death))
    return out


def test_a_name_on_many_rows_does_not_pair_them_all() -> None:
    rows = one_name(200)
    everything = 200 * 199 // 2
    assert count_candidate_pairs(rows, max_block_size=10**6) == everything
    capped = count_candidate_pairs(rows, max_block_size=20)
    # left: pairs buried the same day, born the same year, graves whose
    # digits are the same set (12/21) ...; each such block is small
    assert capped < everything // 10
    res = reconcile(rows, max_block_size=20)
    assert len(res.pairs_frame) <= capped
    assert any("'name'" in n and "200 rows" in n for n in res.notes), res.notes
    assert len(res.clusters) == 200  # 200 different people


def test_rows_over_the_cap_still_meet_through_the_other_rules() -> None:
    birth, death = dt.date(1961, 4, 3), dt.date(2022, 5, 9)
    rows = one_name(60) + [
        row("a", 2, "700", NAME, birth, death),
        row("b", 2, "700", NAME.upper(), birth, death),
    ]
    res = reconcile(rows, max_block_size=20)
    assert res.row_cluster[("a", 2)] == res.row_cluster[("b", 2)]
    e = res.explain(("a", 2), ("b", 2))
    assert e is not None and e.match_probability > 0.99


@pytest.mark.parametrize("name", ["невідомий", "Неизвестный", "Н/у мужчина"])
def test_unnamed_rows_meet_only_through_grave_and_date_blocks(name: str) -> None:
    rows = one_name(30, name=name)
    feats = build_features(rows)
    add_blocking_keys(feats)
    has_key = {r.name for r in BLOCKING_RULES if feats[r.columns[0]].notna().any()}
    assert has_key <= {"grave", "grave_digits", "birth_date", "dates", "burial_day"}, (
        has_key
    )


def test_training_with_no_pair_for_the_prior_does_not_fail() -> None:
    # every row at its own grave and every name different: the deterministic
    # rule that estimates the prior finds no pair (Splink then gave a prior of
    # 0 and prediction failed with "math domain error")
    rng = random.Random(1)
    rows = [
        row("j", i + 2, str(i + 1), f"Вигадан{i:03d}ко Тарас", dt.date(1950, 1, 1)
            + dt.timedelta(days=rng.randrange(9000)), dt.date(2022, 3, 1)
            + dt.timedelta(days=rng.randrange(300)))
        for i in range(310)
    ]  # fmt: skip
    res = reconcile(rows)
    assert len(res.clusters) == 310
    assert any("prior match probability" in n for n in res.notes), res.notes
