"""A small partnership whose board may approve business cases, with four voting members and three parties."""

import datetime
from dataclasses import dataclass

import pytest

from bodies.models import Body, Organisation, Partnership, Person
from decisions.models import Meeting
from delegation.models import Delegation, Matter
from tests import factories

ON = datetime.date(2018, 3, 1)


@dataclass
class Scheme:
    partnership: Partnership
    board: Body
    executive: Body
    matter: Matter
    delegation: Delegation
    parties: list[Organisation]
    members: list[Person]
    chair: Person
    meeting: Meeting


def held_meeting(body, on: datetime.date = ON, **kwargs) -> Meeting:
    return factories.MeetingFactory(
        body=body,
        starts_at=datetime.datetime(on.year, on.month, on.day, 10, 0, tzinfo=datetime.UTC),
        **kwargs,
    )


@pytest.fixture
def scheme(db) -> Scheme:
    """Statutory boards → Board (approve business cases, up to £1m; it may delegate to the Executive).

    The board's decisions do not bind the partners; its terms of reference set a quorum of 3; it has
    four voting members (the first is the chair) and three confirmed parties plus an associate.
    """
    partnership = factories.PartnershipFactory(
        name="Decisions Test Partnership", short_name="Decisions Test Partnership"
    )
    board = factories.BodyFactory(
        partnership=partnership, name="Partnership Board", decisions_bind_partners=False
    )
    executive = factories.BodyFactory(partnership=partnership, name="Executive", kind="executive")
    matter = factories.MatterFactory(
        partnership=partnership, name="To approve business cases", slug="business-cases"
    )
    delegation = factories.DelegationFactory(
        partnership=partnership,
        matter=matter,
        delegate=board,
        financial_limit_gbp=1_000_000,
        further_delegation_permitted=True,
        source_reference="Table 4",
    )
    factories.DelegationFactory(
        partnership=partnership,
        matter=matter,
        delegator=board,
        delegate=executive,
        power="recommend",
        source_reference="Table 5",
    )
    factories.TermsOfReferenceFactory(
        body=board, approved=True, quorum_count=3, quorum_rule="Three voting members"
    )
    parties = [
        factories.MembershipFactory(
            partnership=partnership, organisation__name=f"Party {n} NHS Trust"
        ).organisation
        for n in range(3)
    ]
    factories.MembershipFactory(partnership=partnership, standing="associate")
    members = [factories.PersonFactory(name=f"Member {n}") for n in range(4)]
    factories.AppointmentFactory(body=board, person=members[0], role="chair")
    for member in members[1:]:
        factories.AppointmentFactory(body=board, person=member, role="member")
    return Scheme(
        partnership=partnership,
        board=board,
        executive=executive,
        matter=matter,
        delegation=delegation,
        parties=parties,
        members=members,
        chair=members[0],
        meeting=held_meeting(board),
    )


def attend(meeting, people, **kwargs):
    from decisions import services

    return [
        services.attendance_record(meeting=meeting, person=person, status="present", **kwargs)
        for person in people
    ]
