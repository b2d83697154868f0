"""Editing pages for secretariats: one shape for every form.

A page finds its record through the access layer (another partnership's record: 404; one the
user may read but not change: 403), validates with the model and the app's service functions,
and carries the revision the user opened (`RevisionCheckedForm`, as in the admin). A save over
someone else's change is refused with a conflict page (409) showing what the user typed beside
what is saved now; nothing is written. Changes are recorded by the audit triggers, with the
user and request from `RequestHistoryMiddleware`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.forms.boundfield import BoundField
from django.forms.utils import ErrorDict, pretty_name
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html

from core import access, effective_dating
from core.admin_widgets import RevisionCheckedForm
from core.paging import paged
from core.writes import StaleRecord, guarded_write

# -- lists and breadcrumbs ---------------------------------------------------------------------
LIST_PAGE_SIZE = 50


def crumbs(partnership=None, body=None) -> list[tuple[str, str]]:
    """The breadcrumbs above an editing page: partnerships, the partnership, the body."""
    trail = [("Partnerships", reverse("home"))]
    partnership = partnership or (body.partnership if body else None)
    if partnership is not None:
        trail.append((partnership.name, reverse("partnership-detail", args=[partnership.pk])))
    if body is not None:
        trail.append((body.name, reverse("body-detail", args=[body.pk])))
    return trail


def list_page(request, template: str, rows: models.QuerySet, *, crumbs: list, **context) -> HttpResponse:
    """An editing list: its rows a page at a time, under its breadcrumbs."""
    page = paged(request, rows, per_page=LIST_PAGE_SIZE)
    return render(request, template, {**context, "page": page, "crumbs": crumbs})


def formset_errors(formset: forms.BaseFormSet, what: str) -> list[tuple[str, str]]:
    """A formset's errors for the error summary, each row's named ("Objective 2: ...")."""
    items = [("", error) for error in formset.non_form_errors()]
    for number, row in enumerate(formset.forms, start=1):
        for anchor, message in row.error_list():
            items.append((anchor, f"{what} {number}: {message}"))
    return items


LONG_TEXT = 20000  # a resolution or reason longer than this is a paste gone wrong


def long_text(label: str, required: bool = True, help_text: str = "") -> forms.CharField:
    """A text area for a resolution, reason or note."""
    return forms.CharField(
        label=label, required=required, max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=help_text,
    )  # fmt: skip


# -- finding the record ------------------------------------------------------------------------
def get_for(request, queryset: models.QuerySet, pk, action: str = "change"):
    """The record for an editing page: 404 when the user cannot see it, 403 when they may only read it."""
    instance = access.restrict(queryset, request.user, "view").filter(pk=pk).first()
    if instance is None:
        raise Http404("Not found.")
    if not access.can(request.user, action, instance):
        raise PermissionDenied("You may read this record but not change it.")
    return instance


# -- forms in the NHS design system ------------------------------------------------------------
DATE_HINT = "For example, 01/12/2026."


class DateInput(forms.DateInput):
    """A date typed dd/mm/yyyy (issue 17: one format, whatever the browser's own date picker shows);
    the form hints the format. ISO dates (2026-12-01) are accepted too (settings' formats module)."""

    input_type = "text"

    def __init__(self, attrs=None):
        attrs = {"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false", **(attrs or {})}
        if "nhsuk-input--width" not in attrs.get("class", ""):
            attrs["class"] = f"{attrs.get('class', '')} nhsuk-input--width-10".strip()
        super().__init__(attrs=attrs, format="%d/%m/%Y")


DATETIME_HINT = "For example, 01/12/2026 14:00."


class DateTimeInput(forms.DateTimeInput):
    """A day and time typed `dd/mm/yyyy 14:00` (issue 17); ISO (`2026-12-01T14:00`) is accepted too."""

    input_type = "text"

    def __init__(self, attrs=None):
        attrs = {"autocomplete": "off", "spellcheck": "false", **(attrs or {})}
        if "nhsuk-input--width" not in attrs.get("class", ""):
            attrs["class"] = f"{attrs.get('class', '')} nhsuk-input--width-20".strip()
        super().__init__(attrs=attrs, format="%d/%m/%Y %H:%M")


class NHSBoundField(BoundField):
    """Widgets with the design system's classes, error state and described-by ids."""

    CLASSES = {
        "checkbox": "nhsuk-checkboxes__input",
        "select": "nhsuk-select",
        "textarea": "nhsuk-textarea",
    }

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if widget.is_hidden:
            return attrs
        kind = self.widget_type
        css = self.CLASSES.get(kind, "nhsuk-input")
        if self.errors and kind != "checkbox":
            css += f" {css}--error"
        attrs["class"] = " ".join(part for part in (css, widget.attrs.get("class", "")) if part)
        described = []
        if self.help_text:
            described.append(f"{self.auto_id}-hint")
        if self.errors:
            described.append(f"{self.auto_id}-error")
        if described:
            attrs["aria-describedby"] = " ".join(described)
        return attrs


def nhs_formfield(db_field: models.Field, **kwargs):
    """Model fields as form fields with the browser's own date and time pickers."""
    if isinstance(db_field, models.DateTimeField):
        kwargs.setdefault("widget", DateTimeInput)
    elif isinstance(db_field, models.DateField):
        kwargs.setdefault("widget", DateInput)
    elif isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class NHSFormMixin:
    bound_field_class = NHSBoundField
    use_required_attribute = False  # the server validates, and says why, in the page's words

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # every typed date says how to type it
            hint = DATE_HINT if isinstance(field.widget, DateInput) else None
            hint = DATETIME_HINT if isinstance(field.widget, DateTimeInput) else hint
            if hint and hint not in str(field.help_text or ""):
                field.help_text = f"{field.help_text} {hint}".strip() if field.help_text else hint

    def full_clean(self):
        # "This field is required." tells no one which field: say what to enter, in the page's words.
        for name, field in self.fields.items():
            if field.error_messages.get("required") == forms.Field.default_error_messages["required"]:
                verb = "Choose" if isinstance(field, forms.ChoiceField) else "Enter"
                label = str(field.label or pretty_name(name)).lower()
                field.error_messages = {**field.error_messages, "required": f"{verb} {label}."}
        super().full_clean()

    def apply_errors(self, error: ValidationError) -> None:
        """A service's refusal as form errors: on its field where the form has it, else for the form."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, errors in error.error_dict.items():
            target = name if name in self.fields and name != "expected_revision" else None
            for item in errors:
                self.add_error(target, item)

    def error_list(self) -> list[tuple[str, str]]:
        """(anchor, message) for the error summary, in the order of the form."""
        items = []
        for error in self.non_field_errors():
            items.append(("", error))
        for field in self:
            if field.is_hidden:
                continue
            anchor = f"{field.auto_id}_0" if field.widget_type == "radioselect" else field.auto_id
            for error in field.errors:
                items.append((anchor, error))
        return items


class NHSForm(NHSFormMixin, forms.Form):
    pass


class RevisionForm(NHSForm):
    """A workflow form on an existing record (approve, end, ratify): carries the revision it was opened at."""

    expected_revision = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, record: models.Model, **kwargs):
        super().__init__(*args, **kwargs)
        self.record = record
        self.fields["expected_revision"].initial = record.revision

    def is_stale(self) -> bool:
        return self.has_error("expected_revision")


class EditForm(NHSFormMixin, RevisionCheckedForm):
    """A model form for an editing page: carries the revision it was opened at.

    `validate_also` names model fields set by the view rather than the form (the partnership a
    record belongs to) that uniqueness and exclusion constraints must still consider.
    """

    formfield_callback = nhs_formfield
    validate_also: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["expected_revision"].required = True
        else:
            del self.fields["expected_revision"]

    def _get_validation_exclusions(self):
        return super()._get_validation_exclusions() - set(self.validate_also)

    OVERLAP = "This period overlaps another record"

    def _post_clean(self):
        super()._post_clean()
        generic = [e for e in self.errors.get(NON_FIELD_ERRORS, []) if str(e).startswith(self.OVERLAP)]
        if not generic:
            return
        named = [self.overlap_message(record) for record in effective_dating.overlapping(self.instance)]
        if named:
            kept = [e for e in self.errors[NON_FIELD_ERRORS] if not str(e).startswith(self.OVERLAP)]
            self.errors[NON_FIELD_ERRORS] = self.error_class([*kept, *named], error_class="nonfield")

    def overlap_message(self, record: models.Model) -> str:
        """The record a period overlaps, named with its dates and a link to it (issue 17)."""
        url = self.overlap_url(record)
        text = f"{record} ({period_words(record)})"
        if url:
            return format_html('This period overlaps <a href="{}">{}</a>: change the dates.', url, text)
        return f"This period overlaps {text}: change the dates."

    def overlap_url(self, record: models.Model) -> str | None:
        return None

    def is_stale(self) -> bool:
        return self.has_error(NON_FIELD_ERRORS, "stale") or self.has_error("expected_revision")


def period_words(record) -> str:
    """`from 1 April 2026`, `1 April 2026 to 31 March 2027`, `until 31 March 2027`."""
    start, end = record.effective_from, record.effective_to
    if start and end:
        return f"{display(start)} to {display(end)}"
    if start:
        return f"from {display(start)}, no end date"
    if end:
        return f"until {display(end)}"
    return "no dates"


# -- the conflict page -------------------------------------------------------------------------
def display(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return formats.date_format(
            timezone.localtime(value) if timezone.is_aware(value) else value, "j F Y H:i"
        )
    if isinstance(value, datetime.date):
        return formats.date_format(value, "j F Y")
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value) or "—"
    return str(value)


def typed_value(bound: BoundField) -> str:
    """What the user typed in a field, as they would read it (a choice's label, not its key)."""
    field = bound.field
    raw = bound.data
    if isinstance(field, forms.BooleanField):
        return display(bool(field.to_python(raw)))
    if isinstance(field, forms.ChoiceField) and not isinstance(raw, list):
        for key, label in field.choices:
            if str(key) == str(raw if raw is not None else ""):
                return display(str(label) if str(key) != "" else "")
    try:
        return display(field.clean(raw))
    except ValidationError:
        return display(raw)


def saved_value(instance: models.Model, name: str) -> str:
    try:
        model_field = instance._meta.get_field(name)
    except FieldDoesNotExist:  # a field of the form only
        return display(getattr(instance, name, ""))
    if model_field.choices:
        return display(getattr(instance, f"get_{name}_display")())
    return display(getattr(instance, name))


def conflict_response(
    request,
    *,
    typed_form: forms.BaseForm,
    current: models.Model,
    retry_form: forms.BaseForm,
    title: str,
    back_url: str,
    note: str = "",
) -> HttpResponse:
    """409: what the user typed beside what is saved now, and their input ready to save again
    over the current revision (`retry_form`) once they have read the other change."""
    rows = []
    for bound in typed_form:
        if bound.is_hidden:
            continue
        typed, saved = typed_value(bound), saved_value(current, bound.name)
        rows.append({"label": bound.label, "typed": typed, "saved": saved, "differs": typed != saved})
    return render(
        request,
        "edit/conflict.html",
        {
            "title": title,
            "rows": rows,
            "form": retry_form,
            "note": note,
            "back_url": back_url,
            "record": current,
        },
        status=409,
    )


def _retry_data(request, current: models.Model):
    data = request.POST.copy()
    data["expected_revision"] = str(current.revision)
    return data


# -- the two page flows -------------------------------------------------------------------------
def edit_page(
    request,
    *,
    form_class: type[EditForm],
    instance: models.Model,
    template: str,
    context: dict,
    success_url: Callable[[models.Model], str],
    success_message: str,
    form_kwargs: dict | None = None,
    save: Callable[[EditForm], models.Model] | None = None,
) -> HttpResponse:
    """Create or edit a record with a model form.

    GET shows the form. POST validates (the model's rules), saves under the row lock at the
    revision the user opened (`save` may call a service instead of `form.save()`), checks the
    record is still the user's to change, and redirects; or shows the errors with the input kept
    (400), or the conflict (409, nothing written).
    """
    form_kwargs = form_kwargs or {}
    if request.method != "POST":
        return render(request, template, {**context, "form": form_class(instance=instance, **form_kwargs)})
    form = form_class(request.POST, instance=instance, **form_kwargs)
    return _submit(
        request,
        form,
        record=instance if instance.pk is not None else None,
        write=(lambda: save(form)) if save else form.save,
        retry_form=lambda current: form_class(
            _retry_data(request, current),
            instance=type(instance)._default_manager.get(pk=instance.pk),
            **form_kwargs,
        ),
        success_url=success_url,
        success_message=success_message,
        template=template,
        context=context,
    )


def action_page(
    request,
    *,
    form_class: type[NHSForm],
    form_kwargs: dict | None = None,
    act: Callable[[dict], models.Model],
    template: str,
    context: dict,
    success_url: Callable[[models.Model], str],
    success_message: str,
    record: models.Model | None = None,
) -> HttpResponse:
    """A form that calls a workflow service (approve, end, record a decision, ratify, review, escalate).

    With `record` (a RevisionForm on an existing record), the service runs under the row lock at
    the revision the user opened, and a stale one gets the conflict page (409, nothing written).
    A service's refusal shows as form errors with the input kept (400).
    """
    form_kwargs = {**(form_kwargs or {}), **({"record": record} if record is not None else {})}
    if request.method != "POST":
        return render(request, template, {**context, "form": form_class(**form_kwargs)})
    form = form_class(request.POST, **form_kwargs)
    return _submit(
        request,
        form,
        record=record,
        write=lambda: act(form.cleaned_data),
        retry_form=lambda current: form_class(_retry_data(request, current), **form_kwargs),
        success_url=success_url,
        success_message=success_message,
        template=template,
        context=context,
    )


def _submit(request, form, *, record, write, retry_form, success_url, success_message, template, context):
    """The POST of either flow: the write through the one guarded write, then a redirect with the
    success banner; or the conflict page (409, nothing written); or the form with its errors (400)."""
    stale = None
    if form.is_valid():
        try:
            saved = guarded_write(
                user=request.user,
                record=record,
                expected_revision=form.cleaned_data.get("expected_revision"),
                write=write,
            )
        except StaleRecord as error:
            stale = error
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(request, success_message)
            return redirect(success_url(saved))
    elif record is not None and form.is_stale():
        stale = StaleRecord(type(record)._default_manager.get(pk=record.pk))
    if stale is not None:
        return conflict_response(
            request,
            typed_form=form,
            current=stale.current,
            retry_form=retry_form(stale.current),
            title=context.get("title", ""),
            back_url=request.path,
            note=stale.note,
        )
    return render(request, template, {**context, "form": form}, status=400)


# -- rows of a formset: "add another" with or without JavaScript --------------------------------
ADD_ROW = "add_row"  # the name of an "add another row" button; its value is the formset's prefix


def row_wanted(request, prefixes: tuple[str, ...]) -> str | None:
    """The prefix of the formset whose "add another row" button was pressed: a POST that saves
    nothing and shows the form again, as typed, with one more empty row."""
    if request.method != "POST":
        return None
    prefix = request.POST.get(ADD_ROW)
    return prefix if prefix in prefixes else None


def with_row_added(data, prefix: str, most: int):
    """The POST data with one more row in the formset `prefix` (never more than `most`)."""
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    try:
        total = int(data.get(key) or 0)
    except ValueError:
        total = 0
    data[key] = str(max(0, min(total + 1, most)))
    return data


def shown_as_typed(*items, grown: forms.BaseFormSet | None = None) -> None:
    """Show forms and formsets with the user's input but without validating them: adding a row is
    not a save, so nothing is wrong yet. The `grown` formset's last row is the new, empty one."""
    if grown is not None:
        new_row(grown)
    for item in items:
        if isinstance(item, forms.BaseFormSet):
            item._non_form_errors = item.error_class()
            item._errors = []
            shown_as_typed(*item.forms)
        else:
            item._errors = ErrorDict()
            item.cleaned_data = {}


def new_row(formset: forms.BaseFormSet) -> forms.BaseForm:
    """The formset's last row as a new, empty row with its initial values (not bound to the
    POST, which has nothing for it): replaced in `formset.forms` and returned."""
    index = formset.total_form_count() - 1
    row = formset.form(
        auto_id=formset.auto_id,
        prefix=formset.add_prefix(index),
        empty_permitted=True,
        use_required_attribute=False,
        **formset.get_form_kwargs(index),
    )
    formset.add_fields(row, index)
    formset.forms[index] = row
    return row


def added_row_response(request, *, formset: forms.BaseFormSet, template: str, context: dict) -> HttpResponse:
    """htmx: only the new, empty row (appended by the page) and the formset's new row count
    (swapped out of band), instead of the whole page."""
    return render(
        request,
        "edit/_row_added.html",
        {
            **context,
            "row": new_row(formset),
            "number": formset.total_form_count(),
            "row_template": template,
            "formset": formset,
        },
    )
