"""Accounts in the admin, for registry administrators: roles (a partnership's, and registry
administrator) on the user's page, and on the
partnership's page (bodies.admin adds the inlines there), the partnership's security policy,
invitations, deactivating an account (its sessions and tokens end at once). The placeholder
account django-guardian keeps for anonymous users is not listed."""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.access import forget_scope, is_registry_administrator, roles_in_force
from core.account_sessions import account_deactivate
from core.models import Invitation, PartnershipRole, PartnershipSecurity, RegistryAdministrator
from core.roles import administrators


class AdministratorsEdit:
    def has_view_permission(self, request, obj=None):
        return is_registry_administrator(request.user)

    def has_add_permission(self, request, obj=None):
        return is_registry_administrator(request.user)

    def has_change_permission(self, request, obj=None):
        return is_registry_administrator(request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # a role is ended, never deleted: the record stays


class RoleInlineBase(AdministratorsEdit, admin.TabularInline):
    model = PartnershipRole
    fk_name = None
    extra = 0
    readonly_fields = ["granted_by", "ended_by"]
    verbose_name = "partnership role"
    verbose_name_plural = (
        "Partnership roles (end a role by giving the moment it ends; every change is in the history)"
    )


class UserRoleInline(RoleInlineBase):
    fk_name = "user"
    fields = ["partnership", "role", "starts_at", "ends_at", "granted_by", "ended_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("partnership", "granted_by", "ended_by")


class PartnershipRoleInline(RoleInlineBase):
    fk_name = "partnership"
    fields = ["user", "role", "starts_at", "ends_at", "granted_by", "ended_by"]
    autocomplete_fields = ["user"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "granted_by", "ended_by")


class RegistryAdministratorInline(AdministratorsEdit, admin.TabularInline):
    model = RegistryAdministrator
    fk_name = "user"
    extra = 0
    fields = ["starts_at", "ends_at", "granted_by", "ended_by"]
    readonly_fields = ["granted_by", "ended_by"]
    verbose_name = "registry administrator role"
    verbose_name_plural = (
        "Registry administrator (everything, everywhere; end it by giving the moment it ends)"
    )


class PartnershipSecurityInline(AdministratorsEdit, admin.StackedInline):
    model = PartnershipSecurity
    can_delete = False
    extra = 1
    max_num = 1


def save_role_formset(request, formset) -> bool:
    """Record who granted and who ended each role; True when the formset held roles."""
    if formset.model not in (PartnershipRole, RegistryAdministrator):
        return False
    records = formset.save(commit=False)
    for record in records:
        if record.pk is None:
            record.granted_by = request.user
        if record.ends_at is not None and record.ended_by_id is None:
            record.ended_by = request.user
        record.save()
        forget_scope(record.user)
    formset.save_m2m()
    return True


class HasRoleFilter(admin.SimpleListFilter):
    title = "role"
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return [("none", "No role now"), ("some", "A role now")]

    def queryset(self, request, queryset):
        holding = Exists(roles_in_force().filter(user=OuterRef("pk")))
        if self.value() == "none":
            return queryset.exclude(holding)
        if self.value() == "some":
            return queryset.filter(holding)
        return queryset


class TwoFactorFilter(admin.SimpleListFilter):
    title = "two-factor authentication"
    parameter_name = "two_factor"

    def lookups(self, request, model_admin):
        return [("missing", "Administrators without it"), ("set", "Set up")]

    def queryset(self, request, queryset):
        device = Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
        if self.value() == "missing":
            return queryset.filter(administrators()).exclude(device)
        if self.value() == "set":
            return queryset.filter(device)
        return queryset


class InvitationStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Invitation.Status.choices

    def queryset(self, request, queryset):
        now = timezone.now()
        open_ = Q(accepted_at__isnull=True, revoked_at__isnull=True)
        conditions = {
            "pending": open_ & Q(expires_at__gt=now),
            "expired": open_ & Q(expires_at__lte=now),
            "accepted": Q(accepted_at__isnull=False),
            "revoked": Q(revoked_at__isnull=False),
        }
        return queryset.filter(conditions[self.value()]) if self.value() in conditions else queryset


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class RegistryUserAdmin(UserAdmin):
    inlines = [UserRoleInline, RegistryAdministratorInline]
    actions = ["deactivate"]
    list_display = ["username", "email", "first_name", "last_name", "is_active", "is_superuser", "last_login"]
    list_filter = [HasRoleFilter, TwoFactorFilter, *UserAdmin.list_filter]

    def get_queryset(self, request):
        anonymous = getattr(settings, "ANONYMOUS_USER_NAME", "AnonymousUser")
        return super().get_queryset(request).exclude(username=anonymous)

    def save_formset(self, request, form, formset, change):
        if not save_role_formset(request, formset):
            super().save_formset(request, form, formset, change)

    def save_model(self, request, obj, form, change):
        """Unticking "active" is deactivation: the account's sessions and tokens end with it."""
        was_active = change and User.objects.filter(pk=obj.pk, is_active=True).exists()
        super().save_model(request, obj, form, change)
        if was_active and not obj.is_active:
            ended = account_deactivate(user=obj, by=request.user)
            self.message_user(
                request,
                f"Deactivated: {ended['sessions']} session(s) ended, {ended['tokens']} token(s) revoked.",
                messages.WARNING,
            )

    @admin.action(description="Deactivate the selected accounts (ends their sessions and tokens now)")
    def deactivate(self, request, queryset):
        for user in queryset.filter(is_active=True):
            account_deactivate(user=user, by=request.user)
        self.message_user(request, "Deactivated.", messages.SUCCESS)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "partnership", "role", "status_label", "expires_at", "invited_by", "accepted_at"]
    list_select_related = ["partnership", "invited_by"]
    list_filter = [InvitationStatusFilter, "role", "partnership"]
    search_fields = ["email", "name"]
    fields = readonly_fields = [
        "email", "name", "partnership", "role", "invited_by", "created_at", "expires_at", "generation",
        "emailed_generation", "last_sent_at", "email_error", "revoked_at", "revoked_by", "accepted_at",
        "accepted_by",
    ]  # fmt: skip

    @admin.display(description="Status")
    def status_label(self, obj):
        return obj.get_status_display()

    def has_module_permission(self, request):
        return is_registry_administrator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_registry_administrator(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
