"""Invitations: a partnership's administrator or secretariat invites someone by email with a role.

The link is signed with the invitation's id and generation; it works once (accepting records the
account and grants the role), until `expires_at`, and only the latest one sent. The email is sent
by a worker (core.tasks.send_invitation_email, through the outbox) and links to the page that
accepts it. Accepting links the account to the registry's Person with the same email, where one
exists (a linker the domain app registers: core.registry.account_linkers).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core import outbox, registry
from core.access import security_log
from core.models import Invitation
from core.roles import grantable_roles, role_set

SALT = "core.invitation"


def invitation_link(invitation: Invitation) -> str:
    key = signing.dumps({"i": invitation.pk, "g": invitation.generation}, salt=SALT, compress=True)
    return settings.SITE_URL + reverse("invitation-accept", args=[key])


def invitation_from_key(key: str) -> Invitation | None:
    """The pending invitation the link names, if the link is its latest and still works."""
    try:
        data = signing.loads(key, salt=SALT)
    except signing.BadSignature:
        return None
    invitation = Invitation.objects.select_related("partnership").filter(pk=data.get("i")).first()
    if invitation is None or invitation.generation != data.get("g"):
        return None
    return invitation


def _expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=settings.INVITATION_DAYS)


@transaction.atomic
def invitation_create(*, email: str, partnership, role: str, name: str = "", by) -> Invitation:
    if role not in grantable_roles(by, partnership.pk):
        raise PermissionDenied("You may not invite someone with this role to this partnership.")
    email = email.strip().lower()
    if get_user_model().objects.filter(email__iexact=email, is_active=True).exists():
        raise ValidationError({"email": "Someone already has an account with this email: grant them a role."})
    if Invitation.objects.filter(
        partnership=partnership,
        email=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).exists():
        raise ValidationError({"email": "This person has been invited already: send the invitation again."})
    invitation = Invitation(
        email=email, name=name, partnership=partnership, role=role, invited_by=by, expires_at=_expiry()
    )
    invitation.full_clean()
    invitation.save()
    _send(invitation)
    security_log.info(
        "invitation_created invitation=%s partnership=%s by=%s", invitation.pk, partnership.pk, by.pk
    )
    return invitation


def _send(invitation: Invitation) -> None:
    invitation.last_sent_at = timezone.now()
    invitation.save(update_fields=["last_sent_at"])
    outbox.enqueue(
        "core.tasks.send_invitation_email", invitation_id=invitation.pk, generation=invitation.generation
    )


def _for_change(invitation: Invitation, by) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.role not in grantable_roles(by, invitation.partnership_id):
        raise PermissionDenied("You do not manage this invitation.")
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError("This invitation has been accepted or revoked.")
    return invitation


@transaction.atomic
def invitation_resend(*, invitation: Invitation, by) -> Invitation:
    """A new link (the old one stops working), valid for another INVITATION_DAYS."""
    invitation = _for_change(invitation, by)
    invitation.generation += 1
    invitation.expires_at = _expiry()
    invitation.save(update_fields=["generation", "expires_at"])
    _send(invitation)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by) -> Invitation:
    invitation = _for_change(invitation, by)
    invitation.revoked_at = timezone.now()
    invitation.revoked_by = by
    invitation.save(update_fields=["revoked_at", "revoked_by"])
    security_log.info("invitation_revoked invitation=%s by=%s", invitation.pk, by.pk)
    return invitation


def invitation_email_send(*, invitation_id: int, generation: int) -> bool:
    """Email the invitation's link (its latest generation only, once: a message delivered twice is
    sent once). Returns whether an email went."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("partnership", "invited_by")
            .filter(pk=invitation_id)
            .first()
        )
        if (
            invitation is None
            or invitation.generation != generation
            or invitation.emailed_generation >= generation
            or invitation.status != Invitation.Status.PENDING
        ):
            return False
        inviter = invitation.invited_by
        who = (inviter.get_full_name() or inviter.username) if inviter else "The registry"
        send_mail(
            subject=f"You are invited to the STP Governance Registry: {invitation.partnership}",
            message=(
                f"{who} invites you to join {invitation.partnership} in the STP Governance Registry "
                f"as {invitation.get_role_display().lower()}.\n\n"
                f"Accept the invitation and choose a password (or sign in with your NHS.net account):\n"
                f"{invitation_link(invitation)}\n\n"
                f"The link works once, until {timezone.localtime(invitation.expires_at):%-d %B %Y %H:%M}.\n"
            ),
            from_email=None,
            recipient_list=[invitation.email],
        )
        invitation.emailed_generation = generation
        invitation.email_error = ""
        invitation.save(update_fields=["emailed_generation", "email_error"])
    return True


def invitation_email_failed(*, invitation_id: int, error: str) -> None:
    Invitation.objects.filter(pk=invitation_id).update(email_error=error[:2000])


@transaction.atomic
def invitation_accept(*, invitation: Invitation, password: str | None = None, user=None, username: str = ""):
    """Accept: make the account (with `password`) or take the signed-in one (`user`), grant the
    role, link the account to its Person, and spend the invitation. Returns the account."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != Invitation.Status.PENDING:
        raise ValidationError("This invitation has been used, revoked or has expired.")
    if user is None:
        User = get_user_model()
        user = User(username=username or invitation.email, email=invitation.email)
        name = invitation.name.split(" ", 1)
        user.first_name = name[0][:150]
        user.last_name = name[1][:150] if len(name) > 1 else ""
        user.set_password(password)
        user.full_clean()
        user.save()
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    role_set(user=user, partnership=invitation.partnership, role=invitation.role, by=invitation.invited_by)
    for link in registry.account_linkers:
        link(user)
    security_log.info("invitation_accepted invitation=%s user=%s", invitation.pk, user.pk)
    return user
