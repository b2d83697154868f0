"""Admin for the secretariat: registers, risks with their actions and reviews, escalations, matrices.

Bands are colour-coded in the changelists with CSS classes from `risks/admin.css` (the site's
content security policy allows no inline styles). Workflows go through `risks.services`:
saving a matrix re-bands the partnership's risks; reviews and escalations are recorded, answered
and de-escalated by the same functions the API calls.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from core.admin_widgets import (
    SOURCE_FIELDSET,
    RestrictedAdminMixin,
    RevisionCheckedAdminMixin,
    RevisionCheckedForm,
)
from core.effective_dating import today
from risks import services
from risks.models import Risk, RiskAction, RiskEscalation, RiskRegister, RiskReview, ScoringMatrix


class BandMedia:
    css = {"all": ["risks/admin.css"]}


def band_badge(band: str, label: str, score: int | None):
    return format_html('<span class="risk-band risk-band-{}">{} {}</span>', band, score, label)


class RegistryAdmin(RevisionCheckedAdminMixin, RestrictedAdminMixin, admin.ModelAdmin):
    Media = BandMedia


class SavedByService:
    """Placed just above ModelAdmin: the permission and revision checks run, then the service saves."""

    def save_model(self, request, obj, form, change):
        self.save_through_service(request, obj, form, change)


@admin.register(ScoringMatrix)
class ScoringMatrixAdmin(RevisionCheckedAdminMixin, RestrictedAdminMixin, SavedByService, admin.ModelAdmin):
    list_display = ["partnership", "scale", "low_max", "moderate_max", "high_max"]
    list_select_related = ["partnership"]
    autocomplete_fields = ["partnership"]
    fieldsets = [
        (None, {"fields": ["partnership", "note"]}),
        ("Scale", {"fields": ["likelihood_scale", "likelihood_labels", "consequence_scale", "consequence_labels"]}),
        ("Bands (highest score in each)", {"fields": ["low_max", "moderate_max", "high_max"]}),
        (
            "Risk appetite (highest tolerable current score)",
            {"fields": ["tolerable_averse", "tolerable_minimal", "tolerable_cautious", "tolerable_open", "tolerable_eager"]},
        ),
        SOURCE_FIELDSET,
    ]  # fmt: skip

    @admin.display(description="scale")
    def scale(self, obj):
        return f"{obj.likelihood_scale}×{obj.consequence_scale}"

    def save_through_service(self, request, obj, form, change):
        services.scoring_matrix_change(matrix=obj)
        self.message_user(request, f"The risks of {obj.partnership} were re-banded.", messages.INFO)

    def has_delete_permission(self, request, obj=None):
        return False  # change the matrix instead


class RiskInline(RestrictedAdminMixin, admin.TabularInline):
    """The register's risks, listed; each is added and edited on its own page (scores and all)."""

    model = Risk
    extra = 0
    fields = ["reference", "title", "category", "status", "next_review_due"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RiskRegister)
class RiskRegisterAdmin(RegistryAdmin):
    list_display = ["__str__", "partnership", "review_interval_months"]
    list_select_related = ["partnership", "body", "organisation"]
    list_filter = ["partnership"]
    search_fields = ["body__name", "organisation__name"]
    autocomplete_fields = ["partnership", "body", "organisation"]
    inlines = [RiskInline]
    fieldsets = [
        (None, {"fields": ["partnership", "body", "organisation", "review_interval_months", "note"]}),
        SOURCE_FIELDSET,
    ]


class RiskActionInline(RestrictedAdminMixin, admin.TabularInline):
    model = RiskAction
    extra = 0
    fields = ["description", "owner", "owner_title", "due_on", "status", "completed_on"]
    autocomplete_fields = ["owner"]


class RiskReviewInline(RestrictedAdminMixin, admin.TabularInline):
    """The history of scores: read here, recorded as a review (which also moves the risk's scores)."""

    model = RiskReview
    extra = 0
    can_delete = False
    fields = ["reviewed_on", "meeting", "reviewer", "current", "target", "note"]
    readonly_fields = fields
    ordering = ["-reviewed_on"]

    @admin.display(description="current")
    def current(self, obj):
        return band_badge(obj.current_band, obj.get_current_band_display(), obj.current_score)

    @admin.display(description="target")
    def target(self, obj):
        return band_badge(obj.target_band, obj.get_target_band_display(), obj.target_score)

    def has_add_permission(self, request, obj=None):
        return False


class RiskEscalationInline(RestrictedAdminMixin, admin.TabularInline):
    model = RiskEscalation
    extra = 0
    can_delete = False
    fields = ["escalated_on", "to_body", "reason", "response", "responded_on", "de_escalated_on"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class BandFilter(admin.SimpleListFilter):
    title = "current band"
    parameter_name = "current_band"

    def lookups(self, request, model_admin):
        return Risk._meta.get_field("current_band").choices

    def queryset(self, request, queryset):
        return queryset.filter(current_band=self.value()) if self.value() else queryset


class ReviewFilter(admin.SimpleListFilter):
    title = "attention"
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [
            ("overdue", "Overdue for review"),
            ("above_appetite", "Above appetite"),
            ("awaiting_response", "Escalated, awaiting response"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.overdue()
        if self.value() == "above_appetite":
            return queryset.above_appetite()
        if self.value() == "awaiting_response":
            return queryset.awaiting_response()
        return queryset


@admin.register(Risk)
class RiskAdmin(RegistryAdmin):
    list_display = [
        "reference", "title", "register", "category", "inherent", "current", "target", "appetite", "status",
        "next_review_due",
    ]  # fmt: skip
    list_select_related = ["register__body", "register__organisation"]
    list_filter = ["partnership", BandFilter, ReviewFilter, "category", "status", "appetite"]
    search_fields = ["reference", "title", "description"]
    autocomplete_fields = ["register", "owner", "lead_organisation"]
    readonly_fields = ["partnership", "last_reviewed_on", "scores"]
    inlines = [RiskActionInline, RiskReviewInline, RiskEscalationInline]
    actions = ["record_review_today"]
    fieldsets = [
        (None, {"fields": ["register", "partnership", "reference", "title", "category", "status"]}),
        ("Description", {"fields": ["description", "cause", "effect"]}),
        ("Ownership", {"fields": ["owner", "owner_title", "lead_organisation"]}),
        (
            "Scores",
            {
                "fields": [
                    ("inherent_likelihood", "inherent_consequence"), ("current_likelihood", "current_consequence"),
                    ("target_likelihood", "target_consequence"), "scores", "appetite",
                ]
            },
        ),
        ("Controls and assurance", {"fields": ["controls", "gaps_in_control", "assurances"]}),
        ("Dates", {"fields": ["identified_on", "last_reviewed_on", "next_review_due", "closed_on"]}),
        SOURCE_FIELDSET,
    ]  # fmt: skip

    @admin.display(description="inherent", ordering="inherent_score")
    def inherent(self, obj):
        return band_badge(obj.inherent_band, obj.get_inherent_band_display(), obj.inherent_score)

    @admin.display(description="current", ordering="current_score")
    def current(self, obj):
        return band_badge(obj.current_band, obj.get_current_band_display(), obj.current_score)

    @admin.display(description="target", ordering="target_score")
    def target(self, obj):
        return band_badge(obj.target_band, obj.get_target_band_display(), obj.target_score)

    @admin.display(description="scores and bands")
    def scores(self, obj):
        if obj.pk is None:
            return "Computed from the partnership's matrix when saved."
        return format_html(
            "inherent {} · current {} · target {} · appetite tolerates up to {}",
            self.inherent(obj),
            self.current(obj),
            self.target(obj),
            obj.tolerable_score,
        )

    @admin.action(description="Record a review today (scores unchanged)")
    def record_review_today(self, request, queryset):
        for risk in queryset:
            try:
                services.risk_review_record(risk=risk, reviewed_on=today())
            except ValidationError as error:
                self.message_user(request, f"{risk.reference}: {' '.join(error.messages)}", messages.ERROR)
            else:
                self.message_user(request, f"Reviewed {risk.reference}.", messages.SUCCESS)


class RiskReviewForm(RevisionCheckedForm):
    def clean(self):
        cleaned = super().clean()
        risk, reviewed_on = cleaned.get("risk"), cleaned.get("reviewed_on")
        if self.instance.pk is None and risk is not None and reviewed_on is not None:
            services.risk_review_check(risk=risk, reviewed_on=reviewed_on)
        return cleaned


@admin.register(RiskReview)
class RiskReviewAdmin(RevisionCheckedAdminMixin, RestrictedAdminMixin, SavedByService, admin.ModelAdmin):
    Media = BandMedia
    form = RiskReviewForm
    list_display = ["risk", "reviewed_on", "meeting", "current", "target"]
    list_select_related = ["risk", "meeting__body"]
    list_filter = ["risk__partnership", "current_band"]
    search_fields = ["risk__reference", "risk__title"]
    autocomplete_fields = ["risk", "meeting", "reviewer"]
    fields = [
        "risk", "reviewed_on", "meeting", "reviewer", "current_likelihood", "current_consequence",
        "target_likelihood", "target_consequence", "note",
    ]  # fmt: skip

    current = RiskReviewInline.current
    target = RiskReviewInline.target

    def get_readonly_fields(self, request, obj=None):
        # A recorded review is history: only its meeting, reviewer and note may be corrected.
        if obj is None:
            return []
        return ["risk", "reviewed_on", "current_likelihood", "current_consequence", "target_likelihood",
                "target_consequence"]  # fmt: skip

    def save_through_service(self, request, obj, form, change):
        if change:
            obj.save()
            return
        review = services.risk_review_record(
            risk=obj.risk,
            reviewed_on=obj.reviewed_on,
            current_likelihood=obj.current_likelihood,
            current_consequence=obj.current_consequence,
            target_likelihood=obj.target_likelihood,
            target_consequence=obj.target_consequence,
            reviewer=obj.reviewer,
            meeting=obj.meeting,
            note=obj.note,
        )
        obj.pk = review.pk

    def has_delete_permission(self, request, obj=None):
        return False


class RiskEscalationForm(RevisionCheckedForm):
    def clean(self):
        cleaned = super().clean()
        risk, to_body, escalated_on = (cleaned.get(name) for name in ("risk", "to_body", "escalated_on"))
        if self.instance.pk is None and None not in (risk, to_body, escalated_on):
            services.risk_escalation_check(risk=risk, to_body=to_body, escalated_on=escalated_on)
        return cleaned


@admin.register(RiskEscalation)
class RiskEscalationAdmin(RevisionCheckedAdminMixin, RestrictedAdminMixin, SavedByService, admin.ModelAdmin):
    form = RiskEscalationForm
    list_display = [
        "risk",
        "from_register",
        "to_body",
        "escalated_on",
        "response",
        "responded_on",
        "de_escalated_on",
    ]
    list_select_related = ["risk", "to_body", "from_register__body", "from_register__organisation"]
    list_filter = ["risk__partnership", "response", "to_body"]
    search_fields = ["risk__reference", "risk__title", "to_body__name"]
    autocomplete_fields = ["risk", "to_body"]
    actions = ["accept_today"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["risk", "to_body", "escalated_on", "reason"]
        return [
            "risk", "from_register", "to_body", "escalated_on", "reason", "response", "responded_on", "response_note",
            "de_escalated_on", "de_escalation_note",
        ]  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        readonly = ["risk", "from_register", "to_body", "escalated_on"]
        if obj.response != RiskEscalation.Response.PENDING:
            readonly += ["response", "responded_on", "response_note"]
        if obj.response != RiskEscalation.Response.ACCEPTED or obj.de_escalated_on:
            readonly += ["de_escalated_on", "de_escalation_note"]
        return readonly

    def save_through_service(self, request, obj, form, change):
        if not change:
            escalation = services.risk_escalate(
                risk=obj.risk, to_body=obj.to_body, escalated_on=obj.escalated_on, reason=obj.reason
            )
            obj.pk = escalation.pk
            return
        answered = {"response", "responded_on", "response_note"} & set(form.changed_data)
        if answered and obj.response != RiskEscalation.Response.PENDING:
            services.risk_escalation_respond(
                escalation=obj,
                response=obj.response,
                responded_on=obj.responded_on,
                response_note=obj.response_note,
            )
        elif {"de_escalated_on", "de_escalation_note"} & set(form.changed_data) and obj.de_escalated_on:
            services.risk_escalation_de_escalate(
                escalation=obj, de_escalated_on=obj.de_escalated_on, de_escalation_note=obj.de_escalation_note
            )
        else:
            obj.save()

    @admin.action(description="Accept the selected escalations today")
    def accept_today(self, request, queryset):
        for escalation in queryset.select_related("risk"):
            try:
                services.risk_escalation_respond(
                    escalation=escalation, response=RiskEscalation.Response.ACCEPTED, responded_on=today()
                )
            except ValidationError as error:
                self.message_user(request, f"{escalation}: {' '.join(error.messages)}", messages.ERROR)
            else:
                self.message_user(request, f"Accepted: {escalation}.", messages.SUCCESS)

    def has_delete_permission(self, request, obj=None):
        return False
