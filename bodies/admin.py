"""Admin for the registry: for registry administrators and secretariats.

Open-ended relations (organisations, people, bodies) use autocomplete, never a <select>
of every row; changelists select what they display, so their query count is constant.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count

from bodies import services
from bodies.models import (
    Agreement,
    Appointment,
    Body,
    BodyRelationship,
    Membership,
    Organisation,
    OrganisationSuccession,
    Partnership,
    PartnershipStage,
    Person,
    Signature,
    TermsOfReference,
    TermsOfReferenceObjective,
    TermsOfReferenceRole,
)
from stp_governance.access import is_registry_administrator
from stp_governance.admin_widgets import SOURCE_FIELDSET, RestrictedAdminMixin, RevisionCheckedAdminMixin
from stp_governance.effective_dating import today


class InForceFilter(admin.SimpleListFilter):
    title = "in force"
    parameter_name = "in_force"

    def lookups(self, request, model_admin):
        return [("yes", "In force today"), ("no", "Ended or not yet started")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.in_force()
        if self.value() == "no":
            return queryset.exclude(pk__in=queryset.in_force().values("pk"))
        return queryset


class PartnershipStageInline(RestrictedAdminMixin, admin.TabularInline):
    model = PartnershipStage
    extra = 0
    fields = ["stage", "effective_from", "effective_to"]


class MembershipInline(RestrictedAdminMixin, admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["organisation", "standing", "status", "effective_from", "effective_to", "note"]
    autocomplete_fields = ["organisation"]

    def get_queryset(self, request):
        # Each row's title is str(membership): its organisation and partnership, one query in all.
        return super().get_queryset(request).select_related("organisation", "partnership")


@admin.register(Partnership)
class PartnershipAdmin(RevisionCheckedAdminMixin, RestrictedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "short_name", "footprint_number", "region", "lead", "member_count"]
    list_select_related = ["lead"]
    search_fields = ["name", "short_name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["lead"]
    inlines = [PartnershipStageInline, MembershipInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name", "short_name", "slug", "footprint_number", "region", "population", "budget_gbp",
                    "lead", "lead_role", "description",
                ]
            },
        ),
        SOURCE_FIELDSET,
    ]  # fmt: skip

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(member_count=Count("memberships", distinct=True))
            .order_by("name")
        )

    @admin.display(description="memberships", ordering="member_count")
    def member_count(self, obj):
        return obj.member_count


class OrganisationMembershipInline(MembershipInline):
    fields = ["partnership", "standing", "status", "effective_from", "effective_to", "note"]
    autocomplete_fields = ["partnership"]


class SuccessionInline(RestrictedAdminMixin, admin.TabularInline):
    model = OrganisationSuccession
    fk_name = "predecessor"
    extra = 0
    verbose_name = "succession (this organisation was succeeded by)"
    verbose_name_plural = "successions (this organisation was succeeded by)"
    fields = ["successor", "kind", "effective_on", "note"]
    autocomplete_fields = ["successor"]


@admin.register(Organisation)
class OrganisationAdmin(RevisionCheckedAdminMixin, RestrictedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "is_statutory", "ods_code", "partnership_count"]
    list_filter = ["kind", "is_statutory", "memberships__partnership"]
    search_fields = ["name", "slug", "ods_code"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OrganisationMembershipInline, SuccessionInline]
    fieldsets = [
        (
            None,
            {"fields": ["name", "slug", "kind", "is_statutory", "ods_code", "other_names", "contact_email"]},
        ),
        ("Dates", {"fields": ["established_on", "dissolved_on"]}),
        SOURCE_FIELDSET,
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(partnership_count=Count("memberships__partnership", distinct=True))
            .order_by("name")
        )

    @admin.display(description="partnerships", ordering="partnership_count")
    def partnership_count(self, obj):
        return obj.partnership_count


@admin.register(OrganisationSuccession)
class OrganisationSuccessionAdmin(RevisionCheckedAdminMixin, RestrictedAdminMixin, admin.ModelAdmin):
    list_display = ["predecessor", "kind", "successor", "effective_on"]
    list_select_related = ["predecessor", "successor"]
    list_filter = ["kind"]
    search_fields = ["predecessor__name", "successor__name"]
    autocomplete_fields = ["predecessor", "successor"]


@admin.register(Membership)
class MembershipAdmin(RevisionCheckedAdminMixin, RestrictedAdminMixin, admin.ModelAdmin):
    list_display = [
        "organisation",
        "partnership",
        "standing",
        "status",
        "effective_from",
        "effective_to",
    ]
    list_select_related = ["organisation", "partnership"]
    list_filter = ["partnership", "standing", "status", InForceFilter]
    search_fields = ["organisation__name", "partnership__name"]
    autocomplete_fields = ["organisation", "partnership"]
    fieldsets = [
        (None, {"fields": ["partnership", "organisation", "standing", "status", "note"]}),
        ("Period", {"fields": ["effective_from", "effective_to"]}),
        SOURCE_FIELDSET,
    ]


class SignatureInline(RestrictedAdminMixin, admin.TabularInline):
    model = Signature
    extra = 0
    can_delete = False  # signatures are evidence: record a withdrawal instead
    fields = ["organisation", "signatory_name", "signatory_title", "signed_on", "withdrawn_on"]
    autocomplete_fields = ["organisation"]


@admin.register(Agreement)
class AgreementAdmin(RevisionCheckedAdminMixin, RestrictedAdminMixin, admin.ModelAdmin):
    list_display = [
        "title",
        "partnership",
        "kind",
        "status",
        "effective_from",
        "effective_to",
        "signature_count",
    ]
    list_select_related = ["partnership"]
    list_filter = ["partnership", "kind", "status"]
    search_fields = ["title", "partnership__name"]
    autocomplete_fields = ["partnership"]
    inlines = [SignatureInline]
    fieldsets = [
        (None, {"fields": ["partnership", "slug", "kind", "title", "version", "status", "note"]}),
        (
            "Dates",
            {"fields": ["agreed_on", "effective_from", "effective_to", "review_interval_months"]},
        ),
        SOURCE_FIELDSET,
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(signature_count=Count("signatures")).order_by("title")

    @admin.display(description="signatures", ordering="signature_count")
    def signature_count(self, obj):
        return obj.signature_count

    def has_delete_permission(self, request, obj=None):
        return False  # an agreement carries signatures, which are evidence


@admin.register(Person)
class PersonAdmin(RevisionCheckedAdminMixin, RestrictedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "email", "user"]
    list_select_related = ["user"]
    search_fields = ["name", "email"]
    raw_id_fields = ["user"]  # registry administrators only (below); no <select> over every account

    def get_readonly_fields(self, request, obj=None):
        # Linking an account to a person opens that person's confidential business to it:
        # registry administrators only.
        readonly = list(super().get_readonly_fields(request, obj))
        if not is_registry_administrator(request.user):
            readonly.append("user")
        return readonly


class RelationshipInline(RestrictedAdminMixin, admin.TabularInline):
    model = BodyRelationship
    fk_name = "from_body"
    extra = 0
    fields = ["kind", "to_body", "effective_from", "effective_to", "note"]
    autocomplete_fields = ["to_body"]
    verbose_name_plural = "relationships (this body → another)"


class AppointmentInline(RestrictedAdminMixin, admin.TabularInline):
    model = Appointment
    extra = 0
    fields = [
        "person",
        "role",
        "title",
        "representing",
        "voting",
        "deputy",
        "effective_from",
        "effective_to",
    ]
    autocomplete_fields = ["person", "representing", "deputy"]


@admin.register(Body)
class BodyAdmin(RevisionCheckedAdminMixin, RestrictedAdminMixin, admin.ModelAdmin):
    list_display = [
        "name", "partnership", "kind", "status", "holds_delegated_authority", "decisions_bind_partners",
    ]  # fmt: skip
    list_select_related = ["partnership"]
    list_filter = [
        "partnership",
        "kind",
        "status",
        "holds_delegated_authority",
        "decisions_bind_partners",
    ]
    search_fields = ["name", "short_name", "slug"]
    autocomplete_fields = ["partnership", "organisation"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [RelationshipInline, AppointmentInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "partnership",
                    "organisation",
                    "name",
                    "short_name",
                    "slug",
                    "kind",
                    "status",
                    "description",
                ]
            },
        ),
        ("Authority", {"fields": ["holds_delegated_authority", "decisions_bind_partners"]}),
        ("Period", {"fields": ["effective_from", "effective_to"]}),
        SOURCE_FIELDSET,
    ]


@admin.register(BodyRelationship)
class BodyRelationshipAdmin(RevisionCheckedAdminMixin, RestrictedAdminMixin, admin.ModelAdmin):
    list_display = ["from_body", "kind", "to_body", "effective_from", "effective_to"]
    list_select_related = ["from_body", "to_body"]
    list_filter = ["kind", "from_body__partnership", InForceFilter]
    search_fields = ["from_body__name", "to_body__name"]
    autocomplete_fields = ["from_body", "to_body"]


class ObjectiveInline(RestrictedAdminMixin, admin.TabularInline):
    model = TermsOfReferenceObjective
    extra = 0
    fields = ["position", "heading", "text"]


class RoleInline(RestrictedAdminMixin, admin.TabularInline):
    model = TermsOfReferenceRole
    extra = 0
    fields = ["position", "title", "category", "voting", "is_chair", "organisation", "note"]
    autocomplete_fields = ["organisation"]


@admin.register(TermsOfReference)
class TermsOfReferenceAdmin(RevisionCheckedAdminMixin, RestrictedAdminMixin, admin.ModelAdmin):
    list_display = [
        "body", "version", "status", "approved_on", "effective_from", "effective_to", "meeting_frequency",
        "next_review_due",
    ]  # fmt: skip
    list_select_related = ["body"]
    list_filter = ["status", "body__partnership", "meeting_frequency", InForceFilter]
    search_fields = ["body__name", "purpose"]
    autocomplete_fields = ["body", "approved_by"]
    inlines = [ObjectiveInline, RoleInline]
    actions = ["approve_today", "start_new_version"]
    fieldsets = [
        (None, {"fields": ["body", "version", "status", "purpose"]}),
        ("Approval", {"fields": ["approved_by", "approved_on", "effective_from", "effective_to"]}),
        (
            "Meetings",
            {
                "fields": [
                    "quorum_rule", "quorum_count", "decision_method", "meeting_frequency", "frequency_note",
                    "duration_minutes_min", "duration_minutes_max",
                ]
            },
        ),
        ("Review", {"fields": ["review_interval_months", "next_review_due"]}),
        SOURCE_FIELDSET,
    ]  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        # Status changes only through the approval workflow, which supersedes the old version.
        return (
            ["status"]
            if obj is None or obj.status == TermsOfReference.Status.DRAFT
            else ["status", "version"]
        )

    @admin.action(description="Approve the selected drafts, in force from today")
    def approve_today(self, request, queryset):
        for terms in queryset.select_related("body"):
            try:
                services.terms_of_reference_approve(terms_of_reference=terms, approved_on=today())
            except ValidationError as error:
                self.message_user(request, f"{terms}: {' '.join(error.messages)}", messages.ERROR)
            else:
                self.message_user(request, f"Approved {terms.body} v{terms.version}.", messages.SUCCESS)

    @admin.action(description="Start a new draft version based on the selected version")
    def start_new_version(self, request, queryset):
        for terms in queryset.select_related("body"):
            draft = services.terms_of_reference_new_version(body=terms.body, based_on=terms)
            self.message_user(request, f"Started draft v{draft.version} of {terms.body}.", messages.SUCCESS)


@admin.register(Appointment)
class AppointmentAdmin(RevisionCheckedAdminMixin, RestrictedAdminMixin, admin.ModelAdmin):
    list_display = [
        "person",
        "role",
        "body",
        "representing",
        "voting",
        "deputy",
        "effective_from",
        "effective_to",
    ]
    list_select_related = ["person", "body", "representing", "deputy"]
    list_filter = ["role", "voting", "body__partnership", InForceFilter]
    search_fields = ["person__name", "body__name", "title"]
    autocomplete_fields = ["person", "body", "representing", "deputy"]
