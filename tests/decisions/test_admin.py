"""The secretariat's admin: every write goes through the workflows; evidence is never deleted."""

import pytest
from django.contrib import admin
from django.urls import reverse

from decisions.models import Attendance, Decision, Ratification
from tests import factories
from tests.decisions.conftest import attend

pytestmark = pytest.mark.django_db

DECISIONS_ADMINS = [model for model in admin.site._registry if model._meta.app_label == "decisions"]


def decision_form(scheme, **kwargs):
    return {
        "body": scheme.board.pk,
        "meeting": scheme.meeting.pk,
        "matter": scheme.matter.pk,
        "power": "approve",
        "resolution": "The business case is approved.",
        "outcome": "carried",
        "recorded_as": "decision",
        "consulted": "",
        **kwargs,
    }


@pytest.mark.parametrize("model", DECISIONS_ADMINS, ids=lambda m: m._meta.model_name)
def test_changelists_render_with_a_constant_number_of_queries(
    admin_client, model, scheme, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse(f"admin:decisions_{model._meta.model_name}_changelist")
    factories.RatificationFactory()
    with CaptureQueriesContext(connection) as baseline:
        assert admin_client.get(url).status_code == 200
    for _ in range(5):
        ratification = factories.RatificationFactory()
        factories.DeclarationFactory(meeting=ratification.decision.meeting)
        factories.AttendanceFactory(meeting=ratification.decision.meeting)
        factories.InterestFactory()
        factories.ProposalFactory()

    with django_assert_max_num_queries(len(baseline)):
        assert admin_client.get(url).status_code == 200


def test_a_decision_without_authority_is_refused_on_the_form_with_the_reason(admin_client, scheme):
    attend(scheme.meeting, scheme.members)
    other = factories.MatterFactory(partnership=scheme.partnership, name="To approve the estates strategy")

    response = admin_client.post(
        reverse("admin:decisions_decision_add"), decision_form(scheme, matter=other.pk)
    )

    assert response.status_code == 200
    assert "holds no authority to approve" in response.content.decode()
    assert not Decision.objects.filter(matter=other).exists()


def test_a_decision_added_in_the_admin_is_recorded_through_the_workflow(admin_client, scheme):
    attend(scheme.meeting, scheme.members)

    response = admin_client.post(reverse("admin:decisions_decision_add"), decision_form(scheme))

    assert response.status_code == 302, response.context["adminform"].form.errors
    decision = Decision.objects.get(body=scheme.board)
    assert (decision.delegation, decision.status) == (scheme.delegation, "awaiting_ratification")
    assert decision.ratifications.count() == 3


def test_ratifying_in_the_inline_keeps_the_decision_status(admin_client, scheme):
    attend(scheme.meeting, scheme.members)
    admin_client.post(reverse("admin:decisions_decision_add"), decision_form(scheme))
    decision = Decision.objects.get(body=scheme.board)
    ratifications = list(decision.ratifications.order_by("organisation__name", "id"))
    form = {
        "minute_reference": "", "restricted": "", "restriction_reason": "", "rescission_reason": "",
        "corrected_by": "", "source_document": "", "source_reference": "", "source_url": "",
        "expected_revision": decision.revision,
        "ratifications-TOTAL_FORMS": 3, "ratifications-INITIAL_FORMS": 3,
        "ratifications-MIN_NUM_FORMS": 0, "ratifications-MAX_NUM_FORMS": 1000,
    }  # fmt: skip
    for n, ratification in enumerate(ratifications):
        form.update(
            {
                f"ratifications-{n}-id": ratification.pk,
                f"ratifications-{n}-decision": decision.pk,
                f"ratifications-{n}-ratifying_board": "",
                f"ratifications-{n}-outcome": "ratified",
                f"ratifications-{n}-decided_on": "2018-03-20",
                f"ratifications-{n}-minute_reference": f"TB{n}",
                f"ratifications-{n}-correction_reason": "",
            }
        )

    response = admin_client.post(reverse("admin:decisions_decision_change", args=[decision.pk]), form)

    assert response.status_code == 302, response.content.decode()[:3000]
    decision.refresh_from_db()
    assert decision.status == "effective"
    assert set(Ratification.objects.filter(decision=decision).values_list("outcome", flat=True)) == {
        "ratified"
    }


def test_attendance_in_the_meeting_inline_takes_its_vote_from_the_appointment(admin_client, scheme):
    meeting = scheme.meeting
    form = {
        "body": scheme.board.pk, "title": "", "starts_at_0": "01/03/2018", "starts_at_1": "10:00:00",
        "ends_at_0": "", "ends_at_1": "", "place": "Board room", "status": "held", "notice_given_on": "",
        "minutes_approved_at": "", "source_document": "", "source_reference": "", "source_url": "",
        "expected_revision": meeting.revision,
        "attendances-TOTAL_FORMS": 1, "attendances-INITIAL_FORMS": 0, "attendances-MIN_NUM_FORMS": 0,
        "attendances-MAX_NUM_FORMS": 1000,
        "attendances-0-person": scheme.members[1].pk, "attendances-0-status": "present",
        "attendances-0-deputy": "", "attendances-0-note": "",
        "agenda_items-TOTAL_FORMS": 0, "agenda_items-INITIAL_FORMS": 0, "agenda_items-MIN_NUM_FORMS": 0,
        "agenda_items-MAX_NUM_FORMS": 1000,
        "declarations-TOTAL_FORMS": 0, "declarations-INITIAL_FORMS": 0, "declarations-MIN_NUM_FORMS": 0,
        "declarations-MAX_NUM_FORMS": 1000,
    }  # fmt: skip

    response = admin_client.post(reverse("admin:decisions_meeting_change", args=[meeting.pk]), form)

    assert response.status_code == 302, response.content.decode()[:3000]
    attendance = Attendance.objects.get(meeting=meeting, person=scheme.members[1])
    assert attendance.voting is True
    assert attendance.appointment.person == scheme.members[1]


@pytest.mark.parametrize("model_name", ["decision", "ratification", "declaration"])
def test_evidence_cannot_be_deleted_in_the_admin(admin_client, model_name):
    ratification = factories.RatificationFactory()
    declaration = factories.DeclarationFactory(meeting=ratification.decision.meeting)
    instance = {"decision": ratification.decision, "ratification": ratification, "declaration": declaration}[
        model_name
    ]

    response = admin_client.post(
        reverse(f"admin:decisions_{model_name}_delete", args=[instance.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert type(instance).objects.filter(pk=instance.pk).exists()
