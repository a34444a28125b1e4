"""The package: load, evaluate, evaluate_batch and its exceptions, with the
same results as `mizan eval --format json` on every shipped example."""

from __future__ import annotations

import json
from decimal import Decimal, localcontext
from pathlib import Path

import pytest

import mizan
from conftest import REPO, UAE_EXAMPLES, UAE_RULES, canon, loads_exact, run_cli

# (rule file, answer paths): every shipped example with its rubric.
EXAMPLES = [
    ("examples/demo/digital-readiness.mizan", ["examples/demo/answers", "examples/demo/invalid"]),
    ("examples/instances/services.mizan", ["examples/instances/answers"]),
    ("examples/units/scorecard.mizan", ["examples/units/answers"]),
    ("examples/open-data-2026/open-data.mizan", ["examples/open-data-2026/answers", "examples/open-data-2026/invalid"]),
    ("rules/worldbank/doing-business/2020.mizan", ["examples/doing-business-2020"]),
    ("rules/uae/integration/2018.mizan", ["examples/uae-integration-2018"]),
    ("rules/uae/proactive-readiness/2020.mizan", ["examples/uae-proactive-readiness-2020"]),
    ("rules/oman/dt-programme/2025.mizan", ["examples/oman-dt-programme-2025"]),
    ("rules/sa/platforms-policy/1.mizan", ["examples/sa-platforms-policy-1"]),
    ("rules/eu/egovernment-benchmark/2023.mizan", ["examples/egbr-2023/raw-hu.json", "examples/egbr-2023/raw-ie.json",
                                                  "examples/egbr-2023/raw-pt.json", "examples/egbr-2023/raw-zz-synthetic.json"]),
    ("rules/eu/egovernment-benchmark-services/2023.mizan", ["examples/egbr-2023/services-hu.json",
                                                           "examples/egbr-2023/services-ie.json",
                                                           "examples/egbr-2023/services-pt.json",
                                                           "examples/egbr-2023/services-zz-synthetic.json"]),
]


def answer_files(paths):
    """The `.json` files the CLI reads for these paths, in its order."""
    out = []
    for p in paths:
        full = REPO / p
        if full.is_dir():
            out.extend(f"{p}/{f.name}" for f in sorted(full.iterdir()) if f.suffix == ".json")
        else:
            out.append(p)
    return out


@pytest.mark.parametrize("rules,paths", EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_every_shipped_example_scores_as_the_cli(rules, paths, monkeypatch):
    monkeypatch.chdir(REPO)
    cli = loads_exact(run_cli("eval", "--format", "json", rules, *paths).stdout)
    rubric = mizan.load(rules)
    batch = rubric.evaluate_batch([Path(f) for f in answer_files(paths)])
    got = batch.to_dict()
    # Counts are int in the package, Decimal in this reading of the CLI.
    assert canon(got) == canon(cli)
    assert got["aggregate"]["score"] == cli["aggregate"]["score"]
    # One at a time, each scored entity is the batch's (without rank).
    for e in batch.entities:
        f = next(f for f in answer_files(paths) if json.loads((REPO / f).read_text())["entity"]["id"] == e.id)
        one = rubric.evaluate(Path(f)).to_dict()
        expected = {k: v for k, v in e.to_dict().items() if k != "rank"}
        assert one == expected


def test_band_labels_in_arabic_as_the_cli(monkeypatch):
    monkeypatch.chdir(REPO)
    rules, paths = EXAMPLES[0]
    cli = loads_exact(run_cli("eval", "--lang", "ar", "--format", "json", rules, *paths).stdout)
    batch = mizan.load(rules).evaluate_batch([Path(f) for f in answer_files(paths)], lang="ar")
    assert canon(batch.to_dict()) == canon(cli)
    labels = [e.band_label for e in batch if e.band_label]
    assert labels and all(any("\u0600" <= c <= "\u06ff" for c in l) for l in labels)


def test_scores_are_exact_decimals(uae):
    r = uae.evaluate(UAE_EXAMPLES / "moe.json")
    assert isinstance(r.score, Decimal)
    assert all(v is None or isinstance(v, Decimal) for v in r.nodes.values())
    f = uae.evaluate(UAE_EXAMPLES / "moe.json", numbers="float")
    assert isinstance(f.score, float) and abs(f.score - float(r.score)) < 1e-15
    s = uae.evaluate(UAE_EXAMPLES / "moe.json", numbers="str")
    assert Decimal(s.score) == r.score


def test_an_answer_set_as_dict_text_or_path(uae):
    path = UAE_EXAMPLES / "moi.json"
    text = path.read_text(encoding="utf-8")
    d = json.loads(text)
    by_path = uae.evaluate(path).to_dict()
    assert uae.evaluate(text).to_dict() == by_path
    assert uae.evaluate(d).to_dict() == by_path
    assert uae.evaluate(str(path)).to_dict() == by_path


def test_a_decimal_answer_keeps_every_digit():
    rules = """rubric t.num {
  version "1"
  aggregate ratio
  criterion c { number 0..1 }
}"""
    r = mizan.load(rules)
    exact = r.evaluate({"rubric": "t.num", "version": "1", "entity": {"id": "a"},
                        "answers": {"c": Decimal("0.1234567890123456789012345678")}})
    assert exact.score == Decimal("0.1234567890123456789012345678")


def test_rule_errors_raise_with_every_diagnostic():
    bad = 'rubric t.bad {\n  version "1"\n  criterion a { choice nope }\n  criterion b { choice nada }\n}\n'
    with pytest.raises(mizan.RuleError) as e:
        mizan.load(bad)
    ds = [d for d in e.value.diagnostics if d.severity == "error"]
    assert [d.code for d in ds] == ["M0202", "M0202"]
    assert (ds[0].line, ds[1].line) == (3, 4)
    assert ds[0].column == 24
    assert "nope" in ds[0].message
    assert all(isinstance(d.help, (str, type(None))) for d in ds)
    assert isinstance(e.value, mizan.MizanError)


def test_a_syntax_error_is_a_rule_error():
    with pytest.raises(mizan.RuleError) as e:
        mizan.load("rubric {")
    assert e.value.diagnostics and e.value.diagnostics[0].code.startswith("M01")


def test_rejected_answer_sets_raise_with_located_problems(uae):
    with pytest.raises(mizan.Rejected) as e:
        uae.evaluate(UAE_EXAMPLES / "zz-invalid.json")
    problems = e.value.problems
    assert [p.code for p in problems] == ["M0406", "M0406", "M0410"]
    assert problems[0].pointer == "/answers/fednet.1.2"
    assert problems[0].entity == "moj"
    with pytest.raises(mizan.Rejected) as e:
        uae.evaluate("{not json")
    assert e.value.problems[0].code == "M0401"


def test_a_batch_never_raises_for_one_bad_answer_set(uae):
    good = json.loads((UAE_EXAMPLES / "moe.json").read_text())
    batch = uae.evaluate_batch([good, "{not json", UAE_EXAMPLES / "zz-invalid.json"])
    assert [e.id for e in batch] == ["moe"]
    assert batch.population["excluded"] == 2
    assert {p.code for p in batch.errors} == {"M0401", "M0406", "M0410"}


def test_pickles_as_its_rule_text(uae):
    import pickle

    again = pickle.loads(pickle.dumps(uae))
    assert again.sha256 == uae.sha256
    assert again.evaluate(UAE_EXAMPLES / "moe.json").score == uae.evaluate(UAE_EXAMPLES / "moe.json").score


def test_population_from_aggregates_is_the_batch_population(uae):
    from conftest import uae_answer_sets

    sets = uae_answer_sets(300, seed=7)
    batch = uae.evaluate_batch(sets)
    scores = [e.score for e in batch if e.score is not None]
    with localcontext() as exact:
        exact.prec = 100  # the sum of 300 scores of 28 places, not rounded
        total = sum(scores)
    pop = uae.population(len(scores), total, min(scores), max(scores), batch.population["excluded"])
    assert pop == batch.population
    with pytest.raises(ValueError, match="no sum"):
        uae.population(3, None, Decimal(0), Decimal(1))
    assert uae.population(0, None, None, None)["score"] is None


def test_a_jsonl_file_is_one_answer_set_a_line_as_the_cli(uae, tmp_path, monkeypatch):
    from conftest import uae_answer_sets

    path = tmp_path / "sets.jsonl"
    lines = [json.dumps(s, ensure_ascii=False) for s in uae_answer_sets(200, seed=3, bad_every=50)]
    lines.insert(10, "   ")
    lines.insert(20, "{not json")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cli = loads_exact(run_cli("eval", "--format", "json", str(UAE_RULES), str(path)).stdout)
    got = uae.evaluate_batch([path]).to_dict()
    assert canon(got) == canon(cli)
    assert any(e["source"].endswith(":21") for e in got["errors"])
