"""The public site's feeds and files: Atom feeds of decisions and of meetings, an iCalendar of
meetings, the open-data package, robots.txt and the sitemap — each read as anyone may
(core/publication.py), throttled and cacheable like the pages (composition/public_site.py)."""

from __future__ import annotations

import datetime

from django.contrib.sitemaps import Sitemap
from django.contrib.syndication.views import Feed
from django.http import FileResponse, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from composition.open_data import open_data_zip
from composition.public_site import public, public_view, published_partnership
from core.effective_dating import today
from decisions.calendars import meetings_calendar
from decisions.models import Decision, Meeting

FEED_LENGTH = 50


class DecisionsFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, slug):
        return published_partnership(slug)

    def title(self, partnership):
        return f"Decisions of {partnership.name}"

    def link(self, partnership):
        return reverse("public:decisions", args=[partnership.slug])

    def subtitle(self, partnership):
        return "Decisions of the partnership's boards and committees, newest first."

    def items(self, partnership):
        return public(Decision.objects.filter(body__partnership=partnership).select_related("body")).order_by(
            "-decided_on", "-pk"
        )[:FEED_LENGTH]

    def item_title(self, decision):
        reference = f"{decision.minute_reference}: " if decision.minute_reference else ""
        return f"{decision.body.name} — {reference}{decision.get_outcome_display()}"

    def item_description(self, decision):
        return decision.resolution

    def item_link(self, decision):
        return reverse("public:decision", args=[decision.body.partnership.slug, decision.pk])

    def item_pubdate(self, decision):
        return datetime.datetime.combine(decision.decided_on, datetime.time(), tzinfo=datetime.UTC)

    def item_updateddate(self, decision):
        return self.item_pubdate(decision)

    def item_guid(self, decision):
        return f"decision-{decision.pk}"


class MeetingsFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, slug):
        return published_partnership(slug)

    def title(self, partnership):
        return f"Meetings of {partnership.name}"

    def link(self, partnership):
        return reverse("public:partnership", args=[partnership.slug])

    def items(self, partnership):
        return public(
            Meeting.objects.filter(body__partnership=partnership).select_related("body__partnership")
        ).order_by("-starts_at", "-pk")[:FEED_LENGTH]

    def item_title(self, meeting):
        when = timezone.localtime(meeting.starts_at).strftime("%-d %B %Y, %H:%M")
        cancelled = " (cancelled)" if meeting.status == Meeting.Status.CANCELLED else ""
        return f"{meeting.body.name}, {when}{cancelled}"

    def item_description(self, meeting):
        return meeting.place or ""

    def item_link(self, meeting):
        return reverse("public:meeting", args=[meeting.body.partnership.slug, meeting.pk])

    def item_pubdate(self, meeting):
        return meeting.starts_at

    def item_guid(self, meeting):
        return f"meeting-{meeting.pk}"


decisions_feed = public_view(DecisionsFeed())
meetings_feed = public_view(MeetingsFeed())


@public_view
def meetings_calendar_view(request, slug: str):
    partnership = published_partnership(slug)
    meetings = public(Meeting.objects.filter(body__partnership=partnership).select_related("body")).order_by(
        "starts_at", "pk"
    )
    return HttpResponse(
        meetings_calendar(meetings, f"Meetings of {partnership.name}"),
        content_type="text/calendar; charset=utf-8",
    )


@public_view
def open_data(request, slug: str):
    partnership = published_partnership(slug)
    on = today()
    return FileResponse(
        open_data_zip(partnership, on),
        as_attachment=True,
        filename=f"{partnership.slug}-open-data-{on.isoformat()}.zip",
        content_type="application/zip",
    )


@public_view
def robots_txt(request):
    """Crawlers may read the public site only; the sitemap lists the published partnerships' pages."""
    lines = [
        "User-agent: *",
        "Allow: /public/",
        "Disallow: /",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


class PublicSitemap(Sitemap):
    """The published partnerships' pages: their home, bodies, decisions, registers."""

    def items(self):
        from bodies.models import Body, Partnership

        entries = []
        for partnership in public(Partnership.objects.all()).order_by("name"):
            for name in ("partnership", "decisions", "interests", "gifts", "scheme"):
                entries.append(reverse(f"public:{name}", args=[partnership.slug]))
        for body in public(Body.objects.select_related("partnership")).order_by("pk"):
            entries.append(reverse("public:body", args=[body.partnership.slug, body.pk]))
        return entries

    def location(self, item):
        return item
