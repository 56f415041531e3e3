"""Every link is explained (#15): each cluster's rows are connected by links
that name the rule that made them (Splink's threshold, a reviewer's decision
or a clustering rule with its evidence), in ``ReconcileResult.links`` and in
``imena reconcile --explain PAIRS.csv``."""

from __future__ import annotations

import csv
import dataclasses
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import pytest

from linkage.cli import _write_explain
from linkage.io import ParsedRow
from linkage.reconcile import (
    DECISION,
    EVIDENCE,
    RULES,
    SPLINK,
    Decision,
    ReconcileResult,
    RowRef,
    reconcile,
)
from linkage.tests.test_rules import background, fh, noted, vol


def _components(rows: list[RowRef], edges: list[tuple[RowRef, RowRef]]) -> int:
    parent = {r: r for r in rows}

    def find(r: RowRef) -> RowRef:
        while parent[r] != r:
            parent[r] = parent[parent[r]]
            r = parent[r]
        return r

    for a, b in edges:
        if a in parent and b in parent:
            parent[find(a)] = find(b)
    return len({find(r) for r in rows})


def assert_explained(res: ReconcileResult) -> None:
    """Each cluster of several rows is connected by its links, and each link
    names a known rule; a rule's link lists its evidence, a Splink link has
    the pair's score at or above the threshold."""
    by_cluster: dict[str, list[tuple[RowRef, RowRef]]] = defaultdict(list)
    for link in res.links:
        assert link.rule in RULES, link
        assert res.row_cluster[link.left] == res.row_cluster[link.right], link
        assert set(link.evidence) <= set(EVIDENCE), link
        if link.rule == SPLINK:
            assert link.pair is not None
            assert link.pair.match_probability >= res.threshold
        elif link.rule != DECISION:
            assert link.evidence, link
        by_cluster[res.row_cluster[link.left]].append((link.left, link.right))
    for c in res.clusters:
        if len(c.rows) > 1:
            assert _components(c.rows, by_cluster[c.cluster_id]) == 1, c
    explained = res.row_explanations()
    assert {r for c in res.clusters if len(c.rows) > 1 for r in c.rows} == set(
        explained
    )


def assert_explain_csv_spans(
    res: ReconcileResult, tmp_path: Path
) -> list[dict[str, str]]:
    """The ``--explain`` lines whose source is not ``cluster`` connect every
    cluster's rows; the columns before ``source`` keep their shape."""
    names = {s: f"{s}.csv" for s in {r[0] for r in res.row_cluster}}
    path = tmp_path / "pairs.csv"
    _write_explain(str(path), res, names)
    lines = list(csv.DictReader(path.open(encoding="utf-8")))
    back = {v: k for k, v in names.items()}
    edges: dict[str, list[tuple[RowRef, RowRef]]] = defaultdict(list)
    for line in lines:
        assert line["source"] in ("splink", "rule", "decision", "cluster")
        if line["source"] == "cluster":
            assert line["rule"] == ""
            continue
        assert line["rule"] in RULES
        if line["source"] == "rule":
            assert line["evidence"] and all(
                e in EVIDENCE for e in line["evidence"].split(";")
            )
        a = (back[line["file_l"]], int(line["row_l"]))
        b = (back[line["file_r"]], int(line["row_r"]))
        edges[line["cluster_id"]].append((a, b))
    for c in res.clusters:
        if len(c.rows) > 1:
            assert _components(c.rows, edges[c.cluster_id]) == 1, c
    return lines


def _written_twice() -> list[ParsedRow]:
    return [
        vol(2, "", "Мельнчук Дмитро Іванвич", "08.11.1945", "",
            "8 березня 2022", "18.03.2022"),
        vol(3, "", "Мельничук Дмитро Іванович", "08.11.45", "", "08.03.2022",
            "14.04.2022"),
    ]  # fmt: skip


def _nameless_written_twice() -> list[ParsedRow]:
    first = vol(2, "250", "Невідомий", "", "", "24/3/22", "29.03.2022")
    again = vol(3, "250", "невідомий", "", "~70", "23.03.2022", "29.03.22")
    return [first, noted(again, "уточнено дані")]


def _nameless_moved() -> list[ParsedRow]:
    temp = noted(fh(2, "", "Неизвестный мужчина", death="03.03.2022",
                    burial="15.03.2022"), "временно во дворе")  # fmt: skip
    moved = noted(fh(3, "№ 76", "Неопознанный", death="03.03.2022",
                     burial="21.06.2022"), "~65 лет перезахоронение")  # fmt: skip
    return [temp, moved]


def _slipped_line() -> list[ParsedRow]:
    b = "11.05.2022"
    return [
        fh(2, "298", "Кравец", "Петр", "Ильич", "17.10.1948", "", "07.05.2022", b),
        fh(3, "299", "Панчук", "Матвей", "Олегович", "02.10.1934", "",
           "08.05.2022", b),
        fh(4, "300", "Бондаренко", "Олег", "Иванович", "03.04.1961", "",
           "09.05.2022", b),
        fh(5, "301", "Климак", "Юрий", "Петрович", "23.08.1976", "", "06.05.2022", b),
        vol(2, "298", "Кравець Петро Ілліч", "17.10.1948", "", "07.05.2022", b),
        vol(3, "299", "Бондаренко Олег Іванович", "03.04.1961", "", "08.05.2022", b),
        vol(4, "", "Бондаренко Олег Іванович", "", "", "09.05.2022", b),
        vol(5, "301", "Климак Юрій Петрович", "23.08.1976", "", "06.05.2022", b),
    ]  # fmt: skip


def _nameless_at_grave() -> list[ParsedRow]:
    return [
        fh(2, "312", "Неизвестный мужчина", death="28.02.2022", burial="08.03.2022"),
        vol(2, "312", "Невідомий"),
    ]


def _nameless_at_plank() -> list[ParsedRow]:
    return [
        fh(2, "369", "Неизвестный мужчина", "", "", "", "~80", "23.03.2022",
           "30.04.22"),
        vol(2, "370", "невідомий", "", "~80", "2022-03-23", "30 квітня 2022 р."),
    ]  # fmt: skip


def _between_neighbours() -> list[ParsedRow]:
    d, b = "29.03.2022", "01.04.2022"
    return [
        fh(2, "78", "Кравец", "Петр", "Ильич", "17.10.1948", "", "28.03.2022", b),
        fh(3, "79", "неизвестный", death=d, burial=b),
        fh(4, "80", "Бондаренко", "Олег", "Иванович", "03.04.1961", "", d, b),
        vol(2, "78", "Кравець Петро Ілліч", "17.10.1948", "", "28.03.2022", b),
        vol(3, "", "невідомий", death=d, burial=b),
        vol(4, "80", "Бондаренко Олег Іванович", "03.04.1961", "", d, b),
        vol(5, "", "невідомий", death=d, burial=b),
    ]  # fmt: skip


def _in_order() -> list[ParsedRow]:
    b = "01.04.2022"
    return [
        fh(2, "78", "Кравец", "Петр", "Ильич", "17.10.1948", "", "28.03.2022", b),
        vol(2, "78", "Кравець Петро Ілліч", "17.10.1948", "", "28.03.2022", b),
        fh(6, "80", "Бондаренко", "Олег", "Иванович", "03.04.1961", "",
           "29.03.2022", b),
        vol(6, "80", "Бондаренко Олег Іванович", "03.04.1961", "", "29.03.2022", b),
    ] + [fh(k, "бм1", "неизвестный", burial=b) for k in (3, 4, 5)] + [
        vol(k, "бм1", "невідомий", burial=b) for k in (3, 4, 5)
    ]  # fmt: skip


def _lone_nameless() -> list[ParsedRow]:
    d, b = "29.03.2022", "12.04.2022"
    return [
        fh(2, "79", "неизвестный", death=d, burial=b),
        vol(2, "", "невідомий", death=d, burial=b),
        vol(3, "", "невідомий", death=d, burial="13.04.2022"),
    ]


# each journal built to trigger one rule: (rows, rule, two rows it links)
SCENARIOS: dict[str, tuple[Callable[[], list[ParsedRow]], RowRef, RowRef]] = {
    "written_twice": (_written_twice, ("vol", 2), ("vol", 3)),
    "nameless_written_twice": (_nameless_written_twice, ("vol", 2), ("vol", 3)),
    "nameless_moved": (_nameless_moved, ("fh", 2), ("fh", 3)),
    "slipped_line": (_slipped_line, ("fh", 4), ("vol", 4)),
    "nameless_at_grave": (_nameless_at_grave, ("fh", 2), ("vol", 2)),
    "nameless_at_grave:plank": (_nameless_at_plank, ("fh", 2), ("vol", 2)),
    "between_neighbours": (_between_neighbours, ("fh", 3), ("vol", 3)),
    "between_neighbours_in_order": (_in_order, ("fh", 4), ("vol", 4)),
    # at 0.95 the pair's own score (0.91 here) does not link it
    "lone_nameless:0.95": (_lone_nameless, ("fh", 2), ("vol", 2)),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_every_link_of_a_rule_is_explained(name: str, tmp_path: Path) -> None:
    make, a, b = SCENARIOS[name]
    rule, _, extra = name.partition(":")
    threshold = float(extra) if extra[:1].isdigit() else 0.9
    res = reconcile(background() + make(), threshold=threshold)
    assert res.row_cluster[a] == res.row_cluster[b]
    made = [k for k in res.links if k.rule == rule]
    assert made, f"no link by {rule}: {[k.rule for k in res.links]}"
    assert_explained(res)
    lines = assert_explain_csv_spans(res, tmp_path)
    assert any(line["rule"] == rule for line in lines)
    # the row's own link, as the row's page shows it
    link = res.row_explanations()[b]
    assert link.rule in RULES


def test_a_rule_link_lists_its_evidence() -> None:
    res = reconcile(background() + _nameless_at_plank())
    (link,) = [k for k in res.links if k.rule == "nameless_at_grave"]
    assert link.evidence[:1] == ("neighbouring_plank",)
    for fact in ("both_nameless", "same_death_day", "same_burial_day", "ages_fit",
                 "only_candidate"):  # fmt: skip
        assert fact in link.evidence
    res = reconcile(background() + _nameless_moved())
    (link,) = [k for k in res.links if k.rule == "nameless_moved"]
    assert link.pair is None  # never scored: the evidence is the explanation
    assert {"same_death_day", "buried_later", "note_temporary", "note_reburial"} <= set(
        link.evidence
    )


def test_a_reviewers_link_is_explained_as_a_decision(tmp_path: Path) -> None:
    rows = background() + [
        fh(2, "5", "Шевчук", "Олег", "", "", "", "", "01.03.2022"),
        vol(2, "", "Коваль Андрій", "", "", "", "02.03.2022"),
    ]
    res = reconcile(rows, fixed=[Decision("must_link", ("fh", 2), ("vol", 2))])
    (link,) = [k for k in res.links if k.rule == DECISION]
    assert link.source == "decision"
    assert res.row_explanations()[("vol", 2)] == link
    assert_explained(res)
    lines = assert_explain_csv_spans(res, tmp_path)
    assert [ln["source"] for ln in lines if ln["row_l"] == "2" or ln["row_r"] == "2"]


def test_every_cluster_of_the_habit_journals_is_explained(tmp_path: Path) -> None:
    from linkage.io import read_journal

    data = Path(__file__).parent / "data" / "habits"
    files = (data / "funeral.csv", data / "volunteers.csv")
    rows = [r for f in files for r in read_journal(f).rows]
    res = reconcile(rows)
    assert_explained(res)
    lines = assert_explain_csv_spans(res, tmp_path)
    assert "splink" in {ln["source"] for ln in lines}


def test_rules_and_evidence_are_described() -> None:
    for table in (RULES, EVIDENCE):
        assert all(isinstance(v, str) and v for v in table.values())
    assert dataclasses.is_dataclass(ReconcileResult)


def test_a_conflict_of_rows_a_rule_joined_is_explained_by_that_rule() -> None:
    # the nameless rows at planks 369 and 370, joined by the rule: one person
    # at two graves, and the rule's link is why
    res = reconcile(background() + _nameless_at_plank())
    conflict = next(
        c for c in res.conflicts
        if c.kind == "person_multiple_graves" and ("fh", 2) in c.rows
    )  # fmt: skip
    link = res.conflict_link(conflict)
    assert link is not None and link.rule == "nameless_at_grave"
    assert "neighbouring_plank" in link.evidence
