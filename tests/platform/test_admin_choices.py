"""No admin form lists every row of a table that grows with the registry in a <select>.

Generated from the admin site: every registered model admin and its inlines. A choice of a person,
an organisation, an account, a meeting or an agenda item must be an autocomplete or a raw id box,
because a national registry holds tens of thousands of them and the page would carry them all.
"""

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.widgets import (
    AutocompleteMixin,
    ForeignKeyRawIdWidget,
    ManyToManyRawIdWidget,
    RelatedFieldWidgetWrapper,
)
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import RequestFactory

from bodies.models import Partnership
from core.models import WebhookEndpoint
from decisions.admin import DeclarationInline
from decisions.models import Meeting
from tests.factories import AgendaItemFactory

# Tables whose size is bounded by configuration, not by the registry's content: one row per
# partnership (42 systems), Django's permissions, the webhook endpoints an administrator set up.
BOUNDED = {Partnership, Permission, WebhookEndpoint}

# Choices the admin narrows to the record being edited (tested below), so they stay short.
NARROWED_TO_THE_PARENT = {("MeetingAdmin.DeclarationInline", "agenda_item")}


def superuser_request():
    request = RequestFactory().get("/admin/")
    request.user = get_user_model()(username="probe", is_superuser=True, is_staff=True, is_active=True)
    return request


def admin_forms():
    request = superuser_request()
    for model in apps.get_models():
        if not admin.site.is_registered(model):
            continue
        model_admin = admin.site.get_model_admin(model)
        if model_admin.has_change_permission(request) or model_admin.has_add_permission(request):
            yield f"{type(model_admin).__name__}", model_admin.get_form(request), None
        # Every inline the admin declares, including those it shows only on a saved record.
        for inline in [inline_class(model, admin.site) for inline_class in model_admin.inlines]:
            if not (inline.has_add_permission(request, None) or inline.has_change_permission(request, None)):
                continue  # shown read-only: no choices at all
            formset = inline.get_formset(request)
            yield f"{type(model_admin).__name__}.{type(inline).__name__}", formset.form, formset.fk.name


def plain_choices(form, parent_fk):
    for name, field in form.base_fields.items():
        if not isinstance(field, forms.ModelChoiceField) or field.disabled or name == parent_fk:
            continue
        widget = field.widget.widget if isinstance(field.widget, RelatedFieldWidgetWrapper) else field.widget
        if isinstance(widget, AutocompleteMixin | ForeignKeyRawIdWidget | ManyToManyRawIdWidget):
            continue
        if isinstance(widget, forms.HiddenInput | forms.MultipleHiddenInput):
            continue
        yield name, field.queryset.model


FORMS = list(admin_forms())


def test_the_walk_sees_the_admin():
    names = {name for name, _, _ in FORMS}
    assert {"PersonAdmin", "AgendaItemAdmin", "MeetingAdmin.AttendanceInline"} <= names


@pytest.mark.parametrize(("name", "form", "parent_fk"), FORMS, ids=[name for name, _, _ in FORMS])
def test_no_select_over_a_growing_table(name, form, parent_fk):
    unbounded = [
        f"{field} → {model.__name__}"
        for field, model in plain_choices(form, parent_fk)
        if model not in BOUNDED and (name, field) not in NARROWED_TO_THE_PARENT
    ]
    assert not unbounded, f"{name}: make these autocomplete_fields or raw_id_fields: {unbounded}"


@pytest.mark.django_db
def test_a_declaration_at_a_meeting_chooses_among_that_meetings_items():
    meeting, other = AgendaItemFactory().meeting, AgendaItemFactory().meeting
    AgendaItemFactory(meeting=meeting)
    request = superuser_request()
    inline = DeclarationInline(Meeting, admin.site)
    choices = inline.get_formset(request, meeting).form.base_fields["agenda_item"].queryset
    assert set(choices) == set(meeting.agenda_items.all()) and len(choices) == 2
    assert not set(choices) & set(other.agenda_items.all())
