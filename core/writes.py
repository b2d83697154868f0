"""One guarded write for the API, the staff pages and the admin.

Every change to a governed record goes through `guarded_write`, whichever front-end asks:
1. in one transaction, the row is locked and its revision compared with the one the user opened
   (the API's If-Match, the pages' and the admin's hidden `expected_revision`): someone else's
   change in between raises `StaleRecord` and nothing is written;
2. the front-end's own write runs (a form's or serializer's save, or a service function);
3. the saved record is checked to be still inside what the user may change (a write must not move
   a record into a partnership the user cannot edit): otherwise `OutsideScope`, rolled back.
The audit context (who, which request) is set for the whole request by
`core.middleware.RequestHistoryMiddleware`, so the history triggers record every row written here.
Each front-end only translates the two refusals: the API to 412 / 400, pages to the conflict page
(409) / 403, the admin to a refusal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import Http404

from core import access
from core.access import security_log

# The revision a client may give when it means "whatever is saved now" (If-Match: *).
ANY_REVISION = object()


class StaleRecord(Exception):
    """Someone else saved the record after the user opened it."""

    def __init__(self, current: models.Model, note: str = ""):
        super().__init__(f"{current._meta.label} {current.pk} changed")
        self.current = current
        self.note = note


class OutsideScope(PermissionDenied):
    """The write would leave the record outside the partnerships the user may change."""

    message = "This change would put the record outside the partnerships you may edit."

    def __init__(self):
        super().__init__(self.message)


def lock_at_revision(instance: models.Model, expected: Any) -> models.Model:
    """Lock the row (inside a transaction) and return it as saved now.

    Raises StaleRecord when its revision is not `expected` (None: the user sent none, which is
    stale too; ANY_REVISION: any revision will do).
    """
    current = type(instance)._default_manager.select_for_update().order_by().filter(pk=instance.pk).first()
    if current is None:
        raise Http404("Not found.")
    if expected is not ANY_REVISION and (expected is None or current.revision != expected):
        raise StaleRecord(current)
    return current


def rows_changed_since(model: type[models.Model], opened: dict[int, int | None]) -> list[int]:
    """Lock several rows of one model (the parts a form lists: objectives, attendance) and return
    those no longer at the revision the user opened them at, or removed since. A row opened
    without a revision is not checked."""
    current = dict(
        model._default_manager.select_for_update()
        .order_by("pk")
        .filter(pk__in=list(opened))
        .values_list("pk", "revision")
    )
    return [pk for pk, revision in opened.items() if revision is not None and current.get(pk) != revision]


def guarded_write(
    *,
    user,
    write: Callable[[], models.Model | None],
    record: models.Model | None = None,
    expected_revision: Any = None,
    action: str = "change",
) -> models.Model | None:
    """Run `write` under the guard; returns what it returned (the record saved, or None).

    `record`: the existing record the write changes (None when creating). `action`: what the
    saved record must still allow the user ("add" for a new one).
    """
    with transaction.atomic():
        if record is not None and record.pk is not None:
            lock_at_revision(record, expected_revision)
        saved = write()
        if isinstance(saved, models.Model) and saved.pk is not None:
            ensure_within_scope(user=user, record=saved, action=action)
    return saved


def ensure_within_scope(*, user, record: models.Model, action: str = "change") -> None:
    """After a write, in its transaction: is the record still one the user may `action`? A write
    must not move a record into a partnership the user cannot edit (raises OutsideScope, and the
    transaction is rolled back by the caller's atomic block)."""
    if not access.can(user, action, record):
        security_log.warning(
            "write_refused user=%s model=%s pk=%s reason=outside_scope",
            getattr(user, "pk", None),
            record._meta.label,
            record.pk,
        )
        raise OutsideScope()
