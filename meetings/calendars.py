"""Calendar subscriptions: a person's secret address for "my meetings" or one body's meetings.

A calendar application fetches the address with no credentials, so the token in the address is
the credential: it is stored hashed, revoked in one click (the address then answers 404), and the
feed shows what the subscriber's own account may read *now* (a role ended, the feed shrinks).
Each event carries the meeting page's address, the place and the joining details; a meeting held
in private (every item restricted) shows only "Meeting of <body>" to those who may not read it.
"""

from __future__ import annotations

import datetime

import icalendar
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone

from bodies.models import Appointment
from core import access
from core.notifications import absolute
from decisions.calendars import DEFAULT_LENGTH, PRODID
from decisions.models import AgendaItem, Meeting
from meetings.models import CalendarSubscription


def subscription_for(token: str) -> CalendarSubscription | None:
    """The live subscription the token opens, with its person's active account; None otherwise."""
    if not token or len(token) > 100:
        return None
    subscription = (
        CalendarSubscription.objects.filter(
            token_hash=CalendarSubscription.hash(token), revoked_at__isnull=True
        )
        .select_related("person__user", "body")
        .first()
    )
    if subscription is None or subscription.person.user is None or not subscription.person.user.is_active:
        return None
    return subscription


def subscribed_meetings(subscription: CalendarSubscription) -> QuerySet[Meeting]:
    user = subscription.person.user
    meetings = access.restrict(Meeting.objects.all(), user, "view")
    if subscription.body_id is not None:
        meetings = meetings.filter(body=subscription.body_id)
    else:
        bodies = Appointment.objects.filter(person=subscription.person).values("body_id")
        meetings = meetings.filter(body__in=bodies)
    since = timezone.now() - datetime.timedelta(days=366)
    return meetings.filter(starts_at__gte=since).select_related("body").order_by("starts_at")


def feed(subscription: CalendarSubscription) -> bytes:
    user = subscription.person.user
    readable = access.restrict(AgendaItem.objects.all(), user, "view").order_by("position")
    meetings = subscribed_meetings(subscription).prefetch_related(
        Prefetch("agenda_items", queryset=AgendaItem.objects.order_by("position"), to_attr="all_items"),
        Prefetch("agenda_items", queryset=readable, to_attr="readable_items"),
    )
    name = (
        f"{subscription.body.name} meetings"
        if subscription.body_id
        else f"{subscription.person.name}: my meetings"
    )
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    stamp = timezone.now()
    for meeting in meetings:
        calendar.add_component(_event(meeting, stamp))
    return calendar.to_ical()


def _event(meeting: Meeting, stamp) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"meeting-{meeting.pk}@stp-governance-registry")
    event.add("dtstamp", stamp)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at or meeting.starts_at + DEFAULT_LENGTH)
    event.add("status", "CANCELLED" if meeting.status == Meeting.Status.CANCELLED else "CONFIRMED")
    private = bool(meeting.all_items) and all(item.restricted for item in meeting.all_items)
    if private and not meeting.readable_items:
        event.add("summary", f"Meeting of {meeting.body.name}")
        return event
    url = absolute(reverse("meeting-detail", args=[meeting.pk]))
    event.add("summary", f"{meeting.body.name}{f' — {meeting.title}' if meeting.title else ''}")
    event.add("url", url)
    if meeting.place:
        event.add("location", meeting.place)
    lines = [f"Agenda and papers: {url}"]
    if meeting.joining_details:
        lines += ["", "Joining: " + meeting.joining_details]
    if meeting.readable_items:
        lines += ["", "Agenda:", *(str(item) for item in meeting.readable_items)]
    event.add("description", "\n".join(lines))
    return event
