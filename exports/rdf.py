"""RDF: the graph as JSON-LD, Turtle or N-Triples, built with rdflib.

IRIs
----
Everything is named under :data:`BASE`:

- an entity is ``BASE + "entity/" + key`` (``…/entity/org/meta``);
- a relation is ``BASE + "relation/" + key`` with the key percent-encoded
  (``…/relation/org/anthropic%7CDEVELOPED%7Cmodel/fable-5``);
- a citation is its entity's or relation's IRI + ``/citation/N`` (N from 1);
- our vocabulary (classes, properties, relation types) is ``BASE + "vocab#"``,
  prefix ``og:``.

Terms
-----
schema.org terms are used where they mean the same thing: ``schema:name``,
``schema:description``, ``schema:alternateName`` (aliases),
``schema:headline`` (a document's title), ``schema:url``,
``schema:datePublished``, and the classes ``schema:Organization``,
``schema:Person``, ``schema:SoftwareApplication`` (AI models),
``schema:Legislation`` (orders), ``schema:Event``, ``schema:CreativeWork``
(documents) and ``schema:Question``. Every entity also has its own class
(``og:Organization``, ``og:AIModel``, ``og:Agreement``…) and ``og:key``.
An entity with a Wikidata id is ``owl:sameAs`` its Wikidata item
(``http://www.wikidata.org/entity/Q…``).

Relations and citations
-----------------------
Each relation is a triple whose predicate is its type (``og:DEVELOPED``),
and is also reified as an ``rdf:Statement`` (its relation IRI) carrying
``rdf:subject``/``rdf:predicate``/``rdf:object``, ``og:key``, validity
(``og:validFrom``, ``og:validTo``), qualifiers (``og:role``,
``og:daysAllowed``, ``og:deadline``…), ``og:confidence`` and one
``og:citation`` per citation. A citation (``og:Citation``) has
``og:document``, ``og:paragraph``, ``og:claim``, ``og:confidence``,
``og:attributionKind``, ``og:attributionText``, ``og:sourceCount`` and
``og:speaker``. Reification rather than RDF-star, because every RDF 1.1
tool reads it.

Values
------
Enum values (categories, statuses, confidence, attribution kinds) are
plain literals with the API's names (``"COMPANY"``). Dates are typed
literals of their precision (``xsd:gYear``, ``xsd:gYearMonth``,
``xsd:date``); the parts the sources do not state are listed by
``og:<property>InferredPart`` (``og:validFromInferredPart "year"``).

Output is produced in batches of records, each serialized by rdflib and
written out before the next is built, so a large graph is never held as one
rdflib graph.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from typing import Any
from urllib.parse import quote

from rdflib import OWL, RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from exports.dates import inferred_parts
from exports.snapshot import Snapshot
from graph.dates import DatePrecision, PartialDate
from graph.enums import DescribedEnum, Kind
from graph.model import QUALIFIER_FIELDS, Citation, Entity, Relation
from graph.records import ENTITY_FIELDS

__all__ = [
    "BASE",
    "OG",
    "SCHEMA",
    "WIKIDATA",
    "entity_iri",
    "jsonld_stream",
    "ntriples_stream",
    "relation_iri",
    "turtle_stream",
]

BASE = "https://w3id.org/oversight-graph/"
"""Base of every IRI the export mints; stable across versions of the software."""

OG = Namespace(BASE + "vocab#")
"""Our vocabulary: kinds, relation types, citation and qualifier properties."""

SCHEMA = Namespace("https://schema.org/")
WIKIDATA = Namespace("http://www.wikidata.org/entity/")

PREFIXES = {"og": OG, "schema": SCHEMA, "owl": OWL, "rdf": RDF, "xsd": XSD, "wd": WIKIDATA}
"""Prefixes bound in Turtle and used as the JSON-LD context."""

_CLASSES: dict[Kind, tuple[URIRef, ...]] = {
    Kind.ORGANIZATION: (OG.Organization, SCHEMA.Organization),
    Kind.PERSON: (OG.Person, SCHEMA.Person),
    Kind.AI_MODEL: (OG.AIModel, SCHEMA.SoftwareApplication),
    Kind.ORDER: (OG.Order, SCHEMA.Legislation),
    Kind.INCIDENT: (OG.Incident,),
    Kind.AGREEMENT: (OG.Agreement,),
    Kind.EVENT: (OG.Event, SCHEMA.Event),
    Kind.DOCUMENT: (OG.Document, SCHEMA.CreativeWork),
    Kind.QUESTION: (OG.Question, SCHEMA.Question),
}
"""The classes of each kind: our own, then schema.org's where one fits."""

_SCHEMA_FIELDS = {"title": SCHEMA.headline, "url": SCHEMA.url, "published": SCHEMA.datePublished}
"""Kind-specific fields that have a schema.org property; the others are ``og:<camelCase>``."""

_DATE_TYPES = {DatePrecision.YEAR: XSD.gYear, DatePrecision.MONTH: XSD.gYearMonth, DatePrecision.DAY: XSD.date}

_BATCH = 200
"""Records serialized together: big enough to amortize rdflib's per-call cost, small enough to stream."""


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def entity_iri(key: str) -> URIRef:
    """The IRI of an entity.

    Examples
    --------
    >>> str(entity_iri("org/meta"))
    'https://w3id.org/oversight-graph/entity/org/meta'
    """
    return URIRef(f"{BASE}entity/{quote(key, safe='/')}")


def relation_iri(key: str) -> URIRef:
    """The IRI of a relation (its key percent-encoded).

    Examples
    --------
    >>> str(relation_iri("org/anthropic|DEVELOPED|model/fable-5"))
    'https://w3id.org/oversight-graph/relation/org/anthropic%7CDEVELOPED%7Cmodel/fable-5'
    """
    return URIRef(f"{BASE}relation/{quote(key, safe='/')}")


def _date(graph: Graph, node: URIRef, prop: URIRef, inferred_prop: URIRef, date: PartialDate) -> None:
    graph.add((node, prop, Literal(date.isoformat(), datatype=_DATE_TYPES[date.precision])))
    for part in inferred_parts(date):
        graph.add((node, inferred_prop, Literal(part)))


def _value(graph: Graph, node: URIRef, name: str, prop: URIRef, value: Any) -> None:
    if isinstance(value, PartialDate):
        _date(graph, node, prop, OG[f"{_camel(name)}InferredPart"], value)
    elif isinstance(value, DescribedEnum):
        graph.add((node, prop, Literal(value.name)))
    elif name == "url":
        graph.add((node, prop, URIRef(value)))
    else:
        graph.add((node, prop, Literal(value)))


def _citations(graph: Graph, owner: URIRef, citations: Iterable[Citation]) -> None:
    for number, citation in enumerate(citations, 1):
        node = URIRef(f"{owner}/citation/{number}")
        who = citation.attribution
        graph.add((owner, OG.citation, node))
        graph.add((node, RDF.type, OG.Citation))
        graph.add((node, OG.document, entity_iri(citation.document)))
        graph.add((node, OG.paragraph, Literal(citation.paragraph)))
        graph.add((node, OG.claim, Literal(citation.claim)))
        graph.add((node, OG.confidence, Literal(citation.confidence.name)))
        graph.add((node, OG.attributionKind, Literal(who.kind.name)))
        if who.text:
            graph.add((node, OG.attributionText, Literal(who.text)))
        if who.source_count is not None:
            graph.add((node, OG.sourceCount, Literal(who.source_count)))
        if who.speaker is not None:
            graph.add((node, OG.speaker, entity_iri(who.speaker)))


def add_entity(graph: Graph, entity: Entity) -> None:
    """Add an entity's triples to ``graph``."""
    node = entity_iri(entity.key)
    for cls in _CLASSES[entity.kind]:
        graph.add((node, RDF.type, cls))
    graph.add((node, OG.key, Literal(entity.key)))
    graph.add((node, SCHEMA.name, Literal(entity.name)))
    graph.add((node, SCHEMA.description, Literal(entity.description)))
    for alias in entity.aliases:
        graph.add((node, SCHEMA.alternateName, Literal(alias)))
    if entity.wikidata_id is not None:
        graph.add((node, OWL.sameAs, WIKIDATA[entity.wikidata_id]))
    for name in ENTITY_FIELDS[entity.kind]:
        value = getattr(entity, name)
        if value is not None:
            _value(graph, node, name, _SCHEMA_FIELDS.get(name) or OG[_camel(name)], value)
    for name in entity.inferred:
        graph.add((node, OG.inferredField, Literal(name)))
    _citations(graph, node, entity.citations)


def add_relation(graph: Graph, relation: Relation) -> None:
    """Add a relation's triple and its reified statement with citations to ``graph``."""
    subject, obj, predicate = entity_iri(relation.subject), entity_iri(relation.object), OG[relation.type.name]
    graph.add((subject, predicate, obj))
    node = relation_iri(relation.key)
    graph.add((node, RDF.type, RDF.Statement))
    graph.add((node, RDF.subject, subject))
    graph.add((node, RDF.predicate, predicate))
    graph.add((node, RDF.object, obj))
    graph.add((node, OG.key, Literal(relation.key)))
    graph.add((node, OG.confidence, Literal(relation.confidence.name)))
    if relation.valid_from is not None:
        _date(graph, node, OG.validFrom, OG.validFromInferredPart, relation.valid_from)
    if relation.valid_to is not None:
        _date(graph, node, OG.validTo, OG.validToInferredPart, relation.valid_to)
    for name in QUALIFIER_FIELDS:
        value = getattr(relation.qualifiers, name)
        if value is not None:
            _value(graph, node, name, OG[_camel(name)], value)
    _citations(graph, node, relation.citations)


def _new_graph() -> Graph:
    # A batch is written once and dropped: rdflib's SimpleMemory store keeps
    # fewer indexes than the default one and fills several times faster.
    graph = Graph(store="SimpleMemory", bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def graphs(snapshot: Snapshot, batch: int = _BATCH) -> Iterator[Graph]:
    """The snapshot as a series of small rdflib graphs, entities first, ``batch`` records each."""
    graph, count = _new_graph(), 0
    entities: Iterator[tuple[Callable[[Graph, Any], None], Any]] = ((add_entity, e) for e in snapshot.entities)
    relations: Iterator[tuple[Callable[[Graph, Any], None], Any]] = ((add_relation, r) for r in snapshot.relations)
    for add, record in chain(entities, relations):
        add(graph, record)
        count += 1
        if count == batch:
            yield graph
            graph, count = _new_graph(), 0
    if count:
        yield graph


def ntriples_stream(snapshot: Snapshot) -> Iterator[bytes]:
    """The graph as N-Triples (``application/n-triples``)."""
    for graph in graphs(snapshot):
        yield graph.serialize(format="nt", encoding="utf-8")


def turtle_stream(snapshot: Snapshot) -> Iterator[bytes]:
    """The graph as Turtle (``text/turtle``).

    Each batch is a Turtle document with its own prefix lines; Turtle
    allows a prefix to be declared again, so their concatenation is one
    valid document.
    """
    for graph in graphs(snapshot):
        yield graph.serialize(format="turtle", encoding="utf-8")


_CONTEXT = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}


def jsonld_stream(snapshot: Snapshot) -> Iterator[bytes]:
    """The graph as one JSON-LD document (``application/ld+json``): a context and an ``@graph`` of nodes."""
    yield b'{"@context": ' + json.dumps(_CONTEXT).encode("utf-8") + b', "@graph": [\n'
    first = True
    for graph in graphs(snapshot):
        compacted = json.loads(graph.serialize(format="json-ld", context=_CONTEXT, auto_compact=True))
        nodes = compacted.get("@graph", None)
        if nodes is None:
            compacted.pop("@context", None)
            nodes = [compacted]
        for node in nodes:
            yield (b"" if first else b",\n") + json.dumps(node, ensure_ascii=False).encode("utf-8")
            first = False
    yield b"\n]}\n"


def triples_of(snapshot: Snapshot) -> Iterator[tuple[Node, Node, Node]]:
    """Every triple of the export, batch by batch (for tests and tools)."""
    for graph in graphs(snapshot):
        yield from graph
