"""The agenda pack: one PDF made in the background (meetings.tasks.make_pack).

A cover, the agenda (item number, title, purpose, presenter, time and the page each item starts
on), then each item's PDF papers in agenda order, with a bookmark per item (and per paper under
it). Word, Excel and PowerPoint papers are listed on the agenda with the address of their page.
The public pack leaves the restricted items out; the members' pack keeps them.

Memory: the cover and agenda are drawn by reportlab; the papers' pages are taken from their files
one paper at a time (pypdf reads a page's objects lazily from the file), and the pack is written to
a temporary file, then handed to the storage. tests/meetings/test_packs.py measures it.
"""

from __future__ import annotations

import io
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from core import access
from core.leases import job_heartbeat, job_run
from core.notifications import absolute
from decisions.models import AgendaItem
from meetings.models import Action, AgendaPack, Paper, PaperVersion
from meetings.pdfstream import Bookmark, StreamingPdf


@dataclass
class PackPaper:
    title: str
    version: PaperVersion | None
    url: str
    is_pdf: bool
    pages: int = 0
    start: int | None = None


@dataclass
class PackItem:
    item: AgendaItem
    papers: list[PackPaper] = field(default_factory=list)
    start: int | None = None


def pack_items(pack: AgendaPack) -> list[PackItem]:
    """The items the pack carries, in agenda order, with their papers' newest versions."""
    items = AgendaItem.objects.filter(meeting=pack.meeting).select_related("presenter").order_by("position")
    if not pack.members_only:
        items = access.published(items)
    papers = Paper.objects.filter(current_version__gt=0).defer("search").order_by("position", "id")
    versions = PaperVersion.objects.defer("text").order_by("-number")
    items = items.prefetch_related(
        Prefetch("papers", queryset=papers.prefetch_related(Prefetch("versions", queryset=versions)))
    )
    found = []
    for item in items:
        entry = PackItem(item=item)
        for paper in item.papers.all():
            version = next((v for v in paper.versions.all() if v.number == paper.current_version), None)
            is_pdf = version is not None and version.kind == PaperVersion.Kind.PDF
            entry.papers.append(
                PackPaper(
                    title=paper.title,
                    version=version,
                    url=absolute(reverse("meeting-paper", args=[paper.pk])),
                    is_pdf=is_pdf,
                    pages=(version.pages or 0) if is_pdf else 0,
                )
            )
        found.append(entry)
    return found


def _styles():
    sheet = getSampleStyleSheet()
    return sheet["Title"], sheet["Heading2"], sheet["BodyText"]


def cover_pdf(pack: AgendaPack) -> bytes:
    meeting = pack.meeting
    title, heading, body = _styles()
    when = timezone.localtime(meeting.starts_at)
    story = [
        Spacer(1, 60 * mm),
        Paragraph(escape(meeting.body.name), title),
        Paragraph(escape(meeting.title or "Meeting"), heading),
        Paragraph(f"{when.day} {when:%B %Y}, {when:%H:%M}", heading),
        Paragraph(escape(meeting.place or ""), body),
        Spacer(1, 20 * mm),
        Paragraph(
            "Members’ pack: includes items not for publication." if pack.members_only else "Public pack",
            heading,
        ),
    ]
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, title=f"Agenda pack: {meeting}").build(story)
    return out.getvalue()


def open_actions(pack: AgendaPack) -> list:
    """The body's actions still open from earlier meetings (the public pack: published ones only)."""
    meeting = pack.meeting
    actions = Action.objects.filter(
        body=meeting.body_id, status=Action.Status.OPEN, agenda_item__meeting__starts_at__lt=meeting.starts_at
    )
    if not pack.members_only:
        actions = access.published(actions)
    return list(actions.select_related("owner").order_by("due_on", "pk"))


def agenda_pdf(pack: AgendaPack, items: list[PackItem]) -> bytes:
    _, heading, body = _styles()
    rows = [["Item", "Title", "Purpose", "Presenter", "Time", "Page"]]
    for entry in items:
        item = entry.item
        lines = [f"<b>{escape(item.title)}</b>"]
        for paper in entry.papers:
            if paper.is_pdf:
                lines.append(f"Paper: {escape(paper.title)} (page {paper.start})")
            else:
                lines.append(
                    f'Paper: {escape(paper.title)}, not in the pack: <link href="{escape(paper.url)}">{escape(paper.url)}</link>'
                )
        rows.append(
            [
                item.reference or str(item.position),
                Paragraph("<br/>".join(lines), body),
                item.get_purpose_display() or "",
                Paragraph(escape(item.presenter.name if item.presenter else ""), body),
                item.planned_time.strftime("%H:%M") if item.planned_time else "",
                str(entry.start or ""),
            ]
        )
    table = Table(rows, colWidths=[12 * mm, 80 * mm, 25 * mm, 30 * mm, 14 * mm, 12 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.grey),
            ]
        )
    )
    story = [Paragraph("Agenda", heading), table]
    arising = open_actions(pack)
    if arising:
        story.append(Paragraph("Matters arising: actions still open", heading))
        story += [
            Paragraph(
                f"{escape(a.description)} ({escape(a.owner.name)}; due {a.due_on.day} {a.due_on:%B %Y})", body
            )
            for a in arising
        ]
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, title="Agenda").build(story)
    return out.getvalue()


def _page_count(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def lay_out(pack: AgendaPack, items: list[PackItem]) -> tuple[bytes, bytes]:
    """The cover and the agenda, with each item's and paper's first page in the pack."""
    cover = cover_pdf(pack)
    agenda_pages, previous = 1, None
    while previous != agenda_pages:  # the agenda's own length moves the page numbers
        previous = agenda_pages
        page = _page_count(cover) + agenda_pages + 1
        for entry in items:
            entry.start = None
            for paper in entry.papers:
                if paper.is_pdf and paper.pages:
                    paper.start = page
                    entry.start = entry.start or page
                    page += paper.pages
        agenda = agenda_pdf(pack, items)
        agenda_pages = _page_count(agenda)
    return cover, agenda


class PackProgress:
    def __init__(self, pack_id: int, holder: uuid.UUID, total: int):
        self.pack_id, self.holder, self.total, self.done = pack_id, holder, max(total, 1), 0
        self.reported_at = 0.0

    def advance(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if now - self.reported_at >= 0.2:
            job_heartbeat(
                AgendaPack,
                pk=self.pack_id,
                holder=self.holder,
                progress=min(99, self.done * 100 // self.total),
            )
            self.reported_at = now


def build_pack(pack: AgendaPack, out, progress: PackProgress | None = None) -> int:
    """Write the pack's PDF to `out` as it goes (meetings/pdfstream.py); returns its page count."""
    items = pack_items(pack)
    cover, agenda = lay_out(pack, items)
    pdf = StreamingPdf(out)
    pdf.add_pdf(io.BytesIO(cover))
    agenda_start = pdf.page_count
    pdf.add_pdf(io.BytesIO(agenda))
    del cover, agenda
    step = progress.advance if progress else None
    bookmarks = [Bookmark("Cover", 0), Bookmark("Agenda", agenda_start)]
    for entry in items:
        item = entry.item
        mark = Bookmark(f"{item.reference or item.position}. {item.title}", agenda_start)
        for paper in entry.papers:
            if not (paper.is_pdf and paper.pages):
                continue
            first = pdf.page_count
            with paper.version.file.open("rb") as handle:
                pdf.add_pdf(handle, on_page=(lambda: step(1)) if step else None)
            if not mark.children:
                mark.page = first
            mark.children.append(Bookmark(paper.title, first))
        bookmarks.append(mark)
    pdf.finish(title=f"Agenda pack: {pack.meeting}", bookmarks=bookmarks)
    return pdf.page_count


def total_pages(pack: AgendaPack) -> int:
    return sum(p.pages for entry in pack_items(pack) for p in entry.papers if p.is_pdf) + 2


def pack_run(*, pack_id: int, retry_in: float | None = None) -> AgendaPack | None:
    """Make the pack's file (core.leases.job_run: idempotent, retried or failed with the reason)."""
    return job_run(
        AgendaPack,
        pk=pack_id,
        values={"status": AgendaPack.Status.RUNNING, "progress": 0},
        make=_pack_make,
        retry_in=retry_in,
    )


def _pack_make(pack: AgendaPack, holder: uuid.UUID) -> AgendaPack:
    pack = AgendaPack.objects.select_related("meeting__body").get(pk=pack.pk)
    progress = PackProgress(pack.pk, holder, total_pages(pack))
    with tempfile.TemporaryFile(dir=settings.FILE_UPLOAD_TEMP_DIR) as out:
        pages = build_pack(pack, out, progress)
        out.seek(0)
        with transaction.atomic():
            pack = (
                AgendaPack.objects.select_for_update(of=("self",))
                .select_related("meeting__body")
                .order_by()
                .get(pk=pack.pk)
            )
            if pack.status == AgendaPack.Status.DONE:
                return pack
            meeting = pack.meeting
            name = f"meeting-{meeting.pk}-{meeting.meeting_date.isoformat()}-{'members' if pack.members_only else 'public'}-pack.pdf"
            pack.file.save(name, File(out), save=False)
            pack.status, pack.progress, pack.pages, pack.finished_at, pack.error = (
                AgendaPack.Status.DONE,
                100,
                pages,
                timezone.now(),
                "",
            )
            pack.lease_expires_at = pack.lease_holder = None
            pack.save()
    return pack
