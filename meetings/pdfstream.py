"""A PDF written as it is made: pages copied from one source PDF at a time, straight to the output.

pypdf's PdfWriter keeps every page it is given until it writes the file, so its memory grows with
the pack. Here each source is read with pypdf, the objects its pages reach are renumbered and
written out at once, and the source is dropped before the next; what stays in memory is one
object offset per object and one number per page (tests/meetings/test_pages.py measures it).
The pages tree, the outline (bookmarks), the catalogue and the cross-reference table are written
at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import BinaryIO

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    PdfObject,
    TextStringObject,
)

CATALOG, PAGES = 1, 2


@dataclass
class Bookmark:
    title: str
    page: int  # 0-based page of the output
    children: list[Bookmark] = field(default_factory=list)


class OutputReference(IndirectObject):
    """A reference to an object of the output (a source object may be reached, and remapped, twice:
    a direct dictionary shared by the pages that inherit it)."""


def _ref(number: int) -> IndirectObject:
    return OutputReference(number, 0, None)


class StreamingPdf:
    def __init__(self, out: BinaryIO):
        self.out = out
        self.offsets: dict[int, int] = {}
        self.next_number = 3
        self.kids: list[int] = []
        out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    @property
    def page_count(self) -> int:
        return len(self.kids)

    def _reserve(self) -> int:
        number = self.next_number
        self.next_number += 1
        return number

    def _write(self, number: int, obj: PdfObject) -> None:
        self.offsets[number] = self.out.tell()
        self.out.write(f"{number} 0 obj\n".encode())
        obj.write_to_stream(self.out)
        self.out.write(b"\nendobj\n")

    def add_pdf(self, stream: BinaryIO, on_page=None) -> int:
        """Copy every page of the PDF in `stream`; returns how many."""
        reader = PdfReader(stream)
        numbers: dict[tuple[int, int], int] = {}
        pending: list[tuple[int, IndirectObject]] = []

        def renumbered(indirect: IndirectObject) -> IndirectObject:
            key = (indirect.idnum, indirect.generation)
            if key not in numbers:
                numbers[key] = self._reserve()
                pending.append((numbers[key], indirect))
            return _ref(numbers[key])

        def remap(obj):
            if isinstance(obj, OutputReference):
                return obj
            if isinstance(obj, IndirectObject):
                return renumbered(obj)
            if isinstance(obj, DictionaryObject):
                for key, value in list(obj.items()):
                    obj[key] = remap(value)
            elif isinstance(obj, ArrayObject):
                for index, value in enumerate(obj):
                    obj[index] = remap(value)
            return obj

        pages = set()
        for page in reader.pages:
            reference = page.indirect_reference
            pages.add((reference.idnum, reference.generation))
            self.kids.append(renumbered(reference).idnum)
        added = 0
        while pending:
            number, indirect = pending.pop()
            obj = indirect.get_object()
            if (indirect.idnum, indirect.generation) in pages:
                obj = DictionaryObject({k: v for k, v in obj.items() if k != "/Parent"})
                obj[NameObject("/Parent")] = _ref(PAGES)
                added += 1
                if on_page:
                    on_page()
            elif isinstance(obj, DictionaryObject) and obj.get("/Type") in ("/Pages", "/Catalog"):
                obj = NullObject()  # the source's own tree, reached through a link: not copied
            self._write(number, remap(obj))
            # Written: let the reader forget it (its cache would hold the whole source otherwise).
            reader.resolved_objects.pop((indirect.generation, indirect.idnum), None)
        return added

    def _outline(self, bookmarks: list[Bookmark]) -> int | None:
        if not bookmarks:
            return None
        root = self._reserve()
        first, last = self._outline_level(bookmarks, root)
        self._write(
            root,
            DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Outlines"),
                    NameObject("/First"): _ref(first),
                    NameObject("/Last"): _ref(last),
                    NameObject("/Count"): NumberObject(len(bookmarks)),
                }
            ),
        )
        return root

    def _outline_level(self, bookmarks: list[Bookmark], parent: int) -> tuple[int, int]:
        numbers = [self._reserve() for _ in bookmarks]
        for index, (number, bookmark) in enumerate(zip(numbers, bookmarks, strict=True)):
            entry = DictionaryObject(
                {
                    NameObject("/Title"): TextStringObject(bookmark.title),
                    NameObject("/Parent"): _ref(parent),
                    NameObject("/Dest"): ArrayObject([_ref(self.kids[bookmark.page]), NameObject("/Fit")]),
                }
            )
            if index:
                entry[NameObject("/Prev")] = _ref(numbers[index - 1])
            if index + 1 < len(numbers):
                entry[NameObject("/Next")] = _ref(numbers[index + 1])
            if bookmark.children:
                first, last = self._outline_level(bookmark.children, number)
                entry[NameObject("/First")] = _ref(first)
                entry[NameObject("/Last")] = _ref(last)
                entry[NameObject("/Count")] = NumberObject(-len(bookmark.children))  # closed
            self._write(number, entry)
        return numbers[0], numbers[-1]

    def finish(self, *, title: str, bookmarks: list[Bookmark]) -> None:
        outline = self._outline(bookmarks)
        self._write(
            PAGES,
            DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Pages"),
                    NameObject("/Kids"): ArrayObject(_ref(kid) for kid in self.kids),
                    NameObject("/Count"): NumberObject(len(self.kids)),
                }
            ),
        )
        catalog = DictionaryObject(
            {NameObject("/Type"): NameObject("/Catalog"), NameObject("/Pages"): _ref(PAGES)}
        )
        if outline:
            catalog[NameObject("/Outlines")] = _ref(outline)
            catalog[NameObject("/PageMode")] = NameObject("/UseOutlines")
        self._write(CATALOG, catalog)
        info = self._reserve()
        self._write(info, DictionaryObject({NameObject("/Title"): TextStringObject(title)}))
        start = self.out.tell()
        size = self.next_number
        self.out.write(f"xref\n0 {size}\n0000000000 65535 f \n".encode())
        for number in range(1, size):
            self.out.write(f"{self.offsets[number]:010d} 00000 n \n".encode())
        self.out.write(f"trailer\n<< /Size {size} /Root {CATALOG} 0 R /Info {info} 0 R >>\n".encode())
        self.out.write(f"startxref\n{start}\n%%EOF\n".encode())
