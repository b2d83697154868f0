"""Pages of API lists: limit/offset by default, keyset (`?cursor=`) on request, and counts that
never scan a large table.

Why: at national scale (500,000 decisions, 100,000 risks, millions of history rows) an exact
`COUNT(*)` reads the whole table on every page, and `OFFSET 450000` reads 450,000 rows to skip
them. So
- on a table the planner estimates above `LARGE_TABLE` rows, `count` is an estimate
  (`pg_class.reltuples` for an unfiltered list, the planner's row estimate for a filtered one),
  made exact whenever the page shows where the list ends; `next` is exact (one extra row is
  fetched to know). Small tables keep the exact count, in the page query itself (a window).
- `?cursor=` switches to keyset pagination over the list's ordering: every page, however deep,
  costs what the first does. Opt-in, so existing clients that send limit/offset see no change
  (docs/decisions/0007-scale.md, "Deep pages").
"""

from __future__ import annotations

import base64

import orjson
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, F, Q, QuerySet, Window
from rest_framework import exceptions
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.utils.urls import remove_query_param, replace_query_param

from core.counting import estimated_count, is_large, rows_in_table

BAD_CURSOR = "Not a cursor from this list: follow the `next` or `previous` link."


JOINED_WINDOW_ROWS = 2_000  # rows (planner's estimate): above, a joined fast-path page pages its ids first


def _rows_read(queryset, joined_tables) -> int:
    """The planner's size of the largest table the query reads: its own or one it joins. A small
    table joined to a large one (escalations to risks) is hashed against all of it when every row
    is joined for a window count, far slower than paging its ids first (bench/results.md)."""
    tables = {queryset.model._meta.db_table, *joined_tables}
    return max(rows_in_table(table, queryset.db) for table in tables)


def _counted(queryset, count_queryset):
    """What an estimate counts: the list's rows without the columns `.values()` joined for the
    fast path (an unfiltered list is then the whole table, whose size the planner keeps)."""
    return count_queryset if count_queryset is not None else queryset


class RegistryPagination(LimitOffsetPagination):
    """Limit/offset pages of 50 (at most 1000); `?cursor=` for keyset pages; an unordered
    queryset is a programming error. A malformed limit, offset or cursor is a 400."""

    default_limit = 50
    max_limit = 1000
    cursor_query_param = "cursor"
    limit_query_description = "Number of results to return per page (at most 1000; 50 if not given)."

    # -- model instances (the serializer path) ---------------------------------------------------
    def paginate_queryset(self, queryset, request, view=None):
        return self._paginate(queryset, request, view, values=False)

    # -- .values() rows (the fast path) ----------------------------------------------------------
    def paginate_values(
        self, queryset, request, view, count_queryset, rows_by_ids, joined_tables=frozenset()
    ) -> list[dict]:
        """`count_queryset`: the same rows before `.values()` joined the related tables' columns
        (`joined_tables`, as the plan declares them); `rows_by_ids`: the rows of a page's ids, when
        its ids are paged from `count_queryset`."""
        return self._paginate(
            queryset,
            request,
            view,
            values=True,
            count_queryset=count_queryset,
            rows_by_ids=rows_by_ids,
            joined_tables=joined_tables,
        )

    def _paginate(
        self, queryset, request, view, values: bool, count_queryset=None, rows_by_ids=None, joined_tables=()
    ) -> list:
        if hasattr(queryset, "ordered") and not queryset.ordered:
            raise ImproperlyConfigured(f"{view.__class__.__name__} paginates an unordered queryset.")
        self.request = request
        self.limit = self.get_limit(request)
        self.offset = self.get_offset(request)
        self.keyset = None
        self.count_estimated = False
        if self.cursor_query_param in request.query_params:
            return self._paginate_keyset(queryset, request, view, values, count_queryset)
        large = is_large(queryset)
        # The fast path's query joins the related tables for their display names. Joined before
        # the sort, every row of the ordering's leading group is joined, not just the page's
        # (bench/results.md, "Measured while designing"): so the page's ids come from the table alone,
        # then only their rows are joined, and the count is of the table alone.
        # Below JOINED_WINDOW_ROWS the one query with its window stays cheaper than three round trips.
        base = (
            count_queryset
            if count_queryset is not None
            and joined_tables
            and _rows_read(queryset, joined_tables) > JOINED_WINDOW_ROWS
            else None
        )
        if values and not large and base is None:
            # Small table: the exact total in the page query itself (a window), not a second query.
            rows = list(queryset.annotate(_total=Window(Count("*")))[self.offset : self.offset + self.limit])
            self.count = rows[0]["_total"] if rows else (0 if self.offset == 0 else queryset.count())
            self.has_next = self.offset + self.limit < self.count
            return rows
        if not large:
            self.count = (base if base is not None else queryset).count()
            rows = (
                self._slice(queryset, base, self.offset, self.offset + self.limit, rows_by_ids)
                if self.offset < self.count
                else []
            )
            self.has_next = self.offset + self.limit < self.count
            return rows
        rows = self._slice(queryset, base, self.offset, self.offset + self.limit + 1, rows_by_ids)
        self.has_next = len(rows) > self.limit
        rows = rows[: self.limit]
        if not self.has_next and (rows or self.offset == 0):
            self.count = self.offset + len(rows)  # the end is on this page: exact
        else:
            self.count = max(
                estimated_count(_counted(queryset, count_queryset)),
                self.offset + len(rows) + int(self.has_next),
            )
            self.count_estimated = True
        return rows

    def _slice(self, queryset, base, start: int, stop: int, rows_by_ids=None) -> list:
        """Rows start:stop; with `base`, the ids paged from it, then those rows (`rows_by_ids`)."""
        if base is None:
            return list(queryset[start:stop])
        ids = list(base.values_list("pk", flat=True)[start:stop])
        if not ids:
            return []
        found = {row["id"]: row for row in rows_by_ids(ids)}
        return [found[pk] for pk in ids]

    # -- keyset ------------------------------------------------------------------------------------
    def _paginate_keyset(self, queryset, request, view, values: bool, count_queryset=None) -> list:
        # The ordering the list applied, as the view recorded it (`applied_ordering`, set where
        # the list is ordered: RegistryViewSet.filter_queryset and RegistryOrderingFilter).
        keys = keyset_ordering(queryset.model, getattr(view, "applied_ordering", None))
        token = request.query_params.get(self.cursor_query_param, "")
        backwards, after = decode_cursor(token, len(keys)) if token else (False, None)
        rows, more = self._keyset_rows(queryset, keys, backwards, after)
        self._keyset_links(rows, len(keys), values, more=more, backwards=backwards, after=after)
        if after is None and not more:
            self.count = len(rows)  # the whole list is on this page
        elif not is_large(queryset):
            self.count = queryset.count()
        else:
            self.count = estimated_count(_counted(queryset, count_queryset))
            self.count_estimated = True
        if values:
            for row in rows:
                for n in range(len(keys)):
                    row.pop(f"_k{n}", None)
        return rows

    def _keyset_rows(self, queryset, keys, backwards: bool, after) -> tuple[list, bool]:
        """The page's rows after (or, backwards, before) the cursor's keys, in the list's order, and
        whether more follow; each row carries its keys as `_k0`, `_k1`, … for the next cursor."""
        ordering = [(name, not desc if backwards else desc) for name, desc in keys]
        annotated = queryset.annotate(**{f"_k{n}": F(name) for n, (name, _) in enumerate(keys)})
        if after is not None:
            annotated = keyset_filter(annotated, ordering, after)
        annotated = annotated.order_by(*(f"-{name}" if desc else name for name, desc in ordering))
        try:
            rows = list(annotated[: self.limit + 1])
        except (ValueError, TypeError, DjangoValidationError):
            raise exceptions.ValidationError({"cursor": [BAD_CURSOR]}) from None
        more = len(rows) > self.limit
        rows = rows[: self.limit]
        if backwards:
            rows.reverse()
        return rows, more

    def _keyset_links(
        self, rows, key_count: int, values: bool, *, more: bool, backwards: bool, after
    ) -> None:
        """The cursors of the pages before and after these rows (None at either end)."""

        def key_of(row) -> list:
            get = row.get if values else (lambda k: getattr(row, k))
            return [get(f"_k{n}") for n in range(key_count)]

        first, last = (key_of(rows[0]), key_of(rows[-1])) if rows else (None, None)
        has_after = more if not backwards else after is not None
        has_before = (more if backwards else after is not None) and rows
        self.keyset = {
            "next": encode_cursor(False, last) if has_after and rows else None,
            "previous": encode_cursor(True, first) if has_before else None,
        }
        self.has_next = bool(self.keyset["next"])

    # -- links and response ------------------------------------------------------------------------
    def get_next_link(self):
        if self.keyset is not None:
            return self._cursor_link(self.keyset["next"])
        if not self.has_next:
            return None
        url = self.request.build_absolute_uri()
        url = replace_query_param(url, self.limit_query_param, self.limit)
        return replace_query_param(url, self.offset_query_param, self.offset + self.limit)

    def get_previous_link(self):
        if self.keyset is not None:
            return self._cursor_link(self.keyset["previous"])
        return super().get_previous_link()

    def _cursor_link(self, token):
        if token is None:
            return None
        url = remove_query_param(self.request.build_absolute_uri(), self.offset_query_param)
        return replace_query_param(url, self.cursor_query_param, token)

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        if self.count_estimated:
            # The body keeps its shape; clients that care learn the count is the planner's estimate.
            response["X-Total-Count-Estimated"] = "true"
        return response

    # -- parameters ----------------------------------------------------------------------------------
    def get_limit(self, request):
        limit = self._whole_number(request, self.limit_query_param, minimum=1)
        return self.default_limit if limit is None else min(limit, self.max_limit)

    def get_offset(self, request):
        # Past any real list, and within SQL's bigint (a larger OFFSET is a database error).
        return min(self._whole_number(request, self.offset_query_param, minimum=0) or 0, 2**62)

    def _whole_number(self, request, name: str, minimum: int) -> int | None:
        raw = request.query_params.get(name, "")
        if raw == "":
            return None
        if not raw.isascii() or not raw.isdigit() or int(raw) < minimum:
            raise exceptions.ValidationError({name: [f"Give a whole number, at least {minimum}."]})
        return int(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            minimum = 1 if parameter["name"] == self.limit_query_param else 0
            parameter["schema"]["minimum"] = minimum
        return parameters


# -- keyset helpers ----------------------------------------------------------------------------------


def keyset_ordering(model, ordering) -> list[tuple[str, bool]]:
    """(field, descending) for a list's `ordering` (or else the model's), ending in a unique key
    (the id is added unless the ordering already covers a unique constraint)."""
    keys: list[tuple[str, bool]] = []
    for item in ordering or model._meta.ordering:
        if not isinstance(item, str) or item == "?":
            raise exceptions.ValidationError({"cursor": ["This ordering cannot be paged with a cursor."]})
        desc = item.startswith("-")
        name = item.lstrip("-")
        if name == "pk":
            name = model._meta.pk.attname
        keys.append((name, desc))
    plain = set()
    for name, _ in keys:
        try:
            field = model._meta.get_field(name)  # a name or a foreign key's column
        except FieldDoesNotExist:
            continue
        if "__" not in name and not field.null:
            plain.add(field.name)
    unique_sets = [{model._meta.pk.name}] + [
        set(constraint.fields)
        for constraint in model._meta.constraints
        if getattr(constraint, "fields", None) and getattr(constraint, "condition", None) is None
    ]
    if not any(unique <= plain for unique in unique_sets):
        keys.append((model._meta.pk.attname, keys[-1][1] if keys else False))
    return keys


def keyset_filter(queryset: QuerySet, ordering: list[tuple[str, bool]], values: list) -> QuerySet:
    """Rows after `values`: a row comparison `(a, b) > (x, y)` when every key is a column of the
    table and all run the same way (one index range, however the leading values repeat);
    otherwise the expanded form below."""
    model = queryset.model
    columns = []
    for name, _ in ordering:
        try:
            field = model._meta.get_field(name)  # a name or a foreign key's column
        except FieldDoesNotExist:
            break
        if "__" in name or not getattr(field, "column", None):
            break
        columns.append(f'"{model._meta.db_table}"."{field.column}"')
    directions = {desc for _, desc in ordering}
    if len(columns) == len(ordering) and len(directions) == 1:
        operator = "<" if directions.pop() else ">"
        placeholders = ", ".join(["%s"] * len(values))
        return queryset.extra(where=[f"({', '.join(columns)}) {operator} ({placeholders})"], params=values)
    return queryset.filter(keyset_after(ordering, values))


def keyset_after(ordering: list[tuple[str, bool]], values: list) -> Q:
    """Rows after `values` in `ordering`: (a > x) or (a = x and b > y) or ..., with `a >= x` as
    well so that the index on the leading column gives the scan its start."""
    condition = Q()
    for n, (name, desc) in enumerate(ordering):
        step = Q(**{f"{name}__lt" if desc else f"{name}__gt": values[n]})
        for m, (previous, _) in enumerate(ordering[:n]):
            step &= Q(**{previous: values[m]})
        condition |= step
    lead, desc = ordering[0]
    return Q(**{f"{lead}__lte" if desc else f"{lead}__gte": values[0]}) & condition


def encode_cursor(backwards: bool, values: list) -> str:
    raw = orjson.dumps({"b": backwards, "v": values}, default=_jsonable)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str, width: int) -> tuple[bool, list]:
    try:
        data = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        backwards, values = bool(data["b"]), data["v"]
        if not isinstance(values, list) or len(values) != width:
            raise ValueError
    except (ValueError, TypeError, KeyError, orjson.JSONDecodeError):
        raise exceptions.ValidationError({"cursor": [BAD_CURSOR]}) from None
    return backwards, values


def _jsonable(value):
    return str(value)
