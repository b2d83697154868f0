"""Questions taken from the source documents, answered from the loaded demo data."""

import datetime

import pytest
from django.urls import reverse

from bodies.models import Partnership
from delegation.models import ApprovalRoute, Delegation, Matter, Reservation
from delegation.queries import ratification_for_body, resolve_authority
from tests import factories
from tests.platform.conftest import client_for

pytestmark = pytest.mark.django_db

ON = datetime.date(2018, 1, 15)


def cambridgeshire():
    return Partnership.objects.get(slug="cambridgeshire-and-peterborough")


def ask(partnership, slug, **kwargs):
    matter = Matter.objects.get(partnership=partnership, slug=slug)
    return resolve_authority(partnership=partnership, matter=matter, on=ON, **kwargs)


def test_cambridgeshire_tables_1_to_12_are_loaded():
    partnership = cambridgeshire()
    assert Reservation.objects.filter(partnership=partnership).count() == 11
    assert Delegation.objects.filter(partnership=partnership).count() == 97
    assert ApprovalRoute.objects.filter(partnership=partnership).count() == 3


def test_who_approves_business_cases_to_support_delivery_of_the_stp():
    answer = ask(cambridgeshire(), "approve-business-cases-to-support-delivery-of-the-stp")

    assert [(p.decider, p.power) for p in answer.paths] == [("Health and Care Executive", "approve")]
    assert answer.paths[0].chain[0].delegator == "STP Board"
    assert "Table 5" in answer.paths[0].chain[0].source


def test_who_determines_the_need_for_an_urgent_decision():
    answer = ask(cambridgeshire(), "determine-need-for-urgent-decisions")

    assert [p.decider for p in answer.paths] == ["Chair of Health and Care Executive"]


def test_who_provides_written_notice_of_stp_board_meetings():
    answer = ask(cambridgeshire(), "give-notice-of-stp-board-meetings")

    assert [p.decider for p in answer.paths] == ["Secretariat of STP Board"]
    assert answer.paths[0].rests_on == "the partners' statutory boards"


def test_the_governance_framework_is_reserved_to_the_partners_boards():
    answer = ask(cambridgeshire(), "approve-overarching-governance-framework")

    assert answer.paths == []
    assert {r.reserved_to for r in answer.reservations} == {"nhs_statutory_board", "local_authority_cabinet"}


def test_the_stages_of_a_project_funded_from_the_system_investment_fund():
    answer = resolve_authority(partnership=cambridgeshire(), category="system_investment_fund", on=ON)

    assert [(s.name, s.acting) for s in answer.route] == [
        ("Set Clinical Vision", ["Care Advisory Group"]),
        ("Approve vision", ["Health and Care Executive"]),
        ("Approve Gateway Proposal", ["Delivery and Enabling Groups"]),
        ("Approve Proposals", ["Care Advisory Group", "Financial Performance and Planning Group"]),
        ("Develop Full Business Case/Final Proposal", ["Delivery and Enabling Groups"]),
        ("Evaluate Full Business Case", ["Investment Committee"]),
        (
            "Approve Full Business Case/Final Proposal (where investment is required)",
            ["Health and Care Executive"],
        ),
        ("Final Sign off (where investment is required)", ["The relevant local organisation(s)"]),
    ]
    assert answer.route[3].jointly is True


def test_which_organisations_must_ratify_a_decision_of_the_derbyshire_stp_board():
    partnership = Partnership.objects.get(slug="derbyshire")
    board = partnership.bodies.get(slug="stp-board")
    answer = ask(partnership, "agree-changes-to-the-stp")

    assert [p.decider for p in answer.paths] == ["Derbyshire STP Board"]
    assert answer.ratification_required
    assert len(answer.ratifying_organisations) == 15  # every confirmed party (MoU 1 and 10.6)
    assert "General Practices across Derbyshire" not in answer.ratifying_organisations  # not a party (audit)
    assert "Chesterfield Royal Hospital NHS Foundation Trust" in answer.ratifying_organisations
    assert "Burton Hospitals NHS Foundation Trust" not in answer.ratifying_organisations  # an associate
    assert "NHS East Staffordshire CCG" not in answer.ratifying_organisations  # associate, to be confirmed
    assert ratification_for_body(board, ON) == answer.ratifying_organisations


def test_the_derbyshire_provider_alliance_group_can_decide_nothing():
    partnership = Partnership.objects.get(slug="derbyshire")
    pag = partnership.bodies.get(slug="provider-alliance-group")

    assert pag.holds_delegated_authority is False
    assert not Delegation.objects.filter(delegate=pag).exists()


def test_syb_joint_committee_decides_the_childrens_surgery_and_stroke_reviews():
    partnership = Partnership.objects.get(slug="south-yorkshire-and-bassetlaw")
    for slug in ("review-of-childrens-surgery-services", "review-of-hyper-acute-stroke-services"):
        answer = ask(partnership, slug)
        assert [p.decider for p in answer.paths] == ["Joint Committee of Clinical Commissioning Groups"]


def test_the_authority_endpoint_answers_with_the_chain(client):
    partnership = cambridgeshire()
    api = client_for(factories.UserFactory(is_superuser=True))
    url = reverse("api:partnership-authority", args=[partnership.pk])

    answer = api.get(
        url, {"matter": "approve-business-cases-to-support-delivery-of-the-stp", "on": "2018-01-15"}
    ).json()
    route = api.get(url, {"category": "system_investment_fund", "stage_reached": 4}).json()

    assert answer["paths"][0]["decider"] == "Health and Care Executive"
    assert "Table 5" in answer["paths"][0]["chain"][0]["source"]
    assert answer["explanation"][0].startswith("Health and Care Executive may approve")
    assert [s["ahead"] for s in route["route"]] == [False] * 4 + [True] * 4


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "matter"),
        ({"matter": "x", "category": "no_investment"}, "matter"),
        ({"matter": "no-such-matter"}, "matter"),
        ({"category": "bribes"}, "category"),
        ({"matter": "give-notice-of-stp-board-meetings", "amount": "lots"}, "amount"),
        ({"matter": "give-notice-of-stp-board-meetings", "amount": "-5"}, "amount"),
        ({"matter": "give-notice-of-stp-board-meetings", "on": "2018-02-30"}, "on"),
        ({"matter": "a" * 500}, "matter"),
    ],
)
def test_bad_questions_get_400_with_field_messages(query, field):
    api = client_for(factories.UserFactory(is_superuser=True))

    response = api.get(reverse("api:partnership-authority", args=[cambridgeshire().pk]), query)

    assert response.status_code == 400
    assert field in response.json()


def test_scheme_checks_over_the_api_report_cambridgeshires_draft_terms_of_reference():
    api = client_for(factories.UserFactory(is_superuser=True))

    defects = api.get(reverse("api:partnership-scheme-checks", args=[cambridgeshire().pk])).json()

    assert {d["code"] for d in defects} == {"delegate_without_terms_of_reference"}
    assert any(
        d["message"].startswith("Health and Care Executive holds delegated authority") for d in defects
    )
