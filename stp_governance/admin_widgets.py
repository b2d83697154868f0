"""Admin building blocks shared by every app."""

from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError


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
