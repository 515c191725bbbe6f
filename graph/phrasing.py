"""Relations as English sentences: how an entity is mentioned, and whether it names several.

:meth:`graph.vocabulary.RelationType.sentence` knows each type's verb
phrase; this module supplies the names to put around it. An entity is
mentioned by its name, with "the" before the names of government bodies,
teams, orders, events, incidents and agreements ("the Commerce Department",
"the Fable 5 access shutdown"), and a document's title and a question in
quotes. Names of things that are not proper nouns are written, as Wikidata
writes its labels, starting in lowercase ("hands-off approach to AI"), so
they read well inside a sentence; a sentence starting with one is
capitalized. A subject that
names several (an industry, a group of officials) takes a plural verb, and
an organization that wrote something through some of its people ("researchers
at Amazon", the ``role`` of an ``AUTHORED`` relation) is named that way.
"""

from __future__ import annotations

from oversight_graph.graph.enums import Kind, OrgCategory
from oversight_graph.graph.model import Entity, Organization, Relation
from oversight_graph.graph.vocabulary import RelationType

__all__ = ["mention", "names_several", "sentence"]

_BODIES = frozenset(
    {
        OrgCategory.GOVERNMENT,
        OrgCategory.GOVERNMENT_DEPARTMENT,
        OrgCategory.GOVERNMENT_AGENCY,
        OrgCategory.GOVERNMENT_UNIT,
        OrgCategory.EXECUTIVE_OFFICE,
        OrgCategory.ADMINISTRATION,
        OrgCategory.CORPORATE_UNIT,
    }
)
_SEVERAL = frozenset({OrgCategory.INDUSTRY, OrgCategory.OFFICIALS})
_HAPPENINGS = frozenset({Kind.ORDER, Kind.INCIDENT, Kind.AGREEMENT, Kind.EVENT})


def names_several(entity: Entity) -> bool:
    """Whether the entity's name stands for several (tech companies, officials), taking a plural verb."""
    return isinstance(entity, Organization) and entity.category in _SEVERAL


def mention(entity: Entity) -> str:
    """How a sentence names the entity.

    Examples
    --------
    >>> from graph.sample import sample_store
    >>> store = sample_store()
    >>> mention(store.entity("org/caisi")), mention(store.entity("org/meta"))
    ('the Center for AI Standards and Innovation', 'Meta')
    """
    name = entity.name
    if entity.kind is Kind.QUESTION:
        return f"the question “{name}”"
    if entity.kind is Kind.DOCUMENT:
        return f"“{name}”"
    first = name.split(" ", 1)[0]
    if name.startswith(("the ", "The ")) or first.endswith(("'s", "’s")):
        return name
    if entity.kind in _HAPPENINGS or (isinstance(entity, Organization) and entity.category in _BODIES):
        return f"the {name}"
    return name


def sentence(subject: Entity, relation: Relation, obj: Entity) -> str:
    """The relation as one English sentence (capitalized, no full stop), its verb agreeing with the subject.

    Examples
    --------
    >>> from graph.sample import sample_store
    >>> store = sample_store()
    >>> relation = store.relation("org/anthropic|DEVELOPED|model/fable-5")
    >>> sentence(store.entity("org/anthropic"), relation, store.entity("model/fable-5"))
    'Anthropic developed Fable 5'
    """
    named = mention(subject)
    several = names_several(subject)
    role = relation.qualifiers.role
    if relation.type is RelationType.AUTHORED and role is not None and subject.kind is Kind.ORGANIZATION:
        named = f"{role} at {subject.name}"
        several = role.endswith("s")
    said = relation.type.sentence(named, mention(obj), plural=several, subject_kind=subject.kind)
    purpose = relation.qualifiers.purpose
    if relation.type is RelationType.ASKS and purpose is not None:
        said += f" to {purpose}"  # "asks tech companies to let the government ..."
    first = said.split(" ", 1)[0]
    # "the ..." and lowercase names start the sentence capitalized; "xAI" stays as it is.
    return said[:1].upper() + said[1:] if first.islower() else said
