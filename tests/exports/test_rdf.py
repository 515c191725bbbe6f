"""RDF: every serialization parses back with rdflib to the same triples, which state the graph's facts."""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, XSD, Graph, Literal, URIRef

from oversight_graph.exports import FORMATS, Snapshot
from oversight_graph.exports.rdf import OG, SCHEMA, WIKIDATA, entity_iri, relation_iri, triples_of

PARSERS = {"ntriples": "nt", "turtle": "turtle", "jsonld": "json-ld"}


def parsed(snapshot: Snapshot, name: str) -> Graph:
    graph = Graph()
    graph.parse(data=b"".join(FORMATS[name].stream(snapshot)), format=PARSERS[name])
    return graph


@pytest.fixture(scope="module")
def seed_graphs(seed_snapshot):
    return {name: parsed(seed_snapshot, name) for name in PARSERS}


@pytest.mark.parametrize("name", list(PARSERS))
def test_each_serialization_parses_back_to_every_triple(seed_snapshot, seed_graphs, name):
    expected = set(triples_of(seed_snapshot))
    assert set(seed_graphs[name]) == expected


def test_counts_match_the_graph(seed_snapshot, seed_store, seed_graphs):
    graph = seed_graphs["ntriples"]
    entities = set(graph.subjects(OG.key, None)) - set(graph.subjects(RDF.type, RDF.Statement))
    assert len(entities) == len(seed_store)
    assert len(set(graph.subjects(RDF.type, RDF.Statement))) == seed_store.relation_count
    citations = sum(len(e.citations) for e in seed_store.entities()) + sum(
        len(r.citations) for r in seed_store.relations()
    )
    assert len(set(graph.subjects(RDF.type, OG.Citation))) == citations


def test_entities_use_schema_org_and_link_to_wikidata(seed_store, seed_graphs):
    graph = seed_graphs["turtle"]
    meta = entity_iri("org/meta")
    assert (meta, RDF.type, SCHEMA.Organization) in graph
    assert (meta, SCHEMA.name, Literal("Meta")) in graph
    assert (meta, OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q380")) in graph
    with_wikidata = [e for e in seed_store.entities() if e.wikidata_id]
    assert len(set(graph.objects(None, OWL.sameAs))) == len({e.wikidata_id for e in with_wikidata})
    assert all(str(o).startswith(str(WIKIDATA)) for o in graph.objects(None, OWL.sameAs))
    assert (entity_iri("person/howard-lutnick"), RDF.type, SCHEMA.Person) in graph


def test_relations_are_triples_and_reified_statements_with_citations(seed_store, seed_graphs):
    graph = seed_graphs["jsonld"]
    signed = seed_store.relation("person/donald-trump|SIGNED|order/ai-model-review-order|2026-06-02")
    subject, obj = entity_iri(signed.subject), entity_iri(signed.object)
    assert (subject, OG.SIGNED, obj) in graph
    node = relation_iri(signed.key)
    assert (node, RDF.subject, subject) in graph and (node, RDF.predicate, OG.SIGNED) in graph
    assert (node, RDF.object, obj) in graph
    assert (node, OG.validFrom, Literal("2026-06-02", datatype=XSD.date)) in graph
    assert (node, OG.validFromInferredPart, Literal("year")) in graph
    cited = list(graph.objects(node, OG.citation))
    assert len(cited) == len(signed.citations)
    paragraphs = {int(graph.value(c, OG.paragraph)) for c in cited}
    assert paragraphs == {c.paragraph for c in signed.citations}
    assert all(graph.value(c, OG.document) == entity_iri(signed.citations[0].document) for c in cited)


def test_qualifiers_and_partial_dates_are_typed(seed_store, seed_graphs):
    graph = seed_graphs["ntriples"]
    window = next(r for r in seed_store.relations() if r.qualifiers.days_allowed is not None)
    assert (relation_iri(window.key), OG.daysAllowed, Literal(window.qualifiers.days_allowed)) in graph
    deadline = next(r for r in seed_store.relations() if r.qualifiers.deadline is not None)
    value = graph.value(relation_iri(deadline.key), OG.deadline)
    assert value.datatype == XSD.gYearMonth and str(value) == deadline.qualifiers.deadline.isoformat()


@pytest.mark.parametrize("name", list(PARSERS))
def test_the_generated_graph_parses_back_to_every_triple(generated_store, name):
    # Every relation type, qualifier, attribution and date precision occurs in it.
    snapshot = Snapshot.of(generated_store)
    graph = parsed(snapshot, name)
    assert len(set(graph.subjects(RDF.type, RDF.Statement))) == generated_store.relation_count
    assert set(graph) == set(triples_of(snapshot))


def test_what_an_entitys_citation_supports_is_stated(seed_store, seed_graphs):
    graph = seed_graphs["turtle"]
    stated = {
        (str(entity_iri(e.key)) + f"/citation/{n}", name)
        for e in seed_store.entities()
        for n, c in enumerate(e.citations, 1)
        for name in c.supports
    }
    assert stated, "the seed's entity citations support some fields"
    assert {(str(s), str(o)) for s, o in graph.subject_objects(OG.supports)} == stated
