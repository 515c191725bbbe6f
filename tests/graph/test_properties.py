"""Property tests of the graph layer on random but valid graphs.

A graph is drawn as raw records, the way seed files hold them: up to 40
entities of every kind (with the sample document that citations point
into), then up to 120 relations whose subject and object have kinds the
relation type allows, with no self-loops, no two relations with the same
key (subject, type, object, valid_from), optional validity dates with
``valid_to`` not before ``valid_from``, random qualifiers and citation
confidences, plus a few restatements of a relation that the loader must
merge. Records are shuffled and built with :func:`graph.load.build_store`,
so every example also passes validation.

The answers of the graph layer are then compared with networkx or with a
brute-force reading of the records. Runs are derandomized and use no
example database, so CI sees the same examples on every run.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from oversight_graph.graph import listing, queries
from oversight_graph.graph.checks import FACT_FIELDS
from oversight_graph.graph.dates import PartialDate
from oversight_graph.graph.enums import (
    AgreementStatus,
    Confidence,
    Direction,
    EventKind,
    IncidentKind,
    Kind,
    OrgCategory,
    QuestionStatus,
)
from oversight_graph.graph.listing import EntityFilter, EntityOrder
from oversight_graph.graph.load import RawRecord, build_store
from oversight_graph.graph.model import Qualifiers, Relation
from oversight_graph.graph.pages import paginate
from oversight_graph.graph.paths import neighborhood, shortest_path
from oversight_graph.graph.queries import holds_at, search, stats
from oversight_graph.graph.sample import SAMPLE_DOCUMENT, cite, entity_record, relation_record
from oversight_graph.graph.store import GraphStore
from oversight_graph.graph.text import fold
from oversight_graph.graph.timeline import Boundary, TimelineEntry, timeline
from oversight_graph.graph.vocabulary import RelationType

# -- settings -------------------------------------------------------------------------
# Deterministic in CI: the same examples on every run, nothing read from or
# written to an example database.
GRAPHS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TEXTS = settings(max_examples=400, deadline=None, derandomize=True, database=None)

MAX_ENTITIES = 40  # including the sample document
MAX_RELATIONS = 120
PARAGRAPHS = 9  # paragraphs of the sample document

# -- strategies -----------------------------------------------------------------------
# Every strategy a graph is drawn from is built once, here: building strategies
# inside the draw (a sampled_from per relation) costs more than the tests.
DATE_FIELD = {
    Kind.AI_MODEL: "release_date",
    Kind.ORDER: "date_signed",
    Kind.INCIDENT: "occurred",
    Kind.AGREEMENT: "date_signed",
    Kind.EVENT: "occurred",
    Kind.DOCUMENT: "published",
}
"""The seed field holding each dated kind's own date."""

REQUIRED_ENUM = {
    Kind.ORGANIZATION: ("category", OrgCategory),
    Kind.INCIDENT: ("incident_kind", IncidentKind),
    Kind.AGREEMENT: ("status", AgreementStatus),
    Kind.EVENT: ("event_kind", EventKind),
    Kind.QUESTION: ("status", QuestionStatus),
}

WORDS = ["Meta", "OpenAI", "Center", "for", "AI", "A.I.", "Standards", "Lab", "Müller", "Café", "review", "x", "東京"]
PRECISIONS = ("year", "month", "day")
ANY_INDEX = st.integers(0, 2**16)  # taken modulo the length of a list known only while drawing

# A graph is a few hundred draws; most parts of a record are decoded from one
# drawn number each (a date, the citations, the qualifiers), which keeps data
# generation fast. Zero, where hypothesis shrinks to, decodes to the plainest value.
names = st.one_of(
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join),
    st.text(min_size=1, max_size=12).filter(lambda s: s.strip() != ""),
)


def slug(number: int, position: int) -> str:
    """A small slug, unique by ``position``; it cannot spell "sample" (the sample document)."""
    first, tail = divmod(number, 8)
    return f"{'abcd0123'[first % 8]}{position}{('', '.x', '_b', '-3')[tail % 4]}"


@dataclass(frozen=True)
class DrawnDate:
    """A partial date and the raw seed value that spells it."""

    date: PartialDate
    raw: Any


FIRST_DAY = dt.date(2024, 1, 1)
DAYS = (dt.date(2027, 12, 31) - FIRST_DAY).days + 1
INFERRED_MASKS = (0, 0, 0, 0, 1, 2, 3, 7)  # half of the dates say nothing is inferred


def _drawn_date(offset: int, precision: str, inferred_mask: int) -> DrawnDate:
    day = FIRST_DAY + dt.timedelta(days=offset)
    parts = PRECISIONS[: PRECISIONS.index(precision) + 1]
    text = PartialDate(
        day.year, day.month if precision != "year" else None, day.day if precision == "day" else None
    ).isoformat()
    inferred = [part for bit, part in enumerate(parts) if inferred_mask >> bit & 1]
    if not inferred:
        return DrawnDate(PartialDate.parse(text), text)
    return DrawnDate(PartialDate.parse(text, inferred), {"date": text, "inferred": inferred})


def date_code(number: int) -> DrawnDate | None:
    """No date for even numbers; else a year, month or day in 2024-2027, maybe with inferred parts."""
    if number % 2 == 0:
        return None
    number, offset = divmod(number // 2, DAYS)
    mask, precision = divmod(number, len(PRECISIONS))
    return _drawn_date(offset, PRECISIONS[precision], INFERRED_MASKS[mask % len(INFERRED_MASKS)])


DATE_CODES = st.integers(0, 2 * DAYS * len(PRECISIONS) * len(INFERRED_MASKS) - 1)
partial_dates = st.builds(
    _drawn_date, st.integers(0, DAYS - 1), st.sampled_from(PRECISIONS), st.sampled_from(INFERRED_MASKS)
)
plain_dates = partial_dates.map(lambda d: d.date)
maybe_plain_dates = st.none() | plain_dates

CLAIMS = ("claim one", "claim two", "claim three")
CONFIDENCES = [c.name for c in Confidence]
CITATIONS = PARAGRAPHS * len(CLAIMS) * len(CONFIDENCES)  # distinct citations of the sample document


def _citation(number: int) -> dict[str, Any]:
    number, paragraph = divmod(number, PARAGRAPHS)
    confidence, claim = divmod(number, len(CLAIMS))
    return cite(paragraph + 1, CLAIMS[claim], CONFIDENCES[confidence])


def citation_code(number: int) -> list[dict[str, Any]]:
    """One or two distinct citations of the sample document, with random confidences."""
    number, first = divmod(number, CITATIONS)
    second = number % (CITATIONS + 1) - 1
    return [_citation(first)] + ([_citation(second)] if second not in (-1, first) else [])


CITATION_CODES = st.integers(0, CITATIONS * (CITATIONS + 1) - 1)


def qualifier_code(number: int) -> dict[str, Any] | None:
    return (None, {"channel": "email"}, {"channel": "paper", "days_allowed": 30}, {"days_allowed": 1})[number % 4]


# kind, name, aliases, a number for the slug and enum member, major developer, document paragraphs,
# citations, own date
entity_draws = st.tuples(
    st.sampled_from(list(Kind)),
    names,
    st.lists(names, max_size=2),
    ANY_INDEX,
    st.booleans(),
    st.integers(1, 5),
    CITATION_CODES,
    DATE_CODES,
)
# type, subject and object indexes, valid_from, valid_to, citations, qualifiers
relation_draws = st.tuples(ANY_INDEX, ANY_INDEX, ANY_INDEX, DATE_CODES, DATE_CODES, CITATION_CODES, st.integers(0, 3))
restatements = st.lists(st.tuples(ANY_INDEX, CITATION_CODES), max_size=5)


def citation_id(raw: dict[str, Any]) -> tuple[Any, ...]:
    return (raw["document"], raw["paragraph"], raw["claim"], Confidence[raw["confidence"]])


@dataclass
class RelationSpec:
    """What the records say about one relation key."""

    type: RelationType
    subject: str
    object: str
    valid_from: PartialDate | None
    valid_to: PartialDate | None
    citations: set[tuple[Any, ...]] = field(default_factory=set)
    qualifiers: Qualifiers = field(default_factory=Qualifiers)


@dataclass
class Case:
    """A drawn graph: its raw records and what they say, independently of the loader."""

    records: list[RawRecord]
    kinds: dict[str, Kind]
    names: dict[str, str]
    dates: dict[str, PartialDate | None]
    entity_citations: dict[str, int]
    relations: dict[str, RelationSpec]
    attributes: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def keys(self) -> list[str]:
        return sorted(self.kinds)

    @property
    def types(self) -> list[RelationType]:
        return sorted({spec.type for spec in self.relations.values()}, key=lambda t: t.name)

    def __repr__(self) -> str:  # hypothesis prints this for a falsifying example
        lines = [f"Case({len(self.kinds)} entities, {len(self.relations)} relations):"]
        lines += [f"  {r.section} {dict(r.data)!r}" for r in self.records]
        return "\n".join(lines)


def expected_key(subject: str, type_: RelationType, obj: str, valid_from: PartialDate | None) -> str:
    key = f"{subject}|{type_.name}|{obj}"
    return key if valid_from is None else f"{key}|{valid_from.isoformat()}"


@st.composite
def graphs(draw: st.DrawFn, max_entities: int = MAX_ENTITIES, max_relations: int = MAX_RELATIONS) -> Case:
    """Raw records of a random valid graph, shuffled, with what they should load as."""
    records = [
        entity_record("document", SAMPLE_DOCUMENT, "Sample article", title="Sample article", paragraphs=PARAGRAPHS)
    ]
    kinds: dict[str, Kind] = {SAMPLE_DOCUMENT: Kind.DOCUMENT}
    entity_names = {SAMPLE_DOCUMENT: "Sample article"}
    dates: dict[str, PartialDate | None] = {SAMPLE_DOCUMENT: None}
    entity_citations = {SAMPLE_DOCUMENT: 0}
    attributes: dict[str, dict[str, Any]] = {SAMPLE_DOCUMENT: {"title": "Sample article", "paragraphs": PARAGRAPHS}}
    # Sizes are drawn first: a plain st.lists stays around five items on average.
    count = draw(st.integers(0, max_entities - 1))
    drawn = draw(st.lists(entity_draws, min_size=count, max_size=count))
    for position, (kind, name, aliases, pick, major, paragraphs, cited_code, date_number) in enumerate(drawn):
        key = f"{kind.prefix}/{slug(pick, position)}"
        cited = citation_code(cited_code)
        date = date_code(date_number) if kind in DATE_FIELD else None
        fields: dict[str, Any] = {}
        expected: dict[str, Any] = {"aliases": tuple(a.strip() for a in aliases)}
        if aliases:
            fields["aliases"] = aliases
        if kind in REQUIRED_ENUM:
            attribute, enum = REQUIRED_ENUM[kind]
            members = list(enum)
            member = members[pick % len(members)]
            fields[attribute] = member.name
            expected[attribute] = member
        if kind is Kind.ORGANIZATION:
            if major:
                fields["major_ai_developer"] = True
            expected["major_ai_developer"] = major
        if kind is Kind.DOCUMENT:
            fields["title"] = name
            fields["paragraphs"] = paragraphs
            expected.update(title=name.strip(), paragraphs=paragraphs)
            entity_citations[key] = 0
        else:
            fields["citation"] = cited
            entity_citations[key] = len(cited)
        if date is not None:
            fields[DATE_FIELD[kind]] = date.raw
        # No drawn citation is about these fields: the editorial rules want them marked.
        facts = [field for field in FACT_FIELDS[kind] if field in fields]
        if facts:
            fields["inferred"] = facts
        records.append(entity_record(kind.section, key, name, **fields))
        kinds[key] = kind
        entity_names[key] = name.strip()
        dates[key] = date.date if date is not None else None
        attributes[key] = expected

    # Keys by kind, in a fixed order (not set order, which varies with the hash seed).
    by_kind = {kind: [k for k, v in kinds.items() if v is kind] for kind in Kind}

    def ends(allowed: frozenset[Kind]) -> list[str]:
        return [k for kind in Kind if kind in allowed for k in by_kind[kind]]

    usable = []
    for type_ in RelationType:
        subjects, objects = ends(type_.subjects), ends(type_.objects)
        if subjects and objects and len(set(subjects) | set(objects)) > 1:
            usable.append((type_, subjects, objects))

    relations: dict[str, RelationSpec] = {}
    statements: list[tuple[str, dict[str, Any]]] = []
    count = draw(st.integers(0, max_relations)) if usable else 0
    for pick_type, pick_subject, pick_object, start_code, end_code, cited_code, extra_code in draw(
        st.lists(relation_draws, min_size=count, max_size=count)
    ):
        start, end = date_code(start_code), date_code(end_code)
        cited, extra = citation_code(cited_code), qualifier_code(extra_code)
        type_, subjects, objects = usable[pick_type % len(usable)]
        subject = subjects[pick_subject % len(subjects)]
        others = [o for o in objects if o != subject]
        if not others:
            continue
        obj = others[pick_object % len(others)]
        if start is not None and end is not None and end.date.latest() < start.date.earliest():
            start, end = end, start
        key = expected_key(subject, type_, obj, start.date if start is not None else None)
        if key in relations:
            continue
        data: dict[str, Any] = {"citation": cited}
        if start is not None:
            data["valid_from"] = start.raw
        if end is not None:
            data["valid_to"] = end.raw
        if extra:
            data["qualifiers"] = extra
        relations[key] = RelationSpec(
            type_,
            subject,
            obj,
            start.date if start is not None else None,
            end.date if end is not None else None,
            {citation_id(c) for c in cited},
            Qualifiers(**extra) if extra else Qualifiers(),
        )
        statements.append((key, data))
        records.append(relation_record(subject, type_.name, obj, **data))
    # The same relation stated again (same dates and qualifiers, other citations) is merged.
    if statements:
        for pick, cited_code in draw(restatements):
            key, data = statements[pick % len(statements)]
            cited = citation_code(cited_code)
            spec = relations[key]
            spec.citations |= {citation_id(c) for c in cited}
            records.append(relation_record(spec.subject, spec.type.name, spec.object, **{**data, "citation": cited}))
    # Shuffled with one drawn seed: record order must not matter to the loader.
    random.Random(draw(st.integers(0, 2**32))).shuffle(records)
    return Case(records, kinds, entity_names, dates, entity_citations, relations, attributes)


def type_filters(case: Case) -> st.SearchStrategy[frozenset[RelationType] | None]:
    """No filter, or a few relation types (mostly ones the graph has)."""
    pool = case.types or list(RelationType)
    return st.none() | st.frozensets(st.sampled_from(pool), max_size=4)


# -- oracles --------------------------------------------------------------------------
def usable(relation: Relation, types: frozenset[RelationType] | None, as_of: PartialDate | None) -> bool:
    return (types is None or relation.type in types) and (as_of is None or holds_at(relation, as_of))


def undirected(
    store: GraphStore, types: frozenset[RelationType] | None = None, as_of: PartialDate | None = None
) -> nx.MultiGraph:
    """The undirected view of ``store.graph``, keeping only relations the filters let through."""
    graph = store.graph
    if types is None and as_of is None:
        return graph.to_undirected(as_view=True)

    def keep(u: str, v: str, k: Any) -> bool:
        return usable(graph.edges[u, v, k]["relation"], types, as_of)

    return nx.subgraph_view(graph, filter_edge=keep).to_undirected(as_view=True)


def walk(items: Sequence[Any], first: int, key: Callable[[Any], Any], descending: bool = False) -> list[Any]:
    """Page through ``items`` cursor by cursor, checking each page's flags; return what was visited."""
    visited: list[Any] = []
    after = None
    for _ in range(len(items) + 2):
        page = paginate(items, first, after, key=key, descending=descending)
        assert page.total == len(items)
        assert len(page.items) <= first
        assert page.has_previous == (len(visited) > 0)
        visited.extend(page.items)
        assert page.has_next == (len(visited) < len(items))
        if not page.has_next:
            return visited
        assert page.items, "a page with has_next must not be empty"
        after = key(page.items[-1])
    raise AssertionError("pagination did not finish")


def overlaps(entry: TimelineEntry, start: PartialDate | None, end: PartialDate | None) -> bool:
    if start is not None and entry.date.latest() < start.earliest():
        return False
    return end is None or entry.date.earliest() <= end.latest()


# -- 1. shortest paths ----------------------------------------------------------------
@GRAPHS
@given(case=graphs(), data=st.data())
def test_shortest_path_is_a_real_chain_and_as_short_as_networkx_says(case: Case, data: st.DataObject) -> None:
    store = build_store(case.records)
    source = data.draw(st.sampled_from(case.keys), label="source")
    max_length = data.draw(st.integers(0, 6), label="max_length")
    types = data.draw(type_filters(case), label="types")
    as_of = data.draw(maybe_plain_dates, label="as_of")
    distances = nx.shortest_path_length(undirected(store, types, as_of), source)
    for target in case.keys:
        path = shortest_path(store, source, target, max_length=max_length, types=types, as_of=as_of)
        true = distances.get(target)
        if true is None or true > max_length:
            assert path is None, (target, true)
            continue
        assert path is not None, (target, true)
        keys = [e.key for e in path.entities]
        assert keys[0] == source and keys[-1] == target
        assert len(path.relations) == len(keys) - 1 == path.length
        assert len(set(keys)) == len(keys), "an entity repeats on the path"
        assert path.length == true <= max_length
        for left, relation, right in zip(keys[:-1], path.relations, keys[1:], strict=True):
            assert {relation.subject, relation.object} == {left, right}
            assert store.relation(relation.key) == relation
            assert usable(relation, types, as_of)


# -- 2. neighbourhoods ----------------------------------------------------------------
@GRAPHS
@given(case=graphs(), data=st.data())
def test_neighborhood_is_exactly_the_entities_within_depth(case: Case, data: st.DataObject) -> None:
    store = build_store(case.records)
    centre = data.draw(st.sampled_from(case.keys), label="centre")
    types = data.draw(type_filters(case), label="types")
    as_of = data.draw(maybe_plain_dates, label="as_of")
    distances = nx.single_source_shortest_path_length(undirected(store, types, as_of), centre)
    relations = [r for r in store.relations() if usable(r, types, as_of)]
    previous: set[str] = set()
    for depth in range(5):
        sub = neighborhood(store, centre, depth=depth, types=types, as_of=as_of)
        keys = [e.key for e in sub.entities]
        assert not sub.truncated
        assert keys[0] == centre
        assert len(set(keys)) == len(keys)
        assert previous <= set(keys), f"depth {depth - 1} is not within depth {depth}"
        assert all(distances.get(k, depth + 1) <= depth for k in keys), "an entity is too far away"
        assert set(keys) == {k for k, d in distances.items() if d <= depth}, "an entity within reach is missing"
        assert [distances[k] for k in keys] == sorted(distances[k] for k in keys), "not nearest first"
        for relation in sub.relations:
            assert relation.subject in keys and relation.object in keys
        inside = {r.key for r in relations if r.subject in keys and r.object in keys}
        assert [r.key for r in sub.relations] == sorted(inside)
        previous = set(keys)


@GRAPHS
@given(case=graphs(), data=st.data())
def test_neighborhood_limit_truncates_exactly_when_something_is_left_out(case: Case, data: st.DataObject) -> None:
    store = build_store(case.records)
    centre = data.draw(st.sampled_from(case.keys), label="centre")
    depth = data.draw(st.integers(0, 4), label="depth")
    limit = data.draw(st.integers(1, 6), label="limit")
    types = data.draw(type_filters(case), label="types")
    full = neighborhood(store, centre, depth=depth, types=types)
    capped = neighborhood(store, centre, depth=depth, types=types, limit=limit)
    keys = [e.key for e in capped.entities]
    assert len(keys) <= limit
    assert capped.truncated == (len(full.entities) > limit)
    # The same breadth-first walk, stopped at the cap.
    assert keys == [e.key for e in full.entities][:limit]
    inside = {r.key for r in full.relations if r.subject in keys and r.object in keys}
    assert [r.key for r in capped.relations] == sorted(inside)


# -- 3. search ------------------------------------------------------------------------
def queries_for(case: Case) -> st.SearchStrategy[str]:
    prefixes = st.sampled_from(sorted(case.names.values())).flatmap(
        lambda name: st.integers(0, len(name)).map(lambda n: name[:n])
    )
    return st.one_of(
        st.text(),
        st.text(min_size=500, max_size=3000),
        st.text(st.characters(max_codepoint=127)),
        st.lists(st.sampled_from(WORDS), max_size=3).map(" ".join),
        prefixes,
    )


@GRAPHS
@given(case=graphs(), data=st.data())
def test_search_never_raises_and_ranks_hits(case: Case, data: st.DataObject) -> None:
    store = build_store(case.records)
    text = data.draw(queries_for(case), label="text")
    limit = data.draw(st.integers(-1, 12), label="limit")
    kinds = data.draw(st.none() | st.frozensets(st.sampled_from(list(Kind))), label="kinds")
    hits = search(store, text, kinds=kinds, limit=limit)
    everything = search(store, text, kinds=kinds, limit=len(store) + 1)
    assert len(hits) <= max(limit, 0)
    assert hits == everything[: max(limit, 0)], "a smaller limit is not a prefix of the full ranking"
    ranking = [(-h.score, h.entity.key) for h in everything]
    assert ranking == sorted(ranking), "not sorted by score descending, then key"
    assert len({h.entity.key for h in everything}) == len(everything)
    for hit in everything:
        assert 0 < hit.score <= 1
        assert hit.matched in hit.entity.names
        assert kinds is None or hit.entity.kind in kinds


@GRAPHS
@given(case=graphs())
def test_search_for_an_exact_name_ranks_that_entity_first(case: Case) -> None:
    store = build_store(case.records)
    for key, name in case.names.items():
        if not fold(name):
            continue  # a name without letters or digits cannot be searched for
        hits = search(store, name, limit=len(store))
        ranking = [(-h.score, h.entity.key) for h in hits]
        assert ranking == sorted(ranking), "not sorted by score descending, then key"
        scores = {h.entity.key: h.score for h in hits}
        assert key in scores, (key, name)
        assert scores[key] == max(scores.values()), (key, name, hits[0].entity.key)


# -- 4. pagination --------------------------------------------------------------------
@GRAPHS
@given(case=graphs(), first=st.integers(1, 8))
def test_paging_through_relations_visits_each_once(case: Case, first: int) -> None:
    store = build_store(case.records)
    for key in case.keys:
        items = list(queries.relations(store, key))
        visited = walk(items, first, key=lambda r: (r.key,))
        assert visited == items
        assert len({r.key for r in visited}) == len(visited)
        assert [r.key for r in items] == sorted(r.key for r in items)


@GRAPHS
@given(case=graphs(), first=st.integers(1, 8))
def test_paging_through_entity_lists_visits_each_once_in_every_order(case: Case, first: int) -> None:
    store = build_store(case.records)
    for kind in Kind:
        expected_keys = {k for k, v in case.kinds.items() if v is kind}
        for order in EntityOrder:
            for descending in (False, True):
                items = listing.list_entities(store, kind, order=order, descending=descending)
                key = order.walk_key(descending)
                backwards = order.walks_backwards(descending)
                walk_keys = [key(e) for e in items]
                assert walk_keys == sorted(walk_keys), "the listing is not sorted by its walk key"
                for value in walk_keys:
                    assert tuple(type(v) for v in value) == order.key_shape(descending)
                visited = walk(items, first, key=key, descending=backwards)
                in_order = list(items)[::-1] if backwards else list(items)
                assert [e.key for e in visited] == [e.key for e in in_order]
                assert len({e.key for e in visited}) == len(visited)
                assert {e.key for e in visited} == expected_keys
                filtered = listing.list_entities(store, kind, EntityFilter(), order=order, descending=descending)
                assert [e.key for e in filtered] == [e.key for e in items]
                if order is EntityOrder.DATE:
                    dated = [e.date.sort_key for e in visited if e.date is not None]
                    assert dated == sorted(dated, reverse=descending)
                    undated = [e.date is None for e in visited]
                    assert undated == sorted(undated), "undated entities must come last"


# -- 5. validity dates ----------------------------------------------------------------
@GRAPHS
@given(case=graphs(), data=st.data())
def test_holds_at_respects_validity_and_as_of_filters(case: Case, data: st.DataObject) -> None:
    store = build_store(case.records)
    date = data.draw(plain_dates, label="date")
    day = date.earliest()
    month, year = PartialDate(day.year, day.month), PartialDate(day.year)
    for relation in store.relations():
        holds = holds_at(relation, date)
        start, end = relation.valid_from, relation.valid_to
        if start is None and end is None:
            assert holds, relation.key
        if end is not None and end.latest() < date.earliest():
            assert not holds, relation.key
        # valid_to is exclusive: a relation that surely ended by the first day of the date does not hold.
        if end is not None and end.latest() <= date.earliest():
            assert not holds, relation.key
        if start is not None and start.earliest() > date.latest():
            assert not holds, relation.key
        # Surely in force on a day after it surely started and before it surely ended.
        if (start is None or start.latest() <= day) and (end is None or day < end.earliest()):
            assert holds_at(relation, PartialDate.from_date(day)), relation.key
        # At the edges of its own validity: from its first possible day, not on its last possible end day
        # (valid_to is exclusive), nor on the day before it could have started.
        if start is not None:
            first = start.earliest()
            assert holds_at(relation, PartialDate.from_date(first)) == (end is None or end.latest() > first)
            if first > dt.date.min:
                assert not holds_at(relation, PartialDate.from_date(first - dt.timedelta(days=1))), relation.key
        if end is not None:
            assert not holds_at(relation, PartialDate.from_date(end.latest())), relation.key
        # "May hold" widens with the date: a day within a month within a year.
        if holds_at(relation, PartialDate.from_date(day)):
            assert holds_at(relation, month) and holds_at(relation, year), relation.key
    for key in case.keys:
        every = queries.relations(store, key)
        current = queries.relations(store, key, as_of=date)
        assert {r.key for r in current} <= {r.key for r in every}
        assert current == [r for r in every if holds_at(r, date)]
        for direction in Direction:
            assert queries.relations(store, key, direction=direction, as_of=date) == [
                r for r in queries.relations(store, key, direction=direction) if holds_at(r, date)
            ]


# -- 6. timelines ---------------------------------------------------------------------
@GRAPHS
@given(case=graphs(), data=st.data())
def test_timeline_is_sorted_complete_and_filters_by_overlap(case: Case, data: st.DataObject) -> None:
    store = build_store(case.records)
    everything = timeline(store)
    assert [e.sort_key for e in everything] == sorted(e.sort_key for e in everything)
    expected = Counter()
    for key, date in case.dates.items():
        if date is not None:
            expected[(Boundary.OCCURRED, key, date)] += 1
    for key, spec in case.relations.items():
        if spec.valid_from is not None:
            expected[(Boundary.STARTED, key, spec.valid_from)] += 1
        if spec.valid_to is not None:
            expected[(Boundary.ENDED, key, spec.valid_to)] += 1
    found = Counter(
        (e.boundary, e.relation.key if e.relation is not None else e.entity.key, e.date) for e in everything
    )
    assert found == expected

    start = data.draw(maybe_plain_dates, label="start")
    end = data.draw(maybe_plain_dates, label="end")
    ranged = timeline(store, start=start, end=end)
    assert all(overlaps(e, start, end) for e in ranged), "an entry outside the range"
    assert ranged == [e for e in everything if overlaps(e, start, end)], "an overlapping entry is missing"

    key = data.draw(st.sampled_from(case.keys), label="key")

    def involves(entry: TimelineEntry) -> bool:
        if entry.relation is None:
            return entry.entity.key == key
        return key in (entry.relation.subject, entry.relation.object)

    own = timeline(store, key, start=start, end=end)
    assert own == [e for e in everything if involves(e) and overlaps(e, start, end)]


# -- 7. loading -----------------------------------------------------------------------
@GRAPHS
@given(case=graphs())
def test_loading_keeps_every_entity_and_merges_restated_relations(case: Case) -> None:
    store = build_store(case.records)
    assert len(store) == len(case.kinds)
    assert {e.key for e in store.entities()} == set(case.kinds)
    assert store.relation_count == len(case.relations)
    assert {r.key for r in store.relations()} == set(case.relations)
    for key, spec in case.relations.items():
        relation = store.relation(key)
        assert (relation.type, relation.subject, relation.object) == (spec.type, spec.subject, spec.object)
        assert (relation.valid_from, relation.valid_to) == (spec.valid_from, spec.valid_to)
        assert relation.qualifiers == spec.qualifiers
        assert len(relation.citations) == len(spec.citations), "restated citations were not merged once each"
        assert {(c.document, c.paragraph, c.claim, c.confidence) for c in relation.citations} == spec.citations
    for key, name in case.names.items():
        entity = store.entity(key)
        assert (entity.kind, entity.name, entity.date) == (case.kinds[key], name, case.dates[key])
        assert {attribute: getattr(entity, attribute) for attribute in case.attributes[key]} == case.attributes[key]
        assert len(entity.citations) == case.entity_citations[key]

    counts = stats(store)
    by_kind = Counter(case.kinds.values())
    by_type = Counter(spec.type for spec in case.relations.values())
    assert counts.entities == {kind: by_kind[kind] for kind in Kind}
    assert counts.relations == {type_: by_type[type_] for type_ in RelationType}
    assert counts.entity_total == len(case.kinds)
    assert counts.relation_total == len(case.relations)
    assert counts.documents == by_kind[Kind.DOCUMENT]
    assert counts.citations == sum(case.entity_citations.values()) + sum(
        len(spec.citations) for spec in case.relations.values()
    )


# -- 8. text folding ------------------------------------------------------------------
def example_each(texts: Sequence[str]) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Run a text property on each of ``texts`` first, whatever hypothesis draws."""

    def decorate(test: Callable[..., None]) -> Callable[..., None]:
        for text in reversed(texts):
            test = example(text=text)(test)
        return test

    return decorate


any_text = st.one_of(
    st.text(),
    st.text(st.characters(max_codepoint=127)),
    st.text(st.characters(codec="utf-8", categories=["Cc", "Cf", "Zs", "Zl", "Zp", "Po", "Lu", "Mn"])),
)


# ASCII control characters once survived the ASCII fast path of fold (fold("a\x00b") was "a\x00b").
CONTROL_EXAMPLES = ("a\x00b", "\x1b", "A.I.\x7fLab", "x\x08\x0e y")


@TEXTS
@given(text=any_text)
@example_each(CONTROL_EXAMPLES)
def test_fold_is_idempotent(text: str) -> None:
    once = fold(text)
    assert fold(once) == once


@TEXTS
@given(text=any_text)
@example_each(CONTROL_EXAMPLES)
def test_fold_gives_lowercase_words_separated_by_single_spaces(text: str) -> None:
    folded = fold(text)
    assert folded == folded.strip()
    assert "  " not in folded
    for ch in folded:
        assert ch == " " or (unicodedata.category(ch)[0] in "LN" and ch == ch.casefold()), (
            ch,
            unicodedata.name(ch, hex(ord(ch))),
        )
