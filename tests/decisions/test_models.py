"""What must never hold in the decisions register is refused by the database (or by the model's clean)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from decisions.models import Attendance, Decision, Ratification
from tests import factories

pytestmark = pytest.mark.django_db


def refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_votes_cannot_be_negative():
    refused(lambda: factories.DecisionFactory(votes_against=-1))


def test_an_urgent_decision_has_no_meeting_and_gives_its_reason():
    body = factories.BodyFactory()
    refused(
        lambda: factories.DecisionFactory(body=body, urgent=True, urgency_reason="Deadline")
    )  # has a meeting
    refused(lambda: factories.DecisionFactory(body=body, meeting=None, urgent=True, urgency_reason=""))
    refused(lambda: factories.DecisionFactory(body=body, meeting=None, urgent=False))

    urgent = factories.DecisionFactory(
        body=body, meeting=None, urgent=True, urgency_reason="NHS England deadline"
    )

    assert urgent.meeting_id is None


def test_restricted_and_withheld_records_give_the_reason():
    refused(lambda: factories.DecisionFactory(restricted=True, restriction_reason=""))
    refused(lambda: factories.AgendaItemFactory(restricted=True))
    refused(lambda: factories.InterestFactory(withheld=True))

    assert factories.InterestFactory(withheld=True, withheld_reason="Personal safety").withheld


def test_one_ratification_per_decision_and_organisation():
    ratification = factories.RatificationFactory()

    refused(
        lambda: factories.RatificationFactory(
            decision=ratification.decision, organisation=ratification.organisation
        )
    )


def test_a_ratification_is_dated_once_the_board_has_considered_it():
    refused(lambda: factories.RatificationFactory(outcome="ratified", decided_on=None))
    refused(lambda: factories.RatificationFactory(outcome="pending", decided_on=datetime.date(2018, 2, 1)))


def test_one_attendance_per_meeting_and_person():
    attendance = factories.AttendanceFactory()

    refused(lambda: factories.AttendanceFactory(meeting=attendance.meeting, person=attendance.person))


def test_a_deputy_is_named_exactly_when_the_member_was_represented():
    refused(lambda: factories.AttendanceFactory(status="represented_by_deputy", deputy=None))
    refused(lambda: factories.AttendanceFactory(status="present", deputy=factories.PersonFactory()))
    person = factories.PersonFactory()
    refused(lambda: factories.AttendanceFactory(person=person, status="represented_by_deputy", deputy=person))


def test_a_recommendation_names_the_body_it_is_made_to():
    refused(lambda: factories.DecisionFactory(recorded_as="recommendation", status="recommendation"))


def test_a_rescinded_decision_gives_the_day_and_the_reason():
    refused(lambda: factories.DecisionFactory(status="rescinded", rescinded_on=datetime.date(2018, 5, 1)))
    refused(lambda: factories.DecisionFactory(status="effective", rescinded_on=datetime.date(2018, 5, 1)))


def test_minutes_are_approved_at_a_later_held_meeting_of_the_same_body():
    first = factories.MeetingFactory()
    earlier = factories.MeetingFactory(
        body=first.body, starts_at=first.starts_at - datetime.timedelta(days=30)
    )
    elsewhere = factories.MeetingFactory(starts_at=first.starts_at + datetime.timedelta(days=30))
    later = factories.MeetingFactory(body=first.body, starts_at=first.starts_at + datetime.timedelta(days=30))

    for wrong, message in (
        (earlier, "later meeting"),
        (elsewhere, "same body"),
    ):
        first.minutes_approved_at = wrong
        with pytest.raises(ValidationError) as error:
            first.full_clean()
        assert message in str(error.value.message_dict["minutes_approved_at"])
    first.minutes_approved_at = later
    first.full_clean()
    first.save()
    refused(lambda: type(first).objects.filter(pk=first.pk).update(minutes_approved_at=first))


def test_evidence_is_protected_from_deletion():
    ratification = factories.RatificationFactory()
    decision = ratification.decision
    declaration = factories.DeclarationFactory(meeting=decision.meeting)

    for doomed in (decision.meeting, decision, decision.matter):
        with pytest.raises(ProtectedError), transaction.atomic():
            doomed.delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        declaration.person.delete()

    assert Decision.objects.filter(pk=decision.pk).exists()
    assert Ratification.objects.filter(pk=ratification.pk).exists()


def test_a_decision_stays_inside_its_body_and_meeting():
    decision = factories.DecisionFactory.build(
        body=factories.BodyFactory(),
        meeting=factories.MeetingFactory(),
        matter=factories.MatterFactory(),
        decided_on=datetime.date(2000, 1, 1),
        status="effective",
    )

    with pytest.raises(ValidationError) as error:
        decision.full_clean()

    assert {"meeting", "matter"} <= set(error.value.message_dict)


def test_every_change_is_audited():
    import pghistory.models

    attendance = factories.AttendanceFactory()
    attendance.status = Attendance.Status.APOLOGIES
    attendance.save()

    labels = list(
        pghistory.models.Events.objects.tracks(attendance)
        .order_by("pgh_id")
        .values_list("pgh_label", flat=True)
    )
    assert labels == ["insert", "update"]
    attendance.refresh_from_db()
    assert attendance.revision == 2
