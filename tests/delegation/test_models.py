"""What must never hold in a scheme of delegation is refused by the database."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from delegation.models import Delegation, Reservation
from tests.factories import BodyFactory, DelegationFactory, MatterFactory, ReservationFactory

pytestmark = pytest.mark.django_db


def refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_a_body_cannot_delegate_to_itself():
    body = BodyFactory()
    refused(lambda: DelegationFactory(partnership=body.partnership, delegator=body, delegate=body))


def test_a_body_may_delegate_to_an_office_within_itself():
    body = BodyFactory()
    delegation = DelegationFactory(
        partnership=body.partnership, delegator=body, delegate=body, delegate_office="chair"
    )
    assert delegation.delegate_display == f"Chair of {body.name}"


def test_negative_limits_are_refused():
    refused(lambda: DelegationFactory(financial_limit_gbp=-1))


def test_inverted_dates_are_refused():
    refused(
        lambda: DelegationFactory(
            effective_from=datetime.date(2018, 1, 1), effective_to=datetime.date(2017, 1, 1)
        )
    )


def test_a_reservation_to_a_named_body_names_it():
    refused(lambda: ReservationFactory(reserved_to="named_body", reserved_to_body=None))
    refused(lambda: ReservationFactory(reserved_to="ccg_governing_body", reserved_to_body=BodyFactory()))


def test_a_delegation_stays_inside_its_partnership():
    delegation = DelegationFactory.build(
        partnership=BodyFactory().partnership, delegate=BodyFactory(), matter=MatterFactory(), power="approve"
    )
    with pytest.raises(Exception) as error:
        delegation.full_clean()
    assert {"matter", "delegate"} <= set(error.value.message_dict)
    assert Delegation.objects.count() >= 0 and Reservation.objects.count() >= 0
