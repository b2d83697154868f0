"""Staff pages that draw on several apps: home (what needs attention), a body, search."""

import difflib

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, render
from django.utils.html import escape

from bodies.models import Body, Organisation, Partnership, Person, TermsOfReference, TermsOfReferenceRole
from bodies.queries import appointments_as_at, terms_of_reference_as_at
from bodies.successions import lineage, stand_ins
from composition.home import home_panels
from composition.jobs_summary import latest_check_runs
from composition.search import ranked
from core.access import partnership_scope, restrict
from core.effective_dating import today
from core.history import changes_of
from core.models import CheckRun
from core.paging import as_at_from, paged
from decisions import panels as decision_panels
from decisions import queries as decision_queries
from decisions.models import Decision, Ratification
from delegation.models import Delegation, Matter
from delegation.queries import ratification_for_body
from meetings import queries as meeting_queries
from risks import panels as risk_panels
from risks import queries as risk_queries
from risks.models import Risk, RiskEscalation


def scheme_check_summary(run: CheckRun | None) -> dict:
    """The partnership's scheme-check defects for the home page, from its latest nightly check
    run: how many, and the first few. A partnership never checked says so rather than being
    checked on the page (six queries for each of the page's partnerships, measured)."""
    if run is None:
        return {"count": None, "first": [], "data_quality": 0, "checked_on": None}
    defects = [defect.get("message") or defect.get("code", "") for defect in run.scheme_defects]
    return {
        "count": len(defects),
        "first": defects[:3],
        "data_quality": len(run.data_quality),
        "checked_on": run.on,
    }


HOME_PAGE_SIZE = 20


@login_required
def home(request):
    """The partnerships this user can see and, for each, what needs attention (a page at a time:
    a registry administrator sees every partnership in the country).

    Every count is one grouped query across all the user's partnerships (restricted records
    stay hidden from those who may not see them); the scheme checks are the nightly run's.
    """
    on = today()
    user = request.user
    visible = restrict(Partnership.objects.all(), user).order_by("name", "id")
    page = paged(request, visible.values_list("pk", flat=True), per_page=HOME_PAGE_SIZE)
    partnerships = list(
        Partnership.objects.filter(pk__in=list(page.object_list))
        .annotate(
            body_count=Count("bodies", distinct=True),
            overdue_reviews=Count(
                "bodies__terms_of_reference",
                filter=Q(
                    bodies__terms_of_reference__status="approved",
                    bodies__terms_of_reference__next_review_due__lt=on,
                ),
                distinct=True,
            ),
        )
        .order_by("name")
    )
    ids = [partnership.pk for partnership in partnerships]
    ratifications = decision_queries.outstanding_by_partnership(
        restrict(Ratification.objects.filter(decision__body__partnership__in=ids), user), on
    )
    urgent = decision_queries.urgent_overdue_by_partnership(
        restrict(Decision.objects.filter(body__partnership__in=ids), user)
    )
    risks = risk_queries.attention_by_partnership(
        restrict(Risk.objects.filter(partnership__in=ids), user),
        restrict(RiskEscalation.objects.filter(risk__partnership__in=ids), user),
        on,
    )
    runs = latest_check_runs(partnerships)  # the nightly checks' stored results, one query
    for partnership in partnerships:
        outstanding, oldest = ratifications.get(partnership.pk, (0, None))
        partnership.attention = {
            "ratifications_outstanding": outstanding,
            "oldest_ratification_days": oldest,
            "urgent_overdue": urgent.get(partnership.pk, 0),
            "risks_overdue": risks.get(partnership.pk, {}).get("overdue", 0),
            "risks_above_appetite": risks.get(partnership.pk, {}).get("above_appetite", 0),
            "escalations_awaiting": risks.get(partnership.pk, {}).get("awaiting", 0),
        }
        partnership.scheme_check = scheme_check_summary(runs.get(partnership.pk))
    manages = partnership_scope(user, "manage_roles")
    for partnership in partnerships:
        partnership.manages_roles = manages is None or partnership.pk in manages
    return render(
        request,
        "pages/home.html",
        {"partnerships": partnerships, "page": page, "on": on, "panels": home_panels(request, on)},
    )


@login_required
def body_detail(request, pk: int):
    body = get_object_or_404(
        restrict(Body.objects.select_related("partnership", "organisation"), request.user), pk=pk
    )
    on, date_error = as_at_from(request)
    versions = list(
        body.terms_of_reference.select_related("approved_by")
        .prefetch_related(
            "objectives",
            Prefetch("roles", queryset=TermsOfReferenceRole.objects.select_related("organisation")),
        )
        .order_by("-version")
    )
    current = terms_of_reference_as_at(body, on)
    appointments = list(restrict(appointments_as_at(body, on), request.user))
    filled = {appointment.title.lower() for appointment in appointments} | {
        appointment.get_role_display().lower() for appointment in appointments
    }
    required_roles = [role for role in (current.roles.all() if current else []) if role.category == "member"]
    vacancies = [role for role in required_roles if role.title.lower() not in filled]
    delegations = list(
        restrict(Delegation.objects.in_force(on).filter(delegate=body), request.user)
        .select_related("matter", "delegator__organisation")
        .order_by("matter__name")
    )
    # A representing organisation, or a delegating board's organisation, dissolved by the day: who stands in its place.
    in_place = stand_ins(
        {a.representing for a in appointments if a.representing}
        | {d.delegator.organisation for d in delegations if d.delegator and d.delegator.organisation},
        on,
    )
    for appointment in appointments:
        appointment.organisation = appointment.representing
        appointment.in_place = in_place.get(appointment.representing_id, [])
    for delegation in delegations:
        owner = delegation.delegator.organisation_id if delegation.delegator else None
        delegation.in_place = in_place.get(owner, [])
    comparison = _comparison(request, versions)
    history = changes_of(body)
    return render(
        request,
        "pages/body_detail.html",
        {
            "body": body,
            "on": on,
            "date_error": date_error,
            "current": current,
            "versions": versions,
            "appointments": appointments,
            "vacancies": vacancies,
            "delegations": delegations,
            "reporting_lines": body.relationships_from.in_force(on).select_related("to_body"),
            "reporting_in": body.relationships_to.in_force(on).select_related("from_body"),
            "ratifying": ratification_for_body(body, on),
            "comparison": comparison,
            "history": history,
            **body_reading_extras(request, body),
        },
    )


def body_reading_extras(request, body: Body) -> dict:
    """The body's meetings (to come and past, with its calendar feed), decisions and risk register."""
    return {
        "meetings": decision_panels.body_meetings(request, body),
        "decisions": decision_panels.body_decisions(request, body),
        "risk_register": risk_panels.register_summary(request, body),
    }


def terms_as_text(terms: TermsOfReference) -> list[str]:
    """A version's content as lines, for a side-by-side comparison of two versions."""
    lines = [f"Status: {terms.get_status_display()}", f"Purpose: {terms.purpose}"]
    heading = ""
    for objective in terms.objectives.all():
        if objective.heading and objective.heading != heading:
            heading = objective.heading
            lines.append(f"— {heading}")
        lines.append(f"{objective.position}. {objective.text}")
    lines += [f"{role.get_category_display()}: {role.title}" for role in terms.roles.all()]
    lines += [
        f"Quorum: {terms.quorum_rule or terms.quorum_count or 'not stated'}",
        f"Decisions: {terms.get_decision_method_display() or 'not stated'}",
        f"Meets: {terms.frequency_note or terms.get_meeting_frequency_display() or 'not stated'}",
        f"Review every: {terms.review_interval_months or '—'} months",
    ]
    return lines


def _default_pair(versions: list[TermsOfReference]):
    """Without a choice: the version in force against the draft (or the latest), never one against itself."""
    by_number = sorted(versions, key=lambda v: v.version)
    in_force = next((v for v in reversed(by_number) if v.status == TermsOfReference.Status.APPROVED), None)
    draft = next((v for v in reversed(by_number) if v.status == TermsOfReference.Status.DRAFT), None)
    right = draft or by_number[-1]
    left = in_force if in_force is not None and in_force != right else None
    if left is None:
        earlier = [v for v in by_number if v.version < right.version]
        left = earlier[-1] if earlier else None
    return left, right


# How a changed line is marked, in words and a symbol as well as colour (WCAG 1.4.1).
DIFF_MARKS = {"delete": ("− Removed", ""), "insert": ("", "+ Added"), "replace": ("− Was", "+ Now")}


def _comparison(request, versions: list[TermsOfReference]):
    numbers = {str(v.version): v for v in versions}
    left, right = numbers.get(request.GET.get("from", "")), numbers.get(request.GET.get("to", ""))
    if (not left or not right) and len(versions) > 1:
        left, right = _default_pair(versions)
    if not left or not right:
        return None
    rows = []
    matcher = difflib.SequenceMatcher(a=terms_as_text(left), b=terms_as_text(right), autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        a, b = matcher.a[i1:i2], matcher.b[j1:j2]
        left_mark, right_mark = DIFF_MARKS.get(tag, ("", ""))
        for n in range(max(len(a), len(b))):
            rows.append(
                {
                    "left": escape(a[n]) if n < len(a) else "",
                    "right": escape(b[n]) if n < len(b) else "",
                    "changed": tag != "equal",
                    "left_mark": left_mark if n < len(a) else "",
                    "right_mark": right_mark if n < len(b) else "",
                }
            )
    return {"left": left, "right": right, "rows": rows, "changes": sum(1 for row in rows if row["changed"])}


@login_required
def search(request):
    """Search across the registry: bodies, organisations, people, partnerships, matters, decisions and risks."""
    query = request.GET.get("q", "").strip()[:200].replace("\x00", "")
    results: dict[str, list] = {}
    if len(query) >= 2:
        user = request.user
        results = {
            "Bodies": list(
                restrict(ranked(Body.objects.all(), query, ("name", "short_name")), user).select_related(
                    "partnership"
                )[:25]
            ),
            "Organisations": list(
                restrict(
                    ranked(Organisation.objects.all(), query, ("name", "ods_code"), ("other_names",)), user
                )[:25]
            ),
            "People": list(restrict(ranked(Person.objects.all(), query, ("name",)), user)[:25]),
            "Partnerships": list(
                restrict(ranked(Partnership.objects.all(), query, ("name", "short_name")), user)[:25]
            ),
            "Matters": list(
                restrict(ranked(Matter.objects.all(), query, ("name",)), user).select_related("partnership")[
                    :25
                ]
            ),
            "Decisions": list(
                restrict(
                    Decision.objects.filter(
                        Q(resolution__icontains=query) | Q(minute_reference__icontains=query)
                    ),
                    user,
                )
                .select_related("body__partnership")
                .order_by("-decided_on", "-id")[:25]
            ),
            "Risks": list(
                restrict(Risk.objects.filter(Q(reference__icontains=query) | Q(title__icontains=query)), user)
                .select_related("partnership")
                .order_by("partnership__name", "reference")[:25]
            ),
            # Words inside the papers of meetings (PostgreSQL full-text search: meetings.queries).
            "Papers": meeting_queries.paper_search(user, query, limit=25),
        }
    return render(request, "pages/search.html", {"query": query, "results": results})


@login_required
def organisation_detail(request, pk: int):
    organisation = get_object_or_404(restrict(Organisation.objects.all(), request.user), pk=pk)
    on, date_error = as_at_from(request)
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
            "owed": decision_panels.owed_by(request, organisation),
            "risks_led": risk_panels.led_by(request, organisation),
            "lineage": lineage(organisation, on),
            "on": on,
            "date_error": date_error,
        },
    )
