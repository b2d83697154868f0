"""Switch partnerships' public sites on or off from the shell (the page does it for their
administrators: /edit/partnerships/<id>/public-site/). `make run` switches the demo's on, so the
public site can be seen at /public/ straight away."""

from django.core.management.base import BaseCommand, CommandError

from bodies.models import Partnership


class Command(BaseCommand):
    help = "Switch the public site of partnerships (by slug, or --all) on, or off with --off."

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*")
        parser.add_argument("--all", action="store_true", help="Every partnership.")
        parser.add_argument("--off", action="store_true", help="Switch the sites off.")

    def handle(self, *args, slugs, all, off, **options):
        if not slugs and not all:
            raise CommandError("Name the partnerships by slug, or give --all.")
        partnerships = Partnership.objects.all() if all else Partnership.objects.filter(slug__in=slugs)
        missing = set(slugs) - set(partnerships.values_list("slug", flat=True))
        if missing:
            raise CommandError(f"No partnership with the slug: {', '.join(sorted(missing))}.")
        for partnership in partnerships.order_by("name"):
            if partnership.public_site != (not off):
                partnership.public_site = not off
                partnership.save(update_fields=["public_site"])  # in its history, like the page's change
            self.stdout.write(f"{partnership.name}: public site {'off' if off else 'on'}")
