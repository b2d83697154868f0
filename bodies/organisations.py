"""Organisations kept by secretariats (issue 17): shared reference data, so one rule decides who changes
what (docs/decisions/0002): a secretariat changes an organisation only where every partnership it
belongs to is theirs; otherwise they propose the change and a registry administrator applies it."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bodies.models import Organisation, OrganisationChangeProposal

PROPOSABLE_FIELDS = (
    "name", "kind", "is_statutory", "ods_code", "other_names", "contact_email", "established_on", "dissolved_on",
)  # fmt: skip


def _as_json(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _from_json(organisation: Organisation, name: str, value):
    field = Organisation._meta.get_field(name)
    return field.to_python(value)


@transaction.atomic
def propose_organisation_change(
    *, organisation: Organisation, changes: dict, user, reason: str = ""
) -> OrganisationChangeProposal:
    """Store what a secretariat would change, validated as the change itself would be (so an
    administrator applies only what could be saved); nothing on the organisation changes."""
    changes = {name: value for name, value in changes.items() if name in PROPOSABLE_FIELDS}
    if not changes:
        raise ValidationError("Change at least one detail to propose a change.")
    trial = Organisation.objects.get(pk=organisation.pk)
    for name, value in changes.items():
        setattr(trial, name, value)
    trial.full_clean()
    return OrganisationChangeProposal.objects.create(
        organisation=organisation,
        changes={name: _as_json(value) for name, value in changes.items()},
        reason=reason,
        proposed_by=user,
    )


@transaction.atomic
def apply_organisation_proposal(*, proposal: OrganisationChangeProposal, user) -> Organisation:
    """A registry administrator applies a proposal: the organisation changes as proposed (validated again
    against the organisation as it is now)."""
    proposal = OrganisationChangeProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != OrganisationChangeProposal.Status.PROPOSED:
        raise ValidationError(f"This proposal was already {proposal.get_status_display().lower()}.")
    organisation = Organisation.objects.select_for_update().get(pk=proposal.organisation_id)
    for name, value in proposal.changes.items():
        setattr(organisation, name, _from_json(organisation, name, value))
    organisation.full_clean()
    organisation.save()
    proposal.status = OrganisationChangeProposal.Status.APPLIED
    proposal.decided_by = user
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "decided_by", "decided_at"])
    return organisation


@transaction.atomic
def decline_organisation_proposal(
    *, proposal: OrganisationChangeProposal, user
) -> OrganisationChangeProposal:
    proposal = OrganisationChangeProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != OrganisationChangeProposal.Status.PROPOSED:
        raise ValidationError(f"This proposal was already {proposal.get_status_display().lower()}.")
    proposal.status = OrganisationChangeProposal.Status.DECLINED
    proposal.decided_by = user
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "decided_by", "decided_at"])
    return proposal
