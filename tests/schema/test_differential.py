"""Differential test: the engine answers generated documents exactly as graphql-core does.

Documents come from hypothesis-graphql over the committed ``schema.graphql``:
valid ones and ones with a schema violation (``Mode.NEGATIVE``), string
arguments replaced by realistic values (keys and global ids of the seed,
dates, cursors the API issued) or left as junk, one to three named
operations per document, some of them spreading their selection through a
fragment, and one operation chosen by name. Each document runs through the
engine (:mod:`schema.engine`, :mod:`schema.executor`) and through
graphql-core's ``validate`` and ``execute`` on the same schema and store:

- a document graphql-core finds invalid must be refused by the engine with
  ``GRAPHQL_VALIDATION_FAILED`` (or one of the engine's own limits);
- otherwise data must be equal, and so must the errors' paths and (unless
  the engine rewrites them on purpose: masked, cut, dates) their messages.

The run is derandomized. ``DIFFERENTIAL_EXAMPLES`` sets how many documents
(default 100; ``.ci/run`` runs 2,000).
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    NamedTypeNode,
    NameNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    execute,
    parse,
    print_ast,
    specified_rules,
    validate,
    visit,
)
from graphql.language import Visitor
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, queries

from oversight_graph.graph.load import load_directory
from oversight_graph.schema import Context, build_schema
from oversight_graph.schema.context import Limits
from oversight_graph.schema.engine import CacheSizes, Engine, Outcome
from oversight_graph.schema.limits import LIMIT_CODES

ROOT = Path(__file__).resolve().parents[2]
SDL = (ROOT / "schema.graphql").read_text(encoding="utf-8")
SCHEMA = build_schema()
STORE = load_directory(ROOT / "seed")
# Generous limits: the point is to compare execution, not to be refused.
LIMITS = Limits(
    max_depth=64, max_aliases=1000, max_tokens=100_000, max_document_bytes=1_000_000, max_cost=10**7, time_limit=0
)
EXAMPLES = int(os.environ.get("DIFFERENTIAL_EXAMPLES", "100"))
COUNTS: dict[str, int] = {}

KEYS = sorted(entity.key for entity in STORE.entities())


def _realistic_strings() -> st.SearchStrategy[str]:
    global_ids = [base64.b64encode(f"Organization:{k}".encode()).decode() for k in KEYS[:10]]
    return st.one_of(
        st.sampled_from(KEYS),
        st.sampled_from(global_ids),
        st.sampled_from(["2026", "2026-06", "2026-06-02", "2026-13", "June", "0000"]),
        st.sampled_from(["meta", "fable", "CAISI", "antropic", "", " "]),
        st.sampled_from(["WyJyZWxzIiwib3JnL21ldGEiXQ==", "bm90IGEgY3Vyc29y", "%%%"]),
    )


def _replace_strings(document: DocumentNode, draw: Any) -> DocumentNode:
    """Replace some string argument values with realistic ones; the rest stay generated junk."""
    strings = _realistic_strings()

    class Realistic(Visitor):
        def enter_string_value(self, node: StringValueNode, *_args: Any) -> StringValueNode | None:
            if draw(st.booleans()):
                return StringValueNode(value=draw(strings))
            return None

    return visit(document, Realistic())  # type: ignore[no-any-return]


@st.composite
def documents(draw: Any) -> tuple[str, str]:
    """A document of one to three named operations (some through fragments) and the name of one."""
    count = draw(st.integers(1, 3))
    definitions: list[Any] = []
    for index in range(count):
        mode = draw(st.sampled_from([Mode.POSITIVE, Mode.POSITIVE, Mode.NEGATIVE]))
        generated = draw(queries(SDL, print_ast=lambda d: d, mode=mode, allow_x00=False))
        generated = _replace_strings(generated, draw)
        operation = next(d for d in generated.definitions if isinstance(d, OperationDefinitionNode))
        selection_set = operation.selection_set
        name = f"Q{index}"
        if draw(st.booleans()):
            fragment = f"F{index}"
            definitions.append(
                FragmentDefinitionNode(
                    name=NameNode(value=fragment),
                    type_condition=NamedTypeNode(name=NameNode(value="Query")),
                    selection_set=selection_set,
                    directives=(),
                )
            )
            selection_set = SelectionSetNode(
                selections=(FragmentSpreadNode(name=NameNode(value=fragment), directives=()),)
            )
        definitions.append(
            OperationDefinitionNode(
                operation=operation.operation,
                name=NameNode(value=name),
                selection_set=selection_set,
                variable_definitions=(),
                directives=(),
            )
        )
    chosen = f"Q{draw(st.integers(0, count - 1))}"
    return print_ast(DocumentNode(definitions=tuple(definitions))), chosen


def _normal(value: Any) -> Any:
    return orjson.loads(orjson.dumps(value))


def _count(what: str) -> None:
    COUNTS[what] = COUNTS.get(what, 0) + 1


ENGINE = Engine(SCHEMA, LIMITS, caches=CacheSizes(responses=0))


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
@given(documents())
def test_the_engine_answers_as_graphql_core(case: tuple[str, str]) -> None:
    text, operation = case
    result = ENGINE.run(text, Context(store=STORE, limits=LIMITS), None, operation)
    body = orjson.loads(result.body)
    document = parse(text)
    invalid = validate(SCHEMA._schema, document, specified_rules)
    if invalid:
        _count("invalid")
        assert result.outcome is Outcome.REQUEST_ERROR and "data" not in body, (text, body)
        codes = {e["extensions"]["code"] for e in body["errors"]}
        assert codes <= {"GRAPHQL_VALIDATION_FAILED", *LIMIT_CODES}, (text, body)
        return
    codes = {e["extensions"]["code"] for e in body.get("errors", ())}
    if result.outcome is Outcome.REQUEST_ERROR and codes & set(LIMIT_CODES):
        _count("refused by a limit")
        return
    reference = execute(
        SCHEMA._schema, document, context_value=Context(store=STORE, limits=LIMITS), operation_name=operation
    )
    assert not hasattr(reference, "__await__")
    if reference.data is None and reference.errors and all(e.path is None for e in reference.errors):
        _count("request error")
        assert result.outcome is Outcome.REQUEST_ERROR, (text, body)
        return
    _count("executed with errors" if reference.errors else "executed")
    assert body.get("data") == _normal(reference.data), text
    mine = sorted((tuple(e.get("path") or ()), e["message"], e["extensions"]["code"]) for e in body.get("errors", ()))
    theirs = sorted((tuple(e.path or ()), e.message) for e in reference.errors or ())
    assert [m[0] for m in mine] == [t[0] for t in theirs], (text, body)
    for (path, message, code), (_, expected) in zip(mine, theirs, strict=True):
        if code not in ("INTERNAL_SERVER_ERROR", "INVALID_DATE") and len(expected) <= 500:
            assert message == expected, (text, path)


def test_the_differential_run_covered_every_outcome() -> None:
    # Runs after the property above (file order): the generated documents must
    # exercise execution, errors and invalid documents, not only one of them.
    print(f"differential run ({EXAMPLES} documents): {dict(sorted(COUNTS.items()))}")
    if COUNTS:
        assert COUNTS.get("executed", 0) > 0 and COUNTS.get("invalid", 0) > 0
