"""Derived indexes follow the store's changes exactly, and a change costs only the indexes it touches.

The main test applies a seeded random sequence of changes (renames, new
dates, flags and statuses, new and removed entities, relations added,
replaced and removed, redirects) the way the journal's read model applies
them, reads some indexes between changes so that they are caught at every
stage, and now and then compares every derived index with what a store
built afresh from the same records gives. It runs on the sample store and
on a small generated graph (whose hubs have cached relation lists), with
the merge threshold at its default and with merging forced for every list.
"""

from __future__ import annotations

import bisect
import dataclasses
import pickle
import random
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.generate import generate
from oversight_graph.graph import derived
from oversight_graph.graph.dates import PartialDate
from oversight_graph.graph.derived import DROP, Change, SortedKeys, merged
from oversight_graph.graph.edges import sorted_relations
from oversight_graph.graph.enums import AgreementStatus, Kind
from oversight_graph.graph.listing import EntityOrder, list_entities
from oversight_graph.graph.load import load_directory
from oversight_graph.graph.model import Entity, Relation
from oversight_graph.graph.queries import DEFAULT_COUNTERPARTY, companies_without_agreement, stats
from oversight_graph.graph.sample import sample_store
from oversight_graph.graph.store import GraphStore
from oversight_graph.graph.timeline import timeline
from oversight_graph.graph.vocabulary import RelationType
from tests.graph.test_properties import DATE_FIELD as DATE_FIELDS

NAMES = ["Alpha", "beta", "Ćetta", "delta-9", "A.I. Lab", "ai lab", "Zed", "zed", "Müller", "muller", "Omega", "  x "]
STATUSES = [frozenset({AgreementStatus.SIGNED}), frozenset({AgreementStatus.AGREED, AgreementStatus.SIGNED})]


@pytest.fixture(scope="module")
def generated_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("derived") / "graph"
    generate(2000, out, workers=1)
    return out


# -- what every derived index should hold -----------------------------------------------------------------------


def _afresh(store: GraphStore) -> GraphStore:
    """A store holding ``store``'s records, entities in the same order, with no derived index built."""
    fresh = GraphStore()
    fresh.add_entities(list(store.entities()))
    fresh.add_relations(list(store.relations()))
    fresh._redirects.update(store.redirects)
    return fresh


def _hubs(store: GraphStore) -> list[str]:
    """Entities whose relations the store caches (and a few others)."""
    return [k for k in store._nodes if len(store._succ[k]) + len(store._pred[k]) >= 64] + list(store._nodes)[:3]


def _counterparties(store: GraphStore) -> list[str]:
    found = {r.subject for r in store.relations() if r.type is RelationType.COUNTERPARTY_TO}
    return sorted(found)[:4]


def _readings(store: GraphStore, hubs: list[str], counterparties: list[str]) -> Iterator[tuple[str, Callable[[], Any]]]:
    """Every derived index, each as a name and a function reading it from ``store``."""
    for kind in Kind:
        yield f"keys_of_kind {kind.name}", lambda kind=kind: list(store.keys_of_kind(kind))
        for order in (EntityOrder.DATE, EntityOrder.KEY):
            for descending in (False, True):
                yield (
                    f"list {kind.name} by {order.name} {descending}",
                    lambda kind=kind, order=order, descending=descending: [
                        e.key for e in list_entities(store, kind, order=order, descending=descending)
                    ],
                )
    yield "major", lambda: list(store.major_ai_developers())
    for counterparty in counterparties:
        for statuses in STATUSES:
            yield (
                f"parties {counterparty} {sorted(s.name for s in statuses)}",
                lambda c=counterparty, s=statuses: store.agreement_parties(c, s) if c in store else None,
            )
    if DEFAULT_COUNTERPARTY in store:
        yield "companies without agreement", lambda: [o.key for o in companies_without_agreement(store)]
    yield "timeline", lambda: [(e.sort_key, e) for e in timeline(store)]
    yield "relations by key", lambda: list(sorted_relations(store))
    for type_ in RelationType:
        yield f"relations by key {type_.name}", lambda type_=type_: list(sorted_relations(store, type_))
    for hub in hubs:
        yield f"relations of {hub}", lambda hub=hub: store.relations_of(hub) if hub in store else None
    yield "stats", lambda: dataclasses.replace(stats(store), version=0)


def assert_current(store: GraphStore, hubs: list[str], counterparties: list[str]) -> None:
    """Every derived index of ``store`` equals the one a store built afresh gives."""
    fresh = _afresh(store)
    expected = dict(_readings(fresh, hubs, counterparties))
    for name, read in _readings(store, hubs, counterparties):
        assert read() == expected[name](), name
    # The timeline's entries hold the entities as they are now, not older records of them.
    for entry in timeline(store):
        assert entry.entity is store.entity(entry.entity.key)
        assert entry.other is None or entry.other is store.entity(entry.other.key)


# -- random changes, as the journal makes them ------------------------------------------------------------------


class _Changes:
    def __init__(self, store: GraphStore, rng: random.Random) -> None:
        self.store = store
        self.rng = rng
        self.count = 0
        self.templates: dict[Kind, Entity] = {}
        for entity in store.entities():
            self.templates.setdefault(entity.kind, entity)

    def _entity(self, kind: Kind | None = None) -> Entity:
        keys = self.store._by_kind[kind] if kind is not None else list(self.store._nodes)
        return self.store.entity(self.rng.choice(keys))

    def _name(self, kind: Kind) -> str:
        if self.rng.random() < 0.3 and self.store.count(kind):
            return self._entity(kind).name  # the same name as another: the key decides
        self.count += 1
        return f"{self.rng.choice(NAMES)} {self.rng.randrange(5)}" if self.rng.random() < 0.5 else f"N{self.count}"

    def _date(self) -> PartialDate | None:
        if self.rng.random() < 0.2:
            return None
        year, month = self.rng.randrange(2015, 2027), self.rng.randrange(1, 13)
        text = (
            f"{year}-{month:02d}" if self.rng.random() < 0.5 else f"{year}-{month:02d}-{self.rng.randrange(1, 29):02d}"
        )
        return PartialDate.parse(text)

    def rename(self) -> None:
        entity = self._entity()
        self.store.put_entity(dataclasses.replace(entity, name=self._name(entity.kind)))

    def same(self) -> None:
        self.store.put_entity(dataclasses.replace(self._entity()))

    def redate(self) -> None:
        kind = self.rng.choice(sorted(DATE_FIELDS, key=lambda k: k.name))
        if self.store.count(kind):
            entity = self._entity(kind)
            self.store.put_entity(dataclasses.replace(entity, **{DATE_FIELDS[kind]: self._date()}))  # type: ignore[arg-type]

    def flag(self) -> None:
        org = self._entity(Kind.ORGANIZATION)
        self.store.put_entity(dataclasses.replace(org, major_ai_developer=not org.major_ai_developer))  # type: ignore[attr-defined,call-arg]

    def status(self) -> None:
        if self.store.count(Kind.AGREEMENT):
            agreement = self._entity(Kind.AGREEMENT)
            self.store.put_entity(dataclasses.replace(agreement, status=self.rng.choice(list(AgreementStatus))))  # type: ignore[call-arg]

    def cite(self) -> None:
        entity = self._entity()
        self.store.put_entity(dataclasses.replace(entity, citations=entity.citations[: self.rng.randrange(2)]))

    def add(self) -> None:
        kind = self.rng.choice(sorted(self.templates, key=lambda k: k.name))
        self.count += 1
        template = self.templates[kind]
        key = f"{kind.prefix}/added-{self.count}"
        fields: dict[str, Any] = {"key": key, "name": self._name(kind), "aliases": ()}
        if kind in DATE_FIELDS:
            fields[DATE_FIELDS[kind]] = self._date()
        self.store.put_entity(dataclasses.replace(template, **fields))

    def remove(self) -> None:
        """Retract an entity with few relations: its relations first; sometimes redirect its key (a merge)."""
        candidates = [k for k in self.store._nodes if self.store.degree(k) <= 3 and k not in {DEFAULT_COUNTERPARTY}]
        if not candidates:
            return
        key = self.rng.choice(candidates)
        kind = self.store.entity(key).kind
        for relation in [*self.store.out_relations(key), *self.store.in_relations(key)]:
            if relation.key in self._relation_keys():
                self.store.remove_relation(relation.key)
        self.store.remove_entity(key)
        if self.rng.random() < 0.5 and self.store.count(kind):
            self.store.redirect(key, self._entity(kind).key)

    def _relation_keys(self) -> set[str]:
        return {r.key for r in self.store.relations()}

    def _relation(self, type_: RelationType | None = None) -> Relation | None:
        relations = list(sorted_relations(self.store, type_)) if type_ else list(self.store.relations())
        return self.rng.choice(relations) if relations else None

    def relate(self) -> None:
        """A new relation like an existing one, to another object of the same kind (sometimes dated)."""
        model = self._relation()
        if model is None:
            return
        other = self._entity(self.store.entity(model.object).kind)
        subject = model.subject
        if self.rng.random() < 0.3:
            hubs = _hubs(self.store)[:5]
            subject = self.rng.choice(hubs) if hubs else subject
            if self.store.entity(subject).kind is not self.store.entity(model.subject).kind:
                subject = model.subject
        start = self._date() if self.rng.random() < 0.5 else None
        end = PartialDate.parse("2030") if start is not None and self.rng.random() < 0.5 else None
        self.store.put_relation(
            dataclasses.replace(model, subject=subject, object=other.key, valid_from=start, valid_to=end)
        )

    def replace(self) -> None:
        relation = self._relation()
        if relation is not None:
            end = self._date() if relation.valid_from is not None else None
            self.store.put_relation(dataclasses.replace(relation, citations=relation.citations[:1], valid_to=end))

    def unrelate(self) -> None:
        relation = self._relation()
        if relation is not None:
            self.store.remove_relation(relation.key)

    def unredirect(self) -> None:
        if self.store.redirects:
            self.store.redirects.pop(self.rng.choice(list(self.store.redirects)), None)

    def run(self) -> None:
        steps = [
            self.rename,
            self.rename,
            self.same,
            self.redate,
            self.flag,
            self.status,
            self.cite,
            self.add,
            self.add,
            self.remove,
            self.relate,
            self.relate,
            self.replace,
            self.unrelate,
            self.unredirect,
        ]
        self.rng.choice(steps)()


def _run(store: GraphStore, seed: int, steps: int, check_every: int) -> None:
    rng = random.Random(seed)
    hubs, counterparties = _hubs(store), _counterparties(store)
    readings = list(_readings(store, hubs, counterparties))
    for _, read in readings:
        read()  # every index built, as a warmed server has them
    changes = _Changes(store, rng)
    for step in range(1, steps + 1):
        changes.run()
        # Some indexes are read between changes, the others see several at once.
        for _ in range(rng.randrange(3)):
            rng.choice(readings)[1]()
        if step % check_every == 0:
            assert_current(store, hubs, counterparties)
    assert_current(store, hubs, counterparties)


@pytest.fixture(params=["default", "always-merge"])
def share(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The merge threshold as shipped, or forced so that even a small list is merged rather than rebuilt."""
    if request.param == "always-merge":
        monkeypatch.setattr(derived, "_REBUILD_SHARE", 0)
    return str(request.param)


@pytest.mark.parametrize("seed", range(4))
def test_sample_store_indexes_follow_random_changes(seed: int, share: str) -> None:
    _run(sample_store(), seed, steps=120, check_every=6)


@pytest.mark.parametrize("seed", range(2))
def test_generated_graph_indexes_follow_random_changes(generated_dir: Path, seed: int, share: str) -> None:
    store = load_directory(generated_dir)
    assert _hubs(store)[:-3], "the generated graph should have hubs with cached relation lists"
    _run(store, seed, steps=150, check_every=50)


# -- what a change costs ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated(generated_dir: Path) -> GraphStore:
    return load_directory(generated_dir)


def _built(store: GraphStore) -> GraphStore:
    for _, read in _readings(store, _hubs(store), _counterparties(store)):
        read()
    return store


def test_a_change_is_merged_into_the_lists_not_rebuilt(generated_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = _built(load_directory(generated_dir))
    org = store.entity(store.keys_of_kind(Kind.ORGANIZATION)[10])
    model = store.relation(sorted_relations(store, RelationType.DEVELOPED)[5].key)

    def no_rebuild(*args: object, **kwargs: object) -> None:
        raise AssertionError("rebuilt")

    # Every whole-graph build goes through one of these.
    monkeypatch.setattr(SortedKeys, "build", no_rebuild)
    monkeypatch.setattr(store, "relations", no_rebuild)
    monkeypatch.setattr(store, "entities", no_rebuild)
    store.put_entity(dataclasses.replace(org, name="Aardvark Labs", major_ai_developer=True))  # type: ignore[call-arg]
    store.put_relation(dataclasses.replace(model, valid_from=PartialDate.parse("2020-01-02")))
    store.remove_relation(model.key)
    assert store.keys_of_kind(Kind.ORGANIZATION)[0] == org.key
    assert org.key in store.major_ai_developers()
    assert model.key not in {r.key for r in sorted_relations(store)}
    assert any(r.valid_from is not None for r in sorted_relations(store, RelationType.DEVELOPED))
    assert any(e.relation is not None and e.relation.subject == model.subject for e in timeline(store))
    stats(store)
    list_entities(store, Kind.ORGANIZATION, order=EntityOrder.KEY)
    monkeypatch.undo()
    assert_current(store, _hubs(store), _counterparties(store))


def test_a_change_leaves_the_indexes_it_cannot_affect_as_they_are(generated: GraphStore) -> None:
    store = _built(generated)
    people = store.keys_of_kind(Kind.PERSON)
    orgs = store.keys_of_kind(Kind.ORGANIZATION)
    major = store.major_ai_developers()
    developed = sorted_relations(store, RelationType.DEVELOPED)
    everything = sorted_relations(store)
    timeline(store)
    events = store._derived["timeline"]
    hub = _hubs(store)[0]
    around = store.relations_of(hub)
    parties = store.agreement_parties(DEFAULT_COUNTERPARTY, STATUSES[0])
    # A relation that is not about agreements, away from the hub: no entity order, no party list moves.
    relation = next(
        r
        for r in sorted_relations(store, RelationType.DEVELOPED)
        if hub not in (r.subject, r.object) and r.valid_from is None and r.valid_to is None
    )
    store.put_relation(dataclasses.replace(relation, citations=relation.citations[:1]))
    assert store.keys_of_kind(Kind.PERSON) is people and store.keys_of_kind(Kind.ORGANIZATION) is orgs
    assert store.major_ai_developers() is major
    assert store.relations_of(hub) is around
    assert store.agreement_parties(DEFAULT_COUNTERPARTY, STATUSES[0]) is parties
    assert store._derived["timeline"] is events and not events.pending  # undated: no entry
    assert (
        sorted_relations(store) is not everything and sorted_relations(store, RelationType.DEVELOPED) is not developed
    )
    # A person's rename: the people move; organizations, relations and the parties do not.
    everything, developed = sorted_relations(store), sorted_relations(store, RelationType.DEVELOPED)
    person = store.entity(people[0])
    store.put_entity(dataclasses.replace(person, name="Zzz Last"))
    assert store.keys_of_kind(Kind.PERSON)[-1] == person.key
    assert store.keys_of_kind(Kind.ORGANIZATION) is orgs and store.major_ai_developers() is major
    assert sorted_relations(store) is everything and sorted_relations(store, RelationType.DEVELOPED) is developed
    assert store.agreement_parties(DEFAULT_COUNTERPARTY, STATUSES[0]) is parties
    # A relation of the hub drops the hub's list; a PARTY_TO relation drops the party lists.
    hub_relation = next(iter(store.relations_of(hub)))
    store.put_relation(dataclasses.replace(hub_relation, citations=hub_relation.citations[:1]))
    assert store.relations_of(hub) is not around
    party = next(r for r in store.relations() if r.type is RelationType.PARTY_TO)
    store.put_relation(dataclasses.replace(party, citations=party.citations[:1]))
    assert store.agreement_parties(DEFAULT_COUNTERPARTY, STATUSES[0]) is not parties


def test_a_list_handed_out_is_never_changed() -> None:
    store = sample_store()
    orgs = store.keys_of_kind(Kind.ORGANIZATION)
    relations = sorted_relations(store)
    events = timeline(store)
    kept = (list(orgs), list(relations), list(events))
    meta = store.entity("org/meta")
    store.put_entity(dataclasses.replace(meta, name="Zeta Meta"))
    relation = store.relation("org/meta|DEVELOPED|model/muse-spark")
    store.remove_relation(relation.key)
    store.put_relation(dataclasses.replace(relation, valid_from=PartialDate.parse("2025-01")))
    assert store.keys_of_kind(Kind.ORGANIZATION)[-1] == "org/meta"
    assert len(timeline(store)) == len(events) + 1
    assert (orgs, relations, events) == kept


def test_a_value_built_while_a_change_is_made_is_not_kept() -> None:
    store = sample_store()
    meta = store.entity("org/meta")

    def build_across_a_change() -> int:
        store.put_entity(dataclasses.replace(meta, name="Changed"))
        return 1

    assert store.cached("across", build_across_a_change) == 1
    assert "across" not in store._derived
    store._begin()  # a change under way (as seen from another thread)
    try:
        assert store.cached("during", lambda: 2) == 2
        assert list_entities(store, Kind.PERSON, order=EntityOrder.KEY)
    finally:
        store._end(None, ())
    assert "during" not in store._derived
    assert ("keys", Kind.PERSON, (EntityOrder.KEY, False)) not in store._derived
    assert store.cached("after", lambda: 3) == 3 and store._derived["after"] == 3


def test_cached_values_follow_or_drop_by_what_they_watch() -> None:
    store = sample_store()
    seen: list[Change] = []

    def follow(value: int, change: Change) -> int:
        seen.append(change)
        return value + 1

    assert store.cached("organizations changed", lambda: 0, follow, watch=[Kind.ORGANIZATION]) == 0
    assert store.cached("about meta", lambda: "x", watch=["org/meta"]) == "x"
    assert store.cached("anything", lambda: "y") == "y"
    assert store.cached("dropped", lambda: 5, lambda value, change: DROP, watch=[Kind.PERSON]) == 5
    meta = store.entity("org/meta")
    store.put_entity(dataclasses.replace(meta, name="Meta Platforms"))
    assert store._derived["organizations changed"] == 1 and seen == [Change(meta, store.entity("org/meta"))]
    assert "about meta" in store._derived and "anything" not in store._derived and "dropped" in store._derived
    store.put_entity(dataclasses.replace(store.entity("person/donald-trump"), name="Trump"))
    assert "dropped" not in store._derived and store._derived["organizations changed"] == 1
    store.remove_relation("org/meta|DEVELOPED|model/muse-spark")
    assert "about meta" not in store._derived
    # A redirect reaches only the values that watch everything.
    assert store.cached("anything", lambda: "z") == "z"
    store.redirect("org/gone", "org/meta")
    assert "anything" not in store._derived and store._derived["organizations changed"] == 1
    with pytest.raises(ValueError, match="watches"):
        store.cached("unwatched", lambda: 0, follow)


def test_a_follow_that_fails_drops_every_index_and_says_so() -> None:
    store = sample_store()
    store.keys_of_kind(Kind.ORGANIZATION)
    store.cached("fails", lambda: 0, lambda value, change: 1 // 0, watch=[Kind.PERSON])
    person = store.entity("person/donald-trump")
    with pytest.raises(ZeroDivisionError):
        store.put_entity(dataclasses.replace(person, name="Trump"))
    assert store.entity(person.key).name == "Trump"
    assert not store._derived and not store._watchers and store._generation % 2 == 0
    assert "person/donald-trump" in store.keys_of_kind(Kind.PERSON)


def test_a_store_pickled_with_changes_pending_comes_back_current(generated_dir: Path) -> None:
    store = _built(load_directory(generated_dir))
    _Changes(store, random.Random(5)).run()
    for _ in range(20):
        _Changes(store, random.Random(len(store))).run()
    copy = pickle.loads(pickle.dumps(store))
    for kind in Kind:
        assert copy.keys_of_kind(kind) == _afresh(store).keys_of_kind(kind)
    assert_current(copy, _hubs(copy), _counterparties(copy))


def test_merged_puts_insertions_before_the_position_and_removes_the_rest() -> None:
    items = [10, 20, 30, 40]
    assert merged(items, [], []) == items and merged(items, [], []) is not items
    assert merged(items, [0, 3], []) == [20, 30]
    assert merged(items, [1], [(1, 15, 15), (1, 12, 12), (4, 50, 50), (0, 5, 5)]) == [5, 10, 12, 15, 30, 40, 50]
    assert merged([], [], [(0, 2, 2), (0, 1, 1)]) == [1, 2]


@pytest.mark.parametrize("changes", [1, 5, 16, 17, 60])
def test_merged_gives_what_a_sort_gives(changes: int) -> None:
    rng = random.Random(changes)
    items = sorted(rng.sample(range(0, 1000, 2), 200))
    removed = set(rng.sample(range(len(items)), changes // 2))
    added = rng.sample(range(1, 1000, 2), changes - len(removed))  # odd: never equal to an item
    insertions = [(bisect.bisect_left(items, a), a, a) for a in added]
    rng.shuffle(insertions)
    expected = sorted([x for at, x in enumerate(items) if at not in removed] + added)
    assert merged(items, sorted(removed, reverse=True), insertions) == expected


def test_an_index_being_built_holds_up_only_those_who_need_it() -> None:
    """A warm-up thread building one index for seconds must not hold a request for another (nor let two build one)."""
    store = sample_store()
    started, release = threading.Event(), threading.Event()
    builds: list[str] = []

    def slow() -> str:
        builds.append("slow")
        started.set()
        assert release.wait(10)
        return "slow"

    def build_slow() -> None:
        assert store.cached("slow", slow) == "slow"

    first, second = threading.Thread(target=build_slow), threading.Thread(target=build_slow)
    first.start()
    assert started.wait(10)
    second.start()  # asks for the same index: waits for the first build instead of making its own
    answers: list[Any] = []
    other = threading.Thread(
        target=lambda: answers.extend([store.cached("other", lambda: 42), store.keys_of_kind(Kind.PERSON)])
    )
    other.start()
    other.join(5)
    assert not other.is_alive() and answers[0] == 42 and answers[1], "a request waited for an index it does not need"
    assert second.is_alive() and not release.is_set()
    release.set()
    first.join(10)
    second.join(10)
    assert builds == ["slow"]
