"""Platform records (not domain models): accounts' roles, invitations, sessions and security policy;
API tokens for other systems, and the records of background work: the outbox, notifications,
exports, check runs and webhook deliveries."""

import datetime
import hashlib

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateTimeRangeField, RangeOperators
from django.db import models
from django.db.models import F, Func, Q, Value
from django.utils import timezone

from core.access import WRITE_ACTIONS, RestrictedQuerySet, Role
from core.concurrency import Revisioned, bump_revision
from core.leases import Leased


class TimeRange(Func):
    """`tstzrange(starts_at, ends_at, '[)')`: a role's period, open at the end."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class PartnershipRole(models.Model):
    """A role an account holds on a partnership, from `starts_at` until `ends_at` (empty: until
    ended). The only source of what the account may do there (core.access). Changing a role ends
    the record and starts another, so the history keeps each role with who granted and ended it."""

    partnership_path = "partnership"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="partnership_roles"
    )
    partnership = models.ForeignKey(
        settings.REGISTRY_TENANT_MODEL, on_delete=models.PROTECT, related_name="account_roles"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(null=True, blank=True, help_text="Empty: until it is ended.")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["partnership", "user", "-starts_at", "-id"]
        verbose_name = "partnership role"
        constraints = [
            models.CheckConstraint(
                name="partnership_role_ends_after_it_starts",
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                violation_error_message="A role ends after it starts.",
            ),
            ExclusionConstraint(
                name="partnership_role_one_at_a_time",
                expressions=[
                    (F("user"), RangeOperators.EQUAL),
                    (F("partnership"), RangeOperators.EQUAL),
                    (TimeRange("starts_at", "ends_at", Value("[)")), RangeOperators.OVERLAPS),
                ],
                violation_error_message="This person already holds a role on this partnership then.",
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()} of {self.partnership_id} ({self.user_id})"

    def in_force(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.starts_at <= now and (self.ends_at is None or self.ends_at > now)


class RegistryAdministrator(models.Model):
    """A registry administrator (everything, everywhere), as a record like a partnership role: from
    `starts_at` until `ends_at`, granted and ended by whom, audited. With Django's superuser flag,
    the only source of the registry administrator's rights (core.access); no group grants them."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="registry_administrator_periods"
    )
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(null=True, blank=True, help_text="Empty: until it is ended.")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["user", "-starts_at", "-id"]
        verbose_name = "registry administrator role"
        constraints = [
            models.CheckConstraint(
                name="registry_administrator_ends_after_it_starts",
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                violation_error_message="A role ends after it starts.",
            ),
            ExclusionConstraint(
                name="registry_administrator_one_at_a_time",
                expressions=[
                    (F("user"), RangeOperators.EQUAL),
                    (TimeRange("starts_at", "ends_at", Value("[)")), RangeOperators.OVERLAPS),
                ],
                violation_error_message="This person is a registry administrator then already.",
            ),
        ]

    def __str__(self):
        return f"Registry administrator ({self.user_id})"


class PartnershipSecurity(models.Model):
    """A partnership's own security policy: whether its secretariat and administrators must use
    two-factor authentication (registry administrators always must)."""

    partnership = models.OneToOneField(
        settings.REGISTRY_TENANT_MODEL, on_delete=models.CASCADE, related_name="security"
    )
    staff_two_factor = models.BooleanField(
        default=False,
        verbose_name="Secretariat must use two-factor authentication",
        help_text="Its administrators and secretariat sign in with a code from an authenticator app too.",
    )

    class Meta:
        verbose_name = "security policy"
        verbose_name_plural = "security policy"

    def __str__(self):
        return f"Security policy of {self.partnership_id}"


class Invitation(models.Model):
    """An invitation to join a partnership with a role: a single-use link, expiring, sent by email.

    The link is signed (core.invitations), naming the invitation and its `generation`: re-sending
    starts a new generation, so only the latest link works; nothing secret is stored."""

    partnership_path = "partnership"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Revoked"
        EXPIRED = "expired", "Expired"

    email = models.EmailField()
    name = models.CharField(max_length=200, blank=True)
    partnership = models.ForeignKey(
        settings.REGISTRY_TENANT_MODEL, on_delete=models.PROTECT, related_name="invitations"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    generation = models.PositiveSmallIntegerField(default=1, help_text="How many times it has been sent.")
    emailed_generation = models.PositiveSmallIntegerField(default=0)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    email_error = models.TextField(blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="invitation_accepted_or_revoked_not_both",
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.email} as {self.get_role_display()}"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING

    def get_status_display(self) -> str:
        return self.Status(self.status).label


class AccountSession(models.Model):
    """A signed-in session of an account, listed on its sessions page: ended there, or all at once
    when the account is deactivated."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    user_agent = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    method = models.CharField(max_length=20, blank=True, help_text="Password or single sign-on.")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Session of {self.user_id} since {self.created_at:%Y-%m-%d %H:%M}"


for _model in (PartnershipRole, RegistryAdministrator, PartnershipSecurity, Invitation):
    pghistory.track()(_model)


def hash_token_key(raw_key: str) -> str:
    # Keys are 256-bit random strings, so a fast hash is as safe as a slow one here.
    return hashlib.sha256(raw_key.encode()).hexdigest()


class ApiToken(models.Model):
    """A credential for another system: bound to one partnership (or national and read-only).

    Only the SHA-256 of the key is stored; the key itself is shown once, when issued.
    """

    name = models.CharField(max_length=200, help_text="Which system uses it, for whom.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_tokens",
        help_text="The account the system's changes are recorded against in the history.",
    )
    partnership = models.ForeignKey(
        settings.REGISTRY_TENANT_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="api_tokens",
        help_text="Empty: a national, read-only token.",
    )
    read_only = models.BooleanField(default=True)
    key_prefix = models.CharField(
        max_length=12, editable=False, help_text="The key's first characters, to recognise it."
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"
        constraints = [
            models.CheckConstraint(
                name="api_token_national_tokens_are_read_only",
                condition=Q(partnership__isnull=False) | Q(read_only=True),
                violation_error_message="A national token (no partnership) must be read-only.",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.key_prefix}…)"

    def is_usable(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now

    @staticmethod
    def usable_condition(prefix: str = "", now: datetime.datetime | None = None) -> Q:
        """`is_usable` as a query condition, on the token at `prefix` (e.g. "token__")."""
        return Q(**{f"{prefix}revoked_at__isnull": True, f"{prefix}expires_at__gt": now or timezone.now()})

    def partnership_scope(self, action: str) -> set[int] | None:
        """What the token itself allows (None: every partnership). Never used alone:
        `access.partnership_scope` narrows it to what the token's account may do now."""
        if not self.is_usable() or action == "view_restricted":
            return set()
        if action in WRITE_ACTIONS and self.read_only:
            return set()
        if self.partnership_id is None:
            return None
        return {self.partnership_id}


# -- background work: the outbox, notifications, exports, check runs, webhooks -------------------
class OutboxMessage(models.Model):
    """A task to send to the broker, written in the same transaction as the change that causes it.

    The dispatcher (`core.outbox.dispatch`) publishes undispatched rows after commit and
    every few seconds from beat, so nothing is lost while the broker is down.
    """

    task = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["id"], name="outbox_undispatched", condition=Q(dispatched_at__isnull=True)),
        ]

    def __str__(self):
        return f"{self.task} #{self.pk}"


class Notification(models.Model):
    """A reminder or message for one recipient: listed in the app and sent by email.

    One per recipient, subject and day (a database constraint), so a job that runs twice on the
    same day never sends the same reminder twice.
    """

    partnership_path = "partnership"

    recipient = models.CharField(
        max_length=254, help_text="The email address (lower case), or user:<id> for a user without one."
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    partnership = models.ForeignKey(
        settings.REGISTRY_TENANT_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    subject_key = models.CharField(max_length=200, help_text="What it is about, e.g. tor-review:12.")
    day = models.DateField()
    subject = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_error = models.TextField(blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-day", "subject_key", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "subject_key", "day"], name="notification_once_per_recipient_subject_day"
            ),
        ]
        indexes = [models.Index(fields=["user", "-day"], name="notification_user_day")]

    def __str__(self):
        return f"{self.recipient}: {self.subject}"


class Export(Revisioned, Leased):
    """A file made on request in the background: registers, Popolo JSON or the governance handbook.

    Leased (core/leases.py): the worker making it renews the lease with each progress
    report, so an export whose worker died is made again, or failed with the reason."""

    partnership_path = "partnership"
    job_task = "composition.tasks.run_export"
    job_id_kwarg = "export_id"

    class Kind(models.TextChoices):
        REGISTERS_CSV = "registers_csv", "Registers (CSV files in a zip)"
        REGISTERS_XLSX = "registers_xlsx", "Registers (Excel workbook)"
        POPOLO_JSON = "popolo_json", "People and bodies (Popolo JSON)"
        HANDBOOK_PDF = "handbook_pdf", "Governance handbook (PDF)"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    partnership = models.ForeignKey(
        settings.REGISTRY_TENANT_MODEL, on_delete=models.CASCADE, related_name="exports"
    )
    as_at = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent done.")
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="exports"
    )
    requested_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="export_progress_is_a_percentage", condition=Q(progress__gte=0, progress__lte=100)
            ),
            models.CheckConstraint(
                name="export_done_has_file",
                condition=~Q(status="done") | ~Q(file=""),
            ),
        ]
        indexes = [
            models.Index(
                fields=["lease_expires_at"],
                name="export_unfinished_lease",
                condition=Q(status__in=["queued", "running"]),
            ),
        ]

    display_values = ("kind", "partnership_id", "as_at")  # the columns str(self) reads (api/fastpath.py)

    def __str__(self):
        return f"{self.get_kind_display()}, {self.partnership_id} as at {self.as_at}"

    @classmethod
    def job_max_attempts(cls) -> int:
        return settings.EXPORT_MAX_ATTEMPTS

    @classmethod
    def job_unfinished(cls) -> Q:
        return Q(status__in=[cls.Status.QUEUED, cls.Status.RUNNING])

    def job_requeued(self, reason: str) -> dict:
        return {"status": self.Status.QUEUED, "progress": 0, "error": reason[:2000]}

    def job_failed(self, reason: str) -> dict:
        return {"status": self.Status.FAILED, "error": reason[:2000], "finished_at": timezone.now()}


class CheckRun(models.Model):
    """The scheme checks and data-quality checks of one partnership, run nightly (one run per day)."""

    partnership_path = "partnership"

    partnership = models.ForeignKey(
        settings.REGISTRY_TENANT_MODEL, on_delete=models.CASCADE, related_name="check_runs"
    )
    on = models.DateField(help_text="The day the scheme was checked as at.")
    finished_at = models.DateTimeField(default=timezone.now)
    scheme_defects = models.JSONField(default=list, blank=True)
    data_quality = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["partnership", "-on"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "on"], name="check_run_once_per_partnership_day"),
        ]
        indexes = [models.Index(fields=["partnership", "-finished_at"], name="check_run_latest")]

    def __str__(self):
        return f"Checks of {self.partnership_id} on {self.on}"


class WebhookEndpoint(models.Model):
    """Where an API client wants events POSTed, and the secret they are signed with."""

    partnership_path = "token__partnership"

    token = models.OneToOneField(ApiToken, on_delete=models.CASCADE, related_name="webhook")
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=100, help_text="Signs each delivery (HMAC-SHA256).")
    events = ArrayField(
        models.CharField(max_length=50), default=list, blank=True, help_text="Empty: every event."
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["token__name"]

    def __str__(self):
        return f"{self.token.name} → {self.url}"


class WebhookDelivery(Leased):
    """One event for one endpoint, and every attempt to deliver it (the delivery log).

    Leased (core/leases.py) while pending: until its next attempt is due, plus the lease.
    An attempt holds the row's lock instead of a heartbeat (it is one short POST), so only a pending
    delivery whose message or retry countdown was lost with its worker is swept and sent again."""

    partnership_path = "endpoint__token__partnership"
    job_task = "core.tasks.deliver_webhook"
    job_id_kwarg = "delivery_id"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed (gave up)"

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField()
    event_type = models.CharField(max_length=50)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    log = models.JSONField(default=list, blank=True, help_text="Each attempt: when, status code, error.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_delivery_once_per_event"),
        ]
        indexes = [
            models.Index(
                fields=["lease_expires_at"],
                name="webhook_delivery_pending_lease",
                condition=Q(status="pending"),
            ),
        ]

    def __str__(self):
        return f"{self.event_type} to {self.endpoint_id}: {self.status}"

    @classmethod
    def job_max_attempts(cls) -> int:
        return settings.WEBHOOK_MAX_ATTEMPTS

    @classmethod
    def job_unfinished(cls) -> Q:
        return Q(status=cls.Status.PENDING)

    def job_requeued(self, reason: str) -> dict:
        return {}  # still pending; its log keeps the attempts' own errors

    def job_failed(self, reason: str) -> dict:
        return {"status": self.Status.FAILED, "last_error": reason[:2000]}


pgtrigger.register(bump_revision)(Export)
