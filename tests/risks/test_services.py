"""Scoring and banding, matrix changes, reviews and escalation up the reporting lines."""

import datetime

import pghistory.models
import pytest
from django.core.exceptions import ValidationError

from bodies.models import BodyRelationship
from risks import services
from risks.models import Risk, RiskEscalation, RiskRegister, RiskReview, ScoringMatrix
from risks.queries import score_history
from tests.factories import (
    BodyFactory,
    BodyRelationshipFactory,
    MeetingFactory,
    MembershipFactory,
    PartnershipFactory,
    RiskFactory,
    RiskRegisterFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date

# The NHS 5x5 matrix: 1-3 low, 4-6 moderate, 8-12 high, 15-25 extreme.
NHS_BANDS = {
    1: "low", 2: "low", 3: "low", 4: "moderate", 5: "moderate", 6: "moderate", 8: "high", 9: "high", 10: "high",
    12: "high", 15: "extreme", 16: "extreme", 20: "extreme", 25: "extreme",
}  # fmt: skip


# -- scoring and banding --------------------------------------------------------------------
@pytest.mark.parametrize("likelihood", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("consequence", [1, 2, 3, 4, 5])
def test_every_cell_of_the_nhs_matrix_scores_and_bands_as_published(likelihood, consequence):
    risk = RiskFactory(current_likelihood=likelihood, current_consequence=consequence)
    risk.refresh_from_db()

    assert risk.current_score == likelihood * consequence
    assert risk.current_band == NHS_BANDS[likelihood * consequence]


@pytest.mark.parametrize(
    ("score", "band"),
    [(1, "low"), (3, "low"), (4, "moderate"), (6, "moderate"), (7, "high"), (8, "high"), (12, "high"),
     (13, "extreme"), (15, "extreme"), (25, "extreme")],
)  # fmt: skip
def test_the_band_boundaries_of_the_default_matrix(score, band):
    assert ScoringMatrix.for_partnership(None).band_for(score) == band


def test_each_score_and_band_of_a_risk_is_derived_from_its_partnerships_matrix():
    risk = RiskFactory(
        inherent_likelihood=5, inherent_consequence=4, current_likelihood=3, current_consequence=4,
        target_likelihood=1, target_consequence=3, appetite="minimal",
    )  # fmt: skip

    assert (risk.inherent_score, risk.inherent_band) == (20, "extreme")
    assert (risk.current_score, risk.current_band) == (12, "high")
    assert (risk.target_score, risk.target_band) == (3, "low")
    assert (risk.tolerable_score, risk.is_above_appetite) == (6, True)


# -- changing the matrix ----------------------------------------------------------------------
def test_changing_the_matrix_rebands_every_risk_of_the_partnership_and_is_audited():
    partnership = PartnershipFactory()
    register = RiskRegisterFactory(partnership=partnership)
    four = RiskFactory(register=register, current_likelihood=2, current_consequence=2)  # 4: moderate
    twelve = RiskFactory(register=register, current_likelihood=3, current_consequence=4, appetite="cautious")
    elsewhere = RiskFactory(current_likelihood=2, current_consequence=2)

    matrix = ScoringMatrix.for_partnership(partnership.pk)
    matrix.low_max, matrix.moderate_max, matrix.high_max = 4, 9, 16
    matrix.tolerable_cautious = 9
    services.scoring_matrix_change(matrix=matrix)

    four.refresh_from_db()
    twelve.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (four.current_band, four.inherent_band, four.revision) == ("low", "high", 2)  # inherent 16: high
    assert (twelve.current_band, twelve.tolerable_score, twelve.is_above_appetite) == ("high", 9, True)
    assert elsewhere.current_band == "moderate"
    matrix_events = pghistory.models.Events.objects.tracks(matrix).order_by("pgh_created_at")
    assert [event.pgh_label for event in matrix_events] == ["insert"]
    risk_events = pghistory.models.Events.objects.tracks(four).order_by("pgh_created_at", "pgh_id")
    assert [event.pgh_label for event in risk_events] == ["insert", "update"]
    assert risk_events.last().pgh_diff["current_band"] == ["moderate", "low"]


def test_a_second_change_of_the_matrix_is_recorded_with_old_and_new_values():
    partnership = PartnershipFactory()
    risk = RiskFactory(
        register=RiskRegisterFactory(partnership=partnership), current_likelihood=3, current_consequence=5
    )
    matrix = services.scoring_matrix_change(matrix=ScoringMatrix(partnership=partnership))

    matrix.high_max = 15
    services.scoring_matrix_change(matrix=matrix)

    risk.refresh_from_db()
    assert risk.current_band == "high"
    last = pghistory.models.Events.objects.tracks(matrix).order_by("pgh_created_at", "pgh_id").last()
    assert (last.pgh_label, last.pgh_diff["high_max"]) == ("update", [12, 15])


def test_a_scale_cannot_shrink_below_the_levels_risks_are_scored_at():
    partnership = PartnershipFactory()
    RiskFactory(
        register=RiskRegisterFactory(partnership=partnership), reference="CP-9", inherent_likelihood=5
    )
    matrix = ScoringMatrix(
        partnership=partnership, likelihood_scale=4, likelihood_labels=[], low_max=3, moderate_max=6, high_max=12,
        tolerable_open=12, tolerable_eager=16,
    )  # fmt: skip

    with pytest.raises(ValidationError) as error:
        services.scoring_matrix_change(matrix=matrix)

    assert error.value.message_dict["likelihood_scale"] == [
        "Risks of this partnership are scored at a likelihood above 4 (CP-9): rescore them before narrowing the scale."
    ]
    assert not ScoringMatrix.objects.filter(partnership=partnership).exists()


# -- reviews ----------------------------------------------------------------------------------------
def test_a_review_records_the_scores_and_moves_the_risk_on():
    risk = RiskFactory(current_likelihood=4, current_consequence=4, target_likelihood=2, target_consequence=2)

    review = services.risk_review_record(
        risk=risk,
        reviewed_on=D(2018, 3, 14),
        current_likelihood=3,
        meeting=MeetingFactory(
            body=risk.register.body, starts_at=datetime.datetime(2018, 3, 14, 14, tzinfo=datetime.UTC)
        ),
    )

    risk.refresh_from_db()
    review.refresh_from_db()
    assert (review.current_score, review.current_band, review.target_score, review.target_band) == (
        12,
        "high",
        4,
        "moderate",
    )
    assert (risk.current_score, risk.current_band, risk.last_reviewed_on) == (12, "high", D(2018, 3, 14))
    assert risk.next_review_due == D(2018, 4, 14)  # a month: the register's review interval


def test_a_review_recorded_late_does_not_overwrite_a_later_ones_scores():
    risk = RiskFactory(current_likelihood=4, current_consequence=4)
    services.risk_review_record(risk=risk, reviewed_on=D(2018, 3, 14), current_likelihood=2)

    services.risk_review_record(risk=risk, reviewed_on=D(2018, 2, 14), current_likelihood=5)

    risk.refresh_from_db()
    assert (risk.current_likelihood, risk.last_reviewed_on) == (2, D(2018, 3, 14))
    assert [(r.reviewed_on, r.current_score) for r in score_history(risk=risk)] == [
        (D(2018, 2, 14), 20),
        (D(2018, 3, 14), 8),
    ]


def test_the_registers_history_of_scores_is_in_date_order():
    register = RiskRegisterFactory()
    first = RiskFactory(register=register, reference="A-1", current_likelihood=4, current_consequence=4)
    second = RiskFactory(register=register, reference="A-2", current_likelihood=3, current_consequence=3)
    RiskFactory(current_likelihood=5, current_consequence=5)  # another register
    services.risk_review_record(risk=first, reviewed_on=D(2018, 1, 10))
    services.risk_review_record(risk=second, reviewed_on=D(2018, 1, 10), current_likelihood=2)
    services.risk_review_record(risk=first, reviewed_on=D(2018, 2, 14), current_consequence=3)

    history = [
        (r.reviewed_on, r.risk.reference, r.current_score, r.current_band)
        for r in score_history(register=register)
    ]

    assert history == [
        (D(2018, 1, 10), "A-1", 16, "extreme"),
        (D(2018, 1, 10), "A-2", 6, "moderate"),
        (D(2018, 2, 14), "A-1", 12, "high"),
    ]


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"current_likelihood": 6}, "current_likelihood", "The current likelihood is scored from 1 to 5 in this partnership's matrix; 6 is outside it."),
        ({"target_consequence": 0}, "target_consequence", "The target consequence is scored from 1 to 5 in this partnership's matrix; 0 is outside it."),
        ({"next_review_due": D(2018, 3, 14)}, "next_review_due", "The next review must fall after this one."),
    ],
)  # fmt: skip
def test_a_review_with_bad_input_is_refused_and_changes_nothing(kwargs, field, message):
    risk = RiskFactory()

    with pytest.raises(ValidationError) as error:
        services.risk_review_record(risk=risk, reviewed_on=D(2018, 3, 14), **kwargs)

    assert error.value.message_dict[field] == [message]
    assert not RiskReview.objects.filter(risk=risk).exists()
    assert Risk.objects.get(pk=risk.pk).revision == 1


def test_a_closed_risk_is_not_reviewed():
    risk = RiskFactory(status="closed", closed_on=D(2018, 1, 31), reference="X-1")

    with pytest.raises(ValidationError, match=r"X-1 is closed: only open risks are reviewed\."):
        services.risk_review_record(risk=risk, reviewed_on=D(2018, 3, 14))


# -- escalation up the reporting lines ------------------------------------------------------------
@pytest.fixture
def chain():
    """Delivery group -escalates risks to-> programme board -escalates risks to-> executive -reports to-> board."""
    partnership = PartnershipFactory()
    bodies = {
        name: BodyFactory(partnership=partnership, name=name)
        for name in ("Delivery Group", "Programme Board", "Executive", "Board", "Forum")
    }
    for source, target, kind in [
        ("Delivery Group", "Programme Board", "escalates_risks_to"),
        ("Delivery Group", "Executive", "reports_to"),  # ignored: it has an escalation line
        ("Programme Board", "Executive", "escalates_risks_to"),
        ("Executive", "Board", "reports_to"),
    ]:
        BodyRelationshipFactory(from_body=bodies[source], to_body=bodies[target], kind=kind)
    registers = {
        name: RiskRegisterFactory(partnership=partnership, body=body) for name, body in bodies.items()
    }
    return partnership, bodies, registers


def test_a_risk_escalates_along_the_escalates_risks_to_line(chain):
    _, bodies, registers = chain
    risk = RiskFactory(register=registers["Delivery Group"])

    escalation = services.risk_escalate(
        risk=risk, to_body=bodies["Programme Board"], escalated_on=D(2018, 3, 1), reason="Beyond our remit."
    )

    assert (escalation.from_register, escalation.to_body, escalation.response) == (
        registers["Delivery Group"],
        bodies["Programme Board"],
        "pending",
    )


def test_an_escalation_off_the_line_is_refused_naming_where_it_may_go(chain):
    _, bodies, registers = chain
    risk = RiskFactory(register=registers["Delivery Group"])

    with pytest.raises(ValidationError) as error:
        services.risk_escalate(
            risk=risk, to_body=bodies["Executive"], escalated_on=D(2018, 3, 1), reason="Skip a level."
        )

    assert error.value.message_dict["to_body"] == [
        "Delivery Group does not escalate risks to Executive: on 1 March 2018 it escalates risks to Programme Board."
    ]
    assert not RiskEscalation.objects.filter(risk=risk).exists()


def test_without_an_escalation_line_a_body_escalates_to_whom_it_reports(chain):
    _, bodies, registers = chain
    risk = RiskFactory(register=registers["Executive"])

    escalation = services.risk_escalate(
        risk=risk, to_body=bodies["Board"], escalated_on=D(2018, 3, 1), reason="Board level."
    )

    assert escalation.to_body == bodies["Board"]


def test_a_body_with_no_reporting_line_cannot_escalate(chain):
    _, bodies, registers = chain
    risk = RiskFactory(register=registers["Forum"])

    with pytest.raises(ValidationError) as error:
        services.risk_escalate(risk=risk, to_body=bodies["Board"], escalated_on=D(2018, 3, 1), reason="Up.")

    assert error.value.message_dict["to_body"] == [
        "Forum has no “escalates risks to” or “reports to” relationship in force on 1 March 2018, so it cannot "
        "escalate risks. Record the relationship first."
    ]


def test_a_relationship_not_in_force_on_the_day_does_not_count(chain):
    _, bodies, registers = chain
    BodyRelationship.objects.filter(from_body=bodies["Programme Board"]).update(effective_to=D(2018, 1, 31))
    risk = RiskFactory(register=registers["Programme Board"])

    with pytest.raises(ValidationError, match="Programme Board has no"):
        services.risk_escalate(
            risk=risk, to_body=bodies["Executive"], escalated_on=D(2018, 3, 1), reason="Up."
        )
    escalation = services.risk_escalate(
        risk=risk, to_body=bodies["Executive"], escalated_on=D(2018, 1, 31), reason="Up."
    )
    assert escalation.escalated_on == D(2018, 1, 31)


def test_an_accepted_risk_escalates_further_from_the_body_that_holds_it(chain):
    _, bodies, registers = chain
    risk = RiskFactory(register=registers["Delivery Group"])
    first = services.risk_escalate(
        risk=risk, to_body=bodies["Programme Board"], escalated_on=D(2018, 3, 1), reason="Up."
    )

    with pytest.raises(ValidationError, match="already escalated and awaiting a response"):
        services.risk_escalate(
            risk=risk, to_body=bodies["Programme Board"], escalated_on=D(2018, 3, 2), reason="Again."
        )
    services.risk_escalation_respond(escalation=first, response="accepted", responded_on=D(2018, 3, 8))
    second = services.risk_escalate(
        risk=risk, to_body=bodies["Executive"], escalated_on=D(2018, 3, 15), reason="Up again."
    )

    assert second.from_register == registers["Programme Board"]
    with pytest.raises(ValidationError, match="Programme Board has escalated the risk further, to Executive"):
        services.risk_escalation_de_escalate(escalation=first, de_escalated_on=D(2018, 4, 1))


def test_a_body_without_a_register_gets_one_when_it_accepts_and_escalates_further():
    partnership = PartnershipFactory()
    group, board, executive = (
        BodyFactory(partnership=partnership, name=n) for n in ("Group", "Board", "Executive")
    )
    BodyRelationshipFactory(from_body=group, to_body=board, kind="escalates_risks_to")
    BodyRelationshipFactory(from_body=board, to_body=executive, kind="escalates_risks_to")
    risk = RiskFactory(register=RiskRegisterFactory(partnership=partnership, body=group))
    first = services.risk_escalate(risk=risk, to_body=board, escalated_on=D(2018, 3, 1), reason="Up.")
    services.risk_escalation_respond(escalation=first, response="accepted", responded_on=D(2018, 3, 2))

    second = services.risk_escalate(risk=risk, to_body=executive, escalated_on=D(2018, 3, 3), reason="Up.")

    assert second.from_register == RiskRegister.objects.get(partnership=partnership, body=board)


def test_an_organisation_escalates_its_risk_to_the_partnership():
    membership = MembershipFactory(effective_from=D(2017, 4, 1))
    board = BodyFactory(partnership=membership.partnership, name="STP Leadership Board")
    register = RiskRegisterFactory(
        partnership=membership.partnership, body=None, organisation=membership.organisation
    )
    risk = RiskFactory(register=register)

    with pytest.raises(ValidationError) as elsewhere:
        services.risk_escalation_check(risk=risk, to_body=BodyFactory(), escalated_on=D(2018, 3, 1))
    escalation = services.risk_escalate(
        risk=risk, to_body=board, escalated_on=D(2018, 3, 1), reason="System interest."
    )

    assert escalation.from_register == register
    assert (
        "escalates its risks to the partnership: choose a body of"
        in elsewhere.value.message_dict["to_body"][0]
    )


def test_an_organisation_that_was_not_yet_a_member_cannot_escalate():
    membership = MembershipFactory(effective_from=D(2018, 4, 1))
    board = BodyFactory(partnership=membership.partnership)
    register = RiskRegisterFactory(
        partnership=membership.partnership, body=None, organisation=membership.organisation
    )

    with pytest.raises(ValidationError) as error:
        services.risk_escalate(
            risk=RiskFactory(register=register), to_body=board, escalated_on=D(2018, 3, 1), reason="Up."
        )

    assert error.value.message_dict["escalated_on"] == [
        f"{membership.organisation.name} is not a member of {membership.partnership} on 1 March 2018."
    ]


# -- answers and de-escalation -------------------------------------------------------------------------
def test_a_risk_returned_comes_with_advice_and_an_answer_is_given_once(chain):
    _, bodies, registers = chain
    escalation = services.risk_escalate(
        risk=RiskFactory(register=registers["Delivery Group"]), to_body=bodies["Programme Board"],
        escalated_on=D(2018, 3, 1), reason="Up.",
    )  # fmt: skip

    with pytest.raises(ValidationError) as no_advice:
        services.risk_escalation_respond(
            escalation=escalation, response="returned", responded_on=D(2018, 3, 8)
        )
    with pytest.raises(ValidationError) as too_early:
        services.risk_escalation_respond(
            escalation=escalation, response="accepted", responded_on=D(2018, 2, 8)
        )
    services.risk_escalation_respond(
        escalation=escalation,
        response="returned",
        responded_on=D(2018, 3, 8),
        response_note="Manage it locally.",
    )
    with pytest.raises(ValidationError) as twice:
        services.risk_escalation_respond(
            escalation=escalation, response="accepted", responded_on=D(2018, 3, 9)
        )

    assert no_advice.value.message_dict == {"response_note": ["Give the advice the risk is returned with."]}
    assert "cannot precede it" in too_early.value.message_dict["responded_on"][0]
    assert twice.value.message_dict == {
        "response": ["This escalation was already answered (returned with advice on 8 March 2018)."]
    }


def test_an_accepted_risk_is_de_escalated_back_to_its_register(chain):
    _, bodies, registers = chain
    risk = RiskFactory(register=registers["Delivery Group"])
    escalation = services.risk_escalate(
        risk=risk, to_body=bodies["Programme Board"], escalated_on=D(2018, 3, 1), reason="Up."
    )

    with pytest.raises(ValidationError, match="Only an accepted escalation is de-escalated"):
        services.risk_escalation_de_escalate(escalation=escalation, de_escalated_on=D(2018, 4, 1))
    services.risk_escalation_respond(escalation=escalation, response="accepted", responded_on=D(2018, 3, 8))
    done = services.risk_escalation_de_escalate(
        escalation=escalation, de_escalated_on=D(2018, 5, 1), de_escalation_note="Score reduced to 6."
    )

    assert (done.status, done.de_escalated_on) == ("de-escalated", D(2018, 5, 1))
    again = services.risk_escalate(
        risk=risk, to_body=bodies["Programme Board"], escalated_on=D(2018, 6, 1), reason="Up."
    )
    assert again.from_register == registers["Delivery Group"]


@pytest.mark.django_db(transaction=True)
def test_a_risk_saved_while_the_matrix_changes_is_banded_on_the_new_matrix():
    """The matrix change holds the partnership; a risk written meanwhile waits, then reads the new matrix."""
    import threading
    import time

    from django.db import connection, transaction

    register = RiskRegisterFactory()
    changed, done = threading.Event(), threading.Event()

    def change_matrix():
        try:
            with transaction.atomic():
                services.scoring_matrix_change(
                    matrix=ScoringMatrix(partnership=register.partnership, high_max=16)
                )
                changed.set()
                time.sleep(0.5)  # the risk below is written while this transaction is still open
        finally:
            done.set()
            connection.close()

    thread = threading.Thread(target=change_matrix)
    thread.start()
    assert changed.wait(timeout=10)
    risk = RiskFactory(register=register, current_likelihood=4, current_consequence=4)  # 16
    thread.join(timeout=10)

    assert done.is_set()
    assert (
        Risk.objects.get(pk=risk.pk).current_band == "high"
    )  # 16 is high on the new matrix, extreme on the old


@pytest.mark.parametrize(
    ("at", "message"),
    [
        ("elsewhere", "A risk is reviewed at a meeting of the body that keeps its register."),
        ("another day", "That meeting was on 13 March 2018, not on the day of the review."),
    ],
)
def test_a_review_is_minuted_only_at_the_registers_own_meeting_that_day(at, message):
    risk = RiskFactory()
    body = BodyFactory(partnership=risk.partnership) if at == "elsewhere" else risk.register.body
    day = 14 if at == "elsewhere" else 13
    meeting = MeetingFactory(body=body, starts_at=datetime.datetime(2018, 3, day, 14, tzinfo=datetime.UTC))

    with pytest.raises(ValidationError) as error:
        services.risk_review_record(risk=risk, reviewed_on=D(2018, 3, 14), meeting=meeting)

    assert error.value.message_dict["meeting"] == [message]
    assert not risk.reviews.exists()
