"""The fixed query mix, each query with its direct equivalent.

Every entry pairs a GraphQL request with a function that does the same
work by calling :mod:`graph` directly and serializing a result of the same
shape (same fields, same nesting) with orjson. The ratio of the two is what
the GraphQL layer costs on top of the graph work itself.

The mix is built from a generated dataset's ``summary.json`` (sample keys,
the hub, search terms) plus a pair of entities a few relations apart, found
once on the loaded graph.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from oversight_graph.graph import listing, paths, queries, timeline
from oversight_graph.graph.enums import Kind
from oversight_graph.graph.model import Citation, Entity
from oversight_graph.graph.pages import paginate
from oversight_graph.graph.store import GraphStore
from oversight_graph.schema.ids import TYPE_NAMES, global_id

__all__ = ["TYPENAME", "MixQuery", "build_mix", "distant_pair"]

TYPENAME = "{ __typename }"


@dataclass(frozen=True)
class MixQuery:
    """One query of the mix."""

    name: str
    query: str
    variables: dict[str, Any]
    direct: Callable[[GraphStore], bytes]

    def body(self) -> bytes:
        """The JSON body of the HTTP request."""
        return orjson.dumps({"query": self.query, "variables": self.variables})


def _date(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    return {"iso": value.isoformat(), "inferredParts": sorted(p.name for p in value.inferred)}


def _citation(c: Citation) -> dict[str, Any]:
    return {
        "paragraph": c.paragraph,
        "claim": c.claim,
        "confidence": c.confidence.name,
        "attribution": {
            "kind": c.attribution.kind.name,
            "text": c.attribution.text,
            "sourceCount": c.attribution.source_count,
        },
        "document": {"key": c.document},
    }


def _entity_head(e: Entity) -> dict[str, Any]:
    return {"key": e.key, "name": e.name, "kind": e.kind.name}


def distant_pair(store: GraphStore, start: str, distance: int = 6, width: int = 2000) -> tuple[str, str]:
    """``start`` and an entity about ``distance`` relations away (the first in key order).

    A breadth-first walk that keeps at most ``width`` entities per ring (the
    first in key order), so it stays quick on a million-entity graph; the
    entity found may be a little closer than ``distance`` by a pruned way.
    """
    seen = {start}
    ring = [start]
    for _ in range(distance):
        following = []
        for key in ring:
            for rel in store.relations_of(key):
                other = rel.other(key)
                if other not in seen:
                    seen.add(other)
                    following.append(other)
        if not following:
            break
        ring = sorted(following)[:width]
    return start, ring[0]


LOOKUP = (
    """query Lookup($id: ID!) { node(id: $id) { id ... on Entity { key name kind description aliases wikidataId } } }"""
)
SEARCH = (
    """query Search($text: String!) { search(text: $text, first: 10) { score matched entity { key name kind } } }"""
)
RELATIONS = """query Relations($key: String!) {
  entity(key: $key) {
    relations(first: 50) {
      totalCount
      edges { direction node { key type validFrom { iso inferredParts }
        citations { paragraph claim confidence attribution { kind text sourceCount } document { key } } } }
    }
  }
}"""
WITHOUT = """{ companiesWithoutAgreement { key name } }"""
PATH = """query Path($from: ID!, $to: ID!) {
  path(from: $from, to: $to, maxLength: 8) { length entities { key name kind } relations { key type citations { paragraph claim } } }
}"""
NEIGHBORHOOD = """query Around($id: ID!) {
  neighborhood(id: $id, depth: 2) { truncated entities { key name kind } relations { key type } }
}"""
TIMELINE = (
    """{ timeline(first: 50) { date { iso inferredParts } boundary summary entity { key } citations { paragraph } } }"""
)
LIST_PAGE = """{
  organizations(first: 100) {
    edges { node { key name relations(first: 10) { edges { node { key type citations { claim } } } } } }
  }
}"""


def build_mix(store: GraphStore, summary: dict[str, Any]) -> list[MixQuery]:
    """The query mix for a dataset; see the module docstring."""
    sample = summary["sample_keys"]
    lookup_key = sample["organization"]
    search_text = summary["search_terms"][0]
    hub = summary["hub"]
    relations_key = summary["major_developers"][0]
    source, target = distant_pair(store, sample["model"])

    def lookup(s: GraphStore) -> bytes:
        e = queries.get_entity(s, lookup_key)
        node = {
            "id": global_id(TYPE_NAMES[e.kind], e.key),
            "key": e.key,
            "name": e.name,
            "kind": e.kind.name,
            "description": e.description,
            "aliases": list(e.aliases),
            "wikidataId": e.wikidata_id,
        }
        return orjson.dumps({"data": {"node": node}})

    def search(s: GraphStore) -> bytes:
        hits = [
            {"score": h.score, "matched": h.matched, "entity": _entity_head(h.entity)}
            for h in queries.search(s, search_text, limit=10)
        ]
        return orjson.dumps({"data": {"search": hits}})

    def relations_page(s: GraphStore) -> bytes:
        found = queries.relations(s, relations_key)
        page = paginate(found, 50, key=lambda r: (r.key,))
        edges = [
            {
                "direction": "OUTGOING" if r.subject == relations_key else "INCOMING",
                "node": {
                    "key": r.key,
                    "type": r.type.name,
                    "validFrom": _date(r.valid_from),
                    "citations": [_citation(c) for c in r.citations],
                },
            }
            for r in page.items
        ]
        return orjson.dumps({"data": {"entity": {"relations": {"totalCount": page.total, "edges": edges}}}})

    def without(s: GraphStore) -> bytes:
        found = [{"key": o.key, "name": o.name} for o in queries.companies_without_agreement(s)]
        return orjson.dumps({"data": {"companiesWithoutAgreement": found}})

    def path(s: GraphStore) -> bytes:
        found = paths.shortest_path(s, source, target, 8)
        if found is None:
            return orjson.dumps({"data": {"path": None}})
        rels = [
            {
                "key": r.key,
                "type": r.type.name,
                "citations": [{"paragraph": c.paragraph, "claim": c.claim} for c in r.citations],
            }
            for r in found.relations
        ]
        return orjson.dumps(
            {
                "data": {
                    "path": {
                        "length": found.length,
                        "entities": [_entity_head(e) for e in found.entities],
                        "relations": rels,
                    }
                }
            }
        )

    def neighborhood(s: GraphStore) -> bytes:
        sub = paths.neighborhood(s, hub, 2, limit=500)
        body = {
            "truncated": sub.truncated,
            "entities": [_entity_head(e) for e in sub.entities],
            "relations": [{"key": r.key, "type": r.type.name} for r in sub.relations],
        }
        return orjson.dumps({"data": {"neighborhood": body}})

    def timeline_page(s: GraphStore) -> bytes:
        entries = timeline.timeline(s, limit=50)
        rows = [
            {
                "date": _date(e.date),
                "boundary": e.boundary.name,
                "summary": e.summary,
                "entity": {"key": e.entity.key},
                "citations": [{"paragraph": c.paragraph} for c in e.citations],
            }
            for e in entries
        ]
        return orjson.dumps({"data": {"timeline": rows}})

    def list_page(s: GraphStore) -> bytes:
        orgs = paginate(listing.list_entities(s, Kind.ORGANIZATION), 100, key=listing.EntityOrder.NAME.sort_key).items
        edges = []
        for org in orgs:
            rels = paginate(queries.relations(s, org.key), 10, key=lambda r: (r.key,)).items
            inner = [
                {"node": {"key": r.key, "type": r.type.name, "citations": [{"claim": c.claim} for c in r.citations]}}
                for r in rels
            ]
            edges.append({"node": {"key": org.key, "name": org.name, "relations": {"edges": inner}}})
        return orjson.dumps({"data": {"organizations": {"edges": edges}}})

    return [
        MixQuery("lookup", LOOKUP, {"id": lookup_key}, lookup),
        MixQuery("search", SEARCH, {"text": search_text}, search),
        MixQuery("relations page", RELATIONS, {"key": relations_key}, relations_page),
        MixQuery("companiesWithoutAgreement", WITHOUT, {}, without),
        MixQuery("path", PATH, {"from": source, "to": target}, path),
        MixQuery("neighborhood d2 hub", NEIGHBORHOOD, {"id": hub}, neighborhood),
        MixQuery("timeline page", TIMELINE, {}, timeline_page),
        MixQuery("list page 100x10", LIST_PAGE, {}, list_page),
    ]


def same_data(graphql_body: bytes, direct_body: bytes) -> bool:
    """Whether the GraphQL response carries the same data as the direct one."""
    return bool(orjson.loads(graphql_body) == orjson.loads(direct_body))
