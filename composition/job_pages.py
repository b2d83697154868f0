"""Staff pages for background work: exports (request one, watch its progress, download it) and the
signed-in user's notifications. They read without JavaScript (the progress page refreshes itself);
htmx only swaps the progress fragment in place."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from bodies.models import Partnership
from composition import exports
from core.access import restrict
from core.editing import DateInput, NHSForm
from core.models import Export
from core.notifications import notifications_for


class ExportRequestForm(NHSForm):
    kind = forms.ChoiceField(choices=Export.Kind.choices, label="What to export")
    partnership = forms.ModelChoiceField(queryset=Partnership.objects.none(), label="Partnership")
    as_at = forms.DateField(
        label="As at",
        help_text="For example 2018-04-01.",
        widget=DateInput(attrs={"class": "nhsuk-input--width-10"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partnership"].queryset = restrict(Partnership.objects.order_by("name"), user)
        self.fields["as_at"].initial = timezone.localdate()


@login_required
@require_http_methods(["GET", "POST"])
def export_list(request):
    """The exports the user may see, newest first, and a form to request another."""
    form = ExportRequestForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        export = exports.export_request(**form.cleaned_data, requested_by=request.user)
        return redirect("export-detail", pk=export.pk)
    recent = restrict(Export.objects.select_related("partnership"), request.user).order_by(
        "-requested_at", "-id"
    )[:50]
    return render(request, "pages/exports.html", {"form": form, "exports": recent})


@login_required
def export_detail(request, pk: int):
    export = get_object_or_404(restrict(Export.objects.select_related("partnership"), request.user), pk=pk)
    template = "pages/_export_status.html" if request.htmx else "pages/export_detail.html"
    return render(request, template, {"export": export})


@login_required
def export_download(request, pk: int):
    export = get_object_or_404(restrict(Export.objects.all(), request.user), pk=pk)
    if export.status != Export.Status.DONE:
        raise Http404("The export is not done yet.")
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=exports.file_name(export),
        content_type=exports.content_type(export),
    )


@login_required
def notification_list(request):
    return render(request, "pages/notifications.html", {"notifications": notifications_for(request.user)})
