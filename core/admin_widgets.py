"""Admin building blocks shared by every app."""

import pghistory
from django import forms
from django.contrib import messages
from django.contrib.admin.options import InlineModelAdmin
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse

from core.access import can, holds_any_role, is_registry_administrator, partnership_scope, restrict
from core.counting import EstimatedCountPaginator
from core.effective_dating import EffectiveDated, deletion_refusal, log_deletion
from core.writes import ANY_REVISION, StaleRecord, guarded_write

SOURCE_FIELDSET = (
    "Source",
    {"fields": ["source_document", "source_reference", "source_url"], "classes": ["collapse"]},
)


class _ValidValuesOnly:
    """Autocomplete widgets that ignore submitted values which are not valid keys.

    Django's widget looks the submitted values up to redisplay them; a value such as
    "abc" for an integer key would raise there and turn a form error into a 500.
    """

    def optgroups(self, name, value, attr=None):
        target = self.field.remote_field.model._meta.get_field(self.field.remote_field.field_name)
        valid = []
        for item in value:
            if item in ("", None):
                continue
            try:
                target.to_python(item)
            except (ValidationError, ValueError, TypeError):
                continue
            if isinstance(item, str) and "\x00" in item:
                continue
            valid.append(item)
        return super().optgroups(name, valid, attr)


class SafeAutocompleteSelect(_ValidValuesOnly, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(_ValidValuesOnly, AutocompleteSelectMultiple):
    pass


class SafeAutocompleteMixin:
    """Use on every ModelAdmin and inline: autocomplete fields that never crash on bad input."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class RestrictedAdminMixin(SafeAutocompleteMixin):
    """Admin that follows the partnership: staff see and edit only what `restrict` allows.

    Registry administrators see everything. Another partnership's record answers 404 (not a
    redirect or a 403), and foreign-key choices and autocompletes are restricted the same way.
    """

    def get_queryset(self, request):
        return restrict(super().get_queryset(request), request.user, "view")

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff and holds_any_role(request.user)

    def has_view_permission(self, request, obj=None):
        if not self.has_module_permission(request):
            return False
        return obj is None or can(request.user, "view", obj)

    def has_change_permission(self, request, obj=None):
        if not self.has_module_permission(request):
            return False
        if obj is None:
            return is_registry_administrator(request.user) or bool(partnership_scope(request.user, "change"))
        return can(request.user, "change", obj)

    def has_add_permission(self, request, obj=None):
        if not self.has_module_permission(request):
            return False
        return is_registry_administrator(request.user) or bool(partnership_scope(request.user, "add"))

    def has_delete_permission(self, request, obj=None):
        if not self.has_module_permission(request):
            return False
        if self.ended_not_deleted(obj) and (
            isinstance(self, InlineModelAdmin) or not is_registry_administrator(request.user)
        ):
            # Effective-dated records are ended, not deleted (effective_dating.deletion_refusal);
            # an inline's delete box cannot ask for the reason, so only the record's own page can.
            return False
        if obj is None:
            return is_registry_administrator(request.user) or bool(partnership_scope(request.user, "delete"))
        return can(request.user, "delete", obj)

    def ended_not_deleted(self, obj=None) -> bool:
        """Whether deleting needs a registry administrator and a reason (drafts never in force do not)."""
        # An inline is asked with its parent record: then it is about every row it shows.
        return issubclass(self.model, EffectiveDated) and not (
            isinstance(obj, self.model) and obj.never_in_force()
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.ended_not_deleted():
            actions.pop("delete_selected", None)  # a bulk delete cannot give each record's reason
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.ended_not_deleted(obj) or request.method != "POST":
            return super().delete_view(request, object_id, extra_context)
        reason = request.POST.get("reason", "").strip()
        refusal = deletion_refusal(user=request.user, instance=obj, reason=reason)
        if refusal is not None and "detail" in refusal:
            raise PermissionDenied(refusal["detail"])
        if refusal is not None:
            self.message_user(request, refusal["reason"], messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        pk = obj.pk
        with pghistory.context(reason=reason):
            response = super().delete_view(request, object_id, extra_context)
        if not type(obj)._default_manager.filter(pk=pk).exists():
            log_deletion(user=request.user, model=type(obj), pk=pk, reason=reason)
        return response

    def render_delete_form(self, request, context):
        if self.ended_not_deleted(context.get("object")):
            context["reason_required"] = True
            return TemplateResponse(request, "admin/delete_with_reason.html", context)
        return super().render_delete_form(request, context)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            if field.queryset.model is get_user_model():
                # Accounts belong to no partnership: only registry administrators link them.
                if not is_registry_administrator(request.user):
                    field.queryset = field.queryset.none()
            else:
                field.queryset = restrict(field.queryset, request.user, "view")
        return field

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404("Not found.")

    def save_model(self, request, obj, form, change):
        """Through the one guarded write (core.writes): locked at the revision the form was opened
        at (RevisionCheckedAdminMixin's hidden field), and still inside the user's partnerships."""
        expected = form.cleaned_data.get("expected_revision")
        try:
            guarded_write(
                user=request.user,
                record=obj if change and hasattr(obj, "revision") else None,
                expected_revision=ANY_REVISION if expected is None else expected,
                write=lambda: super(RestrictedAdminMixin, self).save_model(request, obj, form, change) or obj,
                action="change" if change else "add",
            )
        except StaleRecord:
            raise PermissionDenied("Someone else changed this record while you were saving it.") from None


class RevisionCheckedForm(forms.ModelForm):
    """Carries the revision the user opened; a save over someone else's change is refused."""

    expected_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and "expected_revision" in self.fields:
            self.fields["expected_revision"].initial = self.instance.revision

    def clean(self):
        cleaned = super().clean()
        expected = cleaned.get("expected_revision")
        if self.instance.pk is not None and expected is not None:
            current = (
                type(self.instance)
                ._default_manager.filter(pk=self.instance.pk)
                .values_list("revision", flat=True)
                .first()
            )
            if current != expected:
                raise ValidationError(
                    "Someone else changed this record after you opened it, so your changes were not saved. "
                    "Open it again to see their change, then reapply yours.",
                    code="stale",
                )
        return cleaned


class ViewOnlyAdminMixin:
    """Shown in the admin, never written there: records whose rules live in a service that the staff
    pages call (a paper's versions, locked minutes, a rename), so the admin cannot go round it."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RevisionCheckedAdminMixin:
    """For ModelAdmins of governed models: the change form carries the revision; changelists of
    large tables never count every row (an estimate, and no second count of the unfiltered table)."""

    form = RevisionCheckedForm
    paginator = EstimatedCountPaginator
    show_full_result_count = False

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None and hasattr(obj, "revision"):
            fieldsets.append((None, {"fields": ["expected_revision"], "classes": ["hidden"]}))
        return fieldsets
