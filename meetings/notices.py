"""The notice of a meeting: sent with the pack, to the body's members in force on the meeting date.

Each email links to pages (the meeting page, the pack's page), never to API JSON. It is sent by a
task through the outbox once the notice is recorded, so a broker outage loses nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from bodies.models import Appointment
from core import outbox
from core.notifications import absolute
from decisions.models import Meeting
from meetings.models import AgendaPack, PackNotice


def _recipients(meeting: Meeting) -> list[tuple[str, str]]:
    seats = (
        Appointment.objects.in_force(meeting.meeting_date)
        .filter(body=meeting.body)
        .select_related("person__user")
        .order_by("person__name")
    )
    found = {}
    for seat in seats:
        email = (seat.person.email or (seat.person.user.email if seat.person.user_id else "")).strip().lower()
        if email:
            found[email] = seat.person.name
    return sorted(found.items())


@transaction.atomic
def notice_send(*, meeting: Meeting, user=None) -> PackNotice:
    meeting.notice_given_on = meeting.notice_given_on or timezone.localdate()
    meeting.save(update_fields=["notice_given_on"])
    notice = PackNotice.objects.create(
        meeting=meeting,
        sent_to=len(_recipients(meeting)),
        sent_by=user if getattr(user, "pk", None) else None,
    )
    outbox.enqueue("meetings.tasks.send_notice", notice_id=notice.pk)
    return notice


def notice_emails(*, notice_id: int) -> int:
    """Send the notice's emails (one per member); returns how many."""
    notice = PackNotice.objects.select_related("meeting__body").get(pk=notice_id)
    meeting = notice.meeting
    when = timezone.localtime(meeting.starts_at)
    packs = AgendaPack.objects.filter(
        meeting=meeting, superseded=False, status=AgendaPack.Status.DONE
    ).order_by("members_only")
    lines = [
        f"Notice is given of the meeting of {meeting.body.name} on {when.day} {when:%B %Y} at {when:%H:%M}"
        + (f", {meeting.place}." if meeting.place else "."),
        "",
        f"The agenda and papers: {absolute(reverse('meeting-detail', args=[meeting.pk]))}",
    ]
    for pack in packs:
        label = "The members' pack" if pack.members_only else "The public pack"
        lines.append(f"{label}: {absolute(reverse('meeting-pack', args=[pack.pk]))}")
    if meeting.joining_details:
        lines += ["", f"Joining: {meeting.joining_details}"]
    lines += ["", f"Your calendar subscription: {absolute(reverse('my-calendar'))}"]
    subject = f"Notice of meeting: {meeting.body.name}, {when.day} {when:%B %Y}"
    body = "\n".join(lines)
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [email]) for email, _ in _recipients(meeting)]
    return send_mass_mail(messages, fail_silently=False) if messages else 0
