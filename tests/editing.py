"""What the editing-page tests share: the data a browser would post back for a page's form
and formsets, a record's history events, a response's field errors."""

import datetime

import pghistory.models
from django import forms
from django.utils import timezone


def form_data(response, **changes) -> dict:
    """What the browser would send back for the page's form, unchanged but for `changes`."""
    form = response.context["form"]
    data = {}
    for bound in form:
        value = bound.value()
        if isinstance(bound.field, forms.BooleanField):
            if value:
                data[bound.html_name] = "on"
            continue
        if value is None:
            value = ""
        elif isinstance(value, datetime.datetime):
            value = (timezone.localtime(value) if timezone.is_aware(value) else value).strftime(
                "%Y-%m-%dT%H:%M"
            )
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        data[bound.html_name] = value
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def formset_data(formset) -> dict:
    """What the browser sends back for a formset, unchanged: its management form and every row."""
    data = {}
    for form in [formset.management_form, *formset.forms]:
        for bound in form:
            value = bound.value()
            if bound.widget_type == "checkbox":
                if value:
                    data[bound.html_name] = "on"
                continue
            if value is None:
                value = "unknown" if bound.widget_type == "nullbooleanselect" else ""
            elif value is True or value is False:
                value = "true" if value else "false"
            data[bound.html_name] = str(value)
    return data


def events(instance) -> list:
    return list(
        pghistory.models.MiddlewareEvents.objects.tracks(instance).order_by("pgh_created_at", "pgh_id")
    )


def errors_of(response) -> dict:
    return {name: list(errors) for name, errors in response.context["form"].errors.items()}


def draft_page_data(response, **changes) -> dict:
    data = form_data(response)
    data.update(formset_data(response.context["objectives"]))
    data.update(formset_data(response.context["roles"]))
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def body_admin_data(body, *, name: str, expected_revision: int) -> dict:
    """What the admin's body change form posts: the body renamed, opened at `expected_revision`,
    with its two inlines empty."""
    return {
        "partnership": body.partnership_id,
        "name": name,
        "slug": body.slug,
        "kind": body.kind,
        "status": body.status,
        "description": "",
        "expected_revision": expected_revision,
        "relationships_from-TOTAL_FORMS": 0,
        "relationships_from-INITIAL_FORMS": 0,
        "appointments-TOTAL_FORMS": 0,
        "appointments-INITIAL_FORMS": 0,
    }
