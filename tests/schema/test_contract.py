"""The API contract: the committed SDL, descriptions everywhere, naming rules."""

from __future__ import annotations

import re
from pathlib import Path

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
)

from oversight_graph.schema import schema
from oversight_graph.schema.errors import CODES
from oversight_graph.schema.limits import LIMIT_CODES
from oversight_graph.server.http import HTTP_CODES

ROOT = Path(__file__).resolve().parents[2]


def test_committed_sdl_matches_the_code():
    committed = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert committed == schema.as_str() + "\n", "schema.graphql is stale: run `oversight schema > schema.graphql`"


def _own_types():
    for name, type_ in schema._schema.type_map.items():
        if not name.startswith("__") and name not in {"String", "Int", "Float", "Boolean", "ID"}:
            yield name, type_


def test_every_type_field_argument_and_enum_value_is_described():
    missing = []
    for name, type_ in _own_types():
        if not type_.description:
            missing.append(name)
        if isinstance(type_, (GraphQLObjectType, GraphQLInterfaceType, GraphQLInputObjectType)):
            for field_name, field in type_.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    if not arg.description:
                        missing.append(f"{name}.{field_name}({arg_name})")
        if isinstance(type_, GraphQLEnumType):
            missing.extend(f"{name}.{v}" for v, value in type_.values.items() if not value.description)
    assert missing == []


def test_names_follow_the_conventions():
    for name, type_ in _own_types():
        assert re.fullmatch(r"[A-Z][A-Za-z0-9]*", name), name
        if isinstance(type_, GraphQLInputObjectType):
            assert name.endswith("Input"), name
        if isinstance(type_, GraphQLEnumType):
            for value in type_.values:
                assert re.fullmatch(r"[A-Z][A-Z0-9_]*", value), f"{name}.{value}"
        if isinstance(type_, (GraphQLObjectType, GraphQLInterfaceType, GraphQLInputObjectType)):
            for field_name in type_.fields:
                assert re.fullmatch(r"[a-z][A-Za-z0-9]*", field_name), f"{name}.{field_name}"
    connections = [n for n, _ in _own_types() if n.endswith("Connection")]
    assert "OrganizationConnection" in connections and "RelationConnection" in connections


def test_every_entity_type_implements_node_and_entity():
    entity = schema._schema.type_map["Entity"]
    implementations = schema._schema.get_possible_types(entity)
    assert sorted(t.name for t in implementations) == sorted(
        ["Organization", "Person", "AIModel", "Order", "Incident", "Agreement", "Event", "Document", "Question"]
    )
    node = schema._schema.type_map["Node"]
    assert {t.name for t in schema._schema.get_possible_types(node)} >= {"Relation", "Organization"}


def test_partial_date_is_a_custom_scalar():
    assert isinstance(schema._schema.type_map["PartialDate"], GraphQLScalarType)


def test_error_codes_are_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for code in [*CODES, *HTTP_CODES, *LIMIT_CODES]:
        assert f"`{code}`" in readme, code
