"""Mizan on Apache Spark: score a DataFrame of answer sets with
``mapInArrow`` and compute the population level with Spark aggregations.

    from mizan.spark import score, population
    scored = score(df, "rules/uae/integration/2018.mizan", json_column="value")
    population(scored, "rules/uae/integration/2018.mizan")

The rule text is broadcast once; each Python worker process compiles it
once (a module-level cache keyed by the text's sha256) and scores every
Arrow batch of its partitions with the GIL released. Scores are
``decimal(38,28)``: exact, so Spark's ``sum`` of them is exact too (a
decimal sum, never a double), and :func:`population` hands count, sum, min
and max to the engine's own population formula: the population level is
``mizan eval``'s to the digit.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any, Dict, Iterator, Optional

import mizan

__all__ = ["score", "population", "spark_schema"]

# sha256 of the rule text → compiled rubric: once per worker process.
_CACHE: Dict[str, "mizan.Rubric"] = {}


def _rubric(name: str, text: str) -> "mizan.Rubric":
    key = hashlib.sha256(text.encode("utf-8")).hexdigest()
    r = _CACHE.get(key)
    if r is None:
        r = mizan.loads(text, name)
        _CACHE[key] = r
    return r


def _text(rubric: "mizan.Rubric | str | os.PathLike[str]") -> "tuple[str, str]":
    if isinstance(rubric, mizan.Rubric):
        return rubric.name, rubric.text
    r = mizan.load(rubric)
    return r.name, r.text


def spark_schema(rubric: "mizan.Rubric") -> Any:
    """The Spark schema of :func:`score`'s output (decimal scores)."""
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(rubric.arrow_schema("decimal"))


def score(
    df: Any,
    rubric: "mizan.Rubric | str | os.PathLike[str]",
    *,
    json_column: Optional[str] = None,
) -> Any:
    """Scores every row of ``df`` (one answer set a row: JSON text in
    ``json_column``, by default ``json`` when there is one, or one column per
    criterion with ``id`` and profile columns) and returns a DataFrame with
    ``id``, ``name``, ``score``, ``band``, one column per node (node ids,
    which contain dots: quote them with backticks in Spark SQL), and
    ``error_codes``, ``errors``, ``warnings`` (null for a scored row).

    ``rubric`` is a path to a ``.mizan`` file (read on the driver), rule
    text, or a loaded :class:`mizan.Rubric`. It is checked on the driver
    first: a rule error raises :class:`mizan.RuleError` before any job."""
    name, text = _text(rubric)
    checked = _rubric(name, text)
    spark = df.sparkSession
    shipped = spark.sparkContext.broadcast((name, text))
    if json_column is None and "json" in df.columns:
        json_column = "json"
    column = json_column

    def run(batches: Iterator[Any]) -> Iterator[Any]:
        import mizan.spark as ms

        n, t = shipped.value
        r = ms._rubric(n, t)
        for b in batches:
            yield r.evaluate_arrow(b, numbers="decimal", json_column=column)

    return df.mapInArrow(run, spark_schema(checked))


def population(
    scored: Any, rubric: "mizan.Rubric | str | os.PathLike[str]", *, lang: str = "en"
) -> Dict[str, Any]:
    """The population level of a DataFrame from :func:`score`: Spark
    aggregates count, exact decimal sum, min and max of the scores (one
    job), and the rubric's population formula is applied to them by the
    engine. The ``aggregate`` object of ``mizan eval --format json``, with
    ``excluded`` the rows rejected; ``band_label`` in ``lang`` (``"en"`` or
    ``"ar"``)."""
    from pyspark.sql import functions as F

    name, text = _text(rubric)
    r = _rubric(name, text)
    scored_rows = F.col("error_codes").isNull() & F.col("score").isNotNull()
    row = scored.agg(
        F.count(F.when(scored_rows, 1)).alias("count"),
        F.sum(F.when(scored_rows, F.col("score"))).alias("sum"),
        F.min(F.when(scored_rows, F.col("score"))).alias("min"),
        F.max(F.when(scored_rows, F.col("score"))).alias("max"),
        F.count(F.when(F.col("error_codes").isNotNull(), 1)).alias("excluded"),
    ).first()
    return r.population(row["count"], row["sum"], row["min"], row["max"], row["excluded"], lang=lang)
