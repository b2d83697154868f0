"""Access follows the partnership.

Roles are granted on a partnership as records (`core.models.PartnershipRole`: who holds which
role, from when until when, granted and ended by whom, audited): what a user may do on a
partnership follows from the roles in force now, and from nothing else (a group named like a
role grants nothing; ending a role takes effect on the next request, tokens included). Every record
that belongs to a partnership inherits its permissions through the path to its partnership
(`partnership_path` on the model); no per-row permissions are stored for child records.

Shared reference data (organisations, people, and member organisations' own statutory
boards) follows its own rule, documented in docs/decisions/0002-access-and-api.md:
- read: any signed-in user who holds a role anywhere, and any valid API token;
- create: registry administrators and secretariats;
- change: registry administrators, or a secretariat whose partnerships include every
  partnership the record is linked to (so a shared organisation stays administrators' to edit).

Restricted records (not for publication) follow one rule too, built from what the model
declares: `restricted_field`, the path to its flag ("decision__restricted" for a ratification),
and who may read it beyond the partnership's secretariat: `restricted_body_path` (members who sit
on that body) and/or `restricted_person_path` (the person themselves). Viewers, other members and
API tokens never read it; published output (exports, calendars, webhooks) never carries it.
The core knows no domain: the app that knows people and seats registers, in its `ready()`,
how an account reaches each declared path (`register_restricted_reader`).

`restrict(queryset, user, action)` is the one entry point every API view, page, admin
changelist, export and autocomplete uses; `published(queryset)` is the same rule for no reader.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Literal

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone

from core.publication import public_records

security_log = logging.getLogger("core.security")

Action = Literal["view", "view_restricted", "add", "change", "delete"]


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", "Partnership administrator"
    SECRETARIAT = "secretariat", "Secretariat"
    MEMBER = "member", "Member"
    VIEWER = "viewer", "Viewer"


# Object permissions on the partnership that each role carries.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.ADMINISTRATOR: [
        "view_partnership",
        "view_restricted_records",
        "change_partnership_records",
        "manage_roles",
        "publish_partnership",  # switch the public site on or off (core/publication.py)
    ],
    Role.SECRETARIAT: [
        "view_partnership",
        "view_restricted_records",
        "change_partnership_records",
        "manage_roles",
    ],
    Role.MEMBER: ["view_partnership", "view_restricted_records", "declare_interests"],
    Role.VIEWER: ["view_partnership"],
}

# The partnership permission each action needs.
ACTION_PERMISSION: dict[str, str] = {
    "view": "view_partnership",
    "view_restricted": "view_restricted_records",
    "add": "change_partnership_records",
    "change": "change_partnership_records",
    "delete": "change_partnership_records",
    "declare": "declare_interests",
    "manage_roles": "manage_roles",
    "publish": "publish_partnership",
}

# Who ranks above whom: nobody grants, changes or ends a role above their own.
ROLE_RANK: dict[str, int] = {Role.ADMINISTRATOR: 4, Role.SECRETARIAT: 3, Role.MEMBER: 2, Role.VIEWER: 1}

# Actions that write: a read-only token may do none of them.
WRITE_ACTIONS = {"add", "change", "delete", "declare", "manage_roles", "publish"}


def tenant_model() -> type[models.Model]:
    """The model every record's access follows (settings.REGISTRY_TENANT_MODEL, the partnership):
    the core reaches it by name, never by import, so it stays below the domain apps."""
    return apps.get_model(settings.REGISTRY_TENANT_MODEL)


def role_model() -> type[models.Model]:
    return apps.get_model("stp_governance", "PartnershipRole")


def roles_in_force(now=None) -> QuerySet:
    """The role records in force at `now` (by default, this moment)."""
    now = now or timezone.now()
    return role_model().objects.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now), starts_at__lte=now)


def role_holders(partnership_ids, role: str) -> QuerySet:
    """The role records of the active accounts holding `role` on the partnerships now."""
    return roles_in_force().filter(partnership__in=list(partnership_ids), role=role, user__is_active=True)


def grant_role(*, user, partnership, role: str, granted_by=None) -> None:
    """Give `user` the role on the partnership from now (a thin service over `core.roles.role_grant`,
    which checks that the granting user may; this one is for seeds, tests and the shell)."""
    from core.roles import role_set

    role_set(user=user, partnership=partnership, role=role, by=granted_by)
    forget_scope(user)


def grant_registry_administrator(*, user, granted_by=None) -> None:
    """Make `user` a registry administrator from now (a record; staff, to open the admin)."""
    from core.roles import registry_administrator_set

    registry_administrator_set(user=user, by=granted_by)
    forget_scope(user)


def revoke_role(*, user, partnership, role: str, revoked_by=None) -> None:
    from core.roles import role_end_now

    role_end_now(user=user, partnership=partnership, role=role, by=revoked_by)
    forget_scope(user)


def is_registry_administrator(user) -> bool:
    """Registry administrators see and change everything; never through an API token."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "api_token", None) is not None:
        return False
    return _administers(user)


def _administers(user) -> bool:
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_is_registry_administrator", None)
    if cached is None:
        now = timezone.now()
        cached = (
            apps.get_model("stp_governance", "RegistryAdministrator")
            .objects.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now), user=user, starts_at__lte=now)
            .exists()
        )
        user._is_registry_administrator = cached
    return cached


def forget_scope(user) -> None:
    for name in ("_partnership_scope", "_is_registry_administrator"):
        if hasattr(user, name):
            delattr(user, name)


def partnership_scope(user, action: str = "view") -> set[int] | None:
    """Ids of the partnerships on which `user` may do `action`; None means every partnership.

    Through an API token: what the token allows *and* what its account may do now by its own
    roles, so a token never grants more than its holder, and ending a role ends the token's use
    of it on the next request.
    """
    if not getattr(user, "is_authenticated", False):
        return set()
    token = getattr(user, "api_token", None)
    allowed = token.partnership_scope(action) if token is not None else None
    if allowed is not None and not allowed:
        return set()  # the token alone forbids it: no need to ask about the roles
    own = _role_scope(user, action)
    if allowed is None:
        return own
    if own is None:
        return allowed
    return allowed & own


def _role_scope(user, action: str) -> set[int] | None:
    """What the account's own roles allow (as if signed in), cached for the request."""
    if not user.is_active:
        return set()
    if _administers(user):
        return None
    cache = user.__dict__.setdefault("_partnership_scope", {})
    if action not in cache:
        permission = ACTION_PERMISSION.get(action, ACTION_PERMISSION["change"])
        roles = [role for role, permissions in ROLE_PERMISSIONS.items() if permission in permissions]
        cache[action] = set(
            roles_in_force().filter(user=user, role__in=roles).values_list("partnership_id", flat=True)
        )
    return cache[action]


def role_on(user, partnership_id: int) -> str | None:
    """The role `user` holds on the partnership now, if any (one query)."""
    found = roles_in_force().filter(user=user, partnership_id=partnership_id).values_list("role", flat=True)
    return next(iter(found), None)


def token_may_read(token, partnership_id: int) -> bool:
    """Whether `token`, as its account stands now, may read the partnership's records (webhooks)."""
    user = token.user
    user.api_token = token
    scope = partnership_scope(user, "view")
    return scope is None or partnership_id in scope


def holds_any_role(user) -> bool:
    scope = partnership_scope(user, "view")
    return scope is None or bool(scope)


def restrict(queryset: QuerySet, user, action: str = "view") -> QuerySet:
    """The rows of `queryset` that `user` may `action`.

    Models say how they reach their partnership with `partnership_path` ("" for the
    partnership itself); shared reference data declares `shared_reference_data = True` and
    `partnership_links`, the paths to every partnership it is linked to.
    """
    if not getattr(user, "is_authenticated", False):
        # Without an account: the public records (core/publication.py), to read, nothing to write.
        return public_records(queryset) if action == "view" else queryset.none()
    model = queryset.model
    if getattr(model, "shared_reference_data", False):
        return _restrict_shared(queryset, user, action)
    path = getattr(model, "partnership_path", None)
    if path is None:
        raise TypeError(f"{model.__name__} declares no partnership_path: it cannot be restricted")
    scope = partnership_scope(user, action)
    if scope is not None:
        lookup = f"{path}__in" if path else "pk__in"
        condition = Q(**{lookup: scope})
        # Member organisations' own statutory boards belong to no partnership: reference data.
        optional = getattr(model, "partnership_optional", False)
        if optional and action in ("view", "view_restricted") and holds_any_role(user):
            condition |= Q(**{f"{path}__isnull": True})
        queryset = queryset.filter(condition)
    return _hide_restricted(queryset, user)


# -- restricted records -----------------------------------------------------------------------
# Declaration name (`restricted_body_path`, `restricted_person_path`) -> a function giving, for a
# signed-in account, what that path must match for the account to read the record (an id or a
# subquery of ids), or None. Filled by the domain app that knows people and seats.
RESTRICTED_READERS: dict[str, Callable[[Any], Any]] = {}


def register_restricted_reader(declaration: str, reader: Callable[[Any], Any]) -> None:
    RESTRICTED_READERS[declaration] = reader


def _reader_user(user):
    """The account whose own rights count: none for API tokens or anonymous requests."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "api_token", None) is not None:
        return None
    return user


def _hide_restricted(queryset: QuerySet, user) -> QuerySet:
    """Drop the restricted rows (as the model declares them) that `user` may not read."""
    model = queryset.model
    field = getattr(model, "restricted_field", None)
    if field is None:
        return queryset
    readable = partnership_scope(user, "view_restricted") if user is not None else set()
    if readable is None:
        return queryset
    path = model.partnership_path
    partnership = f"{path}__in" if path else "pk__in"
    # `~Q(flag=True)` keeps rows whose flag is reached through an empty foreign key (not restricted).
    visible = ~Q(**{field: True})
    secretariat = (partnership_scope(user, "change") or set()) & readable
    if secretariat:
        visible |= Q(**{partnership: secretariat})
    members_of = readable - secretariat
    account = _reader_user(user) if members_of else None
    if account is not None:
        for declaration, reader in RESTRICTED_READERS.items():
            reader_path = getattr(model, declaration, None)
            value = reader(account) if reader_path else None
            if value is not None:
                lookup = f"{reader_path}__in" if isinstance(value, QuerySet) else reader_path
                visible |= Q(**{partnership: members_of}) & Q(**{lookup: value})
    return queryset.filter(visible)


def published(queryset: QuerySet) -> QuerySet:
    """The rows anyone may read: restricted ones (as the model declares them) left out."""
    return _hide_restricted(queryset, None)


def is_published(instance: models.Model) -> bool:
    """Whether a saved record may go out to anyone (a webhook, a calendar), read from its declaration
    through the loaded instance: no query when its related records are already loaded."""
    field = getattr(type(instance), "restricted_field", None)
    value = instance
    for part in (field or "").split("__") if field else ():
        value = getattr(value, part, None)
        if value is None:
            return True
    return value is not True


def _restrict_shared(queryset: QuerySet, user, action: str) -> QuerySet:
    if action in ("view", "view_restricted"):
        return queryset if holds_any_role(user) else queryset.none()
    if is_registry_administrator(user):
        return queryset
    editable = partnership_scope(user, "change")
    if not editable:
        return queryset.none()
    if action == "delete":
        return queryset.none()
    foreign = tenant_model().objects.exclude(pk__in=editable)
    for link in queryset.model.partnership_links:
        queryset = queryset.exclude(**{f"{link}__in": foreign})
    return queryset


def partnership_id_of(record: models.Model) -> int | None:
    """The id of the partnership a saved record belongs to, along the path its model declares
    (`partnership_path`); None for one that belongs to none (shared reference data)."""
    path = getattr(type(record), "partnership_path", None)
    if path is None:
        return None
    if path == "":
        return record.pk
    *through, last = path.split("__")
    for name in through:
        record = getattr(record, name, None)
        if record is None:
            return None
    return getattr(record, f"{last}_id", None)


def can(user, action: str, instance: models.Model) -> bool:
    """Whether `user` may `action` this saved instance (one query)."""
    return restrict(type(instance)._default_manager.filter(pk=instance.pk), user, action).exists()


def may_change_partnership(user, partnership_id: int) -> bool:
    """Whether `user` may change the partnership's records (no query for administrators)."""
    scope = partnership_scope(user, "change")
    return scope is None or partnership_id in scope


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> QuerySet:
        return restrict(self, user, action)
