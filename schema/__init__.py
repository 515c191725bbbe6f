"""The GraphQL schema of Oversight Graph.

``schema`` is the Strawberry schema; its SDL is committed as
``schema.graphql`` at the repository root (regenerate it with
``oversight schema > schema.graphql``). Resolvers find the store in the
request context (:class:`schema.context.Context`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import strawberry
from strawberry.extensions import DisableIntrospection, SchemaExtension
from strawberry.schema.config import StrawberryConfig

from oversight_graph.schema.context import Context, Info, Limits
from oversight_graph.schema.errors import ErrorCodes
from oversight_graph.schema.kinds import KIND_TYPES
from oversight_graph.schema.mutations import Mutation
from oversight_graph.schema.queries import Query
from oversight_graph.schema.scalars import SCALARS
from oversight_graph.schema.subscriptions import Subscription
from oversight_graph.schema.types import Relation

__all__ = ["Context", "Info", "Limits", "OversightSchema", "build_schema", "schema"]


class OversightSchema(strawberry.Schema):
    """The Strawberry schema, with error logging left to :class:`~schema.errors.ErrorCodes`.

    Strawberry logs every error with a traceback by default; here client
    mistakes (a bad date, an unknown id) are not logged at all, and
    unexpected failures are logged once, with the request id.
    """

    def process_errors(self, errors: Any, execution_context: Any = None) -> None:
        return None


def build_schema(
    extensions: Sequence[type[SchemaExtension] | SchemaExtension] = (),
    *,
    suggestions: bool = True,
    introspection: bool = True,
) -> OversightSchema:
    """Build the schema with extra extensions (limits, caches) before the error coder.

    Parameters
    ----------
    extensions
        Extensions to run in addition to :class:`~schema.errors.ErrorCodes`,
        which always runs last so it sees every error.
    suggestions
        Whether validation errors may suggest similar field names.
    introspection
        Whether introspection queries (``__schema``, ``__type``) are answered.
    """
    extra = [] if introspection else [DisableIntrospection]
    return OversightSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[*KIND_TYPES, Relation],
        extensions=[*extensions, *extra, ErrorCodes],
        config=StrawberryConfig(scalar_map=SCALARS, disable_field_suggestions=not suggestions),
    )


schema = build_schema()
"""The schema with default settings, for tests, tools and the SDL."""
