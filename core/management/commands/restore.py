from pathlib import Path

import dj_database_url
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.backups import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a `backup` archive into an EMPTY database (the configured one, or --database-url) and "
        "an empty MEDIA_ROOT, then check every table's row count against the archive's manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--database-url", help="Restore into this database instead of DATABASE_URL's.")
        parser.add_argument("--media-root", type=Path, help="Restore the files here instead of MEDIA_ROOT.")

    def handle(self, *args, archive, database_url, media_root, **options):
        database = dj_database_url.parse(database_url) if database_url else settings.DATABASES["default"]
        media_root = media_root or Path(settings.MEDIA_ROOT)
        try:
            manifest = backup_restore(archive_path=archive, database=database, media_root=media_root)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored {archive} (taken {manifest.created_at} from {manifest.database}) into "
            f"{database['NAME']}: {len(manifest.tables)} tables, row counts as backed up; "
            f"{manifest.media_files} media files into {media_root}."
        )
