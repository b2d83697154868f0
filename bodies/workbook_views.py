"""The spreadsheet import page (issue 17): download the template, upload, preview, confirm."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from bodies.models import Partnership
from bodies.workbook import RowsRefused, WorkbookError, import_workbook, preview_workbook, template_workbook
from core import editing, staged_uploads
from core.writes import guarded_write

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class WorkbookUploadForm(editing.NHSForm):
    file = forms.FileField(label="Workbook (.xlsx)", help_text="The template, filled in.")


def _context(partnership, **extra):
    return {
        "partnership": partnership,
        "title": "Import a workbook",
        "caption": partnership.name,
        "crumbs": editing.crumbs(partnership),
        **extra,
    }


@login_required
def workbook_template(request, pk: int):
    partnership = editing.get_for(request, Partnership.objects.all(), pk, action="add")
    response = HttpResponse(template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{partnership.slug}-import-template.xlsx"'
    return response


@login_required
def workbook_import(request, pk: int):
    partnership = editing.get_for(request, Partnership.objects.all(), pk, action="add")
    if request.method == "POST" and "token" in request.POST:
        return _confirm(request, partnership)
    form = (
        WorkbookUploadForm(request.POST, request.FILES) if request.method == "POST" else WorkbookUploadForm()
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            result = preview_workbook(partnership=partnership, content=content, source=upload.name)
            token = (
                ""
                if result.errors
                else staged_uploads.stage(user=request.user, name=upload.name, content=content)
            )
        except (WorkbookError, staged_uploads.StagedUploadError) as error:
            form.add_error("file", str(error))
        else:
            return render(
                request,
                "edit/workbook_preview.html",
                _context(partnership, result=result, token=token, file_name=upload.name),
                status=400 if result.errors else 200,
            )
    return render(
        request,
        "edit/workbook_upload.html",
        _context(partnership, form=form),
        status=400 if form.errors else 200,
    )


def _confirm(request, partnership):
    token = request.POST.get("token", "")
    imported = []

    def write():
        imported.append(import_workbook(partnership=partnership, content=content, source=name))
        return partnership  # the guarded write checks the partnership is still the user's to change

    try:
        name, content = staged_uploads.load(user=request.user, token=token)
        guarded_write(user=request.user, write=write)
    except (WorkbookError, staged_uploads.StagedUploadError) as error:
        problem = str(error)
    except RowsRefused:
        problem = (
            "The registry changed since the preview and some rows are now refused: upload the workbook again."
        )
    except ValidationError as error:
        problem = " ".join(error.messages)
    else:
        staged_uploads.discard(token=token)
        added = sum(1 for row in imported[0].rows if row.action == "add")
        changed = sum(1 for row in imported[0].rows if row.action == "change")
        messages.success(request, f"The workbook was imported: {added} records added, {changed} changed.")
        return redirect(reverse("partnership-detail", args=[partnership.pk]))
    return render(
        request,
        "edit/workbook_upload.html",
        _context(partnership, form=WorkbookUploadForm(), formset_errors=[("", problem)]),
        status=400,
    )
