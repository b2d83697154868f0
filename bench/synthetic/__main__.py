"""`python -m bench.synthetic --size national`: generate the registry into the configured database
(DB_NAME / DATABASE_URL; empty and migrated)."""

from __future__ import annotations

import argparse
import os
import sys


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stp_governance.settings")
    import django

    django.setup()
    from bench.synthetic import SEED, SIZES, NotEmpty, fill

    parser = argparse.ArgumentParser(
        prog="python -m bench.synthetic",
        description="Generate a deterministic synthetic registry (national: 500 partnerships, 20,000 "
        "organisations, 10,000 bodies, 100,000+ delegations, 500,000 decisions, 100,000 risks and their "
        "history) with bulk COPY, into an empty database.",
    )
    parser.add_argument("--size", choices=sorted(SIZES), default="regional")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--if-missing",
        action="store_true",
        help="Do nothing when the database already holds this size and seed (it says so in a comment).",
    )
    args = parser.parse_args()
    try:
        fill(args.size, seed=args.seed, if_missing=args.if_missing)
    except NotEmpty as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
