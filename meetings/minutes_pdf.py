"""The minutes as a PDF (reportlab): attendance, then each item's minute with its decisions,
declarations and actions as recorded (linked, not retyped), and the approval and amendments."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer


def _day(value) -> str:
    return f"{value.day} {value:%B %Y}"


def minutes_document(*, meeting, minutes, items, attendance) -> bytes:
    sheet = getSampleStyleSheet()
    title, heading, body = sheet["Title"], sheet["Heading3"], sheet["BodyText"]
    when = timezone.localtime(meeting.starts_at)
    status = (
        f"Approved at the meeting of {_day(minutes.approval.meeting.meeting_date)} "
        f"(minute {escape(minutes.approval.minute_reference or str(minutes.approval.pk))})."
        if minutes.locked
        else "Draft: not yet approved."
    )
    story = [
        Paragraph(f"Minutes: {escape(meeting.body.name)}", title),
        Paragraph(f"{when.day} {when:%B %Y}, {when:%H:%M}, {escape(meeting.place or '')}", body),
        Paragraph(status, body),
        Spacer(1, 8),
        Paragraph("Attendance", heading),
    ]
    for seat in attendance:
        deputy = f" (represented by {escape(seat.deputy.name)})" if seat.deputy_id else ""
        story.append(
            Paragraph(f"{escape(seat.person.name)}: {seat.get_status_display().lower()}{deputy}", body)
        )
    for view in items:
        item = view.item
        story.append(
            Paragraph(f"{escape(item.reference or str(item.position))}. {escape(item.title)}", heading)
        )
        entry = view.entry
        for paragraph in (entry.text if entry else "").split("\n\n"):
            if paragraph.strip():
                story.append(Paragraph(escape(paragraph).replace("\n", "<br/>"), body))
        for declaration in view.declarations:
            story.append(
                Paragraph(
                    f"Declaration: {escape(declaration.person.name)}, {escape(declaration.nature)} ({declaration.get_management_display().lower()}).",
                    body,
                )
            )
        for decision in view.decisions:
            story.append(
                Paragraph(
                    f"Decision {escape(decision.minute_reference or '')}: {escape(decision.resolution)} ({decision.get_outcome_display().lower()}).",
                    body,
                )
            )
        for action in view.actions:
            story.append(
                Paragraph(
                    f"Action: {escape(action.description)} Owner: {escape(action.owner.name)}; due {_day(action.due_on)}.",
                    body,
                )
            )
        for amendment in entry.amendments.all() if entry else ():
            story.append(
                Paragraph(
                    f"Amended {_day(timezone.localtime(amendment.made_at).date())}: {escape(amendment.reason)}",
                    body,
                )
            )
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, title=f"Minutes: {meeting}").build(story)
    return out.getvalue()
