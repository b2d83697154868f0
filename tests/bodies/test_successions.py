"""Successions followed everywhere as at a date (issue 20): a four-into-one merger through memberships,
ratification, nightly checks, the organisation page and the API, either side of the date; a split with
shares; a rename; succession integrity in the database; an STP becoming an ICS with a statutory ICB."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.text import slugify

from bodies import stages, successions
from bodies.models import Body, Organisation, OrganisationSuccession, PartnershipStage
from composition.checkruns import data_quality_issues
from core.access import grant_role
from decisions import services as decision_services
from delegation.queries import ratifying_parties, resolve_authority
from tests import factories
from tests.decisions.conftest import attend, held_meeting
from tests.platform.conftest import client_for

pytestmark = pytest.mark.django_db

D = datetime.date
BEFORE, MERGED, AFTER = D(2019, 3, 31), D(2019, 4, 1), D(2020, 6, 1)


def ccg(name, ods=None):
    return factories.OrganisationFactory(name=name, slug=f"test-{slugify(name)}", kind="ccg", ods_code=ods)


@pytest.fixture
def merger(db):
    """Four CCGs and a trust are parties to a partnership whose board's decisions do not bind; the four
    CCGs merge into one on 1 April 2019 (their memberships are left as they were)."""
    partnership = factories.PartnershipFactory(name="Merger Test Partnership")
    old = [
        ccg("NHS Erewash CCG", "T03X"),
        ccg("NHS Hardwick CCG", "T03Y"),
        ccg("NHS North Derbyshire CCG", "T04J"),
        ccg("NHS Southern Derbyshire CCG", "T04R"),
    ]
    trust = factories.OrganisationFactory(name="Merger Test Hospital NHS Foundation Trust")
    for organisation in [*old, trust]:
        factories.MembershipFactory(partnership=partnership, organisation=organisation)
    merged = ccg("NHS Derby and Derbyshire CCG", "T15M")
    board = factories.BodyFactory(
        partnership=partnership, name="Merger Test Board", decisions_bind_partners=False
    )
    factories.TermsOfReferenceFactory(body=board, approved=True, quorum_count=2)
    matter = factories.MatterFactory(partnership=partnership, name="To approve the system plan")
    factories.DelegationFactory(partnership=partnership, matter=matter, delegate=board)
    members = [factories.PersonFactory(name=f"Merger member {n}") for n in range(3)]
    factories.AppointmentFactory(body=board, person=members[0], role="chair", representing=old[0])
    for member in members[1:]:
        factories.AppointmentFactory(body=board, person=member, role="member")
    for organisation in old:
        successions.record_succession(
            predecessor=organisation, successor=merged, effective_on=MERGED, kind="merger",
            source_document="NHS England, CCG mergers 2019",
        )  # fmt: skip
    return {"partnership": partnership, "old": old, "trust": trust, "merged": merged, "board": board,
            "matter": matter, "members": members}  # fmt: skip


def viewer(partnership):
    user = factories.UserFactory()
    grant_role(user=user, partnership=partnership, role="viewer")
    return user


class TestFourIntoOneMerger:
    def test_the_predecessors_are_dissolved_the_day_before_and_each_succession_is_recorded(self, merger):
        for organisation in merger["old"]:
            organisation.refresh_from_db()
            assert organisation.dissolved_on == BEFORE
            assert successions.successor_as_at(organisation, BEFORE) == organisation
            assert successions.successor_as_at(organisation, MERGED) == merger["merged"]

    def test_recording_it_again_changes_nothing(self, merger):
        again = successions.record_succession(
            predecessor=merger["old"][0], successor=merger["merged"], effective_on=MERGED, kind="merger"
        )
        assert OrganisationSuccession.objects.filter(successor=merger["merged"]).count() == 4
        assert again.source_document == "NHS England, CCG mergers 2019"

    def test_ratification_is_asked_of_the_four_before_and_of_the_successor_once_after(self, merger):
        before = list(ratifying_parties(merger["partnership"], BEFORE))
        after = list(ratifying_parties(merger["partnership"], AFTER))
        assert before == sorted([*merger["old"], merger["trust"]], key=lambda o: o.name)
        assert after == [merger["trust"], merger["merged"]] or after == [merger["merged"], merger["trust"]]
        answer = resolve_authority(partnership=merger["partnership"], matter=merger["matter"], on=AFTER)
        assert answer.ratifying_organisations == sorted(
            ["NHS Derby and Derbyshire CCG", "Merger Test Hospital NHS Foundation Trust"]
        )

    def test_a_decision_after_the_merger_creates_one_ratification_for_the_successor(self, merger):
        meeting = held_meeting(merger["board"], AFTER)
        attend(meeting, merger["members"])
        decision = decision_services.decision_record(
            body=merger["board"], meeting=meeting, matter=merger["matter"], power="approve",
            resolution="The system plan is approved.", outcome="carried",
        )  # fmt: skip
        asked = sorted(decision.ratifications.values_list("organisation__name", flat=True))
        assert asked == ["Merger Test Hospital NHS Foundation Trust", "NHS Derby and Derbyshire CCG"]

    def test_the_nightly_checks_flag_records_still_pointing_at_the_dissolved_ccgs_after_not_before(
        self, merger
    ):
        assert not [i for i in data_quality_issues(merger["partnership"], BEFORE) if "dissolved" in i["code"]]
        issues = data_quality_issues(merger["partnership"], AFTER)
        memberships = [i for i in issues if i["code"] == "membership_of_dissolved_organisation"]
        assert len(memberships) == 4
        assert "its successor is NHS Derby and Derbyshire CCG" in memberships[0]["message"]
        assert "dissolved on 31 March 2019" in memberships[0]["message"]
        appointments = [i for i in issues if i["code"] == "appointment_representing_dissolved_organisation"]
        assert len(appointments) == 1 and "NHS Erewash CCG" in appointments[0]["message"]

    def test_a_delegation_from_a_dissolved_ccgs_board_is_flagged(self, merger):
        governing_body = factories.BodyFactory(
            partnership=None,
            organisation=merger["old"][1],
            kind="statutory_board",
            name="NHS Hardwick CCG Governing Body",
        )
        factories.DelegationFactory(
            partnership=merger["partnership"], matter=merger["matter"], delegator=governing_body, delegate=merger["board"],
            delegate_office="chair",
        )  # fmt: skip
        codes = [i["code"] for i in data_quality_issues(merger["partnership"], AFTER)]
        assert "delegation_involving_dissolved_organisation" in codes

    def test_the_partnership_page_shows_the_successor_in_place_after_not_before(self, merger, client):
        client.force_login(viewer(merger["partnership"]))
        url = reverse("partnership-detail", args=[merger["partnership"].pk])
        before = client.get(url, {"as_at": "2019-03-31"}).content.decode()
        after = client.get(url, {"as_at": "2020-06-01"}).content.decode()
        assert "in its place" not in before
        assert after.count("in its place on 1 June 2020") == 4
        assert "NHS Derby and Derbyshire CCG" in after

    def test_the_organisation_page_shows_the_lineage_with_dates_and_ods_codes(self, merger, client):
        client.force_login(viewer(merger["partnership"]))
        page = client.get(
            reverse("organisation-detail", args=[merger["old"][0].pk]), {"as_at": "2020-06-01"}
        ).content.decode()
        assert "Lineage" in page and "T15M" in page and "1 April 2019" in page
        assert "In its place on 1 June 2020" in page
        successor_page = client.get(
            reverse("organisation-detail", args=[merger["merged"].pk])
        ).content.decode()
        for code in ("T03X", "T03Y", "T04J", "T04R"):
            assert code in successor_page

    def test_the_body_page_shows_a_representing_organisations_successor(self, merger, client):
        client.force_login(viewer(merger["partnership"]))
        page = client.get(reverse("body-detail", args=[merger["board"].pk]), {"as_at": "2020-06-01"})
        assert "in its place on 1 June 2020" in page.content.decode()

    def test_the_api_gives_the_lineage_and_the_successor_as_at_a_date(self, merger):
        api = client_for(viewer(merger["partnership"]))
        url = reverse("api:organisation-lineage", args=[merger["old"][0].pk])
        before = api.get(url, {"on": "2019-03-31"}).json()
        after = api.get(url, {"on": "2020-06-01"}).json()
        assert before["successor"]["name"] == "NHS Erewash CCG"
        assert after["successor"] == {
            "id": merger["merged"].pk, "name": "NHS Derby and Derbyshire CCG", "ods_code": "T15M", "dissolved_on": None,
        }  # fmt: skip
        assert (
            after["successions"][0]["kind"] == "merger"
            and after["successions"][0]["effective_on"] == "2019-04-01"
        )
        merged = api.get(reverse("api:organisation-lineage", args=[merger["merged"].pk])).json()
        assert sorted(p["organisation"]["ods_code"] for p in merged["predecessors"]) == [
            "T03X",
            "T03Y",
            "T04J",
            "T04R",
        ]
        assert api.get(url, {"on": "not a date"}).status_code == 400


class TestSplit:
    def test_a_split_states_shares_and_is_followed_to_each_successor(self):
        old = factories.OrganisationFactory(name="Split Test Council")
        north, south = (
            factories.OrganisationFactory(name="North Test Council"),
            factories.OrganisationFactory(name="South Test Council"),
        )
        successions.record_succession(
            predecessor=old, successor=north, effective_on=D(2020, 4, 1), kind="split", share_percent=60
        )
        old.refresh_from_db()
        assert old.dissolved_on is None  # 60 % passed on: not yet wholly split
        successions.record_succession(
            predecessor=old, successor=south, effective_on=D(2020, 4, 1), kind="split", share_percent=40
        )
        old.refresh_from_db()
        assert old.dissolved_on == D(2020, 3, 31)
        assert successions.successors_as_at(old, D(2021, 1, 1)) == [north, south]  # largest share first
        assert successions.successor_as_at(old, D(2021, 1, 1)) is None  # no single successor
        found = successions.lineage(old, D(2021, 1, 1))
        assert [(s.organisation, s.share_percent) for s in found.successors] == [(north, 60), (south, 40)]

    def test_a_split_without_a_share_or_beyond_100_percent_is_refused(self):
        old, a, b = (factories.OrganisationFactory() for _ in range(3))
        with pytest.raises(ValidationError):
            successions.record_succession(
                predecessor=old, successor=a, effective_on=D(2020, 4, 1), kind="split"
            )
        successions.record_succession(
            predecessor=old, successor=a, effective_on=D(2020, 4, 1), kind="split", share_percent=70
        )
        with pytest.raises(ValidationError, match="150"):
            successions.record_succession(
                predecessor=old, successor=b, effective_on=D(2020, 4, 1), kind="split", share_percent=80
            )
        with pytest.raises(IntegrityError), transaction.atomic():
            OrganisationSuccession.objects.create(
                predecessor=old, successor=b, effective_on=D(2020, 4, 1), kind="split"
            )


class TestRename:
    def test_a_rename_keeps_the_organisation_and_dates_its_old_name(self):
        trust = factories.OrganisationFactory(name="Old Name NHS Trust", established_on=D(2010, 4, 1))
        successions.record_rename(
            organisation=trust, new_name="New Name NHS Trust", effective_on=D(2021, 4, 1)
        )
        trust.refresh_from_db()
        assert trust.name == "New Name NHS Trust" and "Old Name NHS Trust" in trust.other_names
        assert successions.name_as_at(trust, D(2021, 3, 31)) == "Old Name NHS Trust"
        assert successions.name_as_at(trust, D(2021, 4, 1)) == "New Name NHS Trust"
        assert not OrganisationSuccession.objects.filter(predecessor=trust).exists()
        (former,) = successions.lineage(trust).former_names
        assert (former.effective_from, former.effective_to) == (D(2010, 4, 1), D(2021, 3, 31))

    def test_a_rename_is_not_a_succession(self):
        a, b = factories.OrganisationFactory(), factories.OrganisationFactory()
        with pytest.raises(ValidationError, match="record_rename"):
            successions.record_succession(
                predecessor=a, successor=b, effective_on=D(2021, 4, 1), kind="rename"
            )


class TestIntegrity:
    def test_a_cycle_is_refused_by_the_service_and_by_the_database(self):
        a, b, c = (factories.OrganisationFactory() for _ in range(3))
        successions.record_succession(
            predecessor=a, successor=b, effective_on=D(2019, 4, 1), kind="merger", dissolve_predecessor=False
        )
        successions.record_succession(
            predecessor=b, successor=c, effective_on=D(2020, 4, 1), kind="merger", dissolve_predecessor=False
        )
        with pytest.raises(ValidationError, match="cannot go round"):
            successions.record_succession(
                predecessor=c, successor=a, effective_on=D(2021, 4, 1), kind="merger"
            )
        with pytest.raises(IntegrityError, match="succession_no_cycle"), transaction.atomic():
            OrganisationSuccession.objects.create(predecessor=c, successor=a, effective_on=D(2021, 4, 1))

    def test_a_successor_dissolved_before_its_predecessor_is_refused_by_the_service_and_by_the_database(self):
        gone = factories.OrganisationFactory(dissolved_on=D(2018, 3, 31))
        predecessor = factories.OrganisationFactory()
        with pytest.raises(ValidationError, match="dissolved"):
            successions.record_succession(
                predecessor=predecessor, successor=gone, effective_on=D(2019, 4, 1), kind="merger"
            )
        with (
            pytest.raises(IntegrityError, match="succession_successor_not_dissolved_first"),
            transaction.atomic(),
        ):
            OrganisationSuccession.objects.create(
                predecessor=predecessor, successor=gone, effective_on=D(2019, 4, 1)
            )
        successor = factories.OrganisationFactory()
        successions.record_succession(
            predecessor=predecessor, successor=successor, effective_on=D(2019, 4, 1), kind="merger"
        )
        successor.dissolved_on = D(2019, 1, 1)  # before the predecessor's end (31 March 2019)
        with (
            pytest.raises(IntegrityError, match="succession_successor_not_dissolved_first"),
            transaction.atomic(),
        ):
            Organisation.objects.filter(pk=successor.pk).update(dissolved_on=D(2019, 1, 1))


class TestStpToIcsToIcb:
    def test_ccg_duties_pass_to_the_icb_on_1_july_2022(self):
        partnership = factories.PartnershipFactory(name="Transition Test Partnership")
        stages.partnership_stage_change(partnership=partnership, stage="stp", effective_from=D(2016, 3, 1))
        stages.partnership_stage_change(partnership=partnership, stage="ics", effective_from=D(2021, 4, 1))
        ccgs = [ccg("NHS Transition North CCG"), ccg("NHS Transition South CCG")]
        county = factories.OrganisationFactory(name="Transition County Council", kind="local_authority")
        for organisation in [*ccgs, county]:
            factories.MembershipFactory(partnership=partnership, organisation=organisation)
        icb = factories.OrganisationFactory(name="NHS Transition Integrated Care Board", kind="icb")
        board = factories.BodyFactory(
            partnership=partnership, name="Transition Board", decisions_bind_partners=False
        )
        matter = factories.MatterFactory(partnership=partnership)
        factories.DelegationFactory(partnership=partnership, matter=matter, delegate=board)

        result = stages.icb_establish(
            partnership=partnership, icb=icb, ccgs=ccgs, committees=("Audit Committee", "Remuneration Committee"),
            icp_name="Transition Integrated Care Partnership",
        )  # fmt: skip

        def stage_on(day):
            return partnership.stages.in_force(day).get().stage

        assert [stage_on(D(2017, 1, 1)), stage_on(D(2022, 6, 30)), stage_on(D(2022, 7, 1))] == [
            "stp", "ics", PartnershipStage.Stage.STATUTORY_ICS,
        ]  # fmt: skip
        assert result.board.kind == Body.Kind.STATUTORY_BOARD and result.board.organisation == icb
        assert [c.name for c in result.committees] == ["Audit Committee", "Remuneration Committee"]
        assert result.partnership_body.kind == "integrated_care_partnership"
        assert result.partnership_body.partnership == partnership
        assert sorted(o.name for o in ratifying_parties(partnership, D(2022, 6, 30))) == [
            "NHS Transition North CCG", "NHS Transition South CCG", "Transition County Council",
        ]  # fmt: skip
        assert sorted(o.name for o in ratifying_parties(partnership, D(2022, 7, 1))) == [
            "NHS Transition Integrated Care Board", "Transition County Council",
        ]  # fmt: skip
        for organisation in ccgs:
            organisation.refresh_from_db()
            assert organisation.dissolved_on == D(2022, 6, 30)
            assert successions.successor_as_at(organisation, D(2022, 7, 1)) == icb
        # the CCGs' memberships were ended the day before, so nothing points at them afterwards
        assert not [i for i in data_quality_issues(partnership, D(2022, 7, 1)) if "dissolved" in i["code"]]

    def test_a_merged_ccg_is_followed_on_to_the_icb(self, merger):
        icb = factories.OrganisationFactory(
            name="Test Derby and Derbyshire Integrated Care Board", kind="icb"
        )
        stages.icb_establish(partnership=merger["partnership"], icb=icb, ccgs=[merger["merged"]])
        erewash = merger["old"][0]
        assert successions.successor_as_at(erewash, D(2020, 1, 1)) == merger["merged"]
        assert successions.successor_as_at(erewash, D(2023, 1, 1)) == icb
        assert [s.organisation for s in successions.lineage(erewash).successors] == [merger["merged"], icb]
