"""Workflows: recording decisions on authority, ratifying, rescinding, declaring, attending, planning, advancing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from decisions import services
from decisions.models import Attendance, Decision, Declaration, Meeting, Proposal, Ratification
from tests import factories
from tests.decisions.conftest import ON, attend, held_meeting

pytestmark = pytest.mark.django_db

D = datetime.date


def record(scheme, **kwargs):
    values = {
        "body": scheme.board,
        "meeting": scheme.meeting,
        "matter": scheme.matter,
        "power": "approve",
        "resolution": "The business case for community diagnostics is approved.",
        "outcome": "carried",
    }
    values = {**values, **kwargs}
    meeting = values["meeting"]
    if meeting is not None and meeting.body == scheme.board and not meeting.attendances.exists():
        attend(meeting, scheme.members)  # quorate unless a test records the attendance itself
    return services.decision_record(**values)


def refusal(call) -> dict:
    before = (Decision.objects.count(), Ratification.objects.count())
    with pytest.raises(ValidationError) as error:
        call()
    assert (Decision.objects.count(), Ratification.objects.count()) == before
    return error.value.message_dict


# -- recording on authority ------------------------------------------------------------------
def test_a_decision_within_authority_stores_its_delegation_and_needs_each_party_to_ratify(scheme):
    attend(scheme.meeting, scheme.members)
    board_of_party = factories.BodyFactory(
        partnership=None, organisation=scheme.parties[0], kind="statutory_board", name="Party 0 Trust Board"
    )

    decision = record(
        scheme, amount_gbp=Decimal("250000"), votes_for=3, votes_against=1, minute_reference="18/12"
    )

    assert decision.delegation == scheme.delegation
    assert decision.decided_on == ON
    assert decision.status == "awaiting_ratification"
    assert decision.authority_explanation.startswith(
        "Partnership Board may approve “To approve business cases”"
    )
    assert "each of the 3 parties' own boards must ratify" in decision.authority_explanation
    ratifications = list(decision.ratifications.order_by("organisation__name"))
    assert [(r.organisation, r.outcome) for r in ratifications] == [(p, "pending") for p in scheme.parties]
    assert ratifications[0].ratifying_board == board_of_party
    assert ratifications[1].ratifying_board is None


def test_a_body_whose_decisions_bind_needs_no_ratification(scheme):
    scheme.board.decisions_bind_partners = True
    scheme.board.save()

    decision = record(scheme)

    assert (decision.status, decision.effective_on, decision.ratifications.count()) == ("effective", ON, 0)


def test_a_decision_without_authority_is_refused_with_the_reason(scheme):
    other = factories.MatterFactory(partnership=scheme.partnership, name="To approve the estates strategy")

    errors = refusal(lambda: record(scheme, matter=other))

    assert errors["matter"][0].startswith(
        "Partnership Board holds no authority to approve “To approve the estates strategy” on 1 March 2018."
    )
    assert "No body in Decisions Test Partnership's scheme holds delegated authority" in errors["matter"][0]


def test_a_body_that_may_only_recommend_is_refused_an_approval_or_records_a_recommendation(scheme):
    meeting = held_meeting(scheme.executive)

    errors = refusal(lambda: record(scheme, body=scheme.executive, meeting=meeting))
    recommendation = record(scheme, body=scheme.executive, meeting=meeting, recorded_as="recommendation")

    assert "Executive holds no authority to approve" in errors["matter"][0]
    assert "it may only recommend it" in errors["matter"][0]
    assert errors["matter"][0].endswith(
        "Record it as a recommendation to Partnership Board instead (recorded_as: recommendation)."
    )
    assert (recommendation.recorded_as, recommendation.status) == ("recommendation", "recommendation")
    assert recommendation.recommended_to == scheme.board
    assert recommendation.delegation is None
    assert recommendation.ratifications.count() == 0
    assert "Recorded as a recommendation to Partnership Board." in recommendation.authority_explanation


def test_a_recommendation_is_exercised_under_the_recommend_delegation(scheme):
    meeting = held_meeting(scheme.executive)

    decision = record(scheme, body=scheme.executive, meeting=meeting, power="recommend")

    assert decision.recorded_as == "decision"
    assert decision.delegation.delegate == scheme.executive
    assert decision.status == "effective"  # a recommendation commits no partner: nothing to ratify


def test_approval_covers_endorsement(scheme):
    decision = record(scheme, power="endorse")

    assert decision.delegation == scheme.delegation
    assert decision.ratifications.count() == 3


def test_an_amount_above_the_limit_is_refused_naming_the_limit(scheme):
    errors = refusal(lambda: record(scheme, amount_gbp=Decimal("1500000")))

    assert (
        "£1,500,000.00 is above the £1,000,000.00 limit on the delegation to Partnership Board"
        in errors["matter"][0]
    )


def test_a_decision_at_an_inquorate_meeting_is_refused(scheme):
    attend(scheme.meeting, scheme.members[:2])

    errors = refusal(lambda: record(scheme))

    assert errors["meeting"] == [
        "The meeting was not quorate for this item, so no decision can be recorded. Not quorate: the terms of "
        "reference require 3; 2 voting member(s) counted."
    ]


def test_conflicted_members_cannot_be_counted_in_the_votes(scheme):
    attend(scheme.meeting, scheme.members)
    item = factories.AgendaItemFactory(meeting=scheme.meeting)
    services.declaration_record(
        meeting=scheme.meeting, person=scheme.members[3], agenda_item=item, management="no_vote",
        nature="Non-executive director of a provider affected",
    )  # fmt: skip

    errors = refusal(lambda: record(scheme, agenda_item=item, votes_for=3, votes_against=1))
    decision = record(scheme, agenda_item=item, votes_for=2, votes_against=0, votes_abstaining=1)

    assert errors["votes_for"][0].startswith(
        "4 votes were counted, but only 3 member(s) could vote on this item."
    )
    assert "Member 3 (took part without a vote)" in errors["votes_for"][0]
    assert decision.votes_cast == 3


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("scheduled", "The meeting is still scheduled: record it as held first."),
        ("cancelled", "The meeting was cancelled; nothing was decided at it."),
    ],
)
def test_no_decision_at_a_meeting_not_held(scheme, status, message):
    attend(scheme.meeting, scheme.members)
    Meeting.objects.filter(pk=scheme.meeting.pk).update(status=status)
    scheme.meeting.refresh_from_db()

    assert refusal(lambda: record(scheme))["meeting"] == [message]


def test_a_decision_outside_a_meeting_must_be_urgent(scheme):
    errors = refusal(lambda: record(scheme, meeting=None))

    assert "record it as urgent" in errors["meeting"][0]


# -- urgent decisions ---------------------------------------------------------------------
def test_an_urgent_decision_gives_its_reason_and_who_was_consulted(scheme):
    def urgent(**kwargs):
        values = {
            "meeting": None,
            "urgent": True,
            "decided_on": D(2018, 3, 10),
            "urgency_reason": "Bid deadline",
        }
        return record(scheme, **{**values, **kwargs})

    assert "urgency_reason" in refusal(lambda: urgent(urgency_reason=" "))
    assert "Cambridgeshire 9.12" in refusal(lambda: urgent(consulted=[]))["consulted"][0]
    assert "no votes" in refusal(lambda: urgent(consulted=["Chair, Party 0"], votes_for=1))["votes_for"][0]

    decision = urgent(consulted=["Chair, Party 0 NHS Trust", "Director of Finance, Party 0 NHS Trust"])

    assert decision.taken_by == scheme.chair  # the chair on the day, when not named
    assert decision.consulted == ["Chair, Party 0 NHS Trust", "Director of Finance, Party 0 NHS Trust"]
    assert decision.ratifications.count() == 3


def test_an_urgent_decision_is_reported_to_a_later_meeting_of_its_body(scheme):
    decision = record(
        scheme,
        meeting=None,
        urgent=True,
        decided_on=D(2018, 3, 10),
        urgency_reason="Deadline",
        consulted=["Chairs"],
    )
    later = held_meeting(scheme.board, D(2018, 4, 5))

    earlier_refused = refusal(
        lambda: services.urgent_decision_report(decision=decision, meeting=scheme.meeting)
    )
    reported = services.urgent_decision_report(decision=decision, meeting=later)
    again = services.urgent_decision_report(decision=decision, meeting=later)

    assert "after it was taken" in earlier_refused["meeting"][0]
    assert reported.reported_at == later
    assert again.reported_at == later
    decision.refresh_from_db()
    assert decision.revision == 2  # reported once


# -- ratification ---------------------------------------------------------------------------
def test_the_decision_takes_effect_when_the_last_party_ratifies(scheme):
    decision = record(scheme)
    ratifications = list(decision.ratifications.order_by("organisation__name"))

    for day, ratification in enumerate(ratifications[:2], start=10):
        services.ratification_record(
            ratification=ratification, outcome="ratified", decided_on=D(2018, 3, day)
        )
        decision.refresh_from_db()
        assert decision.status == "awaiting_ratification"
    services.ratification_record(
        ratification=ratifications[2],
        outcome="ratified",
        decided_on=D(2018, 3, 28),
        minute_reference="B/18/40",
    )

    decision.refresh_from_db()
    assert (decision.status, decision.effective_on) == ("effective", D(2018, 3, 28))


def test_one_decline_makes_the_decision_not_effective(scheme):
    decision = record(scheme)
    first, second, _ = decision.ratifications.order_by("organisation__name")

    services.ratification_record(ratification=first, outcome="ratified", decided_on=D(2018, 3, 10))
    services.ratification_record(ratification=second, outcome="declined", decided_on=D(2018, 3, 12))

    decision.refresh_from_db()
    assert (decision.status, decision.effective_on) == ("not_effective", None)


def test_recording_the_same_answer_twice_changes_nothing(scheme):
    ratification = record(scheme).ratifications.first()
    once = services.ratification_record(
        ratification=ratification, outcome="ratified", decided_on=D(2018, 3, 10)
    )

    twice = services.ratification_record(
        ratification=ratification, outcome="ratified", decided_on=D(2018, 3, 10)
    )

    assert twice.pk == once.pk
    ratification.refresh_from_db()
    assert (ratification.revision, ratification.outcome) == (2, "ratified")  # written once


def test_correcting_a_recorded_answer_needs_the_reason(scheme):
    ratification = record(scheme).ratifications.first()
    services.ratification_record(ratification=ratification, outcome="ratified", decided_on=D(2018, 3, 10))

    errors = refusal(
        lambda: services.ratification_record(
            ratification=ratification, outcome="declined", decided_on=D(2018, 3, 10)
        )
    )
    corrected = services.ratification_record(
        ratification=ratification,
        outcome="declined",
        decided_on=D(2018, 3, 10),
        correction_reason="The minutes were misread: the board declined.",
    )

    assert errors["correction_reason"][0].endswith(
        "is recorded as having ratified it on 10 March 2018; to correct that record, give the reason."
    )
    assert (corrected.outcome, corrected.correction_reason) == (
        "declined",
        "The minutes were misread: the board declined.",
    )
    assert corrected.decision.status == "not_effective"


def test_a_board_cannot_ratify_before_the_decision_or_a_stranger_board_ratify(scheme):
    ratification = record(scheme).ratifications.first()
    stranger = factories.BodyFactory(partnership=None, organisation=scheme.parties[1], kind="statutory_board")

    early = refusal(
        lambda: services.ratification_record(
            ratification=ratification, outcome="ratified", decided_on=D(2018, 2, 1)
        )
    )
    wrong_board = refusal(
        lambda: services.ratification_record(
            ratification=ratification, outcome="ratified", decided_on=D(2018, 3, 5), ratifying_board=stranger
        )
    )

    assert "before it was taken" in early["decided_on"][0]
    assert "this organisation's own board" in wrong_board["ratifying_board"][0]


def test_a_rescinded_decision_keeps_its_record_and_takes_no_more_ratifications(scheme):
    decision = record(scheme)
    ratification = decision.ratifications.first()

    rescinded = services.decision_rescind(
        decision=decision, reason="Recorded against the wrong matter.", rescinded_on=ON
    )
    errors = refusal(
        lambda: services.ratification_record(ratification=ratification, outcome="ratified", decided_on=ON)
    )

    assert (rescinded.status, rescinded.rescission_reason) == (
        "rescinded",
        "Recorded against the wrong matter.",
    )
    assert "rescinded on 1 March 2018" in errors["outcome"][0]
    assert Decision.objects.filter(pk=decision.pk).exists()
    assert "reason" in refusal(lambda: services.decision_rescind(decision=decision, reason="Another reason"))


def test_a_decision_is_corrected_by_a_new_record(scheme):
    wrong = record(scheme, resolution="Approved £25,000.")
    right = record(scheme, resolution="Approved £250,000.", amount_gbp=Decimal("250000"))

    services.decision_rescind(
        decision=wrong, reason="The amount was mistyped.", corrected_by=right, rescinded_on=ON
    )

    wrong.refresh_from_db()
    assert (wrong.status, wrong.corrected_by) == ("rescinded", right)


# -- attendance and declarations ---------------------------------------------------------------
def test_attendance_takes_its_vote_from_the_appointment_in_force(scheme):
    guest = factories.PersonFactory()

    member = services.attendance_record(meeting=scheme.meeting, person=scheme.members[1], status="present")
    visitor = services.attendance_record(meeting=scheme.meeting, person=guest, status="present")
    errors = refusal(
        lambda: services.attendance_record(
            meeting=scheme.meeting, person=guest, status="present", voting=True
        )
    )

    assert (member.voting, member.appointment.person) == (True, scheme.members[1])
    assert (visitor.voting, visitor.appointment) == (False, None)
    assert "holds no voting appointment on Partnership Board on 1 March 2018" in errors["voting"][0]


def test_recording_attendance_again_corrects_it(scheme):
    first = services.attendance_record(meeting=scheme.meeting, person=scheme.members[1], status="present")

    second = services.attendance_record(meeting=scheme.meeting, person=scheme.members[1], status="apologies")

    assert first.pk == second.pk
    assert Attendance.objects.get(pk=first.pk).status == "apologies"


def test_attendance_and_declarations_cannot_change_under_recorded_decisions(scheme):
    attend(scheme.meeting, scheme.members)
    record(scheme)

    late_attendance = refusal(
        lambda: services.attendance_record(
            meeting=scheme.meeting, person=scheme.members[0], status="apologies"
        )
    )
    late_declaration = refusal(
        lambda: services.declaration_record(
            meeting=scheme.meeting, person=scheme.members[0], management="left_the_meeting", nature="Late"
        )
    )

    assert "Decisions are already recorded at this meeting" in late_attendance["meeting"][0]
    assert "declarations of interest must be recorded before" in late_declaration["meeting"][0]


def test_a_declaration_is_made_by_someone_in_the_room_and_managed_by_the_chair(scheme):
    attend(scheme.meeting, scheme.members[:3])
    interest = factories.InterestFactory(partnership=scheme.partnership, person=scheme.members[1])

    absent = refusal(
        lambda: services.declaration_record(
            meeting=scheme.meeting, person=scheme.members[3], management="no_action", nature="x"
        )
    )
    declaration = services.declaration_record(
        meeting=scheme.meeting, person=scheme.members[1], interest=interest, management="left_the_meeting"
    )

    assert "not recorded as attending this meeting" in absent["person"][0]
    assert declaration.managed_by == scheme.chair
    assert declaration.nature == interest.description


def test_a_rescinded_declaration_no_longer_excludes(scheme):
    from decisions.queries import meeting_quorum

    attend(scheme.meeting, scheme.members[:3])
    declaration = services.declaration_record(
        meeting=scheme.meeting,
        person=scheme.members[1],
        management="left_the_meeting",
        nature="Recorded in error",
    )
    assert meeting_quorum(scheme.meeting).met is False

    services.declaration_rescind(declaration=declaration, reason="Declared by the wrong member.")

    assert meeting_quorum(scheme.meeting).met is True
    assert Declaration.objects.get(pk=declaration.pk).rescission_reason == "Declared by the wrong member."


# -- cycle of business ------------------------------------------------------------------------
def test_the_cycle_of_business_follows_the_frequency_in_the_terms_of_reference(scheme):
    first = datetime.datetime(2018, 4, 5, 14, 0)

    created = services.meeting_cycle_plan(body=scheme.board, first_starts_at=first, until=D(2018, 7, 31))
    again = services.meeting_cycle_plan(body=scheme.board, first_starts_at=first, until=D(2018, 7, 31))

    assert [m.meeting_date for m in created] == [D(2018, 4, 5), D(2018, 5, 5), D(2018, 6, 5), D(2018, 7, 5)]
    assert {m.status for m in created} == {"scheduled"}
    assert again == []
    no_frequency = factories.BodyFactory(partnership=scheme.partnership)
    assert "frequency" in refusal(
        lambda: services.meeting_cycle_plan(body=no_frequency, first_starts_at=first, until=D(2018, 7, 31))
    )


# -- proposals ---------------------------------------------------------------------------------
@pytest.fixture
def route(scheme):
    route = factories.ApprovalRouteFactory(partnership=scheme.partnership, category="local_investment")
    first = factories.ApprovalStageFactory(route=route, position=1, name="Approve proposal", power="approve")
    first.acting_bodies.set([scheme.board, scheme.executive])
    first.jointly = True
    first.save()
    factories.ApprovalStageFactory(route=route, position=2, name="Final sign off", power="sign_off")
    attend(scheme.meeting, scheme.members)
    return route


def test_a_joint_stage_passes_when_every_acting_body_has_carried_it(scheme, route):
    proposal = services.proposal_create(
        partnership=scheme.partnership, title="Shared care record", category="local_investment"
    )
    executive_meeting = held_meeting(scheme.executive)

    services.proposal_advance(proposal=proposal, outcome="carried", body=scheme.board, meeting=scheme.meeting)
    proposal.refresh_from_db()
    assert proposal.stage_reached == 0
    services.proposal_advance(
        proposal=proposal, outcome="carried", body=scheme.executive, meeting=executive_meeting
    )
    proposal.refresh_from_db()
    assert proposal.stage_reached == 1

    services.proposal_advance(
        proposal=proposal,
        outcome="carried",
        signed_off_on=D(2018, 4, 1),
        signed_off_by="Each partner's board",
    )
    proposal.refresh_from_db()
    assert (proposal.status, proposal.stage_reached, proposal.signed_off_by) == (
        "approved",
        2,
        "Each partner's board",
    )


def test_a_proposal_cannot_skip_a_stage_and_closes_when_not_carried(scheme, route):
    proposal = services.proposal_create(
        partnership=scheme.partnership, title="Estate", category="local_investment"
    )
    final = route.stages.get(position=2)

    skipped = refusal(lambda: services.proposal_advance(proposal=proposal, outcome="carried", stage=final))
    stranger = refusal(
        lambda: services.proposal_advance(
            proposal=proposal, outcome="carried", body=factories.BodyFactory(partnership=scheme.partnership),
            meeting=scheme.meeting,
        )
    )  # fmt: skip
    services.proposal_advance(
        proposal=proposal, outcome="not_carried", body=scheme.board, meeting=scheme.meeting
    )

    proposal.refresh_from_db()
    assert (
        "The proposal is at stage 1 “Approve proposal”; stage 2 cannot be taken before it."
        in skipped["stage"]
    )
    assert "is taken by Executive and Partnership Board" in stranger["body"][0]
    assert proposal.status == Proposal.Status.NOT_APPROVED
    assert (
        "no stage is open"
        in refusal(
            lambda: services.proposal_advance(proposal=proposal, outcome="carried", body=scheme.board)
        )["proposal"][0]
    )


def test_a_proposal_needs_a_route_for_its_category(scheme):
    errors = refusal(
        lambda: services.proposal_create(partnership=scheme.partnership, title="X", category="no_investment")
    )

    assert errors["category"] == [
        "Decisions Test Partnership has no approval route for this category of proposal."
    ]
