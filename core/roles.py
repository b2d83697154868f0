"""Granting, changing and ending partnership roles (the records core.access reads).

Who may: a registry administrator, anywhere; a partnership's administrator or secretariat, on
their own partnership only, and never a role above their own (nor change or end the role of
someone above them). Every change is a record (who, when, by whom) and in the audit history.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from core.access import (
    ROLE_RANK,
    Role,
    forget_scope,
    is_registry_administrator,
    role_model,
    role_on,
    roles_in_force,
    security_log,
)


def grantable_roles(by, partnership_id: int) -> list[str]:
    """The roles `by` may grant, change or end on the partnership (highest first): none but for
    registry administrators and the partnership's own administrators and secretariat."""
    if is_registry_administrator(by):
        return list(Role.values)
    own = role_on(by, partnership_id)
    if own not in (Role.ADMINISTRATOR, Role.SECRETARIAT):
        return []
    return [role for role in Role.values if ROLE_RANK[role] <= ROLE_RANK[own]]


def _check_may(by, partnership_id: int, *roles: str | None) -> None:
    if by is None:
        return  # seeds, tests, the shell and the first administrator's command
    allowed = grantable_roles(by, partnership_id)
    if not allowed:
        raise PermissionDenied("You do not manage the roles of this partnership.")
    for role in roles:
        if role is not None and role not in allowed:
            raise PermissionDenied("Nobody grants, changes or ends a role above their own.")


def role_set(*, user, partnership, role: str, by=None, ends_at=None):
    """Give `user` `role` on the partnership from now (until `ends_at`, if given): the role they hold
    there now (if another) ends at this moment. Returns the record in force."""
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}."})
    now = timezone.now()
    if ends_at is not None and ends_at <= now:
        raise ValidationError({"ends_at": "A role ends after it starts: choose a later day."})
    try:
        with transaction.atomic():
            current = _current_for_update(user, partnership.pk)
            _check_may(by, partnership.pk, role, current.role if current else None)
            if current is not None and current.role == role and current.ends_at == ends_at:
                return current
            if current is not None:
                _end(current, now, by)
            record = role_model().objects.create(
                user=user, partnership=partnership, role=role, starts_at=now, ends_at=ends_at, granted_by=by
            )
    except IntegrityError:
        raise ValidationError(
            "This person already holds a role on this partnership later on: change that one in the admin."
        ) from None
    forget_scope(user)
    security_log.info(
        "role_granted user=%s partnership=%s role=%s by=%s",
        user.pk,
        partnership.pk,
        role,
        getattr(by, "pk", None),
    )
    return record


def role_end_now(*, user, partnership, role: str | None = None, by=None) -> bool:
    """End the role `user` holds on the partnership now (only if it is `role`, when given)."""
    with transaction.atomic():
        current = _current_for_update(user, partnership.pk)
        if current is None or (role is not None and current.role != role):
            return False
        _check_may(by, partnership.pk, current.role)
        if by is not None and by.pk == user.pk and not is_registry_administrator(by):
            raise PermissionDenied("Ask another administrator to end your own role.")
        _end(current, timezone.now(), by)
    forget_scope(user)
    security_log.info(
        "role_ended user=%s partnership=%s role=%s by=%s",
        user.pk,
        partnership.pk,
        current.role,
        getattr(by, "pk", None),
    )
    return True


def registry_administrator_set(*, user, by=None):
    """Make `user` a registry administrator from now (only a registry administrator may, or the
    shell); idempotent. The account becomes staff, to open the admin."""
    from core.models import RegistryAdministrator

    if by is not None and not is_registry_administrator(by):
        raise PermissionDenied("Only a registry administrator makes another.")
    now = timezone.now()
    with transaction.atomic():
        current = (
            RegistryAdministrator.objects.select_for_update()
            .filter(user=user, starts_at__lte=now)
            .exclude(ends_at__lte=now)
            .first()
        )
        if current is None:
            current = RegistryAdministrator.objects.create(user=user, starts_at=now, granted_by=by)
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
    forget_scope(user)
    security_log.info("registry_administrator_granted user=%s by=%s", user.pk, getattr(by, "pk", None))
    return current


def _current_for_update(user, partnership_id: int):
    return roles_in_force().select_for_update().filter(user=user, partnership_id=partnership_id).first()


def _end(record, now, by) -> None:
    record.ends_at = now
    record.ended_by = by
    record.save(update_fields=["ends_at", "ended_by"])


def roles_of_partnership(partnership_id: int):
    """The roles in force on the partnership, with their holders (one query)."""
    return (
        roles_in_force()
        .filter(partnership_id=partnership_id)
        .select_related("user", "granted_by")
        .order_by("user__last_name", "user__first_name", "user__username")
    )


def administrators() -> Q:
    """Registry administrators, as a condition on users: superusers and holders of a record in force."""
    from core.models import RegistryAdministrator

    now = timezone.now()
    holding = RegistryAdministrator.objects.filter(user=OuterRef("pk"), starts_at__lte=now).exclude(
        ends_at__lte=now
    )
    return Q(is_superuser=True) | Q(Exists(holding))
