"""The API's list endpoints against a raw-SQL floor (`make bench`).

For each list endpoint of the API router: GET /api/v1/<prefix>/?limit=50 in-process with
django.test.Client as a registry administrator, many times, median; and the floor, the same
50 rows fetched with one hand-written SQL query per resource, turned into dicts and dumped
with orjson (bench/floors.py), in the same process, interleaved with the API runs. The
ratio is API median / floor median; the issue's target is <= 3x for bodies and
organisations. Before timing, each floor's output is checked against the API's `results`.

Also reports the SQL queries each API request issues at limit=10 and limit=100 (they must be
equal: the prefetches keep the count flat).

It runs on its own database (`<name>_bench`, default stp_governance_bench), never the
development data: created and migrated when missing, filled with a deterministic synthetic
dataset (bench/dataset.py), reused while the dataset version matches, rebuilt otherwise.

    make bench                                          # the table, also written to bench/results.md
    make bench BENCH_ARGS="--only bodies,organisations --reps 300"   # stdout only
    make bench BENCH_ARGS="--profile organisations"     # pyinstrument (if installed) or cProfile
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import platform
import pstats
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results.md"
TARGETS = {"bodies": 3.0, "organisations": 3.0}  # the endpoints and their ceiling
LIMIT = 50
REPS = 100
MAINTENANCE_DB = "postgres"


def bench_database_url() -> tuple[str, str]:
    """DATABASE_URL pointed at a database whose name ends in `_bench` (never the dev data)."""
    url = urlparse(os.environ.get("DATABASE_URL") or "postgres:///stp_governance")
    name = url.path.lstrip("/") or "stp_governance"
    if not name.endswith("_bench"):
        name = f"{name}_bench"
    return urlunparse(url._replace(path=f"/{name}")), name


def prepare_database(url: str, name: str, version: str) -> bool:
    """Create the benchmark database when missing or stale; True when it must be filled."""
    import psycopg2
    from psycopg2 import sql

    admin = psycopg2.connect(urlunparse(urlparse(url)._replace(path=f"/{MAINTENANCE_DB}")))
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", (name,)
            )
            row = cursor.fetchone()
            if row is not None and row[0] == version:
                return False
            if row is not None:
                if row[0]:
                    print(f"Rebuilding {name}: it holds '{row[0]}', not '{version}'.", file=sys.stderr)
                cursor.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return True
    finally:
        admin.close()


def setup_django(fresh: bool, name: str, version: str) -> None:
    import django

    hosts = os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1")
    os.environ["ALLOWED_HOSTS"] = f"{hosts},testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stp_governance.settings")
    django.setup()

    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    if fresh:
        from bench import dataset

        counts = dataset.generate()
        with connection.cursor() as cursor:
            cursor.execute(f'COMMENT ON DATABASE "{name}" IS %s', (version,))
        total = sum(counts.values())
        print(
            f"Created {name}: {total:,} rows ({', '.join(f'{k} {v:,}' for k, v in counts.items())}) "
            f"in {time.perf_counter() - started:.1f}s",
            file=sys.stderr,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics for the bulk-created rows, every run alike


def administrator_client():
    from django.contrib.auth import get_user_model
    from django.test import Client

    user, created = get_user_model().objects.get_or_create(
        username="bench-administrator", defaults={"is_superuser": True, "is_staff": True}
    )
    if created:
        user.set_unusable_password()
        user.save()
    client = Client()
    client.force_login(user)
    return client


def list_prefixes() -> list[str]:
    from stp_governance.api.urls import router

    return [prefix for prefix, _viewset, _basename in router.registry]


def api_get(client, prefix: str, limit: int):
    response = client.get(f"/api/v1/{prefix}/?limit={limit}")
    if response.status_code != 200:
        raise SystemExit(f"GET /api/v1/{prefix}/ answered {response.status_code}: {response.content[:300]!r}")
    return response


def count_queries(client, prefix: str, limit: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        api_get(client, prefix, limit)
    return len(captured.captured_queries)


def first_difference(api_rows: list, floor_rows: list) -> str:
    if len(api_rows) != len(floor_rows):
        return f"{len(api_rows)} rows from the API, {len(floor_rows)} from the floor"
    for n, (a, f) in enumerate(zip(api_rows, floor_rows, strict=True)):
        if a != f:
            keys = [k for k in dict.fromkeys([*a, *f]) if a.get(k, "<missing>") != f.get(k, "<missing>")]
            detail = "; ".join(
                f"{k}: API {a.get(k, '<missing>')!r} floor {f.get(k, '<missing>')!r}" for k in keys
            )
            return f"row {n} (id {a.get('id')}): {detail[:600]}"
    return ""


def measure(client, cursor, prefix: str, floor, reps: int) -> tuple[float, float | None]:
    """Median ms of the API request and of the floor, runs interleaved after a warm-up."""
    api_times, floor_times = [], []
    for _ in range(3):
        api_get(client, prefix, LIMIT)
        if floor is not None:
            floor.run(cursor, LIMIT)
    gc.collect()
    clock = time.perf_counter_ns
    for _ in range(reps):
        start = clock()
        api_get(client, prefix, LIMIT)
        api_times.append(clock() - start)
        if floor is not None:
            start = clock()
            floor.run(cursor, LIMIT)
            floor_times.append(clock() - start)
    floor_ms = statistics.median(floor_times) / 1e6 if floor_times else None
    return statistics.median(api_times) / 1e6, floor_ms


def profile(client, prefix: str, reps: int) -> None:
    """pyinstrument's call tree when it is installed (`pip install pyinstrument`), else cProfile."""
    for _ in range(5):
        api_get(client, prefix, LIMIT)
    try:
        from pyinstrument import Profiler
    except ImportError:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(reps):
            api_get(client, prefix, LIMIT)
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)
        return
    profiler = Profiler(interval=0.0002)
    profiler.start()
    for _ in range(reps):
        api_get(client, prefix, LIMIT)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False))


def markdown(rows: list[dict], header: list[str]) -> str:
    lines = [
        "| endpoint | queries at 10 | queries at 100 | API ms | floor ms | ratio | target |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in rows:
        floor = f"{r['floor']:.2f}" if r["floor"] is not None else "no floor"
        ratio = f"{r['api'] / r['floor']:.1f}×" if r["floor"] else "–"
        target = TARGETS.get(r["prefix"])
        if target is None:
            verdict = "–"
        elif r["floor"] is None:
            verdict = f"≤ {target:g}× (no floor)"
        else:
            verdict = f"≤ {target:g}× " + ("met" if r["api"] / r["floor"] <= target else "**missed**")
        queries = f"{r['q10']}" if r["q10"] == r["q100"] else f"**{r['q10']}**"
        lines.append(
            f"| `{r['prefix']}` | {queries} | {r['q100']} | {r['api']:.2f} | {floor} | {ratio} | {verdict} |"
        )
    return "\n".join([*header, "", *lines, ""])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--reps", type=int, default=REPS, help=f"timed repetitions per endpoint (default {REPS})"
    )
    parser.add_argument("--only", default="", help="comma-separated endpoint prefixes")
    parser.add_argument("--profile", metavar="PREFIX", help="profile the API list request of one endpoint")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from bench import dataset

    url, name = bench_database_url()
    fresh = prepare_database(url, name, dataset.VERSION)
    os.environ["DATABASE_URL"] = url
    setup_django(fresh, name, dataset.VERSION)

    import django
    import orjson
    import rest_framework
    from django.conf import settings
    from django.db import connection

    from bench.floors import FLOORS

    client = administrator_client()
    # Time as production runs: no query log (DEBUG=1 is only for the development settings).
    settings.DEBUG = False

    if args.profile:
        profile(client, args.profile, args.reps)
        return 0

    prefixes = list_prefixes()
    if args.only:
        wanted = set(args.only.split(","))
        prefixes = [p for p in prefixes if p in wanted]

    connection.ensure_connection()
    cursor = connection.connection.cursor()  # the raw psycopg2 cursor: no Django wrapper
    rows, problems, notes = [], [], []
    load = os.getloadavg()[0]  # other work on the machine widens the spread of every timing
    started = time.perf_counter()
    for prefix in prefixes:
        floor = FLOORS.get(prefix)
        q10, q100 = count_queries(client, prefix, 10), count_queries(client, prefix, 100)
        if q10 != q100:
            problems.append(f"{prefix}: {q10} queries at limit=10 but {q100} at limit=100")
        page = orjson.loads(api_get(client, prefix, LIMIT).content)
        if floor is None:
            notes.append(
                f"`{prefix}`: no floor in bench/floors.py and {page['count']} rows in the benchmark "
                "dataset: API timed alone"
            )
        else:
            api_rows = page["results"]
            difference = first_difference(api_rows, orjson.loads(floor.run(cursor, LIMIT)))
            if difference:
                problems.append(f"{prefix}: the floor is not the API's page: {difference}")
        api_ms, floor_ms = measure(client, cursor, prefix, floor, args.reps)
        rows.append({"prefix": prefix, "q10": q10, "q100": q100, "api": api_ms, "floor": floor_ms})
        floor_text = f"{floor_ms:.2f} ms" if floor_ms is not None else "none"
        print(f"  {prefix}: API {api_ms:.2f} ms, floor {floor_text}", file=sys.stderr)
    cursor.close()

    with connection.cursor() as c:
        c.execute("SHOW server_version")
        pg_version = c.fetchone()[0]
        c.execute("SELECT count(*) FROM bodies_organisation")
        organisations = c.fetchone()[0]
        c.execute("SELECT count(*) FROM bodies_body")
        bodies = c.fetchone()[0]
    header = [
        "# API list endpoints against the raw-SQL floor",
        "",
        f"`make bench` on {time.strftime('%Y-%m-%d')}: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"Django {django.get_version()}, DRF {rest_framework.VERSION}, PostgreSQL {pg_version}, "
        f"load average {load:.2f} at the start; "
        f"database `{name}` ({dataset.VERSION}; {organisations:,} organisations, {bodies:,} bodies).",
        "",
        f"API: `GET /api/v1/<prefix>/?limit={LIMIT}` through django.test.Client as a registry administrator "
        "(session auth, the whole middleware stack, orjson renderer), query log off. Floor: the same "
        f"{LIMIT} rows with one hand-written SQL query per resource on a raw psycopg2 cursor (joins for "
        "related names, json_agg for nested lists), rows into dicts, orjson.dumps; checked equal to the "
        "API's `results` before timing. The floor has no COUNT(*), session or user query: the API's "
        "are part of what the ratio measures. Medians of "
        f"{args.reps} interleaved runs after 3 warm-ups. Ratio = API / floor.",
    ]
    table = markdown(rows, header)
    if problems:
        table += "\nProblems:\n\n" + "\n".join(f"- {p}" for p in problems) + "\n"
    if notes:
        table += "\nNotes:\n\n" + "\n".join(f"- {n}" for n in notes) + "\n"
    print(table)
    if not args.only:
        RESULTS.write_text(table)
        print(f"(written to {RESULTS.relative_to(ROOT)}; timing took {time.perf_counter() - started:.0f}s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
