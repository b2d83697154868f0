import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from composition.synthetic import SEED, SIZES, VERSION, generate


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


class Command(BaseCommand):
    help = (
        "Generate a deterministic synthetic registry (national: 500 partnerships, 20,000 organisations, "
        "10,000 bodies, 100,000+ delegations, 500,000 decisions, 100,000 risks and their history) "
        "with bulk COPY, into an empty database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(SIZES), default="regional")
        parser.add_argument("--seed", type=int, default=SEED)
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="Do nothing when the database already holds this size and seed (it says so in a comment).",
        )

    def handle(self, *args, size, seed, if_missing, **options):
        wanted = marker(size, seed)
        current = dataset_marker()
        if if_missing and current == wanted:
            self.stdout.write(f"The database already holds {wanted}: nothing to do.")
            return
        from bodies.models import Partnership

        if Partnership.objects.exists():
            raise CommandError(
                f"The database already holds data ({current or 'not a generated registry'}); "
                "generate into an empty, migrated database."
            )
        started = time.perf_counter()
        self.stdout.write(f"Generating the {size} registry (seed {seed})…")
        counts = generate(SIZES[size], seed=seed, out=self.stderr._out)
        with connection.cursor() as cursor:
            cursor.execute(f'COMMENT ON DATABASE "{connection.settings_dict["NAME"]}" IS %s', [wanted])
            self.stdout.write("Analysing (planner statistics)…")
            cursor.execute("ANALYZE")
        total = sum(counts.values())
        self.stdout.write(
            self.style.SUCCESS(f"{wanted}: {total:,} rows in {time.perf_counter() - started:.0f}s")
        )
