"""Cells that spreadsheets show as written (CSV and Excel exports, and the API's CSV)."""

FORMULA_STARTS = frozenset("=+-@")


def formula_safe(value):
    """A cell a spreadsheet will show as written: text starting like a formula gets a leading quote."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value
