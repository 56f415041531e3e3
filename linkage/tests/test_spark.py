from __future__ import annotations

import pytest

from linkage.reconcile import ReconcileResult, reconcile
from linkage.tests.synth import journals

pytestmark = pytest.mark.spark


def test_spark_gives_same_clusters_as_duckdb() -> None:
    pytest.importorskip("pyspark")
    rows, _ = journals(30)
    duck = reconcile(rows)
    spark = reconcile(rows, engine="spark")

    def groups(res: ReconcileResult) -> list[list[tuple[str, int]]]:
        return sorted(sorted(c.rows) for c in res.clusters)

    assert groups(spark) == groups(duck)
    assert [c.grave for c in spark.clusters] == [c.grave for c in duck.clusters]
