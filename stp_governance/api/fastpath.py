"""The fast read path for hot list endpoints.

A list page of a ModelSerializer pays, per row and field, for a model instance, attribute
descriptors, field objects and URL reversing; measured here, that is about ten times the cost of
fetching the same rows with SQL. For serializers whose fields are plain columns and brief
foreign keys, the plan below renders the same JSON from `.values()` rows: the URL prefixes
are reversed once per request and the related records' display names are fetched in the
same query. The plan is derived from the serializer, so the two paths cannot drift apart
(tests compare them for every endpoint that uses it).

Beyond columns, a plan renders:
- a display computed in Python (`Model.display_values`, the columns `__str__` reads) by running
  the model's own `__str__` on a `RowView` of the row, so the rule is written once;
- a `SerializerMethodField` whose method is marked `@values_from(...)`: the same method, called
  with a `RowView` instead of an instance;
- a nested read-only list (`Child(many=True, read_only=True)` over a reverse foreign key) by one
  extra query per page, keyed by the parent's id, in the order the viewset prefetches it.
"""

from __future__ import annotations

import inspect
import re
import types
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import orjson
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Expression, F, Prefetch, Value
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from rest_framework import fields as drf_fields
from rest_framework import serializers

from stp_governance.api.serializers import BriefRelatedField

PLACEHOLDER = 987654321987


def display_expression(model, prefix: str = "") -> Expression | None:
    """The SQL for a record's `display`, where it is a column (or a short column rule)."""
    rule = getattr(model, "display_sql", None)
    if rule == "short_name_or_name":
        return Coalesce(NullIf(F(f"{prefix}short_name"), Value("")), F(f"{prefix}name"))
    if rule:
        return F(f"{prefix}{rule}")
    return None


def values_from(*lookups: str):
    """Mark a serializer method (`get_<field>`) as computable from these `.values()` lookups: the
    fast path calls it with a `RowView`, which answers attribute access from the row."""

    def mark(method):
        method.values_from = lookups
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

    __slots__ = ("_model", "_prefix", "_row")

    def __init__(self, row: dict, model, prefix: str = ""):
        self._row, self._model, self._prefix = row, model, prefix

    def __getattr__(self, name):
        row, model, key = self._row, self._model, self._prefix + name
        if key in row:
            return row[key]
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            field = None
        if field is not None and field.concrete and (field.many_to_one or field.one_to_one):
            id_key = self._prefix + field.attname
            if id_key in row and row[id_key] is None:
                return None
            return RowView(row, field.related_model, f"{key}__")
        if field is not None:
            raise AttributeError(f"{key!r} is not among the fetched columns")
        choice = _CHOICE_DISPLAY.fullmatch(name)
        if choice:
            choice_field = model._meta.get_field(choice.group(1))
            value = getattr(self, choice_field.attname)
            labels = dict(make_hashable(choice_field.flatchoices))
            return lambda: force_str(labels.get(make_hashable(value), value), strings_only=True)
        static = inspect.getattr_static(model, name, _MISSING)
        if isinstance(static, property):
            return static.fget(self)
        if isinstance(static, cached_property):
            return static.func(self)
        if isinstance(static, types.FunctionType):
            return types.MethodType(static, self)
        if static is _MISSING:
            raise AttributeError(f"{key!r} is not among the fetched columns")
        return getattr(model, name)  # class attributes: choices enums, constants

    def __str__(self):
        return self._model.__str__(self)

    def __format__(self, spec):
        return format(str(self), spec)


@dataclass
class Column:
    name: str
    render: Callable[[dict], object]


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
        self.supported = self._build()

    def _build(self) -> bool:
        serializer = self.serializer = self.serializer_class()
        for name, field in serializer.fields.items():
            if field.write_only:
                continue
            if name == "url" and isinstance(field, drf_fields.SerializerMethodField):
                if not getattr(self.serializer_class, "detail_view_name", ""):
                    return False
                self.builders.append((name, lambda row, ctx: f"{ctx['self_prefix']}{row['id']}/"))
            elif name == "display" and getattr(type(serializer), "get_display", None) is _base_get_display():
                display = self._display(self.model, "")
                if display is None:
                    return False
                self.builders.append((name, lambda row, ctx, display=display: display(row)))
            elif isinstance(field, drf_fields.SerializerMethodField):
                method = getattr(type(serializer), field.method_name, None)
                lookups = getattr(method, "values_from", None)
                if lookups is None:
                    return False
                self._add_columns(lookups)
                self.builders.append((name, _method_builder(serializer, method, self.model)))
                self.structured.add(name)
            elif isinstance(field, BriefRelatedField):
                related_model = self._related_model(field)
                display = self._display(related_model, f"{field.source}__") if related_model else None
                if display is None or not field.view_name or "." in field.source:
                    return False
                id_key = f"{field.source}_id"
                self._add_columns((id_key,))
                self.builders.append((name, _related_builder(id_key, display, field.view_name)))
            elif isinstance(field, serializers.ListSerializer):
                if not self._add_nested(name, field):
                    return False
            elif isinstance(
                field,
                serializers.RelatedField | serializers.ManyRelatedField | serializers.BaseSerializer,
            ):
                return False
            else:
                source = field.source
                if "." in source or source == "*":
                    return False
                self._add_columns((source,))
                self.builders.append((name, _plain_builder(source, field)))
                if isinstance(field, drf_fields.ListField | drf_fields.JSONField | drf_fields.DictField):
                    self.structured.add(name)
        if "id" not in self.columns:
            self.columns.append("id")
        return True

    def _add_columns(self, lookups) -> None:
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
        """How to read `str(record)` for `model` at `prefix` from the row: a SQL column where the
        model gives one (`display_sql`), else its `__str__` run on the row (`display_values`)."""
        expression = display_expression(model, prefix)
        if expression is not None:
            key = "_" + prefix.replace("__", "_") + "display"
            self.annotations[key] = expression
            return lambda row: row[key]
        lookups = display_lookups(model)
        if lookups is None:
            return None
        self._add_columns(f"{prefix}{lookup}" for lookup in lookups)
        return lambda row: model.__str__(RowView(row, model, prefix))

    def _add_nested(self, name: str, field) -> bool:
        """A read-only list of a reverse foreign key's records, rendered by the child's own plan."""
        if not field.read_only or "." in field.source:
            return False
        try:
            relation = self.model._meta.get_field(field.source)
        except FieldDoesNotExist:
            return False
        if not relation.one_to_many or relation.concrete:
            return False
        child = plan_for(type(field.child))
        if not child.supported or child.nested or any(n in ("url", "display") for n, _ in child.builders):
            return False
        fk = relation.field
        self.nested[name] = (field.source, child, fk.name, fk.attname)
        self.builders.append((name, lambda row, ctx, name=name: ctx["_children"][name].get(row["id"], [])))
        self.structured.add(name)
        return True

    def queryset(self, queryset):
        # Prefetches apply to instances, not dicts: nested lists are fetched by render() instead.
        return queryset.prefetch_related(None).values(*self.columns, **self.annotations)

    def view_names(self) -> set[str]:
        names = {builder.view_name for _, builder in self.builders if hasattr(builder, "view_name")}
        for _, child, _, _ in self.nested.values():
            names |= child.view_names()
        return names

    def context(self, request, detail_view_name: str, queryset=None) -> dict:
        """Per request: URL prefixes, and the querysets the nested lists are read from (the
        viewset's own `Prefetch` for that path where it has one, for its order)."""

        def prefix(view_name: str) -> str:
            url = request.build_absolute_uri(reverse(view_name, kwargs={"pk": PLACEHOLDER}))
            return url.split(str(PLACEHOLDER))[0]

        view_names = {detail_view_name} | self.view_names()
        prefixes = {view_name: prefix(view_name) for view_name in view_names}
        nested = {}
        lookups = getattr(queryset, "_prefetch_related_lookups", ()) if queryset is not None else ()
        for source, child, _, _ in self.nested.values():
            nested[source] = child.model._default_manager.all()
            for lookup in lookups:
                if (
                    isinstance(lookup, Prefetch)
                    and lookup.prefetch_through == source
                    and lookup.queryset is not None
                ):
                    nested[source] = lookup.queryset
        return {"self_prefix": prefixes[detail_view_name], "prefixes": prefixes, "nested": nested}

    def children(self, rows, ctx: dict) -> dict[str, dict[int, list[dict]]]:
        """Each nested list's rendered records by parent id: one query per list for the page."""
        found: dict[str, dict[int, list[dict]]] = {}
        ids = [row["id"] for row in rows]
        for name, (source, child, fk_name, fk_column) in self.nested.items():
            found[name] = by_parent = {}
            if not ids:
                continue
            queryset = ctx["nested"][source].filter(**{f"{fk_name}__in": ids})
            columns = [c for c in child.columns if c != fk_column]
            grouped: dict[int, list[dict]] = {}
            for row in queryset.values(fk_column, *columns, **child.annotations):
                grouped.setdefault(row[fk_column], []).append(row)
            for parent, group in grouped.items():
                by_parent[parent] = child.render(group, ctx)
        return found

    def flat_columns(self) -> tuple[list[str], list[Callable]]:
        """CSV columns, as the export flattens a rendered row (a related record is its id under
        `<name>_id`, a list is joined with "; "), read straight from the `.values()` row."""
        names, getters = [], []
        for name, build in self.builders:
            if hasattr(build, "id_key"):
                names.append(f"{name}_id")
                getters.append(_column(build.id_key))
            elif name in self.structured:
                names.append(name)
                getters.append(_flattened(build))
            else:
                names.append(name)
                getters.append(build)
        return names, getters

    def render(self, rows, ctx: dict) -> list[dict]:
        builders = self.builders
        if self.nested:
            ctx = {**ctx, "_children": self.children(rows, ctx)}
        return [{name: build(row, ctx) for name, build in builders} for row in rows]


def _base_get_display():
    from stp_governance.api.serializers import RegistrySerializer

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


def _method_builder(serializer, method, model):
    return lambda row, ctx: method(serializer, RowView(row, model))


def _column(key: str):
    return lambda row, ctx: row[key]


def _flattened(build):
    def flat(row, ctx):
        value = build(row, ctx)
        if isinstance(value, list):
            return "; ".join(str(v.get("display", v) if isinstance(v, dict) else v) for v in value)
        if isinstance(value, dict):
            return value.get("id", orjson.dumps(value).decode())
        return value

    return flat


def _plain_builder(source: str, field):
    if isinstance(field, drf_fields.DecimalField | drf_fields.DateTimeField):

        def build(row, ctx):
            value = row[source]
            return None if value is None else field.to_representation(value)

        return build
    if isinstance(field, drf_fields.DateField):
        return lambda row, ctx: None if row[source] is None else row[source].isoformat()
    return lambda row, ctx: row[source]


_PLANS: dict[type, ValuesPlan] = {}


def plan_for(serializer_class) -> ValuesPlan:
    if serializer_class not in _PLANS:
        _PLANS[serializer_class] = ValuesPlan(serializer_class)
    return _PLANS[serializer_class]
