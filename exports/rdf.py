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
``og:attributionKind``, ``og:attributionText``, ``og:sourceCount``,
``og:speaker`` and, on an entity's citation, ``og:supports`` per field it
supports. Reification rather than RDF-star, because every RDF 1.1 tool
reads it.

Values
------
Enum values (categories, statuses, confidence, attribution kinds) are
plain literals with the API's names (``"COMPANY"``). Dates are typed
literals of their precision (``xsd:gYear``, ``xsd:gYearMonth``,
``xsd:date``); the parts the sources do not state are listed by
``og:<property>InferredPart`` (``og:validFromInferredPart "year"``).

Each record's triples are made of rdflib terms and written out record by
record, in pieces of :data:`_BATCH` records: N-Triples lines by rdflib's
row writer, Turtle terms by rdflib's ``n3`` (escaping, prefixed names),
JSON-LD node objects compacted with the context's prefixes. No rdflib
graph of the whole export is ever built, which would take minutes and
gigabytes at 10k entities; the tests parse every output back with rdflib
and compare the triples.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any, cast
from urllib.parse import quote

from rdflib import OWL, RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import NamespaceManager
from rdflib.plugins.serializers.nt import _nt_row
from rdflib.term import Node

from oversight_graph.exports.dates import inferred_parts
from oversight_graph.exports.snapshot import Snapshot
from oversight_graph.graph.dates import DatePrecision, PartialDate
from oversight_graph.graph.enums import DescribedEnum, Kind
from oversight_graph.graph.model import QUALIFIER_FIELDS, Citation, Entity, Relation
from oversight_graph.graph.records import ENTITY_FIELDS

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
"""Records written out together: the size of the pieces a stream is sent in."""

Triple = tuple[Node, Node, Node]


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


def _date(graph: list[Triple], node: URIRef, prop: URIRef, inferred_prop: URIRef, date: PartialDate) -> None:
    graph.append((node, prop, Literal(date.isoformat(), datatype=_DATE_TYPES[date.precision])))
    for part in inferred_parts(date):
        graph.append((node, inferred_prop, Literal(part)))


def _value(graph: list[Triple], node: URIRef, name: str, prop: URIRef, value: Any) -> None:
    if isinstance(value, PartialDate):
        _date(graph, node, prop, OG[f"{_camel(name)}InferredPart"], value)
    elif isinstance(value, DescribedEnum):
        graph.append((node, prop, Literal(value.name)))
    elif name == "url":
        graph.append((node, prop, URIRef(value)))
    else:
        graph.append((node, prop, Literal(value)))


def _citations(graph: list[Triple], owner: URIRef, citations: Iterable[Citation]) -> None:
    for number, citation in enumerate(citations, 1):
        node = URIRef(f"{owner}/citation/{number}")
        who = citation.attribution
        graph.append((owner, OG.citation, node))
        graph.append((node, RDF.type, OG.Citation))
        graph.append((node, OG.document, entity_iri(citation.document)))
        graph.append((node, OG.paragraph, Literal(citation.paragraph)))
        graph.append((node, OG.claim, Literal(citation.claim)))
        graph.append((node, OG.confidence, Literal(citation.confidence.name)))
        graph.append((node, OG.attributionKind, Literal(who.kind.name)))
        if who.text:
            graph.append((node, OG.attributionText, Literal(who.text)))
        if who.source_count is not None:
            graph.append((node, OG.sourceCount, Literal(who.source_count)))
        if who.speaker is not None:
            graph.append((node, OG.speaker, entity_iri(who.speaker)))
        for name in citation.supports:
            graph.append((node, OG.supports, Literal(name)))


def entity_triples(entity: Entity) -> list[Triple]:
    """An entity's triples, its citations' included, grouped by subject."""
    graph: list[Triple] = []
    node = entity_iri(entity.key)
    for cls in _CLASSES[entity.kind]:
        graph.append((node, RDF.type, cls))
    graph.append((node, OG.key, Literal(entity.key)))
    graph.append((node, SCHEMA.name, Literal(entity.name)))
    graph.append((node, SCHEMA.description, Literal(entity.description)))
    for alias in entity.aliases:
        graph.append((node, SCHEMA.alternateName, Literal(alias)))
    if entity.wikidata_id is not None:
        graph.append((node, OWL.sameAs, WIKIDATA[entity.wikidata_id]))
    for name in ENTITY_FIELDS[entity.kind]:
        value = getattr(entity, name)
        if value is not None:
            _value(graph, node, name, _SCHEMA_FIELDS.get(name) or OG[_camel(name)], value)
    for name in entity.inferred:
        graph.append((node, OG.inferredField, Literal(name)))
    _citations(graph, node, entity.citations)
    return graph


def relation_triples(relation: Relation) -> list[Triple]:
    """A relation's triple and its reified statement with citations, grouped by subject."""
    graph: list[Triple] = []
    subject, obj, predicate = entity_iri(relation.subject), entity_iri(relation.object), OG[relation.type.name]
    graph.append((subject, predicate, obj))
    node = relation_iri(relation.key)
    graph.append((node, RDF.type, RDF.Statement))
    graph.append((node, RDF.subject, subject))
    graph.append((node, RDF.predicate, predicate))
    graph.append((node, RDF.object, obj))
    graph.append((node, OG.key, Literal(relation.key)))
    graph.append((node, OG.confidence, Literal(relation.confidence.name)))
    if relation.valid_from is not None:
        _date(graph, node, OG.validFrom, OG.validFromInferredPart, relation.valid_from)
    if relation.valid_to is not None:
        _date(graph, node, OG.validTo, OG.validToInferredPart, relation.valid_to)
    for name in QUALIFIER_FIELDS:
        value = getattr(relation.qualifiers, name)
        if value is not None:
            _value(graph, node, name, OG[_camel(name)], value)
    _citations(graph, node, relation.citations)
    return graph


def _records(snapshot: Snapshot) -> Iterator[list[Triple]]:
    for entity in snapshot.entities:
        yield entity_triples(entity)
    for relation in snapshot.relations:
        yield relation_triples(relation)


def triples_of(snapshot: Snapshot) -> Iterator[Triple]:
    """Every triple of the export, record by record."""
    for triples in _records(snapshot):
        yield from triples


def _grouped(triples: list[Triple]) -> dict[Node, list[tuple[Node, Node]]]:
    by_subject: dict[Node, list[tuple[Node, Node]]] = {}
    for subject, predicate, obj in triples:
        by_subject.setdefault(subject, []).append((predicate, obj))
    return by_subject


def _batches(snapshot: Snapshot, write: Callable[[list[Triple]], str]) -> Iterator[bytes]:
    parts: list[str] = []
    for count, triples in enumerate(_records(snapshot), 1):
        parts.append(write(triples))
        if count % _BATCH == 0:
            yield "".join(parts).encode("utf-8")
            parts.clear()
    if parts:
        yield "".join(parts).encode("utf-8")


def ntriples_stream(snapshot: Snapshot) -> Iterator[bytes]:
    """The graph as N-Triples (``application/n-triples``), each line written by rdflib's N-Triples row writer."""
    return _batches(snapshot, lambda triples: "".join(map(_nt_row, triples)))


class _Prefixes:
    """Prefixed names for the vocabulary IRIs, worked out once each.

    rdflib's ``n3`` asks its namespace manager to shorten every IRI it
    writes; the manager records each IRI it is asked about, which at a
    large graph's millions of entity IRIs costs minutes and memory. This
    stand-in asks it only about the vocabularies' few IRIs (remembering
    the answers) and writes any other IRI in full.
    """

    def __init__(self) -> None:
        self._manager = NamespaceManager(Graph(bind_namespaces="none"), bind_namespaces="none")
        for prefix, namespace in PREFIXES.items():
            self._manager.bind(prefix, namespace)
        self._known: dict[str, str] = {}

    def normalizeUri(self, iri: str) -> str:
        """The prefixed name of a vocabulary IRI, or the IRI in angle brackets."""
        found = self._known.get(iri)
        if found is None:
            if not iri.startswith(_VOCABULARIES):
                return f"<{iri}>"
            found = self._known[iri] = self._manager.normalizeUri(iri)
        return found

    def term(self, node: Node) -> str:
        """``node`` as Turtle."""
        return node.n3(cast(NamespaceManager, self))


_VOCABULARIES = tuple(str(n) for p, n in PREFIXES.items() if p != "wd")


def turtle_stream(snapshot: Snapshot) -> Iterator[bytes]:
    """The graph as Turtle (``text/turtle``): the prefixes, then one block per subject.

    Every term is written by rdflib (``n3``, which escapes literals and
    shortens IRIs to prefixed names where Turtle allows); the blocks are
    ``subject predicate object ; ... .`` with ``a`` for ``rdf:type``.
    """
    names = _Prefixes()
    yield "".join(f"@prefix {p}: <{n}> .\n" for p, n in PREFIXES.items()).encode("utf-8") + b"\n"

    def block(triples: list[Triple]) -> str:
        lines = []
        for subject, pairs in _grouped(triples).items():
            body = " ;\n    ".join(f"{'a' if p == RDF.type else names.term(p)} {names.term(o)}" for p, o in pairs)
            lines.append(f"{names.term(subject)}\n    {body} .\n\n")
        return "".join(lines)

    yield from _batches(snapshot, block)


_CONTEXT = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
_NATIVE = {XSD.integer, XSD.boolean}


def _jsonld_value(obj: Node, names: _Prefixes) -> Any:
    if isinstance(obj, URIRef):
        return {"@id": str(obj)}
    assert isinstance(obj, Literal)
    if obj.datatype is None and obj.language is None:
        return str(obj)
    if obj.datatype in _NATIVE:
        return obj.toPython()
    return {"@value": str(obj), "@type": names.normalizeUri(str(obj.datatype))}


def jsonld_stream(snapshot: Snapshot) -> Iterator[bytes]:
    """The graph as one JSON-LD document (``application/ld+json``): a context and an ``@graph`` of node objects.

    Node objects are compacted with the context's prefixes (``og:key``,
    ``schema:name``); integers and booleans are JSON numbers and booleans,
    dates typed values (``{"@value": "2026", "@type": "xsd:gYear"}``).
    """
    names = _Prefixes()
    yield b'{"@context": ' + json.dumps(_CONTEXT).encode("utf-8") + b', "@graph": [\n'
    first = True

    def nodes(triples: list[Triple]) -> str:
        nonlocal first
        out = []
        for subject, pairs in _grouped(triples).items():
            node: dict[str, Any] = {"@id": str(subject)}
            for predicate, obj in pairs:
                if predicate == RDF.type:
                    node.setdefault("@type", []).append(names.normalizeUri(str(obj)))
                    continue
                node.setdefault(names.normalizeUri(str(predicate)), []).append(_jsonld_value(obj, names))
            out.append(("" if first else ",\n") + json.dumps(node, ensure_ascii=False))
            first = False
        return "".join(out)

    yield from _batches(snapshot, nodes)
    yield b"\n]}\n"
