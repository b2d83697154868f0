"""Authority resolution: the bodies that may decide, the chain behind each, limits, dates, reservations."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bodies.models import Body
from delegation.queries import resolve_authority
from tests.factories import (
    ApprovalStageFactory,
    BodyFactory,
    DelegationFactory,
    MatterFactory,
    MembershipFactory,
    PartnershipFactory,
    ReservationFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
ON = D(2018, 6, 1)


@pytest.fixture
def scheme():
    """Statutory boards -> Board (limit £1m, may sub-delegate) -> Executive (limit £250k) -> Committee."""
    partnership = PartnershipFactory()
    board = BodyFactory(partnership=partnership, name="Board")
    executive = BodyFactory(partnership=partnership, name="Executive")
    committee = BodyFactory(partnership=partnership, name="Committee")
    matter = MatterFactory(partnership=partnership, name="To approve business cases")
    top = DelegationFactory(
        partnership=partnership,
        matter=matter,
        delegator=None,
        delegate=board,
        financial_limit_gbp=Decimal("1000000"),
        further_delegation_permitted=True,
        source_reference="Table 4",
    )
    middle = DelegationFactory(
        partnership=partnership,
        matter=matter,
        delegator=board,
        delegate=executive,
        financial_limit_gbp=Decimal("250000"),
        further_delegation_permitted=True,
        source_reference="Table 5",
    )
    bottom = DelegationFactory(
        partnership=partnership,
        matter=matter,
        delegator=executive,
        delegate=committee,
        source_reference="Table 7",
    )
    return partnership, matter, (board, executive, committee), (top, middle, bottom)


def deciders(answer):
    return {path.decider for path in answer.paths}


def test_every_body_in_the_chain_may_decide_with_the_chain_back_to_the_statutory_boards(scheme):
    partnership, matter, (_board, _executive, _committee), (top, middle, bottom) = scheme

    answer = resolve_authority(partnership=partnership, matter=matter, on=ON)

    assert deciders(answer) == {"Board", "Executive", "Committee"}
    committee_path = next(p for p in answer.paths if p.decider == "Committee")
    assert [link.delegation_id for link in committee_path.chain] == [top.pk, middle.pk, bottom.pk]
    assert committee_path.chain[0].delegator == "The partners' statutory boards"
    assert committee_path.rests_on == "the partners' statutory boards"
    assert committee_path.tightest_limit_gbp == Decimal("250000")
    assert any("Table 4" in line and "Table 7" in line for line in answer.explanation)


def test_an_amount_above_the_tightest_limit_excludes_that_path_and_says_why(scheme):
    partnership, matter, *_ = scheme

    answer = resolve_authority(partnership=partnership, matter=matter, amount_gbp=Decimal("300000"), on=ON)

    assert deciders(answer) == {"Board"}
    reasons = {path.decider: path.excluded_because for path in answer.excluded}
    assert set(reasons) == {"Executive", "Committee"}
    assert "£300,000.00 is above the £250,000.00 limit on the delegation to Executive" in reasons["Committee"]
    assert (
        resolve_authority(
            partnership=partnership, matter=matter, amount_gbp=Decimal("250000"), on=ON
        ).excluded
        == []
    )


def test_a_sub_delegation_the_parent_did_not_permit_gives_no_authority(scheme):
    partnership, matter, _, (_top, middle, _bottom) = scheme
    middle.further_delegation_permitted = False
    middle.save()

    answer = resolve_authority(partnership=partnership, matter=matter, on=ON)

    assert deciders(answer) == {"Board", "Executive"}
    assert "Executive was not permitted to delegate further" in answer.excluded[0].excluded_because


def test_a_dissolved_body_or_an_ended_delegation_never_answers(scheme):
    partnership, matter, (_board, _executive, committee), (_top, middle, _bottom) = scheme
    Body.objects.filter(pk=committee.pk).update(status="dissolved", effective_to=D(2018, 3, 31))
    middle.effective_to = D(2018, 5, 31)
    middle.save()

    assert deciders(resolve_authority(partnership=partnership, matter=matter, on=D(2018, 3, 31))) == {
        "Board",
        "Executive",
        "Committee",
    }
    assert deciders(resolve_authority(partnership=partnership, matter=matter, on=ON)) == {"Board"}
    assert deciders(resolve_authority(partnership=partnership, matter=matter, on=D(2017, 1, 1))) == set()


def test_a_delegation_from_a_body_without_its_own_delegation_rests_on_the_framework():
    partnership = PartnershipFactory()
    board, chair_body = (
        BodyFactory(partnership=partnership, name="STP Board"),
        BodyFactory(partnership=partnership),
    )
    delegation = DelegationFactory(
        partnership=partnership, delegator=board, delegate=chair_body, power="exercise"
    )

    answer = resolve_authority(partnership=partnership, matter=delegation.matter, on=ON)

    assert (
        answer.paths[0].rests_on
        == "the STP Board's own authority under the partnership's governance framework"
    )


def test_reservations_and_ratifications():
    partnership = PartnershipFactory()
    MembershipFactory(partnership=partnership, standing="party_to", organisation__name="Alpha CCG")
    MembershipFactory(partnership=partnership, standing="core", organisation__name="Beta Trust")
    MembershipFactory(partnership=partnership, standing="associate", organisation__name="Gamma Trust")
    MembershipFactory(
        partnership=partnership, standing="party_to", status="to_be_confirmed", organisation__name="Delta"
    )
    reserved = ReservationFactory(partnership=partnership, reserved_to="ccg_governing_body")
    board = BodyFactory(partnership=partnership, decisions_bind_partners=False)
    delegated = DelegationFactory(partnership=partnership, delegate=board)

    kept = resolve_authority(partnership=partnership, matter=reserved.matter, on=ON)
    shared = resolve_authority(partnership=partnership, matter=delegated.matter, on=ON)

    assert kept.paths == [] and kept.reservations == [reserved]
    assert any("stays with each partner organisation" in line for line in kept.explanation)
    assert shared.ratifying_organisations == ["Alpha CCG", "Beta Trust"]
    Body.objects.filter(pk=board.pk).update(decisions_bind_partners=True)
    assert (
        resolve_authority(partnership=partnership, matter=delegated.matter, on=ON).ratifying_organisations
        == []
    )


def test_route_stages_ahead_of_a_proposal():
    first = ApprovalStageFactory(position=1, name="Approve vision")
    ApprovalStageFactory(route=first.route, position=2, name="Evaluate full business case")
    ApprovalStageFactory(route=first.route, position=3, name="Approve full business case")

    answer = resolve_authority(
        partnership=first.route.partnership, category="system_investment_fund", stage_reached=1
    )

    assert [(s.position, s.ahead) for s in answer.route] == [(1, False), (2, True), (3, True)]
    assert "next: Evaluate full business case" in answer.explanation[-1]


def test_the_chain_is_walked_in_one_statement_whatever_its_depth():
    partnership = PartnershipFactory()
    matter = MatterFactory(partnership=partnership)
    bodies = [BodyFactory(partnership=partnership) for _ in range(12)]
    DelegationFactory(
        partnership=partnership, matter=matter, delegate=bodies[0], further_delegation_permitted=True
    )
    for parent, child in itertools.pairwise(bodies):
        DelegationFactory(
            partnership=partnership,
            matter=matter,
            delegator=parent,
            delegate=child,
            further_delegation_permitted=True,
        )

    with CaptureQueriesContext(connection) as queries:
        answer = resolve_authority(partnership=partnership, matter=matter, on=ON)

    assert len(answer.paths) == 12
    assert max(len(path.chain) for path in answer.paths) == 12
    assert sum("WITH RECURSIVE chain" in q["sql"] for q in queries.captured_queries) == 1
    assert len(queries) <= 4  # the chain, the reservations, the ratifying members, the scheme's first day


def test_a_cycle_is_reported_not_followed_forever():
    partnership = PartnershipFactory()
    matter = MatterFactory(partnership=partnership)
    a, b = BodyFactory(partnership=partnership, name="A"), BodyFactory(partnership=partnership, name="B")
    DelegationFactory(
        partnership=partnership, matter=matter, delegator=a, delegate=b, further_delegation_permitted=True
    )
    DelegationFactory(
        partnership=partnership, matter=matter, delegator=b, delegate=a, further_delegation_permitted=True
    )

    answer = resolve_authority(partnership=partnership, matter=matter, on=ON)

    assert answer.paths == []
    assert all("circle" in path.excluded_because for path in answer.excluded)


def test_asking_both_or_neither_is_an_error():
    partnership = PartnershipFactory()
    with pytest.raises(ValueError):
        resolve_authority(partnership=partnership)
