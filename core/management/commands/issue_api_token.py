import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.access import tenant_model
from core.tokens import api_token_issue


class Command(BaseCommand):
    help = "Issue an API token for another system; prints the key once."

    def add_arguments(self, parser):
        parser.add_argument("name", help="Which system uses it, for whom.")
        parser.add_argument("--user", required=True, help="Username of the account it acts as.")
        parser.add_argument("--partnership", help="Partnership slug; omit for a national read-only token.")
        parser.add_argument(
            "--read-write", action="store_true", help="Allow writes (partnership tokens only)."
        )
        parser.add_argument("--days", type=int, default=90, help="Days until it expires (at most 366).")

    def handle(self, *args, name, user, partnership, read_write, days, **options):
        account = get_user_model().objects.filter(username=user).first()
        if account is None:
            raise CommandError(f"No user '{user}'.")
        bound = None
        if partnership:
            bound = tenant_model().objects.filter(slug=partnership).first()
            if bound is None:
                raise CommandError(f"No partnership '{partnership}'.")
        try:
            token, raw_key = api_token_issue(
                name=name,
                user=account,
                partnership=bound,
                read_only=not read_write,
                expires_at=timezone.now() + datetime.timedelta(days=days),
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            f"Token {token.pk} ({token}) expires {token.expires_at:%Y-%m-%d}. Key (shown once):"
        )
        self.stdout.write(raw_key)
