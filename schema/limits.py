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
``TOO_MANY_ITEMS``      a list in an argument (``where.some``...) longer than
                        ``max_input_items``
``STRING_TOO_LONG``     a string in an argument longer than ``max_string_length``
``TIMEOUT``             the request ran past ``time_limit`` seconds and
                        was stopped (checked while validating, admitting,
                        filtering and executing)
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
multiplicatively. Each relation condition of a ``where`` (``some``, ``none``)
adds :data:`FILTER_CONDITION_COST`, since it is checked for every candidate.
Fragments are costed (and depth-checked) once each, however often they are
spread.

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

from oversight_graph.graph import deadline
from oversight_graph.schema.context import Limits

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
    "TOO_MANY_ITEMS": "An argument's list has more items than max_input_items.",
    "STRING_TOO_LONG": "An argument's string is longer than max_string_length.",
    "TIMEOUT": "The request took longer than time_limit seconds (parsing, validation, admission or execution) and was stopped.",
}
"""Every limit's error code, with its meaning."""

FILTER_CONDITION_COST = 50
"""Cost of each relation condition of a ``where`` (``some``/``none``): each is checked against every candidate."""

COST_CEILING = 2**53 - 1
"""Highest cost reported: the largest integer every JSON client reads exactly."""

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
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    memo: dict[str, int],
) -> int:
    """Deepest field nesting under ``selection_set``; each fragment's depth is computed once.

    ``memo`` keeps the depth of every fragment met (a fragment in progress
    counts 0 there, so a cycle, which validation reports, ends the walk).
    """
    if selection_set is None:
        return 0
    deepest = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.name.value.startswith("__"):
                continue
            deepest = max(deepest, 1 + _depth(selection.selection_set, fragments, memo))
        elif isinstance(selection, InlineFragmentNode):
            deepest = max(deepest, _depth(selection.selection_set, fragments, memo))
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            known = memo.get(name)
            if known is None:
                fragment = fragments.get(name)
                memo[name] = 0
                known = memo[name] = _depth(fragment.selection_set, fragments, memo) if fragment else 0
            deepest = max(deepest, known)
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
            memo: dict[str, int] = {}
            for operation in operations:
                if _is_introspection(operation):
                    continue
                depth = _depth(operation.selection_set, fragments, memo)
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

    class Clock(ValidationRule):
        """Stop validating at the time limit (the document's size bounds it, this bounds its time)."""

        def __init__(self, context: Any) -> None:
            super().__init__(context)
            self.nodes = 0

        def enter(self, *_args: Any) -> None:
            self.nodes += 1
            if not self.nodes & 63:
                deadline.check()

    return [DocumentLimits, Clock]


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
        # Cost of each fragment per list size it is spread under, computed once
        # (a fragment in progress counts 0: a cycle, which validation reports, ends there).
        self.fragment_costs: dict[tuple[str, int], int] = {}
        self.fields = 0

    def arguments(self, field_def: GraphQLField, node: FieldNode) -> dict[str, Any]:
        if not field_def.args:
            return {}
        try:
            return get_argument_values(field_def, node, self.variables)
        except GraphQLError:
            return {}  # reported by execution with its path

    def inputs(self, name: str, args: dict[str, Any], node: FieldNode) -> int:
        """Check the sizes of the argument values; return how many relation conditions they hold."""
        limits = self.limits
        conditions = 0
        stack: list[tuple[str, Any]] = [(f"{name}.{k}", v) for k, v in args.items()]
        while stack:
            where, value = stack.pop()
            if isinstance(value, str):
                if len(value) > limits.max_string_length:
                    self.errors.append(
                        limit_error(
                            "STRING_TOO_LONG",
                            f"{where}: a string of {len(value)} characters; at most {limits.max_string_length} are allowed.",
                            node,
                            limit=limits.max_string_length,
                            actual=len(value),
                        )
                    )
            elif isinstance(value, list):
                if len(value) > limits.max_input_items and where != f"{name}.ids":
                    self.errors.append(
                        limit_error(
                            "TOO_MANY_ITEMS",
                            f"{where}: a list of {len(value)} items; at most {limits.max_input_items} are allowed.",
                            node,
                            limit=limits.max_input_items,
                            actual=len(value),
                        )
                    )
                    continue
                if where.endswith((".some", ".none")):
                    conditions += len(value)
                stack.extend((where, item) for item in value)
            elif isinstance(value, dict):
                stack.extend((f"{where}.{k}", v) for k, v in value.items())
        return conditions

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
    ) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field_cost(parent, selection, edges_size)
            elif isinstance(selection, InlineFragmentNode):
                inner = (
                    self.schema.get_type(selection.type_condition.name.value) if selection.type_condition else parent
                )
                total += self.cost(inner, selection.selection_set, edges_size)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment_cost(selection.name.value, edges_size)
        return total

    def fragment_cost(self, name: str, edges_size: int) -> int:
        key = (name, edges_size)
        known = self.fragment_costs.get(key)
        if known is None:
            fragment = self.fragments.get(name)
            self.fragment_costs[key] = 0
            known = 0
            if fragment is not None:
                inner = self.schema.get_type(fragment.type_condition.name.value)
                known = self.cost(inner, fragment.selection_set, edges_size)
            self.fragment_costs[key] = known
        return known

    def field_cost(self, parent: Any, node: FieldNode, edges_size: int) -> int:
        name = node.name.value
        fields = getattr(parent, "fields", None)
        if name.startswith("__") or not fields or name not in fields:
            return 0
        self.fields += 1
        if not self.fields & 63:
            deadline.check()
        field_def: GraphQLField = fields[name]
        args = self.arguments(field_def, node)
        self.check(name, args, node)
        filters = self.inputs(name, args, node) * FILTER_CONDITION_COST if args else 0
        return filters + self._field_cost(parent, node, name, field_def, args, edges_size)

    def _field_cost(
        self, parent: Any, node: FieldNode, name: str, field_def: GraphQLField, args: dict[str, Any], edges_size: int
    ) -> int:
        named = get_named_type(field_def.type)
        composite = is_composite_type(named)
        return_type = field_def.type.of_type if isinstance(field_def.type, GraphQLNonNull) else field_def.type
        first = args.get("first")
        page = first if isinstance(first, int) else self.limits.default_page_size
        page = max(page, 0)
        if isinstance(named, GraphQLObjectType) and "edges" in named.fields and "pageInfo" in named.fields:
            # A connection: its `first` sizes the `edges` list below.
            return 1 + self.cost(named, node.selection_set, page)
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
        return size * (own + self.cost(named, node.selection_set, 1))


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
    # Costs multiply, so a small document can estimate beyond any JSON number: saturate.
    cost = min(admission.cost(root, operation.selection_set), COST_CEILING)
    if cost > limits.max_cost:
        amount = f"at least {cost}" if cost == COST_CEILING else str(cost)
        admission.errors.append(
            limit_error(
                "QUERY_TOO_COSTLY",
                f"The operation's estimated cost is {amount}; the limit is {limits.max_cost}. Ask for smaller pages or fewer nested lists.",
                operation,
                limit=limits.max_cost,
                actual=cost,
            )
        )
    return cost, admission.errors
