"""What the background jobs found, for pages to show without redoing the work."""

from __future__ import annotations

from collections.abc import Iterable

from core.models import CheckRun


def latest_check_runs(partnerships: Iterable) -> dict[int, CheckRun]:
    """The latest stored check run of each partnership that has one, in one query
    (PostgreSQL's DISTINCT ON: the newest row per partnership)."""
    ids = [getattr(p, "pk", p) for p in partnerships]
    if not ids:
        return {}
    runs = (
        CheckRun.objects.filter(partnership_id__in=ids)
        .order_by("partnership_id", "-on", "-finished_at")
        .distinct("partnership_id")
    )
    return {run.partnership_id: run for run in runs}
