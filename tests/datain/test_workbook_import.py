"""Spreadsheet import of a partnership: template, preview with row errors in words, all or nothing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook

from bodies.models import (
    Appointment,
    Body,
    BodyRelationship,
    Membership,
    Organisation,
    Person,
    TermsOfReference,
)
from bodies.workbook import SHEETS, import_workbook, preview_workbook
from tests.datain.workbooks import partnership_workbook, workbook

pytestmark = pytest.mark.django_db


def test_the_template_opens_on_its_instructions_and_has_a_sheet_for_each_kind(secretariat, ours):
    response = secretariat.get(reverse("edit-workbook-template", args=[ours.pk]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Instructions", *SHEETS]
    assert book["Instructions"]["A1"].value == "How to fill in this workbook"
    assert [c.value for c in book["Appointments"][1]][:3] == ["Body", "Person", "Role"]


def test_a_preview_writes_nothing(ours):
    before = (Body.objects.count(), Person.objects.count(), Organisation.objects.count())
    result = preview_workbook(partnership=ours, content=partnership_workbook())
    assert not result.errors, [r.errors for r in result.errors]
    assert ("Bodies", 2, 0, 0) in result.summary
    assert (Body.objects.count(), Person.objects.count(), Organisation.objects.count()) == before


def test_the_import_creates_every_record_in_one_go(ours):
    import_workbook(partnership=ours, content=partnership_workbook())
    board = Body.objects.get(partnership=ours, name="Imported Board")
    chair = Appointment.objects.get(body=board, role="chair")
    assert chair.person.name == "Alex Imported" and chair.representing.ods_code == "RZZ"
    assert (
        Membership.objects.get(partnership=ours, organisation__name="Imported Voluntary Action").standing
        == "associate"
    )
    assert BodyRelationship.objects.get(from_body__name="Imported Finance Committee").to_body == board
    terms = TermsOfReference.objects.get(body=board)
    assert (terms.status, terms.objectives.count(), terms.roles.get().is_chair) == ("approved", 1, True)
    assert board.events.count() == 1  # recorded in the history
    from delegation.models import Delegation

    delegation = Delegation.objects.get(partnership=ours, matter__name="Approve business cases")
    assert (delegation.delegator, delegation.delegate.name, delegation.power) == (
        board, "Imported Finance Committee", "approve",
    )  # fmt: skip
    assert delegation.financial_limit_gbp == 1_000_000


def test_row_errors_are_in_words_and_nothing_is_written(ours):
    content = workbook({
        "Bodies": [["Board A", None, "Board"], ["Board B", None, "Parliament"]],
        "People": [["Chris Row"]],
        "Appointments": [["Board A", "Chris Row", "Chair", None, None, None, "31/02/2026"],
                         ["Board A", "Nobody Known", "Member"]],
    })  # fmt: skip
    result = preview_workbook(partnership=ours, content=content)
    messages = {(r.sheet, r.row): r.errors for r in result.errors}
    assert messages[("Bodies", 3)] == [
        "Kind: “Parliament” is not one of: Board; Executive; Committee; Sub-committee; Joint committee; "
        "Committees in common; Advisory group; Reference group; Forum; Programme board; Delivery group; "
        "Working group; Team; Integrated care partnership."
    ]
    assert messages[("Appointments", 2)] == ["From: “31/02/2026” is not a date: write it dd/mm/yyyy."]
    assert messages[("Appointments", 3)] == [
        "Person: No one called “Nobody Known”: add them on the People sheet."
    ]
    before = Body.objects.count()
    with pytest.raises(Exception, match="rows refused"):
        import_workbook(partnership=ours, content=content)
    assert Body.objects.count() == before


def test_the_database_rules_apply_two_chairs_at_once_are_refused(ours):
    content = workbook({
        "Bodies": [["Chaired Board", None, "Board"]],
        "People": [["First Chair"], ["Second Chair"]],
        "Appointments": [["Chaired Board", "First Chair", "Chair", None, None, None, "01/04/2026"],
                         ["Chaired Board", "Second Chair", "Chair", None, None, None, "01/05/2026"]],
    })  # fmt: skip
    result = preview_workbook(partnership=ours, content=content)
    assert [(r.sheet, r.row) for r in result.errors] == [("Appointments", 3)]


def test_the_page_previews_then_imports(secretariat, ours):
    url = reverse("edit-workbook-import", args=[ours.pk])
    upload = SimpleUploadedFile("ours.xlsx", partnership_workbook())
    preview = secretariat.post(url, {"file": upload})
    assert preview.status_code == 200
    assert "+ Add: Imported Board (board)" in preview.content.decode()
    assert not Body.objects.filter(name="Imported Board").exists()
    done = secretariat.post(url, {"token": preview.context["token"]})
    assert done.status_code == 302 and done["Location"] == reverse("partnership-detail", args=[ours.pk])
    page = secretariat.get(done["Location"]).content.decode()
    assert "Imported Board" in page


def test_a_file_that_is_not_a_workbook_is_refused_in_words(secretariat, ours):
    url = reverse("edit-workbook-import", args=[ours.pk])
    response = secretariat.post(url, {"file": SimpleUploadedFile("notes.xlsx", b"not a workbook")})
    assert response.status_code == 400
    assert "not an Excel workbook" in response.content.decode()


def test_the_command_previews_and_commits(tmp_path, ours):
    path = tmp_path / "ours.xlsx"
    path.write_bytes(partnership_workbook())
    call_command("import_workbook", ours.slug, str(path))
    assert not Body.objects.filter(name="Imported Board").exists()
    call_command("import_workbook", ours.slug, str(path), "--commit")
    assert Body.objects.filter(partnership=ours, name="Imported Board").exists()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook({"Bodies": [["X", None, "Parliament"]]}))
    with pytest.raises(CommandError, match="1 rows refused"):
        call_command("import_workbook", ours.slug, str(bad), "--commit")


def edited(content: bytes, changes: dict[tuple[str, str], object]) -> bytes:
    """The workbook with cells changed, as a secretariat edits its own copy: {(sheet, "B3"): value}."""
    book = load_workbook(io.BytesIO(content))
    for (sheet, cell), value in changes.items():
        book[sheet][cell] = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_uploading_the_same_workbook_again_adds_and_changes_nothing(ours):
    import_workbook(partnership=ours, content=partnership_workbook())
    counts = (Body.objects.count(), Appointment.objects.count(), Membership.objects.count())
    result = import_workbook(partnership=ours, content=partnership_workbook())
    assert not result.errors
    assert {row.action for row in result.rows} == {"exists"}, [
        r.text for r in result.rows if r.action != "exists"
    ]
    assert (Body.objects.count(), Appointment.objects.count(), Membership.objects.count()) == counts
    assert TermsOfReference.objects.get(body__name="Imported Board").objectives.count() == 1


def test_an_edited_workbook_changes_the_records_and_says_each_change_in_words(ours):
    from delegation.models import Delegation

    import_workbook(partnership=ours, content=partnership_workbook())
    content = edited(partnership_workbook(), {
        ("Bodies", "G2"): "The partnership's board.",
        ("Appointments", "H3"): "30/09/2026",
        ("Organisations", "E3"): "Core member",
        ("Delegations", "G2"): "£2,000,000",
    })  # fmt: skip
    preview = preview_workbook(partnership=ours, content=content)
    changes = {(row.sheet, row.row): row.text for row in preview.rows if row.action == "change"}
    assert changes == {
        ("Bodies", 2): "Imported Board: description: (empty) → The partnership's board.",
        (
            "Appointments",
            3,
        ): "Bo Imported, member of Imported Board: effective to: (empty) → 30 September 2026",
        (
            "Organisations",
            3,
        ): "Imported Voluntary Action (associate member): standing: Associate member → Core member",
        ("Delegations", 2): (
            "Imported Finance Committee may approve: Approve business cases: "
            "financial limit (GBP): £1,000,000 → £2,000,000"
        ),
    }
    assert ("Bodies", 0, 1, 1) in preview.summary
    assert Body.objects.get(name="Imported Board").description == ""  # a preview writes nothing

    import_workbook(partnership=ours, content=content)
    board = Body.objects.get(name="Imported Board")
    assert board.description == "The partnership's board."
    assert board.events.count() == 2  # the change is in the history
    assert str(Appointment.objects.get(person__name="Bo Imported").effective_to) == "2026-09-30"
    assert Membership.objects.get(organisation__name="Imported Voluntary Action").standing == "core"
    assert Delegation.objects.get(matter__name="Approve business cases").financial_limit_gbp == 2_000_000


def test_an_empty_cell_leaves_the_value_as_it_is(ours):
    import_workbook(partnership=ours, content=partnership_workbook())
    result = preview_workbook(
        partnership=ours, content=edited(partnership_workbook(), {("Bodies", "B2"): None})
    )
    assert not [row for row in result.rows if row.action == "change"]


def test_an_approved_version_is_not_changed_in_place(ours):
    import_workbook(partnership=ours, content=partnership_workbook())
    content = edited(partnership_workbook(), {("Terms of reference", "F2"): "To lead and to assure."})
    content = edited(content, {("Objectives", "D3"): "Hold the partners to account."})
    content = edited(content, {("Objectives", "A3"): "Imported Board", ("Objectives", "B3"): 1})
    result = preview_workbook(partnership=ours, content=content)
    messages = {(r.sheet, r.row): r.errors for r in result.errors}
    assert messages == {
        ("Terms of reference", 2): [
            "Version: Version 1 of Imported Board is approved, so it is not changed in place "
            "(the workbook's purpose differs). Put the changes in version 2."
        ],
        ("Objectives", 3): [
            "Version: Version 1 of Imported Board is approved: its objectives are not changed in place. "
            "Put the changes in version 2."
        ],
    }
    assert TermsOfReference.objects.get(body__name="Imported Board").purpose == "To lead the partnership."


def test_the_page_previews_the_changes_then_makes_them(secretariat, ours):
    import_workbook(partnership=ours, content=partnership_workbook())
    url = reverse("edit-workbook-import", args=[ours.pk])
    content = edited(partnership_workbook(), {("Bodies", "G2"): "The partnership's board."})
    preview = secretariat.post(url, {"file": SimpleUploadedFile("ours.xlsx", content)})
    page = preview.content.decode()
    assert "~ Change: Imported Board: description: (empty) → The partnership&#x27;s board." in page
    assert '<th scope="col">To change</th>' in page
    done = secretariat.post(url, {"token": preview.context["token"]}, follow=True)
    assert "The workbook was imported: 0 records added, 1 changed." in done.content.decode()
    assert Body.objects.get(name="Imported Board").description == "The partnership's board."
