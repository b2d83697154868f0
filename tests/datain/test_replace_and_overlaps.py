"""Replacing the chair in one step; overlap errors name the record they clash with, with a link."""

import datetime

import pytest
from django.urls import reverse

from bodies.models import Appointment
from tests.factories import AppointmentFactory, MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def test_a_second_chair_is_refused_naming_the_chair_with_a_link_and_the_way_to_replace(secretariat, board):
    chair = AppointmentFactory(body=board, role="chair", person__name="Casey Chair", effective_from=D(2025, 4, 1),
                               effective_to=None)  # fmt: skip
    newcomer = PersonFactory(name="Nia New")
    response = secretariat.post(
        reverse("edit-appointment-create", args=[board.pk]),
        {"person": newcomer.pk, "role": "chair", "voting": "on", "effective_from": "2026-12-01"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert f'<a href="{reverse("edit-appointment", args=[chair.pk])}">Casey Chair</a> is chair' in page
    assert "from 1 April 2025, no end date" in page
    assert (
        f'<a href="{reverse("edit-appointment-replace", args=[chair.pk])}">Replace Casey Chair in one step</a>'
        in page
    )
    assert "This period overlaps another record" not in page


def test_replacing_the_chair_ends_the_old_and_appoints_the_new_in_one_step(secretariat, board):
    chair = AppointmentFactory(body=board, role="chair", person__name="Casey Chair", effective_from=D(2025, 4, 1),
                               effective_to=None)  # fmt: skip
    newcomer = PersonFactory(name="Nia New")
    url = reverse("edit-appointment-replace", args=[chair.pk])
    page = secretariat.get(url).content.decode()
    assert "Replace Casey Chair as chair" in page
    response = secretariat.post(
        url, {"person": newcomer.pk, "starts_on": "2026-12-01", "expected_revision": chair.revision}
    )
    assert response.status_code == 302
    chair.refresh_from_db()
    assert chair.effective_to == D(2026, 11, 30)
    new = Appointment.objects.get(body=board, person=newcomer)
    assert (new.role, new.effective_from, new.effective_to) == ("chair", D(2026, 12, 1), None)
    followed = secretariat.get(response["Location"]).content.decode()
    assert "Casey Chair was replaced as chair." in followed


def test_replacing_before_the_holder_started_is_refused_in_words(secretariat, board):
    chair = AppointmentFactory(body=board, role="chair", effective_from=D(2026, 4, 1), effective_to=None)
    response = secretariat.post(
        reverse("edit-appointment-replace", args=[chair.pk]),
        {"person": PersonFactory().pk, "starts_on": "2026-01-01", "expected_revision": chair.revision},
    )
    assert response.status_code == 400
    assert "the new appointment must start after that" in response.content.decode()
    chair.refresh_from_db()
    assert chair.effective_to is None


def test_an_overlapping_membership_names_the_membership(secretariat, ours):
    existing = MembershipFactory(partnership=ours, effective_from=D(2020, 1, 1), effective_to=None)
    response = secretariat.post(
        reverse("edit-membership-create", args=[ours.pk]),
        {"organisation": existing.organisation_id, "standing": "core", "status": "confirmed",
         "effective_from": "2026-01-01"},
    )  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 400
    assert f'This period overlaps <a href="{reverse("edit-membership", args=[existing.pk])}">' in page


def test_a_new_meetings_attendance_is_prefilled_from_the_appointments_in_force(secretariat, board):
    AppointmentFactory(
        body=board, person__name="Ada In Force", effective_from=D(2020, 1, 1), effective_to=None
    )
    AppointmentFactory(
        body=board, person__name="Ed Ended", effective_from=D(2018, 1, 1), effective_to=D(2019, 1, 1)
    )
    response = secretariat.get(reverse("edit-meeting-create", args=[board.pk]))
    formset = response.context["formset"]
    prefilled = [form.initial for form in formset.initial_forms]
    assert [row["status"] for row in prefilled] == ["present"]
    assert [str(row["person"]) for row in prefilled] == [
        str(board.appointments.get(person__name="Ada In Force").person_id)
    ]
    assert formset.total_form_count() == 1 + 3
