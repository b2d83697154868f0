"""Replacing the holder of a seat in one step (issue 17): "replace the chair"."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from bodies.models import Appointment, Organisation, Person


@transaction.atomic
def appointment_replace(
    *,
    appointment: Appointment,
    person: Person,
    starts_on: datetime.date,
    title: str = "",
    representing: Organisation | None = None,
    voting: bool | None = None,
) -> Appointment:
    """End `appointment` the day before `starts_on` and appoint `person` to the same role on the same body
    from `starts_on`, in one transaction: the body is never without its chair, nor with two."""
    current = Appointment.objects.select_for_update().order_by().get(pk=appointment.pk)
    if person.pk == current.person_id:
        raise ValidationError({"person": f"{person.name} already holds this seat: choose who replaces them."})
    if current.effective_from is not None and starts_on <= current.effective_from:
        raise ValidationError(
            {"starts_on": f"{current.person.name} was appointed on {current.effective_from:%-d %B %Y}: "
             "the new appointment must start after that."}
        )  # fmt: skip
    if current.effective_to is not None and current.effective_to < starts_on - datetime.timedelta(days=1):
        raise ValidationError(
            {"starts_on": f"{current.person.name}'s appointment already ended on {current.effective_to:%-d %B %Y}: "
             "appoint the new holder directly."}
        )  # fmt: skip
    current.effective_to = starts_on - datetime.timedelta(days=1)
    current.full_clean()
    current.save()
    successor = Appointment(
        body=current.body,
        person=person,
        role=current.role,
        title=title or current.title,
        representing=representing,
        voting=current.voting if voting is None else voting,
        effective_from=starts_on,
    )
    successor.full_clean()
    successor.save()
    return successor
