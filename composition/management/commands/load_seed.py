from django.core.management.base import BaseCommand, CommandError

from bodies.seeding import SeedError
from composition.seed import load_all


class Command(BaseCommand):
    help = (
        "Load the demo data from fixtures/: the partnerships, then their schemes of delegation (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Validate against the database, then roll everything back."
        )

    def handle(self, *args, check, **options):
        try:
            report = load_all(dry_run=check)
        except SeedError as error:
            raise CommandError(
                "The seed files have problems:\n" + "\n".join(f"  - {p}" for p in error.problems)
            ) from None
        self.stdout.write(f"Seed files: {', '.join(report.files)}")
        if not report.changed:
            self.stdout.write("Demo data already loaded: nothing changed.")
        for label, counts in (("created", report.created), ("updated", report.updated)):
            for name, number in sorted(counts.items()):
                self.stdout.write(f"  {label} {number} {name}")
        if check:
            self.stdout.write(self.style.SUCCESS("Check passed (nothing was written)."))
