"""Staff pages of the registry: partnerships and organisations. Reads go through `restrict`."""

import datetime

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from bodies.charts import structure_chart
from bodies.models import Agreement, Membership, Organisation, Partnership, Signature
from bodies.queries import bodies_as_at, memberships_as_at, relationships_as_at
from decisions import views as decision_views
from risks import views as risk_views
from stp_governance.access import restrict
from stp_governance.effective_dating import today


def as_at_from(request) -> tuple[datetime.date, str]:
    """The `as_at` date asked for, or today; a malformed date is reported, not a crash."""
    raw = request.GET.get("as_at", "")
    if not raw:
        return today(), ""
    try:
        return datetime.date.fromisoformat(raw), ""
    except ValueError:
        return today(), "Enter the date as year-month-day, for example 2018-04-01."


@login_required
def partnership_detail(request, pk: int):
    partnership = get_object_or_404(restrict(Partnership.objects.select_related("lead"), request.user), pk=pk)
    on, date_error = as_at_from(request)
    memberships = list(
        memberships_as_at(partnership, on).prefetch_related(
            Prefetch(
                "organisation__memberships",
                queryset=Membership.objects.in_force(on)
                .exclude(partnership=partnership)
                .select_related("partnership")
                .order_by("partnership__name"),
                to_attr="other_memberships",
            )
        )
    )
    by_standing: dict[str, list[Membership]] = {}
    for membership in memberships:
        by_standing.setdefault(membership.get_standing_display(), []).append(membership)
    bodies = list(bodies_as_at(partnership, on))
    relationships = list(relationships_as_at(partnership, on))
    statutory = {
        rel.to_body
        for rel in relationships
        if rel.to_body.partnership_id is None and rel.to_body not in bodies
    }
    agreements = (
        Agreement.objects.filter(partnership=partnership)
        .prefetch_related(Prefetch("signatures", queryset=Signature.objects.select_related("organisation")))
        .order_by("title")
    )
    return render(
        request,
        "pages/partnership_detail.html",
        {
            "partnership": partnership,
            "on": on,
            "date_error": date_error,
            "by_standing": by_standing,
            "bodies": bodies,
            "relationships": relationships,
            "chart": structure_chart([*bodies, *statutory], relationships),
            "agreements": agreements,
            "stages": partnership.stages.all(),
        },
    )


@login_required
def organisation_detail(request, pk: int):
    organisation = get_object_or_404(restrict(Organisation.objects.all(), request.user), pk=pk)
    memberships = restrict(
        organisation.memberships.select_related("partnership").order_by(
            "partnership__name", "effective_from"
        ),
        request.user,
    )
    seats = restrict(
        organisation.appointments.select_related("person", "body").in_force().order_by("body__name"),
        request.user,
    )
    return render(
        request,
        "pages/organisation_detail.html",
        {
            "organisation": organisation,
            "memberships": memberships,
            "seats": seats,
            # What its board owes and the risks it leads, in the partnerships the user may see.
            "owed": decision_views.owed_by(request, organisation),
            "risks_led": risk_views.led_by(request, organisation),
            "on": today(),
        },
    )


def page_of(request, queryset, per_page: int = 50):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
