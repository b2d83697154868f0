"""What an uploaded paper is, read from its content (never its name), and its text for search.

PDF: `%PDF-` at the start, read with pypdf (an encrypted or broken PDF is refused). Word, Excel and
PowerPoint (the Office Open XML formats): a zip whose `[Content_Types].xml` names the main part of
the format; their text is read from the parts' XML (the `w:t`, `a:t` runs; the shared strings and
inline cells of a workbook) with the standard library.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from pypdf import PdfReader
from pypdf.errors import PdfReadError

MAIN_PARTS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
TEXT_PARTS = {
    "docx": re.compile(r"^word/(document|header\d*|footer\d*|footnotes)\.xml$"),
    "xlsx": re.compile(r"^xl/(sharedStrings|worksheets/sheet\d+)\.xml$"),
    "pptx": re.compile(r"^ppt/slides/slide\d+\.xml$"),
}
TEXT_TAGS = {"t", "v"}  # w:t, a:t, the workbook's t (shared strings) and inline values
MAX_TEXT = 1_000_000  # characters kept for search
MAX_XML_PART = 20 * 1024 * 1024  # uncompressed bytes read from one part (zip bombs)

REFUSED = "Upload a PDF, Word (.docx), Excel (.xlsx) or PowerPoint (.pptx) file."


@dataclass
class Inspected:
    kind: str
    pages: int | None
    text: str


def inspect(upload) -> Inspected:
    """The kind of the file (by content), its page count (PDF) and its text; ValidationError otherwise."""
    size = upload.size
    if size == 0:
        raise ValidationError({"file": "The file is empty."})
    if size > settings.PAPER_MAX_BYTES:
        raise ValidationError(
            {"file": f"The file is larger than {settings.PAPER_MAX_BYTES // (1024 * 1024)} MB."}
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return _inspect_pdf(upload)
    if head.startswith(b"PK\x03\x04"):
        return _inspect_office(upload)
    raise ValidationError({"file": REFUSED})


def _inspect_pdf(upload) -> Inspected:
    try:
        reader = PdfReader(upload)
        if reader.is_encrypted:
            raise ValidationError({"file": "The PDF is protected by a password; upload it without one."})
        pages = len(reader.pages)
        parts, length = [], 0
        for page in reader.pages:
            if length >= MAX_TEXT:
                break
            text = page.extract_text() or ""
            parts.append(text)
            length += len(text)
    except (PdfReadError, ValueError, KeyError, TypeError) as error:
        raise ValidationError({"file": "The PDF cannot be read; it may be damaged."}) from error
    finally:
        upload.seek(0)
    return Inspected(kind="pdf", pages=pages, text="\n".join(parts)[:MAX_TEXT])


def _inspect_office(upload) -> Inspected:
    try:
        with zipfile.ZipFile(upload) as archive:
            types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
            kind = next((k for k, main in MAIN_PARTS.items() if main in types), None)
            if kind is None:
                raise ValidationError({"file": REFUSED})
            text = _office_text(archive, kind)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError) as error:
        raise ValidationError({"file": "The file cannot be read; it may be damaged. " + REFUSED}) from error
    finally:
        upload.seek(0)
    return Inspected(kind=kind, pages=None, text=text)


def _office_text(archive: zipfile.ZipFile, kind: str) -> str:
    parts, length = [], 0
    names = sorted(
        (n for n in archive.namelist() if TEXT_PARTS[kind].match(n)),
        key=lambda n: [int(d) if d.isdigit() else d for d in re.split(r"(\d+)", n)],
    )
    for name in names:
        if archive.getinfo(name).file_size > MAX_XML_PART or length >= MAX_TEXT:
            continue
        root = ElementTree.fromstring(archive.read(name))
        words = [el.text for el in root.iter() if el.tag.rsplit("}", 1)[-1] in TEXT_TAGS and el.text]
        chunk = " ".join(words)
        parts.append(chunk)
        length += len(chunk)
    return "\n".join(parts)[:MAX_TEXT]


def paper_file_response(paper, number: int | None = None):
    """Version `number` of a paper (its newest when None) as a download, for whoever may read the
    paper (the caller finds it through `restrict`): the staff page's and the API's answer."""
    version = paper.versions.filter(number=number or paper.current_version).first()
    if version is None:
        raise Http404("No such version.")
    name = f"{paper.title[:80]} (v{version.number}).{version.kind}"
    return file_response(version.file, name, CONTENT_TYPES[version.kind], inline=version.kind == "pdf")


def pack_file_response(pack):
    """A made agenda pack as a PDF (404 until it is made): the staff page's and the API's answer."""
    if pack.status != pack.Status.DONE:
        raise Http404("The pack is not ready.")
    kind = "members-pack" if pack.members_only else "public-pack"
    return file_response(pack.file, f"{kind}-{pack.meeting.meeting_date.isoformat()}.pdf", "application/pdf")


def file_response(
    field, name: str, content_type: str, *, inline: bool = True, private: bool = True
) -> FileResponse:
    """A stored file (a paper, a pack) as a download: never sniffed as another type; `private` ones
    are never cached (a public one's caching is the public site's: composition/public_site.py)."""
    try:
        handle = field.open("rb")
    except FileNotFoundError as error:
        raise Http404("The file is missing from the store.") from error
    response = FileResponse(handle, as_attachment=not inline, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    if private:
        response["Cache-Control"] = "private, no-store"
    return response
