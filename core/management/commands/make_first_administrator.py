"""The very first administrator, from the shell (everyone after them is made on the pages).

    manage.py make_first_administrator --email ada@nhs.net                     # of the registry
    manage.py make_first_administrator --email ada@nhs.net --partnership derbyshire

The first form makes a registry administrator, and only while the registry has none; the second
makes the partnership's administrator, and only while it has none. A new account gets no password:
the command prints a link, valid for an hour, where its owner chooses one (then enrols two-factor
authentication at first sign-in). An existing account with that email is used as it is.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core.access import Role, roles_in_force, security_log, tenant_model
from core.roles import role_set


class Command(BaseCommand):
    help = "Make the registry's (or a partnership's) very first administrator."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--username", default="", help="Default: the email address.")
        parser.add_argument(
            "--partnership", default="", help="A partnership's slug: its first administrator."
        )

    @transaction.atomic
    def handle(self, *args, email, username, partnership, **options):
        User = get_user_model()
        email = email.strip().lower()
        if partnership:
            target = tenant_model().objects.filter(slug=partnership).first()
            if target is None:
                raise CommandError(f"No partnership {partnership!r}.")
            if roles_in_force().filter(partnership=target, role=Role.ADMINISTRATOR).exists():
                raise CommandError(
                    f"{target} has an administrator: they grant roles on its People and roles page."
                )
        elif User.objects.filter(is_superuser=True, is_active=True).exists():
            raise CommandError("The registry has an administrator: they make others in the admin.")
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        created = user is None
        if created:
            user = User(username=username or email, email=email)
            user.set_unusable_password()
        if not partnership:
            user.is_staff = user.is_superuser = True
        user.save()
        if partnership:
            role_set(user=user, partnership=target, role=Role.ADMINISTRATOR)
        security_log.info("first_administrator user=%s partnership=%s", user.pk, partnership or "registry")
        what = f"the administrator of {target}" if partnership else "a registry administrator"
        self.stdout.write(f"{user.get_username()} is {what}.")
        if created or not user.has_usable_password():
            path = reverse(
                "password-reset-confirm",
                args=[urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)],
            )
            self.stdout.write(
                f"They choose a password here (the link works for an hour): {settings.SITE_URL}{path}"
            )
