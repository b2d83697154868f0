"""Authority resolution at scale (`make bench-authority`).

Resolution must not slow down as the registry grows: it looks a matter up by partnership and
walks the chain with one recursive query over indexed columns. This builds one partnership's
scheme (500 delegations in chains up to depth 5), times resolution, then adds 199 more
partnerships with 500 delegations each (100,000 in all) and times the same questions again.

It runs on its own database (`stp_governance_authority_bench`), created from the migrations
and dropped at the end.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stp_governance.settings")
os.environ.setdefault("DEBUG", "1")
os.environ["TEST_DATABASE_NAME"] = "stp_governance_authority_bench"

PARTNERSHIPS = int(os.environ.get("BENCH_PARTNERSHIPS", "200"))
DELEGATIONS_PER_PARTNERSHIP = 500
BODIES_PER_PARTNERSHIP = 25
CHAIN_DEPTH = 5
REPS = 200


def build_partnership(index: int) -> tuple[int, list[int]]:
    """One partnership: 25 bodies, 100 matters, each delegated down a chain of 5 bodies."""
    from bodies.models import Body, Partnership
    from delegation.models import Delegation, Matter

    partnership = Partnership.objects.create(name=f"Bench partnership {index}", slug=f"bench-{index}")
    bodies = Body.objects.bulk_create(
        [
            Body(partnership=partnership, name=f"Body {index}.{n}", slug=f"body-{n}", kind="committee")
            for n in range(BODIES_PER_PARTNERSHIP)
        ]
    )
    matters = Matter.objects.bulk_create(
        [
            Matter(partnership=partnership, slug=f"matter-{n}", name=f"Matter {n}", category="operational")
            for n in range(DELEGATIONS_PER_PARTNERSHIP // CHAIN_DEPTH)
        ]
    )
    delegations = []
    for m, matter in enumerate(matters):
        chain = [bodies[(m + step) % BODIES_PER_PARTNERSHIP] for step in range(CHAIN_DEPTH)]
        delegator = None
        for depth, body in enumerate(chain):
            delegations.append(
                Delegation(
                    partnership=partnership,
                    matter=matter,
                    delegator=delegator,
                    delegate=body,
                    power="approve",
                    financial_limit_gbp=1_000_000 - depth * 100_000,
                    further_delegation_permitted=True,
                )
            )
            delegator = body
    Delegation.objects.bulk_create(delegations, batch_size=1000)
    return partnership.pk, [matter.pk for matter in matters]


def time_resolution(partnership_id: int, matter_ids: list[int]) -> float:
    from bodies.models import Partnership
    from delegation.models import Matter
    from delegation.queries import resolve_authority

    partnership = Partnership.objects.get(pk=partnership_id)
    matters = list(Matter.objects.filter(pk__in=matter_ids[:20]))
    for matter in matters:  # warm up
        resolve_authority(partnership=partnership, matter=matter)
    samples = []
    for rep in range(REPS):
        matter = matters[rep % len(matters)]
        start = time.perf_counter()
        answer = resolve_authority(partnership=partnership, matter=matter)
        samples.append(time.perf_counter() - start)
        assert len(answer.paths) == CHAIN_DEPTH, len(answer.paths)
    return statistics.median(samples)


def main() -> None:
    import django

    django.setup()
    from django.db import connection

    from delegation.models import Delegation

    creation = connection.creation
    print("Creating the benchmark database from the migrations…", flush=True)
    creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        started = time.perf_counter()
        target, matters = build_partnership(0)
        small_count = Delegation.objects.count()
        small = time_resolution(target, matters)
        print(f"small registry: {small_count:,} delegations, median {small * 1000:.2f} ms", flush=True)
        for index in range(1, PARTNERSHIPS):
            build_partnership(index)
            if index % 20 == 0:
                print(
                    f"  built {index + 1} partnerships ({Delegation.objects.count():,} delegations)",
                    flush=True,
                )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        large_count = Delegation.objects.count()
        large = time_resolution(target, matters)
        ratio = large / small
        print(f"large registry: {large_count:,} delegations, median {large * 1000:.2f} ms", flush=True)
        print()
        print("| registry | partnerships | delegations | median resolution (ms) |")
        print("| --- | ---: | ---: | ---: |")
        print(f"| small | 1 | {small_count:,} | {small * 1000:.2f} |")
        print(f"| large | {PARTNERSHIPS} | {large_count:,} | {large * 1000:.2f} |")
        print(f"\nlarge / small = {ratio:.2f} (built in {time.perf_counter() - started:.0f} s)")
    finally:
        creation.destroy_test_db(creation.connection.settings_dict["NAME"], verbosity=0)


if __name__ == "__main__":
    main()
