"""What could go wrong, and where it is held: risk registers, risks, reviews, actions and escalations.

Scores are likelihood x consequence. The database refuses a level outside 1..5 (the bounds
every matrix shares); a partnership's own matrix may use fewer levels, which validation
enforces, and it sets the band thresholds and the score each risk appetite tolerates.
"""

from __future__ import annotations

import datetime

import pghistory
import pgtrigger
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import connections, models, router, transaction
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Greatest

from bodies.models import Body, Membership, Organisation, Partnership, Person
from core.access import RestrictedQuerySet
from core.concurrency import Revisioned, bump_revision
from core.effective_dating import Sourced, today

# Every matrix's levels lie within 1..SCALE_LIMIT; the database's check constraints say so.
SCALE_LIMIT = 5
SCORE_KINDS = ("inherent", "current", "target")


def nhs_likelihood_labels() -> list[str]:
    return ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"]


def nhs_consequence_labels() -> list[str]:
    return ["Negligible", "Minor", "Moderate", "Major", "Catastrophic"]


class Band(models.TextChoices):
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"
    EXTREME = "extreme", "Extreme"


class Appetite(models.TextChoices):
    AVERSE = "averse", "Averse"
    MINIMAL = "minimal", "Minimal"
    CAUTIOUS = "cautious", "Cautious"
    OPEN = "open", "Open"
    EAGER = "eager", "Eager"


def _level_label(name: str) -> str:
    kind, dimension = name.split("_")
    return f"{kind} {dimension}"


def on_the_scale(prefix: str, name: str) -> models.CheckConstraint:
    """A level (likelihood or consequence) within the bounds every matrix shares."""
    return models.CheckConstraint(
        name=f"{prefix}_{name}_1_to_{SCALE_LIMIT}",
        condition=Q(**{f"{name}__gte": 1, f"{name}__lte": SCALE_LIMIT}),
        violation_error_message=f"The {_level_label(name)} must be from 1 to {SCALE_LIMIT}.",
    )


def score(kind: str) -> models.GeneratedField:
    return models.GeneratedField(
        expression=F(f"{kind}_likelihood") * F(f"{kind}_consequence"),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )


def level(help_text: str = "") -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(help_text=help_text)


def band_field() -> models.CharField:
    return models.CharField(
        max_length=10, choices=Band.choices, editable=False, help_text="From the partnership's matrix."
    )


class ScoringMatrix(Sourced, Revisioned):
    """A partnership's likelihood x consequence matrix: its scale, bands and appetite tolerances.

    A partnership without one uses the NHS 5x5 matrix (the field defaults). Change it with
    `risks.services.scoring_matrix_change`, which re-bands every risk of the partnership.
    """

    partnership_path = "partnership"

    partnership = models.OneToOneField(Partnership, on_delete=models.PROTECT, related_name="scoring_matrix")
    likelihood_scale = models.PositiveSmallIntegerField(
        default=5, help_text=f"Number of likelihood levels (3 to {SCALE_LIMIT})."
    )
    consequence_scale = models.PositiveSmallIntegerField(
        default=5, help_text=f"Number of consequence levels (3 to {SCALE_LIMIT})."
    )
    likelihood_labels = ArrayField(
        models.CharField(max_length=50), default=nhs_likelihood_labels, blank=True,
        help_text="One per level, lowest first; empty to show numbers.",
    )  # fmt: skip
    consequence_labels = ArrayField(
        models.CharField(max_length=50), default=nhs_consequence_labels, blank=True,
        help_text="One per level, lowest first; empty to show numbers.",
    )  # fmt: skip
    low_max = models.PositiveSmallIntegerField(default=3, help_text="Highest score in the low band.")
    moderate_max = models.PositiveSmallIntegerField(
        default=6, help_text="Highest score in the moderate band."
    )
    high_max = models.PositiveSmallIntegerField(
        default=12, help_text="Highest score in the high band; scores above it are extreme."
    )
    tolerable_averse = models.PositiveSmallIntegerField(
        default=3, help_text="Highest current score tolerated by an averse appetite."
    )
    tolerable_minimal = models.PositiveSmallIntegerField(
        default=6, help_text="Highest current score tolerated by a minimal appetite."
    )
    tolerable_cautious = models.PositiveSmallIntegerField(
        default=12, help_text="Highest current score tolerated by a cautious appetite."
    )
    tolerable_open = models.PositiveSmallIntegerField(
        default=16, help_text="Highest current score tolerated by an open appetite."
    )
    tolerable_eager = models.PositiveSmallIntegerField(
        default=25, help_text="Highest current score tolerated by an eager appetite."
    )
    note = models.TextField(blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["partnership"]
        verbose_name_plural = "scoring matrices"
        constraints = [
            models.CheckConstraint(
                name="scoring_matrix_scales_3_to_5",
                condition=Q(likelihood_scale__gte=3, likelihood_scale__lte=SCALE_LIMIT)
                & Q(consequence_scale__gte=3, consequence_scale__lte=SCALE_LIMIT),
                violation_error_message=f"A scale has 3 to {SCALE_LIMIT} levels.",
            ),
            models.CheckConstraint(
                name="scoring_matrix_bands_in_order",
                condition=Q(low_max__gte=1)
                & Q(moderate_max__gt=F("low_max"))
                & Q(high_max__gt=F("moderate_max"))
                & Q(high_max__lt=F("likelihood_scale") * F("consequence_scale")),
                violation_error_message="The bands must rise from low to extreme, each ending above the last.",
            ),
            models.CheckConstraint(
                name="scoring_matrix_tolerances_in_order",
                condition=Q(tolerable_averse__gte=1)
                & Q(tolerable_minimal__gte=F("tolerable_averse"))
                & Q(tolerable_cautious__gte=F("tolerable_minimal"))
                & Q(tolerable_open__gte=F("tolerable_cautious"))
                & Q(tolerable_eager__gte=F("tolerable_open"))
                & Q(tolerable_eager__lte=F("likelihood_scale") * F("consequence_scale")),
                violation_error_message="Tolerable scores must rise from averse to eager, within the matrix.",
            ),
        ]

    display_values = (
        "likelihood_scale",
        "consequence_scale",
    )  # the columns str(self) reads (api/fastpath.py)

    def __str__(self):
        return f"{self.likelihood_scale}×{self.consequence_scale} scoring matrix"

    @classmethod
    def for_partnership(cls, partnership_id: int | None) -> ScoringMatrix:
        """The partnership's matrix, or the NHS 5x5 default (unsaved) when it has none."""
        found = cls.objects.filter(partnership_id=partnership_id).first() if partnership_id else None
        return found or cls(partnership_id=partnership_id)

    @property
    def max_score(self) -> int:
        return self.likelihood_scale * self.consequence_scale

    def band_for(self, value: int) -> str:
        if value <= self.low_max:
            return Band.LOW
        if value <= self.moderate_max:
            return Band.MODERATE
        if value <= self.high_max:
            return Band.HIGH
        return Band.EXTREME

    def band_ranges(self) -> list[tuple[str, str, int, int]]:
        """(band, label, lowest score, highest score) for each band, low first.

        Given as the scores the matrix can produce, as the NHS matrix is published: on a 5x5
        the high band is 8-12, since no likelihood x consequence makes 7.
        """
        edges = [0, self.low_max, self.moderate_max, self.high_max, self.max_score]
        reachable = {
            likelihood * consequence
            for likelihood in range(1, self.likelihood_scale + 1)
            for consequence in range(1, self.consequence_scale + 1)
        }
        ranges = []
        for i, band in enumerate(Band):
            scores = [value for value in reachable if edges[i] < value <= edges[i + 1]]
            lowest, highest = (min(scores), max(scores)) if scores else (edges[i] + 1, edges[i + 1])
            ranges.append((band.value, band.label, lowest, highest))
        return ranges

    def band_case(self, score_field: str) -> Case:
        """The band of `score_field` as SQL, for re-banding many rows in one statement."""
        return Case(
            When(**{f"{score_field}__lte": self.low_max}, then=Value(Band.LOW.value)),
            When(**{f"{score_field}__lte": self.moderate_max}, then=Value(Band.MODERATE.value)),
            When(**{f"{score_field}__lte": self.high_max}, then=Value(Band.HIGH.value)),
            default=Value(Band.EXTREME.value),
            output_field=models.CharField(),
        )

    def tolerable_score(self, appetite: str) -> int:
        return getattr(self, f"tolerable_{appetite}")

    def tolerable_case(self) -> Case:
        return Case(
            *(When(appetite=a.value, then=Value(self.tolerable_score(a.value))) for a in Appetite),
            output_field=models.PositiveSmallIntegerField(),
        )

    def likelihood_label(self, value: int) -> str:
        labels = self.likelihood_labels or []
        return labels[value - 1] if len(labels) == self.likelihood_scale else str(value)

    def consequence_label(self, value: int) -> str:
        labels = self.consequence_labels or []
        return labels[value - 1] if len(labels) == self.consequence_scale else str(value)

    def scale_errors(self, levels: dict[str, int | None]) -> dict[str, str]:
        """Messages for levels outside this matrix, keyed by field name (`current_likelihood`...)."""
        errors = {}
        for name, value in levels.items():
            if value is None:
                continue
            top = self.likelihood_scale if name.endswith("likelihood") else self.consequence_scale
            if not 1 <= value <= top:
                errors[name] = (
                    f"The {_level_label(name)} is scored from 1 to {top} in this partnership's matrix; "
                    f"{value} is outside it."
                )
        return errors

    def clean(self):
        super().clean()
        errors: dict[str, str] = {}
        for dimension in ("likelihood", "consequence"):
            scale = getattr(self, f"{dimension}_scale")
            if scale is None:
                continue
            if not 3 <= scale <= SCALE_LIMIT:
                errors[f"{dimension}_scale"] = f"A scale has 3 to {SCALE_LIMIT} levels."
                continue
            labels = getattr(self, f"{dimension}_labels") or []
            if labels and len(labels) != scale:
                errors[f"{dimension}_labels"] = f"Give {scale} labels (one per level, lowest first), or none."
        if errors or None in (self.likelihood_scale, self.consequence_scale):
            raise ValidationError(errors)
        errors.update(self._band_errors())
        errors.update(self._tolerance_errors())
        errors.update(self._risks_outside_the_scale())
        if errors:
            raise ValidationError(errors)

    def _band_errors(self) -> dict[str, str]:
        low, moderate, high = self.low_max, self.moderate_max, self.high_max
        if None in (low, moderate, high):
            return {}
        if low < 1:
            return {"low_max": "The low band must include a score of 1."}
        if moderate <= low:
            return {"moderate_max": f"The moderate band must end above the low band, which ends at {low}."}
        if high <= moderate:
            return {"high_max": f"The high band must end above the moderate band, which ends at {moderate}."}
        if high >= self.max_score:
            return {
                "high_max": f"The high band must end below the highest score ({self.max_score}), "
                "so that the extreme band has scores in it."
            }
        return {}

    def _tolerance_errors(self) -> dict[str, str]:
        previous_name, previous = None, 1
        for appetite in Appetite:
            value = self.tolerable_score(appetite.value)
            if value is None:
                return {}
            name = f"tolerable_{appetite.value}"
            if value < previous:
                floor = f"the {previous_name.split('_')[1]} tolerance ({previous})" if previous_name else "1"
                return {name: f"Must be at least {floor}: appetites tolerate more from averse to eager."}
            if value > self.max_score:
                return {name: f"Must be at most the highest score in the matrix ({self.max_score})."}
            previous_name, previous = name, value
        return {}

    def _risks_outside_the_scale(self) -> dict[str, str]:
        """A scale cannot shrink below levels its partnership's risks are scored at."""
        if not self.partnership_id:
            return {}
        risks = Risk.objects.filter(partnership_id=self.partnership_id)
        errors = {}
        for dimension in ("likelihood", "consequence"):
            top = getattr(self, f"{dimension}_scale")
            outside = risks.annotate(
                highest=Greatest(*(F(f"{kind}_{dimension}") for kind in SCORE_KINDS))
            ).filter(highest__gt=top)
            references = list(outside.order_by("reference").values_list("reference", flat=True)[:6])
            if references:
                shown = ", ".join(references[:5]) + (", …" if len(references) > 5 else "")
                errors[f"{dimension}_scale"] = (
                    f"Risks of this partnership are scored at a {dimension} above {top} ({shown}): "
                    "rescore them before narrowing the scale."
                )
        return errors


class RiskRegister(Sourced, Revisioned):
    """The register a body keeps (every group reviews its own at each meeting), or the risks an
    organisation shares with a partnership (Nottinghamshire 4.4: organisations manage their own)."""

    partnership_path = "partnership"
    # The columns str(self) reads: the API's fast list path runs __str__ on them (api/fastpath.py).
    display_values = ("body_id", "body__name", "organisation_id", "organisation__name")

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="risk_registers")
    body = models.ForeignKey(
        Body,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="risk_registers",
        help_text="The body whose register it is (or give an organisation).",
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="risk_registers",
        help_text="A member organisation's risks shared with the partnership (or give a body).",
    )
    review_interval_months = models.PositiveSmallIntegerField(
        default=1, help_text="How often its risks are reviewed; sets each review's next review due."
    )
    note = models.TextField(blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["partnership", "id"]
        constraints = [
            models.CheckConstraint(
                name="risk_register_body_or_organisation",
                condition=(Q(body__isnull=False) & Q(organisation__isnull=True))
                | (Q(body__isnull=True) & Q(organisation__isnull=False)),
                violation_error_message="A register is kept by a body or by an organisation (one of them).",
            ),
            models.UniqueConstraint(
                fields=["partnership", "body"],
                name="risk_register_one_per_body",
                violation_error_message="This body already has a risk register.",
            ),
            models.UniqueConstraint(
                fields=["partnership", "organisation"],
                name="risk_register_one_per_organisation",
                violation_error_message="This organisation already has a risk register in this partnership.",
            ),
            models.CheckConstraint(
                name="risk_register_review_interval_positive",
                condition=Q(review_interval_months__gte=1),
                violation_error_message="Risks are reviewed at least every month or more; give 1 or more.",
            ),
        ]

    def __str__(self):
        return f"{self.holder} risk register"

    @property
    def holder(self) -> Body | Organisation | None:
        if self.body_id:
            return self.body
        return self.organisation if self.organisation_id else None

    def clean(self):
        super().clean()
        if self.body_id and self.partnership_id and self.body.partnership_id != self.partnership_id:
            if self.body.partnership_id is None:
                raise ValidationError(
                    {"body": "A member organisation's own board keeps its register as the organisation's: "
                     "give the organisation instead."}
                )  # fmt: skip
            raise ValidationError({"body": "This body belongs to another partnership."})
        if self.organisation_id and self.partnership_id:
            member = Membership.objects.filter(
                partnership_id=self.partnership_id, organisation_id=self.organisation_id
            ).exists()
            if not member:
                raise ValidationError(
                    {"organisation": "This organisation is not a member of the partnership."}
                )


class RiskQuerySet(RestrictedQuerySet):
    def open(self):
        return self.filter(status=Risk.Status.OPEN)

    def overdue(self, on=None):
        """Open risks whose next review was due before `on` (default today)."""
        return self.open().filter(self.overdue_condition(on))

    def above_appetite(self):
        """Open risks whose current score is above what their appetite tolerates."""
        return self.open().filter(self.above_appetite_condition())

    @staticmethod
    def overdue_condition(on=None) -> Q:
        """What makes an open risk overdue for review, as a condition (for conditional counts)."""
        return Q(next_review_due__lt=on or today())

    @staticmethod
    def above_appetite_condition() -> Q:
        """What puts an open risk above appetite, as a condition (for conditional counts)."""
        return Q(current_score__gt=F("tolerable_score"))

    def awaiting_response(self):
        """Risks escalated to a body that has not yet answered."""
        pending = RiskEscalation.objects.filter(risk=OuterRef("pk"), response=RiskEscalation.Response.PENDING)
        return self.filter(Exists(pending))

    def top(self):
        """Open risks, highest current score first (then highest inherent, then earliest review)."""
        return self.open().order_by(
            "-current_score", "-inherent_score", F("next_review_due").asc(nulls_last=True), "reference"
        )


LEVEL_FIELDS = tuple(
    f"{kind}_{dimension}" for kind in SCORE_KINDS for dimension in ("likelihood", "consequence")
)


class Risk(Sourced, Revisioned):
    """A risk on a register, scored inherent (before controls), current and target."""

    partnership_path = "partnership"

    class Category(models.TextChoices):
        QUALITY_AND_SAFETY = "quality_and_safety", "Quality and safety"
        FINANCIAL = "financial", "Financial"
        OPERATIONAL_PERFORMANCE = "operational_performance", "Operational performance"
        WORKFORCE = "workforce", "Workforce"
        STRATEGIC = "strategic", "Strategic"
        REPUTATIONAL = "reputational", "Reputational"
        REGULATORY_AND_LEGAL = "regulatory_and_legal", "Regulatory and legal"
        PARTNERSHIP = "partnership", "Partnership"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"
        TRANSFERRED = "transferred", "Transferred"

    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.PROTECT,
        related_name="risks",
        editable=False,
        blank=True,
        help_text="The register's partnership (kept here so references are unique per partnership).",
    )
    register = models.ForeignKey(RiskRegister, on_delete=models.PROTECT, related_name="risks")
    reference = models.CharField(max_length=30, help_text="Unique in the partnership, e.g. CP-HCE-01.")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    cause = models.TextField(blank=True)
    effect = models.TextField(blank=True)
    category = models.CharField(max_length=30, choices=Category.choices)
    owner = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="risks_owned"
    )
    owner_title = models.CharField(max_length=300, blank=True, help_text="The owner's post, as published.")
    lead_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="risks_led"
    )
    inherent_likelihood = level("Before any controls.")
    inherent_consequence = level("Before any controls.")
    current_likelihood = level("With the controls in place now.")
    current_consequence = level("With the controls in place now.")
    target_likelihood = level("Once the planned actions are complete.")
    target_consequence = level("Once the planned actions are complete.")
    inherent_score = score("inherent")
    current_score = score("current")
    target_score = score("target")
    inherent_band = band_field()
    current_band = band_field()
    target_band = band_field()
    appetite = models.CharField(max_length=10, choices=Appetite.choices, default=Appetite.CAUTIOUS)
    tolerable_score = models.PositiveSmallIntegerField(
        editable=False, help_text="The highest current score the appetite tolerates, from the matrix."
    )
    controls = models.TextField(blank=True)
    gaps_in_control = models.TextField(blank=True)
    assurances = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    identified_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True, help_text="The day it was closed or transferred.")
    last_reviewed_on = models.DateField(null=True, blank=True, editable=False)
    next_review_due = models.DateField(null=True, blank=True)

    objects = RiskQuerySet.as_manager()

    class Meta:
        ordering = ["partnership", "reference"]
        indexes = [
            models.Index(fields=["partnership", "status", "next_review_due"], name="risk_review_lookup")
        ]
        constraints = [
            *(on_the_scale("risk", name) for name in LEVEL_FIELDS),
            models.UniqueConstraint(
                fields=["partnership", "reference"],
                name="risk_reference_unique_in_partnership",
                violation_error_message="This partnership already has a risk with this reference.",
            ),
            models.CheckConstraint(
                name="risk_reference_not_blank",
                condition=~Q(reference=""),
                violation_error_message="Give the risk a reference.",
            ),
            models.CheckConstraint(
                name="risk_closed_on_matches_status",
                condition=(Q(status="open") & Q(closed_on__isnull=True))
                | (~Q(status="open") & Q(closed_on__isnull=False)),
                violation_error_message="A closed or transferred risk has a closing date; an open one has none.",
            ),
            models.CheckConstraint(
                name="risk_closed_after_identified",
                condition=Q(closed_on__isnull=True)
                | Q(identified_on__isnull=True)
                | Q(closed_on__gte=F("identified_on")),
                violation_error_message="A risk cannot be closed before it was identified.",
            ),
        ]

    display_values = ("reference", "title")  # the columns str(self) reads (api/fastpath.py)

    def __str__(self):
        return f"{self.reference}: {self.title}"

    @property
    def is_above_appetite(self) -> bool:
        return self.status == self.Status.OPEN and self.current_likelihood * self.current_consequence > (
            self.tolerable_score or 0
        )

    def clean(self):
        super().clean()
        errors: dict[str, str] = {}
        if self.register_id:
            self.partnership_id = self.register.partnership_id
        if self.partnership_id:
            matrix = ScoringMatrix.for_partnership(self.partnership_id)
            errors.update(matrix.scale_errors({name: getattr(self, name) for name in LEVEL_FIELDS}))
        if self.status == self.Status.OPEN and self.closed_on:
            errors["closed_on"] = "An open risk has no closing date: clear it, or close the risk."
        elif self.status and self.status != self.Status.OPEN and not self.closed_on:
            errors["closed_on"] = f"Give the date the risk was {self.get_status_display().lower()}."
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            if self.register_id and self.partnership_id is None:
                self.partnership_id = self.register.partnership_id
            _share_lock_partnership(self.partnership_id, using)
            self.derive()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], *DERIVED_FIELDS}
            super().save(*args, **kwargs)

    def derive(self, matrix: ScoringMatrix | None = None) -> None:
        """Set the partnership, scores, bands and tolerable score from the register and the matrix."""
        if self.register_id and self.partnership_id is None:
            self.partnership_id = self.register.partnership_id
        matrix = matrix or ScoringMatrix.for_partnership(self.partnership_id)
        _derive_scores(self, matrix, SCORE_KINDS)
        self.tolerable_score = matrix.tolerable_score(self.appetite)


def _share_lock_partnership(partnership_id: int | None, using: str) -> None:
    """Hold the partnership row FOR SHARE until commit, so a matrix change (which takes it FOR
    UPDATE, see `scoring_matrix_change`) cannot slip between reading the matrix and writing the bands."""
    if partnership_id is None:
        return
    connection = connections[using]
    table = connection.ops.quote_name(Partnership._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR SHARE", [partnership_id])


DERIVED_FIELDS = ("partnership", *(f"{kind}_band" for kind in SCORE_KINDS), "tolerable_score")


def _derive_scores(instance, matrix: ScoringMatrix, kinds) -> None:
    for kind in kinds:
        likelihood = getattr(instance, f"{kind}_likelihood")
        consequence = getattr(instance, f"{kind}_consequence")
        value = likelihood * consequence if likelihood and consequence else None
        setattr(instance, f"{kind}_score", value)  # the database computes the stored one
        setattr(instance, f"{kind}_band", matrix.band_for(value) if value else "")


class RiskAction(Revisioned):
    """Something to be done to bring a risk to its target."""

    partnership_path = "risk__partnership"

    class Status(models.TextChoices):
        PLANNED = "planned", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="risk_actions"
    )
    owner_title = models.CharField(max_length=300, blank=True, help_text="The owner's post, as published.")
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    completed_on = models.DateField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["risk", F("due_on").asc(nulls_last=True), "id"]
        constraints = [
            models.CheckConstraint(
                name="risk_action_described",
                condition=~Q(description=""),
                violation_error_message="Describe the action.",
            ),
            models.CheckConstraint(
                name="risk_action_completion_dated",
                condition=(Q(status="completed") & Q(completed_on__isnull=False))
                | (~Q(status="completed") & Q(completed_on__isnull=True)),
                violation_error_message="A completed action has a completion date; others have none.",
            ),
        ]

    display_values = ("description",)  # the columns str(self) reads (api/fastpath.py)

    def __str__(self):
        return self.description[:80]

    def clean(self):
        super().clean()
        if self.status == self.Status.COMPLETED and not self.completed_on:
            raise ValidationError({"completed_on": "Give the date the action was completed."})
        if self.status != self.Status.COMPLETED and self.completed_on:
            raise ValidationError({"completed_on": "Only a completed action has a completion date."})


def review_meeting_errors(risk: Risk, meeting, reviewed_on: datetime.date | None) -> list[str]:
    """Why a review cannot be minuted at this meeting: every group reviews its own register."""
    errors = []
    body_id = risk.register.body_id
    if meeting.body_id != body_id:
        errors.append(
            "A risk is reviewed at a meeting of the body that keeps its register."
            if body_id
            else "An organisation's register is not reviewed at a partnership meeting: leave the meeting empty."
        )
    if reviewed_on and meeting.meeting_date != reviewed_on:
        errors.append(f"That meeting was on {meeting.meeting_date:%-d %B %Y}, not on the day of the review.")
    if meeting.status == meeting.Status.CANCELLED:
        errors.append("That meeting was cancelled.")
    return errors


class RiskReview(Revisioned):
    """A risk reviewed on a day (at a meeting, or not), with its scores as they then stood."""

    partnership_path = "risk__partnership"

    risk = models.ForeignKey(Risk, on_delete=models.PROTECT, related_name="reviews")
    reviewed_on = models.DateField()
    meeting = models.ForeignKey(
        "decisions.Meeting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="risk_reviews",
        help_text="The meeting of the register's body it was reviewed at; empty when reviewed outside a meeting.",
    )
    reviewer = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="risk_reviews"
    )
    current_likelihood = level()
    current_consequence = level()
    target_likelihood = level()
    target_consequence = level()
    current_score = score("current")
    target_score = score("target")
    current_band = band_field()
    target_band = band_field()
    note = models.TextField(blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["risk", "reviewed_on"]
        # The API lists reviews by (reviewed_on, id): without this index every page sorts them all.
        indexes = [models.Index(fields=["reviewed_on", "id"], name="risk_review_list_order")]
        constraints = [
            *(on_the_scale("risk_review", name) for name in LEVEL_FIELDS if not name.startswith("inherent")),
            models.UniqueConstraint(
                fields=["risk", "reviewed_on"],
                name="risk_review_one_per_day",
                violation_error_message="This risk was already reviewed on this day.",
            ),
        ]

    display_values = ("risk__reference", "reviewed_on")  # the columns str(self) reads (api/fastpath.py)

    def __str__(self):
        return f"Review of {self.risk.reference} on {self.reviewed_on:%-d %B %Y}"

    def clean(self):
        super().clean()
        if self.meeting_id and self.risk_id:
            meeting_errors = review_meeting_errors(self.risk, self.meeting, self.reviewed_on)
            if meeting_errors:
                raise ValidationError({"meeting": meeting_errors})
        # A new review is scored on the matrix of the day; a recorded one is history and keeps its scale.
        if self.risk_id and self._state.adding:
            matrix = ScoringMatrix.for_partnership(self.risk.partnership_id)
            names = ("current_likelihood", "current_consequence", "target_likelihood", "target_consequence")
            errors = matrix.scale_errors({name: getattr(self, name) for name in names})
            if errors:
                raise ValidationError(errors)

    def save(self, *args, **kwargs):
        # Bands as the matrix stood on the day of the review: history is not re-banded.
        _derive_scores(self, ScoringMatrix.for_partnership(self.risk.partnership_id), ("current", "target"))
        super().save(*args, **kwargs)


class RiskEscalation(Revisioned):
    """A risk escalated from a register to the body its holder escalates risks to, and the answer."""

    partnership_path = "risk__partnership"

    class Response(models.TextChoices):
        PENDING = "pending", "Awaiting response"
        ACCEPTED = "accepted", "Accepted"
        RETURNED = "returned", "Returned with advice"

    risk = models.ForeignKey(Risk, on_delete=models.PROTECT, related_name="escalations")
    from_register = models.ForeignKey(
        RiskRegister,
        on_delete=models.PROTECT,
        related_name="escalations_made",
        help_text="Where the risk was held when escalated (its own register, or the register of a body "
        "that accepted an earlier escalation).",
    )
    to_body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="risk_escalations_received")
    escalated_on = models.DateField()
    reason = models.TextField()
    response = models.CharField(max_length=20, choices=Response.choices, default=Response.PENDING)
    responded_on = models.DateField(null=True, blank=True)
    response_note = models.TextField(
        blank=True, help_text="The receiving body's answer: the advice, when it returns the risk."
    )
    de_escalated_on = models.DateField(null=True, blank=True)
    de_escalation_note = models.TextField(blank=True)

    # What a receiving body may answer (an answer is never "pending").
    ANSWERS = [
        (Response.ACCEPTED.value, Response.ACCEPTED.label),
        (Response.RETURNED.value, Response.RETURNED.label),
    ]

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["risk", "escalated_on", "id"]
        constraints = [
            models.CheckConstraint(
                name="risk_escalation_reason_given",
                condition=~Q(reason=""),
                violation_error_message="Give the reason for escalating the risk.",
            ),
            models.CheckConstraint(
                name="risk_escalation_response_dated",
                condition=(Q(response="pending") & Q(responded_on__isnull=True))
                | (~Q(response="pending") & Q(responded_on__isnull=False)),
                violation_error_message="A response has a date; an escalation awaiting one has none.",
            ),
            models.CheckConstraint(
                name="risk_escalation_returned_with_advice",
                condition=~Q(response="returned") | ~Q(response_note=""),
                violation_error_message="A risk returned to its register is returned with advice.",
            ),
            models.CheckConstraint(
                name="risk_escalation_response_after_escalation",
                condition=Q(responded_on__isnull=True) | Q(responded_on__gte=F("escalated_on")),
                violation_error_message="A response cannot precede the escalation.",
            ),
            models.CheckConstraint(
                name="risk_escalation_de_escalated_after_acceptance",
                condition=Q(de_escalated_on__isnull=True)
                | (Q(response="accepted") & Q(de_escalated_on__gte=F("responded_on"))),
                violation_error_message="Only an accepted escalation is de-escalated, after it was accepted.",
            ),
            models.UniqueConstraint(
                fields=["risk"],
                condition=Q(response="pending"),
                name="risk_escalation_one_awaiting_response",
                violation_error_message="This risk is already escalated and awaiting a response.",
            ),
        ]

    display_values = (
        "risk__reference",
        "to_body__name",
        "escalated_on",
    )  # the columns str(self) reads (api/fastpath.py)

    def __str__(self):
        return f"{self.risk.reference} escalated to {self.to_body.name} on {self.escalated_on:%-d %B %Y}"

    @property
    def status(self) -> str:
        if self.de_escalated_on:
            return "de-escalated"
        return self.get_response_display().lower()

    @property
    def is_held(self) -> bool:
        """Accepted and not handed back: the receiving body now holds the risk."""
        return self.response == self.Response.ACCEPTED and self.de_escalated_on is None


def bump_revision_of_stored_columns(model: type[models.Model]) -> pgtrigger.Trigger:
    """The platform's `bump_revision`, for a table with generated columns.

    PostgreSQL refuses a BEFORE trigger whose WHEN clause reads NEW generated columns, which
    `OLD.* IS DISTINCT FROM NEW.*` does. Comparing every stored column is the same test: the
    generated scores follow from the stored likelihoods and consequences.
    """
    generated = [f.name for f in model._meta.concrete_fields if f.generated]
    return pgtrigger.Trigger(
        name=bump_revision.name,
        when=bump_revision.when,
        operation=bump_revision.operation,
        condition=pgtrigger.AnyChange(exclude=generated),
        func=bump_revision.func,
    )


# Audit every model with database triggers (see settings.PGHISTORY_DEFAULT_TRACKERS).
for _model in (ScoringMatrix, RiskRegister, Risk, RiskAction, RiskReview, RiskEscalation):
    pghistory.track()(_model)
    if any(f.generated for f in _model._meta.concrete_fields):
        pgtrigger.register(bump_revision_of_stored_columns(_model))(_model)
    else:
        pgtrigger.register(bump_revision)(_model)
