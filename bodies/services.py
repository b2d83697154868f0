"""Workflows of the registry: each is atomic and called alike by admin, API and pages."""

import datetime
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from bodies.models import (
    Appointment,
    Body,
    Membership,
    Person,
    TermsOfReference,
    TermsOfReferenceObjective,
    TermsOfReferenceRole,
)
from core import webhooks


@transaction.atomic
def terms_of_reference_approve(
    *,
    terms_of_reference: TermsOfReference,
    approved_on: datetime.date,
    effective_from: datetime.date | None = None,
    approved_by: Body | None = None,
) -> TermsOfReference:
    """Approve a draft and supersede the version it replaces, in one transaction.

    The body row is locked so two approvals of the same body cannot both succeed; the
    database's exclusion constraint is the last line of defence.
    """
    Body.objects.select_for_update().order_by().get(pk=terms_of_reference.body_id)
    terms = TermsOfReference.objects.select_for_update().order_by().get(pk=terms_of_reference.pk)
    if terms.status != TermsOfReference.Status.DRAFT:
        raise ValidationError(
            {"status": f"Only a draft can be approved; this version is {terms.get_status_display().lower()}."}
        )
    effective_from = effective_from or approved_on
    if effective_from < approved_on:
        raise ValidationError({"effective_from": "A version cannot take effect before it is approved."})

    previous = list(
        TermsOfReference.objects.select_for_update()
        .order_by("version")
        .filter(body_id=terms.body_id, status=TermsOfReference.Status.APPROVED)
        .exclude(pk=terms.pk)
    )
    for version in previous:
        if version.effective_from and version.effective_from >= effective_from:
            raise ValidationError(
                {
                    "effective_from": f"Version {version.version} is in force from {version.effective_from:%-d %B %Y}; "
                    "a new version must take effect after it."
                }
            )
        if version.effective_to is None or version.effective_to >= effective_from:
            version.effective_to = effective_from - datetime.timedelta(days=1)
        version.status = TermsOfReference.Status.SUPERSEDED
        version.save(update_fields=["status", "effective_to"])

    terms.status = TermsOfReference.Status.APPROVED
    terms.approved_on = approved_on
    terms.approved_by = approved_by
    terms.effective_from = effective_from
    if terms.review_interval_months and not terms.next_review_due:
        terms.next_review_due = effective_from + relativedelta(months=terms.review_interval_months)
    terms.full_clean()
    terms.save()
    webhooks.record_event(event_type=webhooks.TERMS_OF_REFERENCE_APPROVED, record=terms)
    return terms


def terms_of_reference_next_version_number(*, body: Body) -> int:
    """The number a new version of the body's terms of reference takes (call with the body locked)."""
    return (body.terms_of_reference.aggregate(Max("version"))["version__max"] or 0) + 1


def terms_of_reference_refuse_second_draft(*, body: Body) -> None:
    """Refuse a new draft while the body has one (call with the body locked).

    Two drafts would be two rival revisions of the same document, and approving one would leave
    the other a copy of a superseded text. The database's partial unique constraint
    (`terms_of_reference_one_draft_per_body`) is the last line of defence; this says which draft.
    """
    draft = body.terms_of_reference.filter(status=TermsOfReference.Status.DRAFT).order_by("version").first()
    if draft is not None:
        raise ValidationError(
            f"{body.name} already has a draft of its terms of reference (version {draft.version}): continue "
            "that draft, or approve it, before starting another.",
            code="second_draft",
        )


@transaction.atomic
def terms_of_reference_new_version(
    *, body: Body, based_on: TermsOfReference | None = None
) -> TermsOfReference:
    """Start a draft as a copy of an earlier version, so a revision keeps what is unchanged.
    Refused while the body has a draft already (one revision at a time)."""
    Body.objects.select_for_update().order_by().get(pk=body.pk)
    terms_of_reference_refuse_second_draft(body=body)
    number = terms_of_reference_next_version_number(body=body)
    draft = TermsOfReference(body=body, version=number, status=TermsOfReference.Status.DRAFT)
    if based_on is not None:
        if based_on.body_id != body.pk:
            raise ValidationError("A new version can only be based on a version of the same body.")
        for name in (
            "purpose", "quorum_rule", "quorum_count", "decision_method", "meeting_frequency", "frequency_note",
            "duration_minutes_min", "duration_minutes_max", "review_interval_months",
        ):  # fmt: skip
            setattr(draft, name, getattr(based_on, name))
    draft.full_clean()
    draft.save()
    if based_on is not None:
        for objective in based_on.objectives.all():
            objective.pk = None
            objective.terms_of_reference = draft
            objective.save()
        for role in based_on.roles.all():
            role.pk = None
            role.terms_of_reference = draft
            role.save()
    return draft


# Fields of a draft that its editor may change (status, approval and period move only by approval).
DRAFT_FIELDS = (
    "purpose", "quorum_rule", "quorum_count", "decision_method", "meeting_frequency", "frequency_note",
    "duration_minutes_min", "duration_minutes_max", "review_interval_months", "next_review_due",
    "source_document", "source_reference", "source_url",
)  # fmt: skip


@transaction.atomic
def terms_of_reference_draft_update(*, terms_of_reference: TermsOfReference, **changes) -> TermsOfReference:
    """Change a draft. Approved and superseded versions are the record of what applied: a change
    to them is a new version (`terms_of_reference_new_version`), approved in its turn."""
    terms = terms_of_reference_lock_draft(terms_of_reference)
    unknown = set(changes) - set(DRAFT_FIELDS)
    if unknown:
        raise ValidationError(f"These cannot be changed on a draft: {', '.join(sorted(unknown))}.")
    for name, value in changes.items():
        setattr(terms, name, value)
    terms.full_clean()
    terms.save()
    return terms


def _period_end(
    record: Membership | Appointment, ended_on: datetime.date, what: str, also: tuple[str, ...] = ()
):
    """Close an effective-dated record on its last day; it stays in the registry, as history."""
    if ended_on is None:
        raise ValidationError({"effective_to": f"Give the last day of the {what}."})
    if record.effective_from and ended_on < record.effective_from:
        raise ValidationError(
            {
                "effective_to": f"The {what} began on {record.effective_from:%-d %B %Y}; "
                "it cannot end before that."
            }
        )
    record.effective_to = ended_on
    record.full_clean()
    record.save(update_fields=["effective_to", *also])
    return record


@transaction.atomic
def membership_end(*, membership: Membership, ended_on: datetime.date, withdrawn: bool = False) -> Membership:
    """End an organisation's membership on its last day (never deleted: the partnership as it stood
    stays answerable). `withdrawn` records that the organisation withdrew rather than the term ending."""
    membership = Membership.objects.select_for_update().order_by().get(pk=membership.pk)
    if withdrawn:
        membership.status = Membership.Status.WITHDRAWN
    return _period_end(membership, ended_on, "membership", also=("status",) if withdrawn else ())


@transaction.atomic
def appointment_end(*, appointment: Appointment, ended_on: datetime.date) -> Appointment:
    """End an appointment on its last day; the person stays on record as having held the seat."""
    appointment = Appointment.objects.select_for_update().order_by().get(pk=appointment.pk)
    return _period_end(appointment, ended_on, "appointment")


@dataclass
class DraftPartChanges:
    """Changes to a draft's objectives or its roles: rows to add or change (new rows are added
    after the others, in the order given) and rows to remove."""

    save: list[TermsOfReferenceObjective | TermsOfReferenceRole] = field(default_factory=list)
    remove: list[TermsOfReferenceObjective | TermsOfReferenceRole] = field(default_factory=list)


@transaction.atomic
def terms_of_reference_lock_draft(terms_of_reference: TermsOfReference) -> TermsOfReference:
    """The draft, locked while its parts change; an approved or superseded version is refused.

    Its objectives and roles are part of the record of what applied, as its text is: whichever
    interface changes them (pages, API), they change only on a draft.
    """
    terms = TermsOfReference.objects.select_for_update().order_by().get(pk=terms_of_reference.pk)
    if terms.status != TermsOfReference.Status.DRAFT:
        raise ValidationError(
            f"Version {terms.version} is {terms.get_status_display().lower()}: start a new version to change it."
        )
    return terms


@transaction.atomic
def terms_of_reference_draft_parts_update(
    *,
    terms_of_reference: TermsOfReference,
    objectives: DraftPartChanges | None = None,
    roles: DraftPartChanges | None = None,
) -> TermsOfReference:
    """Add, change and remove a draft's objectives and the roles it provides for.

    Only a draft changes (an approved version is the record of what applied). Positions follow
    the order, numbered from 1 again after a removal, so the document reads without gaps.
    """
    terms = terms_of_reference_lock_draft(terms_of_reference)
    for model, changes in ((TermsOfReferenceObjective, objectives), (TermsOfReferenceRole, roles)):
        if changes is not None:
            _draft_parts_apply(terms, model, changes)
    return terms


def _draft_parts_apply(terms: TermsOfReference, model, changes: DraftPartChanges) -> None:
    for part in [*changes.save, *changes.remove]:
        if part.pk is not None and part.terms_of_reference_id != terms.pk:
            raise ValidationError("An objective or role of another version cannot be changed here.")
    removed = {part.pk for part in changes.remove if part.pk is not None}
    model.objects.filter(terms_of_reference=terms, pk__in=removed).delete()
    changed = {part.pk: part for part in changes.save if part.pk is not None}
    kept = [
        changed.get(row.pk, row)
        for row in model.objects.filter(terms_of_reference=terms).order_by("position")
    ]
    added = [part for part in changes.save if part.pk is None]
    # Renumber in ascending order: each row moves to a lower or equal position, always free by then.
    for position, part in enumerate([*kept, *added], start=1):
        if part.pk is not None and part.position == position and part.pk not in changed:
            continue
        part.terms_of_reference = terms
        part.position = position
        part.full_clean()
        part.save()


def person_link_account(user) -> bool:
    """Link a new account to the registry's Person with its email, where exactly one unlinked
    person has it (an invitation accepted, a first single sign-on)."""
    if not user.email:
        return False
    people = list(Person.objects.filter(email__iexact=user.email, user__isnull=True)[:2])
    if len(people) != 1:
        return False
    Person.objects.filter(pk=people[0].pk).update(user=user)
    return True
