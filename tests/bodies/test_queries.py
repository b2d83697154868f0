"""'As at' reads: the membership, appointments, structure and terms in force on a given day."""

import datetime

import pytest

from bodies.models import Appointment, Body, Membership, OrganisationSuccession
from bodies.queries import (
    appointments_as_at,
    bodies_as_at,
    memberships_as_at,
    relationships_as_at,
    successor_as_at,
    terms_of_reference_as_at,
)
from tests.factories import (
    AppointmentFactory,
    BodyFactory,
    BodyRelationshipFactory,
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    TermsOfReferenceFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def test_memberships_as_at_follow_the_periods_inclusively():
    partnership = PartnershipFactory()
    founding = MembershipFactory(
        partnership=partnership, effective_from=D(2017, 4, 1), effective_to=D(2019, 3, 31)
    )
    joined_later = MembershipFactory(partnership=partnership, effective_from=D(2018, 6, 1))
    always = MembershipFactory(partnership=partnership, effective_from=None)

    assert set(memberships_as_at(partnership, D(2017, 4, 1))) == {founding, always}
    assert set(memberships_as_at(partnership, D(2019, 3, 31))) == {founding, joined_later, always}
    assert set(memberships_as_at(partnership, D(2019, 4, 1))) == {joined_later, always}
    assert set(memberships_as_at(partnership, D(2000, 1, 1))) == {always}


def test_a_changed_standing_answers_by_date():
    first = MembershipFactory(
        standing=Membership.Standing.ASSOCIATE, effective_from=D(2017, 1, 1), effective_to=D(2017, 12, 31)
    )
    MembershipFactory(
        partnership=first.partnership,
        organisation=first.organisation,
        standing=Membership.Standing.PARTY_TO,
        effective_from=D(2018, 1, 1),
    )

    assert [m.standing for m in memberships_as_at(first.partnership, D(2017, 6, 1))] == ["associate"]
    assert [m.standing for m in memberships_as_at(first.partnership, D(2018, 6, 1))] == ["party_to"]


def test_appointments_as_at_show_who_chaired_then():
    body = BodyFactory()
    old_chair = AppointmentFactory(
        body=body, role=Appointment.Role.CHAIR, effective_from=D(2016, 1, 1), effective_to=D(2017, 12, 31)
    )
    new_chair = AppointmentFactory(body=body, role=Appointment.Role.CHAIR, effective_from=D(2018, 1, 1))

    assert list(appointments_as_at(body, D(2017, 12, 31))) == [old_chair]
    assert list(appointments_as_at(body, D(2018, 1, 1))) == [new_chair]


def test_bodies_and_structure_as_at_leave_out_dissolved_and_proposed_bodies():
    partnership = PartnershipFactory()
    board = BodyFactory(partnership=partnership, effective_from=D(2016, 1, 1))
    dissolved = BodyFactory(
        partnership=partnership,
        status=Body.Status.DISSOLVED,
        effective_from=D(2016, 1, 1),
        effective_to=D(2018, 3, 31),
    )
    proposed = BodyFactory(partnership=partnership, status=Body.Status.PROPOSED)
    line = BodyRelationshipFactory(from_body=dissolved, to_body=board)
    BodyRelationshipFactory(from_body=proposed, to_body=board)

    assert set(bodies_as_at(partnership, D(2018, 3, 31))) == {board, dissolved}
    assert set(bodies_as_at(partnership, D(2018, 4, 1))) == {board}
    assert list(relationships_as_at(partnership, D(2018, 3, 31))) == [line]
    assert list(relationships_as_at(partnership, D(2018, 4, 1))) == []


def test_terms_of_reference_as_at_ignore_drafts():
    draft = TermsOfReferenceFactory(effective_from=D(2017, 1, 1))

    assert terms_of_reference_as_at(draft.body, D(2018, 1, 1)) is None


def test_successor_as_at_follows_mergers_by_date():
    erewash, merged, icb = OrganisationFactory(), OrganisationFactory(), OrganisationFactory()
    OrganisationSuccession.objects.create(predecessor=erewash, successor=merged, effective_on=D(2019, 4, 1))
    OrganisationSuccession.objects.create(predecessor=merged, successor=icb, effective_on=D(2022, 7, 1))

    assert successor_as_at(erewash, D(2019, 3, 31)) == erewash
    assert successor_as_at(erewash, D(2019, 4, 1)) == merged
    assert successor_as_at(erewash, D(2023, 1, 1)) == icb
    # History stays true: the predecessor keeps its own records.
    membership = MembershipFactory(organisation=erewash, effective_to=D(2019, 3, 31))
    assert membership.organisation == erewash
