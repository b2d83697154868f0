"""Acceptance: the loaded demo data says what the source documents say (shared/seeds/)."""

import datetime

import pghistory.models
import pytest
from django.db.models import Count

from bodies.models import Agreement, Body, BodyRelationship, Membership, Organisation, Partnership
from bodies.queries import memberships_as_at, terms_of_reference_as_at
from bodies.seed import SeedError, load_seed

pytestmark = pytest.mark.django_db

ON = datetime.date(2018, 6, 1)  # all five documents are in force by then


def standing_counts(slug: str) -> dict[tuple[str, str], int]:
    rows = (
        Membership.objects.filter(partnership__slug=slug)
        .values_list("standing", "status")
        .annotate(n=Count("id"))
    )
    return {(standing, status): n for standing, status, n in rows}


def body(partnership: str, name: str) -> Body:
    return Body.objects.get(partnership__slug=partnership, name=name)


def test_five_partnerships_are_loaded():
    assert set(Partnership.objects.values_list("slug", flat=True)) >= {
        "derbyshire",
        "nottingham-and-nottinghamshire",
        "south-yorkshire-and-bassetlaw",
        "cumbria-and-north-east",
        "cambridgeshire-and-peterborough",
    }
    derbyshire = Partnership.objects.get(slug="derbyshire")
    assert (derbyshire.footprint_number, derbyshire.region, derbyshire.lead.name) == (
        12,
        "Midlands and East",
        "Tracy Allen",
    )


def test_derbyshire_members_by_standing():
    # 14 of the organisations within the footprint, plus the LMC, NHS England and NHS Improvement, which
    # the MoU names as parties; Burton is an associate, East Staffordshire CCG "Associate Member TBC".
    # The general practices are listed within the footprint only (audit, issue 20: they were a party).
    assert standing_counts("derbyshire") == {
        ("party_to", "confirmed"): 15,
        ("in_footprint", "confirmed"): 1,
        ("associate", "confirmed"): 1,
        ("associate", "to_be_confirmed"): 1,
    }
    tbc = Membership.objects.get(partnership__slug="derbyshire", status="to_be_confirmed")
    assert tbc.organisation.name == "NHS East Staffordshire CCG"
    burton = Membership.objects.get(partnership__slug="derbyshire", organisation__name__startswith="Burton")
    assert burton.standing == Membership.Standing.ASSOCIATE


def test_south_yorkshire_and_bassetlaw_parties_to_and_partners_in():
    # MoU 2.6: 18 distinct parties (NHS England is listed twice), Chesterfield Royal a core party;
    # 2.7: ten partners (Nottinghamshire County Council / Bassetlaw District Council is two councils).
    assert standing_counts("south-yorkshire-and-bassetlaw") == {
        ("party_to", "confirmed"): 17,
        ("core", "confirmed"): 1,
        ("partner_in", "confirmed"): 10,
    }
    core = Membership.objects.get(partnership__slug="south-yorkshire-and-bassetlaw", standing="core")
    assert core.organisation.slug == "chesterfield-royal-hospital-nhs-foundation-trust"


def test_organisations_in_two_partnerships_are_one_record_each():
    expected = {
        "chesterfield-royal-hospital-nhs-foundation-trust": {"derbyshire", "south-yorkshire-and-bassetlaw"},
        "east-midlands-ambulance-service-nhs-trust": {"derbyshire", "south-yorkshire-and-bassetlaw"},
        "nottinghamshire-county-council": {"nottingham-and-nottinghamshire", "south-yorkshire-and-bassetlaw"},
    }
    for slug, partnerships in expected.items():
        organisation = Organisation.objects.get(slug=slug)
        assert set(organisation.memberships.values_list("partnership__slug", flat=True)) == partnerships
    assert Organisation.objects.filter(name__icontains="Chesterfield Royal").count() == 1
    assert "EMAS" in Organisation.objects.get(slug="east-midlands-ambulance-service-nhs-trust").other_names


def test_derbyshire_stp_board_terms_of_reference_in_full():
    board = body("derbyshire", "Derbyshire STP Board")
    terms = terms_of_reference_as_at(board, ON)

    assert (terms.meeting_frequency, terms.duration_display) == ("monthly", "3 hours")
    assert terms.purpose.startswith("Bringing system leaders together to hold organisations to account")
    objectives = list(terms.objectives.values_list("text", flat=True))
    assert len(objectives) == 8
    assert (
        objectives[0]
        == "To deliver a sustainable (clinically, professionally and financially) Derbyshire care system."
    )
    assert objectives[7] == (
        "To agree and adjust financial management arrangements and contracts to enable cross system working."
    )
    assert [role.title for role in terms.roles.all()][:2] == [
        "STP Board Chair",
        "Chiefs and Chairs of Providers and Commissioners",
    ]
    assert terms.roles.count() == 9
    # MoU 10.6: it agrees collective decisions, which bind no one until each party's board ratifies.
    assert (board.decisions_bind_partners, board.holds_delegated_authority) == (False, True)


def test_derbyshire_other_outline_terms_of_reference():
    pag = terms_of_reference_as_at(body("derbyshire", "Provider Alliance Group"), ON)
    cprg = terms_of_reference_as_at(body("derbyshire", "Clinical and Professional Reference Group"), ON)
    pef = terms_of_reference_as_at(body("derbyshire", "Partnership Engagement Forum"), ON)

    assert (pag.meeting_frequency, pag.frequency_note) == ("monthly", "Monthly (at least); 3 hours.")
    assert list(pag.roles.filter(category="in_attendance").values_list("title", flat=True)) == [
        "STP Programme Office",
        "Programme Leads",
    ]
    assert (cprg.duration_display, cprg.objectives.count()) == ("2–3 hours", 8)
    assert list(cprg.roles.filter(category="by_invitation").values_list("title", flat=True)) == [
        "Programme Leads",
        "Programme Clinical Leads",
    ]
    assert (pef.meeting_frequency, pef.objectives.count()) == ("bimonthly", 10)
    assert pef.objectives.get(position=10).text == (
        "Report to the STP Board any risks, issues and exceptions related to the Programmes."
    )
    assert body("derbyshire", "Provider Alliance Group").holds_delegated_authority is False


def test_reporting_lines_draw_the_structure():
    pef = body("derbyshire", "Partnership Engagement Forum")
    assert set(pef.relationships_from.values_list("kind", "to_body__name")) >= {
        ("reports_to", "Derbyshire STP Board"),
        ("escalates_risks_to", "Derbyshire STP Board"),
    }
    notts_board = Body.objects.get(
        partnership__slug="nottingham-and-nottinghamshire", name__icontains="Leadership Board"
    )
    held = notts_board.relationships_from.filter(kind="holds_to_account").values_list(
        "to_body__name", flat=True
    )
    assert {name for name in held if "Transformation Board" in name} == {
        "Mid Notts Alliance Transformation Board",
        "Greater Nottingham Transformation Board",
    }
    # Cambridgeshire: delivery and enabling groups -> System Delivery Board -> HCE -> STP Board.
    escalations = set(
        BodyRelationship.objects.filter(
            kind="escalates_risks_to", from_body__partnership__slug="cambridgeshire-and-peterborough"
        ).values_list("from_body__slug", "to_body__slug")
    )
    assert {
        ("delivery-and-enabling-groups", "system-delivery-board"),
        ("system-delivery-board", "health-and-care-executive"),
        ("health-and-care-executive", "stp-board"),
    } <= escalations


def test_syb_joint_committee_of_ccgs_holds_delegated_authority():
    committee = Body.objects.get(partnership__slug="south-yorkshire-and-bassetlaw", kind="joint_committee")
    assert committee.holds_delegated_authority is True
    text = committee.description + " ".join(
        committee.terms_of_reference.get().objectives.values_list("text", flat=True)
    )
    assert "stroke" in text.lower() and "children" in text.lower()


def test_agreements_and_signatories():
    mou = Agreement.objects.get(partnership__slug="derbyshire", kind="mou")
    assert mou.effective_to == datetime.date(2021, 3, 31)
    assert mou.review_interval_months == 12
    assert mou.signatures.count() == 13
    assert mou.signatures.filter(organisation__slug="east-midlands-ambulance-service-nhs-trust").exists()


def test_as_at_before_the_documents_shows_nothing_in_force():
    derbyshire = Partnership.objects.get(slug="derbyshire")
    assert memberships_as_at(derbyshire, datetime.date(2017, 1, 1)).count() == 0
    assert memberships_as_at(derbyshire, ON).count() == 18


def test_every_record_cites_its_source():
    for model in (Membership, Body, Agreement, Organisation):
        assert not model.objects.filter(source_document="").exists(), model


def test_loading_again_changes_nothing_and_writes_no_history():
    events_before = pghistory.models.Events.objects.count()

    report = load_seed()

    assert not report.changed
    assert pghistory.models.Events.objects.count() == events_before


def test_a_broken_seed_file_is_reported_not_half_loaded(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "partnership: {slug: broken, name: Broken STP, colour: red}\n"
        "organisations: [{slug: x, name: X, kind: ccg, statutory: true}]\n"
        "memberships: [{organisation: nowhere, standing: party_to}]\n"
    )

    with pytest.raises(SeedError) as error:
        load_seed([broken])

    assert any("unknown key(s) colour" in problem for problem in error.value.problems)
    assert any("unknown organisation 'nowhere'" in problem for problem in error.value.problems)
    assert not Partnership.objects.filter(slug="broken").exists()
    assert not Organisation.objects.filter(slug="x").exists()
