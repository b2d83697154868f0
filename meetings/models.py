"""The meeting cycle around the decisions app's meetings: papers and their versions, agenda packs,
minutes and their amendments, the action log, the forward plan, gifts and hospitality, annual
declaration rounds and calendar subscriptions (docs/decisions/0010-meeting-cycle.md).

Papers, minutes, actions, gifts and returns are evidence: their foreign keys PROTECT and nothing
deletes them; a paper is replaced by a new version, approved minutes by a recorded amendment.
"""

from __future__ import annotations

import calendar
import datetime
import hashlib
from decimal import Decimal

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from bodies.models import Body, Organisation, Partnership, Person
from core.access import RestrictedQuerySet
from core.concurrency import Revisioned, bump_revision
from core.leases import Leased
from core.publication import PUBLIC_ALWAYS
from decisions.models import AgendaItem, Decision, Meeting


class Paper(Revisioned):
    """A paper for an agenda item; its file is its newest version. A restricted item's papers are
    restricted with it (read by the secretariat and the body's members only)."""

    display_sql = "title"  # `display` in the API's fast list path: the SQL of str(self)

    partnership_path = "agenda_item__meeting__body__partnership"
    public_when = PUBLIC_ALWAYS  # with its item: a restricted item's papers never are
    restricted_field = "agenda_item__restricted"
    restricted_body_path = "agenda_item__meeting__body"

    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="papers")
    title = models.CharField(max_length=300)
    position = models.PositiveSmallIntegerField(default=1, help_text="Its order among the item's papers.")
    current_version = models.PositiveSmallIntegerField(default=0)
    search = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["agenda_item", "position", "id"]
        indexes = [GinIndex(fields=["search"], name="paper_search")]

    def __str__(self):
        return self.title


def paper_upload_to(version: PaperVersion, filename: str) -> str:
    return f"papers/{timezone.now():%Y/%m}/{version.sha256[:16]}-{filename}"


class PaperVersion(models.Model):
    """One upload of a paper: kept when a newer one replaces it."""

    display_values = ("paper__title", "number")  # the columns str(self) reads (api/fastpath.py)

    partnership_path = "paper__agenda_item__meeting__body__partnership"
    public_when = PUBLIC_ALWAYS
    restricted_field = "paper__agenda_item__restricted"
    restricted_body_path = "paper__agenda_item__meeting__body"

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        WORD = "docx", "Word"
        EXCEL = "xlsx", "Excel"
        POWERPOINT = "pptx", "PowerPoint"

    paper = models.ForeignKey(Paper, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField()
    file = models.FileField(upload_to=paper_upload_to, max_length=300)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    pages = models.PositiveIntegerField(null=True, blank=True, help_text="For a PDF: its page count.")
    text = models.TextField(blank=True, help_text="The text extracted for search.")
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["paper", "number"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "number"], name="paper_version_number_unique"),
        ]

    def __str__(self):
        return f"{self.paper.title} (version {self.number})"


class AgendaPack(Leased):
    """The agenda pack of a meeting as one PDF, made by a Celery job: the public pack (restricted
    items left out) or the members' pack. Made again when a paper changes (`stale`)."""

    display_values = ("members_only", "meeting__body__name", "meeting__starts_at", "meeting__title")

    partnership_path = "meeting__body__partnership"
    public_when = Q(status="done", superseded=False)  # the members' pack never (restricted_field)
    restricted_field = "members_only"
    restricted_body_path = "meeting__body"
    job_task = "meetings.tasks.make_pack"
    job_id_kwarg = "pack_id"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Being made"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="packs")
    members_only = models.BooleanField(
        default=False, help_text="The members' pack, with the items not for publication."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to="packs/%Y/%m/", blank=True, max_length=300)
    pages = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    superseded = models.BooleanField(default=False, help_text="A paper changed after it was made.")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["meeting_id", "-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(name="pack_done_has_file", condition=~Q(status="done") | ~Q(file="")),
        ]

    def __str__(self):
        return f"{'Members’' if self.members_only else 'Public'} pack, {self.meeting}"

    @classmethod
    def job_max_attempts(cls) -> int:
        return settings.EXPORT_MAX_ATTEMPTS

    @classmethod
    def job_unfinished(cls) -> Q:
        return Q(status__in=[cls.Status.QUEUED, cls.Status.RUNNING])

    def job_requeued(self, reason: str) -> dict:
        return {"status": self.Status.QUEUED, "error": reason}

    def job_failed(self, reason: str) -> dict:
        return {"status": self.Status.FAILED, "error": reason, "finished_at": timezone.now()}


class Minutes(Revisioned):
    """The minutes of a meeting: drafted per item, approved at a later meeting of the same body (a
    decision of that meeting, with its minute reference), then locked: a correction is an amendment."""

    display_values = ("meeting__body__name", "meeting__starts_at", "meeting__title")

    partnership_path = "meeting__body__partnership"
    public_when = Q(status="approved")  # draft minutes are never published

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"

    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="minutes")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    approval = models.OneToOneField(
        Decision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="minutes_approved",
        help_text="The decision of the later meeting that approved them.",
    )
    approved_on = models.DateField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "minutes"
        constraints = [
            models.CheckConstraint(
                name="minutes_approved_by_a_decision",
                condition=Q(status="draft", approval__isnull=True)
                | Q(status="approved", approval__isnull=False),
            ),
        ]

    def __str__(self):
        return f"Minutes of {self.meeting}"

    @property
    def locked(self) -> bool:
        return self.status == self.Status.APPROVED


class MinuteEntry(Revisioned):
    """The minute of one agenda item (its decisions, declarations and actions are linked by the item)."""

    display_values = ("agenda_item__reference", "agenda_item__position", "agenda_item__title")

    partnership_path = "minutes__meeting__body__partnership"
    public_when = Q(minutes__status="approved")
    restricted_field = "agenda_item__restricted"
    restricted_body_path = "agenda_item__meeting__body"

    minutes = models.ForeignKey(Minutes, on_delete=models.PROTECT, related_name="entries")
    agenda_item = models.OneToOneField(AgendaItem, on_delete=models.PROTECT, related_name="minute")
    text = models.TextField(blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["minutes", "agenda_item__position"]
        verbose_name_plural = "minute entries"

    def __str__(self):
        return f"Minute of {self.agenda_item}"


class MinuteAmendment(models.Model):
    """A correction to approved minutes: what the minute said, what it says now, why and when."""

    display_values = ("entry_id", "made_at")

    partnership_path = "entry__minutes__meeting__body__partnership"
    public_when = Q(entry__minutes__status="approved")
    restricted_field = "entry__agenda_item__restricted"
    restricted_body_path = "entry__agenda_item__meeting__body"

    entry = models.ForeignKey(MinuteEntry, on_delete=models.PROTECT, related_name="amendments")
    previous_text = models.TextField()
    text = models.TextField()
    reason = models.TextField()
    made_at = models.DateTimeField(default=timezone.now)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["entry", "made_at", "id"]
        constraints = [
            models.CheckConstraint(name="minute_amendment_has_reason", condition=~Q(reason="")),
        ]

    def __str__(self):
        return f"Amendment to {self.entry_id} ({self.made_at:%Y-%m-%d})"


class Action(Revisioned):
    """An action arising from an agenda item: what, who (a person), by when, and where it stands."""

    display_values = ("description",)

    partnership_path = "body__partnership"
    restricted_field = "agenda_item__restricted"
    restricted_body_path = "body"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="actions")
    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="actions")
    description = models.TextField()
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="actions")
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["body", "due_on", "id"]
        indexes = [models.Index(fields=["owner", "status", "due_on"], name="action_owner_open_due")]
        constraints = [
            models.CheckConstraint(
                name="action_closed_when_done",
                condition=Q(status="open", closed_on__isnull=True)
                | (~Q(status="open") & Q(closed_on__isnull=False)),
            ),
        ]

    def __str__(self):
        return self.description[:120]

    def is_overdue(self, on: datetime.date) -> bool:
        return self.status == self.Status.OPEN and self.due_on < on


class ActionUpdate(models.Model):
    display_values = ("on",)
    partnership_path = "action__body__partnership"
    restricted_field = "action__agenda_item__restricted"
    restricted_body_path = "action__body"

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="updates")
    on = models.DateField(default=timezone.localdate)
    text = models.TextField()
    status = models.CharField(max_length=10, choices=Action.Status.choices, blank=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["action", "on", "id"]

    def __str__(self):
        return f"Update of {self.on}"


class ForwardPlanEntry(Revisioned):
    """Business planned for a future meeting of a body (its annual work plan)."""

    display_sql = "title"

    partnership_path = "body__partnership"

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="forward_plan")
    title = models.CharField(max_length=300)
    purpose = models.CharField(max_length=20, choices=AgendaItem.Purpose.choices, default="decision")
    month = models.PositiveSmallIntegerField(
        choices=[(n, calendar.month_name[n]) for n in range(1, 13)],
        help_text="The month of the meeting it is planned for.",
    )
    year = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty: every year.")
    key_decision = models.BooleanField(
        default=False,
        help_text="A key decision: published 28 days before the meeting where the body requires notice.",
    )
    presenter = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    ended = models.BooleanField(default=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["body", "month", "title", "id"]
        verbose_name_plural = "forward plan entries"
        constraints = [
            models.CheckConstraint(name="forward_plan_month", condition=Q(month__gte=1, month__lte=12)),
        ]

    def __str__(self):
        return self.title

    def planned_for(self, meeting: Meeting) -> bool:
        on = meeting.meeting_date
        return not self.ended and self.month == on.month and self.year in (None, on.year)


class ForwardPlanUse(models.Model):
    """A forward plan entry turned into an agenda item (once per meeting)."""

    partnership_path = "entry__body__partnership"
    entry = models.ForeignKey(ForwardPlanEntry, on_delete=models.PROTECT, related_name="uses")
    agenda_item = models.OneToOneField(AgendaItem, on_delete=models.PROTECT, related_name="planned_by")

    objects = RestrictedQuerySet.as_manager()

    def __str__(self):
        return f"Plan entry {self.entry_id} at item {self.agenda_item_id}"


class MatterArising(models.Model):
    """An open action brought to a later meeting's agenda item."""

    partnership_path = "action__body__partnership"
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="arising")
    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="matters_arising")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["action", "agenda_item"], name="matter_arising_once_per_item")
        ]

    def __str__(self):
        return f"Action {self.action_id} at item {self.agenda_item_id}"


class Gift(Revisioned):
    """An entry in the gifts and hospitality register (NHS England, "Managing conflicts of interest
    in the NHS", 2017, sections 6 and 7): offered, accepted or declined, and whether it must be declared."""

    display_values = ("person__name", "kind", "offered_by")

    partnership_path = "partnership"
    public_when = PUBLIC_ALWAYS  # the gifts and hospitality register is published

    class Kind(models.TextChoices):
        GIFT_FROM_SUPPLIER = "gift_supplier", "Gift from a supplier or contractor"
        GIFT_OTHER = "gift_other", "Gift from another source (a patient, family, service user)"
        HOSPITALITY_MEAL = "hospitality_meal", "Hospitality: meals and refreshments"
        HOSPITALITY_TRAVEL = "hospitality_travel", "Hospitality: travel and accommodation"

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="gifts")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="gifts")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    description = models.TextField()
    offered_by = models.CharField(max_length=300, help_text="From whom (the person and organisation).")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    value_gbp = models.DecimalField("value (GBP)", max_digits=10, decimal_places=2)
    offered_on = models.DateField()
    accepted = models.BooleanField()
    reason = models.TextField(
        blank=True, help_text="Why it was accepted where the guidance expects it refused."
    )
    declared_on = models.DateField(default=timezone.localdate)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["partnership", "-offered_on", "id"]
        constraints = [
            models.CheckConstraint(name="gift_value_not_negative", condition=Q(value_gbp__gte=0)),
        ]

    def __str__(self):
        return f"{self.person.name}: {self.get_kind_display().lower()} from {self.offered_by}"

    def clean(self):
        super().clean()
        rule = gift_rule(kind=self.kind, value_gbp=self.value_gbp or Decimal(0), accepted=self.accepted)
        if rule.needs_reason and not self.reason.strip():
            raise ValidationError({"reason": rule.advice + " Give the reason it was accepted."})


class GiftRule:
    def __init__(self, *, must_declare: bool, needs_reason: bool, advice: str):
        self.must_declare, self.needs_reason, self.advice = must_declare, needs_reason, advice


# The guidance's thresholds (NHS England, "Managing conflicts of interest in the NHS", 2017).
PROMOTIONAL_LIMIT = Decimal("6")
OTHER_GIFT_LIMIT = Decimal("50")
MEAL_NOT_DECLARED = Decimal("25")
MEAL_LIMIT = Decimal("75")


def gift_rule(*, kind: str, value_gbp: Decimal, accepted: bool) -> GiftRule:
    """What the guidance says of an offer: whether it must be declared, and whether accepting it
    needs a recorded reason (senior approval)."""
    if kind == Gift.Kind.GIFT_FROM_SUPPLIER:
        if value_gbp < PROMOTIONAL_LIMIT:
            return GiftRule(
                must_declare=False,
                needs_reason=False,
                advice="Low-cost promotional aids under £6 may be accepted and need not be declared.",
            )
        return GiftRule(
            must_declare=True,
            needs_reason=accepted,
            advice="Gifts from suppliers or contractors of £6 or more should be declined, and declared.",
        )
    if kind == Gift.Kind.GIFT_OTHER:
        if value_gbp < OTHER_GIFT_LIMIT:
            return GiftRule(
                must_declare=False,
                needs_reason=False,
                advice="Modest gifts under £50 may be accepted and need not be declared.",
            )
        return GiftRule(
            must_declare=True,
            needs_reason=accepted,
            advice="Gifts of £50 or more should be accepted only on behalf of the organisation, and declared.",
        )
    if kind == Gift.Kind.HOSPITALITY_MEAL:
        if value_gbp < MEAL_NOT_DECLARED:
            return GiftRule(
                must_declare=False,
                needs_reason=False,
                advice="Meals and refreshments under £25 may be accepted and need not be declared.",
            )
        if value_gbp <= MEAL_LIMIT:
            return GiftRule(
                must_declare=True,
                needs_reason=False,
                advice="Meals and refreshments of £25 to £75 may be accepted and must be declared.",
            )
        return GiftRule(
            must_declare=True,
            needs_reason=accepted,
            advice="Meals and refreshments over £75 should be refused unless senior approval is given.",
        )
    return GiftRule(
        must_declare=True,
        needs_reason=False,
        advice="Modest offers to pay for travel and accommodation may be accepted and must be declared.",
    )


class DeclarationRound(Revisioned):
    """The annual round: every member of the partnership's bodies makes a return (a nil return counts)."""

    display_values = ("year",)

    partnership_path = "partnership"

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="declaration_rounds")
    year = models.PositiveSmallIntegerField()
    opens_on = models.DateField()
    closes_on = models.DateField()

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["partnership", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "year"], name="declaration_round_once_a_year"),
            models.CheckConstraint(
                name="declaration_round_closes_after_it_opens",
                condition=Q(closes_on__gte=models.F("opens_on")),
            ),
        ]

    def __str__(self):
        return f"Declarations of interests {self.year}"


class DeclarationReturn(models.Model):
    display_values = ("person_id", "round_id")
    partnership_path = "round__partnership"

    round = models.ForeignKey(DeclarationRound, on_delete=models.PROTECT, related_name="returns")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="declaration_returns")
    nil_return = models.BooleanField(help_text="Nothing to declare.")
    confirmed_at = models.DateTimeField(default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["round", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "person"], name="declaration_return_once_per_round"),
        ]

    def __str__(self):
        return f"Return of person {self.person_id} for round {self.round_id}"


class CalendarSubscription(models.Model):
    """A person's secret calendar address: "my meetings", or one body's. Only its hash is stored;
    revoking it makes the address answer 404."""

    partnership_path = None  # a person's own: reached through its owner, not a partnership

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="calendar_subscriptions")
    body = models.ForeignKey(Body, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["person", "-created_at"]

    def __str__(self):
        return f"Calendar of person {self.person_id}"

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class PackNotice(models.Model):
    """The notice sent with a meeting's pack (once per pack made)."""

    partnership_path = "meeting__body__partnership"
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="notices")
    sent_at = models.DateTimeField(default=timezone.now)
    sent_to = models.PositiveIntegerField()
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    def __str__(self):
        return f"Notice of meeting {self.meeting_id}"


# Audited by database triggers; a paper's search document and a version's extracted text are
# derived from the file, so the history does not copy them.
pghistory.track(exclude=["search"])(Paper)
pghistory.track(exclude=["text"])(PaperVersion)
for _model in (Minutes, MinuteEntry, MinuteAmendment, Action, ActionUpdate,
               ForwardPlanEntry, Gift, DeclarationRound, DeclarationReturn, CalendarSubscription):  # fmt: skip
    pghistory.track()(_model)
for _model in (Paper, Minutes, MinuteEntry, Action, ForwardPlanEntry, Gift, DeclarationRound):
    pgtrigger.register(bump_revision)(_model)
