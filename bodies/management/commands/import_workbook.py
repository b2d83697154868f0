"""Import a partnership's workbook (the staff page's template): a preview by default, `--commit` to write.

manage.py import_workbook derbyshire workbook.xlsx           # row by row, what would be added
manage.py import_workbook derbyshire workbook.xlsx --commit  # all or nothing
manage.py import_workbook --template template.xlsx           # write the empty template
"""

from pathlib import Path

import pghistory
from django.core.management.base import BaseCommand, CommandError

from bodies.models import Partnership
from bodies.workbook import RowsRefused, WorkbookError, import_workbook, preview_workbook, template_workbook


class Command(BaseCommand):
    help = (
        "Import a partnership's workbook (organisations, bodies, people, appointments, terms of reference)."
    )

    def add_arguments(self, parser):
        parser.add_argument("partnership", nargs="?", help="The partnership's slug")
        parser.add_argument("workbook", nargs="?", help="The filled-in template (.xlsx)")
        parser.add_argument("--commit", action="store_true", help="Write (else only a preview)")
        parser.add_argument("--template", help="Write the empty template to this path and stop")

    def handle(self, *args, partnership=None, workbook=None, commit=False, template=None, **options):
        if template:
            Path(template).write_bytes(template_workbook())
            self.stdout.write(f"Template written to {template}.")
            return
        if not partnership or not workbook:
            raise CommandError("Give the partnership's slug and the workbook (or --template PATH).")
        try:
            target = Partnership.objects.get(slug=partnership)
        except Partnership.DoesNotExist:
            raise CommandError(f"No partnership {partnership}.") from None
        path = Path(workbook)
        if not path.is_file():
            raise CommandError(f"{workbook}: no such file.")
        try:
            result = preview_workbook(partnership=target, content=path.read_bytes(), source=path.name)
            for row in result.rows:
                what = "; ".join(row.errors) if row.errors else row.text
                self.stdout.write(
                    f"{row.sheet}, row {row.row}: {'REFUSED' if row.errors else row.action}: {what}"
                )
            if result.errors:
                raise CommandError(f"{len(result.errors)} rows refused: nothing imported.")
            if commit:
                with pghistory.context(command="import_workbook", file=path.name):
                    import_workbook(partnership=target, content=path.read_bytes(), source=path.name)
                self.stdout.write(self.style.SUCCESS("Imported."))
            else:
                self.stdout.write("Preview only: run again with --commit to import.")
        except WorkbookError as error:
            raise CommandError(str(error)) from error
        except RowsRefused as refused:
            raise CommandError(f"{len(refused.result.errors)} rows refused: nothing imported.") from refused
