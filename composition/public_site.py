"""The public site of each partnership that has switched it on: no sign-in, read through
`restrict(queryset, PUBLIC)` (core/publication.py decides what is public), cacheable and
throttled per client address.

Pages never read the visitor's session or account, so a page is the same for everyone and a
shared cache may keep it (`Cache-Control: public`, ETag answered with 304).
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import conditional_page, require_safe

from bodies.models import Appointment, Body, Membership, Partnership, TermsOfReference
from core.access import restrict
from core.account_pages import too_many_requests
from core.effective_dating import today
from core.paging import paged
from core.publication import PUBLIC
from core.ratelimit import client_address, hit
from decisions.models import Attendance, Decision, Interest, Meeting, Ratification
from delegation.answers import authority_question
from delegation.models import Delegation, Reservation
from meetings import queries as meeting_queries
from meetings.files import CONTENT_TYPES as PAPER_CONTENT_TYPES
from meetings.files import file_response
from meetings.minutes_pdf import minutes_document
from meetings.models import AgendaPack, Gift, Paper

DECISIONS_PER_PAGE = 50


def public_view(view):
    """A public page: GET/HEAD only, throttled per client address, cacheable, ETag with 304."""

    @require_safe
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        wait = hit(scope="public_address", ident=client_address(request))
        if wait is not None:
            return too_many_requests(request, wait)
        return cache_control(public=True, max_age=settings.PUBLIC_CACHE_SECONDS)(conditional_page(view))(
            request, *args, **kwargs
        )

    return wrapper


def public(queryset):
    """The public rows of `queryset`: what anyone may read (core/publication.py)."""
    return restrict(queryset, PUBLIC)


def published_partnership(slug: str) -> Partnership:
    """The partnership if its public site is on; otherwise there is nothing here (404)."""
    return get_object_or_404(public(Partnership.objects.all()), slug=slug)


@public_view
def index(request):
    partnerships = public(Partnership.objects.all()).order_by("name")
    return render(request, "public/index.html", {"partnerships": partnerships})


@public_view
def partnership_page(request, slug: str):
    partnership = published_partnership(slug)
    on = today()
    memberships = public(
        Membership.objects.in_force(on).filter(partnership=partnership).select_related("organisation")
    ).order_by("standing", "organisation__name")
    bodies = public(Body.objects.in_force(on).filter(partnership=partnership)).order_by("name")
    return render(
        request,
        "public/partnership.html",
        {"partnership": partnership, "memberships": memberships, "bodies": bodies, "on": on},
    )


@public_view
def body_page(request, slug: str, pk: int):
    partnership = published_partnership(slug)
    body = get_object_or_404(public(Body.objects.filter(partnership=partnership)), pk=pk)
    on = today()
    versions = list(
        public(body.terms_of_reference.all()).select_related("approved_by").order_by("-effective_from", "-pk")
    )
    in_force = next((v for v in versions if v.effective_from <= on and (v.effective_to or on) >= on), None)
    appointments = public(
        Appointment.objects.in_force(on).filter(body=body).select_related("person", "representing")
    ).order_by("role", "person__name")
    meetings = public(Meeting.objects.filter(body=body)).order_by("-starts_at")[:50]
    return render(
        request,
        "public/body.html",
        {
            "partnership": partnership,
            "body": body,
            "terms": _with_parts(in_force) if in_force else None,
            "versions": versions,
            "appointments": appointments,
            "meetings": meetings,
        },
    )


def _with_parts(terms: TermsOfReference) -> TermsOfReference:
    terms.public_objectives = list(public(terms.objectives.all()).order_by("position", "pk"))
    terms.public_roles = list(public(terms.roles.all()).order_by("position", "pk"))
    return terms


@public_view
def terms_page(request, slug: str, pk: int):
    partnership = published_partnership(slug)
    terms = get_object_or_404(
        public(TermsOfReference.objects.filter(body__partnership=partnership)).select_related(
            "body", "approved_by"
        ),
        pk=pk,
    )
    return render(
        request,
        "public/terms_of_reference.html",
        {"partnership": partnership, "body": terms.body, "terms": _with_parts(terms)},
    )


@public_view
def meeting_page(request, slug: str, pk: int):
    """A meeting as published: its agenda with the public papers and the public pack, the decisions
    taken, and once the minutes are approved, the minutes, attendance and declarations."""
    partnership = published_partnership(slug)
    meeting = get_object_or_404(
        public(Meeting.objects.filter(body__partnership=partnership)).select_related("body"), pk=pk
    )
    items = meeting_queries.minuted_items(meeting, PUBLIC)  # a minute only once the minutes are approved
    minutes = meeting_queries.minutes_of(meeting, PUBLIC)
    attendance = public(
        Attendance.objects.filter(meeting=meeting).select_related("person", "deputy")
    ).order_by("status", "person__name")
    return render(
        request,
        "public/meeting.html",
        {
            "partnership": partnership,
            "meeting": meeting,
            "items": items,
            "minutes": minutes,
            "pack": public(AgendaPack.objects.filter(meeting=meeting)).order_by("-pk").first(),
            "attendance": attendance,
        },
    )


@public_view
def paper_download(request, slug: str, pk: int):
    """A public paper's newest version (a restricted item's papers are not found)."""
    partnership = published_partnership(slug)
    paper = get_object_or_404(
        public(Paper.objects.filter(agenda_item__meeting__body__partnership=partnership)), pk=pk
    )
    version = get_object_or_404(public(paper.versions.filter(number=paper.current_version)))
    return file_response(
        version.file, f"{paper.title[:80]}.{version.kind}", PAPER_CONTENT_TYPES[version.kind], private=False
    )


@public_view
def pack_download(request, slug: str, pk: int):
    """The public agenda pack (the members' pack is never public)."""
    partnership = published_partnership(slug)
    pack = get_object_or_404(
        public(AgendaPack.objects.filter(meeting__body__partnership=partnership)).select_related("meeting"),
        pk=pk,
    )
    return file_response(
        pack.file,
        f"agenda-pack-{pack.meeting.meeting_date.isoformat()}.pdf",
        "application/pdf",
        private=False,
    )


@public_view
def minutes_pdf(request, slug: str, pk: int):
    """The approved minutes as a PDF: only what is public of them."""
    partnership = published_partnership(slug)
    meeting = get_object_or_404(
        public(Meeting.objects.filter(body__partnership=partnership)).select_related("body"), pk=pk
    )
    minutes = meeting_queries.minutes_of(meeting, PUBLIC)
    if minutes is None:
        raise Http404("The minutes are not approved yet.")
    items = meeting_queries.minuted_items(meeting, PUBLIC)
    attendance = list(public(Attendance.objects.filter(meeting=meeting).select_related("person", "deputy")))
    data = minutes_document(meeting=meeting, minutes=minutes, items=items, attendance=attendance)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="minutes-{meeting.meeting_date.isoformat()}.pdf"'
    return response


@public_view
def gifts_page(request, slug: str):
    """The gifts and hospitality register (NHS England, "Managing conflicts of interest in the NHS")."""
    partnership = published_partnership(slug)
    gifts = public(Gift.objects.filter(partnership=partnership).select_related("person")).order_by(
        "-offered_on", "pk"
    )
    page = paged(request, gifts, per_page=DECISIONS_PER_PAGE)
    return render(request, "public/gifts.html", {"partnership": partnership, "page": page})


@public_view
def decision_list(request, slug: str):
    partnership = published_partnership(slug)
    decisions = public(
        Decision.objects.filter(body__partnership=partnership).select_related("body", "matter")
    ).order_by("-decided_on", "-pk")
    page = paged(request, decisions, per_page=DECISIONS_PER_PAGE)
    return render(request, "public/decisions.html", {"partnership": partnership, "page": page})


@public_view
def decision_page(request, slug: str, pk: int):
    partnership = published_partnership(slug)
    decision = get_object_or_404(
        public(Decision.objects.filter(body__partnership=partnership)).select_related(
            "body", "meeting", "matter", "delegation__delegator", "delegation__delegate"
        ),
        pk=pk,
    )
    ratifications = public(
        Ratification.objects.filter(decision=decision).select_related("organisation", "ratifying_board")
    ).order_by("organisation__name", "pk")
    return render(
        request,
        "public/decision.html",
        {
            "partnership": partnership,
            "decision": decision,
            "explanation": [line for line in decision.authority_explanation.splitlines() if line.strip()],
            "ratifications": ratifications,
        },
    )


@public_view
def interests_page(request, slug: str):
    """The published register of interests: entries withheld are never shown, nor why."""
    partnership = published_partnership(slug)
    interests = public(
        Interest.objects.in_force(today())
        .filter(partnership=partnership)
        .select_related("person", "organisation")
    ).order_by("person__name", "pk")
    return render(request, "public/interests.html", {"partnership": partnership, "interests": interests})


@public_view
def scheme_page(request, slug: str):
    """The scheme of reservation and delegation in force."""
    partnership = published_partnership(slug)
    on = today()
    reservations = public(
        Reservation.objects.in_force(on)
        .filter(partnership=partnership)
        .select_related("matter", "reserved_to_body")
    ).order_by("matter__name", "pk")
    delegations = public(
        Delegation.objects.in_force(on)
        .filter(partnership=partnership)
        .select_related("matter", "delegator", "delegate")
    ).order_by("matter__name", "pk")
    return render(
        request,
        "public/scheme.html",
        {"partnership": partnership, "reservations": reservations, "delegations": delegations, "on": on},
    )


@public_view
def who_can_approve(request, slug: str):
    """Who can approve this? asked as anyone may: the public scheme, the same answer as the staff page."""
    partnership = published_partnership(slug)
    context = authority_question(
        request.GET,
        user=PUBLIC,
        initial={"partnership": partnership.pk},
        question_url=reverse("public:who-can-approve", args=[slug]),
    )
    if context["filling"] and request.headers.get("HX-Request"):
        return render(request, "pages/_who_can_approve_matters.html", context)
    return render(
        request,
        "pages/who_can_approve.html",
        {**context, "partnership": partnership, "base_template": "public/base.html"},
    )
