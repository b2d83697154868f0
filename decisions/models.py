"""What was decided: meetings and attendance, decisions and their authority, ratifications by the
partners' own boards, proposals on their approval route, and the register of interests.

Decisions, ratifications and declarations are evidence: their foreign keys PROTECT, nothing
deletes them, and a mistaken record is rescinded or corrected with the reason.
"""

import datetime

import pghistory
import pgtrigger
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from bodies.models import Appointment, Body, Organisation, Partnership, Person
from core.access import RestrictedQuerySet
from core.concurrency import Revisioned, bump_revision
from core.effective_dating import EffectiveDated, EffectiveDatedQuerySet, Sourced
from core.publication import PUBLIC_ALWAYS
from delegation.models import ApprovalRoute, ApprovalStage, Delegation, Matter, Power

PERIOD_IN_ORDER = EffectiveDated._meta.constraints


def _restricted_has_reason(name: str, flag: str = "restricted", reason: str = "restriction_reason"):
    return models.CheckConstraint(
        name=name,
        condition=Q(**{flag: False}) | ~Q(**{reason: ""}),
        violation_error_message="Give the reason it is not for publication.",
    )


def _reason_required(errors: dict, flag: bool, reason: str, field: str) -> None:
    """The check constraint's rule, attributed to the field so forms and the API show it there."""
    if flag and not reason.strip():
        errors[field] = "Give the reason it is not for publication."


def _partnership_body(body: Body | None) -> bool:
    return body is not None and body.partnership_id is not None


class Meeting(Sourced, Revisioned):
    """A meeting of one of the partnership's bodies: planned, held or cancelled."""

    partnership_path = "body__partnership"
    public_when = PUBLIC_ALWAYS

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="meetings")
    title = models.CharField(
        max_length=200,
        blank=True,
        help_text="For example “Extraordinary meeting”; empty for an ordinary one.",
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    place = models.CharField(max_length=300, blank=True)
    joining_details = models.TextField(
        blank=True, help_text="How to join remotely: the video link and any dial-in number."
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    notice_given_on = models.DateField(
        null=True, blank=True, help_text="The day written notice of the meeting was given."
    )
    minutes_approved_at = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="minutes_approved",
        help_text="The later meeting of the same body that approved these minutes.",
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["body", "starts_at", "id"]
        indexes = [models.Index(fields=["body", "starts_at"], name="meeting_body_starts_at")]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "starts_at"],
                name="meeting_one_per_body_and_time",
                violation_error_message="This body already has a meeting at this time.",
            ),
            models.CheckConstraint(
                name="meeting_ends_after_it_starts",
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=F("starts_at")),
                violation_error_message="A meeting cannot end before it starts.",
            ),
            models.CheckConstraint(
                name="meeting_minutes_not_approved_at_itself",
                condition=Q(minutes_approved_at__isnull=True) | ~Q(minutes_approved_at=F("id")),
                violation_error_message="Minutes are approved at a later meeting, not at the meeting itself.",
            ),
        ]

    display_values = ("body__name", "starts_at", "title")  # the columns str(self) reads (api/fastpath.py)

    def __str__(self):
        label = f"{self.body.name}, {self.meeting_date:%-d %B %Y}"
        return f"{label} ({self.title})" if self.title else label

    @property
    def meeting_date(self) -> datetime.date:
        return timezone.localtime(self.starts_at).date()

    def clean(self):
        super().clean()
        errors = {}
        if self.body_id and not _partnership_body(self.body):
            errors["body"] = (
                "Meetings are recorded for the partnership's bodies; a partner's own board records its "
                "ratification on the ratification itself."
            )
        if self.pk and self.status == self.Status.CANCELLED and self.decisions.exists():
            errors["status"] = "Decisions are recorded at this meeting, so it was not cancelled."
        if self.starts_at and self.notice_given_on and self.notice_given_on > self.meeting_date:
            errors["notice_given_on"] = "Notice cannot be given after the meeting."
        if self.minutes_approved_at_id and self.starts_at:
            later = self.minutes_approved_at
            if later.body_id != self.body_id:
                errors["minutes_approved_at"] = "Minutes are approved at a meeting of the same body."
            elif later.starts_at <= self.starts_at:
                errors["minutes_approved_at"] = "Minutes are approved at a later meeting of the body."
            elif later.status != self.Status.HELD:
                errors["minutes_approved_at"] = "Minutes are approved at a meeting that was held."
            elif self.status != self.Status.HELD:
                errors["minutes_approved_at"] = "Only a meeting that was held has minutes to approve."
        if errors:
            raise ValidationError(errors)


class Attendance(Revisioned):
    """A seat at a meeting: present, apologies, represented by a deputy, or absent."""

    partnership_path = "meeting__body__partnership"
    public_when = Q(meeting__minutes_approved_at__isnull=False)  # once the minutes are approved

    class Status(models.TextChoices):
        PRESENT = "present", "Present"
        APOLOGIES = "apologies", "Apologies"
        REPRESENTED_BY_DEPUTY = "represented_by_deputy", "Represented by deputy"
        ABSENT = "absent", "Absent"

    # The statuses that put someone in the room for the seat.
    IN_THE_ROOM = (Status.PRESENT, Status.REPRESENTED_BY_DEPUTY)

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="attendances")
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.PRESENT)
    deputy = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deputised_attendances",
        help_text="Who attended in the member's place.",
    )
    appointment = models.ForeignKey(
        Appointment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attendances",
        help_text="The appointment in force on the meeting date that gives the seat.",
    )
    voting = models.BooleanField(default=False, help_text="Whether the seat carries a vote.")
    note = models.TextField(blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "person__name", "id"]
        verbose_name_plural = "attendances"
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"],
                name="attendance_one_per_meeting_and_person",
                violation_error_message="This person's attendance at this meeting is already recorded.",
            ),
            models.CheckConstraint(
                name="attendance_deputy_when_represented",
                condition=(Q(status="represented_by_deputy") & Q(deputy__isnull=False))
                | (~Q(status="represented_by_deputy") & Q(deputy__isnull=True)),
                violation_error_message="Name the deputy exactly when the member was represented by one.",
            ),
            models.CheckConstraint(
                name="attendance_deputy_is_someone_else",
                condition=Q(deputy__isnull=True) | ~Q(deputy=F("person")),
                violation_error_message="A person cannot deputise for themselves.",
            ),
        ]

    display_values = ("person__name", "status")  # the columns str(self) reads (api/fastpath.py)

    def __str__(self):
        return f"{self.person.name}: {self.get_status_display().lower()}"

    @property
    def acting_person_id(self) -> int:
        """Who is in the room for the seat: the deputy when the member was represented."""
        return self.deputy_id if self.status == self.Status.REPRESENTED_BY_DEPUTY else self.person_id

    def clean(self):
        super().clean()
        if self.appointment_id and self.meeting_id:
            appointment, meeting = self.appointment, self.meeting
            if appointment.body_id != meeting.body_id or appointment.person_id != self.person_id:
                raise ValidationError({"appointment": "The appointment must be this person's, on this body."})
            if not appointment.is_in_force(meeting.meeting_date):
                raise ValidationError(
                    {"appointment": "The appointment was not in force on the meeting date."}
                )


class AgendaItem(Sourced, Revisioned):
    partnership_path = "meeting__body__partnership"
    public_when = PUBLIC_ALWAYS
    restricted_field = "restricted"
    restricted_body_path = "meeting__body"

    class Purpose(models.TextChoices):
        DECISION = "decision", "For decision"
        DISCUSSION = "discussion", "For discussion"
        INFORMATION = "information", "For information"
        ASSURANCE = "assurance", "For assurance"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField()
    reference = models.CharField(max_length=50, blank=True, help_text="The item's number, e.g. “7.2”.")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    purpose = models.CharField(max_length=20, choices=Purpose.choices, blank=True)
    presenter = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="agenda_items_presented"
    )
    planned_time = models.TimeField(null=True, blank=True, help_text="When the item is planned to start.")
    organisations = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="agenda_items",
        help_text="Organisations the item concerns (members with a declared interest in one are flagged).",
    )
    restricted = models.BooleanField(default=False, help_text="Not for publication.")
    restriction_reason = models.TextField(blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "position"],
                name="agenda_item_position_unique",
                violation_error_message="This meeting already has an item at this position.",
            ),
            _restricted_has_reason("agenda_item_restricted_has_reason"),
        ]

    display_values = ("reference", "position", "title")  # the columns str(self) reads (api/fastpath.py)

    def __str__(self):
        return f"{self.reference or self.position}. {self.title}"

    def clean(self):
        super().clean()
        errors = {}
        _reason_required(errors, self.restricted, self.restriction_reason, "restriction_reason")
        if errors:
            raise ValidationError(errors)


class Interest(EffectiveDated, Sourced, Revisioned):
    """An entry in a partnership's register of interests (Cambridgeshire 9.13)."""

    partnership_path = "partnership"
    public_when = PUBLIC_ALWAYS
    restricted_field = "withheld"
    restricted_person_path = "person"

    class Kind(models.TextChoices):
        FINANCIAL = "financial", "Financial"
        NON_FINANCIAL_PROFESSIONAL = "non_financial_professional", "Non-financial professional"
        NON_FINANCIAL_PERSONAL = "non_financial_personal", "Non-financial personal"
        INDIRECT = "indirect", "Indirect"

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="interests")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="interests")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    description = models.TextField()
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="interests",
        help_text="The organisation concerned, where it is in the registry.",
    )
    organisation_name = models.CharField(
        max_length=300, blank=True, help_text="The organisation concerned, where it is not in the registry."
    )
    declared_on = models.DateField(null=True, blank=True, help_text="The day it was entered in the register.")
    withheld = models.BooleanField(
        default=False, help_text="Withheld from publication (allowed on privacy grounds)."
    )
    withheld_reason = models.TextField(blank=True)

    objects = EffectiveDatedQuerySet.as_manager()

    class Meta:
        ordering = ["partnership", "person__name", "id"]
        constraints = [
            *PERIOD_IN_ORDER,
            _restricted_has_reason("interest_withheld_has_reason", "withheld", "withheld_reason"),
        ]

    display_values = ("person__name", "kind")  # the columns str(self) reads (api/fastpath.py)

    def __str__(self):
        return f"{self.person.name}: {self.get_kind_display().lower()} interest"

    def clean(self):
        super().clean()
        errors = {}
        _reason_required(errors, self.withheld, self.withheld_reason, "withheld_reason")
        if errors:
            raise ValidationError(errors)


class Proposal(Sourced, Revisioned):
    """A proposal on its approval route; each stage's outcome is a decision of the acting body."""

    display_sql = "title"  # `display` in the API's fast list path: the SQL of str(self)
    partnership_path = "partnership"

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        APPROVED = "approved", "Approved (every stage passed)"
        NOT_APPROVED = "not_approved", "Not approved"
        WITHDRAWN = "withdrawn", "Withdrawn"

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="proposals")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=40, choices=ApprovalRoute.Category.choices)
    route = models.ForeignKey(ApprovalRoute, on_delete=models.PROTECT, related_name="proposals")
    amount_gbp = models.DecimalField("amount (GBP)", max_digits=15, decimal_places=2, null=True, blank=True)
    sponsor_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="proposals_sponsored"
    )
    sro = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals_led",
        verbose_name="SRO",
        help_text="The senior responsible owner.",
    )
    stage_reached = models.PositiveSmallIntegerField(
        default=0, help_text="The position of the last stage passed (0: none yet)."
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IN_PROGRESS)
    signed_off_on = models.DateField(
        null=True,
        blank=True,
        help_text="For a stage no body of the partnership acts at: the day of sign-off.",
    )
    signed_off_by = models.CharField(
        max_length=500, blank=True, help_text="The organisations (or their boards) that signed it off."
    )
    sign_off_reference = models.CharField(max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["partnership", "title", "id"]
        constraints = [
            models.CheckConstraint(
                name="proposal_amount_not_negative",
                condition=Q(amount_gbp__isnull=True) | Q(amount_gbp__gte=0),
                violation_error_message="An amount cannot be negative.",
            ),
            models.CheckConstraint(
                name="proposal_sign_off_names_who",
                condition=Q(signed_off_on__isnull=True) | ~Q(signed_off_by=""),
                violation_error_message="Say who signed it off.",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if (
            self.route_id
            and self.partnership_id
            and (self.route.partnership_id != self.partnership_id or self.route.category != self.category)
        ):
            raise ValidationError({"route": "The route must be the partnership's route for this category."})


class DecisionQuerySet(RestrictedQuerySet):
    def standing(self):
        """Decisions not rescinded."""
        return self.exclude(status=Decision.Status.RESCINDED)


class Decision(Sourced, Revisioned):
    """What a body decided (or an urgent decision of its chair), on what authority, and its standing."""

    partnership_path = "body__partnership"
    public_when = PUBLIC_ALWAYS
    restricted_field = "restricted"
    restricted_body_path = "body"

    class Outcome(models.TextChoices):
        CARRIED = "carried", "Carried"
        NOT_CARRIED = "not_carried", "Not carried"
        DEFERRED = "deferred", "Deferred"

    class RecordedAs(models.TextChoices):
        DECISION = "decision", "Decision"
        RECOMMENDATION = "recommendation", "Recommendation to the body that holds authority"

    class Status(models.TextChoices):
        AWAITING_RATIFICATION = "awaiting_ratification", "Awaiting ratification"
        EFFECTIVE = "effective", "Effective"
        NOT_EFFECTIVE = "not_effective", "Not effective"
        RESCINDED = "rescinded", "Rescinded"
        RECOMMENDATION = "recommendation", "Recommendation"

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="decisions")
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        help_text="Empty only for an urgent decision taken outside a meeting.",
    )
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    urgent = models.BooleanField(
        default=False, help_text="Taken by the chair in consultation, outside a meeting."
    )
    urgency_reason = models.TextField(blank=True)
    consulted = ArrayField(
        models.CharField(max_length=300),
        default=list,
        blank=True,
        help_text="Who was consulted (Cambridgeshire 9.12: the chair, chief executive and director of "
        "finance of each partner).",
    )
    taken_by = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="urgent_decisions_taken",
        help_text="For an urgent decision: the chair who took it.",
    )
    reported_at = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="urgent_decisions_reported",
        help_text="For an urgent decision: the meeting of the body it was reported to.",
    )
    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    approval_stage = models.ForeignKey(
        ApprovalStage,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        help_text="For a proposal's stage: the route stage that authorises the decision.",
    )
    matter = models.ForeignKey(
        Matter, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    power = models.CharField(max_length=20, choices=Power.choices)
    amount_gbp = models.DecimalField("amount (GBP)", max_digits=15, decimal_places=2, null=True, blank=True)
    resolution = models.TextField()
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    votes_for = models.SmallIntegerField(null=True, blank=True)
    votes_against = models.SmallIntegerField(null=True, blank=True)
    votes_abstaining = models.SmallIntegerField(null=True, blank=True)
    minute_reference = models.CharField(max_length=100, blank=True)
    decided_on = models.DateField()
    delegation = models.ForeignKey(
        Delegation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        help_text="The delegation that authorised the body, found by authority resolution when recorded.",
    )
    authority_explanation = models.TextField(
        blank=True, help_text="Why the body may (or may not) decide this, as resolved when recorded."
    )
    recorded_as = models.CharField(max_length=20, choices=RecordedAs.choices, default=RecordedAs.DECISION)
    recommended_to = models.ForeignKey(
        Body,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recommendations_received",
        help_text="For a recommendation: the body that holds authority.",
    )
    status = models.CharField(max_length=30, choices=Status.choices)
    effective_on = models.DateField(null=True, blank=True, help_text="The day it took effect.")
    restricted = models.BooleanField(default=False, help_text="Not for publication.")
    restriction_reason = models.TextField(blank=True)
    rescinded_on = models.DateField(null=True, blank=True)
    rescission_reason = models.TextField(blank=True)
    corrected_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrects",
        help_text="The decision recorded in its place, where this one was a mistaken record.",
    )

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["body", "-decided_on", "-id"]
        indexes = [
            models.Index(fields=["body", "decided_on"], name="decision_body_decided_on"),
            models.Index(fields=["status"], name="decision_status"),
        ]
        constraints = [
            models.CheckConstraint(
                name="decision_votes_not_negative",
                condition=(Q(votes_for__isnull=True) | Q(votes_for__gte=0))
                & (Q(votes_against__isnull=True) | Q(votes_against__gte=0))
                & (Q(votes_abstaining__isnull=True) | Q(votes_abstaining__gte=0)),
                violation_error_message="Votes cannot be negative.",
            ),
            models.CheckConstraint(
                name="decision_urgent_outside_a_meeting",
                condition=(Q(urgent=True) & Q(meeting__isnull=True) & ~Q(urgency_reason=""))
                | (Q(urgent=False) & Q(meeting__isnull=False)),
                violation_error_message="A decision is taken at a meeting, or is urgent: outside a meeting, "
                "with the reason for urgency.",
            ),
            models.CheckConstraint(
                name="decision_reported_only_if_urgent",
                condition=Q(reported_at__isnull=True) | Q(urgent=True),
                violation_error_message="Only an urgent decision is reported to a later meeting.",
            ),
            models.CheckConstraint(
                name="decision_names_matter_or_stage",
                condition=Q(matter__isnull=False) | Q(approval_stage__isnull=False),
                violation_error_message="A decision is on a matter, or is a stage of a proposal's approval route.",
            ),
            models.CheckConstraint(
                name="decision_amount_not_negative",
                condition=Q(amount_gbp__isnull=True) | Q(amount_gbp__gte=0),
                violation_error_message="An amount cannot be negative.",
            ),
            models.CheckConstraint(
                name="decision_recommendation_names_its_body",
                condition=(Q(recorded_as="recommendation") & Q(recommended_to__isnull=False))
                | (Q(recorded_as="decision") & Q(recommended_to__isnull=True)),
                violation_error_message="A recommendation names the body it is made to; a decision does not.",
            ),
            models.CheckConstraint(
                name="decision_rescinded_with_reason",
                condition=(Q(status="rescinded") & Q(rescinded_on__isnull=False) & ~Q(rescission_reason=""))
                | (~Q(status="rescinded") & Q(rescinded_on__isnull=True)),
                violation_error_message="A rescinded decision gives the day and the reason.",
            ),
            _restricted_has_reason("decision_restricted_has_reason"),
        ]

    display_values = ("minute_reference", "resolution", "id")  # the columns str(self) reads (api/fastpath.py)

    def __str__(self):
        text = " ".join(self.resolution.split())
        text = text if len(text) <= 80 else f"{text[:79]}…"
        return f"{self.minute_reference or f'Decision {self.pk}'}: {text}"

    @property
    def votes_cast(self) -> int:
        return sum(v or 0 for v in (self.votes_for, self.votes_against, self.votes_abstaining))

    def clean(self):
        super().clean()
        errors = {}
        partnership_id = self.body.partnership_id if self.body_id else None
        _reason_required(errors, self.restricted, self.restriction_reason, "restriction_reason")
        if self.body_id and partnership_id is None:
            errors["body"] = "Decisions are recorded for the partnership's bodies."
        if self.meeting_id and self.body_id:
            self._clean_meeting(errors)
        if self.agenda_item_id and self.agenda_item.meeting_id != self.meeting_id:
            errors["agenda_item"] = "The item is on another meeting's agenda."
        if self.matter_id and partnership_id and self.matter.partnership_id != partnership_id:
            errors["matter"] = "The matter belongs to another partnership."
        if self.proposal_id and partnership_id and self.proposal.partnership_id != partnership_id:
            errors["proposal"] = "The proposal belongs to another partnership."
        if self.reported_at_id and self.body_id:
            self._clean_reported_at(errors)
        if errors:
            raise ValidationError(errors)

    def _clean_meeting(self, errors: dict) -> None:
        if self.meeting.body_id != self.body_id:
            errors["meeting"] = "The meeting is of another body."
        elif self.decided_on and self.decided_on != self.meeting.meeting_date:
            errors["decided_on"] = "A decision at a meeting is dated the day of the meeting."

    def _clean_reported_at(self, errors: dict) -> None:
        if self.reported_at.body_id != self.body_id:
            errors["reported_at"] = "An urgent decision is reported to a meeting of its own body."
        elif self.decided_on and self.reported_at.meeting_date <= self.decided_on:
            errors["reported_at"] = "An urgent decision is reported to a meeting after it was taken."


class Ratification(Sourced, Revisioned):
    """One partner organisation's board ratifying (or not) a decision that does not bind it (Derbyshire MoU 10.6)."""

    partnership_path = "decision__body__partnership"
    public_when = PUBLIC_ALWAYS
    restricted_field = "decision__restricted"
    restricted_body_path = "decision__body"

    class Outcome(models.TextChoices):
        PENDING = "pending", "Pending"
        RATIFIED = "ratified", "Ratified"
        DECLINED = "declined", "Declined"
        DEFERRED = "deferred", "Deferred"

    OUTSTANDING = (Outcome.PENDING, Outcome.DEFERRED)
    # The answers a board gives (recorded with `services.ratification_record`).
    ANSWERS = [
        (Outcome.RATIFIED.value, Outcome.RATIFIED.label),
        (Outcome.DECLINED.value, Outcome.DECLINED.label),
        (Outcome.DEFERRED.value, Outcome.DEFERRED.label),
    ]

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="ratifications")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="ratifications")
    ratifying_board = models.ForeignKey(
        Body,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ratifications",
        help_text="The organisation's own board, cabinet or equivalent.",
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.PENDING)
    decided_on = models.DateField(null=True, blank=True, help_text="The day the board considered it.")
    minute_reference = models.CharField(max_length=100, blank=True)
    correction_reason = models.TextField(
        blank=True, help_text="Why a recorded outcome was corrected, where it was."
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["decision", "organisation__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "organisation"],
                name="ratification_one_per_decision_and_organisation",
                violation_error_message="This organisation's ratification of this decision is already recorded.",
            ),
            models.CheckConstraint(
                name="ratification_dated_once_considered",
                condition=(Q(outcome="pending") & Q(decided_on__isnull=True))
                | (~Q(outcome="pending") & Q(decided_on__isnull=False)),
                violation_error_message="Give the day the board considered it (and none while it is pending).",
            ),
        ]

    display_values = ("organisation__name", "outcome")  # the columns str(self) reads (api/fastpath.py)

    def __str__(self):
        return f"{self.organisation.name}: {self.get_outcome_display().lower()}"

    def clean(self):
        super().clean()
        errors = {}
        if self.ratifying_board_id and self.ratifying_board.organisation_id != self.organisation_id:
            errors["ratifying_board"] = "The ratifying board must be this organisation's own board."
        if self.decided_on and self.decision_id and self.decided_on < self.decision.decided_on:
            errors["decided_on"] = "A board cannot ratify a decision before it was taken."
        if errors:
            raise ValidationError(errors)


class Declaration(Sourced, Revisioned):
    """An interest declared at a meeting, for an item or the whole meeting, and how the chair managed it."""

    partnership_path = "meeting__body__partnership"
    public_when = Q(meeting__minutes_approved_at__isnull=False)  # once the minutes are approved
    restricted_field = "agenda_item__restricted"
    restricted_body_path = "agenda_item__meeting__body"

    class Management(models.TextChoices):
        LEFT_THE_MEETING = "left_the_meeting", "Left the meeting for the item"
        NO_VOTE = "no_vote", "Took part without a vote"
        NO_ACTION = "no_action", "No action"

    # Managements that take the person out of the item's quorum and votes.
    EXCLUDING = (Management.LEFT_THE_MEETING, Management.NO_VOTE)

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="declarations")
    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="declarations",
        help_text="Empty: declared for the whole meeting.",
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="declarations")
    interest = models.ForeignKey(
        Interest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="declarations",
        help_text="The registered interest declared, where it is in the register.",
    )
    nature = models.TextField(help_text="The interest, as declared.")
    management = models.CharField(max_length=30, choices=Management.choices)
    managed_by = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="declarations_managed",
        help_text="The chair, who decided how it was managed (Cambridgeshire 9.13).",
    )
    minute_reference = models.CharField(max_length=100, blank=True)
    rescinded_on = models.DateField(null=True, blank=True)
    rescission_reason = models.TextField(blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "agenda_item__position", "id"]
        constraints = [
            models.CheckConstraint(
                name="declaration_rescinded_with_reason",
                condition=(Q(rescinded_on__isnull=True) & Q(rescission_reason=""))
                | (Q(rescinded_on__isnull=False) & ~Q(rescission_reason="")),
                violation_error_message="A rescinded declaration gives the day and the reason.",
            ),
        ]

    display_values = ("person__name", "management")  # the columns str(self) reads (api/fastpath.py)

    def __str__(self):
        return f"{self.person.name}: {self.get_management_display().lower()}"

    def clean(self):
        super().clean()
        errors = {}
        if self.agenda_item_id and self.agenda_item.meeting_id != self.meeting_id:
            errors["agenda_item"] = "The item is on another meeting's agenda."
        if self.interest_id and self.person_id and self.interest.person_id != self.person_id:
            errors["interest"] = "The registered interest is someone else's."
        if (
            self.interest_id
            and self.meeting_id
            and self.interest.partnership_id != self.meeting.body.partnership_id
        ):
            errors["interest"] = "The registered interest is in another partnership's register."
        if errors:
            raise ValidationError(errors)


# Audit every governed model with database triggers (see settings.PGHISTORY_DEFAULT_TRACKERS).
for _model in (Meeting, Attendance, AgendaItem, Interest, Proposal, Decision, Ratification, Declaration):
    pghistory.track()(_model)
    pgtrigger.register(bump_revision)(_model)
