"""The ODS import page (issue 17): upload a published ODS CSV file, see what it would change, confirm."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from bodies.models import Partnership
from bodies.ods import OdsFileError, apply_ods_plan, plan_ods_import, read_ods_file
from core import editing, staged_uploads
from core.writes import guarded_write

PREVIEW_ROWS = 200


class OdsUploadForm(editing.NHSForm):
    file = forms.FileField(
        label="ODS file (CSV)",
        help_text="As downloaded from NHS England's ODS pages, unchanged: etr.csv (NHS trusts), eccg.csv "
        "(commissioning groups), epraccur.csv (GP practices), ets.csv (trust sites) or succ.csv (successions).",
    )
    create_missing = forms.BooleanField(
        required=False,
        initial=False,
        label="Also add the organisations that are not in the registry yet",
        help_text="Otherwise only organisations already in the registry (matched by ODS code) are updated.",
    )


class OdsConfirmForm(editing.NHSForm):
    token = forms.CharField(widget=forms.HiddenInput)
    create_missing = forms.BooleanField(required=False, widget=forms.HiddenInput)


def _context(partnership, **extra):
    return {
        "partnership": partnership,
        "title": "Import from NHS ODS files",
        "caption": partnership.name,
        "crumbs": [
            *editing.crumbs(partnership),
            ("Organisations", reverse("edit-organisations", args=[partnership.pk])),
        ],
        **extra,
    }


@login_required
def ods_import(request, pk: int):
    partnership = editing.get_for(request, Partnership.objects.all(), pk, action="add")
    if request.method == "POST" and "token" in request.POST:
        return _confirm(request, partnership)
    form = OdsUploadForm(request.POST, request.FILES) if request.method == "POST" else OdsUploadForm()
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            file_kind, rows = read_ods_file(content, upload.name)
            token = staged_uploads.stage(user=request.user, name=upload.name, content=content)
        except (OdsFileError, staged_uploads.StagedUploadError) as error:
            form.add_error("file", str(error))
        else:
            create_missing = form.cleaned_data["create_missing"]
            plan = plan_ods_import(
                file_kind=file_kind, rows=rows, user=request.user, create_missing=create_missing
            )
            confirm = OdsConfirmForm(initial={"token": token, "create_missing": create_missing})
            return render(
                request,
                "edit/ods_preview.html",
                _context(partnership, plan=plan, changes=[c for c in plan.changes if c.action != "unchanged"][:PREVIEW_ROWS],
                         file_name=upload.name, confirm=confirm, rows=len(rows)),
            )  # fmt: skip
    return render(
        request, "edit/ods_upload.html", _context(partnership, form=form), status=400 if form.errors else 200
    )


def _confirm(request, partnership):
    confirm = OdsConfirmForm(request.POST)
    error_message = "The preview is incomplete: upload the file again."
    if confirm.is_valid():
        token = confirm.cleaned_data["token"]
        try:
            name, content = staged_uploads.load(user=request.user, token=token)
            file_kind, rows = read_ods_file(content, name)
            plan = plan_ods_import(
                file_kind=file_kind,
                rows=rows,
                user=request.user,
                create_missing=confirm.cleaned_data["create_missing"],
            )
            done = guarded_write(
                user=request.user,
                write=lambda: apply_ods_plan(plan=plan, user=request.user, source_document=name),
            )
        except (OdsFileError, staged_uploads.StagedUploadError) as error:
            error_message = str(error)
        except ValidationError as error:
            error_message = "Nothing was imported: " + " ".join(error.messages)
        else:
            staged_uploads.discard(token=token)
            messages.success(
                request,
                f"The ODS file was imported: {done['create']} organisations added, {done['update']} updated, "
                f"{done['succession']} successions recorded, {done['proposed']} changes proposed to an administrator.",
            )
            return redirect("edit-organisations", pk=partnership.pk)
    return render(
        request,
        "edit/ods_upload.html",
        _context(partnership, form=OdsUploadForm(), formset_errors=[("", error_message)]),
        status=400,
    )
