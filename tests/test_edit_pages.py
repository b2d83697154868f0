"""Editing pages for secretariats: each form writes through the services and records history;
bad input comes back with field errors and the input kept; a stale save is a 409 that writes
nothing; another partnership's records are 404 and read-only roles get 403."""

import datetime

import pghistory.models
import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, reverse
from django.utils import timezone

from bodies.models import Appointment, Body, Membership, TermsOfReference
from decisions.models import Attendance, Decision, Meeting, Ratification
from risks.models import Risk, RiskEscalation, RiskReview
from stp_governance import page_urls
from tests import factories
from tests.decisions import conftest as decisions_setup
from tests.platform.conftest import user_with_role

scheme = decisions_setup.scheme  # the decisions tests' small partnership, as a fixture here too

pytestmark = pytest.mark.django_db


# -- helpers -------------------------------------------------------------------------------------
def form_data(response, **changes) -> dict:
    """What the browser would send back for the page's form, unchanged but for `changes`."""
    form = response.context["form"]
    data = {}
    for bound in form:
        value = bound.value()
        if isinstance(bound.field, forms.BooleanField):
            if value:
                data[bound.html_name] = "on"
            continue
        if value is None:
            value = ""
        elif isinstance(value, datetime.datetime):
            value = (timezone.localtime(value) if timezone.is_aware(value) else value).strftime(
                "%Y-%m-%dT%H:%M"
            )
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        data[bound.html_name] = value
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def formset_data(formset) -> dict:
    """What the browser sends back for a formset, unchanged: its management form and every row."""
    data = {}
    for form in [formset.management_form, *formset.forms]:
        for bound in form:
            value = bound.value()
            if bound.widget_type == "checkbox":
                if value:
                    data[bound.html_name] = "on"
                continue
            if value is None:
                value = "unknown" if bound.widget_type == "nullbooleanselect" else ""
            elif value is True or value is False:
                value = "true" if value else "false"
            data[bound.html_name] = str(value)
    return data


def events(instance) -> list:
    return list(
        pghistory.models.MiddlewareEvents.objects.tracks(instance).order_by("pgh_created_at", "pgh_id")
    )


def errors_of(response) -> dict:
    return {name: list(errors) for name, errors in response.context["form"].errors.items()}


# -- bodies --------------------------------------------------------------------------------------
def test_a_secretariat_changes_a_body_and_its_page_shows_the_change_in_its_history(secretariat, board):
    url = reverse("edit-body", args=[board.pk])
    opened = secretariat.get(url)

    response = secretariat.post(url, form_data(opened, short_name="OB", status="shadow"))

    assert response.status_code == 302 and response["Location"].startswith(
        reverse("body-detail", args=[board.pk])
    )
    board.refresh_from_db()
    assert (board.short_name, board.status, board.revision) == ("OB", "shadow", 2)
    last = events(board)[-1]
    assert last.user_id == secretariat.user.pk and last.pgh_diff["short_name"] == ["", "OB"]
    page = secretariat.get(reverse("body-detail", args=[board.pk])).content.decode()
    assert "Short name: “” → “OB”" in page and "Status: “Active” → “Shadow”" in page
    assert "Your changes to the body were saved." in page


def test_a_body_is_added_with_a_slug_made_from_its_name(secretariat, ours):
    url = reverse("edit-body-create", args=[ours.pk])
    response = secretariat.post(
        url, form_data(secretariat.get(url), name="System Delivery Board", kind="programme_board")
    )

    body = Body.objects.get(partnership=ours, name="System Delivery Board")
    assert response.status_code == 302
    assert (body.slug, body.kind, body.status) == ("system-delivery-board", "programme_board", "active")
    assert events(body)[0].pgh_label == "insert" and events(body)[0].user_id == secretariat.user.pk


def test_a_duplicate_body_slug_is_a_form_error_not_a_crash(secretariat, ours, board):
    url = reverse("edit-body-create", args=[ours.pk])
    response = secretariat.post(url, form_data(secretariat.get(url), name="Our Board", kind="board"))

    assert response.status_code == 400
    assert "A body with this slug already exists in this partnership." in response.content.decode()
    assert Body.objects.filter(partnership=ours).count() == 1


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"name": "Board\x00"}, "name", "Null characters are not allowed."),
        ({"short_name": "x" * 101}, "short_name", "at most 100 characters"),
        ({"effective_from": "2018-02-30"}, "effective_from", "Enter a valid date."),
        ({"effective_from": "2019-01-01", "effective_to": "2018-01-01"}, "effective_to", "cannot be before"),
        ({"kind": "statutory_board"}, "kind", "Select a valid choice."),
        ({"status": "dissolved"}, "effective_to", "Give the date the body was dissolved."),
    ],
)
def test_bad_input_to_a_body_comes_back_with_the_error_and_the_input_kept(
    secretariat, board, changes, field, message
):
    url = reverse("edit-body", args=[board.pk])
    response = secretariat.post(
        url, form_data(secretariat.get(url), description="My careful words", **changes)
    )
    html = response.content.decode()

    assert response.status_code == 400
    assert any(message in error for error in errors_of(response)[field])
    assert "There is a problem" in html and f'href="#id_{field}"' in html
    assert "My careful words" in html  # the input is kept
    board.refresh_from_db()
    assert board.revision == 1 and board.description == ""


def test_a_stale_save_of_a_body_is_refused_with_both_versions_shown(secretariat, board):
    url = reverse("edit-body", args=[board.pk])
    opened = secretariat.get(url)
    Body.objects.filter(pk=board.pk).update(short_name="Changed elsewhere")

    response = secretariat.post(url, form_data(opened, short_name="Mine"))
    html = response.content.decode()

    assert response.status_code == 409
    assert "Someone else changed this record" in html and "Mine" in html and "Changed elsewhere" in html
    board.refresh_from_db()
    assert board.short_name == "Changed elsewhere" and board.revision == 2
    # The conflict page offers the user's version again, at the current revision: saving it wins, knowingly.
    retry = response.context["form"]
    assert retry["expected_revision"].value() == "2" and retry["short_name"].value() == "Mine"
    again = secretariat.post(url, form_data(response))
    board.refresh_from_db()
    assert again.status_code == 302 and board.short_name == "Mine"


def test_a_missing_revision_is_treated_as_stale(secretariat, board):
    url = reverse("edit-body", args=[board.pk])
    response = secretariat.post(
        url, form_data(secretariat.get(url), short_name="Mine", expected_revision=None)
    )

    assert response.status_code == 409
    board.refresh_from_db()
    assert board.short_name == ""


# -- terms of reference --------------------------------------------------------------------------
def test_a_new_version_is_drafted_changed_and_approved_superseding_the_last(secretariat, board):
    v1 = factories.TermsOfReferenceFactory(body=board, version=1, approved=True)
    factories.TermsOfReferenceObjectiveFactory(terms_of_reference=v1, position=1)
    approver = factories.BodyFactory(partnership=board.partnership, name="Approving Board")

    started = secretariat.post(reverse("edit-terms-of-reference-new-version", args=[board.pk]))
    draft = board.terms_of_reference.get(version=2)
    assert started.status_code == 302 and started["Location"] == reverse(
        "edit-terms-of-reference", args=[draft.pk]
    )
    assert draft.status == "draft" and draft.objectives.count() == 1

    url = reverse("edit-terms-of-reference", args=[draft.pk])
    opened = secretariat.get(url)
    saved = secretariat.post(
        url,
        {
            **form_data(opened, purpose="To lead the integrated care system."),
            **formset_data(opened.context["objectives"]),
            **formset_data(opened.context["roles"]),
        },
    )
    draft.refresh_from_db()
    assert saved.status_code == 302 and draft.purpose == "To lead the integrated care system."

    url = reverse("edit-terms-of-reference-approve", args=[draft.pk])
    approved = secretariat.post(
        url, form_data(secretariat.get(url), approved_on="2019-04-01", approved_by=str(approver.pk))
    )
    draft.refresh_from_db()
    v1.refresh_from_db()
    assert approved.status_code == 302
    assert (draft.status, draft.effective_from, draft.approved_by) == (
        "approved",
        datetime.date(2019, 4, 1),
        approver,
    )
    assert (v1.status, v1.effective_to) == ("superseded", datetime.date(2019, 3, 31))
    history = secretariat.get(reverse("edit-terms-of-reference", args=[draft.pk]))
    assert history.status_code == 409  # approved: the record of what applied, not edited
    assert [e.pgh_label for e in events(draft)] == ["insert", "update", "update"]


def test_an_approved_version_is_not_edited(secretariat, board):
    v1 = factories.TermsOfReferenceFactory(body=board, version=1, approved=True, purpose="As approved.")

    response = secretariat.post(reverse("edit-terms-of-reference", args=[v1.pk]), {"purpose": "Rewritten"})

    assert response.status_code == 409 and "Start a new version" in response.content.decode()
    v1.refresh_from_db()
    assert v1.purpose == "As approved." and v1.revision == 1


def test_approval_refused_by_the_service_shows_its_reason_on_the_field(secretariat, board):
    factories.TermsOfReferenceFactory(
        body=board, version=1, approved=True, effective_from=datetime.date(2019, 1, 1)
    )
    draft = factories.TermsOfReferenceFactory(body=board, version=2)
    url = reverse("edit-terms-of-reference-approve", args=[draft.pk])

    response = secretariat.post(url, form_data(secretariat.get(url), approved_on="2018-06-01"))

    assert response.status_code == 400
    assert "Version 1 is in force from 01 January 2019" in errors_of(response)["effective_from"][0]
    assert 'value="2018-06-01"' in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_a_stale_approval_is_refused(secretariat, board):
    draft = factories.TermsOfReferenceFactory(body=board, version=1)
    url = reverse("edit-terms-of-reference-approve", args=[draft.pk])
    opened = secretariat.get(url)
    TermsOfReference.objects.filter(pk=draft.pk).update(purpose="Changed while I read it")

    response = secretariat.post(url, form_data(opened, approved_on="2019-04-01"))

    assert response.status_code == 409
    draft.refresh_from_db()
    assert draft.status == "draft"


# -- memberships ---------------------------------------------------------------------------------
def test_a_membership_is_changed_and_its_page_shows_the_history(secretariat, ours):
    membership = factories.MembershipFactory(partnership=ours)
    url = reverse("edit-membership", args=[membership.pk])

    response = secretariat.post(
        url, form_data(secretariat.get(url), standing="associate", note="Moved by the MoU")
    )

    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.standing, membership.note, membership.revision) == ("associate", "Moved by the MoU", 2)
    page = secretariat.get(url).content.decode()
    assert "Standing: “Party to” → “Associate member”" in page
    assert secretariat.user.username in page


def test_a_membership_is_added_and_an_overlapping_one_refused(secretariat, ours):
    organisation = factories.OrganisationFactory()
    url = reverse("edit-membership-create", args=[ours.pk])
    data = form_data(
        secretariat.get(url),
        organisation=str(organisation.pk),
        standing="party_to",
        effective_from="2018-04-01",
    )

    first = secretariat.post(url, data)
    second = secretariat.post(url, {**data, "effective_from": "2019-01-01"})

    assert first.status_code == 302
    assert second.status_code == 400 and "overlaps another record" in second.content.decode()
    assert Membership.objects.filter(partnership=ours, organisation=organisation).count() == 1


def test_a_membership_is_ended_not_deleted(secretariat, ours):
    membership = factories.MembershipFactory(partnership=ours, effective_from=datetime.date(2017, 4, 1))
    url = reverse("edit-membership-end", args=[membership.pk])
    opened = secretariat.get(url)

    too_early = secretariat.post(url, form_data(opened, effective_to="2016-01-01"))
    ended = secretariat.post(url, form_data(opened, effective_to="2019-03-31", withdrawn="on"))

    assert (
        too_early.status_code == 400
        and "it cannot end before that" in errors_of(too_early)["effective_to"][0]
    )
    assert ended.status_code == 302
    membership.refresh_from_db()
    assert (membership.effective_to, membership.status) == (datetime.date(2019, 3, 31), "withdrawn")
    assert [e.pgh_label for e in events(membership)] == ["insert", "update"]


def test_a_stale_membership_end_is_refused_and_nothing_written(secretariat, ours):
    membership = factories.MembershipFactory(partnership=ours)
    url = reverse("edit-membership-end", args=[membership.pk])
    opened = secretariat.get(url)
    Membership.objects.filter(pk=membership.pk).update(note="Changed elsewhere")

    response = secretariat.post(url, form_data(opened, effective_to="2019-03-31"))

    assert response.status_code == 409 and "Someone else changed this record" in response.content.decode()
    membership.refresh_from_db()
    assert membership.effective_to is None


def test_the_memberships_list_has_constant_queries(secretariat, ours, django_assert_max_num_queries):
    url = reverse("edit-memberships", args=[ours.pk])
    for _ in range(2):
        factories.MembershipFactory(partnership=ours)
    with CaptureQueriesContext(connection) as few:
        assert secretariat.get(url).status_code == 200
    for _ in range(12):
        factories.MembershipFactory(partnership=ours)
    with django_assert_max_num_queries(len(few)):
        response = secretariat.get(url)
    assert len(response.context["page"]) == 14


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

    assert second_chair.status_code == 400 and "overlaps another record" in second_chair.content.decode()
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


# -- decisions and ratifications -----------------------------------------------------------------
@pytest.fixture
def scheme_secretariat(client, scheme):
    decisions_setup.attend(scheme.meeting, scheme.members)  # quorate: four voting members present
    user = user_with_role(scheme.partnership, "secretariat")
    client.force_login(user)
    return client


def test_a_decision_is_recorded_on_its_authority_and_then_ratified(scheme_secretariat, scheme):
    client = scheme_secretariat
    url = reverse("edit-decision-create", args=[scheme.board.pk])
    response = client.post(
        url,
        form_data(
            client.get(url),
            meeting=str(scheme.meeting.pk),
            matter=str(scheme.matter.pk),
            power="approve",
            resolution="Resolved: the business case is approved.",
            outcome="carried",
            amount_gbp="250000",
            minute_reference="STP/18/3",
        ),
    )

    decision = Decision.objects.get(body=scheme.board, minute_reference="STP/18/3")
    assert response.status_code == 302 and response["Location"] == reverse(
        "edit-decision", args=[decision.pk]
    )
    assert decision.status == "awaiting_ratification" and decision.delegation == scheme.delegation
    assert decision.ratifications.count() == 3
    page = client.get(response["Location"]).content.decode()
    assert "Table 4" in page and "Record the answer" in page

    for ratification in decision.ratifications.all():
        url = reverse("edit-ratification", args=[ratification.pk])
        answered = client.post(url, form_data(client.get(url), outcome="ratified", decided_on="2018-03-20"))
        assert answered.status_code == 302
    decision.refresh_from_db()
    assert (decision.status, decision.effective_on) == ("effective", datetime.date(2018, 3, 20))


def test_a_decision_without_authority_is_refused_with_the_reason_and_the_input_kept(
    scheme_secretariat, scheme
):
    client = scheme_secretariat
    url = reverse("edit-decision-create", args=[scheme.board.pk])
    response = client.post(
        url,
        form_data(
            client.get(url),
            meeting=str(scheme.meeting.pk),
            matter=str(scheme.matter.pk),
            power="approve",
            resolution="Resolved: the large business case is approved.",
            outcome="carried",
            amount_gbp="5000000",
        ),
    )
    html = response.content.decode()

    assert response.status_code == 400
    assert "holds no authority to approve" in html
    assert "Resolved: the large business case is approved." in html and 'value="5000000' in html
    assert not Decision.objects.filter(body=scheme.board).exists()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"resolution": ""}, "resolution"),
        ({"resolution": "Resolved\x00"}, "resolution"),
        ({"minute_reference": "x" * 101}, "minute_reference"),
        ({"votes_for": "-1"}, "votes_for"),
        ({"matter": "abc"}, "matter"),
        ({"urgent": "on", "meeting": "", "decided_on": "2018-02-30"}, "decided_on"),
    ],
)
def test_bad_decision_input_is_a_field_error(scheme_secretariat, scheme, changes, field):
    client = scheme_secretariat
    url = reverse("edit-decision-create", args=[scheme.board.pk])
    data = form_data(
        client.get(url),
        meeting=str(scheme.meeting.pk),
        matter=str(scheme.matter.pk),
        resolution="Resolved.",
        outcome="carried",
    )

    response = client.post(url, {**data, **changes})

    assert response.status_code == 400 and field in errors_of(response)
    assert not Decision.objects.filter(body=scheme.board).exists()


def test_a_stale_ratification_is_refused(secretariat, ours):
    ratification = factories.RatificationFactory(decision__body__partnership=ours)
    url = reverse("edit-ratification", args=[ratification.pk])
    opened = secretariat.get(url)
    Ratification.objects.filter(pk=ratification.pk).update(minute_reference="Board/1")

    response = secretariat.post(
        url, form_data(opened, outcome="ratified", decided_on=str(timezone.localdate()))
    )

    assert response.status_code == 409
    ratification.refresh_from_db()
    assert ratification.outcome == "pending"


# -- risks ---------------------------------------------------------------------------------------
def test_a_risk_is_added_changed_reviewed_and_escalated(secretariat, ours, board):
    register = factories.RiskRegisterFactory(partnership=ours, body=factories.BodyFactory(partnership=ours))
    factories.BodyRelationshipFactory(from_body=register.body, to_body=board, kind="escalates_risks_to")
    url = reverse("edit-risk-create", args=[ours.pk])
    created = secretariat.post(
        url,
        form_data(
            secretariat.get(url),
            register=str(register.pk),
            reference="OP-01",
            title="Workforce gaps",
            category="workforce",
            inherent_likelihood="4",
            inherent_consequence="4",
            current_likelihood="3",
            current_consequence="4",
            target_likelihood="2",
            target_consequence="3",
        ),
    )
    risk = Risk.objects.get(partnership=ours, reference="OP-01")
    assert created.status_code == 302 and (risk.current_score, risk.current_band) == (12, "high")

    url = reverse("edit-risk", args=[risk.pk])
    secretariat.post(url, form_data(secretariat.get(url), current_likelihood="4"))
    risk.refresh_from_db()
    assert (risk.current_score, risk.current_band) == (16, "extreme")

    url = reverse("edit-risk-review", args=[risk.pk])
    meeting = factories.MeetingFactory(
        body=register.body, starts_at=datetime.datetime(2019, 1, 10, 14, tzinfo=datetime.UTC)
    )
    other_day = factories.MeetingFactory(
        body=register.body, starts_at=datetime.datetime(2019, 1, 3, 14, tzinfo=datetime.UTC)
    )
    wrong_day = secretariat.post(
        url,
        form_data(
            secretariat.get(url), reviewed_on="2019-01-10", current_likelihood="2", meeting=str(other_day.pk)
        ),
    )
    assert wrong_day.status_code == 400
    assert "not on the day of the review" in errors_of(wrong_day)["meeting"][0]
    reviewed = secretariat.post(
        url,
        form_data(
            secretariat.get(url), reviewed_on="2019-01-10", current_likelihood="2", meeting=str(meeting.pk)
        ),
    )
    url = reverse("edit-risk-escalate", args=[risk.pk])
    escalated = secretariat.post(
        url,
        form_data(
            secretariat.get(url), to_body=str(board.pk), escalated_on="2019-01-11", reason="Above appetite"
        ),
    )

    risk.refresh_from_db()
    assert reviewed.status_code == 302 and escalated.status_code == 302
    assert RiskReview.objects.get(risk=risk).current_likelihood == 2 and risk.current_score == 8
    assert RiskReview.objects.get(risk=risk).meeting == meeting
    assert RiskEscalation.objects.get(risk=risk).to_body == board
    assert [e.pgh_label for e in events(risk)] == ["insert", "update", "update"]


def test_an_escalation_the_reporting_lines_do_not_allow_is_refused_with_the_reason(secretariat, ours, board):
    risk = factories.RiskFactory(register__partnership=ours)
    url = reverse("edit-risk-escalate", args=[risk.pk])

    response = secretariat.post(
        url,
        form_data(secretariat.get(url), to_body=str(board.pk), escalated_on="2019-01-11", reason="Too big"),
    )

    assert response.status_code == 400
    assert "cannot escalate risks" in errors_of(response)["to_body"][0]
    assert "Too big" in response.content.decode()
    assert not RiskEscalation.objects.filter(risk=risk).exists()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"reference": ""}, "reference"),
        ({"title": "t" * 301}, "title"),
        ({"current_likelihood": "6"}, "current_likelihood"),
        ({"identified_on": "2019-02-29"}, "identified_on"),
        ({"status": "closed"}, "closed_on"),
        ({"cause": "bad\x00"}, "cause"),
    ],
)
def test_bad_risk_input_is_a_field_error(secretariat, ours, changes, field):
    risk = factories.RiskFactory(register__partnership=ours)
    url = reverse("edit-risk", args=[risk.pk])

    response = secretariat.post(url, form_data(secretariat.get(url), **changes))

    assert response.status_code == 400 and field in errors_of(response)
    assert Risk.objects.get(pk=risk.pk).revision == risk.revision


def test_a_stale_risk_save_is_refused(secretariat, ours):
    risk = factories.RiskFactory(register__partnership=ours)
    url = reverse("edit-risk", args=[risk.pk])
    opened = secretariat.get(url)
    Risk.objects.filter(pk=risk.pk).update(title="Changed elsewhere")

    response = secretariat.post(url, form_data(opened, title="Mine"))

    assert response.status_code == 409
    assert Risk.objects.get(pk=risk.pk).title == "Changed elsewhere"


def test_the_risks_list_has_constant_queries(secretariat, ours, django_assert_max_num_queries):
    url = reverse("edit-risks", args=[ours.pk])
    factories.RiskFactory(register__partnership=ours)
    with CaptureQueriesContext(connection) as few:
        assert secretariat.get(url).status_code == 200
    for _ in range(8):
        factories.RiskFactory(register__partnership=ours)
    with django_assert_max_num_queries(len(few)):
        assert len(secretariat.get(url).context["page"]) == 9


def test_the_meetings_list_has_constant_queries(secretariat, board, django_assert_max_num_queries):
    url = reverse("edit-meetings", args=[board.pk])
    factories.MeetingFactory(body=board)
    with CaptureQueriesContext(connection) as few:
        assert secretariat.get(url).status_code == 200
    for _ in range(8):
        factories.MeetingFactory(body=board)
    with django_assert_max_num_queries(len(few)):
        assert len(secretariat.get(url).context["page"]) == 9


# -- who may edit --------------------------------------------------------------------------------
# Every editing page, with how to make the record it edits in a given partnership.
EDIT_PAGES = {
    "edit-body-create": lambda p: p,
    "edit-body": lambda p: factories.BodyFactory(partnership=p),
    "edit-terms-of-reference-new-version": lambda p: factories.BodyFactory(partnership=p),
    "edit-terms-of-reference": lambda p: factories.TermsOfReferenceFactory(body__partnership=p),
    "edit-terms-of-reference-approve": lambda p: factories.TermsOfReferenceFactory(body__partnership=p),
    "edit-memberships": lambda p: p,
    "edit-membership-create": lambda p: p,
    "edit-membership": lambda p: factories.MembershipFactory(partnership=p),
    "edit-membership-end": lambda p: factories.MembershipFactory(partnership=p),
    "edit-appointments": lambda p: factories.BodyFactory(partnership=p),
    "edit-appointment-create": lambda p: factories.BodyFactory(partnership=p),
    "edit-appointment": lambda p: factories.AppointmentFactory(body__partnership=p),
    "edit-appointment-end": lambda p: factories.AppointmentFactory(body__partnership=p),
    "edit-meetings": lambda p: factories.BodyFactory(partnership=p),
    "edit-meeting-create": lambda p: factories.BodyFactory(partnership=p),
    "edit-meeting": lambda p: factories.MeetingFactory(body__partnership=p),
    "edit-decision-create": lambda p: factories.BodyFactory(partnership=p),
    "edit-decision": lambda p: factories.DecisionFactory(body__partnership=p),
    "edit-ratification": lambda p: factories.RatificationFactory(decision__body__partnership=p),
    "edit-risks": lambda p: p,
    "edit-risk-create": lambda p: p,
    "edit-risk": lambda p: factories.RiskFactory(register__partnership=p),
    "edit-risk-review": lambda p: factories.RiskFactory(register__partnership=p),
    "edit-risk-escalate": lambda p: factories.RiskFactory(register__partnership=p),
    "edit-people": lambda p: p,
    "edit-person-create": lambda p: p,
    "edit-person": lambda p: factories.AppointmentFactory(body__partnership=p).person,
    "edit-decision-rescind": lambda p: factories.DecisionFactory(body__partnership=p),
    "edit-risk-registers": lambda p: p,
    "edit-risk-register-create": lambda p: p,
    "edit-risk-register": lambda p: factories.RiskRegisterFactory(partnership=p),
    "edit-risk-escalation-respond": lambda p: factories.RiskEscalationFactory(risk__register__partnership=p),
    "edit-risk-escalation-de-escalate": lambda p: factories.RiskEscalationFactory(
        risk__register__partnership=p
    ),
}
# Shared reference data (docs/decisions/0002): anyone with a role reads a person, so another
# partnership's person is found but not theirs to change (403, not 404).
SHARED_REFERENCE_PAGES = {"edit-person"}


def test_every_editing_page_is_in_the_access_matrix():
    names = {
        p.name for p in page_urls.urlpatterns if isinstance(p, URLPattern) and p.name.startswith("edit-")
    }
    assert names == set(EDIT_PAGES)


@pytest.mark.parametrize("name", sorted(EDIT_PAGES))
def test_another_partnerships_records_are_not_found(name, secretariat, theirs):
    record = EDIT_PAGES[name](theirs)
    url = reverse(name, args=[record.pk])
    before = type(record).objects.get(pk=record.pk).revision
    expected = 403 if name in SHARED_REFERENCE_PAGES else 404

    assert secretariat.get(url).status_code == expected
    assert secretariat.post(url, {"name": "Taken over", "expected_revision": before}).status_code == expected
    assert type(record).objects.get(pk=record.pk).revision == before


@pytest.mark.parametrize("role", ["viewer", "member"])
@pytest.mark.parametrize("name", sorted(EDIT_PAGES))
def test_read_only_roles_may_not_edit_their_own_partnerships_records(name, role, client, ours):
    record = EDIT_PAGES[name](ours)
    client.force_login(user_with_role(ours, role))
    url = reverse(name, args=[record.pk])
    before = type(record).objects.get(pk=record.pk).revision

    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "Changed", "expected_revision": before}).status_code == 403
    assert type(record).objects.get(pk=record.pk).revision == before


def test_edit_links_show_only_to_those_who_may_edit(client, ours, board):
    body_url, partnership_url = (
        reverse("body-detail", args=[board.pk]),
        reverse("partnership-detail", args=[ours.pk]),
    )
    client.force_login(user_with_role(ours, "viewer"))
    viewer_body, viewer_partnership = (
        client.get(body_url).content.decode(),
        client.get(partnership_url).content.decode(),
    )
    client.force_login(user_with_role(ours, "secretariat"))
    secretariat_body = client.get(body_url).content.decode()
    secretariat_partnership = client.get(partnership_url).content.decode()

    assert reverse("edit-body", args=[board.pk]) not in viewer_body
    assert reverse("edit-memberships", args=[ours.pk]) not in viewer_partnership
    assert reverse("edit-body", args=[board.pk]) in secretariat_body
    assert reverse("edit-appointments", args=[board.pk]) in secretariat_body
    assert reverse("edit-memberships", args=[ours.pk]) in secretariat_partnership
