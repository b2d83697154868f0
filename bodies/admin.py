"""Admin for the registry: for registry administrators and secretariats.

Open-ended relations (organisations, people, bodies) use autocomplete, never a <select>
of every row; changelists select what they display, so their query count is constant.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from bodies import services
from bodies.models import (
    Agreement,
    Appointment,
    Body,
    BodyRelationship,
    Membership,
    Organisation,
    OrganisationChangeProposal,
    OrganisationName,
    OrganisationSuccession,
    Partnership,
    PartnershipStage,
    Person,
    Signature,
    TermsOfReference,
    TermsOfReferenceObjective,
    TermsOfReferenceRole,
)
from bodies.organisations import apply_organisation_proposal, decline_organisation_proposal
from core.access import is_registry_administrator
from core.account_admin import PartnershipRoleInline, PartnershipSecurityInline, save_role_formset
from core.admin_widgets import (
    SOURCE_FIELDSET,
    RestrictedAdminMixin,
    RevisionCheckedAdminMixin,
    ViewOnlyAdminMixin,
)
from core.effective_dating import today


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


def listed_rows(rows, columns, change_url: str, more_url: str, noun: str, limit: int = 100):
    """Child rows as one compact read-only table on the parent's form, each linked to its own form.

    A partnership has dozens of memberships and an agreement dozens of signatures: as editable
    inline rows (a widget per field, an empty template row) they made the parent's form hundreds of
    KiB. Rows are added and changed on their own admin pages, where stale-save and scope checks apply.
    """
    rows = list(rows[: limit + 1])
    body = format_html_join(
        "",
        '<tr><td><a href="{}">{}</a></td>{}</tr>',
        (
            (
                reverse(change_url, args=[row.pk]),
                first,
                format_html_join(
                    "", "<td>{}</td>", ((value if value not in (None, "") else "–",) for value in rest)
                ),
            )
            for row in rows[:limit]
            for first, *rest in [[column(row) for column in columns]]
        ),
    )
    more = format_html(' <a href="{}">All {} and add one →</a>', more_url, noun)
    if len(rows) > limit:
        more = format_html(" The first {} are shown.{}", limit, more)
    return format_html("<table><tbody>{}</tbody></table><p>{}</p>", body, more)


@admin.register(Partnership)
class PartnershipAdmin(RevisionCheckedAdminMixin, RestrictedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "short_name", "footprint_number", "region", "lead", "member_count"]
    list_select_related = ["lead"]
    search_fields = ["name", "short_name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["lead"]
    inlines = [PartnershipStageInline, PartnershipRoleInline, PartnershipSecurityInline]
    readonly_fields = ["membership_list"]
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
        ("Members", {"fields": ["membership_list"]}),
        SOURCE_FIELDSET,
    ]  # fmt: skip

    @admin.display(description="memberships")
    def membership_list(self, obj):
        if obj is None or obj.pk is None:
            return "Add members once the partnership is saved."
        rows = obj.memberships.select_related("organisation").order_by("organisation__name", "id")
        columns = [
            lambda m: m.organisation.name, lambda m: m.get_standing_display(), lambda m: m.get_status_display(),
            lambda m: m.effective_from, lambda m: m.effective_to,
        ]  # fmt: skip
        changelist = reverse("admin:bodies_membership_changelist") + f"?partnership__id__exact={obj.pk}"
        return listed_rows(rows, columns, "admin:bodies_membership_change", changelist, "memberships")

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

    def save_formset(self, request, form, formset, change):
        if not save_role_formset(request, formset):  # roles: who granted and ended each (core)
            super().save_formset(request, form, formset, change)


class OrganisationMembershipInline(RestrictedAdminMixin, admin.TabularInline):
    """An organisation's partnerships: a handful each, so edited in place."""

    model = Membership
    extra = 0
    fields = ["partnership", "standing", "status", "effective_from", "effective_to", "note"]
    autocomplete_fields = ["partnership"]

    def get_queryset(self, request):
        # Each row's title is str(membership): its organisation and partnership, one query in all.
        return super().get_queryset(request).select_related("organisation", "partnership")


class SuccessionInline(RestrictedAdminMixin, admin.TabularInline):
    model = OrganisationSuccession
    fk_name = "predecessor"
    extra = 0
    verbose_name = "succession (this organisation was succeeded by)"
    verbose_name_plural = "successions (this organisation was succeeded by)"
    fields = ["successor", "kind", "effective_on", "note"]
    autocomplete_fields = ["successor"]


class OrganisationNameInline(ViewOnlyAdminMixin, RestrictedAdminMixin, admin.TabularInline):
    """Earlier names, shown: a rename is recorded by bodies.successions.record_rename, which dates the old
    name and keeps the organisation (and its ODS code) in one step."""

    model = OrganisationName
    extra = 0
    fields = ["name", "effective_from", "effective_to"]
    verbose_name_plural = "earlier names (recorded with each rename)"


@admin.register(Organisation)
class OrganisationAdmin(RevisionCheckedAdminMixin, RestrictedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "is_statutory", "ods_code", "partnership_count"]
    list_filter = ["kind", "is_statutory", "memberships__partnership"]
    search_fields = ["name", "slug", "ods_code"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OrganisationMembershipInline, SuccessionInline, OrganisationNameInline]
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


@admin.register(Signature)
class SignatureAdmin(RevisionCheckedAdminMixin, RestrictedAdminMixin, admin.ModelAdmin):
    """Signatures are evidence: never deleted; a withdrawal is recorded on the signature."""

    list_display = ["organisation", "agreement", "signatory_name", "signed_on", "withdrawn_on"]
    list_select_related = ["organisation", "agreement__partnership"]
    list_filter = ["agreement__partnership", "agreement"]
    search_fields = ["organisation__name", "signatory_name", "agreement__title"]
    autocomplete_fields = ["agreement", "organisation"]
    fields = ["agreement", "organisation", "signatory_name", "signatory_title", "signed_on", "withdrawn_on"]

    def has_delete_permission(self, request, obj=None):
        return False


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
    readonly_fields = ["signature_list"]
    fieldsets = [
        (None, {"fields": ["partnership", "slug", "kind", "title", "version", "status", "note"]}),
        (
            "Dates",
            {"fields": ["agreed_on", "effective_from", "effective_to", "review_interval_months"]},
        ),
        ("Signatures", {"fields": ["signature_list"]}),
        SOURCE_FIELDSET,
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(signature_count=Count("signatures")).order_by("title")

    @admin.display(description="signatures")
    def signature_list(self, obj):
        if obj is None or obj.pk is None:
            return "Record signatures once the agreement is saved."
        rows = obj.signatures.select_related("organisation").order_by("organisation__name", "id")
        columns = [
            lambda s: s.organisation.name, lambda s: s.signatory_name, lambda s: s.signatory_title,
            lambda s: s.signed_on, lambda s: s.withdrawn_on and f"withdrawn {s.withdrawn_on}",
        ]  # fmt: skip
        changelist = reverse("admin:bodies_signature_changelist") + f"?agreement__id__exact={obj.pk}"
        return listed_rows(rows, columns, "admin:bodies_signature_change", changelist, "signatures")

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


@admin.register(OrganisationChangeProposal)
class OrganisationChangeProposalAdmin(admin.ModelAdmin):
    """Changes secretariats proposed to shared organisations (issue 17): a registry administrator applies
    or declines them; applying validates the change against the organisation as it is now."""

    list_display = ["organisation", "summary", "proposed_by", "proposed_at", "status"]
    list_filter = ["status"]
    list_select_related = ["organisation", "proposed_by"]
    readonly_fields = ["organisation", "changes", "reason", "proposed_by", "proposed_at", "status", "decided_by",
                       "decided_at"]  # fmt: skip
    actions = ["apply_proposals", "decline_proposals"]

    def has_module_permission(self, request):
        return is_registry_administrator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_registry_administrator(request.user)

    def has_change_permission(self, request, obj=None):
        return is_registry_administrator(request.user)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="changes")
    def summary(self, obj):
        return "; ".join(f"{name.replace('_', ' ')}: {value}" for name, value in obj.changes.items())

    @admin.action(description="Apply the selected proposals")
    def apply_proposals(self, request, queryset):
        for proposal in queryset:
            try:
                apply_organisation_proposal(proposal=proposal, user=request.user)
            except ValidationError as error:
                self.message_user(request, f"{proposal}: {' '.join(error.messages)}", messages.ERROR)
            else:
                self.message_user(request, f"Applied: {proposal.organisation}.", messages.SUCCESS)

    @admin.action(description="Decline the selected proposals")
    def decline_proposals(self, request, queryset):
        for proposal in queryset:
            try:
                decline_organisation_proposal(proposal=proposal, user=request.user)
            except ValidationError as error:
                self.message_user(request, f"{proposal}: {' '.join(error.messages)}", messages.ERROR)
