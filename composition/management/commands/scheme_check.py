from django.core.management.base import BaseCommand, CommandError

from bodies.models import Partnership
from composition.checkruns import check_run_record
from core.effective_dating import today
from delegation.checks import scheme_defects


class Command(BaseCommand):
    help = "List the defects in partnerships' schemes of delegation (all partnerships by default)."

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="Partnership slugs.")
        parser.add_argument("--on", help="Check the scheme as it stood on this date (YYYY-MM-DD).")
        parser.add_argument(
            "--record",
            action="store_true",
            help="Also run the data-quality checks and store both as the day's check run (as the nightly job "
            "does), so the home page reads them.",
        )

    def handle(self, *args, slugs, on, record, **options):
        import datetime

        try:
            day = datetime.date.fromisoformat(on) if on else None
        except ValueError:
            raise CommandError("--on takes a date as YYYY-MM-DD.") from None
        partnerships = Partnership.objects.order_by("name")
        if slugs:
            partnerships = partnerships.filter(slug__in=slugs)
            missing = set(slugs) - set(partnerships.values_list("slug", flat=True))
            if missing:
                raise CommandError(f"No such partnership: {', '.join(sorted(missing))}")
        total = 0
        for partnership in partnerships:
            if record:
                run = check_run_record(partnership_id=partnership.pk, on=day or today())
                self.stdout.write(
                    f"{partnership.name}: recorded {len(run.scheme_defects)} scheme defect(s), "
                    f"{len(run.data_quality)} data-quality issue(s)"
                )
                total += len(run.scheme_defects)
                continue
            defects = scheme_defects(partnership, day)
            total += len(defects)
            self.stdout.write(self.style.MIGRATE_HEADING(f"{partnership.name}: {len(defects)} defect(s)"))
            for defect in defects:
                self.stdout.write(f"  [{defect.code}] {defect.message}")
        self.stdout.write(f"{total} defect(s) in all.")
