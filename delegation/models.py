"""Who may decide what: matters, reservations, delegations and approval routes."""

import pghistory
import pgtrigger
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from bodies.models import Body, Partnership
from core.access import RestrictedQuerySet
from core.concurrency import Revisioned, bump_revision
from core.effective_dating import EffectiveDated, Sourced
from core.publication import PUBLIC_ALWAYS

PERIOD_IN_ORDER = EffectiveDated._meta.constraints


class Power(models.TextChoices):
    APPROVE = "approve", "Approve"
    ENDORSE = "endorse", "Endorse"
    RECOMMEND = "recommend", "Recommend"
    REVIEW = "review", "Review"
    EVALUATE = "evaluate", "Evaluate"
    SIGN_OFF = "sign_off", "Sign off"
    NOTE = "note", "Note"
    EXERCISE = "exercise", "Exercise (as the matter describes)"


class ReservedPower(models.TextChoices):
    APPROVE = "approve", "Approve"
    ENDORSE = "endorse", "Endorse"


class Matter(Sourced, Revisioned):
    """A kind of decision, in the words of the scheme that lists it."""

    display_sql = "name"

    partnership_path = "partnership"
    public_when = PUBLIC_ALWAYS

    class Category(models.TextChoices):
        STRATEGY = "strategy", "Strategy"
        GOVERNANCE = "governance", "Governance"
        FINANCE_AND_INVESTMENT = "finance_and_investment", "Finance and investment"
        CLINICAL = "clinical", "Clinical"
        OPERATIONAL = "operational", "Operational"
        PROCEDURAL = "procedural", "Procedural"

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="matters")
    slug = models.SlugField(max_length=120)
    name = models.TextField()
    category = models.CharField(max_length=30, choices=Category.choices)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["partnership", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "slug"],
                name="matter_slug_unique_in_partnership",
                violation_error_message="This partnership already has a matter with this slug.",
            )
        ]

    def __str__(self):
        return self.name


class Reservation(EffectiveDated, Sourced, Revisioned):
    """A matter the partners' own statutory boards keep for themselves."""

    partnership_path = "partnership"
    public_when = PUBLIC_ALWAYS

    class ReservedTo(models.TextChoices):
        CCG_GOVERNING_BODY = "ccg_governing_body", "CCG governing bodies"
        NHS_STATUTORY_BOARD = "nhs_statutory_board", "Boards of statutory NHS organisations"
        LOCAL_AUTHORITY_CABINET = "local_authority_cabinet", "Local authority committees or cabinets"
        NAMED_BODY = "named_body", "A named statutory body"

    # The organisation kinds whose boards each reservation speaks for.
    ORGANISATION_KINDS = {
        ReservedTo.CCG_GOVERNING_BODY: ["ccg"],
        ReservedTo.NHS_STATUTORY_BOARD: ["ccg", "nhs_foundation_trust", "nhs_trust"],
        ReservedTo.LOCAL_AUTHORITY_CABINET: ["local_authority"],
    }

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="reservations")
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="reservations")
    reserved_to = models.CharField(max_length=30, choices=ReservedTo.choices)
    reserved_to_body = models.ForeignKey(
        Body, on_delete=models.PROTECT, null=True, blank=True, related_name="reservations"
    )
    power = models.CharField(max_length=20, choices=ReservedPower.choices, default=ReservedPower.APPROVE)

    class Meta:
        ordering = ["partnership", "matter__name"]
        constraints = [
            *PERIOD_IN_ORDER,
            models.CheckConstraint(
                name="reservation_named_body_given",
                condition=(Q(reserved_to="named_body") & Q(reserved_to_body__isnull=False))
                | (~Q(reserved_to="named_body") & Q(reserved_to_body__isnull=True)),
                violation_error_message="Name the body exactly when the matter is reserved to a named body.",
            ),
        ]

    display_values = ("matter__name", "power", "reserved_to")  # the columns str(self) reads (api/fastpath.py)

    def __str__(self):
        return f"{self.matter} ({self.get_power_display().lower()}), reserved to {self.get_reserved_to_display().lower()}"

    def clean(self):
        super().clean()
        if self.matter_id and self.partnership_id and self.matter.partnership_id != self.partnership_id:
            raise ValidationError({"matter": "The matter belongs to another partnership."})


class Delegation(EffectiveDated, Sourced, Revisioned):
    """Authority passed from a body (or the partners' statutory boards) to a body or an office in it."""

    partnership_path = "partnership"
    public_when = PUBLIC_ALWAYS

    class Office(models.TextChoices):
        BODY = "", "The body itself"
        CHAIR = "chair", "Chair"
        VICE_CHAIR = "vice_chair", "Vice chair"
        SECRETARIAT = "secretariat", "Secretariat"

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="delegations")
    delegator = models.ForeignKey(
        Body,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delegations_made",
        help_text="Empty: the partners' statutory boards, collectively.",
    )
    delegate = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="delegations_received")
    delegate_office = models.CharField(max_length=20, choices=Office.choices, blank=True)
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="delegations")
    power = models.CharField(max_length=20, choices=Power.choices)
    financial_limit_gbp = models.DecimalField(
        "financial limit (GBP)", max_digits=15, decimal_places=2, null=True, blank=True
    )
    conditions = models.TextField(blank=True)
    further_delegation_permitted = models.BooleanField(default=False)

    class Meta:
        ordering = ["partnership", "delegate__name", "matter__name"]
        indexes = [
            models.Index(fields=["partnership", "matter"], name="delegation_scheme_lookup"),
            models.Index(fields=["delegate", "matter"], name="delegation_parent_lookup"),
        ]
        constraints = [
            *PERIOD_IN_ORDER,
            models.CheckConstraint(
                name="delegation_not_to_itself",
                condition=Q(delegator__isnull=True) | ~Q(delegator=F("delegate")) | ~Q(delegate_office=""),
                violation_error_message="A body cannot delegate to itself; delegate to an office within it instead.",
            ),
            models.CheckConstraint(
                name="delegation_limit_not_negative",
                condition=Q(financial_limit_gbp__isnull=True) | Q(financial_limit_gbp__gte=0),
                violation_error_message="A financial limit cannot be negative.",
            ),
        ]

    display_values = (
        "delegate__name",
        "delegate_office",
        "power",
        "matter__name",
    )  # the columns str(self) reads (api/fastpath.py)

    def __str__(self):
        return f"{self.delegate_display}: {self.get_power_display().lower()} — {self.matter}"

    @property
    def delegator_display(self) -> str:
        return self.delegator.name if self.delegator_id else "The partners' statutory boards"

    @property
    def delegate_display(self) -> str:
        if self.delegate_office:
            return f"{self.get_delegate_office_display()} of {self.delegate.name}"
        return self.delegate.name

    def clean(self):
        super().clean()
        errors = {}
        if self.matter_id and self.partnership_id and self.matter.partnership_id != self.partnership_id:
            errors["matter"] = "The matter belongs to another partnership."
        for name in ("delegator", "delegate"):
            body = getattr(self, name) if getattr(self, f"{name}_id") else None
            if body is not None and body.partnership_id not in (None, self.partnership_id):
                errors[name] = "This body belongs to another partnership."
        if errors:
            raise ValidationError(errors)


class ApprovalRoute(Sourced, Revisioned):
    """The ordered stages a proposal of one category passes (Cambridgeshire 9.1.1)."""

    partnership_path = "partnership"
    public_when = PUBLIC_ALWAYS

    class Category(models.TextChoices):
        SYSTEM_INVESTMENT_FUND = "system_investment_fund", "Funded from the System Investment Fund"
        LOCAL_INVESTMENT = "local_investment", "Funded by local investment"
        NO_INVESTMENT = "no_investment", "No investment required"

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="approval_routes")
    category = models.CharField(max_length=40, choices=Category.choices)
    name = models.CharField(max_length=300)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["partnership", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "category"], name="approval_route_one_per_category"
            )
        ]

    display_sql = "name"  # `display` in the API's fast list path: the SQL of str(self)

    def __str__(self):
        return self.name


class ApprovalStage(Sourced, Revisioned):
    partnership_path = "route__partnership"
    public_when = PUBLIC_ALWAYS

    class Phase(models.TextChoices):
        IDEA = "idea", "Idea"
        OUTLINE_BUSINESS_CASE = "outline_business_case", "Outline business case"
        FULL_BUSINESS_CASE = "full_business_case", "Full business case"
        SIGN_OFF = "sign_off", "Sign-off"
        OTHER = "other", "Other"

    route = models.ForeignKey(ApprovalRoute, on_delete=models.CASCADE, related_name="stages")
    position = models.PositiveSmallIntegerField()
    phase = models.CharField(max_length=30, choices=Phase.choices)
    name = models.CharField(max_length=300)
    acting_bodies = models.ManyToManyField(Body, blank=True, related_name="approval_stages")
    jointly = models.BooleanField(default=False, help_text="The acting bodies act together, not each alone.")
    acting_organisations_note = models.CharField(
        max_length=300, blank=True, help_text="Who acts where it is not a body of the partnership."
    )
    power = models.CharField(max_length=20, choices=Power.choices)
    preconditions = models.TextField(blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["route", "position"]
        constraints = [
            models.UniqueConstraint(fields=["route", "position"], name="approval_stage_position_unique")
        ]

    display_values = ("position", "name")  # the columns str(self) reads (api/fastpath.py)

    def __str__(self):
        return f"{self.position}. {self.name}"


class UrgentDecisionRule(Sourced, Revisioned):
    """How a partnership takes a decision that cannot wait for the cycle of business (Cambridgeshire and
    Peterborough Governance Framework 9.12), in the document's words and by the bodies it names."""

    display_values = (
        "partnership__short_name",
        "partnership__name",
    )  # what str(self) reads (api/fastpath.py)
    partnership_path = "partnership"

    partnership = models.OneToOneField(
        Partnership, on_delete=models.PROTECT, related_name="urgent_decision_rule"
    )
    need_determined_by = models.TextField(blank=True, help_text="Who determines that a decision is urgent.")
    discussed_by = models.ForeignKey(
        Body, on_delete=models.PROTECT, null=True, blank=True, related_name="urgent_decisions_discussed"
    )
    taken_by = models.ForeignKey(
        Body, on_delete=models.PROTECT, null=True, blank=True, related_name="urgent_decisions_taken"
    )
    taken_by_office = models.CharField(max_length=20, choices=Delegation.Office.choices, blank=True)
    consulted = ArrayField(models.CharField(max_length=300), default=list, blank=True)
    council_decisions = models.TextField(blank=True, help_text="What applies where councils must decide.")
    reported_to = models.TextField(blank=True)
    ratification_required = models.BooleanField(default=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["partnership"]

    def __str__(self):
        return f"Urgent decisions: {self.partnership}"

    @property
    def taken_by_display(self) -> str:
        if self.taken_by is None:
            return ""
        if self.taken_by_office:
            return f"the {Delegation.Office(self.taken_by_office).label.lower()} of the {self.taken_by.name}"
        return f"the {self.taken_by.name}"


class SchemeNote(Sourced, Revisioned):
    """What the transcriber of a partnership's scheme noted from its document where no record holds it
    (inconsistencies, prose rules such as conflicts of interest and disputes), kept with its source."""

    display_values = (
        "partnership__short_name",
        "partnership__name",
    )  # what str(self) reads (api/fastpath.py)
    partnership_path = "partnership"

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="scheme_notes")
    text = models.TextField()

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["partnership", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["partnership"], name="scheme_note_one_per_partnership")
        ]

    def __str__(self):
        return f"Notes on the scheme of {self.partnership}"


for _model in (Matter, Reservation, Delegation, ApprovalRoute, ApprovalStage, UrgentDecisionRule, SchemeNote):
    pghistory.track()(_model)
    pgtrigger.register(bump_revision)(_model)
