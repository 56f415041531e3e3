from __future__ import annotations

import pytest

from matching.documentary import (
    JournalRecord as R,
)
from matching.documentary import (
    ReconciliationStats,
    Reliability,
    ReliabilityPrior,
    estimate_journal_reliability,
    journal_lr,
    journal_lrs,
)

DEFAULT = estimate_journal_reliability(ReconciliationStats())
A = 0.95 * 0.97  # P(record right)
C = 0.05 / 4 + 0.03 / 100  # P(record points at one specific wrong person), N = 100


def test_defaults_are_used_only_without_data() -> None:
    assert DEFAULT.p_wrong_grave == pytest.approx(0.05)
    assert DEFAULT.p_wrong_name == pytest.approx(0.03)
    assert DEFAULT.basis["p_wrong_grave"] == "default (no data)"


@pytest.mark.parametrize(
    "stats,p_grave",
    [
        # 19 % of pairs disagree -> one journal errs at 1 - sqrt(0.81) = 0.1;
        # Beta(1, 19) prior + 200 entries at 0.1: (1 + 20) / (20 + 200)
        (ReconciliationStats(multi_journal_clusters=100, grave_conflicts=19), 21 / 220),
        # confirmed: (1 + 10) / (20 + 50)
        (ReconciliationStats(confirmed=50, confirmed_wrong_grave=10), 11 / 70),
        (
            ReconciliationStats(
                multi_journal_clusters=100,
                grave_conflicts=19,
                confirmed=50,
                confirmed_wrong_grave=10,
            ),
            31 / 270,
        ),
    ],
)
def test_estimate_reliability(stats: ReconciliationStats, p_grave: float) -> None:
    rel = estimate_journal_reliability(stats)
    assert rel.p_wrong_grave == pytest.approx(p_grave)
    assert "default" not in rel.basis["p_wrong_grave"]


def test_prior_is_an_input() -> None:
    rel = estimate_journal_reliability(
        ReconciliationStats(), ReliabilityPrior(0.2, 0.1)
    )
    assert (rel.p_wrong_grave, rel.p_wrong_name) == pytest.approx((0.2, 0.1))


def test_single_record_closed_form() -> None:
    ev = journal_lr("X", [R("fh", "X", "12")], DEFAULT, 100)
    assert ev.lr == pytest.approx(A / C)
    assert ev.lr == pytest.approx(71.99, abs=0.01)
    assert ev.lr_vs_unlisted == pytest.approx(A / C)


def test_conflict_splits_support() -> None:
    recs = [R("fh", "X", "12"), R("vol", "Y", "12")]
    single = journal_lr("X", [R("fh", "X", "12")], DEFAULT, 100).lr
    ev = journal_lrs(recs, DEFAULT, 100, dependence=0.0)
    # P(E|X) = A*C; others: Y gives C*A, 98 unnamed give C*C; mean over 99
    expected = A * C / ((A * C + 98 * C * C) / 99)
    assert ev["X"].lr == pytest.approx(expected)
    assert ev["X"].lr < single
    assert ev["X"].lr == pytest.approx(ev["Y"].lr)
    assert ev["X"].conflicting == ("vol:Y",)
    unnamed = journal_lr("Z", recs, DEFAULT, 100, dependence=0.0)
    assert unnamed.lr < 1.0 and unnamed.lr_vs_unlisted == pytest.approx(1.0)


@pytest.mark.parametrize("dependence", [0.0, 0.25, 0.5])
def test_agreement_raises_support_less_when_journals_copy(dependence: float) -> None:
    recs = [R("fh", "X", "12"), R("vol", "X", "12")]
    single = A / C
    ev = journal_lr("X", recs, DEFAULT, 100, dependence=dependence)
    expected = (
        single
        * (dependence + (1 - dependence) * A)
        / (dependence + (1 - dependence) * C)
    )
    assert ev.lr == pytest.approx(expected, rel=1e-6)
    assert ev.lr > single


def test_agreement_ordering_and_full_copy_adds_nothing() -> None:
    recs = [R("fh", "X", "12"), R("vol", "X", "12")]
    lrs = [journal_lr("X", recs, DEFAULT, 100, dependence=d).lr for d in (0, 0.5, 1)]
    assert lrs[0] > lrs[1] > lrs[2]
    assert lrs[2] == pytest.approx(A / C)
    assert lrs[0] == pytest.approx((A / C) ** 2, rel=1e-3)


def test_duplicate_entries_of_one_journal_count_once() -> None:
    recs = [R("fh", "X", "12"), R("fh", "X", "12")]
    assert journal_lr("X", recs, DEFAULT, 100).lr == pytest.approx(A / C)


@pytest.mark.parametrize("p_wrong_grave", [0.01, 0.05, 0.2, 0.4])
def test_less_reliable_journals_give_smaller_lr(p_wrong_grave: float) -> None:
    rel = Reliability(p_wrong_grave, 0.03)
    worse = Reliability(p_wrong_grave * 1.5, 0.03)
    recs = [R("fh", "X", "12")]
    assert journal_lr("X", recs, worse, 100).lr < journal_lr("X", recs, rel, 100).lr


def test_mass_grave_names_do_not_compete() -> None:
    recs = [R("fh", "X", "M1"), R("fh", "Y", "M1"), R("fh", "W", "M1")]
    ev = journal_lrs(recs, DEFAULT, 100, bodies_in_grave=3)
    assert ev["X"].lr == pytest.approx(A / C)
    assert ev["X"].conflicting == ()


def test_per_journal_reliability() -> None:
    recs = [R("fh", "X", "12"), R("vol", "X", "12")]
    rels = {"fh": Reliability(0.02, 0.01), "vol": Reliability(0.2, 0.1)}
    a1, a2 = 0.98 * 0.99, 0.8 * 0.9
    c1, c2 = 0.02 / 4 + 0.01 / 100, 0.2 / 4 + 0.1 / 100
    ev = journal_lr("X", recs, rels, 100, dependence=0.0)
    assert ev.lr_vs_unlisted == pytest.approx(a1 * a2 / (c1 * c2))


def test_records_of_several_graves_are_rejected() -> None:
    with pytest.raises(ValueError):
        journal_lrs([R("fh", "X", "1"), R("fh", "Y", "2")], DEFAULT, 100)
