"""Facts of the bundled seed: it answers the source's central questions.

These tests read the seed through the graph functions, so they also pin
that the queries give researchers the answers the article supports.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path

from graph.enums import AccessStatus, Confidence, Direction, Kind, QuestionStatus
from graph.paths import shortest_path
from graph.queries import companies_without_agreement, relations, search
from graph.timeline import timeline
from graph.vocabulary import RelationType

SEED = Path(__file__).resolve().parent.parent / "seed"
HASHES = Path(__file__).resolve().parent / "data" / "source-6gram-hashes.txt"


def objects(store, key, type_):
    return [r.object for r in relations(store, key, [type_], Direction.OUTGOING)]


def subjects(store, key, type_):
    return [r.subject for r in relations(store, key, [type_], Direction.INCOMING)]


def test_meta_is_the_only_major_developer_without_a_caisi_agreement(seed_store):
    assert [o.key for o in companies_without_agreement(seed_store)] == ["org/meta"]


def test_five_developers_signed_with_caisi(seed_store):
    parties = set()
    for agreement in objects(seed_store, "org/caisi", RelationType.COUNTERPARTY_TO):
        assert seed_store.entity(agreement).status.name == "SIGNED"
        parties.update(subjects(seed_store, agreement, RelationType.PARTY_TO))
    assert parties == {"org/openai", "org/anthropic", "org/google", "org/xai", "org/microsoft"}


def test_who_oversees_and_houses_caisi(seed_store):
    assert subjects(seed_store, "org/caisi", RelationType.OVERSEES) == ["person/howard-lutnick"]
    assert objects(seed_store, "org/caisi", RelationType.HOUSED_IN) == ["org/commerce-department"]
    assert subjects(seed_store, "org/caisi", RelationType.CREATED) == ["org/biden-administration"]


def test_what_triggered_the_shutdown_and_who_disclosed_it(seed_store):
    shutdown = "incident/fable-5-access-shutdown"
    (cause,) = subjects(seed_store, shutdown, RelationType.TRIGGERED)
    assert cause == "incident/fable-5-vulnerability"
    assert subjects(seed_store, cause, RelationType.DISCLOSED) == ["org/amazon-researchers"]
    assert subjects(seed_store, shutdown, RelationType.ORDERED) == ["org/white-house"]
    (order,) = relations(seed_store, shutdown, [RelationType.ORDERED])
    assert order.qualifiers.minutes_allowed == 90
    assert seed_store.entity("model/fable-5").access_status is AccessStatus.SUSPENDED


def test_amazon_connects_to_anthropics_shutdown(seed_store):
    path = shortest_path(seed_store, "org/amazon", "incident/fable-5-access-shutdown")
    assert [r.type for r in path.relations] == [RelationType.PART_OF, RelationType.DISCLOSED, RelationType.TRIGGERED]
    assert all(r.citations for r in path.relations)


def test_what_the_june_2_order_requires(seed_store):
    order = "order/ai-model-review-order"
    signed = seed_store.entity(order).date_signed
    assert (signed.isoformat(), [p.value for p in signed.inferred]) == ("2026-06-02", ["year"])
    (window,) = relations(seed_store, order, [RelationType.GRANTS_REVIEW_WINDOW_TO])
    assert window.qualifiers.days_allowed == 30
    (deadline,) = relations(seed_store, order, [RelationType.SETS_DEADLINE_FOR])
    assert deadline.qualifiers.deadline.isoformat() == "2026-07" and deadline.qualifiers.deadline.is_inferred
    assert subjects(seed_store, order, RelationType.SIGNED) == ["person/donald-trump"]


def test_who_pressed_meta_and_through_what_channel(seed_store):
    (pressed,) = relations(seed_store, "org/meta", [RelationType.PRESSED], Direction.INCOMING)
    assert pressed.subject == "org/trump-administration"
    assert pressed.qualifiers.channel == "email"
    first = pressed.citations[0]
    assert (first.paragraph, first.attribution.source_count, first.confidence) == (1, 4, Confidence.ANONYMOUS_SOURCES)


def test_open_questions_are_queryable(seed_store):
    questions = list(seed_store.entities(Kind.QUESTION))
    assert len(questions) == 5 and all(q.status is QuestionStatus.OPEN for q in questions)
    about_shutdown = subjects(seed_store, "incident/fable-5-access-shutdown", RelationType.CONCERNS)
    assert sorted(about_shutdown) == ["question/same-standard-for-others", "question/who-approves-fable-5-restoration"]


def test_government_actors_are_found_by_the_names_the_source_uses(seed_store):
    for text, key in [
        ("the administration", "org/trump-administration"),
        ("the government", "org/us-federal-government"),
        ("White House", "org/white-house"),
        ("President Trump", "person/donald-trump"),
        ("Center for A.I. Standards and Innovation", "org/caisi"),
        ("CAISI", "org/caisi"),
    ]:
        assert search(seed_store, text)[0].entity.key == key, text


def test_every_relation_and_entity_cites_the_article_within_its_paragraphs(seed_store):
    cited = set()
    for relation in seed_store.relations():
        assert relation.citations
        cited.update(c.paragraph for c in relation.citations)
    for entity in seed_store.entities():
        cited.update(c.paragraph for c in entity.citations)
    assert cited == set(range(1, 20)), "every paragraph of the article supports something"


def test_inferred_dates_and_names_are_marked(seed_store):
    assert "name" in seed_store.entity("person/donald-trump").inferred
    for entry in timeline(seed_store):
        assert entry.date.is_inferred, f"the article states no year, so {entry.summary!r} must be inferred"


def _seed_strings():
    for path in sorted(SEED.rglob("*.toml")):
        stack = [tomllib.loads(path.read_text(encoding="utf-8"))]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                # Names and titles are proper names, not sentences of the source.
                stack.extend(v for k, v in item.items() if k not in ("name", "aliases", "title"))
            elif isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, str):
                yield path.name, item


def _prose():
    root = SEED.parent
    for path in [root / "README.md", *sorted(SEED.rglob("*.md"))]:
        if path.exists():
            yield path.name, path.read_text(encoding="utf-8")


def test_seed_and_docs_paraphrase_the_source_rather_than_copying_it():
    hashes = {line.strip() for line in HASHES.read_text().splitlines() if line and not line.startswith("#")}
    copied = []
    for name, text in [*_seed_strings(), *_prose()]:
        words = re.findall(r"[a-z0-9]+", text.lower().replace("’", "").replace("'", ""))
        for i in range(len(words) - 5):
            run = " ".join(words[i : i + 6])
            if hashlib.sha1(run.encode()).hexdigest()[:16] in hashes:
                copied.append(f"{name}: {run!r}")
    assert copied == []
