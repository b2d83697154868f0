"""The decisions tests' small partnership (a board of four, a quorum of three), with its meeting
cycle: users for its secretariat and members, and papers made on the fly."""

import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from core.access import grant_role
from tests import factories
from tests.decisions.conftest import attend, held_meeting, scheme  # noqa: F401 (fixtures)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def pdf_bytes(text: str = "A paper", pages: int = 1) -> bytes:
    out = io.BytesIO()
    drawing = canvas.Canvas(out, pagesize=A4)
    for page in range(pages):
        drawing.drawString(72, 760, f"{text} (page {page + 1})")
        drawing.showPage()
    drawing.save()
    return out.getvalue()


def pdf_upload(text: str = "A paper", pages: int = 1, name: str = "paper.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(text, pages), content_type="application/pdf")


def docx_bytes(text: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>",
        )
    return out.getvalue()


def docx_upload(text: str, name: str = "paper.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, docx_bytes(text), content_type="application/octet-stream")


def user_for(partnership, role: str, person=None):
    user = factories.UserFactory()
    grant_role(user=user, partnership=partnership, role=role)
    if person is not None:
        person.user = user
        person.email = person.email or f"{user.username}@example.org"
        person.save()
    return user


@pytest.fixture
def secretariat(scheme):  # noqa: F811
    return user_for(scheme.partnership, "secretariat")


@pytest.fixture
def member(scheme):  # noqa: F811
    """Member 1 of the board, signed in as themselves."""
    return user_for(scheme.partnership, "member", scheme.members[1])


@pytest.fixture
def next_meeting(scheme):  # noqa: F811
    return held_meeting(scheme.board, scheme.meeting.meeting_date + datetime.timedelta(days=30))


def restricted_item(partnership, reason="Commercially confidential."):
    from meetings import services

    meeting = factories.MeetingFactory(body__partnership=partnership)
    return services.agenda_item_add(
        meeting=meeting, title="Restricted business", restricted=True, restriction_reason=reason
    )


def _restricted_paper(p):
    from meetings import services

    return services.paper_upload(agenda_item=restricted_item(p), upload=pdf_upload("Restricted paper"))


def _restricted_action(p):
    from meetings import services

    item = restricted_item(p)
    owner = factories.AppointmentFactory(body=item.meeting.body).person
    return services.action_add(
        agenda_item=item, description="Restricted action", owner=owner, due_on=datetime.date(2030, 1, 1)
    )


def _restricted_entry(p):
    from meetings import services

    item = restricted_item(p)
    return services.minutes_draft(meeting=item.meeting, texts={item.pk: "Restricted minute."}).entries.get()


def _restricted_amendment(p):
    from meetings.models import MinuteAmendment

    return MinuteAmendment.objects.create(
        entry=_restricted_entry(p), previous_text="a", text="b", reason="Corrected"
    )


def _members_pack(p):
    from meetings.models import AgendaPack

    return AgendaPack.objects.create(meeting=restricted_item(p).meeting, members_only=True)


def _restricted_update(p):
    from meetings import services

    return services.action_update(action=_restricted_action(p), text="Progress")


# A restricted record of each meeting-cycle model that declares itself restricted (used by
# tests/platform/test_restricted_records.py's walk over every declaring model).
MEETING_RESTRICTED_BUILDERS = {
    "Paper": lambda p: _restricted_paper(p).paper,
    "PaperVersion": _restricted_paper,
    "AgendaPack": _members_pack,
    "MinuteEntry": _restricted_entry,
    "MinuteAmendment": _restricted_amendment,
    "Action": _restricted_action,
    "ActionUpdate": _restricted_update,
}
