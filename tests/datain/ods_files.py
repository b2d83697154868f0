"""Small ODS files in the published layouts, written by the tests themselves (no network)."""

import csv
import io


def organisation_line(code, name, opened="", closed="", status=""):
    """A line of an ODS organisation extract: 27 columns, header-less (etr, ets, eccg, epraccur)."""
    row = [""] * 27
    row[0], row[1] = code, name
    row[2], row[3] = "Y60", "QJ2"  # national grouping, high level health geography
    row[4], row[9] = "1 HOSPITAL ROAD", "DE22 3NE"
    row[10], row[11], row[12] = opened, closed, status
    return row


def succession_line(old, new, reason, effective):
    """A line of the ODS successor file (succ.csv): header-less, five columns."""
    return [old, new, reason, effective, ""]


def csv_bytes(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode()
