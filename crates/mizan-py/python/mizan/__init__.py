"""Mizan rubrics from Python.

The engine is the ``mizan`` command's own (the Rust library, compiled into
``mizan._mizan``): the same reader, checker and evaluator, so every score is
the one ``mizan eval --format json`` writes, digit for digit.

    >>> import mizan
    >>> rubric = mizan.load("rules/uae/integration/2018.mizan")
    >>> rubric.evaluate("examples/uae-integration-2018/moe.json").score
    Decimal('0.58...')

Scores are :class:`decimal.Decimal` (exact); ``numbers="float"`` gives
floats and ``numbers="str"`` the exact text. A rule file with errors raises
:class:`RuleError` (every diagnostic); an answer set that cannot be scored
raises :class:`Rejected` (every located problem). Batches
(:meth:`Rubric.evaluate_batch`, :meth:`Rubric.evaluate_arrow`) run on all
cores with the GIL released, and never raise for one bad answer set.
"""

from __future__ import annotations

import json
import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, NamedTuple, Optional, Union

from . import _mizan

__all__ = [
    "load",
    "Rubric",
    "Result",
    "Batch",
    "Diagnostic",
    "Problem",
    "MizanError",
    "RuleError",
    "Rejected",
    "to_pandas",
    "to_polars",
    "__version__",
]

__version__: str = _mizan.MIZAN_VERSION

AnswerSet = Union[Dict[str, Any], str, bytes, "os.PathLike[str]"]
_NUMBERS = ("decimal", "float", "str")


class Diagnostic(NamedTuple):
    """One diagnostic of a rule file (see docs/diagnostics.md)."""

    code: Optional[str]
    severity: str
    message: str
    line: Optional[int]
    column: Optional[int]
    help: Optional[str]

    def __str__(self) -> str:
        where = f"{self.line}:{self.column}: " if self.line is not None else ""
        return f"{where}{self.severity}[{self.code}]: {self.message}"


class Problem(NamedTuple):
    """One located problem of an answer set (an error or a warning)."""

    code: str
    message: str
    pointer: str
    source: str
    entity: Optional[str]

    def __str__(self) -> str:
        at = f" at {self.pointer}" if self.pointer else ""
        return f"{self.source}{at}: [{self.code}] {self.message}"


def _problems(items: Iterable[Dict[str, Any]]) -> List[Problem]:
    return [
        Problem(
            p.get("code", ""),
            p.get("message", ""),
            p.get("pointer", ""),
            p.get("source", ""),
            p.get("entity"),
        )
        for p in items
    ]


class MizanError(Exception):
    """Base class of the package's errors."""


class RuleError(MizanError):
    """The rule file has errors: ``.diagnostics`` lists every one (errors
    first, then warnings), each with code, message, line, column and help."""

    def __init__(self, name: str, diagnostics: List[Diagnostic]):
        self.name = name
        self.diagnostics = diagnostics
        errors = [d for d in diagnostics if d.severity == "error"]
        first = f": {errors[0]}" if errors else ""
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(f"{name}: {len(errors)} error(s){first}{more}")


class Rejected(MizanError):
    """The answer set cannot be scored: ``.problems`` lists every located
    problem (code, message, JSON pointer)."""

    def __init__(self, problems: List[Problem]):
        self.problems = problems
        first = f": {problems[0]}" if problems else ""
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"answer set rejected{first}{more}")


def _loads(text: str, numbers: str) -> Any:
    """JSON text from the engine, numbers as asked (counts stay int)."""
    if numbers == "decimal":
        return json.loads(text, parse_float=Decimal, parse_int=Decimal)
    if numbers == "float":
        return json.loads(text, parse_float=float, parse_int=float)
    if numbers == "str":
        return json.loads(text, parse_float=str, parse_int=str)
    raise ValueError(f"numbers={numbers!r}: use one of {_NUMBERS}")


def _int(v: Any) -> Any:
    return None if v is None else int(v)


def _fix_entity(e: Dict[str, Any]) -> Dict[str, Any]:
    if e.get("rank") is not None:
        e["rank"] = int(e["rank"])
    return e


def _fix_aggregate(a: Dict[str, Any]) -> Dict[str, Any]:
    a["entities"] = _int(a.get("entities"))
    a["excluded"] = _int(a.get("excluded"))
    return a


class Result:
    """The scores of one entity: the entity object of ``mizan eval --format
    json`` (:meth:`to_dict`) with attributes for its fields."""

    __slots__ = ("_d", "warnings")

    def __init__(self, d: Dict[str, Any], warnings: Optional[List[Problem]] = None):
        self._d = d
        self.warnings: List[Problem] = warnings or []

    @property
    def id(self) -> str:
        return self._d["id"]

    @property
    def name(self) -> Optional[str]:
        return self._d.get("name")

    @property
    def score(self) -> Any:
        """The overall score (``None`` when N/A)."""
        return self._d["score"]

    @property
    def band(self) -> Optional[str]:
        return self._d["band"]

    @property
    def band_label(self) -> Optional[str]:
        return self._d["band_label"]

    @property
    def rank(self) -> Optional[int]:
        return self._d.get("rank")

    @property
    def bands(self) -> Dict[str, Optional[str]]:
        return self._d["bands"]

    @property
    def node_bands(self) -> Dict[str, Dict[str, Optional[str]]]:
        return self._d["node_bands"]

    @property
    def nodes(self) -> Dict[str, Any]:
        """Every node's score by node id (``None`` when N/A)."""
        return self._d["nodes"]

    @property
    def instances(self) -> Dict[str, Any]:
        return self._d.get("instances", {})

    def to_dict(self) -> Dict[str, Any]:
        """The entity object of ``mizan eval --format json``."""
        return self._d

    def __repr__(self) -> str:
        return f"Result(id={self.id!r}, score={self.score!r}, band={self.band!r})"


class Batch:
    """A batch's results: the document of ``mizan eval --format json``."""

    def __init__(self, doc: Dict[str, Any]):
        self._doc = doc
        self.entities: List[Result] = [Result(e) for e in doc["entities"]]
        self.population: Dict[str, Any] = doc["aggregate"]
        self.errors: List[Problem] = _problems(doc["errors"])
        self.warnings: List[Problem] = _problems(doc["warnings"])
        self.headlines: Dict[str, Any] = doc.get("headlines", {})

    def __iter__(self) -> Iterator[Result]:
        return iter(self.entities)

    def __len__(self) -> int:
        return len(self.entities)

    def to_dict(self) -> Dict[str, Any]:
        """The whole document of ``mizan eval --format json``."""
        return self._doc

    def __repr__(self) -> str:
        return (
            f"Batch({len(self.entities)} entities, population={self.population.get('score')!r}, "
            f"{len(self.errors)} errors)"
        )


_MARK = "\x00mizan-decimal:"
_MARKED = re.compile(r'"\\u0000mizan-decimal:([-+0-9.eE]+)"')


def _mark_decimals(v: Any) -> Any:
    if isinstance(v, Decimal):
        return _MARK + format(v, "f")
    if isinstance(v, dict):
        return {k: _mark_decimals(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_mark_decimals(x) for x in v]
    return v


def _dumps(d: Dict[str, Any]) -> str:
    """An answer set as JSON text; a Decimal is written with every digit."""
    try:
        return json.dumps(d, ensure_ascii=False)
    except TypeError:
        text = json.dumps(_mark_decimals(d), ensure_ascii=False)
        return _MARKED.sub(lambda m: m.group(1), text)


def _read(path: "os.PathLike[str] | str") -> str:
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def _looks_like_text(s: str) -> bool:
    t = s.lstrip("\ufeff \t\r\n")
    return t.startswith(("{", "[")) or "\n" in s


def _answer_text(a: AnswerSet, default_origin: str) -> "tuple[str, str]":
    """(origin, JSON text) of an answer set given as a dict, JSON text or
    a path."""
    if isinstance(a, dict):
        return default_origin, _dumps(a)
    if isinstance(a, bytes):
        return default_origin, a.decode("utf-8")
    if isinstance(a, str) and _looks_like_text(a):
        return default_origin, a
    if isinstance(a, (str, os.PathLike)):
        return os.fspath(a), _read(a)
    raise TypeError(f"an answer set is a dict, JSON text or a path, not {type(a).__name__}")


def _jsonl(path: "os.PathLike[str] | str") -> List["tuple[str, str]"]:
    """(origin, text) of every non-blank line of a ``.jsonl`` file, framed
    as ``mizan eval`` frames them (origin ``file:line``)."""
    name = os.fspath(path)
    out = []
    with open(path, "rb") as f:
        for n, raw in enumerate(f, start=1):
            line = raw[:-1] if raw.endswith(b"\n") else raw
            line = line[:-1] if line.endswith(b"\r") and raw.endswith(b"\n") else line
            if line.strip(b" \t\n\r\x0c") == b"":
                continue
            out.append((f"{name}:{n}", line.decode("utf-8")))
    return out


class Rubric:
    """A checked rubric, ready to score answer sets (:func:`load`)."""

    def __init__(self, inner: Any, name: str, text: str, warnings: List[Diagnostic]):
        self._inner = inner
        self.name = name
        self.text = text
        self.warnings = warnings

    id = property(lambda self: self._inner.id, doc="Rubric id.")
    version = property(lambda self: self._inner.version, doc="Rubric version.")
    sha256 = property(lambda self: self._inner.sha256, doc="sha256 of the rule text.")
    nodes = property(lambda self: self._inner.nodes, doc="Every node id below the root, in order.")
    criteria = property(lambda self: self._inner.criteria, doc="The criteria (nodes answered).")
    profile = property(lambda self: self._inner.profile, doc="The profile fields.")

    def __repr__(self) -> str:
        return f"Rubric({self.id!r}, version={self.version!r})"

    def __reduce__(self) -> Any:
        # Pickled as its rule text (Spark, multiprocessing): loaded again.
        return (loads, (self.text, self.name))

    def evaluate(self, answer_set: AnswerSet, *, numbers: str = "decimal", lang: str = "en") -> Result:
        """Scores one answer set (a dict, JSON text or a path to a ``.json``
        file). Raises :class:`Rejected` when it cannot be scored. ``lang``
        (``"en"`` or ``"ar"``) is the language of ``band_label``."""
        origin, text = _answer_text(answer_set, "answer set")
        ok, out = self._inner.evaluate_text(text, origin, lang)
        if not ok:
            raise Rejected(_problems(json.loads(out)))
        d = _loads(out, numbers)
        warnings = _problems(d.pop("warnings", []))
        return Result(_fix_entity(d), warnings)

    def evaluate_batch(
        self, answer_sets: Iterable[AnswerSet], *, numbers: str = "decimal", lang: str = "en"
    ) -> Batch:
        """Scores answer sets as one batch, as ``mizan eval`` does: entities
        by id (ranked when the rubric ranks), the population, and every
        rejected answer set's errors (never raised). Each item is a dict,
        JSON text, a ``.json`` path, or a ``.jsonl`` path (one answer set a
        non-blank line). Runs on all cores."""
        items: List["tuple[str, str]"] = []
        for i, a in enumerate(answer_sets):
            if isinstance(a, (str, os.PathLike)) and os.fspath(a).endswith(".jsonl") and not _looks_like_text(os.fspath(a)):
                items.extend(_jsonl(a))
            else:
                items.append(_answer_text(a, f"answer set {i}"))
        doc = _loads(self._inner.evaluate_many(items, lang), numbers)
        for e in doc["entities"]:
            _fix_entity(e)
        _fix_aggregate(doc["aggregate"])
        return Batch(doc)

    def evaluate_arrow(self, batch: Any, *, numbers: str = "decimal", json_column: Optional[str] = None) -> Any:
        """Scores a ``pyarrow.RecordBatch`` (or ``Table``), one answer set a
        row, and returns a record batch (a table for a table): ``id``,
        ``name``, ``score``, ``band``, one column per node, ``error_codes``,
        ``errors``, ``warnings``.

        Rows are answer sets as JSON text in ``json_column`` (by default the
        column ``json`` when there is one), or else built from the columns:
        one per criterion (its id), ``id``, ``name``, and profile fields.
        Scores are ``decimal128(38, 28)`` (``numbers="str"``: exact text;
        ``"float"``: float64). A row that cannot be scored gets its errors
        in the error columns, never an exception."""
        import pyarrow as pa

        if json_column is None and "json" in batch.schema.names:
            json_column = "json"
        if isinstance(batch, pa.Table):
            out = [self._inner.evaluate_arrow(b, numbers, json_column) for b in batch.to_batches()]
            return pa.Table.from_batches(out, schema=self.arrow_schema(numbers))
        return self._inner.evaluate_arrow(batch, numbers, json_column)

    def arrow_schema(self, numbers: str = "decimal") -> Any:
        """The schema of :meth:`evaluate_arrow`'s output."""
        return self._inner.arrow_schema(numbers)

    def population(
        self,
        count: int,
        sum: Any,
        min: Any,
        max: Any,
        excluded: int = 0,
        *,
        numbers: str = "decimal",
        lang: str = "en",
    ) -> Dict[str, Any]:
        """The population level (the ``aggregate`` object of ``mizan eval
        --format json``) from statistics computed elsewhere, e.g. by Spark:
        the number of entities with a score, the exact sum of their scores,
        the lowest and the highest (Decimal or plain text), and the number
        of rejected answer sets."""

        def text(v: Any) -> Optional[str]:
            if v is None:
                return None
            return format(v, "f") if isinstance(v, Decimal) else str(v)

        out = self._inner.population(int(count), text(sum), text(min), text(max), int(excluded), lang)
        return _fix_aggregate(_loads(out, numbers))


def loads(text: str, name: str = "<rules>") -> Rubric:
    """Loads a rubric from rule text. Raises :class:`RuleError`."""
    inner, report = _mizan.load(name, text)
    diagnostics = [Diagnostic(**d) for d in json.loads(report)]
    if inner is None:
        raise RuleError(name, diagnostics)
    return Rubric(inner, name, text, [d for d in diagnostics if d.severity != "error"])


def load(path_or_text: "Union[str, os.PathLike[str]]", *, name: Optional[str] = None) -> Rubric:
    """Loads a rubric from a ``.mizan`` file or from rule text (a string
    with a newline or a brace). Raises :class:`RuleError` with every
    diagnostic when the rules have errors."""
    if isinstance(path_or_text, str) and ("\n" in path_or_text or "{" in path_or_text):
        return loads(path_or_text, name or "<rules>")
    path = os.fspath(path_or_text)
    return loads(_read(path), name or path)


def _as_arrow(x: Any) -> Any:
    import pyarrow as pa

    if isinstance(x, (pa.Table, pa.RecordBatch)):
        return x
    if isinstance(x, Batch):
        x = x.entities
    rows = []
    for r in x:
        d = r.to_dict() if isinstance(r, Result) else r
        row = {"id": d.get("id"), "name": d.get("name"), "score": d.get("score"), "band": d.get("band")}
        row.update(d.get("nodes", {}))
        if d.get("rank") is not None:
            row["rank"] = d["rank"]
        rows.append(row)
    return pa.Table.from_pylist(rows)


def to_pandas(x: Any) -> Any:
    """A pandas DataFrame of results: a record batch or table from
    :meth:`Rubric.evaluate_arrow`, a :class:`Batch`, or a list of
    :class:`Result` (one row per entity; decimal scores stay Decimal)."""
    return _as_arrow(x).to_pandas()


def to_polars(x: Any) -> Any:
    """A polars DataFrame of results (as :func:`to_pandas`)."""
    import polars as pl

    return pl.from_arrow(_as_arrow(x))
