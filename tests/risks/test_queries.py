"""Heat maps against hand-computed counts; the lists a secretariat works from; escalation routes."""

import datetime

import pytest

from risks import queries
from risks.models import RiskEscalation, ScoringMatrix
from tests.factories import (
    BodyFactory,
    BodyRelationshipFactory,
    PartnershipFactory,
    RiskEscalationFactory,
    RiskFactory,
    RiskRegisterFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2018, 6, 1)


def risk(register, current, target=(1, 1), **kwargs):
    return RiskFactory(
        register=register,
        current_likelihood=current[0],
        current_consequence=current[1],
        target_likelihood=target[0],
        target_consequence=target[1],
        **kwargs,
    )


@pytest.fixture
def registers():
    """Two registers of one partnership, and a register of another partnership."""
    partnership = PartnershipFactory()
    executive = RiskRegisterFactory(partnership=partnership)
    group = RiskRegisterFactory(partnership=partnership)
    # Executive: (L, C) current -> target
    risk(executive, (4, 5), (2, 5))
    risk(executive, (4, 5), (2, 3))
    risk(executive, (3, 3), (2, 3))
    risk(executive, (1, 1), (1, 1))
    risk(executive, (5, 5), (1, 1), status="closed", closed_on=D(2018, 1, 1))  # closed: not counted
    # Group
    risk(group, (4, 5), (2, 5))
    risk(group, (2, 4), (2, 3))
    risk(RiskRegisterFactory(), (4, 5), (2, 5))  # another partnership: never counted
    return partnership, executive, group


def nonzero(heat_map):
    return {(c.likelihood, c.consequence): c.count for c in heat_map.cells if c.count}


def test_a_registers_heat_map_counts_its_open_risks_per_cell(registers):
    _, executive, _ = registers

    current = queries.register_heat_map(executive)
    target = queries.register_heat_map(executive, "target")

    assert nonzero(current) == {(4, 5): 2, (3, 3): 1, (1, 1): 1}
    assert nonzero(target) == {(2, 5): 1, (2, 3): 2, (1, 1): 1}
    assert (current.total, target.total) == (4, 4)
    assert len(current.cells) == 25
    assert [(c.score, c.band) for c in current.cells if (c.likelihood, c.consequence) == (4, 5)] == [
        (20, "extreme")
    ]


def test_a_partnerships_heat_map_adds_up_every_register(registers):
    partnership, _, _ = registers

    heat_map = queries.partnership_heat_map(partnership)

    assert nonzero(heat_map) == {(4, 5): 3, (3, 3): 1, (1, 1): 1, (2, 4): 1}
    assert heat_map.total == 6
    assert heat_map.likelihood_labels[-1] == "Almost certain"
    assert [b.highest for b in heat_map.bands] == [3, 6, 12, 25]


def test_a_heat_map_follows_a_smaller_matrix():
    partnership = PartnershipFactory()
    ScoringMatrix.objects.create(
        partnership=partnership, likelihood_scale=3, consequence_scale=4, likelihood_labels=["Low", "Medium", "High"],
        consequence_labels=[], low_max=2, moderate_max=4, high_max=8, tolerable_cautious=8, tolerable_open=10,
        tolerable_eager=12,
    )  # fmt: skip
    register = RiskRegisterFactory(partnership=partnership)
    risk(register, (3, 4), (1, 1), inherent_likelihood=3, inherent_consequence=4)

    heat_map = queries.register_heat_map(register)

    assert (len(heat_map.cells), heat_map.count(3, 4), heat_map.consequence_labels) == (
        12,
        1,
        ["1", "2", "3", "4"],
    )
    assert heat_map.cells[-1].band == "extreme"


def test_risks_overdue_for_review(registers):
    partnership, executive, _ = registers
    overdue = risk(executive, (2, 2), reference="OVER-1", next_review_due=D(2018, 5, 31))
    risk(executive, (2, 2), reference="DUE-TODAY", next_review_due=TODAY)
    risk(
        executive,
        (2, 2),
        reference="CLOSED",
        next_review_due=D(2018, 1, 1),
        status="closed",
        closed_on=D(2018, 2, 1),
    )
    longest = risk(executive, (2, 2), reference="OVER-0", next_review_due=D(2018, 1, 31))

    found = list(queries.overdue_for_review(partnership=partnership, on=TODAY))

    assert found == [longest, overdue]


def test_risks_above_appetite(registers):
    partnership, executive, _ = registers
    at_limit = risk(executive, (3, 4), reference="AT", appetite="cautious")  # 12, tolerates 12
    above = risk(executive, (3, 5), reference="ABOVE", appetite="cautious")  # 15 > 12
    averse = risk(executive, (2, 2), reference="AVERSE", appetite="averse")  # 4 > 3
    risk(executive, (5, 5), reference="EAGER", appetite="eager")  # 25, tolerates 25

    found = set(queries.above_appetite(partnership=partnership))

    assert above in found and averse in found
    assert at_limit not in found
    assert {r.reference for r in found} >= {"ABOVE", "AVERSE"}
    assert "EAGER" not in {r.reference for r in found}


def test_risks_escalated_and_awaiting_a_response():
    waiting = RiskEscalationFactory(escalated_on=D(2018, 3, 1))
    RiskEscalationFactory(
        risk__register__partnership=waiting.risk.partnership, response="accepted", responded_on=D(2018, 3, 2)
    )
    older = RiskEscalationFactory(
        risk__register__partnership=waiting.risk.partnership, escalated_on=D(2018, 2, 1)
    )

    found = list(queries.escalated_awaiting_response(partnership=waiting.risk.partnership))

    assert found == [older, waiting]
    assert list(queries.escalated_awaiting_response(to_body=waiting.to_body)) == [waiting]


def test_the_top_risks_of_a_partnership(registers):
    partnership, executive, group = registers

    top = queries.top_risks(partnership, limit=4)

    assert [(r.current_score, r.register_id) for r in top][:3] == [
        (20, executive.pk),
        (20, executive.pk),
        (20, group.pk),
    ]
    assert [r.current_score for r in top] == [20, 20, 20, 9]


def test_where_a_body_escalates_risks():
    partnership = PartnershipFactory()
    group, board, executive, retired = (
        BodyFactory(partnership=partnership, name=n) for n in ("G", "B", "E", "R")
    )
    BodyRelationshipFactory(from_body=group, to_body=executive, kind="reports_to")
    BodyRelationshipFactory(from_body=board, to_body=executive, kind="reports_to")
    BodyRelationshipFactory(
        from_body=board, to_body=retired, kind="escalates_risks_to", effective_to=D(2017, 12, 31)
    )

    assert queries.escalation_targets(group, TODAY) == ([executive], "reports_to")
    assert queries.escalation_targets(board, D(2017, 6, 1)) == ([retired], "escalates_risks_to")
    assert queries.escalation_targets(board, TODAY) == ([executive], "reports_to")
    assert queries.escalation_targets(executive, TODAY) == ([], "")


def test_the_escalation_under_which_a_risk_is_held():
    accepted = RiskEscalationFactory(response="accepted", responded_on=D(2018, 3, 2))

    assert queries.holding_escalation(accepted.risk) == accepted
    RiskEscalation.objects.filter(pk=accepted.pk).update(de_escalated_on=D(2018, 4, 1))
    assert queries.holding_escalation(accepted.risk) is None
