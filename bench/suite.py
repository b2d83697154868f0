"""The registry at scale: seven measures, each a ratio against a floor on the same data (`make bench`).

    make bench                  # regional dataset (stp_regional), a few minutes
    make bench-national         # national dataset (stp_national), generated once when missing
    .venv/bin/python bench/suite.py --size national --only lists,deep --reps 20

Measures (issue 9): 1 queries, 2 lists, 3 authority, 4 deep, 5 admin, 6 http, 7 exports. Each
prints a markdown table; all of them are written to bench/results.md (or results-<size>.md).
Absolute times on a shared machine are noise: every figure that matters is a ratio measured in
one run, interleaved with its floor.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MEASURES = ["queries", "lists", "authority", "deep", "admin", "http", "exports"]
LIMIT = 50
# The issue's ceilings for API list time / floor.
TIGHT = {"bodies", "organisations", "delegations", "decisions", "risks"}


def clock() -> float:
    return time.perf_counter()


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def median_time(fn, reps: int, warm: int = 1) -> float:
    """The median of `reps` timed calls of `fn`, in ms, after `warm` untimed ones."""
    for _ in range(warm):
        fn()
    samples = []
    for _ in range(reps):
        start = clock()
        fn()
        samples.append(clock() - start)
    return median_ms(samples)


# Timings measured once while designing (the reasons code comments give, with their numbers):
# written by hand at the end of results.md, and kept when a run rewrites the file.
KEPT_HEADING = "## Measured while designing"


def kept_section(out: Path) -> str:
    """The hand-written section at the end of `out`, to write back after a new report."""
    previous = out.read_text() if out.exists() else ""
    start = previous.find(KEPT_HEADING)
    return "" if start < 0 else "\n" + previous[start:]


def setup(size: str) -> str:
    """Point Django at the dataset's own database; create, migrate and fill it when missing."""
    import psycopg2
    from psycopg2 import sql

    name = os.environ.get("BENCH_DB_NAME") or f"stp_{size}"
    url = urlparse(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres")
    os.environ["DATABASE_URL"] = urlunparse(url._replace(path=f"/{name}"))
    admin = psycopg2.connect(urlunparse(url._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stp_governance.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost,127.0.0.1"
    os.environ["ZEAL"] = "0"  # the N+1 detector watches every query: not in a timing run
    # The bench reads as a registry administrator signed in by password: the two-factor step is the
    # sign-in's, not the read path's (the gunicorn it starts inherits this environment).
    os.environ["TWO_FACTOR_REQUIRED"] = "0"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from bench.synthetic import fill

    fill(size, if_missing=True, out=sys.stderr)
    return name


def administrator():
    from django.contrib.auth import get_user_model

    user, created = get_user_model().objects.get_or_create(
        username="bench-administrator", defaults={"is_superuser": True, "is_staff": True}
    )
    if created:
        user.set_unusable_password()
        user.save()
    return user


def client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def get(client, url: str, status: int = 200):
    response = client.get(url)
    if response.status_code != status:
        raise SystemExit(f"GET {url} answered {response.status_code}: {response.content[:300]!r}")
    return response


def shape(sql: str) -> str:
    """A query with its literals taken out: the same shape twice in one request is an N+1."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r"\b\d+(\.\d+)?\b", "?", sql)
    return re.sub(r"\(([\s(),?]*)\)", "(...)", sql)  # IN lists of any length, (1) or ((1), (2))


def captured_queries(client, url: str) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        get(client, url)
    return [q["sql"] for q in captured.captured_queries]


def flat(few: list[str], many: list[str]) -> bool:
    """The request over many rows issues each kind (shape) of query at most once more than the
    request over few rows: a prefetch that had nothing to fetch among the few (an empty IN is no
    query) runs among the many, but nothing runs once per row (django-zeal also raises on that in
    tests). Compared by shape, not by an exact count baseline that churns."""
    counts_few, counts_many = Counter(map(shape, few)), Counter(map(shape, many))
    return all(n <= counts_few.get(s, 0) + 1 for s, n in counts_many.items()) and len(many) <= len(few) + 3


def routes():
    from stp_governance.api.urls import router

    return [(prefix, viewset) for prefix, viewset, _ in router.registry]


def table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


# -- 1. query counts -----------------------------------------------------------------------------


def related_extremes(model, sample: int = 3000) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """(pk, related rows) of the record with the fewest and the most rows in its one-to-many
    relations, among the first `sample` records."""
    from django.db.models import Count

    relations = [r for r in model._meta.related_objects if r.one_to_many or r.many_to_many]
    ids = list(model._default_manager.order_by("pk").values_list("pk", flat=True)[:sample])
    if not ids:
        return None
    totals = dict.fromkeys(ids, 0)
    for relation in relations:
        name = relation.get_accessor_name() if relation.many_to_many else relation.name
        try:
            counted = model._default_manager.filter(pk__in=ids).annotate(n=Count(name)).values_list("pk", "n")
            for pk, n in counted:
                totals[pk] += n
        except Exception:
            continue
    low = min(totals.items(), key=lambda item: (item[1], item[0]))
    high = max(totals.items(), key=lambda item: (item[1], -item[0]))
    return low, high


def measure_queries(user, args) -> tuple[str, list[str]]:
    client = client_for(user)
    rows, problems = [], []
    for prefix, viewset in routes():
        base = f"/api/v1/{prefix}/"
        get(client, f"{base}?limit=10")  # warm: per-process caches (table size estimates)
        l10, l100 = (
            captured_queries(client, f"{base}?limit=10"),
            captured_queries(client, f"{base}?limit=100"),
        )
        q10, q100 = len(l10), len(l100)
        extremes = related_extremes(viewset.queryset.model)
        ok = flat(l10, l100)
        if extremes:
            (low, n_low), (high, n_high) = extremes
            d_low, d_high = (
                captured_queries(client, f"{base}{low}/"),
                captured_queries(client, f"{base}{high}/"),
            )
            detail = f"{len(d_low)} / {len(d_high)} ({n_low} / {n_high} related rows)"
            ok = (ok and flat(d_low, d_high) and flat(d_high, d_low)) or (ok and len(d_low) == len(d_high))
        else:
            detail = "no rows"
        if not ok:
            problems.append(f"`{prefix}`: list {q10}→{q100} queries, detail {detail}")
        rows.append([f"`{prefix}`", q10, q100, detail, verdict(ok)])
    pages = staff_pages()
    page_client = client_for(user)
    for label, small, large in pages:
        get(page_client, small)
        few, many = captured_queries(page_client, small), captured_queries(page_client, large)
        a, b = len(few), len(many)
        ok = flat(few, many)
        if not ok:
            problems.append(f"staff page {label}: {a} queries vs {b}")
        rows.append([f"page: {label}", a, b, "–", verdict(ok)])
    text = table(
        [
            "endpoint",
            "list queries, limit 10",
            "limit 100",
            "detail queries (few / many related rows)",
            "constant",
        ],
        rows,
    )
    return text, problems


def staff_pages() -> list[tuple[str, str, str]]:
    """(label, URL with few rows, URL with many rows) for the staff pages that list records."""
    from bodies.models import Body, Partnership

    partnerships = list(Partnership.objects.order_by("pk").values_list("pk", flat=True)[:2])
    big = partnerships[0]
    small = Partnership.objects.order_by("pk").values_list("pk", flat=True).last()
    bodies = list(Body.objects.filter(partnership_id=big).order_by("pk").values_list("pk", flat=True)[:2])
    return [
        ("home", "/", "/"),
        ("partnership (members, bodies)", f"/partnerships/{small}/", f"/partnerships/{big}/"),
        ("body", f"/bodies/{bodies[-1]}/", f"/bodies/{bodies[0]}/"),
        ("search", "/search/?q=zzzz", "/search/?q=Committee"),
    ]


# -- 2. list time against the floor -------------------------------------------------------------------


class DerivedFloor:
    """The same page's rows, every stored column, by one SQL query compiled once from the API's own
    queryset (no ORM at run time), rows into dicts, orjson. For endpoints without a hand-written floor."""

    def __init__(self, sql: str, params: tuple | None, columns: list[str]):
        self.sql, self.params, self.columns = sql, params, columns

    def run(self, cursor, limit: int) -> bytes:
        import orjson

        cursor.execute(self.sql, self.params)
        columns = self.columns
        return orjson.dumps([dict(zip(columns, row, strict=True)) for row in cursor.fetchall()], default=str)


def derived_floor(viewset, user, limit: int) -> DerivedFloor:
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext
    from rest_framework.request import Request

    request = Request(RequestFactory().get("/", {"limit": limit}))
    request.user = user
    view = viewset(request=request, format_kwarg=None, action="list", kwargs={})
    view.detail = False
    queryset = view.filter_queryset(view.get_queryset())
    queryset = queryset.select_related(None).prefetch_related(None)
    model = queryset.model
    columns = [f.attname for f in model._meta.concrete_fields]
    # The SQL the ORM sends for it, taken from one run (psycopg2 binds parameters client-side:
    # the statement as sent is the statement the floor runs).
    with CaptureQueriesContext(connection) as captured:
        list(queryset.values_list(*columns)[:limit])
    return DerivedFloor(captured[-1]["sql"], None, columns)


def measure_lists(user, args) -> tuple[str, list[str]]:
    import orjson
    from django.db import connection

    from bench.floors import FLOORS

    client = client_for(user)
    connection.ensure_connection()
    cursor = connection.connection.cursor()
    rows, problems = [], []
    for prefix, viewset in routes():
        url = f"/api/v1/{prefix}/?limit={LIMIT}"
        page = orjson.loads(get(client, url).content)["results"]
        floor = FLOORS.get(prefix)
        kind = "hand-written"
        if floor is not None and orjson.loads(floor.run(cursor, LIMIT)) != page:
            floor, kind = None, "hand-written floor differs: derived"
        if floor is None:
            floor = derived_floor(viewset, user, LIMIT)
            kind = "derived" if kind == "hand-written" else kind
            ids = [r["id"] for r in orjson.loads(floor.run(cursor, LIMIT))]
            if ids != [r["id"] for r in page]:
                problems.append(f"`{prefix}`: the derived floor's rows are not the API's page")
        api_t, floor_t = [], []
        for _ in range(3):
            get(client, url)
            floor.run(cursor, LIMIT)
        gc.collect()
        for _ in range(args.reps):
            start = clock()
            get(client, url)
            api_t.append(clock() - start)
            start = clock()
            floor.run(cursor, LIMIT)
            floor_t.append(clock() - start)
        api_ms, floor_ms = median_ms(api_t), median_ms(floor_t)
        ratio = api_ms / floor_ms
        ceiling = 3.0 if prefix in TIGHT else 5.0
        ok = ratio <= ceiling
        if not ok:
            problems.append(f"`{prefix}`: list {ratio:.1f}× the floor (target ≤ {ceiling:g}×)")
        rows.append(
            [
                f"`{prefix}`",
                f"{api_ms:.2f}",
                f"{floor_ms:.2f}",
                kind,
                f"{ratio:.1f}×",
                f"≤ {ceiling:g}× {verdict(ok)}",
            ]
        )
        print(f"  lists {prefix}: {ratio:.1f}×", file=sys.stderr, flush=True)
    cursor.close()
    return table(["endpoint", "API ms", "floor ms", "floor", "ratio", "target"], rows), problems


# -- 3. authority resolution --------------------------------------------------------------------------


def measure_authority(user, args) -> tuple[str, list[str]]:
    """The chain of delegation is one recursive SQL statement (delegation.queries.CHAIN_SQL); the
    whole resolution adds the reservations and the ratifying organisations (3 statements, whatever
    the depth). Timed: the chain statement, server-side prepared as a driver with a statement
    cache would run it (so that plan_cache_mode applies), and the whole resolve_authority()."""

    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from bodies.models import Partnership
    from core.effective_dating import today
    from delegation.models import Delegation, Matter
    from delegation.queries import CHAIN_SQL, MAX_CHAIN_DEPTH, resolve_authority

    counts = dict(
        Delegation.objects.values("partnership_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("partnership_id", "n")
    )
    large_id = max(counts, key=counts.get)
    small_id = min(counts, key=lambda pk: (abs(counts[pk] - 200), pk))

    def questions(partnership_id):
        partnership = Partnership.objects.get(pk=partnership_id)
        matters = list(Matter.objects.filter(partnership=partnership).order_by("pk")[:20])
        return partnership, matters

    large, small = questions(large_id), questions(small_id)
    statements = []
    for partnership, matters in (large, small):
        with CaptureQueriesContext(connection) as captured:
            resolve_authority(partnership=partnership, matter=matters[0])
        statements.append(len(captured.captured_queries))
    reps = max(args.reps * 4, 100)

    def timed(fn, items) -> float:
        cycle = itertools.cycle(items)  # each item once untimed, then in turn
        return median_time(lambda: fn(next(cycle)), reps, warm=len(items))

    names = {"partnership": "$1", "matter": "$2", "on": "$3", "max_depth": "$4"}
    prepared = re.sub(r"%\((\w+)\)s", lambda m: names[m.group(1)], CHAIN_SQL).replace("%%", "%")
    cursor = connection.cursor()
    cursor.execute("DEALLOCATE ALL")
    cursor.execute(f"PREPARE bench_chain (bigint, bigint, date, int) AS {prepared}")
    on = today()

    def chain(case):
        def run(matter):
            cursor.execute(
                "EXECUTE bench_chain (%s, %s, %s, %s)", [case[0].pk, matter.pk, on, MAX_CHAIN_DEPTH]
            )
            cursor.fetchall()

        return run

    def select_one(_):
        cursor.execute("SELECT 1")
        cursor.fetchone()

    chain_large, chain_small = timed(chain(large), large[1]), timed(chain(small), small[1])
    one = timed(select_one, [None])
    cursor.execute("SET plan_cache_mode = force_generic_plan")
    try:
        chain_generic = timed(chain(large), large[1])
    finally:
        cursor.execute("RESET plan_cache_mode")
        cursor.execute("DEALLOCATE bench_chain")
    whole_large = timed(lambda m: resolve_authority(partnership=large[0], matter=m), large[1])
    whole_small = timed(lambda m: resolve_authority(partnership=small[0], matter=m), small[1])
    size_ratio, one_ratio, generic_ratio = (
        chain_large / chain_small,
        chain_large / one,
        chain_generic / chain_large,
    )
    n_large, n_small = counts[large_id], counts[small_id]
    checks = [
        (
            "SQL statements per resolution (chain: one recursive statement)",
            f"{statements[0]} / {statements[1]} (large / small scheme)",
            "constant, chain in 1",
            statements[0] == statements[1],
        ),
        (
            f"chain statement, {n_large:,} / {n_small:,} delegations in the partnership",
            f"{chain_large:.2f} / {chain_small:.2f} ms = {size_ratio:.2f}",
            "≤ 1.5",
            size_ratio <= 1.5,
        ),
        (
            "chain statement / `SELECT 1` round trip",
            f"{chain_large:.2f} / {one:.3f} ms = {one_ratio:.1f}×",
            "≤ 10×",
            one_ratio <= 10,
        ),
        (
            "chain statement, `force_generic_plan` / auto",
            f"{chain_generic:.2f} / {chain_large:.2f} ms = {generic_ratio:.2f}",
            "≤ 1.5",
            generic_ratio <= 1.5,
        ),
        (
            f"whole resolve_authority(), {n_large:,} / {n_small:,} delegations",
            f"{whole_large:.2f} / {whole_small:.2f} ms = {whole_large / whole_small:.2f}",
            "≤ 1.5",
            whole_large / whole_small <= 1.5,
        ),
        (
            "whole resolve_authority() / `SELECT 1`",
            f"{whole_large:.2f} / {one:.3f} ms = {whole_large / one:.0f}×",
            "(reported)",
            True,
        ),
    ]
    problems = [
        f"authority: {label} = {value} (target {target})" for label, value, target, ok in checks if not ok
    ]
    rows = [[label, value, target, verdict(ok)] for label, value, target, ok in checks]
    return table(["measure", "value", "target", ""], rows), problems


# -- 4. deep pages --------------------------------------------------------------------------------


def measure_deep(user, args) -> tuple[str, list[str]]:
    from django.db import connection

    from core.api.pagination import encode_cursor, keyset_ordering

    client = client_for(user)
    rows, problems = [], []
    reps = max(args.reps // 2, 5)

    def timing(url) -> float:
        return median_time(lambda: get(client, url), reps)

    for prefix, viewset in routes():
        if prefix not in ("decisions", "risks", "risk-reviews", "ratifications"):
            continue
        model = viewset.queryset.model
        total = model._default_manager.count()
        deep = int(total * 0.9)
        base = f"/api/v1/{prefix}/?limit={LIMIT}"
        first, offset = timing(base), timing(f"{base}&offset={deep}")
        # The cursor of the row just before 90%: what following `next` links would reach.
        queryset = model._default_manager.order_by(*viewset.ordering)
        keys = keyset_ordering(model, viewset.ordering)
        values = list(queryset.values_list(*[name for name, _ in keys])[deep - 1 : deep][0])
        cursor_first = timing(f"{base}&cursor=")
        cursor_deep = timing(f"{base}&cursor={encode_cursor(False, values)}")
        ratio = cursor_deep / cursor_first
        ok = ratio <= 1.5
        if not ok:
            problems.append(f"deep pages `{prefix}`: cursor at 90% / first = {ratio:.2f}")
        rows.append(
            [
                f"`{prefix}` ({total:,} rows)",
                f"{offset / first:.1f} ({offset:.1f} / {first:.1f} ms)",
                f"{ratio:.2f} ({cursor_deep:.1f} / {cursor_first:.1f} ms)",
                f"≤ 1.5 {verdict(ok)} (cursor)",
            ]
        )
    # History: the largest event table, read in pages by its key (the admin's history pages and a
    # record's /history/ read it by record; this is the whole-table worst case).
    from django.apps import apps

    events = apps.get_model("decisions", "DecisionEvent")
    total = events.objects.count()
    deep_id = events.objects.order_by("pgh_id").values_list("pgh_id", flat=True)[int(total * 0.9)]

    def orm_timing(fn) -> float:
        return median_time(fn, reps)

    first = orm_timing(lambda: list(events.objects.order_by("pgh_id").values()[:LIMIT]))
    offset = orm_timing(
        lambda: list(events.objects.order_by("pgh_id").values()[int(total * 0.9) : int(total * 0.9) + LIMIT])
    )
    keyset = orm_timing(
        lambda: list(events.objects.filter(pgh_id__gt=deep_id).order_by("pgh_id").values()[:LIMIT])
    )
    ratio = keyset / first
    if ratio > 1.5:
        problems.append(f"deep pages history: keyset at 90% / first = {ratio:.2f}")
    rows.append(
        [
            f"history `{events._meta.db_table}` ({total:,} rows)",
            f"{offset / first:.1f} ({offset:.1f} / {first:.1f} ms)",
            f"{ratio:.2f} ({keyset:.1f} / {first:.1f} ms)",
            f"≤ 1.5 {verdict(ratio <= 1.5)} (keyset)",
        ]
    )
    connection.close()
    return table(["list", "offset 90% / first page", "cursor at 90% / first page", "target"], rows), problems


# -- 5. admin ------------------------------------------------------------------------------------------


def measure_admin(user, args) -> tuple[str, list[str]]:

    from django.contrib import admin
    from django.urls import reverse

    client = client_for(user)
    rows, problems = [], []
    select = re.compile(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', re.S)
    for model, model_admin in sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label):
        label = model._meta.label
        if model._meta.app_label not in ("bodies", "delegation", "decisions", "risks"):
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        saved = model_admin.list_per_page
        try:
            model_admin.list_per_page = 10
            get(client, url)
            l10 = captured_queries(client, url)
            model_admin.list_per_page = 100
            l100 = captured_queries(client, url)
            q10, q100 = len(l10), len(l100)
        finally:
            model_admin.list_per_page = saved
        pk = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
        size_kib, selects = 0.0, []
        if pk is not None:
            change = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[pk])
            html = get(client, change).content.decode()
            size_kib = len(html.encode()) / 1024
            for name, options in select.findall(html):
                n = options.count("<option")
                if n > 100:
                    selects.append(f"{name} ({n:,} options)")
        ok = flat(l10, l100) and size_kib < 100 and not selects
        if not ok:
            problems.append(
                f"admin {label}: changelist {q10}→{q100} queries, change form {size_kib:.0f} KiB"
                + (f", <select> over {', '.join(selects)}" if selects else "")
            )
        rows.append([f"`{label}`", q10, q100, f"{size_kib:.0f}", ", ".join(selects) or "none", verdict(ok)])
    text = table(
        ["model", "changelist queries, 10 rows", "100 rows", "change form KiB", "<select> > 100 options", ""],
        rows,
    )
    return text, problems


# -- 6. HTTP ----------------------------------------------------------------------------------------------


def ensure_wrk() -> str:
    import shutil

    found = shutil.which("wrk")
    if found:
        return found
    print("  installing Debian's wrk (apt-get)…", file=sys.stderr, flush=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is not installed and apt-get could not install it (apt-get install wrk).")
    return found


def measure_http(user, args) -> tuple[str, list[str]]:
    import socket
    import urllib.request

    from bodies.models import Body
    from core.tokens import api_token_issue

    wrk = ensure_wrk()
    _, key = api_token_issue(name="bench http", user=user)
    body = Body.objects.filter(partnership__isnull=False).order_by("pk").values_list("pk", flat=True).first()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-not-secret-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "stp_governance.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/health/", timeout=1).read()
                break
            except OSError:
                time.sleep(0.2)
        detail = f"{base}/api/v1/bodies/{body}/"
        request = urllib.request.Request(detail, headers={"Authorization": f"Bearer {key}"})
        status = urllib.request.urlopen(request, timeout=5).status
        if status != 200:
            raise SystemExit(f"{detail} answered {status}")

        def rps(url, *headers) -> float:
            command = [wrk, "-t2", "-c8", f"-d{args.http_seconds}s", "--timeout", "5s"]
            for header in headers:
                command += ["-H", header]
            out = subprocess.run(
                [*command, url], capture_output=True, text=True, timeout=args.http_seconds + 30
            ).stdout
            found = re.search(r"Requests/sec:\s+([\d.]+)", out)
            non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
            if non_2xx:
                raise SystemExit(f"wrk {url}: {non_2xx.group(1)} error responses")
            return float(found.group(1)) if found else 0.0

        rps(f"{base}/health/")  # warm both workers
        health = rps(f"{base}/health/")
        body_rps = rps(detail, f"Authorization: Bearer {key}")
    finally:
        server.terminate()
        server.wait(timeout=20)
    ratio = body_rps / health if health else 0
    ok = ratio >= 0.5
    rows = [
        ["`GET /health/`", f"{health:,.0f}", "–", "–"],
        [f"`GET /api/v1/bodies/{body}/` (token)", f"{body_rps:,.0f}", f"{ratio:.0%}", f"≥ 50% {verdict(ok)}"],
    ]
    problems = [] if ok else [f"http: body detail at {ratio:.0%} of the health view's rps"]
    note = (
        f"gunicorn 2 sync workers, `wrk -t2 -c8 -d{args.http_seconds}s` on loopback (server and wrk share the machine's "
        f"{os.cpu_count()} CPUs), DEBUG off."
    )
    return note + "\n\n" + table(["endpoint", "requests/s", "of health", "target"], rows), problems


# -- 7. exports ---------------------------------------------------------------------------------------------


def measure_exports(user, args) -> tuple[str, list[str]]:
    """CSV export of a list, in-process, consumed chunk by chunk, against iterating the same rows in
    the same order with values_list (every stored column, chunked); tracemalloc's peak at two row
    counts."""
    import tracemalloc

    from bodies.models import Organisation
    from decisions.models import Decision

    client = client_for(user)
    rows, problems = [], []
    dates = sorted(Decision.objects.values_list("decided_on", flat=True).distinct())
    cut = dates[len(dates) // 16]
    # The floor reads the same rows in the export's order (the list's), every stored column.
    ordering = {prefix: viewset.ordering for prefix, viewset in routes()}
    cases = [
        # (endpoint, query, queryset of the same rows)
        ("organisations", "kind=ccg", Organisation.objects.filter(kind="ccg")),
        ("organisations", "", Organisation.objects.all()),
        ("decisions", f"decided_on__lte={cut}", Decision.objects.filter(decided_on__lte=cut)),
    ]
    results = {}
    for prefix, query, queryset in cases:
        url = f"/api/v1/{prefix}/export/?format=csv&{query}"
        n = queryset.count()
        columns = [f.attname for f in queryset.model._meta.concrete_fields]
        gc.collect()
        begin = clock()
        for _ in queryset.order_by(*ordering[prefix]).values_list(*columns).iterator(chunk_size=2000):
            pass
        floor_s = clock() - begin

        def export(url: str = url) -> int:
            return sum(chunk.count(b"\n") for chunk in client.get(url).streaming_content)

        export()  # warm: the first request of a kind pays for imports and caches
        gc.collect()
        begin = clock()
        lines = export()
        export_s = clock() - begin
        gc.collect()
        tracemalloc.start()  # a separate run: tracing slows every allocation
        export()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        if lines < n + 1:
            problems.append(f"exports: {lines - 1} CSV lines for {n} {prefix}")
        ratio = (n / export_s) / (n / floor_s)
        results.setdefault(prefix, []).append((n, ratio, peak))
        ok = ratio >= 0.5
        if not ok:
            problems.append(f"exports `{prefix}`: {ratio:.2f}× a values_list iteration (target ≥ 0.5)")
        rows.append(
            [
                f"`{prefix}` {query or '(all)'}",
                f"{n:,}",
                f"{n / export_s:,.0f}",
                f"{n / floor_s:,.0f}",
                f"{ratio:.2f} {verdict(ok)}",
                f"{peak / 2**20:.1f}",
            ]
        )
    (n1, _, p1), (n2, _, p2) = results["organisations"]
    growth = p2 / p1 if p1 else 0
    ok_memory = growth <= 1.5
    if not ok_memory:
        problems.append(f"exports: peak memory grew {growth:.1f}× from {n1:,} to {n2:,} rows")
    text = table(
        [
            "export (CSV)",
            "rows",
            "export rows/s",
            "values_list rows/s",
            "ratio (≥ 0.5)",
            "peak MiB (tracemalloc)",
        ],
        rows,
    )
    text += (
        f"\n\nMemory: peak at {n2:,} rows / at {n1:,} rows = {growth:.2f} (flat: ≤ 1.5) {verdict(ok_memory)}. "
        "Both render from the fast path's `.values()` rows, 2,000 at a time; a decision's row also "
        "reads its ratifications and its meeting's declarations (one query each per 2,000 rows) and "
        "writes them flattened, which the floor, reading the decision's own columns, does not."
    )
    return text, problems


# -- main ---------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=["national", "regional", "tiny"], default="regional")
    parser.add_argument("--only", default="", help=f"comma-separated measures: {', '.join(MEASURES)}")
    parser.add_argument("--reps", type=int, default=30, help="timed repetitions per list endpoint")
    parser.add_argument("--http-seconds", type=int, default=8, help="duration of each wrk run")
    args = parser.parse_args()
    measures = [m for m in MEASURES if not args.only or m in args.only.split(",")]

    started = clock()
    name = setup(args.size)
    import django
    from django.conf import settings
    from django.db import connection

    settings.DEBUG = False  # time as production runs: no query log (CaptureQueriesContext forces it on)
    user = administrator()
    load = os.getloadavg()[0]
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()"
        )
        dataset = cursor.fetchone()[0]
    sections, problems = [], []
    titles = {
        "queries": "1. Query counts (API lists at limit 10 and 100; details with few and many related rows; staff pages)",
        "lists": f"2. API list time / raw-SQL floor (limit {LIMIT}, medians of {args.reps} interleaved runs)",
        "authority": "3. Authority resolution",
        "deep": "4. Deep pages (limit 50)",
        "admin": "5. Admin changelists and change forms",
        "http": "6. HTTP: gunicorn and wrk",
        "exports": "7. Exports (CSV, streamed)",
    }
    for measure in measures:
        print(f"{titles[measure]}…", file=sys.stderr, flush=True)
        begin = clock()
        try:
            text, found = globals()[f"measure_{measure}"](user, args)
        except Exception as error:
            import traceback

            traceback.print_exc()
            text, found = f"Failed: `{error!r}`", [f"{measure}: the measure failed ({error!r})"]
        sections.append(f"## {titles[measure]}\n\n{text}\n\n_{clock() - begin:.0f}s_")
        problems += found
    header = (
        f"# The registry at scale: `{args.size}`\n\n"
        f"{time.strftime('%Y-%m-%d')}: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"Django {django.get_version()}, PostgreSQL {pg}, load average {load:.2f} at the start (the machine "
        f"is shared); database `{name}` ({dataset}). Every figure that matters is a ratio measured in one run."
    )
    report = "\n\n".join([header, *sections])
    report += (
        "\n\n## Targets missed\n\n" + ("\n".join(f"- {p}" for p in problems) if problems else "none") + "\n"
    )
    print(report)
    if not args.only:
        out = Path(__file__).parent / ("results.md" if args.size == "national" else f"results-{args.size}.md")
        out.write_text(report + kept_section(out))
        print(f"(written to {out.relative_to(ROOT)} in {clock() - started:.0f}s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
