import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.backups import BackupError, backup_write


class Command(BaseCommand):
    help = (
        "Back up the registry: the database (pg_dump, custom format, history and triggers included) "
        "and MEDIA_ROOT's files, in one .tar archive with a manifest of row counts."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help="The archive to write (default: .data/backups/<database>-<UTC time>.tar).",
        )

    def handle(self, *args, output, **options):
        database = settings.DATABASES["default"]
        if output is None:
            stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
            output = Path(settings.BASE_DIR) / ".data" / "backups" / f"{database['NAME']}-{stamp}.tar"
        try:
            manifest = backup_write(database=database, media_root=Path(settings.MEDIA_ROOT), output=output)
        except BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(manifest.tables.values())
        self.stdout.write(
            f"Backed up {database['NAME']} (PostgreSQL {manifest.server_version}, {manifest.pg_dump_version}): "
            f"{len(manifest.tables)} tables, {rows} rows, {manifest.media_files} media files."
        )
        self.stdout.write(self.style.SUCCESS(str(output)))
