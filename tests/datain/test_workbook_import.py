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
    assert ("Bodies", 2, 0) in result.summary
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
