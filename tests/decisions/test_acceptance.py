"""The issue's acceptance questions, answered from the seed documents (and concurrency on real PostgreSQL)."""

import datetime
import threading
from decimal import Decimal

import pghistory.models
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from bodies.models import Body, Organisation, Partnership
from decisions import services
from decisions.models import Decision, Ratification
from decisions.queries import proposal_position, urgent_decisions_awaiting_report, urgent_decisions_due_at
from delegation.models import Matter
from delegation.queries import resolve_authority
from tests import factories
from tests.decisions.conftest import held_meeting
from tests.platform.conftest import client_for

D = datetime.date


def derbyshire_board():
    return Body.objects.get(partnership__slug="derbyshire", slug="stp-board")


def record_stp_board_decision(on: datetime.date = datetime.date(2018, 1, 15)) -> Decision:
    board = derbyshire_board()
    return services.decision_record(
        body=board,
        meeting=held_meeting(board, on),
        matter=Matter.objects.get(partnership=board.partnership, slug="agree-changes-to-the-stp"),
        power="approve",
        resolution="The STP Board agrees the refreshed Sustainability and Transformation Plan.",
        outcome="carried",
        minute_reference="STPB/18/004",
    )


@pytest.mark.django_db
def test_a_derbyshire_stp_board_decision_needs_ratification_by_each_confirmed_party():
    decision = record_stp_board_decision()

    ratifying = set(decision.ratifications.values_list("organisation__name", flat=True))
    assert decision.status == "awaiting_ratification"
    assert (
        len(ratifying) == 15
    )  # every confirmed party (MoU 1 and 10.6); the general practices are not one (audit, issue 20)
    assert "General Practices across Derbyshire" not in ratifying
    assert ratifying == set(
        resolve_authority(
            partnership=decision.body.partnership, matter=decision.matter, on=decision.decided_on
        ).ratifying_organisations
    )
    assert "Chesterfield Royal Hospital NHS Foundation Trust" in ratifying
    assert "Burton Hospitals NHS Foundation Trust" not in ratifying  # an associate
    assert decision.delegation.source_reference == (
        "MoU 10.2-10.6; STP Board terms of reference [inferred, not stated: the paper's date, 22 June 2017]"
    )  # the start date is not in the document: cited as inferred (audit, issue 20)
    assert "Derbyshire STP Board may approve" in decision.authority_explanation


@pytest.mark.django_db
def test_the_derbyshire_decision_takes_effect_only_when_the_last_party_ratifies():
    decision = record_stp_board_decision()
    ratifications = list(decision.ratifications.order_by("organisation__name"))

    for n, ratification in enumerate(ratifications[:-1]):
        services.ratification_record(
            ratification=ratification, outcome="ratified", decided_on=D(2018, 2, 1 + n)
        )
    decision.refresh_from_db()
    assert decision.status == "awaiting_ratification"
    assert decision.ratifications.filter(outcome="pending").count() == 1

    services.ratification_record(
        ratification=ratifications[-1], outcome="ratified", decided_on=D(2018, 3, 29)
    )

    decision.refresh_from_db()
    assert (decision.status, decision.effective_on) == ("effective", D(2018, 3, 29))


@pytest.mark.django_db
def test_one_derbyshire_party_declining_leaves_the_decision_not_effective():
    decision = record_stp_board_decision()
    derby_city = decision.ratifications.get(organisation__slug="derby-city-council")

    services.ratification_record(
        ratification=derby_city,
        outcome="declined",
        decided_on=D(2018, 2, 6),
        minute_reference="Cabinet 6/2/18",
    )

    decision.refresh_from_db()
    assert decision.status == "not_effective"


@pytest.mark.django_db
def test_the_derbyshire_provider_alliance_group_decision_is_refused_for_want_of_authority():
    group = Body.objects.get(partnership__slug="derbyshire", slug="provider-alliance-group")

    with pytest.raises(ValidationError) as error:
        services.decision_record(
            body=group,
            meeting=held_meeting(group, D(2018, 1, 18)),
            matter=Matter.objects.get(partnership=group.partnership, slug="agree-changes-to-the-stp"),
            power="approve",
            resolution="The group agrees the plan.",
            outcome="carried",
        )

    message = error.value.message_dict["matter"][0]
    assert message.startswith("Provider Alliance Group holds no authority to approve")
    assert "Derbyshire STP Board may approve" in message
    assert message.endswith(
        "Record it as a recommendation to Derbyshire STP Board instead (recorded_as: recommendation)."
    )
    assert not Decision.objects.filter(body=group).exists()


# -- Cambridgeshire: the System Investment Fund route ------------------------------------------
def cambridgeshire():
    return Partnership.objects.get(slug="cambridgeshire-and-peterborough")


@pytest.mark.django_db
def test_a_system_investment_fund_proposal_walks_the_cambridgeshire_route():
    partnership = cambridgeshire()
    body = {b.slug: b for b in partnership.bodies.all()}
    proposal = services.proposal_create(
        partnership=partnership,
        title="Integrated musculoskeletal service",
        category="system_investment_fund",
        amount_gbp=Decimal("1200000"),
        sponsor_organisation=Organisation.objects.get(
            slug="nhs-cambridgeshire-and-peterborough-clinical-commissioning-group"
        ),
        sro=factories.PersonFactory(name="Programme SRO"),
    )
    walk = [
        ("care-advisory-group", D(2018, 1, 10)),  # 1 Set Clinical Vision
        ("health-and-care-executive", D(2018, 1, 17)),  # 2 Approve vision
        ("delivery-and-enabling-groups", D(2018, 2, 7)),  # 3 Approve Gateway Proposal
        ("care-advisory-group", D(2018, 2, 14)),  # 4 Approve Proposals (jointly) ...
        ("financial-performance-and-planning-group", D(2018, 2, 21)),  # ... with FPPG
        ("delivery-and-enabling-groups", D(2018, 4, 4)),  # 5 Develop Full Business Case
        ("investment-committee", D(2018, 4, 18)),  # 6 Evaluate Full Business Case
        ("health-and-care-executive", D(2018, 5, 16)),  # 7 Approve Full Business Case
    ]
    reached = []
    for slug, on in walk:
        services.proposal_advance(
            proposal=proposal, outcome="carried", body=body[slug], meeting=held_meeting(body[slug], on)
        )
        proposal.refresh_from_db()
        reached.append(proposal.stage_reached)
    assert reached == [1, 2, 3, 3, 4, 5, 6, 7]  # stage 4 passes only when both CAG and FPPG have carried it
    assert proposal_position(proposal).next_stage.name == "Final Sign off (where investment is required)"

    services.proposal_advance(
        proposal=proposal,
        outcome="carried",
        signed_off_on=D(2018, 6, 5),
        signed_off_by="NHS Cambridgeshire and Peterborough CCG Governing Body",
        sign_off_reference="GB/18/061",
    )

    proposal.refresh_from_db()
    assert (proposal.status, proposal.stage_reached) == ("approved", 8)
    decisions = list(proposal.decisions.order_by("decided_on"))
    assert [(d.body.slug, d.approval_stage.position, d.power) for d in decisions] == [
        ("care-advisory-group", 1, "exercise"),
        ("health-and-care-executive", 2, "approve"),
        ("delivery-and-enabling-groups", 3, "approve"),
        ("care-advisory-group", 4, "approve"),
        ("financial-performance-and-planning-group", 4, "approve"),
        ("delivery-and-enabling-groups", 5, "exercise"),
        ("investment-committee", 6, "evaluate"),
        ("health-and-care-executive", 7, "approve"),
    ]
    assert all(d.delegation_id is None and d.status == "effective" for d in decisions)
    assert decisions[6].authority_explanation.startswith(
        "Authorised by the approval route “Proposals that require funding from the STP System Investment Fund”, "
        "stage 6 “Evaluate Full Business Case”, taken by Investment Committee"
    )
    position = proposal_position(proposal)
    assert position.next_stage is None
    assert position.explanation[-1] == "Every stage has been passed."


@pytest.mark.django_db
def test_cambridgeshire_drafts_give_no_quorum_so_decisions_are_not_refused_for_it():
    from decisions.queries import meeting_quorum

    hce = cambridgeshire().bodies.get(slug="health-and-care-executive")

    answer = meeting_quorum(held_meeting(hce, D(2018, 1, 17)))

    assert (answer.defined, answer.met) == (False, None)
    assert answer.explanation.startswith(
        "Quorum not defined: Health and Care Executive has no approved terms of reference in force"
    )


@pytest.mark.django_db
def test_a_cambridgeshire_urgent_decision_is_due_at_the_hces_next_meeting():
    partnership = cambridgeshire()
    hce = partnership.bodies.get(slug="health-and-care-executive")
    # June 2018: clear of the demo data's own urgent decision (February) and meetings (to March).
    held_meeting(hce, D(2018, 6, 1))
    next_meeting = held_meeting(hce, D(2018, 7, 1), status="scheduled")

    urgent = services.decision_record(
        body=hce,
        urgent=True,
        decided_on=D(2018, 6, 10),
        matter=Matter.objects.get(
            partnership=partnership, slug="approve-business-cases-to-support-delivery-of-the-stp"
        ),
        power="approve",
        resolution="The winter resilience business case is approved.",
        outcome="carried",
        urgency_reason="NHS England required a decision before the HCE's next meeting.",
        consulted=[
            "Chair, Chief Executive and Director of Finance of each partner organisation (9.12)",
        ],
    )

    assert list(urgent_decisions_due_at(next_meeting)) == [urgent]
    answer = resolve_authority(partnership=partnership, matter=urgent.matter, on=urgent.decided_on)
    assert urgent.ratifications.count() == len(answer.ratifying_organisations) > 0
    next_meeting.status = "held"
    next_meeting.save()
    assert urgent_decisions_awaiting_report().get(pk=urgent.pk).overdue is True

    services.urgent_decision_report(decision=urgent, meeting=next_meeting)

    assert not urgent_decisions_awaiting_report().filter(pk=urgent.pk).exists()


# -- concurrency ------------------------------------------------------------------------------
@pytest.fixture
def decision_with_twelve_ratifications(transactional_db):
    partnership = factories.PartnershipFactory(name="Concurrent Partnership")
    board = factories.BodyFactory(partnership=partnership, decisions_bind_partners=False)
    matter = factories.MatterFactory(partnership=partnership)
    factories.DelegationFactory(partnership=partnership, matter=matter, delegate=board)
    for _ in range(12):
        factories.MembershipFactory(partnership=partnership)
    return services.decision_record(
        body=board,
        meeting=held_meeting(board, D(2018, 1, 15)),
        matter=matter,
        power="approve",
        resolution="Agreed.",
        outcome="carried",
    )


def run_together(jobs) -> list[int]:
    barrier = threading.Barrier(len(jobs))
    statuses: list[int] = []

    def run(job):
        try:
            barrier.wait(timeout=10)
            statuses.append(job())
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


@pytest.mark.django_db(transaction=True)
def test_concurrent_ratifications_lose_nothing_and_the_decision_takes_effect_once(
    decision_with_twelve_ratifications,
):
    decision = decision_with_twelve_ratifications
    admin = factories.UserFactory(is_superuser=True)
    reader = client_for(admin)
    targets = []
    for n, ratification in enumerate(decision.ratifications.order_by("id")):
        etag = reader.get(reverse("api:ratification-detail", args=[ratification.pk]))["ETag"]
        targets.append(
            (reverse("api:ratification-record", args=[ratification.pk]), etag, f"2018-02-{n + 1:02d}")
        )

    def job(url, etag, day):
        return lambda: (
            client_for(admin)
            .post(url, {"outcome": "ratified", "decided_on": day}, format="json", HTTP_IF_MATCH=etag)
            .status_code
        )

    statuses = run_together([job(*target) for target in targets])

    assert statuses == [200] * 12
    decision.refresh_from_db()
    assert set(decision.ratifications.values_list("outcome", flat=True)) == {"ratified"}
    assert (decision.status, decision.effective_on) == ("effective", D(2018, 2, 12))
    status_changes = [
        event.pgh_diff["status"]
        for event in pghistory.models.Events.objects.tracks(decision).order_by("pgh_id")
        if event.pgh_diff and "status" in event.pgh_diff
    ]
    assert status_changes == [["awaiting_ratification", "effective"]]


@pytest.mark.django_db(transaction=True)
def test_the_same_ratification_recorded_concurrently_is_written_once(decision_with_twelve_ratifications):
    ratification = decision_with_twelve_ratifications.ratifications.order_by("id").first()

    def job():
        services.ratification_record(ratification=ratification, outcome="ratified", decided_on=D(2018, 2, 1))
        return 200

    statuses = run_together([job] * 8)

    assert statuses == [200] * 8
    ratification.refresh_from_db()
    assert (ratification.outcome, ratification.revision) == ("ratified", 2)
    assert pghistory.models.Events.objects.tracks(ratification).filter(pgh_label="update").count() == 1
    assert Ratification.objects.filter(decision=ratification.decision_id, outcome="pending").count() == 11
