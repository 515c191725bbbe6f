"""The four queries of the comparison, as each server spells them, and their argument pools.

Each query is asked of Oversight Graph in its own schema and of
PostGraphile in the schema it generates from ``schema.sql``; the two
documents select the same values. :func:`normal` turns either server's
answer into one shape, so that a sample can be compared before timing.

Arguments come from pools drawn once per dataset with ``random.Random(42)``
(entities for lookups and neighbourhoods, name words for search, page
positions for the list); the load generator picks from a pool at random
for every request, the same pool on both sides, so no cache keyed on a
whole response can answer most requests.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from oversight_graph.graph import queries as graph_queries
from oversight_graph.graph.enums import Kind
from oversight_graph.graph.store import GraphStore
from oversight_graph.graph.text import fold

__all__ = ["QUERIES", "Query", "normal", "pools"]


@dataclass(frozen=True)
class Query:
    """One query of the comparison: both servers' documents and the name of its argument."""

    name: str
    title: str
    oversight: str
    peer: str
    argument: str  # the variable both documents take


LOOKUP = Query(
    "lookup",
    "lookup: one entity, its first 10 relations with citations",
    """query Lookup($key: String!) {
  entity(key: $key) {
    key name kind description
    relations(first: 10) { edges { node {
      key type subject { key } object { key }
      citations { paragraph claim confidence attribution { kind text sourceCount } document { key name } }
    } } }
  }
}""",
    """query Lookup($key: String!) {
  entityByKey(key: $key) {
    key name kind description
    relations(first: 10) { nodes {
      key type subject object
      citationsByRelationKey(orderBy: POSITION_ASC) { nodes {
        paragraph claim confidence attributionKind attributionText sourceCount entityByDocument { key name }
      } }
    } }
  }
}""",
    "key",
)

LIST = Query(
    "list",
    "list page: 100 entities × 10 relations",
    """query List($after: String) {
  organizations(first: 100, after: $after) {
    edges { node { key name relations(first: 10) { edges { node { key type citations { claim } } } } } }
    pageInfo { endCursor }
  }
}""",
    """query List($after: Cursor) {
  allEntities(condition: {kind: "ORGANIZATION"}, orderBy: [SORT_NAME_ASC, KEY_ASC], first: 100, after: $after) {
    nodes { key name relations(first: 10) { nodes { key type citationsByRelationKey(orderBy: POSITION_ASC) { nodes { claim } } } } }
    pageInfo { endCursor }
  }
}""",
    "after",
)

SEARCH = Query(
    "search",
    "search: name contains a word, first 10",
    """query Search($text: String!) { search(text: $text, first: 10) { score matched entity { key name kind } } }""",
    """query Search($text: String!) { searchEntities(q: $text, first: 10) { nodes { key score matched name kind } } }""",
    "text",
)

NEIGHBORHOOD = Query(
    "neighborhood",
    "2-hop neighbourhood, at most 500 entities",
    """query Around($key: ID!) {
  neighborhood(id: $key, depth: 2) { truncated entities { key name kind } relations { key type } }
}""",
    """query Around($key: String!) {
  neighborhood(center: $key, depth: 2, cap: 500) { truncated entities { key name kind } relations { key type } }
}""",
    "key",
)

QUERIES = (LOOKUP, LIST, SEARCH, NEIGHBORHOOD)

_ORGANIZATION_PAGE = 100


def pools(store: GraphStore, size: int, seed: int = 42) -> dict[str, list[Any]]:
    """The argument pools of the lookup, search and neighbourhood queries (the list's are pages, see :func:`pages`).

    Search words are words of names, four letters or more, that find at
    least ten entities without falling back to near spellings, so both
    servers answer ten exact hits.
    """
    rng = random.Random(seed)
    keys = sorted(e.key for e in store.entities())
    entity_pool = rng.sample(keys, min(size, len(keys)))
    words = sorted(
        {w for key in rng.sample(keys, min(len(keys), 4 * size)) for w in fold(store.entity(key).name).split()}
    )
    rng.shuffle(words)
    search_pool: list[str] = []
    for word in words:
        if len(word) < 4 or not word.isalpha():
            continue
        hits = graph_queries.search(store, word, limit=10)
        if len(hits) == 10 and not any(h.fuzzy for h in hits):
            search_pool.append(word)
        if len(search_pool) >= size:
            break
    neighborhood_pool = rng.sample(keys, min(size, len(keys)))
    return {"lookup": entity_pool, "search": search_pool, "neighborhood": neighborhood_pool}


def organization_pages(store: GraphStore, most: int) -> int:
    """How many list pages the pool covers: every page of organizations, at most ``most``."""
    count = store.count(Kind.ORGANIZATION)
    return min(most, -(-count // _ORGANIZATION_PAGE))


def _citation(c: dict[str, Any], peer: bool) -> tuple[Any, ...]:
    if peer:
        doc = c["entityByDocument"]
        return (
            c["paragraph"], c["claim"], c["confidence"], c["attributionKind"], c["attributionText"],
            c["sourceCount"], doc["key"], doc["name"],
        )  # fmt: skip
    a, doc = c["attribution"], c["document"]
    return c["paragraph"], c["claim"], c["confidence"], a["kind"], a["text"], a["sourceCount"], doc["key"], doc["name"]


def _lookup(data: dict[str, Any], peer: bool) -> Any:
    e = data["entityByKey" if peer else "entity"]
    if e is None:
        return None
    relations = []
    for r in e["relations"]["nodes"] if peer else [edge["node"] for edge in e["relations"]["edges"]]:
        citations = r["citationsByRelationKey"]["nodes"] if peer else r["citations"]
        subject = r["subject"] if peer else r["subject"]["key"]
        obj = r["object"] if peer else r["object"]["key"]
        relations.append((r["key"], r["type"], subject, obj, [_citation(c, peer) for c in citations]))
    return (e["key"], e["name"], e["kind"], e["description"], relations)


def _list(data: dict[str, Any], peer: bool) -> Any:
    if peer:
        nodes = data["allEntities"]["nodes"]
        return [
            (n["key"], n["name"], [(r["key"], r["type"], [c["claim"] for c in r["citationsByRelationKey"]["nodes"]])
                                   for r in n["relations"]["nodes"]])
            for n in nodes
        ]  # fmt: skip
    nodes = [edge["node"] for edge in data["organizations"]["edges"]]
    return [
        (n["key"], n["name"], [(r["key"], r["type"], [c["claim"] for c in r["citations"]])
                               for r in (edge["node"] for edge in n["relations"]["edges"])])
        for n in nodes
    ]  # fmt: skip


def _search(data: dict[str, Any], peer: bool) -> Any:
    if peer:
        return [
            (h["key"], round(h["score"], 4), h["matched"], h["name"], h["kind"])
            for h in data["searchEntities"]["nodes"]
        ]
    return [
        (h["entity"]["key"], round(h["score"], 4), h["matched"], h["entity"]["name"], h["entity"]["kind"])
        for h in data["search"]
    ]


def _neighborhood(data: dict[str, Any], peer: bool) -> Any:
    n = data["neighborhood"]
    if n is None:
        return None
    return (
        n["truncated"],
        [(e["key"], e["name"], e["kind"]) for e in n["entities"]],
        [(r["key"], r["type"]) for r in n["relations"]],
    )


_NORMALIZERS: dict[str, Callable[[dict[str, Any], bool], Any]] = {
    "lookup": _lookup,
    "list": _list,
    "search": _search,
    "neighborhood": _neighborhood,
}


def normal(query: str, response: dict[str, Any], peer: bool) -> Any:
    """A server's answer to ``query`` in the shape both servers' answers share.

    Raises
    ------
    ValueError
        If the response carries errors or no data.
    """
    if response.get("errors") or not response.get("data"):
        raise ValueError(f"{'PostGraphile' if peer else 'Oversight Graph'} answered {query} with {response}")
    return _NORMALIZERS[query](response["data"], peer)
