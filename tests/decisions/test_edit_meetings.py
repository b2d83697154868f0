"""Editing meetings and their attendance: recorded together, bad or stale rows refused with
the input kept, another attendance row added with htmx or without JavaScript; a list with
constant queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from decisions.models import Attendance, Meeting
from tests import factories
from tests.editing import errors_of, form_data, formset_data

pytestmark = pytest.mark.django_db


# -- meetings and attendance ---------------------------------------------------------------------
def attendance_rows(rows: list[dict], total: int = 3) -> dict:
    data = {
        "attendance-TOTAL_FORMS": str(total),
        "attendance-INITIAL_FORMS": "0",
        "attendance-MIN_NUM_FORMS": "0",
        "attendance-MAX_NUM_FORMS": "1000",
    }
    for n in range(total):
        row = rows[n] if n < len(rows) else {}
        for name in ("person", "status", "deputy", "note", "attendance_revision"):
            data[f"attendance-{n}-{name}"] = row.get(name, "present" if name == "status" else "")
    return data


def test_a_meeting_is_recorded_with_its_attendance(secretariat, board):
    member = factories.AppointmentFactory(body=board, voting=True).person
    attendee = factories.AppointmentFactory(body=board, role="attendee", voting=False).person
    deputy = factories.PersonFactory(name="The Deputy")
    url = reverse("edit-meeting-create", args=[board.pk])
    data = form_data(secretariat.get(url), starts_at="2018-03-01T10:00", status="held", place="Board room")
    data.update(
        attendance_rows(
            [
                {"person": str(member.pk), "status": "represented_by_deputy", "deputy": str(deputy.pk)},
                {"person": str(attendee.pk), "status": "present"},
            ]
        )
    )

    response = secretariat.post(url, data)

    meeting = Meeting.objects.get(body=board)
    assert response.status_code == 302 and response["Location"] == reverse("edit-meeting", args=[meeting.pk])
    seats = {a.person_id: (a.status, a.deputy_id, a.voting) for a in meeting.attendances.all()}
    assert seats == {
        member.pk: ("represented_by_deputy", deputy.pk, True),
        attendee.pk: ("present", None, False),
    }
    page = secretariat.get(reverse("edit-meeting", args=[meeting.pk]))
    assert page.context["formset"].initial[0]["person"] in (member.pk, attendee.pk)


def test_bad_attendance_keeps_the_input_and_writes_nothing(secretariat, board):
    member = factories.AppointmentFactory(body=board).person
    url = reverse("edit-meeting-create", args=[board.pk])
    data = form_data(secretariat.get(url), starts_at="2018-03-01T10:00", status="held", place="The hall")
    data.update(attendance_rows([{"person": str(member.pk), "status": "represented_by_deputy"}]))

    response = secretariat.post(url, data)
    html = response.content.decode()

    assert response.status_code == 400
    assert "Name the deputy exactly when the member was represented by one." in html
    assert 'value="The hall"' in html
    assert not Meeting.objects.filter(body=board).exists() and not Attendance.objects.exists()


def test_a_meeting_with_a_bad_time_or_twice_listed_person_is_refused(secretariat, board):
    member = factories.AppointmentFactory(body=board).person
    url = reverse("edit-meeting-create", args=[board.pk])
    opened = secretariat.get(url)

    bad_time = secretariat.post(
        url, {**form_data(opened, starts_at="2018-13-45T99:00"), **attendance_rows([])}
    )
    twice = secretariat.post(
        url,
        {
            **form_data(opened, starts_at="2018-03-01T10:00"),
            **attendance_rows([{"person": str(member.pk)}, {"person": str(member.pk)}]),
        },
    )

    assert bad_time.status_code == 400 and "starts_at" in errors_of(bad_time)
    assert twice.status_code == 400 and "is listed twice" in twice.content.decode()
    assert not Meeting.objects.filter(body=board).exists()


def test_a_stale_meeting_save_is_refused(secretariat, board):
    meeting = factories.MeetingFactory(body=board)
    url = reverse("edit-meeting", args=[meeting.pk])
    opened = secretariat.get(url)
    Meeting.objects.filter(pk=meeting.pk).update(place="Moved elsewhere")

    response = secretariat.post(url, {**form_data(opened, place="My room"), **attendance_rows([])})

    assert response.status_code == 409 and "Moved elsewhere" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.place == "Moved elsewhere"


def test_a_stale_attendance_row_is_refused(secretariat, board):
    meeting = factories.MeetingFactory(body=board)
    seat = factories.AttendanceFactory(meeting=meeting, status="present")
    url = reverse("edit-meeting", args=[meeting.pk])
    opened = secretariat.get(url)
    Attendance.objects.filter(pk=seat.pk).update(status="apologies")

    response = secretariat.post(
        url,
        {
            **form_data(opened),
            **attendance_rows(
                [{"person": str(seat.person_id), "status": "absent", "attendance_revision": "1"}]
            ),
        },
    )

    assert (
        response.status_code == 409 and "attendance was changed by someone else" in response.content.decode()
    )
    seat.refresh_from_db()
    assert seat.status == "apologies"


# -- meetings: another attendance row ------------------------------------------------------------
def meeting_data(response, **changes) -> dict:
    data = form_data(response)
    data.update(formset_data(response.context["formset"]))
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def test_another_attendance_row_without_javascript_keeps_the_input(secretariat, board):
    url = reverse("edit-meeting-create", args=[board.pk])
    opened = secretariat.get(url)

    response = secretariat.post(url, meeting_data(opened, place="The hall", add_row="attendance"))
    html = response.content.decode()

    assert response.status_code == 200
    assert len(response.context["formset"].forms) == 4
    assert 'name="attendance-3-person"' in html and 'value="The hall"' in html
    assert "There is a problem" not in html
    assert not Meeting.objects.filter(body=board).exists()


def test_another_attendance_row_with_htmx_is_only_the_row(secretariat, board):
    url = reverse("edit-meeting-create", args=[board.pk])
    member = factories.AppointmentFactory(body=board).person

    response = secretariat.post(
        url, meeting_data(secretariat.get(url), add_row="attendance"), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()

    assert response.status_code == 200 and "<html" not in html
    # The member appointed in force is pre-filled (issue 17): one row, then the 3 empty ones, then the new one.
    assert 'name="attendance-4-person"' in html and member.name in html
    assert 'id="id_attendance-TOTAL_FORMS"' in html and 'value="5"' in html
    assert not Meeting.objects.filter(body=board).exists()


def test_a_meeting_saved_with_an_added_row_records_it(secretariat, board):
    people = [factories.AppointmentFactory(body=board).person for _ in range(4)]
    url = reverse("edit-meeting-create", args=[board.pk])
    grown = secretariat.post(url, meeting_data(secretariat.get(url), add_row="attendance"))
    rows = {f"attendance-{n}-person": str(person.pk) for n, person in enumerate(people)}

    response = secretariat.post(
        url, meeting_data(grown, starts_at="2018-03-01T10:00", status="held", add_row=None, **rows)
    )

    assert response.status_code == 302, response.context["formset_errors"]
    assert Meeting.objects.get(body=board).attendances.count() == 4


def test_the_meetings_list_has_constant_queries(secretariat, board, django_assert_max_num_queries):
    url = reverse("edit-meetings", args=[board.pk])
    factories.MeetingFactory(body=board)
    with CaptureQueriesContext(connection) as few:
        assert secretariat.get(url).status_code == 200
    for _ in range(8):
        factories.MeetingFactory(body=board)
    with django_assert_max_num_queries(len(few)):
        assert len(secretariat.get(url).context["page"]) == 9
