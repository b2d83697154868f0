"""Counting rows without reading them: what a list of a large table shows as its total.

An exact COUNT(*) reads every row (500,000 decisions; millions of history rows); the planner
already knows about how many there are. Used by the API's pagination and the admin's paginator.
"""

from __future__ import annotations

import functools
import time

import orjson
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

LARGE_TABLE = 10_000  # rows: above this (planner's estimate) a list's count is estimated
ESTIMATE_TTL = 300.0  # seconds a table's size estimate is reused by this process
_table_rows: dict[tuple[str, str], tuple[float, int]] = {}


def table_rows(model, using: str = "default") -> int:
    """The planner's idea of how many rows `model`'s table holds (see `rows_in_table`)."""
    return rows_in_table(model._meta.db_table, using)


def rows_in_table(table: str, using: str = "default") -> int:
    """The planner's idea of how many rows `table` holds (pg_class.reltuples), cached for a few
    minutes; -1 or 0 for a table never analysed (treated as small)."""
    key = (using, table)
    now = time.monotonic()
    cached = _table_rows.get(key)
    if cached is not None and cached[0] > now:
        return cached[1]
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [table])
        row = cursor.fetchone()
    rows = int(row[0]) if row else 0
    _table_rows[key] = (now + ESTIMATE_TTL, rows)
    return rows


def is_large(queryset: QuerySet) -> bool:
    return table_rows(queryset.model, queryset.db) > LARGE_TABLE


def estimated_count(queryset: QuerySet) -> int:
    """The number of rows, estimated without reading them: the table's size when nothing narrows
    the list, else the planner's estimate for the list's query."""
    ids = queryset.order_by().values("pk")
    if str(ids.query) == _unfiltered_sql(queryset.model, queryset.db):
        return max(table_rows(queryset.model, queryset.db), 0)
    plan = orjson.loads(ids.explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


@functools.lru_cache(maxsize=256)
def _unfiltered_sql(model, using: str) -> str:
    """The SQL of every id of `model`: a list whose SQL is this is the whole table."""
    return str(model._default_manager.using(using).order_by().values("pk").query)


class EstimatedCountPaginator(Paginator):
    """The admin's paginator: on a large table the page count comes from the planner's estimate
    (the changelist then shows "about" that many pages; the last pages may be empty)."""

    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, QuerySet) and is_large(self.object_list):
            return estimated_count(self.object_list)
        return super().count
