"""Limits that keep one request from monopolising the server.

Each limit rejects a request *before* it runs, with its own stable
``extensions.code`` and the numbers involved (``limit``, ``actual``):

======================  ====================================================
code                    limit
======================  ====================================================
``DOCUMENT_TOO_LARGE``  the document's size in bytes (``max_document_bytes``)
``TOO_MANY_TOKENS``     lexical tokens (``max_tokens``), enforced by the parser
``TOO_MANY_OPERATIONS`` operations defined in one document (``max_operations``)
``QUERY_TOO_DEEP``      field nesting (``max_depth``)
``TOO_MANY_ALIASES``    aliased fields (``max_aliases``)
``QUERY_TOO_COSTLY``    estimated cost of the operation (``max_cost``)
``PAGE_TOO_LARGE``      a ``first`` above ``max_page_size``, or more ``ids``
                        than ``max_ids``
``PATH_TOO_LONG``       ``path(maxLength:)`` above ``max_path_length``
``NEIGHBORHOOD_TOO_DEEP`` ``neighborhood(depth:)`` above ``max_neighborhood_depth``
``TIMEOUT``             the operation ran past ``time_limit`` seconds and
                        was stopped (this one is checked while running)
======================  ====================================================

**Depth** counts fields from the root: ``{ a { b } }`` is 2 deep.
Operations that only ask for introspection (``__schema``, ``__type``) are
not depth-checked; the token limit bounds them.

**Cost** estimates how many objects a response can hold. Every field that
returns an object costs 1 per object; the ``edges`` and ``pageInfo``
wrappers of a connection cost nothing. A list multiplies the cost of its
items by its size: ``first`` where the field has one (the default page size
when it is omitted), the number of ``ids`` for ``nodes``, the entity cap for
a neighbourhood, 3 for ``citations`` and 10 for any other list. Sizes nest
multiplicatively.

**Defaults.** GraphQL Armor's defaults are the starting point (depth 6,
aliases 15, tokens 1,000, cost 5,000). Aliases, tokens and cost are kept.
Depth is 12 rather than 6 because Relay connections add two levels
(``edges``, ``node``) per list: a page of entities with a page of their
cited relations and each citation's document,
``organizations/edges/node/relations/edges/node/citations/document/title``,
is 9 deep, and 6 would forbid the schema's own documented shape. The cost
model counts connection wrappers as free, so that page — 100 entities with
10 relations and their citations, the largest page a client may ask for
under the default page-size limit — costs 4,201 and fits under 5,000, while
a second nested page (100 × 100 × 10) costs over 100,000.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    get_named_type,
    is_composite_type,
)
from graphql.execution.values import get_argument_values

from schema.context import Limits

__all__ = ["LIMIT_CODES", "admit", "limit_error", "validation_rules"]

LIMIT_CODES = {
    "DOCUMENT_TOO_LARGE": "The document is larger than max_document_bytes.",
    "TOO_MANY_TOKENS": "The document has more lexical tokens than max_tokens.",
    "TOO_MANY_OPERATIONS": "The document defines more operations than max_operations.",
    "QUERY_TOO_DEEP": "An operation nests fields deeper than max_depth.",
    "TOO_MANY_ALIASES": "The document uses more aliases than max_aliases.",
    "QUERY_TOO_COSTLY": "The operation's estimated cost is above max_cost.",
    "PAGE_TOO_LARGE": "A first argument is above max_page_size, or nodes has more ids than max_ids.",
    "PATH_TOO_LONG": "path's maxLength is above max_path_length.",
    "NEIGHBORHOOD_TOO_DEEP": "neighborhood's depth is above max_neighborhood_depth.",
    "TIMEOUT": "The operation ran longer than time_limit seconds and was stopped.",
}
"""Every limit's error code, with its meaning."""

_WRAPPERS = frozenset({"edges", "pageInfo"})
_LIST_ESTIMATES = {"citations": 3}
_DEFAULT_LIST_ESTIMATE = 10


def limit_error(
    code: str, message: str, nodes: Any = None, *, limit: float, actual: float | None = None
) -> GraphQLError:
    """A GraphQL error for a broken limit, with its code, the limit and (when known) the actual value."""
    extensions: dict[str, Any] = {"code": code, "limit": limit}
    if actual is not None:
        extensions["actual"] = actual
    return GraphQLError(message, nodes, extensions=extensions)


# -- validation rules (cached with the document) ---------------------------------------
def _is_introspection(operation: OperationDefinitionNode) -> bool:
    return all(
        isinstance(s, FieldNode) and s.name.value.startswith("__") for s in operation.selection_set.selections
    ) and any(isinstance(s, FieldNode) and s.name.value != "__typename" for s in operation.selection_set.selections)


def _depth(
    selection_set: SelectionSetNode | None, fragments: dict[str, FragmentDefinitionNode], seen: frozenset[str]
) -> int:
    if selection_set is None:
        return 0
    deepest = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.name.value.startswith("__"):
                continue
            deepest = max(deepest, 1 + _depth(selection.selection_set, fragments, seen))
        elif isinstance(selection, InlineFragmentNode):
            deepest = max(deepest, _depth(selection.selection_set, fragments, seen))
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in seen:
                deepest = max(deepest, _depth(fragment.selection_set, fragments, seen | {name}))
    return deepest


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def validation_rules(limits: Limits) -> list[type[ASTValidationRule]]:
    """Validation rules enforcing the document limits (operations, depth, aliases)."""

    class DocumentLimits(ValidationRule):
        """Count operations, nesting and aliases of the whole document once."""

        def enter_document(self, node: DocumentNode, *_args: Any) -> None:
            operations = [d for d in node.definitions if isinstance(d, OperationDefinitionNode)]
            if len(operations) > limits.max_operations:
                self.report_error(
                    limit_error(
                        "TOO_MANY_OPERATIONS",
                        f"The document defines {len(operations)} operations; at most {limits.max_operations} are allowed.",
                        limit=limits.max_operations,
                        actual=len(operations),
                    )
                )
            fragments = _fragments(node)
            for operation in operations:
                if _is_introspection(operation):
                    continue
                depth = _depth(operation.selection_set, fragments, frozenset())
                if depth > limits.max_depth:
                    name = f"'{operation.name.value}'" if operation.name else "(anonymous)"
                    self.report_error(
                        limit_error(
                            "QUERY_TOO_DEEP",
                            f"Operation {name} nests fields {depth} levels deep; the limit is {limits.max_depth}.",
                            operation,
                            limit=limits.max_depth,
                            actual=depth,
                        )
                    )
            aliases = _count_aliases(node)
            if aliases > limits.max_aliases:
                self.report_error(
                    limit_error(
                        "TOO_MANY_ALIASES",
                        f"The document uses {aliases} aliases; at most {limits.max_aliases} are allowed.",
                        limit=limits.max_aliases,
                        actual=aliases,
                    )
                )

    return [DocumentLimits]


def _count_aliases(document: DocumentNode) -> int:
    count = 0
    stack: list[Any] = list(document.definitions)
    while stack:
        node = stack.pop()
        if isinstance(node, FieldNode) and node.alias is not None:
            count += 1
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            stack.extend(selection_set.selections)
    return count


# -- admission (needs the variables, so it runs per request) --------------------------------
class _Admission:
    def __init__(
        self, schema: GraphQLSchema, limits: Limits, variables: Any, fragments: dict[str, FragmentDefinitionNode]
    ) -> None:
        self.schema = schema
        self.limits = limits
        self.variables = variables
        self.fragments = fragments
        self.errors: list[GraphQLError] = []

    def arguments(self, field_def: GraphQLField, node: FieldNode) -> dict[str, Any]:
        if not field_def.args:
            return {}
        try:
            return get_argument_values(field_def, node, self.variables)
        except GraphQLError:
            return {}  # reported by execution with its path

    def check(self, name: str, args: dict[str, Any], node: FieldNode) -> None:
        limits = self.limits
        first = args.get("first")
        if isinstance(first, int) and first > limits.max_page_size:
            self.errors.append(
                limit_error(
                    "PAGE_TOO_LARGE",
                    f"{name}: first must be at most {limits.max_page_size}, got {first}.",
                    node,
                    limit=limits.max_page_size,
                    actual=first,
                )
            )
        ids = args.get("ids")
        if isinstance(ids, list) and len(ids) > limits.max_ids:
            self.errors.append(
                limit_error(
                    "PAGE_TOO_LARGE",
                    f"{name}: at most {limits.max_ids} ids are allowed, got {len(ids)}.",
                    node,
                    limit=limits.max_ids,
                    actual=len(ids),
                )
            )
        if (
            name == "neighborhood"
            and isinstance(args.get("depth"), int)
            and args["depth"] > limits.max_neighborhood_depth
        ):
            self.errors.append(
                limit_error(
                    "NEIGHBORHOOD_TOO_DEEP",
                    f"neighborhood: depth must be at most {limits.max_neighborhood_depth}, got {args['depth']}.",
                    node,
                    limit=limits.max_neighborhood_depth,
                    actual=args["depth"],
                )
            )
        if name == "path" and isinstance(args.get("maxLength"), int) and args["maxLength"] > limits.max_path_length:
            self.errors.append(
                limit_error(
                    "PATH_TOO_LONG",
                    f"path: maxLength must be at most {limits.max_path_length}, got {args['maxLength']}.",
                    node,
                    limit=limits.max_path_length,
                    actual=args["maxLength"],
                )
            )

    def cost(
        self,
        parent: Any,
        selection_set: SelectionSetNode | None,
        edges_size: int = 1,
        seen: frozenset[str] = frozenset(),
    ) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field_cost(parent, selection, edges_size, seen)
            elif isinstance(selection, InlineFragmentNode):
                inner = (
                    self.schema.get_type(selection.type_condition.name.value) if selection.type_condition else parent
                )
                total += self.cost(inner, selection.selection_set, edges_size, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is not None and name not in seen:
                    inner = self.schema.get_type(fragment.type_condition.name.value)
                    total += self.cost(inner, fragment.selection_set, edges_size, seen | {name})
        return total

    def field_cost(self, parent: Any, node: FieldNode, edges_size: int, seen: frozenset[str]) -> int:
        name = node.name.value
        fields = getattr(parent, "fields", None)
        if name.startswith("__") or not fields or name not in fields:
            return 0
        field_def: GraphQLField = fields[name]
        args = self.arguments(field_def, node)
        self.check(name, args, node)
        named = get_named_type(field_def.type)
        composite = is_composite_type(named)
        return_type = field_def.type.of_type if isinstance(field_def.type, GraphQLNonNull) else field_def.type
        first = args.get("first")
        page = first if isinstance(first, int) else self.limits.default_page_size
        page = max(page, 0)
        if isinstance(named, GraphQLObjectType) and "edges" in named.fields and "pageInfo" in named.fields:
            # A connection: its `first` sizes the `edges` list below.
            return 1 + self.cost(named, node.selection_set, page, seen)
        if isinstance(return_type, GraphQLList):
            if name == "edges":
                size = edges_size
            elif isinstance(args.get("ids"), list):
                size = len(args["ids"])
            elif "first" in field_def.args:
                size = page
            elif name in ("entities", "relations") and parent.name == "Subgraph":
                size = self.limits.max_neighborhood_entities
            else:
                size = _LIST_ESTIMATES.get(name, _DEFAULT_LIST_ESTIMATE)
        else:
            size = 1
        own = 1 if composite and name not in _WRAPPERS else 0
        return size * (own + self.cost(named, node.selection_set, 1, seen))


def admit(
    schema: GraphQLSchema,
    limits: Limits,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    variables: Any,
) -> tuple[int, list[GraphQLError]]:
    """Estimate an operation's cost and check its arguments against the limits.

    Returns the estimated cost and the errors (empty when the operation may run).
    """
    root = schema.get_root_type(operation.operation)
    admission = _Admission(schema, limits, variables, fragments)
    cost = admission.cost(root, operation.selection_set)
    if cost > limits.max_cost:
        admission.errors.append(
            limit_error(
                "QUERY_TOO_COSTLY",
                f"The operation's estimated cost is {cost}; the limit is {limits.max_cost}. Ask for smaller pages or fewer nested lists.",
                operation,
                limit=limits.max_cost,
                actual=cost,
            )
        )
    return cost, admission.errors
