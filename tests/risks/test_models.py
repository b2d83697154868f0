"""What must never hold in a risk register is refused by the database; the partnership's own matrix by validation."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from risks.models import LEVEL_FIELDS, Risk, RiskEscalation, RiskRegister, ScoringMatrix
from tests.factories import (
    BodyFactory,
    MembershipFactory,
    PartnershipFactory,
    RiskEscalationFactory,
    RiskFactory,
    RiskRegisterFactory,
    RiskReviewFactory,
    ScoringMatrixFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


# -- score bounds shared by every matrix: 1..5, in the database ------------------------------
@pytest.mark.parametrize("field", LEVEL_FIELDS)
@pytest.mark.parametrize("value", [0, 6])
def test_a_level_outside_1_to_5_is_refused_by_the_database(field, value):
    register = RiskRegisterFactory()

    refused(lambda: RiskFactory(register=register, **{field: value}))
    risk = RiskFactory(register=register)
    refused(lambda: Risk.objects.filter(pk=risk.pk).update(**{field: value}))

    risk.refresh_from_db()
    assert getattr(risk, field) in (2, 3, 4)


@pytest.mark.parametrize("field", ["current_likelihood", "current_consequence", "target_likelihood"])
def test_a_review_level_outside_1_to_5_is_refused_by_the_database(field):
    refused(lambda: RiskReviewFactory(**{field: 6}))


def test_levels_1_and_5_are_accepted_and_the_database_computes_the_scores():
    risk = RiskFactory(
        inherent_likelihood=5, inherent_consequence=5, current_likelihood=1, current_consequence=5,
        target_likelihood=1, target_consequence=1,
    )  # fmt: skip

    stored = Risk.objects.values("inherent_score", "current_score", "target_score").get(pk=risk.pk)
    Risk.objects.filter(pk=risk.pk).update(current_likelihood=4)

    assert stored == {"inherent_score": 25, "current_score": 5, "target_score": 1}
    assert Risk.objects.values_list("current_score", flat=True).get(pk=risk.pk) == 20


def test_the_partnerships_own_scale_is_enforced_by_validation_with_a_clear_message():
    partnership = PartnershipFactory()
    ScoringMatrixFactory(
        partnership=partnership, likelihood_scale=4, consequence_scale=4, likelihood_labels=[],
        consequence_labels=[], low_max=2, moderate_max=4, high_max=9, tolerable_open=12, tolerable_eager=16,
    )  # fmt: skip
    risk = RiskFactory.build(register=RiskRegisterFactory(partnership=partnership), current_likelihood=5)

    with pytest.raises(ValidationError) as error:
        risk.full_clean()

    assert error.value.message_dict == {
        "current_likelihood": [
            "The current likelihood is scored from 1 to 4 in this partnership's matrix; 5 is outside it."
        ]
    }


# -- references, registers, statuses -------------------------------------------------------------
def test_a_reference_is_unique_in_its_partnership_only():
    first = RiskFactory(reference="CP-001")
    same_partnership = RiskRegisterFactory(partnership=first.partnership)
    elsewhere = RiskFactory(reference="CP-001")

    refused(lambda: RiskFactory(register=same_partnership, reference="CP-001"))
    assert elsewhere.partnership_id != first.partnership_id
    with pytest.raises(ValidationError) as error:
        RiskFactory.build(register=same_partnership, reference="CP-001").full_clean()
    assert "This partnership already has a risk with this reference." in error.value.messages


def test_a_risk_takes_its_partnership_from_its_register():
    register = RiskRegisterFactory()

    assert RiskFactory(register=register).partnership_id == register.partnership_id


def test_a_register_is_kept_by_a_body_or_an_organisation_and_one_per_body():
    membership = MembershipFactory()
    body = BodyFactory(partnership=membership.partnership)

    refused(lambda: RiskRegister.objects.create(partnership=membership.partnership))
    refused(
        lambda: RiskRegister.objects.create(
            partnership=membership.partnership, body=body, organisation=membership.organisation
        )
    )
    RiskRegister.objects.create(partnership=membership.partnership, body=body)
    refused(lambda: RiskRegister.objects.create(partnership=membership.partnership, body=body))
    RiskRegister.objects.create(partnership=membership.partnership, organisation=membership.organisation)


def test_a_register_stays_inside_its_partnership():
    register = RiskRegister(partnership=PartnershipFactory(), body=BodyFactory())
    outsider = RiskRegister(partnership=PartnershipFactory(), organisation=MembershipFactory().organisation)

    with pytest.raises(ValidationError, match="belongs to another partnership"):
        register.full_clean()
    with pytest.raises(ValidationError, match="not a member of the partnership"):
        outsider.full_clean()


def test_a_closed_risk_has_a_closing_date_and_an_open_one_none():
    refused(lambda: RiskFactory(status="closed"))
    refused(lambda: RiskFactory(status="open", closed_on=D(2018, 1, 1)))
    refused(lambda: RiskFactory(status="closed", identified_on=D(2018, 2, 1), closed_on=D(2018, 1, 1)))
    assert RiskFactory(status="transferred", closed_on=D(2018, 1, 1)).status == "transferred"


def test_a_changed_risk_gets_a_new_revision_and_an_unchanged_save_does_not():
    risk = RiskFactory()

    risk.save()
    risk.refresh_from_db()
    unchanged = risk.revision
    Risk.objects.filter(pk=risk.pk).update(current_likelihood=4)
    risk.refresh_from_db()

    assert (unchanged, risk.revision) == (1, 2)


# -- escalations ----------------------------------------------------------------------------------
def test_one_escalation_of_a_risk_awaits_a_response_at_a_time():
    first = RiskEscalationFactory()

    refused(lambda: RiskEscalationFactory(risk=first.risk, to_body=first.to_body))
    RiskEscalation.objects.filter(pk=first.pk).update(response="accepted", responded_on=D(2018, 3, 2))
    assert RiskEscalationFactory(risk=first.risk, to_body=first.to_body).response == "pending"


def test_an_answer_is_dated_and_a_returned_risk_comes_with_advice():
    refused(lambda: RiskEscalationFactory(response="accepted"))
    refused(lambda: RiskEscalationFactory(responded_on=D(2018, 3, 2)))
    refused(lambda: RiskEscalationFactory(response="returned", responded_on=D(2018, 3, 2)))
    refused(lambda: RiskEscalationFactory(response="accepted", responded_on=D(2018, 2, 1)))
    refused(lambda: RiskEscalationFactory(reason=""))


def test_only_an_accepted_escalation_is_de_escalated_and_only_after_acceptance():
    refused(
        lambda: RiskEscalationFactory(
            response="returned", responded_on=D(2018, 3, 2), response_note="Manage locally.",
            de_escalated_on=D(2018, 4, 1),
        )
    )  # fmt: skip
    refused(
        lambda: RiskEscalationFactory(
            response="accepted", responded_on=D(2018, 3, 2), de_escalated_on=D(2018, 3, 1)
        )
    )


# -- the matrix ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "settings",
    [
        {"likelihood_scale": 6},
        {"consequence_scale": 2},
        {"low_max": 0},
        {"moderate_max": 3},
        {"high_max": 25},
        {"tolerable_minimal": 2},
        {"tolerable_eager": 26},
    ],
)
def test_a_matrix_out_of_order_is_refused_by_the_database(settings):
    refused(lambda: ScoringMatrix.objects.create(partnership=PartnershipFactory(), **settings))


@pytest.mark.parametrize(
    ("settings", "field", "message"),
    [
        ({"likelihood_scale": 6}, "likelihood_scale", "A scale has 3 to 5 levels."),
        ({"likelihood_scale": 4}, "likelihood_labels", "Give 4 labels (one per level, lowest first), or none."),
        ({"moderate_max": 3}, "moderate_max", "The moderate band must end above the low band, which ends at 3."),
        ({"high_max": 25}, "high_max", "The high band must end below the highest score (25), so that the extreme band has scores in it."),
        ({"tolerable_minimal": 2}, "tolerable_minimal", "Must be at least the averse tolerance (3): appetites tolerate more from averse to eager."),
    ],
)  # fmt: skip
def test_a_matrix_out_of_order_is_explained_field_by_field(settings, field, message):
    matrix = ScoringMatrix(partnership=PartnershipFactory(), **settings)

    with pytest.raises(ValidationError) as error:
        matrix.full_clean()

    assert error.value.message_dict[field] == [message]


def test_without_a_stored_matrix_a_partnership_uses_the_nhs_5x5():
    matrix = ScoringMatrix.for_partnership(PartnershipFactory().pk)

    assert matrix.pk is None
    assert (matrix.likelihood_scale, matrix.consequence_scale, matrix.low_max, matrix.moderate_max, matrix.high_max) == (
        5, 5, 3, 6, 12,
    )  # fmt: skip
    assert matrix.likelihood_labels == ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"]
    assert matrix.band_ranges() == [
        ("low", "Low", 1, 3), ("moderate", "Moderate", 4, 6), ("high", "High", 8, 12), ("extreme", "Extreme", 15, 25),
    ]  # fmt: skip
