"""Root lookups: ``node``, ``nodes`` and ``entity``, by global id and by key."""

from __future__ import annotations

import base64

import pytest

from oversight_graph.schema.context import Limits


def b64_id(type_name: str, key: str) -> str:
    """A Relay global id, computed independently of ``schema.ids``."""
    return base64.b64encode(f"{type_name}:{key}".encode()).decode("ascii")


NODE = """
query($id: ID!) {
  node(id: $id) {
    __typename
    id
    ... on Entity { key name }
    ... on Relation { key type subject { key } object { key } }
  }
}
"""


# -- node -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_name", "key", "name"),
    [
        ("Organization", "org/meta", "Meta"),
        ("Person", "person/howard-lutnick", "Howard Lutnick"),
        ("AIModel", "model/fable-5", "Fable 5"),
        ("Order", "order/ai-model-review-order", "June 2 executive order on AI model reviews"),
        ("Incident", "incident/fable-5-access-shutdown", "Fable 5 access shutdown"),
        ("Agreement", "agreement/openai-caisi", "OpenAI–CAISI model review agreement"),
        ("Event", "event/meta-review-request", "request that Meta submit its models for review"),
        ("Document", "doc/nyt-meta-ai-reviews", "U.S. Presses Meta to Agree to A.I. Reviews as Security Concerns Rise"),
        ("Question", "question/who-leads-model-reviews", "Who will lead the federal AI model reviews?"),
    ],
)
def test_node_finds_every_kind_by_global_id_and_by_key(ok, type_name, key, name):
    by_id = ok(NODE, {"id": b64_id(type_name, key)})["node"]
    by_key = ok(NODE, {"id": key})["node"]
    assert by_id == by_key
    assert by_id == {"__typename": type_name, "id": b64_id(type_name, key), "key": key, "name": name}


def test_node_finds_a_relation_by_global_id_and_by_key(ok):
    key = "person/howard-lutnick|OVERSEES|org/caisi"
    expected = {
        "__typename": "Relation",
        "id": b64_id("Relation", key),
        "key": key,
        "type": "OVERSEES",
        "subject": {"key": "person/howard-lutnick"},
        "object": {"key": "org/caisi"},
    }
    assert ok(NODE, {"id": key})["node"] == expected
    assert ok(NODE, {"id": b64_id("Relation", key)})["node"] == expected


def test_node_finds_a_dated_relation_whose_key_carries_its_start(ok):
    key = "person/donald-trump|SIGNED|order/ai-model-review-order|2026-06-02"
    node = ok(NODE, {"id": b64_id("Relation", key)})["node"]
    assert node["key"] == key and node["type"] == "SIGNED"


@pytest.mark.parametrize(
    ("id_", "message"),
    [
        ("org/nope", "no entity with key 'org/nope'"),
        (b64_id("Organization", "org/nope"), "no entity with key 'org/nope'"),
        ("org/meta|RIVALS|org/nope", "no relation with key 'org/meta|RIVALS|org/nope'"),
        ("org/meta|DEVELOPED|model/fable-5", "no relation with key 'org/meta|DEVELOPED|model/fable-5'"),
    ],
)
def test_node_with_an_unknown_id_is_null_with_not_found_at_node(execute, id_, message):
    data, errors = execute(NODE, {"id": id_})
    assert data == {"node": None}
    assert len(errors) == 1
    assert errors[0]["path"] == ["node"]
    assert errors[0]["extensions"]["code"] == "NOT_FOUND"
    assert errors[0]["message"] == message


def test_node_rejects_a_global_id_whose_type_does_not_match_the_key(execute):
    # "Person:org/meta" names an organization key under the wrong type.
    data, errors = execute(NODE, {"id": b64_id("Person", "org/meta")})
    assert data == {"node": None}
    assert [e["extensions"] for e in errors] == [{"code": "INVALID_ID", "argument": "id"}]


def test_every_seed_entity_id_round_trips_through_node(ok, seed_store):
    keys = sorted(e.key for e in seed_store.entities())
    ids = ok(
        "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on Entity { key } } }",
        {"ids": keys},
    )["nodes"]
    assert [n["key"] for n in ids] == keys
    for node in ids:
        assert node["id"] == b64_id(node["__typename"], node["key"])
    again = ok(
        "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Entity { key } } }",
        {"ids": [n["id"] for n in ids]},
    )["nodes"]
    assert [n["key"] for n in again] == keys


# -- nodes ------------------------------------------------------------------

NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on Entity { key } ... on Relation { key } } }"


def test_nodes_keeps_the_order_given_and_mixes_entities_and_relations(ok):
    ids = [
        "org/xai",
        b64_id("Person", "person/ben-kass"),
        "org/caisi|HOUSED_IN|org/commerce-department",
        "org/anthropic",
        "org/xai",
    ]
    nodes = ok(NODES, {"ids": ids})["nodes"]
    assert [(n["__typename"], n["key"]) for n in nodes] == [
        ("Organization", "org/xai"),
        ("Person", "person/ben-kass"),
        ("Relation", "org/caisi|HOUSED_IN|org/commerce-department"),
        ("Organization", "org/anthropic"),
        ("Organization", "org/xai"),
    ]


def test_nodes_gives_null_and_an_indexed_error_for_each_bad_id(execute):
    data, errors = execute(NODES, {"ids": ["org/meta", "org/nope", "!!garbage", "person/ana-swanson"]})
    nodes = data["nodes"]
    assert [n and n["key"] for n in nodes] == ["org/meta", None, None, "person/ana-swanson"]
    by_path = {tuple(e["path"]): e for e in errors}
    assert set(by_path) == {("nodes", 1), ("nodes", 2)}
    assert by_path["nodes", 1]["extensions"] == {"code": "NOT_FOUND"}
    assert by_path["nodes", 1]["message"] == "no entity with key 'org/nope'"
    assert by_path["nodes", 2]["extensions"] == {"code": "INVALID_ID", "argument": "ids[2]"}


def test_nodes_with_no_ids_is_an_empty_list(ok):
    assert ok(NODES, {"ids": []}) == {"nodes": []}


def test_nodes_accepts_exactly_max_ids(ok):
    nodes = ok(NODES, {"ids": ["org/meta", "org/xai"]}, limits=Limits(max_ids=2))["nodes"]
    assert [n["key"] for n in nodes] == ["org/meta", "org/xai"]


def test_nodes_with_more_than_max_ids_is_bad_user_input(execute):
    data, errors = execute(NODES, {"ids": ["org/meta", "org/xai", "org/nyt"]}, limits=Limits(max_ids=2))
    assert data is None
    assert len(errors) == 1
    assert errors[0]["path"] == ["nodes"]
    assert errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "ids"}
    assert errors[0]["message"] == "ids may list at most 2 ids, got 3"


def test_nodes_default_limit_is_one_hundred_ids(execute):
    _, errors = execute(NODES, {"ids": ["org/meta"] * 101})
    assert [e["extensions"]["code"] for e in errors] == ["BAD_USER_INPUT"]
    data, errors = execute(NODES, {"ids": ["org/meta"] * 100})
    assert errors == [] and len(data["nodes"]) == 100


# -- entity -----------------------------------------------------------------

ENTITY = "query($key: String!) { entity(key: $key) { __typename key name kind } }"


def test_entity_by_key(ok):
    assert ok(ENTITY, {"key": "org/caisi"})["entity"] == {
        "__typename": "Organization",
        "key": "org/caisi",
        "name": "Center for AI Standards and Innovation",
        "kind": "ORGANIZATION",
    }


def test_entity_also_accepts_a_global_id(ok):
    assert ok(ENTITY, {"key": b64_id("AIModel", "model/muse-spark")})["entity"]["name"] == "Muse Spark"


def test_entity_with_an_unknown_key_is_null_with_not_found(execute):
    data, errors = execute(ENTITY, {"key": "person/nobody"})
    assert data == {"entity": None}
    assert [(e["path"], e["extensions"]["code"]) for e in errors] == [(["entity"], "NOT_FOUND")]


def test_entity_with_a_malformed_key_is_invalid_id_naming_key(execute):
    data, errors = execute(ENTITY, {"key": "Meta"})
    assert data == {"entity": None}
    assert [e["extensions"] for e in errors] == [{"code": "INVALID_ID", "argument": "key"}]
    assert errors[0]["message"] == "key: 'Meta' is not a global id or an entity key"
