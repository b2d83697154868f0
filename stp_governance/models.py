"""Platform records (not domain models): API tokens for other systems."""

import datetime
import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from stp_governance.access import WRITE_ACTIONS


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
        "bodies.Partnership",
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

    def partnership_scope(self, action: str) -> set[int] | None:
        if not self.is_usable() or action == "view_restricted":
            return set()
        if action in WRITE_ACTIONS and self.read_only:
            return set()
        if self.partnership_id is None:
            return None
        return {self.partnership_id}
