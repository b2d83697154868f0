"""Exports: requested over the API or on the page, made by a real worker with progress reported,
downloaded when done; each kind's content; the handbook of a seed partnership."""

import datetime
import io
import zipfile

import orjson
import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from bodies.models import Partnership
from composition import exports
from core.access import grant_role
from core.models import Export
from delegation.models import Delegation
from tests import factories
from tests.jobs.conftest import wait_for
from tests.platform.conftest import client_for


def small_partnership(name="Export Partnership"):
    partnership = factories.PartnershipFactory(name=name)
    factories.MembershipFactory(partnership=partnership, organisation__name="=HYPERLINK Trust")
    factories.MembershipFactory(partnership=partnership, organisation__name="Exported Council")
    body = factories.BodyFactory(partnership=partnership, name="Exported Board")
    factories.AppointmentFactory(body=body, role="chair", person__name="Exported Chair")
    terms = factories.TermsOfReferenceFactory(body=body, approved=True)
    factories.TermsOfReferenceRoleFactory(terms_of_reference=terms, title="Chief executive of each partner")
    user = factories.UserFactory()
    grant_role(user=user, partnership=partnership, role="viewer")
    return partnership, user


def run(export: Export) -> Export:
    return exports.export_run(export_id=export.pk)


@pytest.mark.django_db
def test_registers_csv_is_a_zip_of_registers_with_formulas_neutralised(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    partnership, user = small_partnership()
    export = run(exports.export_request(kind="registers_csv", partnership=partnership, requested_by=user))

    assert (export.status, export.progress) == ("done", 100)
    with zipfile.ZipFile(export.file.open("rb")) as archive:
        assert {"memberships.csv", "bodies.csv", "delegations.csv", "decisions.csv"} <= set(
            archive.namelist()
        )
        memberships = archive.read("memberships.csv").decode("utf-8-sig")
    assert "Exported Council" in memberships
    assert "'=HYPERLINK Trust" in memberships


@pytest.mark.django_db
def test_registers_xlsx_has_a_sheet_per_register(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    partnership, user = small_partnership()
    export = run(exports.export_request(kind="registers_xlsx", partnership=partnership, requested_by=user))

    workbook = load_workbook(export.file.open("rb"), read_only=True)
    assert "Appointments" in workbook.sheetnames
    rows = list(workbook["Bodies"].iter_rows(values_only=True))
    assert rows[0][:2] == ("Name", "Kind") and rows[1][0] == "Exported Board"


@pytest.mark.django_db
def test_popolo_json_has_organizations_persons_memberships_and_posts(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    partnership, user = small_partnership()
    export = run(exports.export_request(kind="popolo_json", partnership=partnership, requested_by=user))

    popolo = orjson.loads(export.file.open("rb").read())
    names = {org["name"] for org in popolo["organizations"]}
    assert {partnership.name, "Exported Council", "Exported Board"} <= names
    assert [p["name"] for p in popolo["persons"]] == ["Exported Chair"]
    chair = next(m for m in popolo["memberships"] if m.get("person_id"))
    assert chair["role"] == "Chair" and chair["organization_id"].startswith("body/")
    assert [post["label"] for post in popolo["posts"]] == ["Chief executive of each partner"]


@pytest.mark.django_db
def test_the_handbook_of_a_seed_partnership_contains_its_bodies_and_delegated_matters(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    partnership = Partnership.objects.get(slug="cambridgeshire-and-peterborough")
    on = datetime.date(2018, 4, 1)
    export = run(exports.export_request(kind="handbook_pdf", partnership=partnership, as_at=on))

    reader = PdfReader(export.file.open("rb"))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Governance handbook" in text and "As at 1 April 2018" in text
    for body in ("STP Board", "Health and Care Executive", "System Delivery Board", "Investment Committee"):
        assert body in text
    matters = set(
        Delegation.objects.in_force(on).filter(partnership=partnership).values_list("matter__name", flat=True)
    )
    assert len(matters) > 5
    for matter in matters:
        assert " ".join(matter.split())[:40] in text, matter
    assert "Scheme of reservation" in text and "Scheme of delegation" in text and "Approval routes" in text


@pytest.mark.django_db
def test_an_export_of_another_partnership_cannot_be_requested_or_seen(client):
    _ours, user = small_partnership()
    theirs = factories.PartnershipFactory(name="Not Theirs")
    api = client_for(user)

    refused = api.post(
        reverse("api:export-list"), {"kind": "popolo_json", "partnership": theirs.pk}, format="json"
    )
    their_export = Export.objects.create(
        kind="popolo_json", partnership=theirs, as_at=datetime.date(2018, 1, 1)
    )

    assert refused.status_code == 400 and "partnership" in refused.json()
    assert api.get(reverse("api:export-detail", args=[their_export.pk])).status_code == 404
    client.force_login(user)
    assert client.get(reverse("export-detail", args=[their_export.pk])).status_code == 404
    assert client.get(reverse("export-download", args=[their_export.pk])).status_code == 404


@pytest.mark.slow
def test_an_export_requested_over_the_api_is_made_by_the_worker_and_downloadable(celery_worker, client):
    partnership, user = small_partnership()
    api = client_for(user)

    response = api.post(
        reverse("api:export-list"),
        {"kind": "registers_csv", "partnership": partnership.pk, "as_at": "2018-04-01"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "queued" and response.json()["progress"] == 0
    url = response["Location"]

    seen = []

    def done():
        body = api.get(url).json()
        seen.append(body["progress"])
        return body if body["status"] == "done" else None

    body = wait_for(done, timeout=30)
    assert body["progress"] == 100 and seen == sorted(seen)
    download = api.get(body["download_url"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert "Exported Board" in archive.read("bodies.csv").decode("utf-8-sig")

    # The page shows the same export, done, with its download link (and an htmx fragment for polling).
    client.force_login(user)
    page = client.get(reverse("export-detail", args=[body["id"]]))
    assert (
        b"Done (100%)" in page.content
        and reverse("export-download", args=[body["id"]]).encode() in page.content
    )
    fragment = client.get(reverse("export-detail", args=[body["id"]]), HTTP_HX_REQUEST="true")
    assert fragment.content.lstrip().startswith(b'<div id="export-status"')


@pytest.mark.slow
def test_an_export_requested_on_the_page_shows_its_progress_until_done(celery_worker, client):
    partnership, user = small_partnership()
    client.force_login(user)

    response = client.post(
        reverse("export-list"), {"kind": "popolo_json", "partnership": partnership.pk, "as_at": "2018-04-01"}
    )
    assert response.status_code == 302
    detail = response["Location"]
    first = client.get(detail)
    assert b"% done" in first.content or b"Done (100%)" in first.content
    assert b'http-equiv="refresh"' in first.content or b"Done (100%)" in first.content  # works without JS

    wait_for(lambda: b"Done (100%)" in client.get(detail).content, timeout=30)
    export = Export.objects.get()
    assert client.get(reverse("export-download", args=[export.pk])).status_code == 200


@pytest.mark.django_db
def test_the_exports_list_takes_the_same_queries_however_many_exports(client, django_assert_max_num_queries):
    partnership, user = small_partnership()
    client.force_login(user)
    Export.objects.create(kind="popolo_json", partnership=partnership, as_at=datetime.date(2018, 1, 1))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("export-list"))
    for _ in range(10):
        Export.objects.create(kind="handbook_pdf", partnership=partnership, as_at=datetime.date(2018, 1, 1))
    with django_assert_max_num_queries(len(few)):
        assert client.get(reverse("export-list")).status_code == 200


@pytest.mark.django_db
def test_the_excel_registers_read_in_words_with_a_bold_frozen_header_and_a_first_sheet(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    partnership, user = small_partnership()
    on = datetime.date(2026, 12, 1)
    export = run(
        exports.export_request(kind="registers_xlsx", partnership=partnership, as_at=on, requested_by=user)
    )

    workbook = load_workbook(export.file.open("rb"))  # not read-only: styles and panes are read
    assert workbook.sheetnames[0] == "About this file"
    about = {
        row[0]: row[1] for row in workbook["About this file"].iter_rows(values_only=True) if row and row[0]
    }
    assert about["Registers of"] == partnership.name and about["As at"] == "1 December 2026"
    assert about["From"].endswith(f"/partnerships/{partnership.pk}/")
    assert "Open Government Licence" in about["Licence"]

    memberships = workbook["Memberships"]
    header = [cell.value for cell in memberships[1]]
    assert header[:4] == ["Organisation", "ODS code", "Standing", "Status"] and header[-1] == "ID"
    assert all(cell.font.bold for cell in memberships[1])
    assert memberships.freeze_panes == "A2"
    assert memberships.column_dimensions["A"].width >= 20
    council = next(
        row for row in memberships.iter_rows(min_row=2, values_only=True) if row[0] == "Exported Council"
    )
    membership = partnership.memberships.get(organisation__name="Exported Council")
    assert council[2] == membership.get_standing_display() and council[2] != membership.standing
    assert council[-1] == membership.pk
    assert isinstance(council[header.index("From")], datetime.datetime)  # a date cell, not text
    assert memberships.cell(row=2, column=header.index("From") + 1).number_format == "d mmmm yyyy"

    bodies = list(workbook["Bodies"].iter_rows(values_only=True))
    yes_no = bodies[0].index("Holds delegated authority")
    assert bodies[1][yes_no] in {"Yes", "No"}


@pytest.mark.django_db
def test_the_registers_zip_covers_every_register_with_words_and_json_never_python_text(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    partnership, user = small_partnership()
    meeting = factories.MeetingFactory(body=partnership.bodies.get())
    factories.AttendanceFactory(meeting=meeting, status="apologies")
    export = run(exports.export_request(kind="registers_csv", partnership=partnership, requested_by=user))

    with zipfile.ZipFile(export.file.open("rb")) as archive:
        names = set(archive.namelist())
        attendance = archive.read("attendance.csv").decode("utf-8-sig").splitlines()
        about = archive.read("about.txt").decode()
    for register in ("meetings", "attendance", "interests", "declarations", "proposals", "risk_reviews",
                     "risk_escalations", "successions", "risk_actions", "gifts_and_hospitality", "actions"):  # fmt: skip
        assert f"{register}.csv" in names
    assert attendance[0].startswith("Body,Meeting starts,Person,Attendance") and attendance[0].endswith(",ID")
    assert "Apologies" in attendance[1]
    assert f"Registers of: {partnership.name}" in about


def test_a_csv_cell_writes_nested_values_as_json():
    from composition.registers import text_cell
    from core.api.fastpath import flat_cell

    nested = [{"organisation": 1, "outcome": "pending"}]
    assert text_cell(nested) == '[{"organisation":1,"outcome":"pending"}]'
    assert flat_cell(nested) == '[{"organisation":1,"outcome":"pending"}]'
    assert flat_cell([{"id": 1, "display": "NHS X"}, {"id": 2, "display": "NHS Y"}]) == "NHS X; NHS Y"
    assert flat_cell(["a", "b"]) == "a; b"


def test_every_register_names_its_columns_once_and_reads_real_fields():
    from composition.registers import REGISTERS

    for register in REGISTERS:
        names = [column.name for column in register.rendered]  # raises on a duplicate or unknown field
        assert names[-1] == "id" and len(set(names)) == len(names)
