"""Importing NHS ODS files: matched by code, previewed, written all at once; successions recorded."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from bodies.models import Organisation, OrganisationChangeProposal, OrganisationSuccession
from bodies.ods import OdsFileError, plan_ods_import, read_ods_file, readable_name
from tests.datain.ods_files import csv_bytes, organisation_line, succession_line
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def etr(*lines):
    return csv_bytes([organisation_line(*line) for line in lines])


def test_names_in_capitals_read_as_written():
    assert readable_name("DERBY AND BURTON HOSPITALS NHS FOUNDATION TRUST") == (
        "Derby and Burton Hospitals NHS Foundation Trust"
    )


def test_a_file_of_the_wrong_width_is_refused_in_words():
    with pytest.raises(OdsFileError, match="27"):
        read_ods_file(b"a,b,c,d,e,f\n", "etr.csv")
    with pytest.raises(OdsFileError, match="YYYYMMDD"):
        read_ods_file(etr(("ZTG", "X", "2018-07-01")), "etr.csv")


def test_the_plan_matches_by_code_whatever_its_case_and_writes_nothing(administrator):
    known = OrganisationFactory(name="University Hospitals of Derby and Burton", ods_code="ZTG")
    kind, rows = read_ods_file(
        etr(("ztg", "UNIVERSITY HOSPITALS OF DERBY AND BURTON NHS FOUNDATION TRUST", "20180701"),
            ("ZY8", "DERBYSHIRE COMMUNITY HEALTH SERVICES NHS FOUNDATION TRUST", "20110701")),
        "etr.csv",
    )  # fmt: skip
    before = Organisation.objects.count()
    plan = plan_ods_import(file_kind=kind, rows=rows, user=administrator, create_missing=True)
    assert [(c.action, c.code) for c in plan.changes] == [("update", "ZTG"), ("create", "ZY8")]
    assert plan.changes[0].organisation_id == known.pk
    assert plan.changes[1].values["kind"] == Organisation.Kind.NHS_FOUNDATION_TRUST
    assert Organisation.objects.count() == before


def test_the_command_previews_then_commits(tmp_path, administrator):
    administrator.is_superuser = True
    administrator.save()
    path = tmp_path / "eccg.csv"
    path.write_bytes(etr(("15M", "NHS DERBY AND DERBYSHIRE CCG", "20190401", "20220630")))
    call_command("ods_import", str(path), "--create")
    assert not Organisation.objects.filter(ods_code="15M").exists()
    call_command("ods_import", str(path), "--create", "--commit")
    ccg = Organisation.objects.get(ods_code="15M")
    assert (ccg.name, ccg.kind, ccg.established_on, ccg.dissolved_on) == (
        "NHS Derby and Derbyshire CCG", "ccg", D(2019, 4, 1), D(2022, 6, 30),
    )  # fmt: skip
    assert ccg.source_document == "eccg.csv"
    assert ccg.events.count() == 1  # the history records the creation


def test_the_successor_file_records_successions_and_refuses_one_back(tmp_path, administrator):
    administrator.is_superuser = True
    administrator.save()
    old = OrganisationFactory(ods_code="15M", name="Derby and Derbyshire CCG")
    new = OrganisationFactory(ods_code="QJ2", name="Derby and Derbyshire ICB")
    path = tmp_path / "succ.csv"
    path.write_bytes(csv_bytes([succession_line("15M", "QJ2", "Merger", "20220701")]))
    call_command("ods_import", str(path), "--commit")
    succession = OrganisationSuccession.objects.get(predecessor=old)
    assert (succession.successor, succession.effective_on) == (new, D(2022, 7, 1))

    back = tmp_path / "succ2.csv"
    back.write_bytes(csv_bytes([succession_line("QJ2", "15M", "Merger", "20230701")]))
    # Back again: the CCG, dissolved by the merger, cannot succeed the ICB (nor could a circle be made).
    with pytest.raises(CommandError, match=r"nothing imported: .* cannot succeed"):
        call_command("ods_import", str(back), "--commit")
    assert not OrganisationSuccession.objects.filter(predecessor=new).exists()


def test_the_upload_page_previews_then_imports(secretariat, ours):
    mine = MembershipFactory(partnership=ours, organisation__ods_code="ZY8").organisation
    shared = MembershipFactory(partnership=ours, organisation__ods_code="ZTG").organisation
    MembershipFactory(organisation=shared)  # also in a partnership that is not ours
    url = reverse("edit-ods-import", args=[ours.pk])
    content = etr(("ZY8", "DCHS", "20110701"), ("ZTG", "UHDB", "20180701"), ("ZX1", "NEW TRUST", "20200101"))
    preview = secretariat.post(url, {"file": SimpleUploadedFile("etr.csv", content), "create_missing": "on"})
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Preview of the ODS import" in page and "New Trust" in page and "Import these changes" in page
    assert not Organisation.objects.filter(ods_code="ZX1").exists()

    token = preview.context["confirm"]["token"].value()
    done = secretariat.post(url, {"token": token, "create_missing": "True"})
    assert done.status_code == 302
    assert Organisation.objects.get(ods_code="ZX1").name == "New Trust"
    mine.refresh_from_db()
    shared.refresh_from_db()
    assert mine.established_on == D(2011, 7, 1)
    assert shared.established_on is None  # shared with another partnership: proposed, not changed
    proposal = OrganisationChangeProposal.objects.get(organisation=shared)
    assert proposal.changes == {"established_on": "2018-07-01"}


def test_someone_elses_preview_cannot_be_confirmed(secretariat, ours, client):
    from tests.platform.conftest import user_with_role

    url = reverse("edit-ods-import", args=[ours.pk])
    preview = secretariat.post(url, {"file": SimpleUploadedFile("etr.csv", etr(("ZX1", "NEW", "20200101"))),
                                     "create_missing": "on"})  # fmt: skip
    token = preview.context["confirm"]["token"].value()
    other = user_with_role(ours, "secretariat")
    client.force_login(other)
    refused = client.post(url, {"token": token, "create_missing": "True"})
    assert refused.status_code == 400
    assert "someone else" in refused.content.decode()
    assert not Organisation.objects.filter(ods_code="ZX1").exists()
