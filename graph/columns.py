"""A store pickled with its records in columns, so that millions of them load at C speed.

Pickle rebuilds a frozen dataclass through a Python call per object (it
has no constructor that C code can call), and the unpickler keeps every
object's argument tuples until the load ends: for the millions of records
of a large graph, that is most of a restart's time and a good part of its
memory. Here the records go first, grouped by class (and by number of
citations) and cut into chunks, as one list of values per field; their
citations likewise, and the small shared values they refer to (dates,
attributions, qualifiers) in chunks of their own before them. Reading a
chunk back creates its objects and fills each field's slot with ``map``
over the column, and the citations with ``tuple.__new__``: no Python code
runs per object. The store itself follows as an ordinary pickle in which
each of these objects is a persistent id, its position among the chunks,
so the graph's adjacency dicts, indexes and orders come back exactly as
they were, built by the unpickler.

One pickler writes all of it and one unpickler reads it, so an object
used in several places (an entity key, an interned attribution) is still
one object after loading.

Examples
--------
>>> import io
>>> from oversight_graph.graph.sample import sample_store
>>> store = sample_store()
>>> buffer = io.BytesIO()
>>> dump(store, {"note": 1}, buffer)
>>> loaded, extra = load(io.BytesIO(buffer.getvalue()))
>>> loaded.entity("org/meta") == store.entity("org/meta"), extra
(True, {'note': 1})
"""

from __future__ import annotations

import pickle
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import fields
from itertools import repeat
from typing import IO, Any

from oversight_graph.graph.dates import PartialDate
from oversight_graph.graph.model import Attribution, Citation, Entity, Qualifiers, Relation
from oversight_graph.graph.store import GraphStore

__all__ = ["FORMAT", "dump", "load"]

FORMAT = "oversight-graph-columns 2"
"""Names this layout; :func:`load` refuses anything else."""

_CHUNK = 50_000
"""Objects per chunk: bounds the columns held in memory at once, while writing and while reading."""

_VALUES = frozenset({PartialDate, Attribution, Qualifiers})
"""Classes of the immutable values records share; written in chunks before the records that use them."""
_CITATION_FIELDS: tuple[str, ...] = Citation._fields


def _layout(cls: type) -> tuple[tuple[str, ...], int | None]:
    """A class's field names and the position of its ``citations`` field (``None`` if it has none)."""
    names = tuple(f.name for f in fields(cls))
    return names, names.index("citations") if "citations" in names else None


class _Writer:
    """Writes chunks of objects, each after the chunks of the values it refers to."""

    def __init__(self, file: IO[bytes]) -> None:
        self.pickler = pickle.Pickler(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.ids: dict[int, int] = {}
        """``id()`` of every object written so far → its position; they stay alive (the store holds them)."""
        lookup = self.ids.get
        self.pickler.persistent_id = lambda obj: lookup(id(obj))  # type: ignore[method-assign]

    def write(self, cls: type, count: int, members: list[Any]) -> None:
        """Write ``members`` (of class ``cls``, with ``count`` citations each) as chunks."""
        names, citations_at = _layout(cls)
        for start in range(0, len(members), _CHUNK):
            chunk = members[start : start + _CHUNK]
            # The citations field stays empty: its values get columns of their own.
            columns = [[] if at == citations_at else [getattr(r, name) for r in chunk] for at, name in enumerate(names)]
            cited: list[list[Any]] = []
            if count:
                cited = [list(values) for values in zip(*(c for r in chunk for c in r.citations), strict=True)]
            for column in (*columns, *cited):
                self._values_in(column)
            ids = self.ids
            for member in chunk:
                ids[id(member)] = len(ids)
            # The field names go with the columns, so that a snapshot from code whose records
            # have other fields is refused rather than read into the wrong slots.
            self.pickler.dump((cls, names, count, len(chunk), columns, _CITATION_FIELDS if count else (), cited))
            # Written: the pickler's memo keeps these lists, so empty them.
            for column in (*columns, *cited):
                column.clear()

    def _values_in(self, column: list[Any]) -> None:
        """Write the values in ``column`` not written yet."""
        for cls in _VALUES.intersection(map(type, column)):
            ids = self.ids
            new = {id(v): v for v in column if type(v) is cls and id(v) not in ids}
            if new:
                self.write(cls, 0, list(new.values()))


def dump(store: GraphStore, extra: Any, file: IO[bytes]) -> None:
    """Pickle ``store`` (and ``extra``, anything picklable that goes with it) to ``file``.

    The store must not change while this runs.
    """
    groups: dict[tuple[type, int], list[Any]] = {}
    for record in _records(store):
        groups.setdefault((type(record), len(record.citations)), []).append(record)
    writer = _Writer(file)
    writer.pickler.dump(FORMAT)
    for (cls, count), members in groups.items():
        writer.write(cls, count, members)
    writer.pickler.dump(None)  # the end of the chunks
    writer.pickler.dump((store, extra))


def _records(store: GraphStore) -> Iterator[Entity | Relation]:
    yield from store.entities()
    yield from store.relations()


def load(file: IO[bytes]) -> tuple[GraphStore, Any]:
    """The store and ``extra`` that :func:`dump` wrote to ``file``.

    Raises
    ------
    pickle.UnpicklingError, ValueError, TypeError, EOFError
        If ``file`` does not hold what :func:`dump` writes.
    """
    unpickler = pickle.Unpickler(file)
    if unpickler.load() != FORMAT:
        raise pickle.UnpicklingError(f"not a store in the layout {FORMAT!r}")
    built: list[Any] = []
    # Chunks refer to the values of earlier chunks by position.
    unpickler.persistent_load = built.__getitem__  # type: ignore[method-assign]
    while (chunk := unpickler.load()) is not None:
        built += _built(*chunk)
    store, extra = unpickler.load()
    if not isinstance(store, GraphStore):
        raise TypeError(f"expected a graph store, found {type(store).__name__}")
    return store, extra


def _setter(cls: type, name: str) -> Callable[[Any, Any], None]:
    # A slot's own descriptor sets it past the frozen dataclass's __setattr__, as its __init__ does.
    set_slot: Callable[[Any, Any], None] = getattr(cls, name).__set__
    return set_slot


def _built(
    cls: type,
    written: tuple[str, ...],
    count: int,
    size: int,
    columns: list[list[Any]],
    cited_as: tuple[str, ...],
    cited: list[list[Any]],
) -> list[Any]:
    """The objects of one chunk, made from its columns (which are emptied)."""
    if not (cls in _VALUES or (isinstance(cls, type) and issubclass(cls, Entity | Relation))):
        raise TypeError(f"{cls!r} is not a record class")
    names, citations_at = _layout(cls)
    if written != names or cited_as != (_CITATION_FIELDS if count else ()):
        raise ValueError(f"{cls.__name__} records were written with other fields: {written} and citations {cited_as}")
    if len(columns) != len(names) or any(
        len(column) != (0 if at == citations_at else size) for at, column in enumerate(columns)
    ):
        raise ValueError(f"a chunk of {cls.__name__} objects has columns of the wrong shape")
    made: list[Any] = list(map(object.__new__, repeat(cls, size)))
    for at, (name, column) in enumerate(zip(names, columns, strict=True)):
        if at != citations_at:
            deque(map(_setter(cls, name), made, column), 0)
            column.clear()
    if citations_at is not None:
        grouped: Iterable[Any] = repeat((), size)
        if count:
            if len(cited) != len(_CITATION_FIELDS) or any(len(column) != size * count for column in cited):
                raise ValueError(f"a chunk of {cls.__name__} records has citations of the wrong shape")
            citations = map(tuple.__new__, repeat(Citation), zip(*cited, strict=True))
            grouped = zip(*[citations] * count, strict=True)
        deque(map(_setter(cls, "citations"), made, grouped), 0)
        for column in cited:
            column.clear()
    return made
