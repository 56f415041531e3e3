from __future__ import annotations

import pandas as pd
import pytest

from linkage.evaluate import pairwise_scores
from linkage.reconcile import Decision, reconcile
from linkage.tests.synth import journals


@pytest.fixture(scope="module")
def small():  # type: ignore[no-untyped-def]
    rows, truth = journals(30)
    return rows, truth, reconcile(rows)


def test_clusters_match_truth(small) -> None:  # type: ignore[no-untyped-def]
    rows, truth, res = small
    s = pairwise_scores(res.row_cluster, truth)
    assert s.f1 == 1.0, (s, res.notes)
    c = res.cluster_of(("volunteers", 5))  # person 3, transposed grave 13 -> 31
    assert c.grave == "13" or c.grave == "31"
    assert any(x.kind == "person_multiple_graves" for x in res.conflicts)


def test_explanations(small) -> None:  # type: ignore[no-untyped-def]
    _, _, res = small
    e = res.explain(("funeral_home", 2), ("volunteers", 2))
    assert e is not None and e.match_probability > 0.99
    names = {x.comparison: x for x in e.explanation}
    assert names["given"].level == "uk/ru equivalent"
    assert names["grave"].level == "exact" and names["grave"].match_weight > 0
    assert res.pairs and res.pairs[0].explanation


def test_transposed_level(small) -> None:  # type: ignore[no-untyped-def]
    _, _, res = small
    e = res.explain(("funeral_home", 5), ("volunteers", 5))
    assert e is not None
    assert {x.comparison: x.level for x in e.explanation}[
        "grave"
    ] == "transposed digits"


def test_human_decisions_override(small) -> None:  # type: ignore[no-untyped-def]
    rows, _, res = small
    a, b = ("funeral_home", 2), ("volunteers", 2)
    assert res.row_cluster[a] == res.row_cluster[b]
    res2 = reconcile(rows, fixed=[Decision("cannot_link", a, b)], model=res.model)
    assert res2.row_cluster[a] != res2.row_cluster[b]
    c, d = ("funeral_home", 3), ("volunteers", 9)
    res3 = reconcile(rows, fixed=[Decision("must_link", c, d)], model=res.model)
    assert res3.row_cluster[c] == res3.row_cluster[d]
    res4 = reconcile(rows, fixed=[Decision("isolate", a)], model=res.model)
    assert len(res4.cluster_of(a).rows) == 1


def test_dataframe_input_and_conflicts() -> None:
    df = pd.DataFrame(
        {
            "source": ["a", "b", "b"],
            "row_number": [2, 2, 3],
            "grave": ["12", "12", ""],
            "surname": ["Шевченко", "Шевченко", "Коваль"],
            "given_name": ["Іван", "Иван", "Анна"],
            "birth_date": ["12.03.1950", "1950-03-12", ""],
        }
    )
    res = reconcile(df)
    assert res.row_cluster[("a", 2)] == res.row_cluster[("b", 2)]
    c = res.cluster_of(("a", 2))
    assert c.grave == "12" and c.surname == "Шевченко" and c.given_name == "Іван"
    assert [x.kind for x in res.conflicts] == ["row_without_grave"]


def test_conflicts_are_explained_by_a_pair(small) -> None:  # type: ignore[no-untyped-def]
    rows, _, res = small
    grave = {(r.source, r.row_number): r.grave_key for r in rows}
    multi = [c for c in res.conflicts if c.kind == "person_multiple_graves"]
    assert multi
    for c in multi:
        p = res.conflict_pair(c)
        assert p is not None and grave[p.left] != grave[p.right]
        assert res.row_cluster[p.left] == res.row_cluster[p.right]
        assert p.left in c.rows and p.right in c.rows
    for c in res.conflicts:
        if c.kind == "grave_multiple_people":
            p = res.conflict_pair(c)
            assert p is None or res.row_cluster[p.left] != res.row_cluster[p.right]


def test_decisions_in_any_order_give_the_same_clusters(small) -> None:  # type: ignore[no-untyped-def]
    # the order decisions come in is the database's; the result must not be
    rows, _, res = small
    fixed = [
        Decision("must_link", ("funeral_home", 3), ("volunteers", 9)),
        Decision("must_link", ("volunteers", 9), ("funeral_home", 4)),
        Decision("must_link", ("funeral_home", 6), ("volunteers", 7)),
        Decision("cannot_link", ("funeral_home", 2), ("volunteers", 2)),
        Decision("isolate", ("volunteers", 8)),
    ]
    one = reconcile(rows, fixed=fixed, model=res.model)
    other = reconcile(rows, fixed=fixed[::-1], model=res.model)
    assert one.row_cluster == other.row_cluster
    assert [(c.cluster_id, c.rows, c.grave) for c in one.clusters] == [
        (c.cluster_id, c.rows, c.grave) for c in other.clusters
    ]
    assert [(c.kind, c.rows) for c in one.conflicts] == [
        (c.kind, c.rows) for c in other.conflicts
    ]
