"""Facts of the bundled seed: it answers the source's central questions.

These tests read the seed through the graph functions, so they also pin
that the queries give researchers the answers the article supports.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path

from oversight_graph.graph.enums import (
    AccessStatus,
    AgreementStatus,
    AttributionKind,
    Confidence,
    Direction,
    EventKind,
    Kind,
    OrgCategory,
    QuestionStatus,
)
from oversight_graph.graph.paths import shortest_path
from oversight_graph.graph.queries import companies_without_agreement, relations, search
from oversight_graph.graph.timeline import timeline
from oversight_graph.graph.vocabulary import RelationType

SEED = Path(__file__).resolve().parent.parent / "seed"
HASHES = Path(__file__).resolve().parent / "data" / "source-6gram-hashes.txt"


def objects(store, key, type_):
    return [r.object for r in relations(store, key, [type_], Direction.OUTGOING)]


def subjects(store, key, type_):
    return [r.subject for r in relations(store, key, [type_], Direction.INCOMING)]


def test_meta_is_the_only_major_developer_without_a_caisi_agreement(seed_store):
    assert [o.key for o in companies_without_agreement(seed_store)] == ["org/meta"]


FIVE = {"org/openai", "org/anthropic", "org/google", "org/xai", "org/microsoft"}


def test_five_developers_agreed_with_caisi_and_nothing_says_they_signed(seed_store):
    parties = set()
    for agreement in objects(seed_store, "org/caisi", RelationType.COUNTERPARTY_TO):
        assert seed_store.entity(agreement).status is AgreementStatus.AGREED
        parties.update(subjects(seed_store, agreement, RelationType.PARTY_TO))
    assert parties == FIVE
    statuses = {a.status for a in seed_store.entities(Kind.AGREEMENT)}
    assert AgreementStatus.SIGNED not in statuses


def test_submissions_go_to_the_most_specific_body_a_paragraph_names(seed_store):
    # Paragraph 3 names CAISI as the recipient of the five developers' submissions.
    assert set(subjects(seed_store, "org/caisi", RelationType.SUBMITTED_TO)) == FIVE
    for company in FIVE:
        (submitted,) = relations(seed_store, company, [RelationType.SUBMITTED_TO], Direction.OUTGOING)
        by_paragraph = {c.paragraph: c for c in submitted.citations}
        # [3] states it; only reading [8]'s "the companies" as these five is inferred.
        assert by_paragraph[3].confidence is Confidence.REPORTED
        assert by_paragraph[8].confidence is Confidence.INFERRED
    # Paragraph 14 names the administration as the recipient of Fable 5.
    assert objects(seed_store, "model/fable-5", RelationType.SUBMITTED_TO) == ["org/trump-administration"]
    assert subjects(seed_store, "org/us-federal-government", RelationType.SUBMITTED_TO) == []


def test_government_bodies_and_groups_are_categorised_as_what_they_are(seed_store):
    category = {o.key: o.category for o in seed_store.entities(Kind.ORGANIZATION)}
    assert category["org/trump-administration"] is OrgCategory.ADMINISTRATION
    assert category["org/biden-administration"] is OrgCategory.ADMINISTRATION
    assert category["org/white-house"] is OrgCategory.EXECUTIVE_OFFICE
    assert category["org/intelligence-and-defense-officials"] is OrgCategory.OFFICIALS
    assert category["org/tech-companies"] is OrgCategory.INDUSTRY
    # Neither the researchers at Amazon nor the industry insiders are organizations.
    assert "org/amazon-researchers" not in category and "org/ai-industry-insiders" not in category
    assert OrgCategory.INFORMAL_GROUP not in category.values()


def test_the_biden_administration_is_a_past_one_by_background_knowledge(seed_store):
    biden = seed_store.entity("org/biden-administration")
    assert str(biden.ended) == "2025-01-20" and "ended" in biden.inferred
    (backing,) = [c for c in biden.citations if "ended" in c.supports]
    assert backing.attribution.kind is AttributionKind.BACKGROUND_KNOWLEDGE
    assert backing.confidence is Confidence.INFERRED
    # It did one thing (set up CAISI) and holds no lasting relation without an end.
    assert [r.type for r in seed_store.relations_of("org/biden-administration")] == [RelationType.CREATED]


def test_background_knowledge_is_cited_only_where_it_is_needed(seed_store):
    background = [
        r.key
        for r in seed_store.relations()
        if any(c.attribution.kind is AttributionKind.BACKGROUND_KNOWLEDGE for c in r.citations)
    ]
    assert sorted(background) == [
        "org/intelligence-and-defense-officials|PART_OF|org/us-federal-government",
        "person/donald-trump|LEADS|org/trump-administration",
    ]
    inferred_only = [r.key for r in seed_store.relations() if r.confidence is Confidence.INFERRED]
    assert sorted(inferred_only) == sorted(background)


def test_the_article_narrates_metas_silence(seed_store):
    (silent,) = relations(seed_store, "org/meta", [RelationType.DID_NOT_COMMENT_ON], Direction.OUTGOING)
    (citation,) = silent.citations
    assert (citation.paragraph, citation.attribution.kind, citation.attribution.speaker) == (
        4,
        AttributionKind.REPORTING,
        None,
    )


def test_metas_unreached_agreement_cites_the_talks_not_the_absence(seed_store):
    (party,) = relations(seed_store, "agreement/meta-commerce-review", [RelationType.PARTY_TO])
    assert [c.paragraph for c in party.citations] == [13]
    assert seed_store.entity("agreement/meta-commerce-review").status is AgreementStatus.NEGOTIATING


def test_the_oversight_push_follows_the_hands_off_approach_without_replacing_it(seed_store):
    hands_off = "event/hands-off-ai-approach"
    assert subjects(seed_store, hands_off, RelationType.FOLLOWED) == ["event/ai-oversight-push"]
    assert subjects(seed_store, hands_off, RelationType.PROMOTED) == ["org/trump-administration"]
    assert subjects(seed_store, hands_off, RelationType.REPLACED) == []
    assert "replaced" not in seed_store.entity(hands_off).description


def test_the_cybersecurity_concerns_are_tied_to_the_push_and_the_vulnerability(seed_store):
    amid = set(subjects(seed_store, "event/ai-cybersecurity-concerns", RelationType.CAME_AMID))
    assert amid == {"event/meta-review-request", "event/ai-oversight-push", "incident/fable-5-vulnerability"}
    assert subjects(seed_store, "event/ai-cybersecurity-concerns", RelationType.DISPUTES) == [
        "event/industry-insiders-view"
    ]


def test_claims_the_review_missed_are_structured(seed_store):
    # [16] what Trump said of Anthropic.
    assert objects(seed_store, "person/donald-trump", RelationType.NO_LONGER_SEES_AS_CONCERN) == ["org/anthropic"]
    # [11] CAISI's technical staff.
    assert subjects(seed_store, "org/caisi", RelationType.PART_OF) == ["org/caisi-technical-staff"]
    # [8] intelligence and defense officials as the reviewers.
    (reviewers,) = relations(seed_store, "event/voluntary-model-reviews", [RelationType.TAKES_PART_IN])
    assert (reviewers.subject, reviewers.qualifiers.role) == ("org/intelligence-and-defense-officials", "reviewers")
    # [9] the order's request, addressed to tech companies, with its window.
    (asks,) = relations(seed_store, "order/ai-model-review-order", [RelationType.ASKS], Direction.OUTGOING)
    assert (asks.object, asks.qualifiers.days_allowed) == ("org/tech-companies", 30)
    # [14] trouble even for developers that previewed their models; [3] why the sources are anonymous.
    shutdown = seed_store.entity("incident/fable-5-access-shutdown")
    assert any(c.paragraph == 14 and "preview" in c.claim for c in shutdown.citations)
    meta = seed_store.entity("org/meta")
    assert any(c.paragraph == 3 and "permission" in c.attribution.text for c in meta.citations)


def test_descriptions_add_nothing_the_source_does_not_say(seed_store):
    described = {e.key: e.description for e in seed_store.entities()}
    assert "doubt" not in described["agreement/meta-commerce-review"]
    assert "unclear" in described["agreement/meta-commerce-review"]
    assert "public access" not in described["incident/fable-5-access-shutdown"]
    assert "published the paper" not in described["org/amazon"]
    assert "seeking the role" not in described["question/who-leads-model-reviews"]


def test_implied_facts_are_marked_inferred(seed_store):
    fable = seed_store.entity("model/fable-5")
    assert "access_status" in fable.inferred
    (reading,) = [c for c in fable.citations if c.paragraph == 17]
    assert reading.confidence is Confidence.INFERRED and reading.supports == ("access_status",)
    for company in FIVE:
        assert "major_ai_developer" in seed_store.entity(company).inferred
    assert "major_ai_developer" not in seed_store.entity("org/meta").inferred


def test_who_oversees_and_houses_caisi(seed_store):
    assert subjects(seed_store, "org/caisi", RelationType.OVERSEES) == ["person/howard-lutnick"]
    assert objects(seed_store, "org/caisi", RelationType.HOUSED_IN) == ["org/commerce-department"]
    assert subjects(seed_store, "org/caisi", RelationType.CREATED) == ["org/biden-administration"]


def test_what_triggered_the_shutdown_and_who_disclosed_it(seed_store):
    shutdown = "incident/fable-5-access-shutdown"
    (cause,) = subjects(seed_store, shutdown, RelationType.TRIGGERED)
    # [15]: the shutdown stemmed from a paper, which showed the vulnerability.
    assert cause == "event/amazon-vulnerability-paper"
    assert seed_store.entity(cause).event_kind is EventKind.PAPER
    assert objects(seed_store, cause, RelationType.SHOWED) == ["incident/fable-5-vulnerability"]
    (wrote,) = relations(seed_store, cause, [RelationType.AUTHORED])
    assert (wrote.subject, wrote.qualifiers.role) == ("org/amazon", "researchers")
    assert subjects(seed_store, shutdown, RelationType.ORDERED) == ["org/white-house"]
    (order,) = relations(seed_store, shutdown, [RelationType.ORDERED])
    # [14] says less than 90 minutes: an upper bound, never an exact figure.
    assert (order.qualifiers.minutes_allowed, order.qualifiers.minutes_less_than) == (None, 90)
    assert seed_store.entity("model/fable-5").access_status is AccessStatus.SUSPENDED


def test_amazon_connects_to_anthropics_shutdown(seed_store):
    path = shortest_path(seed_store, "org/amazon", "incident/fable-5-access-shutdown")
    assert [r.type for r in path.relations] == [RelationType.AUTHORED, RelationType.TRIGGERED]
    assert all(r.citations for r in path.relations)


def test_what_the_june_2_order_requires(seed_store):
    order = "order/ai-model-review-order"
    signed = seed_store.entity(order).date_signed
    assert (signed.isoformat(), [p.value for p in signed.inferred]) == ("2026-06-02", ["year"])
    (window,) = relations(seed_store, order, [RelationType.ASKS])
    assert window.qualifiers.days_allowed == 30
    # The process is still to be developed: the order sets a deadline, it does not establish it.
    assert relations(seed_store, order, [RelationType.ESTABLISHES, RelationType.GRANTS_REVIEW_WINDOW_TO]) == []
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
