"""Later history: a tenth of the risks re-scored with one UPDATE, which gives them "update" events
and moves their revision, as a real registry's history would show."""

from __future__ import annotations

import time

from django.db import connection

from bench.synthetic.core import Build


def rescore_risks(c: Build, risk0: int, risks_total: int) -> None:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE risks_risk SET controls = controls || ' Reviewed quarterly.' "
            "WHERE id BETWEEN %s AND %s AND id %% 10 = 0",
            [risk0, risk0 + risks_total - 1],
        )
        c.w.note(
            f"risks re-scored: {cursor.rowcount:,} (update events) in {time.perf_counter() - started:.1f}s"
        )
