"""Reminders: each goes to the right people, once a day, however often the job runs."""

import datetime

import pytest
from django.core import mail

from bodies.reminders import terms_of_reference_reminders
from core.access import grant_role
from core.effective_dating import today
from core.models import Notification, OutboxMessage
from core.notifications import notification_email_send, reminders_send
from decisions.reminders import meeting_notice_reminders, ratification_reminders, urgent_decision_reminders
from risks.reminders import escalation_reminders, risk_review_reminders
from tests import factories
from tests.jobs.conftest import wait_for

pytestmark = pytest.mark.django_db


def recipients(reminders, key):
    (reminder,) = [r for r in reminders if r.subject_key == key]
    return sorted(r.key for r in reminder.recipients)


@pytest.fixture
def board():
    """A board with a chair and a secretariat officer (people with emails), and partnership users."""
    partnership = factories.PartnershipFactory(name="Reminder Partnership")
    body = factories.BodyFactory(partnership=partnership, name="Reminder Board")
    factories.AppointmentFactory(
        body=body, role="chair", person__name="Chair", person__email="Chair@Example.org"
    )
    factories.AppointmentFactory(
        body=body, role="secretariat", person__name="Officer", person__email="officer@example.org"
    )
    factories.AppointmentFactory(
        body=body, role="member", person__name="Member", person__email="member@example.org"
    )
    secretariat = factories.UserFactory(email="secretariat@example.org")
    grant_role(user=secretariat, partnership=partnership, role="secretariat")
    viewer = factories.UserFactory(email="viewer@example.org")
    grant_role(user=viewer, partnership=partnership, role="viewer")
    return body


BOARD_PEOPLE = ["chair@example.org", "officer@example.org", "secretariat@example.org"]


def test_terms_of_reference_due_within_30_days_or_overdue_go_to_the_secretariat_and_chair(board):
    on = today()
    soon = factories.TermsOfReferenceFactory(
        body=board, approved=True, next_review_due=on + datetime.timedelta(days=30)
    )
    other = factories.BodyFactory(partnership=board.partnership)
    overdue = factories.TermsOfReferenceFactory(
        body=other, approved=True, next_review_due=on - datetime.timedelta(days=1)
    )
    later = factories.BodyFactory(partnership=board.partnership)
    factories.TermsOfReferenceFactory(
        body=later, approved=True, next_review_due=on + datetime.timedelta(days=31)
    )

    reminders = terms_of_reference_reminders(on)

    keys = {r.subject_key for r in reminders if r.partnership_id == board.partnership_id}
    assert keys == {f"tor-review:{soon.pk}", f"tor-review:{overdue.pk}"}
    assert recipients(reminders, f"tor-review:{soon.pk}") == BOARD_PEOPLE
    assert recipients(reminders, f"tor-review:{overdue.pk}") == ["secretariat@example.org"]
    assert "overdue" in next(r for r in reminders if r.subject_key == f"tor-review:{overdue.pk}").subject


def test_an_overdue_ratification_goes_to_the_organisation_contact_and_the_deciding_body(board, settings):
    settings.RATIFICATION_DUE_DAYS = 56
    organisation = factories.OrganisationFactory(contact_email="board.secretary@trust.example")
    late = factories.RatificationFactory(
        decision__body=board, decision__decided_on=today() - datetime.timedelta(days=57), organisation=organisation,
        decision__status="awaiting_ratification",
    )  # fmt: skip
    on_time = factories.RatificationFactory(
        decision__body=board, decision__decided_on=today() - datetime.timedelta(days=10),
        decision__status="awaiting_ratification",
    )  # fmt: skip

    reminders = ratification_reminders(today())

    assert f"ratification-overdue:{on_time.pk}" not in {r.subject_key for r in reminders}
    assert recipients(reminders, f"ratification-overdue:{late.pk}") == [
        "board.secretary@trust.example",
        *BOARD_PEOPLE,
    ]


def test_urgent_decisions_meeting_notices_risks_and_escalations_reach_their_bodies(board):
    on = today()
    urgent = factories.DecisionFactory(
        body=board,
        meeting=None,
        urgent=True,
        urgency_reason="Deadline",
        decided_on=on - datetime.timedelta(days=3),
    )
    meeting = factories.MeetingFactory(
        body=board,
        status="scheduled",
        notice_given_on=None,
        starts_at=datetime.datetime.combine(on + datetime.timedelta(days=3), datetime.time(10), datetime.UTC),
    )
    owner = factories.PersonFactory(email="owner@example.org")
    risk = factories.RiskFactory(
        register__partnership=board.partnership, register__body=board, owner=owner,
        next_review_due=on - datetime.timedelta(days=1),
    )  # fmt: skip
    escalation = factories.RiskEscalationFactory(risk__register__partnership=board.partnership, to_body=board)

    assert recipients(urgent_decision_reminders(on), f"urgent-unreported:{urgent.pk}") == BOARD_PEOPLE
    assert recipients(meeting_notice_reminders(on), f"meeting-notice:{meeting.pk}") == BOARD_PEOPLE
    assert recipients(risk_review_reminders(on), f"risk-review-overdue:{risk.pk}") == sorted(
        [*BOARD_PEOPLE, "owner@example.org"]
    )
    assert recipients(escalation_reminders(on), f"escalation-unanswered:{escalation.pk}") == BOARD_PEOPLE


def test_storing_reminders_twice_on_a_day_stores_and_emails_each_once(
    board, django_capture_on_commit_callbacks
):
    factories.TermsOfReferenceFactory(body=board, approved=True, next_review_due=today())
    reminders = terms_of_reference_reminders(today())

    assert reminders_send(reminders, day=today()) == 3
    assert reminders_send(reminders, day=today()) == 0
    sent = [notification_email_send(recipient=email, day=today()) for email in BOARD_PEOPLE]
    again = [notification_email_send(recipient=email, day=today()) for email in BOARD_PEOPLE]

    assert sent == [1, 1, 1] and again == [0, 0, 0]
    assert sorted(m.to[0] for m in mail.outbox) == BOARD_PEOPLE
    assert Notification.objects.filter(subject_key__startswith="tor-review:").count() == 3


def test_the_daily_job_gathers_every_register_so_each_person_gets_one_email(
    board, django_capture_on_commit_callbacks
):
    from core.tasks import send_daily_reminders

    on = today()
    terms = factories.TermsOfReferenceFactory(body=board, approved=True, next_review_due=on)
    risk = factories.RiskFactory(
        register__partnership=board.partnership,
        register__body=board,
        next_review_due=on - datetime.timedelta(days=1),
    )

    send_daily_reminders()

    queued = OutboxMessage.objects.filter(task="core.tasks.send_notification_email")
    chair = [m for m in queued if m.kwargs["recipient"] == "chair@example.org"]
    assert len(chair) == 1  # one email for the day, not one per register
    assert notification_email_send(recipient="chair@example.org", day=on) == 2
    (email,) = [m for m in mail.outbox if m.to == ["chair@example.org"]]
    assert f"{board.name}: terms of reference" in email.body and risk.reference in email.body
    assert Notification.objects.filter(subject_key=f"tor-review:{terms.pk}").count() == 3


@pytest.mark.slow
def test_the_daily_job_run_twice_by_a_real_worker_sends_each_reminder_once(celery_worker, board):
    from core.tasks import send_daily_reminders

    terms = factories.TermsOfReferenceFactory(body=board, approved=True, next_review_due=today())
    key = f"tor-review:{terms.pk}"

    for _ in range(2):
        send_daily_reminders.apply_async()
        wait_for(lambda: Notification.objects.filter(subject_key=key).count() == 3)
        wait_for(lambda: not OutboxMessage.objects.filter(dispatched_at__isnull=True).exists())
        wait_for(lambda: not Notification.objects.filter(subject_key=key, emailed_at__isnull=True).exists())

    ours = [m for m in mail.outbox if board.name in m.subject or board.name in m.body]
    assert sorted(m.to[0] for m in ours) == BOARD_PEOPLE
    assert all("terms of reference" in m.subject for m in ours)
    assert Notification.objects.filter(subject_key=key).count() == 3
    assert set(Notification.objects.filter(subject_key=key).values_list("recipient", flat=True)) == set(
        BOARD_PEOPLE
    )
