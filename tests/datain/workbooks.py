"""Workbooks written by the tests, in the template's layout."""

import io

from openpyxl import load_workbook

from bodies.workbook import template_workbook


def workbook(sheets: dict[str, list[list]]) -> bytes:
    """The template with rows added under each sheet's headings."""
    book = load_workbook(io.BytesIO(template_workbook()))
    for name, rows in sheets.items():
        for row in rows:
            book[name].append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def partnership_workbook(chair_role="Chair") -> bytes:
    return workbook({
        "Organisations": [
            ["Imported Trust", "RZZ", "NHS trust", "yes", "Core member", "01/04/2026", None, None],
            ["Imported Voluntary Action", None, "Voluntary sector", "no", "Associate member", "01/04/2026"],
        ],
        "Bodies": [
            ["Imported Board", "IB", "Board", "Active", "01/04/2026"],
            ["Imported Finance Committee", None, "Committee", "Active", "01/04/2026"],
        ],
        "Relationships": [["Imported Finance Committee", "Reports to", "Imported Board", "01/04/2026"]],
        "People": [["Alex Imported", "alex@example.org"], ["Bo Imported"]],
        "Appointments": [
            ["Imported Board", "Alex Imported", chair_role, "Independent chair", "Imported Trust", "yes", "01/04/2026"],
            ["Imported Board", "Bo Imported", "Member", "Director", "Imported Voluntary Action", "no", "01/04/2026"],
        ],
        "Terms of reference": [["Imported Board", 1, "Approved", "01/03/2026", "01/04/2026", "To lead the partnership."]],
        "Objectives": [["Imported Board", 1, None, "Set the strategy."]],
        "Roles": [["Imported Board", 1, "Independent chair", "Member", "yes", "yes", None]],
        "Delegations": [
            ["Approve business cases", "Finance and investment", "Imported Board", "Imported Finance Committee",
             None, "Approve", "£1,000,000", "Within the agreed budget", "no", "01/04/2026"],
        ],
    })  # fmt: skip
