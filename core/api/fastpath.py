"""The fast read path: every API list, export and record rendered from `.values()` rows.

A list page of a ModelSerializer pays, per row and field, for a model instance, attribute
descriptors, field objects and URL reversing; measured here, that is about ten times the cost of
fetching the same rows with SQL. The plan below renders the same JSON from `.values()` rows: URL
prefixes are reversed once, and related records' display names are joined into the row query
or read by id for the whole page. The plan is derived from the serializer, so the two paths
cannot drift apart (tests compare them byte for byte for every resource); a field the plan
cannot render keeps its resource on the serializer.

Beyond columns, a plan renders:
- a display computed in Python (`Model.display_values`, the columns `__str__` reads) by running
  the model's own `__str__` on a `RowView` of the row, so the rule is written once;
- a `SerializerMethodField` whose method is marked `@values_from(...)`: the same method, called
  with a `RowView` instead of an instance;
- a nested read-only list (`Child(many=True, read_only=True)` over a reverse foreign key) by one
  extra query per page, keyed by the parent's id, in the order of the viewset's `prefetches`;
- a many-to-many list of brief records (`BriefRelatedField(many=True)`), one query per page;
- related records a method reads through a relation (`@values_from(..., prefetch={"meeting__declarations":
  (...)})`): one query per page, handed to the method as `obj.meeting.declarations.all()`.

Only Django's public API is used (docs/decisions/0009-read-path.md; tests/platform/test_public_orm.py).
The row query joins at most JOIN_BUDGET tables (the planner's time grows fast with joins: a
16-table decisions query spent a second planning). A related record's display beyond that budget
is read by one query per related model for the whole page (`side lookups`), not one per row.
"""

from __future__ import annotations

import functools
import inspect
import re
import types
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import orjson
from django.core.exceptions import FieldDoesNotExist
from django.db import connections
from django.db.models import Expression, F, Lookup, Value
from django.db.models.functions import Coalesce, NullIf
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from rest_framework import fields as drf_fields
from rest_framework import serializers

from core.api.serializers import JOIN_BUDGET, BriefRelatedField

PLACEHOLDER = 987654321987


def display_expression(model, prefix: str = "") -> Expression | None:
    """The SQL for a record's `display`, where it is a column (or a short column rule)."""
    rule = getattr(model, "display_sql", None)
    if rule == "short_name_or_name":
        return Coalesce(NullIf(F(f"{prefix}short_name"), Value("")), F(f"{prefix}name"))
    if rule:
        return F(f"{prefix}{rule}")
    return None


def values_from(*lookups: str, prefetch: dict[str, tuple[str, ...]] | None = None):
    """Mark a serializer method (`get_<field>`) as computable from these `.values()` lookups: the
    fast path calls it with a `RowView`, which answers attribute access from the row.

    `prefetch` names reverse relations the method reads with `.all()` (`"route__stages"`), each
    with the columns it reads of them: fetched once per page, in the viewset's prefetch order."""

    def mark(method):
        method.values_from = lookups
        method.values_prefetch = dict(prefetch or {})
        return method

    return mark


def display_lookups(model) -> tuple[str, ...] | None:
    """The columns `str(record)` reads, where the model lists them (`display_values`)."""
    return getattr(model, "display_values", None)


_MISSING = object()
_CHOICE_DISPLAY = re.compile(r"get_(\w+)_display")


class RowView:
    """A `.values()` row seen as a model instance, for code written against instances.

    `view.matter.name` reads `row["matter__name"]`; `get_<field>_display()` the field's choice
    label; a property runs on the view. A column not fetched is an AttributeError naming it,
    so a method that reads more than it declares fails its test rather than rendering wrongly.
    """

    __slots__ = ("_id_key", "_model", "_prefix", "_row")

    def __init__(self, row: dict, model, prefix: str = "", id_key: str = ""):
        self._row, self._model, self._prefix = row, model, prefix
        self._id_key = id_key or f"{prefix}id"  # a related record's id is its foreign key's column

    def __getattr__(self, name):
        row, key = self._row, self._prefix + name
        if key in row:
            return row[key]
        if name in ("pk", "id"):
            return row[self._id_key]
        kind, payload = _resolve(self._model, name)
        if kind == "relation":
            id_key = self._prefix + payload.attname
            if id_key in row and row[id_key] is None:
                return None
            return RowView(row, payload.related_model, f"{key}__", id_key if id_key in row else "")
        if kind == "choice":
            attname, labels = payload
            value = getattr(self, attname)
            try:
                label = labels.get(value, value)
            except TypeError:  # an unhashable value (a list)
                label = labels.get(make_hashable(value), value)
            return lambda: force_str(label, strings_only=True)
        if kind == "property":
            return payload(self)
        if kind == "method":
            return types.MethodType(payload, self)
        if kind == "attribute":
            return payload
        raise AttributeError(f"{key!r} is not among the fetched columns")

    def __str__(self):
        return self._model.__str__(self)

    def __format__(self, spec):
        return format(str(self), spec)


_RESOLVED: dict[tuple[type, str], tuple[str, object]] = {}


def _resolve(model, name: str) -> tuple[str, object]:
    """What `name` is on `model`, for a RowView (worked out once per model and name)."""
    found = _RESOLVED.get((model, name))
    if found is not None:
        return found
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        field = None
    choice = _CHOICE_DISPLAY.fullmatch(name)
    static = inspect.getattr_static(model, name, _MISSING)
    if field is not None and field.concrete and (field.many_to_one or field.one_to_one):
        found = ("relation", field)
    elif field is not None:
        found = ("missing", None)
    elif choice:
        choice_field = model._meta.get_field(choice.group(1))
        found = ("choice", (choice_field.attname, dict(make_hashable(choice_field.flatchoices))))
    elif isinstance(static, property):
        found = ("property", static.fget)
    elif isinstance(static, cached_property):
        found = ("property", static.func)
    elif isinstance(static, types.FunctionType):
        found = ("method", static)
    elif static is _MISSING:
        found = ("missing", None)
    else:
        found = ("attribute", getattr(model, name))  # class attributes: choices enums, constants
    _RESOLVED[(model, name)] = found
    return found


class RowSet:
    """A prefetched reverse relation of a `RowView`: `.all()` gives the related rows as views."""

    __slots__ = ("_model", "_rows")

    def __init__(self, rows: list[dict], model):
        self._rows, self._model = rows, model

    def all(self):
        return [RowView(row, self._model) for row in self._rows]


@dataclass
class Column:
    name: str
    render: Callable[[dict], object]


class AnyOf(Lookup):
    """`column = ANY(%s)`, the whole list of ids one array parameter: the SQL is the same whatever
    the ids and however many. Not registered on any field: used as a filter expression
    (`filter(any_of("pk", ids))`), where Django takes lookups as they are."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, self.rhs]  # the list itself: `Replayed` finds it


def any_of(column: str, ids: list) -> AnyOf:
    """Rows whose `column` (a field name or a foreign key's column) is among `ids` (a list)."""
    return AnyOf(F(column), ids)


class Replayed:
    """A per-page query (a page's rows by id, a nested list, a side lookup) that differs from one
    page to the next only in its ids: run through the ORM the first time, then the statement
    Django sent is sent again with the next ids.

    Why: compiling such a query costs about as much as running it (bench/results.md), and a page
    has several. The statement is taken as Django sends
    it, through `connection.execute_wrapper` (the documented hook), with the ids one array
    parameter (`any_of`). Rows whose columns a field converts in Python (`from_db_value`: JSON)
    are not replayed, nor a statement whose row keys are not its columns' names.
    """

    def __init__(self, replayable: bool):
        self.replayable = replayable
        self.sql = None

    def rows(self, build: Callable[[list], object], ids, keys: list[str]) -> list[dict]:
        """The rows `build(ids)` selects; `keys`, the row keys asked for (checked against the
        columns' names where no row shows them, so that a query without rows is replayed too)."""
        ids = list(ids)
        if self.sql is not None:
            params = list(self.params)
            params[self.slot] = ids
            with connections[self.db].cursor() as cursor:
                cursor.execute(self.sql, params)
                return [dict(zip(self.names, row, strict=True)) for row in cursor.fetchall()]
        queryset = build(ids)
        sent = []

        def capture(execute, sql, params, many, context):
            result = execute(sql, params, many, context)
            sent.append((sql, params, [column[0] for column in context["cursor"].description or ()]))
            return result

        with connections[queryset.db].execute_wrapper(capture):
            rows = list(queryset)
        if self.replayable and len(sent) == 1:
            sql, params, names = sent[0]
            slots = [n for n, param in enumerate(params) if param is ids]
            if len(slots) == 1 and names == (list(rows[0]) if rows else list(keys)):
                self.sql, self.params, self.slot, self.db, self.names = (
                    sql,
                    list(params),
                    slots[0],
                    queryset.db,
                    names,
                )
        return rows


class Unsupported(Exception):
    """A serializer field the plan cannot render from rows; the message says which and why."""


class ValuesPlan:
    """How to render a serializer's fields from one `.values()` row."""

    def __init__(self, serializer_class):
        self.serializer_class = serializer_class
        self.model = serializer_class.Meta.model
        self.columns: list[str] = []
        self.annotations: dict[str, Expression] = {}
        self.builders: list[tuple[str, Callable]] = []
        self.structured: set[str] = set()  # fields whose values are lists or objects
        # name -> (source, child plan, foreign key name, its column): nested lists, one query per page
        self.nested: dict[str, tuple[str, ValuesPlan, str, str]] = {}
        # name -> (related model, the relation's name from it, display, its columns, its
        # annotations): many-to-many briefs, one query per page
        self.many: dict[str, tuple[type, str, Callable[[dict], str], list[str], dict]] = {}
        # path -> (parent key column, child model, its foreign key, columns): read by methods
        self.prefetched: dict[str, tuple[str, type, object, tuple[str, ...]]] = {}
        # related model -> (columns, annotations, display): displays read once per page, by id
        self.side: dict[type, tuple[list[str], dict, Callable[[dict], str]]] = {}
        self.joined: set[str] = set()  # relation paths joined into the row query
        # Why the serializer's fields cannot be rendered from rows (None: they can). Reported at
        # start-up by the `api.W001` system check (core/checks.py).
        self.reason: str | None = None
        # Per-page queries run again with other ids (`Replayed`): by name, and by name for each
        # viewset `Prefetch` queryset they read from.
        self.replayed: dict = {}
        self.replayed_from: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        try:
            self._build()
        except Unsupported as why:
            self.reason = str(why)
        self.supported = self.reason is None

    def _build(self) -> None:
        serializer = self.serializer_class()
        fields = [(name, field) for name, field in serializer.fields.items() if not field.write_only]
        # What must be joined (the record's own display, method fields) first; the related records'
        # displays then join while the budget lasts, and are side lookups beyond it.
        briefs = []
        for name, field in fields:
            if isinstance(field, BriefRelatedField):
                briefs.append((name, field))
                self.builders.append((name, None))
            else:
                self._add_field(serializer, name, field)
        for name, field in briefs:
            builder = self._brief(name, field)
            self.builders[[n for n, _ in self.builders].index(name)] = (name, builder)
        if "id" not in self.columns:
            self.columns.append("id")

    def _add_field(self, serializer, name: str, field) -> None:
        if name == "url" and isinstance(field, drf_fields.SerializerMethodField):
            view_name = getattr(self.serializer_class, "detail_view_name", "")
            if not view_name:
                raise Unsupported("`url`: the serializer has no `detail_view_name`")
            self.builders.append((name, _url_builder(view_name)))
        elif name == "display" and getattr(type(serializer), "get_display", None) is _base_get_display():
            display = self._display(self.model, "")
            if display is None:
                raise Unsupported(
                    f"`display`: {self.model.__name__} has no `display_sql` or `display_values`"
                )
            key = getattr(display, "raw_key", None)  # a column of the row, where the display is SQL
            self.builders.append(
                (name, _column(key) if key else lambda row, ctx, display=display: display(row))
            )
        elif isinstance(field, drf_fields.SerializerMethodField):
            method = getattr(type(serializer), field.method_name, None)
            lookups = getattr(method, "values_from", None)
            if lookups is None:
                raise Unsupported(
                    f"`{name}`: its method `{field.method_name}` is not marked `@values_from(...)`"
                )
            self._add_prefetched(name, getattr(method, "values_prefetch", {}))
            self._add_columns(lookups)
            self.builders.append((name, _method_builder(type(serializer), method, self.model)))
            self.structured.add(name)
        elif isinstance(field, serializers.ListSerializer):
            self._add_nested(name, field)
        elif isinstance(field, serializers.ManyRelatedField):
            self._add_many(name, field)
        elif isinstance(field, serializers.RelatedField | serializers.BaseSerializer):
            raise Unsupported(
                f"`{name}`: a {type(field).__name__} (only BriefRelatedField and read-only lists)"
            )
        else:
            source = field.source
            if "." in source or source == "*":
                raise Unsupported(f"`{name}`: its source `{source}` is not a column of the record")
            self._add_columns((source,))
            self.builders.append((name, _plain_builder(source, field)))
            if isinstance(field, drf_fields.ListField | drf_fields.JSONField | drf_fields.DictField):
                self.structured.add(name)

    def _brief(self, name: str, field):
        """A foreign key as `{id, url, display}`: its display joined, or a side lookup."""
        related_model = self._related_model(field)
        if related_model is None or not field.view_name or "." in field.source:
            raise Unsupported(f"`{name}`: not a foreign key of the record with a `view_name`")
        id_key = f"{field.source}_id"
        self._add_columns((id_key,))
        lookups, annotations, display = display_plan(related_model, f"{field.source}__")
        if display is None:
            raise Unsupported(f"`{name}`: {related_model.__name__} has no `display_sql` or `display_values`")
        needed = self._relations([*lookups, f"{field.source}__x"]) - self.joined
        if len(self.joined) + len(needed) <= JOIN_BUDGET:
            self.joined |= needed
            self._add_columns(lookups)
            self.annotations.update(annotations)
            return _related_builder(id_key, display, field.view_name)
        if related_model not in self.side:
            self.side[related_model] = display_plan(related_model, "")
        return _side_builder(id_key, related_model, field.view_name)

    def _relations(self, lookups) -> set[str]:
        """The relation paths (tables) these lookups join, from the model's own columns."""
        paths = set()
        for lookup in lookups:
            model, parts = self.model, lookup.split("__")
            for depth, part in enumerate(parts[:-1]):
                try:
                    field = model._meta.get_field(part)
                except FieldDoesNotExist:
                    break
                if not (field.many_to_one or field.one_to_one) or part == getattr(field, "attname", None):
                    break
                paths.add("__".join(parts[: depth + 1]))
                model = field.related_model
        return paths

    def _add_columns(self, lookups) -> None:
        lookups = list(lookups)
        self.joined |= self._relations(lookups)
        for lookup in lookups:
            if lookup not in self.columns:
                self.columns.append(lookup)

    def _related_model(self, field):
        if field.queryset is not None:
            return field.queryset.model
        try:
            return self.model._meta.get_field(field.source).related_model
        except FieldDoesNotExist:
            return None

    def _display(self, model, prefix: str) -> Callable[[dict], str] | None:
        """How to read `str(record)` for `model` at `prefix` from the row, its columns added."""
        lookups, annotations, display = display_plan(model, prefix)
        if display is not None:
            self._add_columns(lookups)
            self.annotations.update(annotations)
        return display

    def _add_nested(self, name: str, field) -> None:
        """A read-only list of a reverse foreign key's records, rendered by the child's own plan."""
        if not field.read_only or "." in field.source:
            raise Unsupported(f"`{name}`: a nested list must be read-only, over a relation of the record")
        relation = self._relation(name, field.source)
        if not relation.one_to_many or relation.concrete:
            raise Unsupported(f"`{name}`: a nested list must be a reverse foreign key")
        child = plan_for(type(field.child))
        if not child.supported:
            raise Unsupported(f"`{name}`: {child.reason}")
        if child.prefetched:
            raise Unsupported(f"`{name}`: its records' methods read related lists (`prefetch=`)")
        fk = relation.field
        self.nested[name] = (field.source, child, fk.name, fk.attname)
        self.builders.append((name, lambda row, ctx, name=name: ctx["_children"][name].get(row["id"], [])))
        self.structured.add(name)

    def _relation(self, name: str, source: str):
        try:
            return self.model._meta.get_field(source)
        except FieldDoesNotExist:
            raise Unsupported(f"`{name}`: `{source}` is not a relation of {self.model.__name__}") from None

    def _add_many(self, name: str, field) -> None:
        """A many-to-many list of brief records (`BriefRelatedField(many=True)`)."""
        child = field.child_relation
        if not isinstance(child, BriefRelatedField) or not child.view_name or "." in field.source:
            raise Unsupported(
                f"`{name}`: a many-to-many list must be of BriefRelatedField with a `view_name`"
            )
        relation = self._relation(name, field.source)
        if not relation.many_to_many or not relation.concrete:
            raise Unsupported(f"`{name}`: not a many-to-many field of {self.model.__name__}")
        related_model = relation.related_model
        lookups, annotations, display = display_plan(related_model, "")
        if display is None:
            raise Unsupported(f"`{name}`: {related_model.__name__} has no `display_sql` or `display_values`")
        self.many[name] = (related_model, relation.related_query_name(), display, lookups, annotations)
        view_name = child.view_name
        self.builders.append((name, _many_builder(name, view_name)))
        self.structured.add(name)

    def _add_prefetched(self, name: str, prefetch: dict[str, tuple[str, ...]]) -> None:
        for path, columns in prefetch.items():
            *through, last = path.split("__")
            model, key = self.model, "id"
            for depth, part in enumerate(through):
                field = model._meta.get_field(part)
                if not (field.many_to_one or field.one_to_one):
                    raise Unsupported(f"`{name}`: prefetch `{path}` must go through foreign keys")
                key = "__".join([*through[:depth], field.attname])  # the parent's id, in the row
                model = field.related_model
            relation = model._meta.get_field(last)
            if not relation.one_to_many or relation.concrete:
                raise Unsupported(f"`{name}`: prefetch `{path}` must end in a reverse foreign key")
            if through:
                self._add_columns((key,))
            self.prefetched[path] = (key, relation.related_model, relation.field, tuple(columns))

    def queryset(self, queryset):
        # Prefetches apply to instances, not dicts: nested lists are fetched by render() instead.
        return queryset.prefetch_related(None).values(*self.columns, **self.annotations)

    @cached_property
    def names(self) -> list[str]:
        """The keys of a row: the columns, then the annotations (as `queryset()` selects them)."""
        return [*self.columns, *self.annotations]

    @cached_property
    def tables(self) -> set[str]:
        """The tables the row query joins besides the record's own (for the join budget's paging)."""
        tables = set()
        for path in self.joined:
            model = self.model
            for part in path.split("__"):
                model = model._meta.get_field(part).related_model
            tables.add(model._meta.db_table)
        return tables - {self.model._meta.db_table}

    def replay(self, name: str, model, lookups, annotations, source=None) -> Replayed:
        """The `Replayed` query called `name` (one per `source` queryset), made the first time."""
        cache = self.replayed if source is None else self.replayed_from.setdefault(source, {})
        found = cache.get(name)
        if found is None:
            found = cache[name] = Replayed(not _converted(model, lookups, annotations))
        return found

    def rows_by_ids(self, ids) -> list[dict]:
        """The rows of these ids (already chosen through the user's scope and the list's filters)."""
        return self.replay("rows", self.model, self.columns, self.annotations).rows(
            lambda ids: self.queryset(self.model._base_manager.filter(any_of("pk", ids)).order_by()),
            ids,
            self.names,
        )

    def view_names(self) -> set[str]:
        names = {builder.view_name for _, builder in self.builders if hasattr(builder, "view_name")}
        for _, child, _, _ in self.nested.values():
            names |= child.view_names()
        return names

    def context(self, request, detail_view_name: str, prefetches=()) -> dict:
        """Per request: URL prefixes, the querysets nested lists and prefetched relations are read
        from (the viewset's own `Prefetch` for that path where it declares one, for its order), and
        a serializer for the method fields (they may read the request from its context)."""

        script_prefix, urlconf = get_script_prefix(), get_urlconf()
        prefixes = {
            view_name: request.build_absolute_uri(_path_prefix(view_name, script_prefix, urlconf))
            for view_name in {detail_view_name} | self.view_names()
        }
        ordered = {
            prefetch.prefetch_through: prefetch.queryset
            for prefetch in prefetches
            if prefetch.queryset is not None
        }
        return {
            "prefixes": prefixes,
            "prefetch_querysets": ordered,
            "serializers": {},
            "request": request,
        }

    def children(self, rows, ctx: dict) -> dict[str, dict[int, list]]:
        """Each nested list's rendered records by parent id: one query per list for the page."""
        found: dict[str, dict[int, list]] = {}
        ids = [row["id"] for row in rows]
        top = ctx.get("_depth", 0) == 0
        for name, (source, child, fk_name, fk_column) in self.nested.items():
            found[name] = by_parent = {}
            if not ids:
                continue
            child_rows = self._rows_by_parent(
                f"nested:{name}",
                ctx["prefetch_querysets"].get(source) if top else None,
                child.model,
                (fk_name, fk_column),
                ids,
                [c for c in child.columns if c != fk_column],
                child.annotations,
            )
            # All the page's children rendered at once: their own per-page queries run once.
            rendered = child.render(child_rows, {**ctx, "_depth": ctx.get("_depth", 0) + 1})
            for row, record in zip(child_rows, rendered, strict=True):
                by_parent.setdefault(row[fk_column], []).append(record)
        for name, (related_model, query_name, display, lookups, expressions) in self.many.items():
            found[name] = by_parent = {}
            if not ids:
                continue
            replayed = self.replay(f"many:{name}", related_model, lookups, expressions)
            found_rows = replayed.rows(
                lambda ids, m=related_model, q=query_name, c=lookups, e=expressions: (
                    m._default_manager.filter(any_of(q, ids)).values(q, "id", *c, **e)
                ),
                ids,
                [query_name, "id", *lookups, *expressions],
            )
            for row in found_rows:
                by_parent.setdefault(row[query_name], []).append((row["id"], display(row)))
        return found

    def prefetch(self, rows, ctx: dict) -> None:
        """The reverse relations methods read, into each row (`RowView` hands them to `.all()`)."""
        for path, (key, child_model, fk, columns) in self.prefetched.items():
            parents = {row[key] for row in rows if row[key] is not None}
            grouped: dict[int, list[dict]] = {}
            if parents:
                source = ctx["prefetch_querysets"].get(path)
                found = self._rows_by_parent(
                    f"prefetch:{path}", source, child_model, (fk.name, fk.attname), sorted(parents), columns
                )
                for row in found:
                    grouped.setdefault(row[fk.attname], []).append(row)
            for row in rows:
                row[path] = RowSet(grouped.get(row[key], []), child_model)

    def _rows_by_parent(
        self, name: str, source, model, fk: tuple[str, str], ids, columns, annotations=None
    ) -> list[dict]:
        """The rows of `model` whose foreign key `fk` (name, column) is among `ids`, with `columns`:
        from `source` (the viewset's `Prefetch` queryset, in its order) or the model's default
        manager, in order within each parent; one query."""
        fk_name, fk_column = fk
        base = source if source is not None else within_parent_order(model, fk_name, fk_column)
        annotations = annotations or {}

        def build(ids):
            found = base.select_related(None).prefetch_related(None).filter(any_of(fk_column, ids))
            return found.values(fk_column, *columns, **annotations)

        keys = [fk_column, *columns, *annotations]
        return self.replay(name, model, columns, annotations, source).rows(build, ids, keys)

    def side_displays(self, rows) -> dict[type, dict[int, str]]:
        """The displays of related records beyond the join budget: one query per related model."""
        found: dict[type, dict[int, str]] = {}
        id_keys: dict[type, list[str]] = {}
        for _, build in self.builders:
            if getattr(build, "side_model", None) is not None:
                id_keys.setdefault(build.side_model, []).append(build.id_key)
        for model, keys in id_keys.items():
            ids = {row[key] for row in rows for key in keys if row[key] is not None}
            display = self.side[model][2]
            found[model] = displays = {}
            if ids:
                lookups, expressions, _ = self.side[model]
                replayed = self.replay(f"side:{model._meta.label}", model, lookups, expressions)
                found_rows = replayed.rows(
                    lambda ids, m=model, c=lookups, e=expressions: (
                        m._base_manager.filter(any_of("pk", ids)).order_by().values("id", *c, **e)
                    ),
                    sorted(ids),
                    ["id", *lookups, *expressions],
                )
                for row in found_rows:
                    displays[row["id"]] = display(row)
        return found

    def flat_columns(self) -> tuple[list[str], list[Callable], list[bool]]:
        """CSV columns, as the export flattens a rendered row (a related record is its id under
        `<name>_id`, a list is joined with "; "), read straight from the `.values()` row; and
        which of them may hold text (ids, numbers, dates and URLs cannot)."""
        names, getters, text = [], [], []
        for name, build in self.builders:
            if hasattr(build, "id_key"):
                names.append(f"{name}_id")
                getters.append(_column(build.id_key))
                text.append(False)
            elif name in self.structured:
                names.append(name)
                getters.append(_flattened(build))
                text.append(True)
            else:
                names.append(name)
                getters.append(build)
                text.append(not getattr(build, "not_text", False))
        return names, getters, text

    def prepare(self, rows, ctx: dict, displays: bool = True) -> dict:
        """What a batch of rows needs before its fields are built: the per-page queries. A CSV
        names related records by id alone, so it does without their displays (`displays=False`)."""
        if self.nested or self.many:
            ctx = {**ctx, "_children": self.children(rows, ctx)}
        if self.side and displays:
            ctx = {**ctx, "_side": self.side_displays(rows)}
        if self.prefetched:
            self.prefetch(rows, ctx)
        return ctx

    def render(self, rows, ctx: dict) -> list[dict]:
        builders = self.builders
        ctx = self.prepare(rows, ctx)
        return [{name: build(row, ctx) for name, build in builders} for row in rows]


def _converted(model, lookups, annotations) -> bool:
    """Whether a field among these columns (or the columns these annotations read) converts its
    values in Python (`from_db_value`, as a JSON field does): then only the ORM reads them."""
    names = list(lookups)
    for expression in annotations.values():
        names += _references(expression)
    for name in names:
        field, current = None, model
        for part in name.split("__"):
            try:
                field = current._meta.get_field(part)
            except FieldDoesNotExist:
                return True  # not a plain column path: leave it to the ORM
            current = field.related_model or current
        if hasattr(field, "from_db_value") or hasattr(getattr(field, "target_field", None), "from_db_value"):
            return True
    return False


def _references(expression) -> list[str]:
    """The column names (`F`) an expression reads."""
    if isinstance(expression, F):
        return [expression.name]
    return [name for source in expression.get_source_expressions() for name in _references(source)]


def within_parent_order(model, fk_name: str, fk_column: str):
    """`model`'s records in their default order, except that a model ordered by its parent first
    (`ordering = ["decision", ...]`) would sort by the parent's own ordering, joining its tables
    (a decision's body and partnership): grouped by parent, only the order within each parent
    matters, which the parent's id gives as well."""
    queryset = model._default_manager.all()
    ordering = list(model._meta.ordering)
    if ordering and ordering[0] == fk_name:
        return queryset.order_by(fk_column, *ordering[1:])
    return queryset


def stream_rows(values, names: list[str], chunk_size: int):
    """The rows of `values` (a plan's `.values()` queryset; `names`, its keys) from a server-side
    cursor, each made with `dict(zip())`: Django's own dict per row costs an export about a third
    of its time."""
    for row in values.values_list(*names).iterator(chunk_size=chunk_size):
        yield dict(zip(names, row, strict=True))


def display_plan(model, prefix: str) -> tuple[list[str], dict, Callable[[dict], str] | None]:
    """The columns, annotations and function that read `str(record)` for `model` at `prefix` from a
    row: a SQL column where the model gives one (`display_sql`), else its own `__str__` run on the
    row (`display_values`, the columns it reads)."""
    expression = display_expression(model, prefix)
    if expression is not None:
        key = "_" + prefix.replace("__", "_") + "display"

        def display(row):
            return row[key]

        display.raw_key = key
        return [], {key: expression}, display
    lookups = display_lookups(model)
    if lookups is None:
        return [], {}, None
    return (
        [f"{prefix}{lookup}" for lookup in lookups],
        {},
        lambda row: model.__str__(RowView(row, model, prefix)),
    )


@functools.lru_cache(maxsize=512)
def _path_prefix(view_name: str, script_prefix: str, urlconf) -> str:
    """The path of a record at `view_name`, up to its id (reversed once, not per request)."""
    return reverse(view_name, kwargs={"pk": PLACEHOLDER}, urlconf=urlconf).split(str(PLACEHOLDER))[0]


def _base_get_display():
    from core.api.serializers import RegistrySerializer

    return RegistrySerializer.get_display


def _related_builder(id_key: str, display: Callable[[dict], str], view_name: str):
    def build(row, ctx):
        pk = row[id_key]
        if pk is None:
            return None
        return {"id": pk, "url": f"{ctx['prefixes'][view_name]}{pk}/", "display": display(row)}

    build.view_name = view_name
    build.id_key = id_key
    return build


def _method_builder(serializer_class, method, model):
    def build(row, ctx):
        # One serializer per request, for methods that read the request from its context.
        serializers_ = ctx["serializers"]
        serializer = serializers_.get(serializer_class)
        if serializer is None:
            context = {"request": ctx["request"], "brief": False}
            serializer = serializers_[serializer_class] = serializer_class(context=context)
        return method(serializer, RowView(row, model))

    return build


def _url_builder(view_name: str):
    def build(row, ctx):
        return f"{ctx['prefixes'][view_name]}{row['id']}/"

    build.view_name, build.not_text = view_name, True
    return build


def _side_builder(id_key: str, model, view_name: str):
    def build(row, ctx):
        pk = row[id_key]
        if pk is None:
            return None
        return {"id": pk, "url": f"{ctx['prefixes'][view_name]}{pk}/", "display": ctx["_side"][model][pk]}

    build.view_name, build.id_key, build.side_model = view_name, id_key, model
    return build


def _many_builder(name: str, view_name: str):
    def build(row, ctx):
        prefix = ctx["prefixes"][view_name]
        return [
            {"id": pk, "url": f"{prefix}{pk}/", "display": display}
            for pk, display in ctx["_children"][name].get(row["id"], [])
        ]

    build.view_name = view_name
    return build


def _column(key: str):
    def build(row, ctx):
        return row[key]

    build.raw_key = key  # the cell is the row's value as it is (the CSV export picks these in bulk)
    return build


def flat_cell(value):
    """A rendered value as one CSV cell: a list of names (or of records with a display) as the names
    joined with "; ", any other nested value as its JSON (never Python's text of it); an object as
    its id (or, without one, its JSON)."""
    if isinstance(value, list):
        if all(not isinstance(v, dict | list) or (isinstance(v, dict) and "display" in v) for v in value):
            return "; ".join(str(v["display"] if isinstance(v, dict) else v) for v in value)
        return orjson.dumps(value, default=str).decode()
    if isinstance(value, dict):
        return value.get("id", orjson.dumps(value).decode())
    return value


def _flattened(build):
    return lambda row, ctx: flat_cell(build(row, ctx))


def _plain_builder(source: str, field):
    if isinstance(field, drf_fields.DecimalField | drf_fields.DateTimeField):

        def build(row, ctx):
            value = row[source]
            return None if value is None else field.to_representation(value)

    elif isinstance(field, drf_fields.DateField):

        def build(row, ctx):
            value = row[source]
            return None if value is None else value.isoformat()

        build.raw_key = source  # in CSV a date is written as its ISO form
    else:

        def build(row, ctx):
            return row[source]

        build.raw_key = source

    # Text a spreadsheet could read as a formula comes only from character and choice fields.
    build.not_text = not isinstance(field, drf_fields.CharField | drf_fields.ChoiceField)
    return build


_PLANS: dict[type, ValuesPlan] = {}


def plan_for(serializer_class) -> ValuesPlan:
    if serializer_class not in _PLANS:
        _PLANS[serializer_class] = ValuesPlan(serializer_class)
    return _PLANS[serializer_class]
