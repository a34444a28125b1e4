"""Shared fixtures: the repository, the `mizan` command to compare with,
and a deterministic generator of UAE 2018 answer sets."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, List

import pytest

REPO = Path(__file__).resolve().parents[3]
UAE_RULES = REPO / "rules/uae/integration/2018.mizan"
UAE_EXAMPLES = REPO / "examples/uae-integration-2018"


def mizan_bin() -> str:
    """The `mizan` command: $MIZAN_BIN, else the release build, else the
    debug build of this checkout, else `mizan` on PATH."""
    env = os.environ.get("MIZAN_BIN")
    if env:
        return env
    for p in (REPO / "target/release/mizan", REPO / "target/debug/mizan"):
        if p.exists():
            return str(p)
    found = shutil.which("mizan")
    if found:
        return found
    pytest.skip("no `mizan` binary: cargo build --release --bin mizan, or set MIZAN_BIN")
    raise AssertionError


def run_cli(*args: str) -> subprocess.CompletedProcess:
    p = subprocess.run([mizan_bin(), *args], cwd=REPO, capture_output=True, text=True)
    assert p.returncode in (0, 2), p.stderr
    return p


def loads_exact(text: str) -> Any:
    """JSON as the package reads the engine's output: numbers Decimal,
    counts int."""
    doc = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    return doc


def canon(x: Any) -> Any:
    """`x` with every number a Decimal, to compare documents exactly."""
    if isinstance(x, bool) or x is None or isinstance(x, str):
        return x
    if isinstance(x, (int, Decimal)):
        return Decimal(x)
    if isinstance(x, dict):
        return {k: canon(v) for k, v in x.items()}
    if isinstance(x, list):
        return [canon(v) for v in x]
    return x


def _valid_examples() -> List[Dict[str, Any]]:
    out = []
    for p in sorted(UAE_EXAMPLES.glob("*.json")):
        if p.name.startswith("zz-"):
            continue
        out.append(json.loads(p.read_text(encoding="utf-8")))
    return out


def uae_answer_sets(n: int, seed: int = 19, bad_every: int = 0) -> List[Dict[str, Any]]:
    """`n` UAE 2018 answer sets, the same for the same arguments: each takes
    a shipped example's answered criteria and draws every answer among the
    answers the examples give that criterion. With `bad_every`, every
    `bad_every`-th answer set names an option the rubric lacks (rejected)."""
    examples = _valid_examples()
    seen: Dict[str, List[Any]] = {}
    for e in examples:
        for k, v in e["answers"].items():
            if v not in seen.setdefault(k, []):
                seen[k].append(v)
    rng = random.Random(seed)
    sets = []
    for i in range(n):
        base = examples[rng.randrange(len(examples))]
        answers = {k: rng.choice(seen[k]) for k in base["answers"]}
        if bad_every and i % bad_every == bad_every - 1:
            answers[next(iter(answers))] = "no_such_option"
        sets.append(
            {
                "rubric": "uae.integration",
                "version": "2018",
                "entity": {"id": f"e{i:07d}", "profile": dict(base["entity"]["profile"])},
                "answers": answers,
            }
        )
    return sets


@pytest.fixture(scope="session")
def uae():
    import mizan

    return mizan.load(UAE_RULES)
