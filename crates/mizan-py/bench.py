"""Throughput of the Python paths against `mizan eval --summary` on the same
answer sets (docs/scale.md). Usage:

    python crates/mizan-py/bench.py RULES ANSWERS.jsonl [--spark] [--mizan PATH]

Prints answer sets per second of: the CLI's --summary (reads the file),
`Rubric.evaluate` on dicts one at a time, `Rubric.evaluate_batch` on the
dicts, `Rubric.evaluate_arrow` on a table of JSON text (10,000-row
batches), and with --spark `mizan.spark.score` + population in local[2]
(`noop` write of every column, then the population job).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time


def timed(label, n, f, base=None):
    t = time.perf_counter()
    f()
    s = time.perf_counter() - t
    ratio = f"  ({n / s / base:.2f} x the CLI)" if base else ""
    print(f"{label:<42} {s:8.2f} s  {n / s:>10,.0f} /s{ratio}", flush=True)
    return n / s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("rules")
    ap.add_argument("answers")
    ap.add_argument("--spark", action="store_true")
    ap.add_argument("--mizan", default="target/release/mizan")
    a = ap.parse_args()

    import pyarrow as pa

    import mizan

    with open(a.answers, encoding="utf-8") as f:
        lines = [l for l in f.read().splitlines() if l.strip()]
    n = len(lines)
    print(f"{n:,} answer sets, {os.cpu_count()} cores")
    base = timed(
        "mizan eval --summary (CLI)",
        n,
        lambda: subprocess.run([a.mizan, "eval", "--summary", a.rules, a.answers], capture_output=True),
    )
    rubric = mizan.load(a.rules)
    dicts = [json.loads(l) for l in lines]

    def one_by_one():
        for d in dicts:
            try:
                rubric.evaluate(d)
            except mizan.Rejected:
                pass

    timed("Rubric.evaluate(dict), one at a time", n, one_by_one, base)
    timed("Rubric.evaluate_batch(dicts)", n, lambda: rubric.evaluate_batch(dicts), base)
    table = pa.table({"json": lines}).combine_chunks()
    batches = table.to_batches(max_chunksize=10_000)
    timed("Rubric.evaluate_arrow (JSON column)", n, lambda: [rubric.evaluate_arrow(b) for b in batches], base)
    if a.spark:
        from pyspark.sql import SparkSession

        from mizan.spark import population, score

        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        spark = (
            SparkSession.builder.master("local[2]")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.execution.arrow.maxRecordsPerBatch", "10000")
            .config("spark.driver.memory", "2g")
            .getOrCreate()
        )
        spark.sparkContext.setLogLevel("ERROR")
        df = spark.read.text(a.answers)
        df.count()  # warm: the JVM, the file listing, the Python workers

        def run():
            scored = score(df, a.rules, json_column="value")
            scored.write.format("noop").mode("overwrite").save()

        timed("mizan.spark.score, local[2] (every column)", n, run, base)
        scored = score(df, a.rules, json_column="value")
        timed("mizan.spark population (score + aggregate)", n, lambda: population(scored, a.rules), base)
        spark.stop()


if __name__ == "__main__":
    main()
