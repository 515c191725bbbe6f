"""A lean executor for validated query operations over the Strawberry schema.

graphql-core's executor spends most of a request on bookkeeping per field
(resolve-info objects, awaitable checks, incremental-delivery plumbing) and
Strawberry wraps each resolver once more to convert its arguments. For a
page of 100 entities with 10 cited relations each that is thousands of
fields, and that machinery costs several times the graph work itself.

This executor walks the same schema with the same resolvers but does the
per-field work once per field *in the document* rather than once per value:

- arguments are coerced (graphql-core) and converted to Python values
  (Strawberry) once per field node and reused for every source object;
- a field without a resolver is a plain ``getattr``;
- the object type of an abstract result is looked up by Python class;
- enum results are serialized through a dictionary.

Semantics follow the GraphQL specification's execution section: errors are
recorded with their path and location, a null in a non-null position
propagates to the nearest nullable parent, ``@skip``/``@include`` and
fragments are honoured. Operations this executor does not cover (anything
but a query, or introspection) are handed to graphql-core's own executor,
and a test compares both executors on a corpus of queries.

Compiling an operation into a :class:`Plan` (field lookups, how each value
is completed) is separate from running it, so a caller that sees the same
document again can reuse the plan; argument values, which depend on the
variables, are coerced per run.

Resolvers receive an ``info`` whose only attribute is ``context`` (and the
field name); resolvers in this schema must not need more.

**Fragments.** Run with ``fragments=True`` (the engine does), the response
of a graph record (the store's own entity or relation object)
under a selection that uses no variable and reaches into other objects
(a record's own scalars are as quick to answer afresh) is serialized once per graph
version and reused wherever the same selection meets the same record again,
in this request or a later one: each entity of a page with its relations,
each relation under either of its ends. The records under such a selection
are in its fragments already and get none of their own; and, as in the
engine's caches, a record's fragment is made only from its second sight. The serialized fragment goes into
the response as it is (``orjson.Fragment``). A record's fragment is kept only
if computing it raised no error and read nothing of the request but the
graph and the limits (the context is watched while it is computed): an
answer never depends on who asked or on another request. Entries are keyed
on the graph version, so a change set makes every earlier one unreachable,
and the cache is bounded in entries and bytes.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLIncludeDirective,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    execute,
    is_abstract_type,
    located_error,
)
from graphql.execution import Executor
from graphql.execution.values import get_argument_values, get_directive_values
from graphql.pyutils import inspect
from strawberry.types.arguments import convert_arguments

from oversight_graph.graph import deadline
from oversight_graph.graph import model as gm
from oversight_graph.graph.deadline import DeadlineExceeded
from oversight_graph.schema.cache import LRU, Doorkeeper

__all__ = ["DeadlineExceeded", "LeanExecutor", "Plan", "directive_variables"]


class _Null(Exception):
    """A non-null position became null; the error is already recorded."""


class _ResolverInfo:
    """What resolvers receive as ``info``: the request context and the field name."""

    __slots__ = ("context", "field_name")

    def __init__(self, context: Any, field_name: str) -> None:
        self.context = context
        self.field_name = field_name


_NO_ARGS: dict[str, Any] = {}
_SELECTIONS = itertools.count(1)
"""Numbers the memoizable selections of every plan, for the fragment cache's keys (never reused)."""


class _Watched:
    """The context as resolvers see it in a run with fragments: reading anything but the graph and the limits is counted.

    A fragment computed while the count moved depended on the request (its
    actor, its journal, its budget) and is not kept.
    """

    __slots__ = ("_context", "limits", "store", "touched")

    def __init__(self, context: Any) -> None:
        self._context = context
        self.store = context.store
        self.limits = context.limits
        self.touched = 0

    def __getattr__(self, name: str) -> Any:  # only for what the slots do not hold
        self.touched += 1
        return getattr(self._context, name)


# Check the clock (and give way, when paced) once every this many resolver
# calls and list items: a page of objects whose fields only read attributes
# calls no resolver, yet is most of the work of a large response.
_CLOCK_EVERY = 64


class _FieldPlan:
    """How to resolve one field definition: attribute read or resolver call."""

    __slots__ = (
        "arguments",
        "attribute",
        "field_def",
        "info_name",
        "name",
        "native",
        "parent_name",
        "parent_param",
        "resolver",
        "root_param",
        "self_param",
    )

    def __init__(self, parent: GraphQLObjectType, name: str, field_def: GraphQLField) -> None:
        self.parent_name = parent.name
        self.name = name
        self.field_def = field_def
        definition = (field_def.extensions or {}).get("strawberry-definition")
        base = getattr(definition, "base_resolver", None)
        self.arguments = getattr(definition, "arguments", None) or []
        self.attribute: str | None = None
        self.resolver: Callable[..., Any] | None = None
        self.self_param: bool = False
        self.root_param: str | None = None
        self.parent_param: str | None = None
        self.info_name: str | None = None
        self.native = definition is None
        if definition is None:
            # Not built by Strawberry: use graphql-core's resolver protocol.
            self.resolver = field_def.resolve
        elif base is None:
            self.attribute = definition.python_name
        else:
            self.resolver = base.wrapped_func
            self.self_param = base.self_parameter is not None
            self.root_param = base.root_parameter.name if base.root_parameter else None
            self.parent_param = base.parent_parameter.name if base.parent_parameter else None
            self.info_name = base.info_parameter.name if base.info_parameter else None


class LeanExecutor:
    """Execute query operations against a Strawberry-built schema.

    Parameters
    ----------
    schema
        The Strawberry schema (its graphql-core schema is used for types).
    fragment_entries, fragment_bytes
        Bounds of the fragment cache (``fragment_entries=0`` turns it off).
    """

    def __init__(self, schema: Any, fragment_entries: int = 400_000, fragment_bytes: int = 256 * 1024 * 1024) -> None:
        self.graphql_schema: GraphQLSchema = schema._schema
        self._registry = schema.schema_converter.scalar_registry
        self._config = schema.config
        self._plans: dict[tuple[str, str], _FieldPlan] = {}
        self._class_types: dict[tuple[str, type], GraphQLObjectType] = {}
        self._enum_names: dict[str, dict[Any, str]] = {}
        self._checked: dict[tuple[str, type], bool] = {}
        self.fragments: LRU[tuple[Any, ...], orjson.Fragment] = LRU(fragment_entries, fragment_bytes)
        """Serialized responses of keyed records under variable-free selections (see the module docstring)."""
        self.fragment_door = Doorkeeper(2 * fragment_entries)
        # The types whose values may be graph records (entities, relations), which fragments are kept for.
        entity = self.graphql_schema.get_type("Entity")
        self.record_types = frozenset(
            {"Entity", "Node", "Relation"}
            | {
                t.name
                for t in self.graphql_schema.type_map.values()
                if isinstance(t, GraphQLObjectType) and entity is not None and entity in t.interfaces
            }
        )
        self._stores: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()

    # -- entry points ----------------------------------------------------------
    def execute(
        self,
        document: DocumentNode,
        *,
        variables: dict[str, Any] | None = None,
        operation_name: str | None = None,
        context: Any = None,
        time_limit: float | None = None,
    ) -> ExecutionResult:
        """Execute a validated document; same result as graphql-core's ``execute``.

        Raises
        ------
        DeadlineExceeded
            If ``time_limit`` seconds pass before execution ends.
        """
        built = Executor.build(
            self.graphql_schema,
            document,
            context_value=context,
            raw_variable_values=variables,
            operation_name=operation_name,
        )
        if isinstance(built, list):
            return ExecutionResult(None, built)
        if not self.covers(built.operation):
            return self.hand_over(document, built.operation, variables, context)
        plan = self.compile(built.operation, built.fragment_definitions, built.variable_values)
        return self.run(plan, built.variable_values, context, time_limit=time_limit)

    def covers(self, operation: OperationDefinitionNode) -> bool:
        """Whether this executor runs ``operation`` (else :meth:`hand_over` it)."""
        return operation.operation is OperationType.QUERY and not _asks_introspection(operation.selection_set)

    def hand_over(
        self, document: DocumentNode, operation: OperationDefinitionNode, variables: dict[str, Any] | None, context: Any
    ) -> ExecutionResult:
        """Run an operation this executor does not cover with graphql-core."""
        result = execute(
            self.graphql_schema,
            document,
            context_value=context,
            variable_values=variables,
            operation_name=operation.name.value if operation.name else None,
        )
        assert isinstance(result, ExecutionResult)
        return result

    def compile(
        self, operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode], variables: Any
    ) -> Plan:
        """A plan for ``operation``; ``variables`` decide only ``@skip``/``@include``.

        The plan may be reused for any variables that give the same values
        to :func:`directive_variables` of the operation.
        """
        return Plan(self, operation, fragments, variables)

    def run(
        self,
        plan: Plan,
        variables: Any,
        context: Any,
        *,
        time_limit: float | None = None,
        arguments: dict[int, dict[str, Any]] | None = None,
        fragments: bool = False,
    ) -> ExecutionResult:
        """Run a compiled plan with coerced ``variables`` (graphql-core's ``VariableValues``).

        ``arguments`` keeps the field arguments computed for these variables;
        a caller running the same plan with the same variables again may pass
        the same dictionary to skip coercing them again.

        With ``fragments``, keyed records are answered from the fragment
        cache (see the module docstring) and the data may hold
        ``orjson.Fragment`` values: for a caller that serializes it with
        orjson, as the engine does.

        Raises
        ------
        DeadlineExceeded
            If ``time_limit`` seconds pass before execution ends.
        """
        with deadline.within(time_limit):
            return self._run(plan, variables, context, arguments, fragments)

    def _run(
        self,
        plan: Plan,
        variables: Any,
        context: Any,
        arguments: dict[int, dict[str, Any]] | None,
        fragments: bool = False,
    ) -> ExecutionResult:
        run = _Run(self, variables, context, arguments)
        if fragments and self.fragments.max_entries > 0 and getattr(context, "store", None) is not None:
            store = context.store
            number = self._stores.get(store)
            if number is None:
                number = self._stores[store] = next(_SELECTIONS)
            run.watched = _Watched(context)
            run.context = run.watched
            run.graph = (number, store.version)
        try:
            root = plan.root_steps()
        except GraphQLError as error:
            # The root selection's @skip/@include got an invalid value: the
            # whole request fails, as it does in graphql-core.
            return ExecutionResult(None, [error])
        try:
            data: dict[str, Any] | None = run.run_steps(plan.root_name, root, None, None)
        except _Null:
            data = None
        return ExecutionResult(data, run.errors or None)

    # -- per-schema caches -----------------------------------------------------
    def plan(self, parent: GraphQLObjectType, name: str) -> _FieldPlan:
        key = (parent.name, name)
        found = self._plans.get(key)
        if found is None:
            found = self._plans[key] = _FieldPlan(parent, name, parent.fields[name])
        return found

    def runtime_type(self, abstract: Any, value: Any) -> GraphQLObjectType:
        """The object type of ``value`` among ``abstract``'s possible types (cached per class)."""
        key = (abstract.name, type(value))
        found = self._class_types.get(key)
        if found is not None:
            return found
        definition = getattr(value, "__strawberry_definition__", None)
        for candidate in self.graphql_schema.get_possible_types(abstract):
            if definition is not None and candidate.name == definition.name:
                found = candidate
            elif candidate.is_type_of is not None and candidate.is_type_of(value, None):
                found = candidate
            if found is not None:
                self._class_types[key] = found
                return found
        raise TypeError(
            f"Abstract type {abstract.name} must resolve to an Object type at runtime; got {type(value).__name__}."
        )

    def is_type_of(self, type_: GraphQLObjectType, value: Any) -> bool:
        """Whether ``value`` may be returned as ``type_`` (cached per Python class)."""
        key = (type_.name, type(value))
        known = self._checked.get(key)
        if known is None:
            known = self._checked[key] = type_.is_type_of is None or bool(type_.is_type_of(value, None))
        return known

    def enum_names(self, type_: GraphQLEnumType) -> dict[Any, str]:
        """Python enum value → GraphQL enum value name, for serializing results."""
        names = self._enum_names.get(type_.name)
        if names is None:
            names = self._enum_names[type_.name] = {v.value: name for name, v in type_.values.items()}
        return names


def _asks_introspection(selection_set: SelectionSetNode) -> bool:
    # A fragment at the root might hide an introspection field: leave those to graphql-core too.
    return any(not isinstance(s, FieldNode) or s.name.value in ("__schema", "__type") for s in selection_set.selections)


def directive_variables(
    operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]
) -> tuple[str, ...]:
    """Names of the variables that ``@skip``/``@include`` read, sorted.

    A plan depends on the variables only through these. Only the fragments
    the operation reaches count: another operation's fragment may use the
    same variable name with another type.
    """
    names: set[str] = set()
    for node in _reachable([operation], fragments):
        for directive in getattr(node, "directives", None) or ():
            if directive.name.value in ("skip", "include"):
                for argument in directive.arguments:
                    if isinstance(argument.value, VariableNode):
                        names.add(argument.value.name.value)
    return tuple(sorted(names))


def _reachable(roots: Sequence[Any], fragments: dict[str, FragmentDefinitionNode]) -> Iterator[Any]:
    """Every node under ``roots`` (operations, selection sets, selections), following each spread fragment once."""
    stack: list[Any] = list(roots)
    spread: set[str] = set()
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, FragmentSpreadNode):
            name = node.name.value
            if name not in spread and name in fragments:
                spread.add(name)
                stack.append(fragments[name])
        selection_set = node if isinstance(node, SelectionSetNode) else getattr(node, "selection_set", None)
        if selection_set is not None:
            stack.extend(selection_set.selections)


Path = tuple[Any, ...]
"""A response path as nested pairs ``(parent, key)``, flattened only when an error needs it."""


def _flat(path: Path | None) -> list[Any]:
    keys: list[Any] = []
    while path is not None:
        path, key = path
        keys.append(key)
    keys.reverse()
    return keys


Completer = Callable[[Any, Any, "_Run"], Any]


class _Step:
    """One response key of a selection on one object type, ready to run."""

    __slots__ = ("attribute", "complete", "key", "nodes", "plan", "typename")

    def __init__(self, key: str, nodes: list[FieldNode], plan: _FieldPlan | None, complete: Completer | None) -> None:
        self.key = key
        self.nodes = nodes
        self.plan = plan
        self.complete = complete
        self.typename = plan is None
        # Set when the field only reads an attribute of its source.
        self.attribute = plan.attribute if plan is not None else None


class Plan:
    """A compiled query operation: for each selection, the fields to resolve and how to complete them.

    Built by :meth:`LeanExecutor.compile`. Steps of nested selections are
    compiled the first time a value of that type is met, then kept.
    """

    def __init__(
        self,
        executor: LeanExecutor,
        operation: OperationDefinitionNode,
        fragments: dict[str, FragmentDefinitionNode],
        variables: Any,
    ) -> None:
        self.executor = executor
        self.schema = executor.graphql_schema
        self.operation = operation
        self.fragments = fragments
        self._variables = variables
        self._root: list[_Step] | None = None
        root = self.schema.query_type
        assert root is not None
        self.root_type = root
        self.root_name = root.name

    def root_steps(self) -> list[_Step]:
        if self._root is None:
            self._root = self.steps(self.root_type, [self.operation.selection_set])
        return self._root

    # -- completing values -----------------------------------------------------------
    def completer(
        self, type_: GraphQLOutputType, plan: _FieldPlan, nodes: list[FieldNode], inside: bool = False
    ) -> Completer:
        """A function turning a resolved value of ``type_`` into its response value.

        A null in a non-null position, or an error, records an error and
        raises :class:`_Null`; the nearest nullable position turns that into
        null. Each kind of type gets its own small function with the null
        handling built in, because this runs once per value in the response.
        """
        non_null = isinstance(type_, GraphQLNonNull)
        named: GraphQLOutputType = type_.of_type if non_null else type_  # type: ignore[union-attr]
        message = f"Cannot return null for non-nullable field {plan.parent_name}.{plan.name}."

        def null(path: Path, run: _Run) -> None:
            if non_null:
                run.errors.append(located_error(TypeError(message), nodes, _flat(path)))
                raise _Null

        def failure(error: Exception, path: Path, run: _Run) -> None:
            run.errors.append(located_error(error, nodes, _flat(path)))
            if non_null:
                raise _Null

        if isinstance(named, GraphQLList):
            item = self.completer(named.of_type, plan, nodes, inside)

            def complete_list(value: Any, path: Path, run: _Run) -> Any:
                if value is None:
                    return null(path, run)
                if isinstance(value, Exception):
                    return failure(value, path, run)
                run.counter += len(value) if isinstance(value, (list, tuple)) else 1
                if run.counter >= run.next_check:
                    run.checkpoint()
                if non_null:
                    return [item(entry, (path, index), run) for index, entry in enumerate(value)]
                try:
                    return [item(entry, (path, index), run) for index, entry in enumerate(value)]
                except _Null:
                    return None

            return complete_list
        if isinstance(named, GraphQLScalarType):
            exact = _BUILTIN_LEAVES.get(named.name)
            serialize = named.serialize
            scalar = named

            def complete_scalar(value: Any, path: Path, run: _Run) -> Any:
                if type(value) is exact:
                    return value
                if value is None:
                    return null(path, run)
                if isinstance(value, Exception):
                    return failure(value, path, run)
                try:
                    return _serialize_scalar(scalar, serialize, value)
                except Exception as error:
                    # A value the type cannot represent (an Int above 2**31 - 1)
                    # is a field error, as in graphql-core.
                    return failure(error, path, run)

            return complete_scalar
        if isinstance(named, GraphQLEnumType):
            names = self.executor.enum_names(named)
            enum = named

            def complete_enum(value: Any, path: Path, run: _Run) -> Any:
                try:
                    return names[value.value]
                except (AttributeError, KeyError, TypeError):
                    if value is None:
                        return null(path, run)
                    if isinstance(value, Exception):
                        return failure(value, path, run)
                    try:
                        return enum.serialize(value)
                    except Exception as error:
                        return failure(error, path, run)

            return complete_enum
        selection_sets = [n.selection_set for n in nodes if n.selection_set]
        # Per Python class of value: the object type and the steps of the
        # sub-selection on it, found on first use.
        # The flag: whether the selection reaches into other objects (see `remembered`).
        by_class: dict[type, tuple[str, list[_Step], bool]] = {}
        executor = self.executor
        abstract = is_abstract_type(named)
        # A selection without variables gives the same answer for the same record at one graph version.
        # Inside a selection that is kept as fragments, the records under it are in those fragments already.
        selection = (
            next(_SELECTIONS)
            if not inside and named.name in executor.record_types and not self._uses_variables(selection_sets)
            else None
        )
        door = executor.fragment_door
        memo = executor.fragments
        kept = [True]  # False once a fragment of this selection depended on the request

        def remembered(value: Any, found: tuple[str, list[_Step], bool], path: Path, run: _Run) -> Any:
            key = _record_key(value, run.watched.store) if kept[0] else None  # type: ignore[union-attr]
            if key is None:
                return run.run_steps(found[0], found[1], value, path)
            entry = (selection, run.graph, type(value), key)
            fragment = memo.get(entry)
            if fragment is not None:
                return fragment
            if not door.again(entry):  # kept from the second sight, as the engine's own caches
                return run.run_steps(found[0], found[1], value, path)
            errors, touched = len(run.errors), run.watched.touched  # type: ignore[union-attr]
            data = run.run_steps(found[0], found[1], value, path)
            if len(run.errors) != errors:
                return data
            if run.watched.touched != touched:  # type: ignore[union-attr]
                kept[0] = False
                return data
            blob = orjson.dumps(data)
            fragment = orjson.Fragment(blob)
            memo.put(entry, fragment, len(blob) + len(key) + 200)
            return fragment

        def object_steps(value: Any) -> tuple[str, list[_Step], bool] | None:
            object_type = executor.runtime_type(named, value) if abstract else named
            if not abstract and not executor.is_type_of(object_type, value):  # type: ignore[arg-type]
                return None
            steps = self.steps(object_type, selection_sets, inside or selection is not None)  # type: ignore[arg-type]
            # Only a selection that reaches into other objects is worth a fragment: serializing
            # and looking up a record's few scalars costs about what answering them afresh does.
            deep = selection is not None and any(step.nodes[0].selection_set is not None for step in steps)
            found = (object_type.name, steps, deep)
            by_class[type(value)] = found
            return found

        def complete_object(value: Any, path: Path, run: _Run) -> Any:
            found = by_class.get(type(value))
            if found is None:
                if value is None:
                    return null(path, run)
                if isinstance(value, Exception):
                    return failure(value, path, run)
                try:
                    found = object_steps(value)
                except GraphQLError as error:
                    # A sub-selection's @skip/@include got an invalid value
                    # (null for its Boolean!): a field error here, as in
                    # graphql-core, which collects sub-fields per value.
                    return failure(error, path, run)
                if found is None:
                    error = GraphQLError(f"Expected value of type '{named.name}' but got: {inspect(value)}.")
                    return failure(error, path, run)
            if found[2] and run.graph is not None:
                if non_null:
                    return remembered(value, found, path, run)
                try:
                    return remembered(value, found, path, run)
                except _Null:
                    return None
            if non_null:
                return run.run_steps(found[0], found[1], value, path)
            try:
                return run.run_steps(found[0], found[1], value, path)
            except _Null:
                return None

        return complete_object

    def _uses_variables(self, selection_sets: Sequence[SelectionSetNode]) -> bool:
        """Whether a field argument anywhere under these selections (fragments included) reads a variable."""
        return any(
            isinstance(node, FieldNode) and any(_reads_variable(argument.value) for argument in node.arguments or ())
            for node in _reachable(selection_sets, self.fragments)
        )

    # -- selections ------------------------------------------------------------------
    def steps(
        self, type_: GraphQLObjectType, selection_sets: Sequence[SelectionSetNode], inside: bool = False
    ) -> list[_Step]:
        fields: dict[str, list[FieldNode]] = {}
        visited: set[str] = set()
        for selection_set in selection_sets:
            self._collect_into(type_, selection_set, fields, visited)
        found = []
        for response_key, nodes in fields.items():
            name = nodes[0].name.value
            if name == "__typename":
                found.append(_Step(response_key, nodes, None, None))
                continue
            plan = self.executor.plan(type_, name)
            found.append(_Step(response_key, nodes, plan, self.completer(plan.field_def.type, plan, nodes, inside)))
        return found

    def _collect_into(
        self,
        type_: GraphQLObjectType,
        selection_set: SelectionSetNode,
        fields: dict[str, list[FieldNode]],
        visited: set[str],
    ) -> None:
        for selection in selection_set.selections:
            if selection.directives and not self._included(selection):
                continue
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                fields.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                if selection.type_condition is None or self._applies(selection.type_condition.name.value, type_):
                    self._collect_into(type_, selection.selection_set, fields, visited)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in visited:
                    continue
                visited.add(name)
                fragment = self.fragments.get(name)
                if fragment is not None and self._applies(fragment.type_condition.name.value, type_):
                    self._collect_into(type_, fragment.selection_set, fields, visited)

    def _included(self, node: Any) -> bool:
        skip = get_directive_values(GraphQLSkipDirective, node, self._variables)
        if skip is not None and skip.get("if") is True:
            return False
        include = get_directive_values(GraphQLIncludeDirective, node, self._variables)
        return not (include is not None and include.get("if") is False)

    def _applies(self, condition: str, type_: GraphQLObjectType) -> bool:
        if condition == type_.name:
            return True
        conditional = self.schema.get_type(condition)
        return conditional is not None and is_abstract_type(conditional) and self.schema.is_sub_type(conditional, type_)  # type: ignore[arg-type]


def _record_key(value: Any, store: Any) -> str | None:
    """The key of ``value`` if it is the store's own entity or relation record (one per key and version)."""
    if isinstance(value, gm.Entity):
        return value.key if store.get(value.key) is value else None
    if isinstance(value, gm.Relation):
        try:
            return value.key if store.relation(value.key) is value else None
        except KeyError:
            return None
    return None


def _reads_variable(value: Any) -> bool:
    """Whether an argument's value (a literal, possibly a list or object holding variables) reads a variable."""
    if isinstance(value, VariableNode):
        return True
    if isinstance(value, ListValueNode):
        return any(_reads_variable(v) for v in value.values)
    if isinstance(value, ObjectValueNode):
        return any(_reads_variable(f.value) for f in value.fields)
    return False


class _Run:
    """State of one execution: errors, coerced arguments, the clock, the fragment cache's view."""

    __slots__ = (
        "_args",
        "_infos",
        "context",
        "counter",
        "errors",
        "executor",
        "graph",
        "next_check",
        "variables",
        "watched",
    )

    def __init__(
        self,
        executor: LeanExecutor,
        variables: Any,
        context: Any,
        arguments: dict[int, dict[str, Any]] | None = None,
    ) -> None:
        self.executor = executor
        self.variables = variables
        self.context = context
        self.errors: list[GraphQLError] = []
        self.counter = 0
        self.next_check = _CLOCK_EVERY
        self._args: dict[int, dict[str, Any]] = arguments if arguments is not None else {}
        self._infos: dict[str, _ResolverInfo] = {}
        self.graph: tuple[int, int] | None = None  # (the store's number, its version) when fragments are on
        self.watched: _Watched | None = None

    def run_steps(self, type_name: str, steps: list[_Step], source: Any, path: Path | None) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for step in steps:
            attribute = step.attribute
            if attribute is not None:
                # The common case inline: a field that reads an attribute.
                try:
                    value = getattr(source, attribute)
                except Exception as error:
                    result[step.key] = self.failed(step, error, (path, step.key))
                    continue
                result[step.key] = step.complete(value, (path, step.key), self)  # type: ignore[misc]
            elif step.typename:
                result[step.key] = type_name
            else:
                result[step.key] = self.field(step, source, (path, step.key))
        return result

    def checkpoint(self) -> None:
        """Check the clock (:func:`graph.deadline.check`); the next check comes ``_CLOCK_EVERY`` counts later."""
        self.next_check = self.counter + _CLOCK_EVERY
        deadline.check()

    def failed(self, step: _Step, error: Exception, path: Path) -> None:
        """Record a resolver's error; a non-null field passes the null up."""
        assert step.plan is not None
        self.errors.append(located_error(error, step.nodes, _flat(path)))
        if isinstance(step.plan.field_def.type, GraphQLNonNull):
            raise _Null from None

    def field(self, step: _Step, source: Any, path: Path) -> Any:
        plan = step.plan
        assert plan is not None and step.complete is not None
        self.counter += 1
        if self.counter >= self.next_check:
            self.checkpoint()
        try:
            value = self.call(plan, step.nodes[0], source)
        except DeadlineExceeded:
            raise
        except Exception as error:
            return self.failed(step, error, path)
        return step.complete(value, path, self)

    def info(self, plan: _FieldPlan) -> _ResolverInfo:
        found = self._infos.get(plan.name)
        if found is None:
            found = self._infos[plan.name] = _ResolverInfo(self.context, plan.name)
        return found

    def call(self, plan: _FieldPlan, node: FieldNode, source: Any) -> Any:
        assert plan.resolver is not None
        kwargs = self.arguments(plan, node)
        if plan.native:
            # A plain graphql-core resolver, not built by Strawberry.
            return plan.resolver(source, self.info(plan), **kwargs)
        if plan.root_param or plan.parent_param or plan.info_name:
            kwargs = dict(kwargs)
            if plan.root_param:
                kwargs[plan.root_param] = source
            if plan.parent_param:
                kwargs[plan.parent_param] = source
            if plan.info_name:
                kwargs[plan.info_name] = self.info(plan)
        if plan.self_param:
            return plan.resolver(source, **kwargs)
        return plan.resolver(**kwargs)

    def arguments(self, plan: _FieldPlan, node: FieldNode) -> dict[str, Any]:
        if not plan.field_def.args:
            return _NO_ARGS
        found = self._args.get(id(node))
        if found is None:
            raw = get_argument_values(plan.field_def, node, self.variables)
            if plan.arguments:
                found = convert_arguments(raw, plan.arguments, self.executor._registry, self.executor._config)
            else:
                found = raw
            self._args[id(node)] = found
        return found


_BUILTIN_LEAVES = {"String": str, "ID": str, "Boolean": bool}


def _serialize_scalar(type_: GraphQLScalarType, serialize: Callable[[Any], Any], value: Any) -> Any:
    if type_.name == "Int" and type(value) is int and -(2**31) <= value < 2**31:
        return value
    return serialize(value)
