"""Admin for schemes of delegation: filters by partnership, body and matter; scheme checks per partnership."""

from django.contrib import admin, messages

from core.admin_widgets import SOURCE_FIELDSET, RestrictedAdminMixin, RevisionCheckedAdminMixin
from delegation.checks import scheme_defects
from delegation.models import (
    ApprovalRoute,
    ApprovalStage,
    Delegation,
    Matter,
    Reservation,
    SchemeNote,
    UrgentDecisionRule,
)


class RegistryAdmin(RevisionCheckedAdminMixin, RestrictedAdminMixin, admin.ModelAdmin):
    pass


@admin.register(Matter)
class MatterAdmin(RegistryAdmin):
    list_display = ["name", "partnership", "category"]
    list_select_related = ["partnership"]
    list_filter = ["partnership", "category"]
    search_fields = ["name", "slug"]
    autocomplete_fields = ["partnership"]
    actions = ["run_scheme_checks"]

    @admin.action(description="Run the scheme checks of the selected matters' partnerships")
    def run_scheme_checks(self, request, queryset):
        for partnership in {matter.partnership for matter in queryset.select_related("partnership")}:
            defects = scheme_defects(partnership)
            level = messages.WARNING if defects else messages.SUCCESS
            self.message_user(request, f"{partnership}: {len(defects)} defect(s).", level)
            for defect in defects[:50]:
                self.message_user(request, defect.message, messages.WARNING)


@admin.register(Reservation)
class ReservationAdmin(RegistryAdmin):
    list_display = ["matter", "reserved_to", "reserved_to_body", "power", "partnership", "effective_from"]
    list_select_related = ["matter", "reserved_to_body", "partnership"]
    list_filter = ["partnership", "reserved_to", ("matter", admin.RelatedOnlyFieldListFilter), "power"]
    search_fields = ["matter__name"]
    autocomplete_fields = ["partnership", "matter", "reserved_to_body"]


@admin.register(Delegation)
class DelegationAdmin(RegistryAdmin):
    list_display = [
        "matter", "delegator_display", "delegate", "delegate_office", "power", "financial_limit_gbp",
        "further_delegation_permitted", "effective_from", "effective_to",
    ]  # fmt: skip
    list_select_related = ["matter", "delegator", "delegate"]
    list_filter = [
        "partnership",
        ("delegate", admin.RelatedOnlyFieldListFilter),
        ("delegator", admin.RelatedOnlyFieldListFilter),
        ("matter", admin.RelatedOnlyFieldListFilter),
        "power",
        "further_delegation_permitted",
    ]
    search_fields = ["matter__name", "delegate__name", "delegator__name", "conditions"]
    autocomplete_fields = ["partnership", "delegator", "delegate", "matter"]
    fieldsets = [
        (None, {"fields": ["partnership", "matter", "delegator", "delegate", "delegate_office", "power"]}),
        ("Limits", {"fields": ["financial_limit_gbp", "conditions", "further_delegation_permitted"]}),
        ("Period", {"fields": ["effective_from", "effective_to"]}),
        SOURCE_FIELDSET,
    ]

    @admin.display(description="delegator", ordering="delegator__name")
    def delegator_display(self, obj):
        return obj.delegator_display


class ApprovalStageInline(RestrictedAdminMixin, admin.TabularInline):
    model = ApprovalStage
    extra = 0
    fields = ["position", "phase", "name", "acting_bodies", "jointly", "power", "preconditions"]
    autocomplete_fields = ["acting_bodies"]


@admin.register(ApprovalRoute)
class ApprovalRouteAdmin(RegistryAdmin):
    list_display = ["name", "partnership", "category"]
    list_select_related = ["partnership"]
    list_filter = ["partnership", "category"]
    search_fields = ["name"]
    autocomplete_fields = ["partnership"]
    inlines = [ApprovalStageInline]


@admin.register(UrgentDecisionRule)
class UrgentDecisionRuleAdmin(RegistryAdmin):
    list_display = ["partnership", "taken_by", "taken_by_office", "discussed_by", "ratification_required"]
    list_select_related = ["partnership", "taken_by", "discussed_by"]
    search_fields = ["partnership__name"]
    autocomplete_fields = ["partnership", "discussed_by", "taken_by"]
    fieldsets = [
        (
            None,
            {"fields": ["partnership", "need_determined_by", "discussed_by", "taken_by", "taken_by_office"]},
        ),
        ("Consultation and report", {"fields": ["consulted", "council_decisions", "reported_to"]}),
        (None, {"fields": ["ratification_required"]}),
        SOURCE_FIELDSET,
    ]


@admin.register(SchemeNote)
class SchemeNoteAdmin(RegistryAdmin):
    list_display = ["partnership"]
    list_select_related = ["partnership"]
    search_fields = ["partnership__name", "text"]
    autocomplete_fields = ["partnership"]
    fieldsets = [(None, {"fields": ["partnership", "text"]}), SOURCE_FIELDSET]
