"""The Arrow path equals the dict path, row for row, on 10,000 generated
answer sets (a JSON column and one column per criterion), errors as
columns; and the pandas/polars helpers."""

from __future__ import annotations

import json
from decimal import Decimal

import pyarrow as pa
import pytest

import mizan
from conftest import uae_answer_sets

N = 10_000


@pytest.fixture(scope="module")
def sets():
    # Every 97th answer set names an option the rubric lacks.
    return uae_answer_sets(N, seed=19, bad_every=97)


@pytest.fixture(scope="module")
def by_dict(uae, sets):
    out = []
    for s in sets:
        try:
            out.append(uae.evaluate(s))
        except mizan.Rejected as e:
            out.append(e)
    return out


def check_rows(uae, table, sets, by_dict):
    rows = table.to_pylist()
    assert len(rows) == len(sets)
    rejected = 0
    for s, row, expected in zip(sets, rows, by_dict):
        if isinstance(expected, mizan.Rejected):
            rejected += 1
            assert row["score"] is None
            assert row["error_codes"] == ",".join(p.code for p in expected.problems)
            assert [p["code"] for p in json.loads(row["errors"])] == [p.code for p in expected.problems]
            assert row["id"] == s["entity"]["id"]
            continue
        assert row["error_codes"] is None and row["errors"] is None
        assert row["id"] == expected.id
        assert row["score"] == expected.score
        assert row["band"] == expected.band
        for node in uae.nodes:
            assert row[node] == expected.nodes[node], (expected.id, node)
    assert rejected == N // 97


def test_a_json_column_scores_as_the_dict_path(uae, sets, by_dict):
    batch = pa.RecordBatch.from_pydict({"json": [json.dumps(s) for s in sets]})
    out = uae.evaluate_arrow(batch)
    assert isinstance(out, pa.RecordBatch)
    assert out.schema == uae.arrow_schema()
    assert out.schema.field("score").type == pa.decimal128(38, 28)
    check_rows(uae, out, sets, by_dict)


def test_columns_per_criterion_score_as_the_dict_path(uae, sets, by_dict):
    columns = {"id": [s["entity"]["id"] for s in sets], "role": [s["entity"]["profile"]["role"] for s in sets]}
    for c in uae.criteria:
        columns[c] = [s["answers"].get(c) for s in sets]
    table = pa.table(columns)
    out = uae.evaluate_arrow(table)
    assert isinstance(out, pa.Table)
    check_rows(uae, out, sets, by_dict)


def test_numbers_as_text_or_float(uae, sets, by_dict):
    batch = pa.RecordBatch.from_pydict({"json": [json.dumps(s) for s in sets[:50]]})
    text = uae.evaluate_arrow(batch, numbers="str")
    floats = uae.evaluate_arrow(batch, numbers="float")
    for t, f, e in zip(text.to_pylist(), floats.to_pylist(), by_dict):
        if isinstance(e, mizan.Rejected):
            continue
        assert t["score"] == str(e.score.normalize()) or Decimal(t["score"]) == e.score
        assert f["score"] == float(e.score)


def test_a_null_or_broken_row_is_an_error_row(uae):
    batch = pa.RecordBatch.from_pydict({"json": pa.array([None, "{", "[]"], pa.string())})
    out = uae.evaluate_arrow(batch).to_pylist()
    assert [r["error_codes"] for r in out] == ["M0402", "M0401", "M0402"]


def test_a_batch_of_the_wrong_shape_raises(uae):
    with pytest.raises(ValueError, match="json_column"):
        uae.evaluate_arrow(pa.RecordBatch.from_pydict({"x": ["{}"]}), json_column="nope")


def test_to_pandas_and_to_polars(uae, sets):
    out = uae.evaluate_arrow(pa.RecordBatch.from_pydict({"json": [json.dumps(s) for s in sets[:20]]}))
    df = mizan.to_pandas(out)
    assert list(df["id"]) == [s["entity"]["id"] for s in sets[:20]]
    assert isinstance(df["score"].dropna().iloc[0], Decimal)
    batch = uae.evaluate_batch(sets[:20])
    pdf = mizan.to_pandas(batch)
    assert len(pdf) == len(batch.entities)
    pl = pytest.importorskip("polars")
    p = mizan.to_polars(out)
    assert p.height == 20
    assert isinstance(p["score"].dtype, pl.Decimal)
    # polars map_batches: the Arrow API as a second engine.
    frame = pl.DataFrame({"json": [json.dumps(s) for s in sets[:20]]})
    scored = pl.from_arrow(uae.evaluate_arrow(frame.to_arrow()))
    assert scored["id"].to_list() == p["id"].to_list()
