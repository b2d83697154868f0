"""Scheme checks: every kind of defect found, in actionable words, and a clean scheme passes."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command

from bodies.models import Body
from delegation.checks import scheme_defects
from tests.factories import (
    BodyFactory,
    DelegationFactory,
    MatterFactory,
    PartnershipFactory,
    ReservationFactory,
    TermsOfReferenceFactory,
)

pytestmark = pytest.mark.django_db

ON = datetime.date(2018, 6, 1)


def governed_body(partnership, **kwargs):
    body = BodyFactory(partnership=partnership, **kwargs)
    TermsOfReferenceFactory(body=body, approved=True, version=1)
    return body


def codes(partnership):
    return sorted(defect.code for defect in scheme_defects(partnership, ON))


def test_a_clean_scheme_has_no_defects():
    partnership = PartnershipFactory()
    board = governed_body(partnership)
    DelegationFactory(partnership=partnership, delegate=board)

    assert codes(partnership) == []


def test_a_dissolved_delegate_and_one_without_terms_of_reference():
    partnership = PartnershipFactory()
    dissolved = governed_body(partnership)
    Body.objects.filter(pk=dissolved.pk).update(status="dissolved", effective_to=datetime.date(2018, 1, 31))
    no_terms = BodyFactory(partnership=partnership, name="Unruly Group")
    DelegationFactory(partnership=partnership, delegate=dissolved)
    DelegationFactory(partnership=partnership, delegate=no_terms)

    defects = scheme_defects(partnership, ON)

    assert sorted(d.code for d in defects) == ["delegate_not_in_force", "delegate_without_terms_of_reference"]
    assert any(
        "Unruly Group holds delegated authority but has no approved terms of reference" in d.message
        for d in defects
    )


def test_sub_delegation_not_permitted_and_a_limit_above_the_delegators():
    partnership = PartnershipFactory()
    board, executive = governed_body(partnership), governed_body(partnership)
    matter = MatterFactory(partnership=partnership)
    DelegationFactory(
        partnership=partnership, matter=matter, delegate=board, financial_limit_gbp=Decimal("100000")
    )
    DelegationFactory(
        partnership=partnership,
        matter=matter,
        delegator=board,
        delegate=executive,
        financial_limit_gbp=Decimal("500000"),
    )

    assert codes(partnership) == ["limit_above_delegator", "sub_delegation_not_permitted"]


def test_cycles_are_found():
    partnership = PartnershipFactory()
    a, b = governed_body(partnership, name="A Group"), governed_body(partnership, name="B Group")
    matter = MatterFactory(partnership=partnership)
    DelegationFactory(
        partnership=partnership, matter=matter, delegator=a, delegate=b, further_delegation_permitted=True
    )
    DelegationFactory(
        partnership=partnership, matter=matter, delegator=b, delegate=a, further_delegation_permitted=True
    )

    defects = [d for d in scheme_defects(partnership, ON) if d.code == "cycle"]

    assert len(defects) == 1
    assert "delegated in a circle" in defects[0].message


def test_matters_nobody_may_decide_and_contradicted_reservations():
    partnership = PartnershipFactory()
    MatterFactory(partnership=partnership, name="To approve the orphaned matter")
    reserved = ReservationFactory(partnership=partnership, power="approve")
    DelegationFactory(
        partnership=partnership, matter=reserved.matter, delegate=governed_body(partnership), power="approve"
    )

    defects = scheme_defects(partnership, ON)

    assert sorted(d.code for d in defects) == ["matter_nobody_may_decide", "reservation_contradicted"]
    assert any("Nobody may decide “To approve the orphaned matter”" in d.message for d in defects)


def test_a_body_recorded_without_authority_that_receives_a_delegation():
    partnership = PartnershipFactory()
    DelegationFactory(
        partnership=partnership, delegate=governed_body(partnership, holds_delegated_authority=False)
    )

    assert codes(partnership) == ["delegate_holds_no_authority"]


def test_the_command_lists_defects(capsys):
    partnership = PartnershipFactory(slug="checked")
    DelegationFactory(
        partnership=partnership, delegate=BodyFactory(partnership=partnership, name="Loose Board")
    )

    call_command("scheme_check", "checked")

    assert "Loose Board holds delegated authority" in capsys.readouterr().out


def test_the_command_records_the_days_check_run_for_the_home_page(capsys):
    from core.effective_dating import today
    from core.models import CheckRun

    partnership = PartnershipFactory(slug="recorded")
    DelegationFactory(
        partnership=partnership, delegate=BodyFactory(partnership=partnership, name="Loose Board")
    )

    call_command("scheme_check", "recorded", "--record")
    call_command("scheme_check", "recorded", "--record")  # the same day again replaces, never duplicates

    run = CheckRun.objects.get(partnership=partnership)
    assert run.on == today()
    live = [defect.code for defect in scheme_defects(partnership, today())]
    assert [defect["code"] for defect in run.scheme_defects] == live
    assert live  # a loose board: the checks find something to store
    assert f"recorded {len(live)} scheme defect(s)" in capsys.readouterr().out
