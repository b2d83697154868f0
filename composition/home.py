"""The home page's panels, one per kind of person, above the partnerships' attention cards.

`HOME_PANELS` is a list of functions `panel(request, on) -> dict | None`; each returns its
template and context, or None when it has nothing for this person. Further panels (a meeting's
papers, overdue actions) join the list with `register_home_panel` from their app's code; the page
renders them in order. Every count a panel shows links to the list it counts.

And the list the partnership cards' check counts lead to: a partnership's terms of reference
overdue for review, and its latest nightly scheme-check and data-quality findings.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from bodies.models import Appointment, Partnership, Person, TermsOfReference
from composition.jobs_summary import latest_check_runs
from core.access import Role, is_registry_administrator, restrict, roles_in_force
from core.models import Invitation, Notification, RegistryAdministrator
from core.roles import administrators
from decisions import queries as decision_queries
from decisions.models import Decision, Declaration, Ratification
from meetings import queries as meeting_queries

HOME_PANELS: list[Callable] = []
NEXT_MEETINGS = 5


def register_home_panel(panel: Callable) -> Callable:
    if panel not in HOME_PANELS:
        HOME_PANELS.append(panel)
    return panel


def home_panels(request, on) -> list[dict]:
    return [found for panel in HOME_PANELS if (found := panel(request, on)) is not None]


@register_home_panel
def member_panel(request, on) -> dict | None:
    """A member's own work: their bodies, next meetings, what their organisations owe, their open
    declarations of interest, and the notifications they have not read (seven queries)."""
    user = request.user
    person = Person.objects.filter(user=user).first()
    if person is None:
        return None
    appointments = list(
        restrict(Appointment.objects.in_force(on).filter(person=person), user)
        .select_related("body__partnership", "representing")
        .order_by("body__name")
    )
    meetings = meeting_queries.next_meetings_for(user, limit=NEXT_MEETINGS, on=on)  # with their papers
    organisations = {a.representing_id for a in appointments if a.representing_id}
    owed = decision_queries.outstanding_by_organisation(
        restrict(Ratification.objects.filter(organisation__in=organisations), user), on
    )
    declarations = list(
        restrict(Declaration.objects.filter(person=person, rescinded_on__isnull=True), user)
        .select_related("meeting__body")
        .order_by("-meeting__starts_at")[:20]
    )
    unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
    return {
        "overdue_actions": meeting_queries.overdue_actions_for(user, on=on),
        "template": "pages/_home_member.html",
        "person": person,
        "appointments": appointments,
        "meetings": meetings,
        "owed": owed,
        "declarations": declarations,
        "unread": unread,
    }


@register_home_panel
def administrator_panel(request, on) -> dict | None:
    """For registry administrators: partnerships without a secretariat, accounts without a role,
    administrators without two-factor authentication, invitations expired or waiting (five queries)."""
    if not is_registry_administrator(request.user):
        return None
    staffed = roles_in_force().filter(
        partnership=OuterRef("pk"), role__in=[Role.ADMINISTRATOR, Role.SECRETARIAT], user__is_active=True
    )
    unstaffed = list(Partnership.objects.filter(~Exists(staffed)).order_by("name").values("pk", "name")[:50])
    User = get_user_model()
    roleless = (
        User.objects.filter(is_active=True, is_superuser=False)
        .exclude(Exists(roles_in_force().filter(user=OuterRef("pk"))))
        .exclude(Exists(RegistryAdministrator.objects.filter(user=OuterRef("pk"), ends_at__isnull=True)))
        .exclude(username="AnonymousUser")
        .count()
    )
    now = timezone.now()
    expired = Invitation.objects.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__lte=now
    ).count()
    waiting = Invitation.objects.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).count()
    without_two_factor = (
        User.objects.filter(administrators(), is_active=True)
        .exclude(Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)))
        .count()
    )
    return {
        "template": "pages/_home_administrator.html",
        "without_two_factor": without_two_factor,
        "unstaffed": unstaffed,
        "roleless": roleless,
        "expired_invitations": expired,
        "waiting_invitations": waiting,
    }


@login_required
def partnership_checks(request, pk: int):
    """What the partnership card's counts without a list of their own count: terms of reference
    overdue for review, urgent decisions not reported to the meeting they were due at, and the
    latest nightly scheme-check and data-quality findings."""
    partnership = get_object_or_404(restrict(Partnership.objects.all(), request.user), pk=pk)
    on = timezone.localdate()
    overdue = list(
        restrict(
            TermsOfReference.objects.filter(
                body__partnership=partnership, status="approved", next_review_due__lt=on
            ),
            request.user,
        )
        .select_related("body")
        .order_by("next_review_due", "body__name")
    )
    run = latest_check_runs([partnership]).get(partnership.pk)
    urgent = list(
        decision_queries.urgent_decisions_awaiting_report(
            restrict(Decision.objects.filter(body__partnership=partnership), request.user)
        )
        .filter(overdue=True)
        .select_related("body")
        .order_by("decided_on", "id")
    )
    return render(
        request,
        "pages/partnership_checks.html",
        {
            "partnership": partnership,
            "overdue": overdue,
            "urgent": urgent,
            "run": run,
            "on": on,
        },
    )


def staff_of(user) -> bool:
    """Whether the account runs a partnership (its administrator or secretariat)."""
    return roles_in_force().filter(user=user, role__in=[Role.ADMINISTRATOR, Role.SECRETARIAT]).exists()
