"""Editing appointments: made, changed and ended with a deputy; a second chair and a self
deputy refused; a list with constant queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bodies.models import (
    Appointment,
)
from tests import factories
from tests.editing import events, form_data

pytestmark = pytest.mark.django_db


# -- appointments --------------------------------------------------------------------------------
def test_an_appointment_with_a_deputy_is_made_changed_and_ended(secretariat, board):
    person, deputy = factories.PersonFactory(name="Ann Chair"), factories.PersonFactory(name="Ben Deputy")
    url = reverse("edit-appointment-create", args=[board.pk])
    created = secretariat.post(
        url,
        form_data(
            secretariat.get(url),
            person=str(person.pk),
            role="chair",
            deputy=str(deputy.pk),
            effective_from="2018-01-01",
            voting="on",
        ),
    )
    appointment = Appointment.objects.get(body=board, person=person)
    assert created.status_code == 302 and appointment.deputy == deputy

    url = reverse("edit-appointment", args=[appointment.pk])
    secretariat.post(url, form_data(secretariat.get(url), title="Independent Chair"))
    url = reverse("edit-appointment-end", args=[appointment.pk])
    ended = secretariat.post(url, form_data(secretariat.get(url), effective_to="2020-12-31"))

    appointment.refresh_from_db()
    assert ended.status_code == 302
    assert (appointment.title, appointment.effective_to) == ("Independent Chair", datetime.date(2020, 12, 31))
    assert len(events(appointment)) == 3


def test_a_second_chair_and_a_self_deputy_are_refused_as_form_errors(secretariat, board):
    factories.AppointmentFactory(body=board, role="chair")
    person = factories.PersonFactory()
    url = reverse("edit-appointment-create", args=[board.pk])
    opened = secretariat.get(url)

    second_chair = secretariat.post(
        url, form_data(opened, person=str(person.pk), role="chair", effective_from="2018-01-01")
    )
    own_deputy = secretariat.post(
        url,
        form_data(
            opened, person=str(person.pk), role="member", deputy=str(person.pk), effective_from="2018-01-01"
        ),
    )

    # The current chair is named, with a link and the one-step replacement (issue 17).
    assert second_chair.status_code == 400 and "Replace" in second_chair.content.decode()
    assert "in one step" in second_chair.content.decode()
    assert (
        own_deputy.status_code == 400
        and "A person cannot be their own deputy." in own_deputy.content.decode()
    )
    assert Appointment.objects.filter(body=board).count() == 1


def test_a_stale_appointment_save_is_refused(secretariat, board):
    appointment = factories.AppointmentFactory(body=board)
    url = reverse("edit-appointment", args=[appointment.pk])
    opened = secretariat.get(url)
    Appointment.objects.filter(pk=appointment.pk).update(title="Changed elsewhere")

    response = secretariat.post(url, form_data(opened, title="Mine"))

    assert response.status_code == 409
    appointment.refresh_from_db()
    assert appointment.title == "Changed elsewhere"


def test_the_appointments_list_has_constant_queries(secretariat, board, django_assert_max_num_queries):
    url = reverse("edit-appointments", args=[board.pk])
    factories.AppointmentFactory(body=board, deputy=factories.PersonFactory())
    with CaptureQueriesContext(connection) as few:
        assert secretariat.get(url).status_code == 200
    for _ in range(10):
        factories.AppointmentFactory(
            body=board, deputy=factories.PersonFactory(), representing=factories.OrganisationFactory()
        )
    with django_assert_max_num_queries(len(few)):
        assert len(secretariat.get(url).context["page"]) == 11
