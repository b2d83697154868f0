"""Import NHS ODS CSV files (etr, ets, eccg, epraccur, succ...): a preview by default, `--commit` to write.

    manage.py ods_import etr.csv                   # what would change (nothing written)
    manage.py ods_import etr.csv --create --commit # add missing organisations, update the others
    manage.py ods_import succ.csv --commit         # record successions between known organisations

As a registry administrator (every organisation may be changed); `--user` names the account the
history records (default: the first superuser).
"""

from pathlib import Path

import pghistory
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from bodies.ods import OdsFileError, apply_ods_plan, plan_ods_import, read_ods_file


class Command(BaseCommand):
    help = "Import NHS ODS organisation or successor CSV files (preview unless --commit)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="ODS CSV files, as published (etr.csv, succ.csv...)")
        parser.add_argument("--create", action="store_true", help="Add organisations not yet in the registry")
        parser.add_argument("--commit", action="store_true", help="Write the changes (else only a preview)")
        parser.add_argument("--user", help="Username recorded in the history (default: the first superuser)")

    def handle(self, *args, files, create, commit, user=None, **options):
        account = self._account(user)
        for name in files:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}: no such file.")
            try:
                file_kind, rows = read_ods_file(path.read_bytes(), path.name)
            except OdsFileError as error:
                raise CommandError(f"{name}: {error}") from error
            plan = plan_ods_import(file_kind=file_kind, rows=rows, user=account, create_missing=create)
            counts = ", ".join(f"{action} {count}" for action, count in plan.counts.items())
            self.stdout.write(f"{path.name} ({file_kind}, {len(rows)} lines): {counts}")
            for change in plan.changes:
                if change.action != "unchanged":
                    self.stdout.write(
                        f"  {change.label:<10} {change.code:<10} {change.name}: {change.detail}"
                    )
            if plan.count("error"):
                raise CommandError(f"{name}: lines with errors; nothing imported.")
            if commit:
                try:
                    with pghistory.context(command="ods_import", file=path.name):
                        done = apply_ods_plan(plan=plan, user=account, source_document=path.name)
                except ValidationError as error:
                    raise CommandError(f"{name}: nothing imported: {' '.join(error.messages)}") from error
                self.stdout.write(self.style.SUCCESS(f"  imported: {done}"))
        if not commit:
            self.stdout.write("Preview only: run again with --commit to write these changes.")

    def _account(self, username):
        User = get_user_model()
        if username:
            try:
                return User.objects.get(username=username)
            except User.DoesNotExist:
                raise CommandError(f"No user {username}.") from None
        account = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if account is None:
            raise CommandError("No superuser to record the import under: pass --user.")
        return account
