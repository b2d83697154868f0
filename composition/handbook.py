"""The governance handbook: a PDF assembled from the registry as at a date.

What partnerships publish by hand today, made from the records: the members, the structure chart,
every body's terms of reference in force with its membership, the scheme of reservation and the
scheme of delegation as tables, and the approval routes. Drawn with ReportLab (pure Python); the
structure chart is the SVG the partnership page shows (bodies/charts.py), converted by svglib.
"""

from __future__ import annotations

import datetime
import io
import logging
import time
from collections import defaultdict
from collections.abc import Callable
from xml.sax.saxutils import escape

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from bodies.charts import structure_chart
from bodies.models import Appointment, Body, Partnership, TermsOfReference, TermsOfReferenceRole
from bodies.queries import bodies_as_at, memberships_as_at, relationships_as_at
from core import access
from delegation.models import ApprovalRoute, ApprovalStage, Delegation, Reservation

log = logging.getLogger(__name__)

NHS_BLUE = colors.HexColor("#005eb8")
PAGE_WIDTH = A4[0] - 36 * mm
STYLES = getSampleStyleSheet()
BODY = ParagraphStyle("HandbookBody", parent=STYLES["BodyText"], fontSize=9.5, leading=12.5)
CELL = ParagraphStyle("HandbookCell", parent=BODY, fontSize=8, leading=10)
HEAD_CELL = ParagraphStyle("HandbookHeadCell", parent=CELL, fontName="Helvetica-Bold", textColor=colors.white)
H1 = ParagraphStyle("HandbookH1", parent=STYLES["Heading1"], textColor=NHS_BLUE)
H2 = ParagraphStyle("HandbookH2", parent=STYLES["Heading2"], textColor=NHS_BLUE)
H3 = ParagraphStyle("HandbookH3", parent=STYLES["Heading3"])
SMALL = ParagraphStyle("HandbookSmall", parent=BODY, fontSize=8, textColor=colors.HexColor("#425563"))


def _p(text: str, style=BODY) -> Paragraph:
    return Paragraph(escape(text or ""), style)


def _day(value: datetime.date | None) -> str:
    return f"{value:%-d %B %Y}" if value else "—"


def _money(value) -> str:
    return f"£{value:,.0f}" if value is not None else "No limit"


def _table(headings: list[str], rows: list[list[str]], widths: list[float]) -> Table:
    data = [[Paragraph(escape(h), HEAD_CELL) for h in headings]]
    data += [[_p(str(cell) if cell is not None else "", CELL) for cell in row] for row in rows]
    table = Table(data, colWidths=[w * PAGE_WIDTH for w in widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), NHS_BLUE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#aeb7bd")),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f0f4f5")]),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _source(record) -> str:
    return ", ".join(part for part in (record.source_document, record.source_reference) if part)


def _chart(bodies: list[Body], relationships) -> list:
    """The structure chart as a drawing scaled to the page, or nothing if it cannot be drawn."""
    svg = structure_chart(bodies, relationships)
    if not svg:
        return []
    try:
        from svglib.svglib import svg2rlg

        drawing = svg2rlg(io.StringIO(svg))
    except Exception:  # a chart the converter cannot read: the text list of reporting lines stands in
        log.exception("structure chart could not be converted")
        return []
    if drawing is None:
        return []
    scale = min(1.0, PAGE_WIDTH / drawing.width, (A4[1] - 80 * mm) / drawing.height)
    drawing.width, drawing.height = drawing.width * scale, drawing.height * scale
    drawing.scale(scale, scale)
    return [drawing, Spacer(1, 4 * mm)]


def handbook_story(partnership: Partnership, on: datetime.date, progress: Callable[[int], None]) -> list:
    """The handbook's content as ReportLab flowables."""
    story = _cover(partnership, on)
    story += _members_section(partnership, on)
    progress(10)
    bodies = list(bodies_as_at(partnership, on))
    story += _structure_section(partnership, on, bodies)
    progress(25)
    # The scheme of delegation, read once: each body's matters here, the whole scheme in section 5.
    delegations = list(
        Delegation.objects.in_force(on)
        .filter(partnership=partnership)
        .select_related("matter", "delegator", "delegate")
        .order_by("matter__name", "pk")
    )
    story += _bodies_section(on, bodies, delegations, progress)
    story += _reservations_section(partnership, on)
    progress(80)
    story += _delegations_section(delegations)
    progress(90)
    story += _routes_section(partnership)
    progress(95)
    return story


def _cover(partnership: Partnership, on: datetime.date) -> list:
    return [
        Spacer(1, 40 * mm),
        Paragraph(escape(partnership.name), ParagraphStyle("Title", parent=H1, fontSize=26, leading=32)),
        Paragraph("Governance handbook", ParagraphStyle("Subtitle", parent=H2, fontSize=18, leading=24)),
        Spacer(1, 8 * mm),
        _p(f"As at {_day(on)}."),
        _p(
            f"Assembled from the STP Governance Registry on {timezone.localdate():%-d %B %Y}. Every entry cites the "
            "published document it comes from.",
            SMALL,
        ),
        Spacer(1, 8 * mm),
        _p(
            "Contents: 1. Members · 2. Governance structure · 3. Bodies and their terms of reference · "
            "4. Scheme of reservation · 5. Scheme of delegation · 6. Approval routes"
        ),
        PageBreak(),
    ]


def _members_section(partnership: Partnership, on: datetime.date) -> list:
    memberships = list(memberships_as_at(partnership, on))
    return [
        Paragraph("1. Members", H1),
        _table(
            ["Organisation", "Standing", "Status", "Since"],
            [
                [
                    m.organisation.name,
                    m.get_standing_display(),
                    m.get_status_display(),
                    _day(m.effective_from),
                ]
                for m in memberships
            ],
            [0.5, 0.2, 0.15, 0.15],
        )
        if memberships
        else _p("No members are recorded."),
    ]


def _structure_section(partnership: Partnership, on: datetime.date, bodies: list[Body]) -> list:
    relationships = list(relationships_as_at(partnership, on))
    body_ids = {b.pk for b in bodies}
    statutory = {
        rel.to_body_id: rel.to_body
        for rel in relationships
        if rel.to_body.partnership_id is None and rel.to_body_id not in body_ids
    }
    story = [PageBreak(), Paragraph("2. Governance structure", H1)]
    story += _chart([*bodies, *statutory.values()], relationships)
    story += [
        _p(f"{rel.from_body.name} {rel.get_kind_display().lower()} {rel.to_body.name}.")
        for rel in relationships
    ]
    return story


def _bodies_section(
    on: datetime.date, bodies: list[Body], delegations: list[Delegation], progress: Callable[[int], None]
) -> list:
    story = [PageBreak(), Paragraph("3. Bodies and their terms of reference", H1)]
    terms_by_body = {
        terms.body_id: terms
        for terms in TermsOfReference.objects.in_force(on)
        .filter(body__in=bodies)
        .select_related("approved_by")
        .prefetch_related(
            "objectives",
            Prefetch("roles", queryset=TermsOfReferenceRole.objects.select_related("organisation")),
        )
    }
    appointments: dict[int, list[Appointment]] = defaultdict(list)
    for appointment in (
        access.published(Appointment.objects.in_force(on))
        .filter(body__in=bodies)
        .select_related("person", "representing")
        .order_by("role", "person__name")
    ):
        appointments[appointment.body_id].append(appointment)
    delegated: dict[int, list[str]] = defaultdict(list)
    for delegation in delegations:
        delegated[delegation.delegate_id].append(
            f"{delegation.matter.name} ({delegation.get_power_display().lower()})"
        )
    for index, body in enumerate(bodies):
        story += _body_section(
            body, terms_by_body.get(body.pk), appointments.get(body.pk, []), delegated.get(body.pk, [])
        )
        progress(25 + 45 * (index + 1) // max(len(bodies), 1))
    return story


def _reservations_section(partnership: Partnership, on: datetime.date) -> list:
    reservations = list(
        Reservation.objects.in_force(on)
        .filter(partnership=partnership)
        .select_related("matter", "reserved_to_body")
        .order_by("matter__name", "pk")
    )
    return [
        PageBreak(),
        Paragraph("4. Scheme of reservation", H1),
        _p("Matters the partners' own statutory boards keep for themselves."),
        _table(
            ["Matter", "Reserved to", "Power", "Source"],
            [
                [
                    r.matter.name,
                    r.reserved_to_body.name if r.reserved_to_body_id else r.get_reserved_to_display(),
                    r.get_power_display(),
                    _source(r),
                ]
                for r in reservations
            ],
            [0.45, 0.25, 0.1, 0.2],
        )
        if reservations
        else _p("No matters are reserved."),
    ]


def _delegations_section(delegations: list[Delegation]) -> list:
    return [
        PageBreak(),
        Paragraph("5. Scheme of delegation", H1),
        _table(
            ["Matter", "Delegated by", "Delegated to", "Power", "Limit", "Conditions", "Source"],
            [
                [
                    d.matter.name,
                    d.delegator_display,
                    d.delegate_display,
                    d.get_power_display(),
                    _money(d.financial_limit_gbp),
                    d.conditions + (" May be delegated further." if d.further_delegation_permitted else ""),
                    _source(d),
                ]
                for d in delegations
            ],
            [0.22, 0.12, 0.13, 0.1, 0.08, 0.2, 0.15],
        )
        if delegations
        else _p("No delegations are recorded."),
    ]


def _routes_section(partnership: Partnership) -> list:
    routes = list(
        ApprovalRoute.objects.filter(partnership=partnership)
        .prefetch_related(
            Prefetch(
                "stages",
                queryset=ApprovalStage.objects.order_by("position").prefetch_related(
                    Prefetch("acting_bodies", queryset=Body.objects.order_by("name"))
                ),
            )
        )
        .order_by("name")
    )
    story = [PageBreak(), Paragraph("6. Approval routes", H1)]
    if not routes:
        story.append(_p("No approval routes are recorded."))
    for route in routes:
        story.append(Paragraph(escape(f"{route.name} ({route.get_category_display().lower()})"), H2))
        story.append(
            _table(
                ["Stage", "Phase", "What happens", "Who acts", "Power", "Before it"],
                [
                    [
                        str(stage.position),
                        stage.get_phase_display(),
                        stage.name,
                        (" jointly with " if stage.jointly else ", ").join(
                            b.name for b in stage.acting_bodies.all()
                        )
                        or stage.acting_organisations_note,
                        stage.get_power_display(),
                        stage.preconditions,
                    ]
                    for stage in route.stages.all()
                ],
                [0.07, 0.13, 0.25, 0.25, 0.1, 0.2],
            )
        )
    return story


def _body_section(
    body: Body, terms: TermsOfReference | None, appointments: list, delegated: list[str]
) -> list:
    heading = [
        CondPageBreak(60 * mm),
        Paragraph(escape(body.name), H2),
        _p(
            f"{body.get_kind_display()} · {body.get_status_display()}"
            + ("" if body.holds_delegated_authority else " · holds no delegated authority")
            + (" · its decisions bind the partners" if body.decisions_bind_partners else ""),
            SMALL,
        ),
    ]
    parts = [_p("No approved terms of reference are in force.")] if terms is None else _terms_parts(terms)
    if appointments:
        parts.append(Paragraph("Members appointed", H3))
        parts.append(
            _table(
                ["Name", "Role", "Post", "Representing"],
                [
                    [
                        a.person.name,
                        a.get_role_display(),
                        a.title,
                        a.representing.name if a.representing_id else "",
                    ]
                    for a in appointments
                ],
                [0.25, 0.15, 0.35, 0.25],
            )
        )
    if delegated:
        parts.append(Paragraph("Matters delegated to it", H3))
        parts += [_p(f"• {line}") for line in delegated]
    return [KeepTogether(heading + parts[:1]), *parts[1:], Spacer(1, 4 * mm)]


def _terms_parts(terms: TermsOfReference) -> list:
    """The terms of reference in force: approval, purpose, objectives, seats and the facts."""
    approved = f"approved by {terms.approved_by.name} " if terms.approved_by_id else "approved "
    parts: list = [
        _p(
            f"Terms of reference version {terms.version}, {approved}on {_day(terms.approved_on)}, in force from "
            f"{_day(terms.effective_from)}; next review due {_day(terms.next_review_due)}."
            + (f" Source: {_source(terms)}." if _source(terms) else ""),
            SMALL,
        )
    ]
    if terms.purpose:
        parts += [Paragraph("Purpose", H3), _p(terms.purpose)]
    parts += _objective_parts(list(terms.objectives.all()))
    roles = list(terms.roles.all())
    if roles:
        parts.append(Paragraph("Membership", H3))
        parts.append(
            _table(
                ["Seat", "As", "Voting"],
                [
                    [
                        role.title + (" (chair)" if role.is_chair else ""),
                        role.get_category_display(),
                        {True: "Yes", False: "No", None: "Not stated"}[role.voting],
                    ]
                    for role in roles
                ],
                [0.6, 0.25, 0.15],
            )
        )
    facts = [
        ("Quorum", terms.quorum_rule or (str(terms.quorum_count) if terms.quorum_count else "")),
        ("Decisions", terms.get_decision_method_display() if terms.decision_method else ""),
        (
            "Meets",
            terms.frequency_note
            or (terms.get_meeting_frequency_display() if terms.meeting_frequency else ""),
        ),
        ("Review", f"every {terms.review_interval_months} months" if terms.review_interval_months else ""),
    ]
    return parts + [_p(f"{label}: {value}") for label, value in facts if value]


def _objective_parts(objectives: list) -> list:
    """The objectives, each new heading printed once above its group."""
    if not objectives:
        return []
    parts: list = [Paragraph("Objectives", H3)]
    heading_text = ""
    for objective in objectives:
        if objective.heading and objective.heading != heading_text:
            heading_text = objective.heading
            parts.append(_p(heading_text, ParagraphStyle("ObjHead", parent=BODY, fontName="Helvetica-Bold")))
        parts.append(_p(f"{objective.position}. {objective.text}"))
    return parts


def handbook_write(
    partnership: Partnership, on: datetime.date, out, progress: Callable[[int], None] = lambda percent: None
) -> None:
    """Write the handbook PDF for `partnership` as at `on` to the binary file `out`."""
    story = handbook_story(partnership, on, progress)

    def footer(canvas, document):
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(colors.HexColor("#425563"))
        canvas.drawString(18 * mm, 10 * mm, f"{partnership.name}: governance handbook as at {_day(on)}")
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"Page {document.page}")
        canvas.restoreState()

    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=f"{partnership.name}: governance handbook as at {on.isoformat()}",
        author="STP Governance Registry",
    )
    # Laying out a large handbook takes a while: keep reporting (which renews the export's lease).
    reported_at = time.monotonic()

    def after_flowable(flowable):
        nonlocal reported_at
        if time.monotonic() - reported_at >= settings.JOB_LEASE_SECONDS / 4:
            progress(95)
            reported_at = time.monotonic()

    document.afterFlowable = after_flowable
    document.build(story, onFirstPage=footer, onLaterPages=footer)
