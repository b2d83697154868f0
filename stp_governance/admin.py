"""Admin for API tokens: registry administrators issue (the key is shown once) and revoke."""

import datetime

from django import forms
from django.contrib import admin, messages
from django.utils import timezone

from stp_governance.access import is_registry_administrator
from stp_governance.models import ApiToken
from stp_governance.tokens import api_token_issue, api_token_revoke


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name", "user", "partnership", "read_only", "expires_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expires_at"].initial = timezone.now() + datetime.timedelta(days=90)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    form = ApiTokenForm
    list_display = [
        "name",
        "key_prefix",
        "partnership",
        "read_only",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
    list_select_related = ["partnership", "user"]
    list_filter = ["read_only", "partnership"]
    search_fields = ["name", "key_prefix"]
    autocomplete_fields = ["user", "partnership"]
    actions = ["revoke"]

    def has_module_permission(self, request):
        return is_registry_administrator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_registry_administrator(request.user)

    def has_add_permission(self, request, obj=None):
        return is_registry_administrator(request.user)

    def has_change_permission(self, request, obj=None):
        return False  # tokens are issued and revoked, never edited

    def has_delete_permission(self, request, obj=None):
        return False  # revoked tokens stay, for the record

    def save_model(self, request, obj, form, change):
        token, raw_key = api_token_issue(
            name=obj.name,
            user=obj.user,
            partnership=obj.partnership,
            read_only=obj.read_only,
            expires_at=obj.expires_at,
            created_by=request.user,
        )
        obj.pk = token.pk
        self.message_user(
            request,
            f"Token issued. Copy the key now; it is not stored and will not be shown again: {raw_key}",
            messages.WARNING,
        )

    @admin.action(description="Revoke the selected tokens now")
    def revoke(self, request, queryset):
        for token in queryset:
            api_token_revoke(token=token, revoked_by=request.user)
        self.message_user(request, f"Revoked {queryset.count()} token(s).", messages.SUCCESS)
