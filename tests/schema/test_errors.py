"""Error codes: every error carries ``extensions.code``; unexpected failures are masked."""

from __future__ import annotations

import base64
import json
import logging

import pytest

from oversight_graph.graph.sample import sample_store
from oversight_graph.schema import Context, schema
from oversight_graph.schema.context import Limits
from oversight_graph.schema.errors import CODES


def cursor(*values) -> str:
    """A cursor in the API's format, forged by hand."""
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode()


def only_error(errors) -> dict:
    assert len(errors) == 1, errors
    return errors[0]


# -- every error is coded -----------------------------------------------------------------------

BAD_DOCUMENTS = [
    ("{ node(id: ", None),
    ("{ nope }", None),
    ('{ node(id: "!!") { id } }', None),
    ('{ node(id: "org/nope") { id } }', None),
    ("{ organizations(first: -1) { totalCount } }", None),
    ('{ organizations(after: "garbage") { totalCount } }', None),
    ('{ timeline(from: "June") { summary } }', None),
    ("query($f: Int) { people(first: $f) { totalCount } }", {"f": "ten"}),
]


@pytest.mark.parametrize(("query", "variables"), BAD_DOCUMENTS)
def test_every_error_has_a_known_code(execute, query, variables):
    _, errors = execute(query, variables)
    assert errors
    for error in errors:
        assert error["extensions"]["code"] in CODES


# -- GRAPHQL_PARSE_FAILED / GRAPHQL_VALIDATION_FAILED ------------------------------------------------


def test_syntax_error_is_parse_failed(execute):
    data, errors = execute('{ node(id: "org/meta" { id } }')
    assert data is None
    error = only_error(errors)
    assert error["extensions"] == {"code": "GRAPHQL_PARSE_FAILED"}
    assert error["message"].startswith("Syntax Error")
    assert "path" not in error or error["path"] is None


def test_unterminated_string_is_parse_failed(execute):
    _, errors = execute('{ node(id: "org/meta) { id } }')
    assert only_error(errors)["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


def test_unknown_field_is_validation_failed(execute):
    data, errors = execute("{ organizations { totalCount bogus } }")
    assert data is None
    error = only_error(errors)
    assert error["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED"}
    assert "Cannot query field 'bogus'" in error["message"]


def test_unknown_root_field_suggests_near_names(execute):
    error = only_error(execute("{ nope }")[1])
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "Did you mean 'node' or 'nodes'?" in error["message"]


@pytest.mark.parametrize(
    "query",
    [
        "{ entity { key } }",  # missing required argument
        '{ organizations(first: "ten") { totalCount } }',  # literal of the wrong type
        "{ organizations(bogus: 1) { totalCount } }",  # unknown argument
        '{ entity(key: "org/meta") { ... on Organization { category { name } } } }',  # selection on an enum
        '{ entity(key: "org/meta") }',  # object without selection
        "{ organizations(orderBy: {field: SIZE}) { totalCount } }",  # unknown enum value
        "query($x: Int) { stats { version } }",  # unused variable
        "{ neighborhood(id: $x) { truncated } }",  # undeclared variable
    ],
)
def test_documents_that_do_not_fit_the_schema_are_validation_failed(execute, query):
    data, errors = execute(query)
    assert data is None
    assert errors
    assert {e["extensions"]["code"] for e in errors} == {"GRAPHQL_VALIDATION_FAILED"}


# -- BAD_USER_INPUT ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "path"),
    [
        ("{ organizations(first: -1) { totalCount } }", ["organizations"]),
        ("{ questions(first: 101) { totalCount } }", ["questions"]),
        ('{ search(text: "meta", first: -1) { matched } }', ["search"]),
        ('{ search(text: "meta", first: 101) { matched } }', ["search"]),
        ("{ timeline(first: -5) { summary } }", ["timeline"]),
        ("{ timeline(first: 101) { summary } }", ["timeline"]),
        ('{ entity(key: "org/meta") { relations(first: -1) { totalCount } } }', ["entity", "relations"]),
        ('{ entity(key: "org/meta") { relations(first: 101) { totalCount } } }', ["entity", "relations"]),
    ],
)
def test_first_out_of_range_is_bad_user_input_naming_first(execute, query, path):
    _, errors = execute(query)
    error = only_error(errors)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "first"}
    assert error["path"] == path
    assert error["message"].startswith("first must be between 0 and 100, got ")


def test_max_page_size_is_a_server_setting(execute):
    limits = Limits(max_page_size=5)
    _, errors = execute("{ organizations(first: 6) { totalCount } }", limits=limits)
    error = only_error(errors)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "first"}
    assert error["message"] == "first must be between 0 and 5, got 6"
    data, errors = execute("{ organizations(first: 5) { totalCount } }", limits=limits)
    assert errors == [] and data == {"organizations": {"totalCount": 19}}


@pytest.mark.parametrize(
    ("query", "variables", "fragment"),
    [
        ("query($f: Int) { people(first: $f) { totalCount } }", {"f": "ten"}, "Int cannot represent"),
        ("query($f: Int) { people(first: $f) { totalCount } }", {"f": 1.5}, "Int cannot represent"),
        ("query($f: Int!) { people(first: $f) { totalCount } }", {}, "to be provided"),
        (
            'query($t: [RelationType!]) { entity(key: "org/meta") { relations(types: $t) { totalCount } } }',
            {"t": ["NOPE"]},
            "'NOPE'",
        ),
        ("query($w: OrganizationWhereInput) { organizations(where: $w) { totalCount } }", {"w": {"bogus": 1}}, "bogus"),
    ],
)
def test_variables_that_do_not_coerce_are_bad_user_input(execute, query, variables, fragment):
    data, errors = execute(query, variables)
    assert data is None
    error = only_error(errors)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith("Variable '$")
    assert fragment in error["message"]


# -- INVALID_ID ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "argument"),
    [
        ('{ node(id: "!!garbage") { id } }', "id"),
        ('{ node(id: "Meta") { id } }', "id"),
        ('{ node(id: "") { id } }', "id"),
        ('{ node(id: "T3JnYW5pemF0aW9u") { id } }', "id"),  # base64 of "Organization", no key
        ('{ node(id: "' + base64.b64encode(b"Bogus:org/meta").decode() + '") { id } }', "id"),
        ('{ node(id: "' + base64.b64encode(b"Relation:org/meta").decode() + '") { id } }', "id"),
        ('{ nodes(ids: ["org/meta", "??"]) { id } }', "ids[1]"),
        ('{ entity(key: "ORG/META") { key } }', "key"),
        ('{ path(from: "meta", to: "org/caisi") { length } }', "from"),
        ('{ neighborhood(id: "caisi") { truncated } }', "id"),
        ('{ timeline(entity: "meta") { summary } }', "entity"),
        ('{ companiesWithoutAgreement(counterparty: "caisi") { key } }', "counterparty"),
        ('{ organizations(where: {some: [{type: RIVALS, other: "meta"}]}) { totalCount } }', "where.some[0].other"),
        (
            '{ organizations(where: {none: [{type: RIVALS}, {type: PARTY_TO, other: "x"}]}) { totalCount } }',
            "where.none[1].other",
        ),
    ],
)
def test_garbage_ids_are_invalid_id_naming_the_argument(execute, query, argument):
    _, errors = execute(query)
    error = only_error(errors)
    assert error["extensions"] == {"code": "INVALID_ID", "argument": argument}
    assert error["message"].startswith(f"{argument}: ")
    assert "is not a global id or an entity key" in error["message"]


# -- INVALID_CURSOR -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "after",
    ["garbage", "", "ö", "%%%", cursor(), cursor("name", 1.5), cursor("name", True), cursor("name", None)],
)
def test_garbage_cursor_is_invalid_cursor(execute, after):
    data, errors = execute("query($a: String) { organizations(after: $a) { totalCount } }", {"a": after})
    assert data is None
    error = only_error(errors)
    assert error["extensions"] == {"code": "INVALID_CURSOR"}
    assert error["path"] == ["organizations"]


def test_cursor_of_a_name_ordered_list_is_invalid_with_date_order(execute, ok):
    page = ok("{ organizations(first: 2) { pageInfo { endCursor } } }")["organizations"]
    name_cursor = page["pageInfo"]["endCursor"]
    data, errors = execute(
        "query($a: String) { organizations(orderBy: {field: DATE}, after: $a) { totalCount } }", {"a": name_cursor}
    )
    assert data is None
    error = only_error(errors)
    assert error["extensions"] == {"code": "INVALID_CURSOR"}
    assert "different list or order" in error["message"]
    # ... and the same cursor still works with the order that issued it.
    assert ok("query($a: String) { organizations(after: $a) { totalCount } }", {"a": name_cursor})


def test_cursor_of_a_date_ordered_list_is_invalid_with_key_order(execute, ok):
    date_cursor = ok("{ models(first: 1, orderBy: {field: DATE}) { pageInfo { endCursor } } }")["models"]["pageInfo"][
        "endCursor"
    ]
    _, errors = execute(
        "query($a: String) { models(orderBy: {field: KEY}, after: $a) { totalCount } }", {"a": date_cursor}
    )
    assert only_error(errors)["extensions"] == {"code": "INVALID_CURSOR"}


def test_cursors_do_not_cross_between_lists_relations_and_timeline(execute, ok):
    list_cursor = ok("{ people(first: 1) { pageInfo { endCursor } } }")["people"]["pageInfo"]["endCursor"]
    relation_cursor = ok('{ entity(key: "org/meta") { relations(first: 1) { pageInfo { endCursor } } } }')["entity"][
        "relations"
    ]["pageInfo"]["endCursor"]
    timeline_cursor = ok("{ timeline(first: 1) { cursor } }")["timeline"][0]["cursor"]

    _, errors = execute(
        'query($a: String) { entity(key: "org/meta") { relations(after: $a) { totalCount } } }', {"a": list_cursor}
    )
    assert only_error(errors)["extensions"]["code"] == "INVALID_CURSOR"
    assert only_error(errors)["path"] == ["entity", "relations"]
    _, errors = execute("query($a: String) { people(after: $a) { totalCount } }", {"a": relation_cursor})
    assert only_error(errors)["extensions"]["code"] == "INVALID_CURSOR"
    _, errors = execute("query($a: String) { timeline(after: $a) { summary } }", {"a": list_cursor})
    assert only_error(errors)["extensions"]["code"] == "INVALID_CURSOR"
    _, errors = execute("query($a: String) { people(after: $a) { totalCount } }", {"a": timeline_cursor})
    assert only_error(errors)["extensions"]["code"] == "INVALID_CURSOR"


def test_cursor_with_values_of_the_wrong_type_is_invalid_cursor(execute):
    _, errors = execute("query($a: String) { organizations(after: $a) { totalCount } }", {"a": cursor("name", 1, 2)})
    assert only_error(errors)["extensions"]["code"] == "INVALID_CURSOR"
    _, errors = execute(
        "query($a: String) { timeline(after: $a) { summary } }", {"a": cursor("time", "a", "b", "c", "d")}
    )
    assert only_error(errors)["extensions"]["code"] == "INVALID_CURSOR"


# -- INVALID_DATE -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ('{ timeline(from: "June") { summary } }', "'June' is not a date in the form YYYY, YYYY-MM or YYYY-MM-DD"),
        ('{ timeline(to: "2026-13") { summary } }', "month 13 is out of range 1-12"),
        ('{ timeline(to: "2026-02-30") { summary } }', "day 30 is out of range for 2026-02"),
        ('{ path(from: "org/meta", to: "org/caisi", asOf: "2026/06") { length } }', "is not a date"),
        ('{ models(where: {dateFrom: "soon"}) { totalCount } }', "'soon' is not a date"),
        ('{ entity(key: "org/meta") { relations(asOf: "0000") { totalCount } } }', "year 0 is out of range 1-9999"),
    ],
)
def test_bad_date_literal_is_invalid_date(execute, query, detail):
    data, errors = execute(query)
    assert data is None
    error = only_error(errors)
    assert error["extensions"] == {"code": "INVALID_DATE"}
    assert error["message"].startswith("Invalid PartialDate: ")
    assert detail in error["message"]


@pytest.mark.parametrize(
    ("value", "detail"),
    [
        ("June", "'June' is not a date in the form YYYY, YYYY-MM or YYYY-MM-DD"),
        ("2026-00", "month 0 is out of range 1-12"),
        (2026, "expected a date string"),
    ],
)
def test_bad_date_variable_is_invalid_date(execute, value, detail):
    data, errors = execute("query($d: PartialDate) { timeline(from: $d) { summary } }", {"d": value})
    assert data is None
    error = only_error(errors)
    assert error["extensions"] == {"code": "INVALID_DATE"}
    assert error["message"].startswith("Variable '$d' has invalid value: Invalid PartialDate: ")
    assert detail in error["message"]


def test_bad_date_inside_an_input_variable_is_invalid_date(execute):
    _, errors = execute(
        "query($w: AIModelWhereInput) { models(where: $w) { totalCount } }", {"w": {"dateTo": "2026-13"}}
    )
    error = only_error(errors)
    assert error["extensions"] == {"code": "INVALID_DATE"}
    assert "month 13 is out of range 1-12" in error["message"]


# -- NOT_FOUND ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "path", "message"),
    [
        ('{ node(id: "person/nobody") { id } }', ["node"], "no entity with key 'person/nobody'"),
        ('{ entity(key: "doc/none") { key } }', ["entity"], "no entity with key 'doc/none'"),
        ('{ path(from: "org/meta", to: "org/none") { length } }', ["path"], "no entity with key 'org/none'"),
        ('{ neighborhood(id: "event/none") { truncated } }', ["neighborhood"], "no entity with key 'event/none'"),
        ('{ timeline(entity: "org/none") { summary } }', ["timeline"], "no entity with key 'org/none'"),
        ('{ companiesWithoutAgreement(counterparty: "org/none") { key } }', ["companiesWithoutAgreement"], None),
        (
            '{ organizations(where: {some: [{type: RIVALS, other: "org/none"}]}) { totalCount } }',
            ["organizations"],
            None,
        ),
        (
            '{ organizations(where: {none: [{type: RIVALS, other: "org/none"}]}) { totalCount } }',
            ["organizations"],
            None,
        ),
    ],
)
def test_unknown_keys_are_not_found(execute, query, path, message):
    _, errors = execute(query)
    error = only_error(errors)
    assert error["extensions"] == {"code": "NOT_FOUND"}
    assert error["path"] == path
    if message is not None:
        assert error["message"] == message


def test_an_error_in_one_root_field_leaves_the_others_answered(execute):
    data, errors = execute('{ good: entity(key: "org/meta") { name } bad: entity(key: "org/none") { name } }')
    assert data == {"good": {"name": "Meta"}, "bad": None}
    assert [(e["path"], e["extensions"]["code"]) for e in errors] == [(["bad"], "NOT_FOUND")]


# -- INTERNAL_SERVER_ERROR -------------------------------------------------------------------------------

SECRET = "secret connection string postgres://admin:hunter2@db"


@pytest.fixture()
def broken_store(monkeypatch):
    """A sample store whose entity lookup fails unexpectedly."""
    store = sample_store()

    def entity(key):
        raise RuntimeError(SECRET)

    monkeypatch.setattr(store, "entity", entity)
    return store


def test_unexpected_exception_is_masked_with_the_request_id(execute, broken_store, caplog):
    with caplog.at_level(logging.ERROR, logger="oversight.errors"):
        data, errors = execute('{ node(id: "org/meta") { id } }', store=broken_store, request_id="req-1234")
    assert data == {"node": None}
    error = only_error(errors)
    assert error["message"] == "Internal server error (request req-1234)."
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-1234"}
    assert error["path"] == ["node"]
    assert SECRET not in json.dumps(errors)
    assert "RuntimeError" not in json.dumps(errors)


def test_unexpected_exception_is_logged_with_its_traceback_under_the_request_id(execute, broken_store, caplog):
    with caplog.at_level(logging.ERROR, logger="oversight.errors"):
        execute('{ node(id: "org/meta") { id } }', store=broken_store, request_id="req-5678")
    records = [r for r in caplog.records if r.name == "oversight.errors"]
    assert len(records) == 1
    assert "req-5678" in records[0].getMessage()
    assert records[0].exc_info is not None
    assert isinstance(records[0].exc_info[1], RuntimeError)
    assert str(records[0].exc_info[1]) == SECRET


def test_masked_error_uses_the_contexts_generated_request_id(broken_store, caplog):
    context = Context(store=broken_store)
    with caplog.at_level(logging.ERROR, logger="oversight.errors"):
        result = schema.execute_sync('{ entity(key: "org/meta") { key } }', context_value=context)
    error = only_error([e.formatted for e in result.errors])
    assert len(context.request_id) == 32
    assert error["extensions"]["requestId"] == context.request_id
    assert error["message"] == f"Internal server error (request {context.request_id})."


def test_unexpected_exception_in_a_list_field_is_masked(execute, broken_store, caplog):
    with caplog.at_level(logging.ERROR, logger="oversight.errors"):
        data, errors = execute("{ organizations(first: 2) { totalCount } }", store=broken_store, request_id="r-1")
    assert data is None
    error = only_error(errors)
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "r-1"}
    assert SECRET not in error["message"]


def test_unexpected_exception_in_nodes_is_masked_at_its_index(execute, monkeypatch, caplog):
    store = sample_store()
    real = store.entity

    def entity(key):
        if key == "org/openai":
            raise RuntimeError(SECRET)
        return real(key)

    monkeypatch.setattr(store, "entity", entity)
    with caplog.at_level(logging.ERROR, logger="oversight.errors"):
        data, errors = execute(
            '{ nodes(ids: ["org/meta", "org/openai", "org/nope"]) { ... on Entity { key } } }',
            store=store,
            request_id="r-2",
        )
    assert data == {"nodes": [{"key": "org/meta"}, None, None]}
    by_index = {e["path"][1]: e for e in errors}
    assert by_index[1]["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "r-2"}
    assert by_index[1]["message"] == "Internal server error (request r-2)."
    assert by_index[2]["extensions"] == {"code": "NOT_FOUND"}  # client errors keep their message and code
    assert SECRET not in json.dumps(errors)


def test_a_server_side_type_error_is_internal_not_blamed_on_the_client(execute, monkeypatch, caplog):
    """A resolver returning a record of the wrong type is a server fault.

    BUG: ``schema.errors._code_of`` treats every error without an
    ``original_error`` as a request error and codes it ``BAD_USER_INPUT``.
    graphql-core reports an object of the wrong type ("Expected value of type
    'Organization' but got: <Person instance>.") without an original error,
    so it is blamed on the client, and its internal wording is not masked.
    """
    store = sample_store()
    real = store.entity

    def entity(key):
        # The store hands back the wrong record for Fable 5's developer.
        return real("person/howard-lutnick") if key == "org/anthropic" else real(key)

    monkeypatch.setattr(store, "entity", entity)
    with caplog.at_level(logging.ERROR, logger="oversight.errors"):
        _, errors = execute(
            '{ entity(key: "model/fable-5") { ... on AIModel { developer { key } } } }', store=store, request_id="r-3"
        )
    error = only_error(errors)
    assert error["path"] == ["entity", "developer"]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "r-3"}
    assert error["message"] == "Internal server error (request r-3)."
