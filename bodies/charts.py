"""The governance structure chart: bodies and their reporting lines, laid out automatically as SVG.

A layered layout: a body sits one row below the lowest body it reports to (or is held to
account by); bodies in a row are ordered by where their parents sit, to keep lines short; a
row with many bodies wraps. Drawn with presentation attributes only (no inline styles, so the
page's CSP holds), every box a link to its body, with a text fallback beside the picture.
"""

from __future__ import annotations

import textwrap
from collections import defaultdict
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.urls import reverse

# Lines that put the second body above the first.
UPWARD = {"reports_to", "accountable_to"}
DOWNWARD = {"holds_to_account"}

BOX_W, BOX_H, GAP_X, GAP_Y, MAX_PER_ROW, MARGIN = 190, 62, 22, 58, 7, 16

KIND_FILL = {
    "board": "#005eb8",
    "executive": "#003087",
    "statutory_board": "#330072",
    "joint_committee": "#007f3b",
    "committees_in_common": "#007f3b",
}
DEFAULT_FILL = "#ffffff"


@dataclass
class Box:
    pk: int
    name: str
    kind: str
    x: int = 0
    y: int = 0

    @property
    def dark(self) -> bool:
        return self.kind in KIND_FILL


def structure_chart(bodies, relationships, on=None) -> str:
    """SVG for `bodies` (in force) and the `relationships` between them (links carry the `on` date)."""
    boxes = {body.pk: Box(body.pk, body.name, body.kind) for body in bodies}
    parents: dict[int, set[int]] = defaultdict(set)
    lines: list[tuple[int, int, str]] = []
    for rel in relationships:
        if rel.from_body_id not in boxes or rel.to_body_id not in boxes:
            continue
        if rel.kind in UPWARD:
            parents[rel.from_body_id].add(rel.to_body_id)
            lines.append((rel.to_body_id, rel.from_body_id, "solid"))
        elif rel.kind in DOWNWARD:
            parents[rel.to_body_id].add(rel.from_body_id)
            lines.append((rel.from_body_id, rel.to_body_id, "solid"))
        elif rel.kind == "advises":
            lines.append((rel.to_body_id, rel.from_body_id, "dashed"))
    if not boxes:
        return ""
    rank = _ranks(boxes, parents)
    rows = _rows(boxes, rank, parents)
    width = max(len(row) for row in rows) * (BOX_W + GAP_X) - GAP_X + 2 * MARGIN
    for row_index, row in enumerate(rows):
        offset = (width - 2 * MARGIN - (len(row) * (BOX_W + GAP_X) - GAP_X)) // 2
        for column, pk in enumerate(row):
            boxes[pk].x = MARGIN + offset + column * (BOX_W + GAP_X)
            boxes[pk].y = MARGIN + row_index * (BOX_H + GAP_Y)
    height = len(rows) * (BOX_H + GAP_Y) - GAP_Y + 2 * MARGIN
    return _draw(boxes, _unique(lines), width, height, on)


def _ranks(boxes: dict[int, Box], parents: dict[int, set[int]]) -> dict[int, int]:
    rank: dict[int, int] = {}

    def depth(pk: int, trail: frozenset[int]) -> int:
        if pk in rank:
            return rank[pk]
        above = [p for p in parents.get(pk, ()) if p not in trail]
        value = 0 if not above else 1 + max(depth(p, trail | {pk}) for p in above)
        rank[pk] = value
        return value

    for pk in sorted(boxes, key=lambda k: boxes[k].name):
        depth(pk, frozenset())
    return rank


def _rows(boxes, rank, parents) -> list[list[int]]:
    by_rank: dict[int, list[int]] = defaultdict(list)
    for pk, value in rank.items():
        by_rank[value].append(pk)
    position: dict[int, float] = {}
    rows: list[list[int]] = []
    for value in sorted(by_rank):
        members = by_rank[value]

        def barycentre(pk: int) -> tuple[float, str]:
            above = [position[p] for p in parents.get(pk, ()) if p in position]
            return (sum(above) / len(above) if above else float("inf"), boxes[pk].name)

        members.sort(key=barycentre)
        for start in range(0, len(members), MAX_PER_ROW):
            row = members[start : start + MAX_PER_ROW]
            for column, pk in enumerate(row):
                position[pk] = column - len(row) / 2
            rows.append(row)
    return rows


def _unique(lines):
    seen, kept = set(), []
    for top, bottom, style in lines:
        if (top, bottom) not in seen:
            seen.add((top, bottom))
            kept.append((top, bottom, style))
    return kept


def _draw(boxes: dict[int, Box], lines, width: int, height: int, on=None) -> str:
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="chart-title" font-family="Frutiger W01, Arial, sans-serif">',
        '<title id="chart-title">Governance structure chart</title>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="5" refY="9" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M 0 0 L 5 10 L 10 0 z" fill="#425563"/></marker></defs>',
    ]
    for top, bottom, style in lines:
        a, b = boxes[top], boxes[bottom]
        x1, y1, x2, y2 = a.x + BOX_W // 2, a.y + BOX_H, b.x + BOX_W // 2, b.y
        if b.y <= a.y:  # same row or upwards: connect the sides
            x1, y1, x2, y2 = a.x + BOX_W, a.y + BOX_H // 2, b.x, b.y + BOX_H // 2
        dash = ' stroke-dasharray="6 4"' if style == "dashed" else ""
        mid = (y1 + y2) // 2
        out.append(
            f'<path d="M {x1} {y1} C {x1} {mid}, {x2} {mid}, {x2} {y2}" fill="none" stroke="#425563" '
            f'stroke-width="1.5"{dash} marker-start="url(#arrow)"/>'
        )
    for box in boxes.values():
        fill = KIND_FILL.get(box.kind, DEFAULT_FILL)
        ink = "#ffffff" if box.dark else "#212b32"
        href = escape(reverse("body-detail", args=[box.pk]) + (f"?as_at={on:%Y-%m-%d}" if on else ""))
        label = textwrap.wrap(box.name, 26)[:3]
        first_y = box.y + BOX_H // 2 - (len(label) - 1) * 8 + 5
        text = "".join(
            f'<text x="{box.x + BOX_W // 2}" y="{first_y + 16 * i}" text-anchor="middle" font-size="14" '
            f'fill="{ink}">{escape(line)}</text>'
            for i, line in enumerate(label)
        )
        out.append(
            f'<a href="{href}"><title>{escape(box.name)}</title>'
            f'<rect x="{box.x}" y="{box.y}" width="{BOX_W}" height="{BOX_H}" rx="4" fill="{fill}" '
            f'stroke="#005eb8" stroke-width="2"/>{text}</a>'
        )
    out.append("</svg>")
    return "".join(out)
