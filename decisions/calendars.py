"""iCalendar (RFC 5545) feeds of meetings: per body and per partnership.

Calendars are copied into other people's diaries, so they carry only what is published: the
body, date, time, place, status and the agenda items that are published (`access.published`).
"""

import datetime

import icalendar
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from core import access
from decisions.models import AgendaItem, Meeting

PRODID = "-//STP Governance Registry//Meetings//EN"
DEFAULT_LENGTH = datetime.timedelta(hours=2)  # where a meeting's end is not recorded


def meetings_calendar(meetings: QuerySet[Meeting], name: str) -> bytes:
    """One VEVENT per meeting (cancelled ones with STATUS:CANCELLED), as iCalendar bytes."""
    published_items = access.published(AgendaItem.objects.all())
    meetings = meetings.prefetch_related(Prefetch("agenda_items", queryset=published_items))
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    stamp = timezone.now()
    for meeting in meetings:
        event = icalendar.Event()
        event.add("uid", f"meeting-{meeting.pk}@stp-governance-registry")
        event.add("dtstamp", stamp)
        event.add("dtstart", meeting.starts_at)
        event.add("dtend", meeting.ends_at or meeting.starts_at + DEFAULT_LENGTH)
        event.add("summary", f"{meeting.body.name}{f' — {meeting.title}' if meeting.title else ''}")
        event.add("status", "CANCELLED" if meeting.status == Meeting.Status.CANCELLED else "CONFIRMED")
        event.add("sequence", meeting.revision - 1)
        if meeting.place:
            event.add("location", meeting.place)
        items = list(meeting.agenda_items.all())
        if items:
            event.add("description", "Agenda:\n" + "\n".join(str(item) for item in items))
        calendar.add_component(event)
    return calendar.to_ical()
