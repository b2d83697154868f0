"""The registry of who is who: partnerships, organisations, bodies and their terms of reference."""

import datetime
import re

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.urls import reverse

from core.access import RestrictedQuerySet
from core.concurrency import Revisioned, bump_revision
from core.effective_dating import (
    EffectiveDated,
    EffectiveDatedQuerySet,
    Sourced,
    in_force_q,
    no_overlap,
)
from core.publication import PUBLIC_ALWAYS

PERIOD_IN_ORDER = EffectiveDated._meta.constraints


class Person(Sourced, Revisioned):
    """Someone who holds or held a role; shared across partnerships like organisations."""

    display_sql = "name"  # `display` in the API's fast list path: the SQL of str(self)

    shared_reference_data = True
    partnership_links = ["appointments__body__partnership", "partnerships_led"]
    # Public (core/publication.py) where a public appointment or declared interest names them.
    public_when = PUBLIC_ALWAYS
    public_links = ["appointments=person", "interests=person"]

    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    note = models.TextField(blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        help_text="The registry account of this person, if they sign in: it lets them read the restricted "
        "records of the bodies they sit on and declare their own interests.",
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "people"
        indexes = [GinIndex(name="person_name_trgm", fields=["name"], opclasses=["gin_trgm_ops"])]

    def __str__(self):
        return self.name


class Partnership(Sourced, Revisioned):
    display_sql = "short_name_or_name"  # `display` in the API's fast list path: the SQL of str(self)
    partnership_path = ""
    public_when = PUBLIC_ALWAYS  # when its public site is on (public_site_field)
    public_site_field = "public_site"

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=100, blank=True)
    slug = models.SlugField(max_length=100, unique=True)
    footprint_number = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        unique=True,
        help_text="The national STP footprint number (Derbyshire is 12).",
    )
    region = models.CharField(max_length=100, blank=True)
    population = models.PositiveIntegerField(null=True, blank=True)
    budget_gbp = models.DecimalField("budget (GBP)", max_digits=15, decimal_places=2, null=True, blank=True)
    lead = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partnerships_led",
        help_text="The partnership's lead (senior responsible officer).",
    )
    lead_role = models.CharField(max_length=300, blank=True, help_text="The lead's post, as published.")
    description = models.TextField(blank=True)
    public_site = models.BooleanField(
        "public site",
        default=False,
        help_text="Publish the partnership's public site, feeds and open data: who sits on what, on what "
        "terms, what was decided, the register of interests. Records not for publication never appear.",
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        permissions = [
            ("change_partnership_records", "Edit the partnership's records (secretariat)"),
            ("view_restricted_records", "Read the partnership's restricted records"),
            ("declare_interests", "Declare own interests in the partnership"),
        ]
        constraints = [
            models.CheckConstraint(
                name="partnership_budget_not_negative",
                condition=Q(budget_gbp__isnull=True) | Q(budget_gbp__gte=0),
                violation_error_message="The budget cannot be negative.",
            ),
        ]

    def __str__(self):
        return self.short_name or self.name

    def get_absolute_url(self):
        return reverse("admin:bodies_partnership_change", args=[self.pk])


class PartnershipStage(EffectiveDated, Sourced, Revisioned):
    """Where a partnership stood over time: STP, shadow ACS/ICS, ICS, then an ICS whose integrated care
    board is a statutory organisation (from 1 July 2022, Health and Care Act 2022)."""

    public_when = PUBLIC_ALWAYS
    partnership_path = "partnership"

    class Stage(models.TextChoices):
        STP = "stp", "Sustainability and transformation partnership"
        SHADOW_ACS = "shadow_acs", "Shadow accountable care system"
        ACS = "acs", "Accountable care system"
        SHADOW_ICS = "shadow_ics", "Shadow integrated care system"
        ICS = "ics", "Integrated care system"
        STATUTORY_ICS = "statutory_ics", "Integrated care system with a statutory integrated care board"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="stages")
    stage = models.CharField(max_length=20, choices=Stage.choices)

    class Meta:
        ordering = ["partnership", F("effective_from").asc(nulls_first=True)]
        constraints = [*PERIOD_IN_ORDER, no_overlap("partnership_stage_no_overlap", "partnership")]

    display_values = (
        "stage",
        "partnership__short_name",
        "partnership__name",
    )  # the columns str(self) reads (api/fastpath.py)

    def __str__(self):
        return f"{self.partnership}: {self.get_stage_display()}"


ODS_CODE_PATTERN = r"^[A-Z0-9]{3,10}$"


def validate_ods_code(value: str) -> None:
    """Letters and digits only, 3 to 10 of them (either case: the field stores them upper-case)."""
    if value and not re.fullmatch(ODS_CODE_PATTERN, value.strip().upper()):
        raise ValidationError(
            "An ODS code is 3 to 10 letters and digits (RTG, 15M, E54000058), with no spaces.", code="invalid"
        )


class OdsCodeField(models.CharField):
    """An NHS Organisation Data Service code, stored upper-case whoever writes it (API, page, admin,
    import): `15m` is saved, and looked up, as `15M`. The database checks the format and upper case."""

    def to_python(self, value):
        value = super().to_python(value)
        if isinstance(value, str):
            value = value.strip().upper() or None
        return value

    def pre_save(self, model_instance, add):
        value = self.to_python(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return value.strip().upper() if isinstance(value, str) else value


class Organisation(Sourced, Revisioned):
    """A legal or recognised organisation, shared across partnerships (one record, many memberships)."""

    display_sql = "name"  # `display` in the API's fast list path: the SQL of str(self)

    shared_reference_data = True
    partnership_links = ["memberships__partnership"]
    public_when = PUBLIC_ALWAYS
    public_links = ["memberships=organisation", "appointments=representing"]

    class Kind(models.TextChoices):
        CCG = "ccg", "Clinical commissioning group"
        ICB = "icb", "Integrated care board"
        NHS_FOUNDATION_TRUST = "nhs_foundation_trust", "NHS foundation trust"
        NHS_TRUST = "nhs_trust", "NHS trust"
        LOCAL_AUTHORITY = "local_authority", "Local authority"
        GENERAL_PRACTICE = "general_practice", "General practice"
        LMC = "lmc", "Local medical committee"
        CIC = "cic", "Community interest company"
        REGULATOR = "regulator", "Regulator or national body"
        VOLUNTARY_SECTOR = "voluntary_sector", "Voluntary sector"
        HEALTHWATCH = "healthwatch", "Healthwatch"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    is_statutory = models.BooleanField("statutory", default=False)
    ods_code = OdsCodeField(
        "NHS ODS code",
        max_length=10,
        null=True,
        blank=True,
        validators=[validate_ods_code],
        help_text="Organisation Data Service code, as NHS Digital publishes it (RTG, 15M).",
    )
    other_names = ArrayField(models.CharField(max_length=200), default=list, blank=True)
    contact_email = models.EmailField(
        blank=True, help_text="Where reminders to the organisation go (its board secretary, say)."
    )
    established_on = models.DateField(null=True, blank=True)
    dissolved_on = models.DateField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [GinIndex(name="organisation_name_trgm", fields=["name"], opclasses=["gin_trgm_ops"])]
        constraints = [
            models.CheckConstraint(
                name="organisation_dissolved_after_established",
                condition=Q(established_on__isnull=True)
                | Q(dissolved_on__isnull=True)
                | Q(dissolved_on__gte=F("established_on")),
                violation_error_message="An organisation cannot be dissolved before it was established.",
            ),
            models.CheckConstraint(
                name="organisation_ods_code_not_blank",
                condition=Q(ods_code__isnull=True) | ~Q(ods_code=""),
                violation_error_message="Leave the ODS code empty rather than blank.",
            ),
            models.UniqueConstraint(
                Upper("ods_code"),
                name="organisation_ods_code_unique_ci",
                violation_error_message="Another organisation already has this ODS code.",
            ),
            models.CheckConstraint(
                name="organisation_ods_code_format",
                condition=Q(ods_code__isnull=True) | Q(ods_code__regex=ODS_CODE_PATTERN),
                violation_error_message="An ODS code is 3 to 10 capital letters and digits, with no spaces.",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.ods_code is not None:
            self.ods_code = self.ods_code.strip().upper() or None


class OrganisationName(EffectiveDated, Sourced, Revisioned):
    """A name an organisation was known by for a period (a rename keeps the organisation and dates its old
    name here: bodies.successions.record_rename)."""

    shared_reference_data = True
    partnership_links = ["organisation__memberships__partnership"]

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="names")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["organisation", F("effective_from").asc(nulls_first=True)]
        constraints = [*PERIOD_IN_ORDER, no_overlap("organisation_name_no_overlap", "organisation")]

    display_values = ("name",)  # the columns str(self) reads (api/fastpath.py)

    def __str__(self):
        return self.name


class OrganisationSuccession(Sourced, Revisioned):
    """A dated succession between two organisations: a merger (many into one), a split (one into many,
    each successor's share stated), a replacement or a transfer of functions. A rename is not a
    succession (the organisation stays; its old name is dated: OrganisationName). Written through
    bodies.successions.record_succession; the database refuses cycles and a successor dissolved
    before its predecessor (constraint trigger, migration 0013)."""

    shared_reference_data = True
    partnership_links = ["predecessor__memberships__partnership", "successor__memberships__partnership"]

    class Kind(models.TextChoices):
        MERGER = "merger", "Merged into"
        SPLIT = "split", "Split, a share passing to"
        REPLACEMENT = "replacement", "Replaced by"
        TRANSFER = "transfer", "Functions transferred to"

    predecessor = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="successions")
    successor = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="predecessions")
    effective_on = models.DateField(help_text="The first day the successor stood in the predecessor's place.")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.MERGER)
    share_percent = models.DecimalField(
        "share (%)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="For a split: the share of the predecessor passing to this successor (population, say).",
    )
    note = models.TextField(blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["effective_on"]
        constraints = [
            models.CheckConstraint(
                name="succession_not_to_itself",
                condition=~Q(predecessor=F("successor")),
                violation_error_message="An organisation cannot succeed itself.",
            ),
            models.UniqueConstraint(
                fields=["predecessor", "successor"],
                name="succession_unique_pair",
                violation_error_message="This succession is already recorded.",
            ),
            models.CheckConstraint(
                name="succession_split_states_share",
                condition=(
                    Q(kind="split")
                    & Q(share_percent__isnull=False)
                    & Q(share_percent__gt=0)
                    & Q(share_percent__lte=100)
                )
                | (~Q(kind="split") & Q(share_percent__isnull=True)),
                violation_error_message="A split states each successor's share (above 0, at most 100 %); "
                "other successions have none.",
            ),
        ]

    display_values = (
        "predecessor__name",
        "successor__name",
        "effective_on",
    )  # the columns str(self) reads (api/fastpath.py)

    def __str__(self):
        return f"{self.predecessor} → {self.successor} ({self.effective_on})"


class Membership(EffectiveDated, Sourced, Revisioned):
    """An organisation's standing in a partnership over a period."""

    partnership_path = "partnership"
    public_when = PUBLIC_ALWAYS

    class Standing(models.TextChoices):
        PARTY_TO = "party_to", "Party to"
        PARTNER_IN = "partner_in", "Partner in"
        CORE = "core", "Core member"
        ASSOCIATE = "associate", "Associate member"
        OBSERVER = "observer", "Observer"
        IN_FOOTPRINT = "in_footprint", "Within the footprint (not a party)"

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        TO_BE_CONFIRMED = "to_be_confirmed", "To be confirmed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    standing = models.CharField(max_length=20, choices=Standing.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CONFIRMED)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["partnership", "organisation__name", F("effective_from").asc(nulls_first=True)]
        constraints = [
            *PERIOD_IN_ORDER,
            no_overlap("membership_no_overlap", "partnership", "organisation"),
        ]
        indexes = [models.Index(fields=["partnership", "standing"])]

    display_values = (
        "organisation__name",
        "partnership__short_name",
        "partnership__name",
        "standing",
    )  # the columns str(self) reads (api/fastpath.py)

    def __str__(self):
        return f"{self.organisation} in {self.partnership} ({self.get_standing_display()})"


class Agreement(EffectiveDated, Sourced, Revisioned):
    """A memorandum of understanding or governance framework the partners sign up to."""

    display_sql = "title"  # `display` in the API's fast list path: the SQL of str(self)

    partnership_path = "partnership"

    class Kind(models.TextChoices):
        MOU = "mou", "Memorandum of understanding"
        GOVERNANCE_FRAMEWORK = "governance_framework", "Governance framework"
        OTHER = "other", "Other agreement"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_FORCE = "in_force", "In force"
        EXPIRED = "expired", "Expired"
        TERMINATED = "terminated", "Terminated"

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="agreements")
    slug = models.SlugField(max_length=120)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    title = models.CharField(max_length=300)
    version = models.CharField(max_length=50, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    agreed_on = models.DateField(null=True, blank=True)
    review_interval_months = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["partnership", "title"]
        constraints = [
            *PERIOD_IN_ORDER,
            models.UniqueConstraint(
                fields=["partnership", "slug"], name="agreement_slug_unique_in_partnership"
            ),
        ]

    def __str__(self):
        return self.title


class Signature(Sourced, Revisioned):
    """An organisation's signature to an agreement: evidence, never deleted with its agreement."""

    partnership_path = "agreement__partnership"
    public_when = PUBLIC_ALWAYS

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="signatures")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="signatures")
    signatory_name = models.CharField(max_length=200, blank=True)
    signatory_title = models.CharField(max_length=300, blank=True)
    signed_on = models.DateField(null=True, blank=True)
    withdrawn_on = models.DateField(null=True, blank=True, help_text="The day the organisation withdrew.")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["agreement", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "organisation"],
                name="signature_one_per_organisation",
                violation_error_message="This organisation has already signed this agreement.",
            ),
            models.CheckConstraint(
                name="signature_withdrawn_after_signed",
                condition=Q(signed_on__isnull=True)
                | Q(withdrawn_on__isnull=True)
                | Q(withdrawn_on__gte=F("signed_on")),
                violation_error_message="A withdrawal cannot precede the signature.",
            ),
        ]

    display_values = (
        "organisation__name",
        "agreement__title",
    )  # the columns str(self) reads (api/fastpath.py)

    def __str__(self):
        return f"{self.organisation} signed {self.agreement}"


class BodyQuerySet(EffectiveDatedQuerySet):
    def in_force(self, on: datetime.date | None = None):
        """Bodies that existed on the day and were not yet dissolved (proposed ones excluded)."""
        return super().in_force(on).exclude(status=Body.Status.PROPOSED)


class Body(EffectiveDated, Sourced, Revisioned):
    """A board, committee or group of a partnership, or a member organisation's own statutory board."""

    display_sql = "name"  # `display` in the API's fast list path: the SQL of str(self)

    partnership_path = "partnership"
    public_when = PUBLIC_ALWAYS
    partnership_optional = True  # statutory boards of member organisations

    class Kind(models.TextChoices):
        BOARD = "board", "Board"
        EXECUTIVE = "executive", "Executive"
        COMMITTEE = "committee", "Committee"
        SUB_COMMITTEE = "sub_committee", "Sub-committee"
        JOINT_COMMITTEE = "joint_committee", "Joint committee"
        COMMITTEES_IN_COMMON = "committees_in_common", "Committees in common"
        ADVISORY_GROUP = "advisory_group", "Advisory group"
        REFERENCE_GROUP = "reference_group", "Reference group"
        FORUM = "forum", "Forum"
        PROGRAMME_BOARD = "programme_board", "Programme board"
        DELIVERY_GROUP = "delivery_group", "Delivery group"
        WORKING_GROUP = "working_group", "Working group"
        TEAM = "team", "Team"
        STATUTORY_BOARD = "statutory_board", "Statutory board of a member organisation"
        INTEGRATED_CARE_PARTNERSHIP = "integrated_care_partnership", "Integrated care partnership"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        SHADOW = "shadow", "Shadow"
        ACTIVE = "active", "Active"
        DISSOLVED = "dissolved", "Dissolved"

    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bodies",
        help_text="Empty only for a member organisation's own statutory board.",
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bodies",
        help_text="For a statutory board: the organisation whose board it is.",
    )
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=100, blank=True)
    slug = models.SlugField(max_length=120)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    holds_delegated_authority = models.BooleanField(
        default=True,
        help_text="False where the body has no formally delegated functions (an advisory forum).",
    )
    decisions_bind_partners = models.BooleanField(
        default=False,
        help_text="False where its decisions need ratification by each partner's own board.",
    )
    description = models.TextField(blank=True)

    objects = BodyQuerySet.as_manager()

    class Meta:
        ordering = ["partnership__name", "name"]
        verbose_name_plural = "bodies"
        indexes = [GinIndex(name="body_name_trgm", fields=["name"], opclasses=["gin_trgm_ops"])]
        constraints = [
            *PERIOD_IN_ORDER,
            models.UniqueConstraint(
                fields=["partnership", "slug"],
                name="body_slug_unique_in_partnership",
                nulls_distinct=False,
                violation_error_message="A body with this slug already exists in this partnership.",
            ),
            models.CheckConstraint(
                name="body_belongs_somewhere",
                condition=Q(partnership__isnull=False) | Q(organisation__isnull=False),
                violation_error_message="A body belongs to a partnership or is an organisation's own board.",
            ),
            models.CheckConstraint(
                name="body_statutory_board_has_organisation",
                condition=~Q(kind="statutory_board") | Q(organisation__isnull=False),
                violation_error_message="A statutory board must name the organisation whose board it is.",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.status == self.Status.DISSOLVED and self.effective_to is None:
            raise ValidationError({"effective_to": "Give the date the body was dissolved."})


class BodyRelationship(EffectiveDated, Sourced, Revisioned):
    """A line on the governance structure chart: who reports to, or is held to account by, whom."""

    partnership_path = "from_body__partnership"
    public_when = PUBLIC_ALWAYS
    partnership_optional = True

    class Kind(models.TextChoices):
        REPORTS_TO = "reports_to", "Reports to"
        ACCOUNTABLE_TO = "accountable_to", "Accountable to"
        HOLDS_TO_ACCOUNT = "holds_to_account", "Holds to account"
        ADVISES = "advises", "Advises"
        ESCALATES_RISKS_TO = "escalates_risks_to", "Escalates risks to"

    from_body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="relationships_from")
    to_body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="relationships_to")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["from_body__name", "kind", "to_body__name"]
        constraints = [
            *PERIOD_IN_ORDER,
            models.CheckConstraint(
                name="body_relationship_not_to_itself",
                condition=~Q(from_body=F("to_body")),
                violation_error_message="A body cannot be related to itself.",
            ),
            no_overlap("body_relationship_no_overlap", "from_body", "to_body", "kind"),
        ]

    display_values = (
        "from_body__name",
        "kind",
        "to_body__name",
    )  # the columns str(self) reads (api/fastpath.py)

    def __str__(self):
        return f"{self.from_body} {self.get_kind_display().lower()} {self.to_body}"


class TermsOfReferenceQuerySet(RestrictedQuerySet):
    def in_force(self, on: datetime.date | None = None):
        """The approved version in force on the day (superseded versions count for their period)."""
        from core.effective_dating import today

        return self.filter(
            in_force_q(on or today()),
            status__in=[TermsOfReference.Status.APPROVED, TermsOfReference.Status.SUPERSEDED],
        )

    def review_due_before(self, on: datetime.date, before: datetime.date):
        """The approved versions in force on `on` whose next review falls due before `before`."""
        return self.in_force(on).filter(status=TermsOfReference.Status.APPROVED, next_review_due__lt=before)


class TermsOfReference(EffectiveDated, Sourced, Revisioned):
    """One version of a body's terms of reference."""

    partnership_path = "body__partnership"
    public_when = ~Q(status="draft")  # a draft is never published
    partnership_optional = True

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"
        SUPERSEDED = "superseded", "Superseded"

    class DecisionMethod(models.TextChoices):
        CONSENSUS = "consensus", "Consensus"
        SIMPLE_MAJORITY = "simple_majority", "Simple majority of those voting"
        TWO_THIRDS_MAJORITY = "two_thirds_majority", "Two-thirds majority"
        UNANIMITY = "unanimity", "Unanimity"
        NONE = "none", "Makes no decisions"

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", "Weekly"
        FORTNIGHTLY = "fortnightly", "Fortnightly"
        MONTHLY = "monthly", "Monthly"
        BIMONTHLY = "bimonthly", "Every two months"
        QUARTERLY = "quarterly", "Quarterly"
        SIX_MONTHLY = "six_monthly", "Every six months"
        ANNUALLY = "annually", "Annually"
        AS_REQUIRED = "as_required", "As required"

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="terms_of_reference")
    version = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    approved_by = models.ForeignKey(
        Body,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approved_terms_of_reference",
        help_text="The body that approved this version.",
    )
    approved_on = models.DateField(null=True, blank=True)
    purpose = models.TextField(blank=True)
    quorum_rule = models.TextField(blank=True, help_text="The quorum rule in the document's words.")
    quorum_count = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Voting members needed for a quorum, where the rule is a number.",
    )
    decision_method = models.CharField(max_length=30, choices=DecisionMethod.choices, blank=True)
    meeting_frequency = models.CharField(max_length=20, choices=Frequency.choices, blank=True)
    frequency_note = models.CharField(
        max_length=300, blank=True, help_text="Frequency and duration as published."
    )
    duration_minutes_min = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_minutes_max = models.PositiveSmallIntegerField(null=True, blank=True)
    review_interval_months = models.PositiveSmallIntegerField(null=True, blank=True)
    next_review_due = models.DateField(null=True, blank=True)

    objects = TermsOfReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["body", "version"]
        verbose_name = "terms of reference"
        verbose_name_plural = "terms of reference"
        constraints = [
            *PERIOD_IN_ORDER,
            models.UniqueConstraint(
                fields=["body", "version"],
                name="terms_of_reference_version_unique",
                violation_error_message="This body already has a version with this number.",
            ),
            models.CheckConstraint(
                name="terms_of_reference_approval_recorded",
                condition=Q(status="draft")
                | (Q(approved_on__isnull=False) & Q(effective_from__isnull=False)),
                violation_error_message="An approved version needs its approval date and the date it takes effect.",
            ),
            models.CheckConstraint(
                name="terms_of_reference_duration_in_order",
                condition=Q(duration_minutes_min__isnull=True)
                | Q(duration_minutes_max__isnull=True)
                | Q(duration_minutes_max__gte=F("duration_minutes_min")),
                violation_error_message="The longest duration cannot be shorter than the shortest.",
            ),
            models.CheckConstraint(
                name="terms_of_reference_not_approved_by_its_body",
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("body")),
                violation_error_message="A body cannot approve its own terms of reference.",
            ),
            no_overlap(
                "terms_of_reference_one_in_force",
                "body",
                condition=Q(status__in=["approved", "superseded"]),
            ),
            models.UniqueConstraint(
                fields=["body"],
                condition=Q(status="draft"),
                name="terms_of_reference_one_draft_per_body",
                violation_error_message="This body already has a draft of its terms of reference: continue that "
                "draft (or approve it) rather than starting another.",
            ),
        ]

    display_values = ("body__name", "version", "status")  # the columns str(self) reads (api/fastpath.py)

    def never_in_force(self) -> bool:
        return self.status == self.Status.DRAFT

    def __str__(self):
        return f"{self.body} terms of reference v{self.version} ({self.get_status_display().lower()})"

    @property
    def duration_display(self) -> str:
        low, high = self.duration_minutes_min, self.duration_minutes_max
        if low is None and high is None:
            return ""

        def hours(minutes: int) -> str:
            return f"{minutes / 60:g}"

        if low is None or high is None or low == high:
            value = low if low is not None else high
            return f"{hours(value)} hours" if value % 60 == 0 else f"{value} minutes"
        return f"{hours(low)}–{hours(high)} hours"


class TermsOfReferenceObjective(Revisioned):
    partnership_path = "terms_of_reference__body__partnership"
    public_when = ~Q(terms_of_reference__status="draft")
    partnership_optional = True

    terms_of_reference = models.ForeignKey(
        TermsOfReference, on_delete=models.CASCADE, related_name="objectives"
    )
    position = models.PositiveSmallIntegerField()
    heading = models.CharField(
        max_length=300, blank=True, help_text="A heading grouping this and later objectives."
    )
    text = models.TextField()

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["terms_of_reference", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["terms_of_reference", "position"], name="objective_position_unique"
            ),
        ]

    display_values = ("position", "text")  # the columns str(self) reads (api/fastpath.py)

    def __str__(self):
        return f"{self.position}. {self.text[:80]}"


class TermsOfReferenceRole(Revisioned):
    """A seat the terms of reference provide for, by role (not by person)."""

    partnership_path = "terms_of_reference__body__partnership"
    public_when = ~Q(terms_of_reference__status="draft")
    partnership_optional = True

    class Category(models.TextChoices):
        MEMBER = "member", "Member"
        ATTENDEE = "attendee", "Attendee"
        BY_INVITATION = "by_invitation", "By invitation"
        IN_ATTENDANCE = "in_attendance", "In attendance"

    terms_of_reference = models.ForeignKey(TermsOfReference, on_delete=models.CASCADE, related_name="roles")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    category = models.CharField(max_length=20, choices=Category.choices)
    voting = models.BooleanField(
        null=True, blank=True, help_text="Empty where the terms of reference do not say."
    )
    is_chair = models.BooleanField(default=False)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="terms_of_reference_roles",
    )
    note = models.TextField(blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["terms_of_reference", "position"]
        verbose_name = "membership role"
        constraints = [
            models.UniqueConstraint(fields=["terms_of_reference", "position"], name="role_position_unique"),
        ]

    display_values = ("title", "category")  # the columns str(self) reads (api/fastpath.py)

    def __str__(self):
        return f"{self.title} ({self.get_category_display().lower()})"


class Appointment(EffectiveDated, Sourced, Revisioned):
    """A person in a role on a body for a period, representing an organisation."""

    partnership_path = "body__partnership"
    public_when = PUBLIC_ALWAYS
    partnership_optional = True

    class Role(models.TextChoices):
        CHAIR = "chair", "Chair"
        VICE_CHAIR = "vice_chair", "Vice chair"
        MEMBER = "member", "Member"
        ATTENDEE = "attendee", "Attendee"
        IN_ATTENDANCE = "in_attendance", "In attendance"
        BY_INVITATION = "by_invitation", "By invitation"
        SRO = "sro", "Senior responsible officer"
        SECRETARIAT = "secretariat", "Secretariat"

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="appointments")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="appointments")
    role = models.CharField(max_length=20, choices=Role.choices)
    title = models.CharField(max_length=300, blank=True, help_text="The person's post, as published.")
    representing = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="appointments"
    )
    voting = models.BooleanField(default=True)
    deputy = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deputy_for",
        help_text="Nominated deputy, authorised to attend in the person's absence.",
    )

    class Meta:
        ordering = ["body", "role", "person__name"]
        constraints = [
            *PERIOD_IN_ORDER,
            models.CheckConstraint(
                name="appointment_deputy_is_someone_else",
                condition=Q(deputy__isnull=True) | ~Q(deputy=F("person")),
                violation_error_message="A person cannot be their own deputy.",
            ),
            no_overlap("appointment_one_chair_at_a_time", "body", condition=Q(role="chair")),
            no_overlap("appointment_no_overlapping_duplicate", "body", "person", "role"),
        ]

    display_values = ("person__name", "role", "body__name")  # the columns str(self) reads (api/fastpath.py)

    def __str__(self):
        return f"{self.person}, {self.get_role_display().lower()} of {self.body}"


class OrganisationChangeProposal(models.Model):
    """A change a secretariat asks for on an organisation shared with partnerships that are not theirs:
    a registry administrator applies it (or declines it) in the admin. Nothing changes until then."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        APPLIED = "applied", "Applied"
        DECLINED = "declined", "Declined"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="change_proposals")
    changes = models.JSONField(help_text="Field name to the value proposed (as the form cleans it).")
    reason = models.TextField(blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="organisation_proposals"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at"]

    def __str__(self):
        return f"Change to {self.organisation} ({self.get_status_display().lower()})"


# Audit every governed model with database triggers (see settings.PGHISTORY_DEFAULT_TRACKERS).
for _model in (
    Person,
    Partnership,
    PartnershipStage,
    Organisation,
    OrganisationName,
    OrganisationSuccession,
    Membership,
    Agreement,
    Signature,
    Body,
    BodyRelationship,
    TermsOfReference,
    TermsOfReferenceObjective,
    TermsOfReferenceRole,
    Appointment,
):
    pghistory.track()(_model)
    pgtrigger.register(bump_revision)(_model)

pghistory.track()(OrganisationChangeProposal)
