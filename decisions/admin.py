"""Admin for the secretariat: meetings with attendance, agenda and declarations inline; decisions with
their ratifications inline. Every workflow goes through `decisions.services`; decisions,
ratifications and declarations are never deleted here.

Forms check a workflow by running it inside a savepoint that is always rolled back, so its
refusal (no authority, inquorate, …) is shown on the form instead of failing the save.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms.models import BaseInlineFormSet

from core.access import can, restrict
from core.admin_widgets import (
    SOURCE_FIELDSET,
    RestrictedAdminMixin,
    RevisionCheckedAdminMixin,
    RevisionCheckedForm,
)
from decisions import services
from decisions.models import (
    AgendaItem,
    Attendance,
    Decision,
    Declaration,
    Interest,
    Meeting,
    Proposal,
    Ratification,
)


class _DryRun(Exception):
    pass


def dry_run(form, workflow) -> None:
    """Run `workflow` and roll it back; its ValidationError becomes the form's errors."""
    try:
        with transaction.atomic():
            workflow()
            raise _DryRun
    except _DryRun:
        pass
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            form.add_error(None, error)


class RegistryAdmin(RevisionCheckedAdminMixin, RestrictedAdminMixin, admin.ModelAdmin):
    pass


class EvidenceAdmin(RegistryAdmin):
    def has_delete_permission(self, request, obj=None):
        return False  # evidence: rescind or correct it, with the reason


def _guarded(request, obj, action: str) -> None:
    if not can(request.user, action, obj):
        transaction.set_rollback(True)
        raise PermissionDenied("This change would put the record outside the partnerships you may edit.")


# -- meetings -----------------------------------------------------------------------------
class AttendanceFormSet(BaseInlineFormSet):
    """Attendance is recorded through `services.attendance_record` (votes follow the appointments in force)."""

    def clean(self):
        super().clean()
        for form in self.forms:
            if form.cleaned_data and form.has_changed() and not form.cleaned_data.get("DELETE"):
                dry_run(form, lambda form=form: _record_attendance(self.instance, form))

    def save_new(self, form, commit=True):
        return _record_attendance(self.instance, form)

    def save_existing(self, form, obj, commit=True):
        return _record_attendance(self.instance, form)


def _record_attendance(meeting, form):
    data = form.cleaned_data
    return services.attendance_record(
        meeting=meeting,
        person=data["person"],
        status=data["status"],
        deputy=data.get("deputy"),
        voting=data.get("voting") if "voting" in form.changed_data else None,
        note=data.get("note", ""),
    )


class AttendanceInline(RestrictedAdminMixin, admin.TabularInline):
    model = Attendance
    formset = AttendanceFormSet
    extra = 0
    can_delete = False  # attendance underpins quorum: correct the status instead
    fields = ["person", "status", "deputy", "voting", "appointment", "note"]
    readonly_fields = ["appointment"]
    autocomplete_fields = ["person", "deputy"]


class AgendaItemInline(RestrictedAdminMixin, admin.TabularInline):
    model = AgendaItem
    extra = 0
    fields = ["position", "reference", "title", "restricted", "restriction_reason"]


class DeclarationInlineForm(forms.ModelForm):
    EVIDENCE = ("agenda_item", "person", "interest", "nature", "management", "managed_by")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            for name in self.EVIDENCE:
                if name in self.fields:
                    self.fields[name].disabled = True


class DeclarationFormSet(BaseInlineFormSet):
    """New declarations go through `services.declaration_record`; recorded ones are evidence."""

    def clean(self):
        super().clean()
        for form in self.forms:
            if form.cleaned_data and form.instance.pk is None and form.has_changed():
                dry_run(form, lambda form=form: _record_declaration(self.instance, form))

    def save_new(self, form, commit=True):
        return _record_declaration(self.instance, form)


def _record_declaration(meeting, form):
    data = form.cleaned_data
    return services.declaration_record(
        meeting=meeting,
        person=data["person"],
        agenda_item=data.get("agenda_item"),
        interest=data.get("interest"),
        nature=data.get("nature", ""),
        management=data["management"],
        managed_by=data.get("managed_by"),
        minute_reference=data.get("minute_reference", ""),
    )


class DeclarationInline(RestrictedAdminMixin, admin.TabularInline):
    model = Declaration
    form = DeclarationInlineForm
    formset = DeclarationFormSet
    extra = 0
    can_delete = False  # evidence: rescind it with the reason
    fields = [
        "agenda_item", "person", "interest", "nature", "management", "managed_by", "minute_reference",
        "rescinded_on", "rescission_reason",
    ]  # fmt: skip
    readonly_fields = ["rescinded_on", "rescission_reason"]
    autocomplete_fields = ["person", "interest", "managed_by"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if "agenda_item" in formset.form.base_fields and obj is not None:
            formset.form.base_fields["agenda_item"].queryset = restrict(obj.agenda_items.all(), request.user)
        return formset


@admin.register(Meeting)
class MeetingAdmin(RegistryAdmin):
    list_display = ["body", "starts_at", "title", "place", "status", "notice_given_on"]
    list_select_related = ["body"]
    list_filter = ["status", "body__partnership", "body"]
    search_fields = ["body__name", "title", "place"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["body", "minutes_approved_at"]
    inlines = [AttendanceInline, AgendaItemInline, DeclarationInline]
    fieldsets = [
        (None, {"fields": ["body", "title", "starts_at", "ends_at", "place", "status"]}),
        ("Notice and minutes", {"fields": ["notice_given_on", "minutes_approved_at"]}),
        SOURCE_FIELDSET,
    ]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else [AgendaItemInline]


@admin.register(AgendaItem)
class AgendaItemAdmin(RegistryAdmin):
    list_display = ["__str__", "meeting", "restricted"]
    list_select_related = ["meeting__body"]
    list_filter = ["restricted", "meeting__body__partnership"]
    search_fields = ["title", "reference", "meeting__body__name"]
    autocomplete_fields = ["meeting", "presenter", "organisations"]


@admin.register(Interest)
class InterestAdmin(RegistryAdmin):
    list_display = [
        "person",
        "kind",
        "organisation",
        "partnership",
        "effective_from",
        "effective_to",
        "withheld",
    ]
    list_select_related = ["person", "organisation", "partnership"]
    list_filter = ["partnership", "kind", "withheld"]
    search_fields = ["person__name", "description", "organisation__name", "organisation_name"]
    autocomplete_fields = ["partnership", "person", "organisation"]
    fieldsets = [
        (
            None,
            {"fields": ["partnership", "person", "kind", "description", "organisation", "organisation_name"]},
        ),
        ("Dates", {"fields": ["declared_on", "effective_from", "effective_to"]}),
        ("Publication", {"fields": ["withheld", "withheld_reason"]}),
        SOURCE_FIELDSET,
    ]


@admin.register(Declaration)
class DeclarationAdmin(EvidenceAdmin):
    list_display = ["person", "meeting", "agenda_item", "management", "managed_by", "rescinded_on"]
    list_select_related = ["person", "meeting__body", "agenda_item", "managed_by"]
    list_filter = ["management", "meeting__body__partnership"]
    search_fields = ["person__name", "nature", "meeting__body__name"]
    readonly_fields = [
        "meeting", "agenda_item", "person", "interest", "nature", "management", "managed_by", "rescinded_on",
    ]  # fmt: skip
    fields = [*readonly_fields, "minute_reference", "rescission_reason"]

    def has_add_permission(self, request, obj=None):
        return False  # declarations are recorded on their meeting

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get("rescission_reason", "")
        if "rescission_reason" in form.changed_data and obj.rescinded_on is None and reason:
            obj.rescission_reason = ""
            super().save_model(request, obj, form, change)
            services.declaration_rescind(declaration=obj, reason=reason)
        else:
            super().save_model(request, obj, form, change)


# -- decisions and ratifications -----------------------------------------------------------
DECISION_INPUT = [
    "body", "meeting", "agenda_item", "matter", "power", "amount_gbp", "resolution", "outcome", "votes_for",
    "votes_against", "votes_abstaining", "minute_reference", "urgent", "urgency_reason", "consulted",
    "taken_by", "decided_on", "recorded_as", "restricted", "restriction_reason", "source_document",
    "source_reference", "source_url",
]  # fmt: skip


class DecisionAddForm(RevisionCheckedForm):
    """A new decision: checked by recording it in a savepoint, so a refusal shows its reason here."""

    class Meta:
        model = Decision
        fields = DECISION_INPUT

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decided_on"].required = False
        self.fields[
            "decided_on"
        ].help_text = "Only for an urgent decision (a meeting's decisions take its date)."

    def _post_clean(self):
        # Authority, status and date are found by the workflow, not validated as typed.
        data = self.cleaned_data
        if not self.errors:
            dry_run(self, lambda: decision_record_from(data))


def decision_record_from(data) -> Decision:
    return services.decision_record(**services.decision_input(data))


class RatificationFormSet(BaseInlineFormSet):
    """Answers are recorded through `services.ratification_record`, which keeps the decision's status."""

    def clean(self):
        super().clean()
        for form in self.forms:
            if form.cleaned_data and form.has_changed():
                dry_run(form, lambda form=form: _record_ratification(form))

    def save_existing(self, form, obj, commit=True):
        return _record_ratification(form)


def _record_ratification(form):
    data = form.cleaned_data
    return services.ratification_record(
        ratification=form.instance,
        outcome=data["outcome"],
        decided_on=data.get("decided_on"),
        minute_reference=data.get("minute_reference", ""),
        ratifying_board=data.get("ratifying_board"),
        correction_reason=data.get("correction_reason", ""),
    )


class RatificationInline(RestrictedAdminMixin, admin.TabularInline):
    model = Ratification
    formset = RatificationFormSet
    extra = 0
    can_delete = False
    fields = [
        "organisation",
        "ratifying_board",
        "outcome",
        "decided_on",
        "minute_reference",
        "correction_reason",
    ]
    readonly_fields = ["organisation"]
    autocomplete_fields = ["ratifying_board"]

    def has_add_permission(self, request, obj=None):
        return False  # created when the decision is recorded


@admin.register(Decision)
class DecisionAdmin(EvidenceAdmin):
    list_display = [
        "__str__",
        "body",
        "decided_on",
        "outcome",
        "status",
        "recorded_as",
        "urgent",
        "restricted",
    ]
    list_select_related = ["body"]
    list_filter = ["status", "outcome", "recorded_as", "urgent", "restricted", "body__partnership"]
    search_fields = ["resolution", "minute_reference", "body__name", "matter__name"]
    date_hierarchy = "decided_on"
    autocomplete_fields = ["body", "meeting", "agenda_item", "matter", "taken_by", "corrected_by"]
    inlines = [RatificationInline]
    # What a decision records is set when it is recorded; afterwards only these are corrected here.
    CORRECTABLE = [
        "minute_reference", "restricted", "restriction_reason", "rescission_reason", "corrected_by",
        "source_document", "source_reference", "source_url",
    ]  # fmt: skip

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = DecisionAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": DECISION_INPUT})]
        return super().get_fieldsets(request, obj)

    def get_fields(self, request, obj=None):
        if obj is None:
            return DECISION_INPUT
        shown = [f.name for f in Decision._meta.concrete_fields if f.name not in ("id", "revision")]
        return [name for name in shown if name not in self.CORRECTABLE] + self.CORRECTABLE

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [
            f.name
            for f in Decision._meta.concrete_fields
            if f.name not in ("id", "revision", *self.CORRECTABLE)
        ]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def save_model(self, request, obj, form, change):
        if not change:
            decision = decision_record_from(form.cleaned_data)
            _guarded(request, decision, "add")
            obj.pk, obj._state.adding = decision.pk, False
            obj.refresh_from_db()
            return
        reason = form.cleaned_data.get("rescission_reason", "")
        rescind = (
            "rescission_reason" in form.changed_data and obj.status != Decision.Status.RESCINDED and reason
        )
        if rescind:
            obj.rescission_reason = ""
        super().save_model(request, obj, form, change)
        if rescind:
            services.decision_rescind(decision=obj, reason=reason, corrected_by=obj.corrected_by)
            messages.info(request, "The decision is marked rescinded; it stays on the record.")


@admin.register(Ratification)
class RatificationAdmin(EvidenceAdmin):
    list_display = ["organisation", "decision", "outcome", "decided_on", "ratifying_board"]
    list_select_related = ["organisation", "decision", "ratifying_board"]
    list_filter = ["outcome", "decision__body__partnership", "organisation"]
    search_fields = ["organisation__name", "decision__resolution", "minute_reference"]
    autocomplete_fields = ["ratifying_board"]
    readonly_fields = ["decision", "organisation"]
    fields = [
        "decision", "organisation", "ratifying_board", "outcome", "decided_on", "minute_reference",
        "correction_reason",
    ]  # fmt: skip

    def has_add_permission(self, request, obj=None):
        return False  # created when the decision is recorded

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class RatificationForm(form):
            def _post_clean(self):
                super()._post_clean()
                if not self.errors and self.has_changed():
                    dry_run(self, lambda: _record_ratification(self))

        return RatificationForm

    def save_model(self, request, obj, form, change):
        _guarded(request, obj, "change")
        _record_ratification(form)


# -- proposals ---------------------------------------------------------------------------
@admin.register(Proposal)
class ProposalAdmin(RegistryAdmin):
    list_display = ["title", "partnership", "category", "amount_gbp", "stage_reached", "status"]
    list_select_related = ["partnership"]
    list_filter = ["partnership", "category", "status"]
    search_fields = ["title", "description"]
    autocomplete_fields = ["partnership", "sponsor_organisation", "sro"]
    fieldsets = [
        (None, {"fields": ["partnership", "title", "description", "category", "amount_gbp"]}),
        ("People", {"fields": ["sponsor_organisation", "sro"]}),
        (
            "Where it stands",
            {
                "fields": [
                    "route",
                    "stage_reached",
                    "status",
                    "signed_off_on",
                    "signed_off_by",
                    "sign_off_reference",
                ]
            },
        ),
        SOURCE_FIELDSET,
    ]
    readonly_fields = [
        "route",
        "stage_reached",
        "status",
        "signed_off_on",
        "signed_off_by",
        "sign_off_reference",
    ]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "partnership", "category"] if obj is not None else self.readonly_fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            return form

        class ProposalAddForm(form):
            def _post_clean(self):
                super()._post_clean()
                if not self.errors:
                    dry_run(self, lambda: _create_proposal(self.cleaned_data))

        return ProposalAddForm

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        proposal = _create_proposal(form.cleaned_data)
        _guarded(request, proposal, "add")
        obj.pk, obj._state.adding = proposal.pk, False
        obj.refresh_from_db()


def _create_proposal(data) -> Proposal:
    return services.proposal_create(
        partnership=data["partnership"],
        title=data["title"],
        category=data["category"],
        description=data.get("description", ""),
        amount_gbp=data.get("amount_gbp"),
        sponsor_organisation=data.get("sponsor_organisation"),
        sro=data.get("sro"),
        source_document=data.get("source_document", ""),
        source_reference=data.get("source_reference", ""),
        source_url=data.get("source_url", ""),
    )
