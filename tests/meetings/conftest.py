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
