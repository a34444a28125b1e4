"""Spark local[2]: 200,000 generated UAE answer sets scored with
`mizan.spark.score` (mapInArrow), every entity and the population compared
with `mizan eval --format jsonl` and `--summary`. Bounded: a few minutes
on two cores ($MIZAN_SPARK_N makes it smaller)."""

from __future__ import annotations

import json
import os
import sys
from decimal import Decimal

import pytest

from conftest import UAE_RULES, loads_exact, run_cli, uae_answer_sets

pyspark = pytest.importorskip("pyspark")

N = int(os.environ.get("MIZAN_SPARK_N", "200000"))


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    # The workers run this interpreter (the virtualenv's, with the package).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    # local[2, 4]: two threads, and a failed task is retried up to four
    # times (plain local[2] never retries). Results come back to the driver
    # directly, on 127.0.0.1: a result larger than maxDirectResultSize goes
    # through the block manager instead, where CI once lost it before the
    # driver fetched it ("TaskResultLost (result lost from block manager)").
    s = (
        SparkSession.builder.master("local[2, 4]")
        .appName("mizan-test")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.rpc.message.maxSize", "512")
        .config("spark.task.maxDirectResultSize", "256m")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "10000")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    s.sparkContext.setLogLevel("ERROR")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def workload(tmp_path_factory):
    # Every 1,000th answer set is rejected (an unknown option).
    path = tmp_path_factory.mktemp("spark") / "uae.jsonl"
    with open(path, "w", encoding="utf-8") as f:
        for s in uae_answer_sets(N, seed=2018, bad_every=1000):
            f.write(json.dumps(s, ensure_ascii=False))
            f.write("\n")
    return path


def test_spark_scores_every_entity_and_the_population_as_the_cli(spark, workload):
    import mizan
    from mizan.spark import population, score

    from pyspark.sql import functions as F

    rubric = mizan.load(UAE_RULES)
    df = spark.read.text(str(workload)).repartition(4)
    scored = score(df, str(UAE_RULES), json_column="value").cache()

    # Every entity: id, score, band and every node, as exact text.
    cols = [F.col("id"), F.col("score").cast("string"), F.col("band")] + [
        F.col(f"`{n}`").cast("string") for n in rubric.nodes
    ]
    got = {}
    for row in scored.where(F.col("error_codes").isNull()).select(*cols).toLocalIterator():
        got[row[0]] = row[1:]

    cli = run_cli("eval", "--format", "jsonl", str(UAE_RULES), str(workload)).stdout.splitlines()
    assert len(cli) == len(got) == N - N // 1000
    d = lambda s: None if s is None else Decimal(s)
    for line in cli:
        e = loads_exact(line)
        row = got[e["id"]]
        assert d(row[0]) == e["score"], e["id"]
        assert row[1] == e["band"]
        for n, v in zip(rubric.nodes, row[2:]):
            assert d(v) == e["nodes"][n], (e["id"], n)

    rejected = scored.where(F.col("error_codes").isNotNull()).select("error_codes").collect()
    assert len(rejected) == N // 1000 and {r[0] for r in rejected} == {"M0406"}

    # The population: Spark's count, decimal sum, min and max, the
    # rubric's population formula applied by the engine.
    summary = loads_exact(run_cli("eval", "--summary", "--format", "json", str(UAE_RULES), str(workload)).stdout)
    pop = population(scored, str(UAE_RULES))
    assert pop["score"] == summary["aggregate"]["score"]
    assert pop["entities"] == summary["aggregate"]["entities"]
    assert pop["excluded"] == summary["aggregate"]["excluded"]
    assert pop["band"] == summary["aggregate"]["band"]
