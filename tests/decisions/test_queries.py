"""Reads: quorum after conflicts of interest, who must ratify, urgent decisions due, ratifications outstanding."""

import datetime

import pytest

from decisions import services
from decisions.queries import (
    meeting_quorum,
    ratifications_outstanding,
    urgent_decisions_awaiting_report,
    urgent_decisions_due_at,
)
from delegation.queries import ratifying_parties
from tests import factories
from tests.decisions.conftest import ON, attend, held_meeting

pytestmark = pytest.mark.django_db

D = datetime.date


def test_quorum_counts_voting_members_present_against_the_terms_of_reference(scheme):
    attend(scheme.meeting, scheme.members[:3])

    answer = meeting_quorum(scheme.meeting)

    assert (answer.quorum_count, answer.eligible_voters, answer.met) == (3, 3, True)
    assert answer.counted == ["Member 0", "Member 1", "Member 2"]
    assert answer.explanation == "Quorate: the terms of reference require 3; 3 voting member(s) counted."


def test_members_who_declared_and_left_or_lost_the_vote_do_not_count_for_the_item(scheme):
    attend(scheme.meeting, scheme.members)
    item = factories.AgendaItemFactory(meeting=scheme.meeting, title="Community services contract")
    other_item = factories.AgendaItemFactory(meeting=scheme.meeting, title="Minutes")
    services.declaration_record(
        meeting=scheme.meeting, person=scheme.members[1], agenda_item=item, management="left_the_meeting",
        nature="Director of a bidder",
    )  # fmt: skip
    services.declaration_record(
        meeting=scheme.meeting, person=scheme.members[2], agenda_item=item, management="no_vote",
        nature="Spouse works for a bidder",
    )  # fmt: skip
    services.declaration_record(
        meeting=scheme.meeting, person=scheme.members[3], agenda_item=item, management="no_action",
        nature="Former employee of a bidder",
    )  # fmt: skip

    for_item = meeting_quorum(scheme.meeting, item)
    for_other_item = meeting_quorum(scheme.meeting, other_item)

    assert (for_item.eligible_voters, for_item.met) == (2, False)
    assert for_item.counted == ["Member 0", "Member 3"]
    assert for_item.excluded == [
        "Member 1 (left the meeting for the item)",
        "Member 2 (took part without a vote)",
    ]
    assert for_item.explanation.startswith(
        "Not quorate: the terms of reference require 3; 2 voting member(s)"
    )
    assert (for_other_item.eligible_voters, for_other_item.met) == (4, True)


def test_a_deputy_fills_the_seat_and_apologies_do_not(scheme):
    deputy = factories.PersonFactory(name="Deputy")
    attend(scheme.meeting, scheme.members[:2])
    services.attendance_record(
        meeting=scheme.meeting, person=scheme.members[2], status="represented_by_deputy", deputy=deputy
    )
    services.attendance_record(meeting=scheme.meeting, person=scheme.members[3], status="apologies")

    answer = meeting_quorum(scheme.meeting)

    assert answer.counted == ["Member 0", "Member 1", "Deputy (deputy for Member 2)"]
    assert answer.met is True


def test_non_voting_attendees_do_not_count(scheme):
    observer = factories.PersonFactory(name="Observer")
    factories.AppointmentFactory(body=scheme.board, person=observer, role="in_attendance", voting=False)
    attend(scheme.meeting, [*scheme.members[:2], observer])

    answer = meeting_quorum(scheme.meeting)

    assert answer.eligible_voters == 2
    assert answer.met is False


def test_quorum_is_not_defined_without_a_count_in_the_terms_of_reference_in_force():
    draft_only = held_meeting(factories.TermsOfReferenceFactory(quorum_count=5).body)
    no_count = held_meeting(
        factories.TermsOfReferenceFactory(approved=True, quorum_rule="A majority of members").body
    )

    assert meeting_quorum(draft_only).met is None
    assert meeting_quorum(draft_only).explanation.startswith("Quorum not defined: ")
    assert "no approved terms of reference in force" in meeting_quorum(draft_only).explanation
    assert meeting_quorum(no_count).explanation.startswith(
        "Quorum not defined: the terms of reference give no quorum count (the rule reads “A majority of members”)"
    )


def test_the_terms_of_reference_in_force_on_the_meeting_date_apply(scheme):
    board = scheme.board
    terms = board.terms_of_reference.get()
    terms.effective_to = D(2018, 3, 31)
    terms.status = "superseded"
    terms.save()
    factories.TermsOfReferenceFactory(
        body=board, approved=True, approved_on=D(2018, 4, 1), effective_from=D(2018, 4, 1), quorum_count=2
    )
    april = held_meeting(board, D(2018, 4, 12))
    attend(scheme.meeting, scheme.members[:2])
    attend(april, scheme.members[:2])

    assert meeting_quorum(scheme.meeting).met is False  # March: three needed
    assert meeting_quorum(april).met is True  # April: two


def test_ratifying_parties_are_the_confirmed_parties_on_the_day(scheme):
    factories.MembershipFactory(partnership=scheme.partnership, status="to_be_confirmed")
    factories.MembershipFactory(
        partnership=scheme.partnership, effective_from=D(2016, 1, 1), effective_to=D(2017, 12, 31)
    )
    factories.MembershipFactory(partnership=scheme.partnership, standing="core")

    parties = list(ratifying_parties(scheme.partnership, ON))

    assert len(parties) == 4
    assert set(scheme.parties) < set(parties)


def test_an_urgent_decision_is_due_at_the_bodys_next_meeting_and_overdue_once_it_passes(scheme):
    urgent = factories.DecisionFactory(
        body=scheme.board, meeting=None, urgent=True, urgency_reason="Deadline", decided_on=D(2018, 3, 5)
    )
    cancelled = held_meeting(scheme.board, D(2018, 3, 20), status="cancelled")
    next_meeting = held_meeting(scheme.board, D(2018, 4, 5), status="scheduled")
    held_meeting(scheme.board, D(2018, 5, 3), status="scheduled")

    due = urgent_decisions_awaiting_report().get(pk=urgent.pk)
    assert (due.due_at_id, due.overdue) == (next_meeting.pk, False)
    assert list(urgent_decisions_due_at(next_meeting)) == [urgent]
    assert list(urgent_decisions_due_at(cancelled)) == []

    next_meeting.status = "held"
    next_meeting.save()

    assert urgent_decisions_awaiting_report().get(pk=urgent.pk).overdue is True


def test_ratifications_outstanding_are_listed_oldest_first_with_their_age():
    old = factories.RatificationFactory(decision__decided_on=D(2018, 1, 15))
    recent = factories.RatificationFactory(decision__decided_on=D(2018, 3, 1))
    factories.RatificationFactory(outcome="ratified", decided_on=D(2018, 3, 2))
    deferred = factories.RatificationFactory(
        decision=recent.decision, outcome="deferred", decided_on=D(2018, 3, 9)
    )
    settled = factories.RatificationFactory(decision__status="effective")

    rows = ratifications_outstanding(on=D(2018, 3, 31))

    mine = [
        (row.ratification, row.age_days)
        for row in rows
        if row.ratification.pk in {old.pk, recent.pk, deferred.pk, settled.pk}
    ]
    assert mine[0] == (old, 75)
    assert {(r.pk, age) for r, age in mine[1:]} == {(recent.pk, 30), (deferred.pk, 30)}
