"""Restricted records: one rule, built from what each model declares (core/access.py).

A model declares itself restricted with `restricted_field` (and who may still read it with
`restricted_body_path` / `restricted_person_path`); nothing else is written for it. These tests
walk every model that declares it and look for a restricted record through every kind of
caller — the API (list and detail), the admin pages, the export registers, webhooks — and then
declare an existing model restricted on the fly to show the declaration alone hides it from the
API, the pages and the exports.
"""

import datetime
import io
import zipfile

import orjson
import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from bodies.models import Appointment, Person
from composition import exports
from core import access
from core.models import Export
from decisions import models as decision_models
from stp_governance.api.urls import router
from tests import factories
from tests.meetings.conftest import MEETING_RESTRICTED_BUILDERS
from tests.platform.conftest import client_for, user_with_role

pytestmark = pytest.mark.django_db

REASON = "Commercially confidential."

# A restricted record of each model that declares itself restricted, in partnership p.
RESTRICTED_BUILDERS = {
    decision_models.AgendaItem: lambda p: factories.AgendaItemFactory(
        meeting__body__partnership=p, restricted=True, restriction_reason=REASON
    ),
    decision_models.Interest: lambda p: factories.InterestFactory(
        partnership=p, withheld=True, withheld_reason=REASON
    ),
    decision_models.Decision: lambda p: factories.DecisionFactory(
        body__partnership=p, restricted=True, restriction_reason=REASON
    ),
    decision_models.Ratification: lambda p: factories.RatificationFactory(
        decision__body__partnership=p, decision__restricted=True, decision__restriction_reason=REASON
    ),
    decision_models.Declaration: lambda p: (
        lambda item: factories.DeclarationFactory(meeting=item.meeting, agenda_item=item)
    )(factories.AgendaItemFactory(meeting__body__partnership=p, restricted=True, restriction_reason=REASON)),
}

# The meeting cycle's models (tests/meetings/conftest.py): not API resources, read through pages.
RESTRICTED_BUILDERS.update(
    {apps.get_model("meetings", name): build for name, build in MEETING_RESTRICTED_BUILDERS.items()}
)

DECLARED = sorted(
    (model for model in apps.get_models() if getattr(model, "restricted_field", None)),
    key=lambda model: model.__name__,
)
ROUTED = {viewset.queryset.model: basename for _, viewset, basename in router.registry}


def signed_in(user) -> Client:
    """A browser session for the pages (the API clients authenticate per request)."""
    client = Client()
    client.force_login(user)
    return client


def listed_ids(client, basename: str) -> set[int]:
    response = client.get(reverse(f"api:{basename}-list"), {"limit": 1000})
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def test_every_model_declaring_itself_restricted_has_a_builder():
    assert DECLARED, "no model declares restricted_field: the walk below would prove nothing"
    missing = set(DECLARED) - set(RESTRICTED_BUILDERS)
    assert not missing, f"Add a restricted builder for {sorted(m.__name__ for m in missing)}."


@pytest.mark.parametrize("model", DECLARED, ids=[model.__name__ for model in DECLARED])
def test_a_restricted_record_is_hidden_from_a_viewer_through_every_caller(
    model, partnership_a, secretariat_a
):
    # Given a restricted record, and a viewer and the secretariat of its partnership
    record = RESTRICTED_BUILDERS[model](partnership_a)
    viewer = user_with_role(partnership_a, "viewer")
    on = datetime.date.today()

    # The rule: the secretariat reads it, the viewer does not, nothing publishes it
    assert access.restrict(model.objects.filter(pk=record.pk), secretariat_a).exists()
    assert not access.restrict(model.objects.filter(pk=record.pk), viewer).exists()
    assert not access.published(model.objects.filter(pk=record.pk)).exists()
    assert access.is_published(record) is False  # webhooks send nothing about it

    # API: listed for the secretariat, neither listed nor found for the viewer (the meeting
    # cycle's records are read through pages: tests/meetings/test_access.py)
    basename = ROUTED.get(model)
    if basename is not None:
        assert record.pk in listed_ids(client_for(secretariat_a), basename)
        assert record.pk not in listed_ids(client_for(viewer), basename)
        detail = reverse(f"api:{basename}-detail", args=[record.pk])
        assert client_for(viewer).get(detail).status_code == 404
        assert client_for(secretariat_a).get(detail).status_code == 200

    # Pages: the admin change page is not found for the viewer
    if model in admin.site._registry:
        opts = model._meta
        change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])
        assert signed_in(viewer).get(change).status_code == 404

    # Exports: no register carries it
    for register in exports.REGISTERS:
        if register.model is model:
            assert record.pk not in register.record_ids(partnership_a, on)
            assert record.pk not in {row[-1] for row in register.values(partnership_a, on)}


def test_search_and_the_decision_page_hide_a_restricted_decision(partnership_a, secretariat_a):
    decision = RESTRICTED_BUILDERS[decision_models.Decision](partnership_a)
    viewer = user_with_role(partnership_a, "viewer")
    page = reverse("decision-detail", args=[decision.pk])
    assert signed_in(viewer).get(page).status_code == 404
    assert signed_in(secretariat_a).get(page).status_code == 200
    # Search (the query is echoed on the page, so look for the link to the decision)
    found = signed_in(viewer).get(reverse("search"), {"q": decision.resolution})
    assert found.status_code == 200 and page.encode() not in found.content
    found = signed_in(secretariat_a).get(reverse("search"), {"q": decision.resolution})
    assert page.encode() in found.content


# -- a model that declares itself restricted needs nothing else ---------------------------------
@pytest.fixture
def seats(partnership_a):
    """Two seats on one body: one not for publication (by the declaration below), one published."""
    body = factories.BodyFactory(partnership=partnership_a, name="Declared Board")
    closed = factories.AppointmentFactory(body=body, person__name="Closed Seat Holder", voting=True)
    open_ = factories.AppointmentFactory(body=body, person__name="Open Seat Holder", voting=False)
    return body, closed, open_


@pytest.fixture
def appointments_declared_restricted(monkeypatch):
    """Appointment declares itself restricted — its `voting` flag standing in for "not for
    publication" — and readable by the members of its body, in two class attributes only."""
    monkeypatch.setattr(Appointment, "restricted_field", "voting", raising=False)
    monkeypatch.setattr(Appointment, "restricted_body_path", "body", raising=False)


def exported(partnership, kind: str, settings, tmp_path) -> Export:
    settings.MEDIA_ROOT = tmp_path
    export = exports.export_request(kind=kind, partnership=partnership)
    return exports.export_run(export_id=export.pk)


def appointment_rows(export: Export) -> str:
    with zipfile.ZipFile(io.BytesIO(export.file.open("rb").read())) as archive:
        return archive.read("appointments.csv").decode("utf-8-sig")


def test_without_the_declaration_a_viewer_reads_both_seats(seats, partnership_a, settings, tmp_path):
    body, closed, open_ = seats
    viewer = user_with_role(partnership_a, "viewer")
    assert listed_ids(client_for(viewer), "appointment") == {closed.pk, open_.pk}
    assert b"Closed Seat Holder" in signed_in(viewer).get(reverse("body-detail", args=[body.pk])).content
    assert "Closed Seat Holder" in appointment_rows(
        exported(partnership_a, "registers_csv", settings, tmp_path)
    )


def test_declaring_a_model_restricted_hides_it_everywhere_without_further_code(
    seats, appointments_declared_restricted, partnership_a, secretariat_a, settings, tmp_path
):
    body, closed, open_ = seats
    viewer = user_with_role(partnership_a, "viewer")
    seated_member = user_with_role(partnership_a, "member")
    Person.objects.filter(pk=closed.person_id).update(user=seated_member)
    other_member = user_with_role(partnership_a, "member")
    factories.PersonFactory(user=other_member)  # sits on no body

    # API: hidden from the viewer and a member of no body; read by the secretariat and the seated member
    assert listed_ids(client_for(viewer), "appointment") == {open_.pk}
    assert listed_ids(client_for(other_member), "appointment") == {open_.pk}
    assert listed_ids(client_for(secretariat_a), "appointment") == {closed.pk, open_.pk}
    assert listed_ids(client_for(seated_member), "appointment") == {closed.pk, open_.pk}
    assert client_for(viewer).get(reverse("api:appointment-detail", args=[closed.pk])).status_code == 404

    # Pages: the body page and the admin
    page = signed_in(viewer).get(reverse("body-detail", args=[body.pk]))
    assert page.status_code == 200
    assert b"Open Seat Holder" in page.content and b"Closed Seat Holder" not in page.content
    change = reverse("admin:bodies_appointment_change", args=[closed.pk])
    assert signed_in(viewer).get(change).status_code == 404

    # Exports: the registers and the Popolo file leave it out
    rows = appointment_rows(exported(partnership_a, "registers_csv", settings, tmp_path))
    assert "Open Seat Holder" in rows and "Closed Seat Holder" not in rows
    popolo = orjson.loads(exported(partnership_a, "popolo_json", settings, tmp_path).file.open("rb").read())
    appointment_ids = {m["id"] for m in popolo["memberships"] if m["id"].startswith("appointment/")}
    assert appointment_ids == {f"appointment/{open_.pk}"}
    assert [person["name"] for person in popolo["persons"]] == ["Open Seat Holder"]

    # Webhooks: nothing goes out about it
    assert access.is_published(closed) is False and access.is_published(open_) is True
