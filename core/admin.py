"""Admin for API tokens: registry administrators issue (the key is shown once) and revoke; webhook
endpoints of API clients; and the records of background work, read-only."""

import datetime

from django import forms
from django.contrib import admin, messages
from django.utils import timezone

from core.access import is_registry_administrator
from core.models import (
    ApiToken,
    CheckRun,
    Export,
    Notification,
    OutboxMessage,
    WebhookDelivery,
    WebhookEndpoint,
)
from core.tokens import api_token_issue, api_token_revoke
from core.webhooks import new_secret


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


# -- background work: read-only records for registry administrators; webhook endpoints editable --
class AdministratorsOnly(admin.ModelAdmin):
    def has_module_permission(self, request):
        return is_registry_administrator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_registry_administrator(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(AdministratorsOnly):
    list_display = ["token", "url", "active", "events", "created_at"]
    list_select_related = ["token"]
    fields = ["token", "url", "events", "active", "secret"]
    readonly_fields = ["secret"]
    autocomplete_fields = ["token"]

    def has_add_permission(self, request, obj=None):
        return is_registry_administrator(request.user)

    def has_change_permission(self, request, obj=None):
        return is_registry_administrator(request.user)

    def save_model(self, request, obj, form, change):
        if not obj.secret:
            obj.secret = new_secret()
            self.message_user(request, f"Signing secret for this endpoint: {obj.secret}", messages.WARNING)
        super().save_model(request, obj, form, change)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(AdministratorsOnly):
    list_display = [
        "event_type",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "created_at",
        "delivered_at",
    ]
    list_filter = ["status", "event_type"]
    list_select_related = ["endpoint__token"]


@admin.register(Export)
class ExportAdmin(AdministratorsOnly):
    list_display = [
        "kind",
        "partnership",
        "as_at",
        "status",
        "progress",
        "attempts",
        "requested_at",
        "heartbeat_at",
        "finished_at",
    ]
    list_filter = ["status", "kind"]
    list_select_related = ["partnership"]


@admin.register(CheckRun)
class CheckRunAdmin(AdministratorsOnly):
    list_display = ["partnership", "on", "finished_at"]
    list_select_related = ["partnership"]


@admin.register(Notification)
class NotificationAdmin(AdministratorsOnly):
    list_display = ["recipient", "subject", "day", "emailed_at", "email_error"]
    list_filter = ["day"]
    search_fields = ["recipient", "subject_key"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(AdministratorsOnly):
    list_display = ["task", "created_at", "dispatched_at", "attempts", "last_error"]


from core import account_admin  # noqa: E402, F401 (accounts, roles and invitations register themselves)
