"""Issue 17's journeys in a real browser: a new organisation from the membership form, the chair replaced
in one step, a partnership workbook imported (one row error fixed first), the ODS import previewed."""

import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from bodies.models import Appointment, Membership, Organisation, Partnership
from tests.browser.conftest import SCREENSHOTS, sign_in
from tests.browser.test_journeys import PASSWORD, member_of
from tests.datain.ods_files import csv_bytes, organisation_line
from tests.datain.workbooks import partnership_workbook

pytestmark = pytest.mark.browser


def secretariat_page(partnership_name: str, page):
    page.get_by_role("link", name=partnership_name).click()
    return page.get_by_role("region", name="Secretariat")


def test_add_a_new_organisation_from_the_membership_form_and_make_it_an_associate(demo, page):
    user = member_of("derbyshire", role="secretariat")
    sign_in(page, demo.url, user.username, PASSWORD)
    secretariat_page("Derbyshire Sustainability and Transformation Partnership", page).get_by_role(
        "link", name="Memberships"
    ).click()
    page.get_by_role("link", name="Add a member organisation").click()
    page.get_by_role("link", name="Add a new organisation").click()

    page.get_by_label("Name", exact=True).fill("Derbyshire Voluntary Action")
    page.get_by_label("Kind").select_option(label="Voluntary sector")
    page.get_by_label("NHS ODS code (optional)").fill("")
    page.get_by_role("button", name="Add the organisation").click()

    # Back on the membership form, the new organisation chosen, the banner on top.
    expect(page.get_by_role("heading", name="Add a member organisation")).to_be_visible()
    expect(page.get_by_text("The organisation was added. It is chosen below")).to_be_visible()
    chosen = page.get_by_label("Organisation", exact=True).locator("option:checked").inner_text()
    assert chosen.startswith("Derbyshire Voluntary Action")
    page.get_by_label("Standing").select_option(label="Associate member")
    page.get_by_label("Member from (optional)").fill("01/12/2026")
    page.get_by_role("button", name="Add the membership").click()

    expect(page.get_by_text("The membership was added.")).to_be_visible()
    assert page.evaluate("window.scrollY") == 0  # the success banner is at the top, in view
    membership = Membership.objects.get(organisation__name="Derbyshire Voluntary Action")
    assert (membership.partnership.slug, membership.standing) == ("derbyshire", "associate")
    assert str(membership.effective_from) == "2026-12-01"
    page.screenshot(path=str(SCREENSHOTS / "datain-new-organisation-membership.png"), full_page=True)


def test_the_organisation_picker_searches_as_you_type(demo, page):
    user = member_of("derbyshire", role="secretariat")
    sign_in(page, demo.url, user.username, PASSWORD)
    partnership = Partnership.objects.get(slug="derbyshire")
    page.goto(f"{demo.url}/edit/partnerships/{partnership.pk}/memberships/new/")
    page.locator("#id_organisation-search").fill("Derby City")
    expect(page.locator("#id_organisation option:checked")).to_contain_text("Derby City Council")
    assert page.locator("#id_organisation option").count() < 10  # the matches only, from the JSON endpoint
    assert (
        page.locator("#id_organisation option:checked")
        .inner_text()
        .startswith("Derby City Council (Local authority")
    )


def test_replace_the_chair_in_one_step(demo, page):
    user = member_of("cumbria-and-north-east", role="secretariat")
    chair = Appointment.objects.get(person__name="Alan Foster", role="chair", effective_to__isnull=True)
    sign_in(page, demo.url, user.username, PASSWORD)
    page.goto(f"{demo.url}/bodies/{chair.body_id}/")
    page.get_by_role("region", name="Secretariat").get_by_role(
        "link", name="Appointments and deputies"
    ).click()
    page.get_by_role("link", name="Replace Alan Foster").click()

    expect(page.get_by_role("heading", name="Replace Alan Foster as chair")).to_be_visible()
    page.locator("#id_person-search").fill("Joy Holl")
    expect(page.locator("#id_person option:checked")).to_contain_text("Joy Hollister")
    page.get_by_label("First day in the seat").fill("01/12/2026")
    page.get_by_role("button", name="Replace Alan Foster").click()

    expect(page.get_by_text("Alan Foster was replaced as chair.")).to_be_visible()
    chair.refresh_from_db()
    assert str(chair.effective_to) == "2026-11-30"
    new = Appointment.objects.get(body=chair.body, role="chair", effective_to__isnull=True)
    assert new.person.name == "Joy Hollister" and str(new.effective_from) == "2026-12-01"
    rows = page.locator("table").inner_text()
    assert "30 November 2026" in rows and "1 December 2026" in rows
    page.screenshot(path=str(SCREENSHOTS / "datain-replace-chair.png"), full_page=True)


def test_import_a_partnership_workbook_fixing_one_row_error(demo, page, tmp_path):
    user = member_of("derbyshire", role="secretariat")
    sign_in(page, demo.url, user.username, PASSWORD)
    secretariat_page("Derbyshire Sustainability and Transformation Partnership", page).get_by_role(
        "link", name="Import a workbook"
    ).click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the template").click()
    template = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    assert template.sheetnames[0] == "Instructions"

    wrong = tmp_path / "derbyshire.xlsx"
    wrong.write_bytes(partnership_workbook(chair_role="Chairperson"))  # the deliberate error
    page.get_by_label("Workbook (.xlsx)").set_input_files(str(wrong))
    page.get_by_role("button", name="Preview the import").click()
    summary = page.locator(".nhsuk-error-summary").inner_text()
    assert "1 row cannot be imported" in summary
    assert "Sheet “Appointments”, row 2: Role: “Chairperson” is not one of: Chair;" in summary
    assert page.get_by_role("button", name="Import the workbook").count() == 0
    assert not Organisation.objects.filter(ods_code="RZZ").exists()
    page.screenshot(path=str(SCREENSHOTS / "datain-workbook-preview-error.png"), full_page=True)

    fixed = tmp_path / "derbyshire-fixed.xlsx"
    fixed.write_bytes(partnership_workbook())
    page.get_by_role("link", name="Upload the workbook again").click()
    page.get_by_label("Workbook (.xlsx)").set_input_files(str(fixed))
    page.get_by_role("button", name="Preview the import").click()
    expect(page.get_by_text("+ Add: Imported Board (board)")).to_be_visible()
    page.get_by_role("button", name="Import the workbook").click()

    expect(
        page.get_by_text(re.compile(r"The workbook was imported: \d+ records added, 0 changed\."))
    ).to_be_visible()
    page.locator("svg").get_by_role("link", name="Imported Board").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Imported Board")
    appointments = page.locator("table", has_text="Alex Imported").inner_text()
    assert "Alex Imported, Independent chair" in appointments and "Imported Trust" in appointments


def test_ods_import_preview(demo, page, tmp_path):
    user = member_of("derbyshire", role="secretariat")
    sign_in(page, demo.url, user.username, PASSWORD)
    ods = tmp_path / "etr.csv"
    ods.write_bytes(
        csv_bytes([organisation_line("ZX9", "EXAMPLE HOSPITALS NHS FOUNDATION TRUST", "20200401")])
    )
    secretariat_page("Derbyshire Sustainability and Transformation Partnership", page).get_by_role(
        "link", name="Import from NHS ODS files"
    ).click()
    page.get_by_label("ODS file (CSV)").set_input_files(str(ods))
    page.get_by_label("Also add the organisations that are not in the registry yet").check()
    page.get_by_role("button", name="Preview the import").click()

    expect(page.get_by_role("heading", name="Preview of the ODS import")).to_be_visible()
    expect(page.get_by_text("Add: New organisation (NHS foundation trust)")).to_be_visible()
    assert "Example Hospitals NHS Foundation Trust" in page.locator("table").inner_text()
    assert not Organisation.objects.filter(ods_code="ZX9").exists()
    page.screenshot(path=str(SCREENSHOTS / "datain-ods-preview.png"), full_page=True)
    page.get_by_role("button", name="Import these changes").click()
    expect(page.get_by_text("The ODS file was imported: 1 organisations added")).to_be_visible()
    assert Organisation.objects.get(ods_code="ZX9").kind == "nhs_foundation_trust"
