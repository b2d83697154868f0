"""A heat map drawn as SVG: the likelihood x consequence grid, cells coloured by band, counts in cells.

Drawn from the heat map's JSON shape (what the API answers), so the picture and the data
cannot disagree. Every piece of text is escaped; colours are presentation attributes, not
inline styles, so the picture needs nothing from the site's content security policy.
"""

from html import escape

CELL = 64
LEFT = 170  # room for the likelihood labels
TOP = 70  # room for the title and subtitle
RIGHT = 24
BOTTOM = 112  # consequence labels, axis title and legend
MARGIN = 12
CHAR = 7  # an average character's width at the legend's size, for laying out its entries
TITLE_CHAR = 9.5  # the same at the title's size and weight

# The NPSA matrix's colours: green, yellow, amber, red.
FILL = {"low": "#92d050", "moderate": "#ffff00", "high": "#ffc000", "extreme": "#e00000"}
INK = {"low": "#000000", "moderate": "#000000", "high": "#000000", "extreme": "#ffffff"}


def _text(x: float, y: float, content: str, **attributes) -> str:
    attrs = " ".join(
        f'{name.rstrip("_").replace("_", "-")}="{escape(str(value))}"' for name, value in attributes.items()
    )
    return f'<text x="{x:g}" y="{y:g}" {attrs}>{escape(content)}</text>'


def heat_map_svg(heat_map: dict) -> str:
    """The SVG document for a heat map in the API's JSON shape."""
    rows, columns = heat_map["likelihood_scale"], heat_map["consequence_scale"]
    legend = [
        (band["band"], f"{band['label']} {band['lowest']}–{band['highest']}") for band in heat_map["bands"]
    ]
    legend_width = sum(22 + CHAR * len(text) + 14 for _, text in legend)
    title = heat_map["title"]
    width = max(
        LEFT + columns * CELL + RIGHT,
        LEFT + legend_width + RIGHT,
        MARGIN + round(TITLE_CHAR * len(title)) + RIGHT,
    )
    height = TOP + rows * CELL + BOTTOM
    total = sum(cell["count"] for cell in heat_map["cells"])
    subtitle = f"{total} open risk{'s' if total != 1 else ''} by {heat_map['scores']} score"
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="heat-map-title" '
        'font-family="Arial, Helvetica, sans-serif">',
        f'<title id="heat-map-title">{escape(title)}: {escape(subtitle)}</title>',
        '<rect x="0" y="0" width="100%" height="100%" fill="#ffffff"/>',
        _text(MARGIN, 26, title, font_size=16, font_weight="bold"),
        _text(MARGIN, 48, subtitle, font_size=13, fill="#444444"),
    ]
    for cell in heat_map["cells"]:
        likelihood, consequence, count = cell["likelihood"], cell["consequence"], cell["count"]
        x = LEFT + (consequence - 1) * CELL
        y = TOP + (rows - likelihood) * CELL
        band = cell["band"]
        tip = (
            f"Likelihood {likelihood} ({heat_map['likelihood_labels'][likelihood - 1]}) × consequence "
            f"{consequence} ({heat_map['consequence_labels'][consequence - 1]}) = {cell['score']}, {band}: "
            f"{count} risk{'s' if count != 1 else ''}"
        )
        parts.append(
            f'<g class="cell" data-likelihood="{likelihood}" data-consequence="{consequence}" '
            f'data-count="{count}"><title>{escape(tip)}</title>'
            f'<rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" fill="{FILL.get(band, "#dddddd")}" '
            'stroke="#ffffff" stroke-width="2"/>'
        )
        parts.append(_text(x + 5, y + 14, str(cell["score"]), font_size=10, fill=INK.get(band, "#000000")))
        if count:
            parts.append(
                _text(
                    x + CELL / 2, y + CELL / 2 + 9, str(count), font_size=24, font_weight="bold",
                    text_anchor="middle", fill=INK.get(band, "#000000"), class_="count",
                )
            )  # fmt: skip
        parts.append("</g>")
    for likelihood in range(1, rows + 1):
        y = TOP + (rows - likelihood) * CELL + CELL / 2 + 4
        label = f"{likelihood} {heat_map['likelihood_labels'][likelihood - 1]}".strip()
        parts.append(_text(LEFT - 8, y, label, font_size=12, text_anchor="end"))
    for consequence in range(1, columns + 1):
        x = LEFT + (consequence - 1) * CELL + CELL / 2
        parts.append(_text(x, TOP + rows * CELL + 16, str(consequence), font_size=12, text_anchor="middle"))
        parts.append(
            _text(
                x, TOP + rows * CELL + 30, heat_map["consequence_labels"][consequence - 1], font_size=10,
                text_anchor="middle",
            )
        )  # fmt: skip
    parts.append(
        _text(
            LEFT + columns * CELL / 2,
            TOP + rows * CELL + 52,
            "Consequence",
            font_size=13,
            text_anchor="middle",
        )
    )
    middle = TOP + rows * CELL / 2
    parts.append(
        _text(
            18,
            middle,
            "Likelihood",
            font_size=13,
            text_anchor="middle",
            transform=f"rotate(-90 18 {middle:g})",
        )
    )
    x = LEFT
    legend_y = TOP + rows * CELL + 74
    for band, text in legend:
        parts.append(
            f'<rect x="{x}" y="{legend_y}" width="14" height="14" fill="{FILL.get(band, "#dddddd")}" '
            'stroke="#666666"/>'
        )
        parts.append(_text(x + 20, legend_y + 12, text, font_size=11))
        x += 22 + CHAR * len(text) + 14
    parts.append("</svg>")
    return "\n".join(parts)


def message_svg(lines: list[str]) -> str:
    """A plain picture of messages (an error answered to a client that asked for SVG)."""
    height = 24 + 20 * len(lines)
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="640" height="{height}" viewBox="0 0 640 {height}" '
        'font-family="Arial, Helvetica, sans-serif">',
    ]
    parts += [_text(12, 24 + 20 * i, line, font_size=13) for i, line in enumerate(lines)]
    parts.append("</svg>")
    return "\n".join(parts)
