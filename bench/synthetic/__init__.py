"""A deterministic synthetic registry at national (or regional, or test) scale, for the benchmarks.

`python -m bench.synthetic --size national` (or `make bench`, which fills its database when
missing) writes 500 partnerships with everything that hangs off them: organisations, people,
bodies with terms of reference, appointments, matters and 100,000+ delegations (one
partnership holds a 20,000-delegation scheme, for the authority benchmark), meetings, 500,000
decisions with their ratifications, risk registers with 100,000 risks, their reviews and
actions, the meeting cycle around the agenda items, and the history of every row. One module per
table group (bodies, delegation, decisions, risks, history, meetings); core.py holds the COPY writer and the build they share.

Why COPY and not the ORM: the ORM's `bulk_create` builds a model instance per row and an
INSERT per thousand; PostgreSQL's COPY takes a stream of rows (bench/results.md, "Measured
while designing"). Ids are reserved from each table's sequence up front, so foreign keys are
known without RETURNING. Every database constraint still applies (checks, uniques, exclusion
constraints on effective dates, foreign keys): the generator is written to satisfy them,
never to disable them.

History: the pghistory insert triggers fire for every copied row, so each record gets its
"insert" event exactly as it would from the application (about as many event rows again as
data rows). A tenth of the risks are then re-scored with one UPDATE (history.py).

The same seed gives the same rows (ids included, on an empty database), so every benchmark
run reads the same pages.
"""

from __future__ import annotations

import random
import sys
import time

from django.db import connection, transaction

from bench.synthetic.core import SEED, SIZES, VERSION, Build, Size, Writer

__all__ = ["SEED", "SIZES", "VERSION", "NotEmpty", "Size", "dataset_marker", "fill", "generate", "marker"]


def generate(size: Size, *, seed: int = SEED, out=sys.stderr) -> dict[str, int]:
    """Write the whole registry in one transaction; return the row count per table."""
    # The table groups import the models: only once Django is set up (python -m bench.synthetic).
    from bench.synthetic import bodies, decisions, delegation, history, meetings, risks

    c = Build(size=size, rng=random.Random(seed), w=Writer(out))
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Foreign keys are DEFERRABLE INITIALLY DEFERRED: millions of queued checks slow every
            # later statement down. Checked at the end of each COPY instead (parents come first).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        # The order fixes the ids: each step reserves its tables' ids after the step before.
        bodies.write_people(c)
        bodies.write_partnerships(c)
        bodies.write_organisations(c)
        bodies.write_agreements(c)
        bodies.write_bodies(c)
        bodies.write_terms_of_reference(c)
        bodies.write_appointments(c)
        delegation.write_matters(c)
        delegation.write_delegations(c)
        delegation.write_approval_routes(c)
        delegation.write_scheme_rules(c)
        decisions.write_meetings(c)
        decisions.write_interests_and_proposals(c)
        decisions.write_decisions(c)
        risk0, risks_total = risks.write_risks(c)
        history.rescore_risks(c, risk0, risks_total)
        meetings.write_meeting_cycle(c)
    return c.w.counts


class NotEmpty(Exception):
    """The database holds other data: the generator writes into an empty, migrated one."""


def marker(size: str, seed: int) -> str:
    return f"{VERSION} size={size} seed={seed}"


def dataset_marker() -> str | None:
    """What the database says it holds (a comment on the database), or None."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()"
        )
        row = cursor.fetchone()
    return row[0] if row else None


def fill(size: str, *, seed: int = SEED, if_missing: bool = False, out=sys.stdout) -> None:
    """Generate the registry of `size` into the connected database, mark the database with what it
    now holds, and analyse it. With `if_missing`, nothing is done when the mark says it is there."""
    from bodies.models import Partnership

    wanted = marker(size, seed)
    current = dataset_marker()
    if if_missing and current == wanted:
        print(f"The database already holds {wanted}: nothing to do.", file=out)
        return
    if Partnership.objects.exists():
        raise NotEmpty(
            f"The database already holds data ({current or 'not a generated registry'}); "
            "generate into an empty, migrated database."
        )
    started = time.perf_counter()
    print(f"Generating the {size} registry (seed {seed})…", file=out, flush=True)
    counts = generate(SIZES[size], seed=seed, out=sys.stderr)
    with connection.cursor() as cursor:
        cursor.execute(f'COMMENT ON DATABASE "{connection.settings_dict["NAME"]}" IS %s', [wanted])
        print("Analysing (planner statistics)…", file=out, flush=True)
        cursor.execute("ANALYZE")
    total = sum(counts.values())
    print(f"{wanted}: {total:,} rows in {time.perf_counter() - started:.0f}s", file=out)
