"""The REST API: recording on authority, evidence never deleted, restricted records, trackers, calendars."""

import datetime

import icalendar
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.access import grant_role
from core.tokens import api_token_issue
from decisions import services
from decisions.models import Decision, Ratification
from tests import factories
from tests.decisions.conftest import attend, held_meeting
from tests.platform.conftest import client_for

pytestmark = pytest.mark.django_db

D = datetime.date


def user_with(partnership, role):
    user = factories.UserFactory()
    grant_role(user=user, partnership=partnership, role=role)
    return user


@pytest.fixture
def secretariat(scheme):
    return client_for(user_with(scheme.partnership, "secretariat"))


@pytest.fixture
def viewer(scheme):
    return client_for(user_with(scheme.partnership, "viewer"))


def payload(scheme, **kwargs):
    return {
        "body": scheme.board.pk,
        "meeting": scheme.meeting.pk,
        "matter": scheme.matter.pk,
        "power": "approve",
        "resolution": "The business case is approved.",
        "outcome": "carried",
        **kwargs,
    }


def test_recording_a_decision_resolves_its_authority_and_creates_its_ratifications(scheme, secretariat):
    attend(scheme.meeting, scheme.members)

    response = secretariat.post(
        reverse("api:decision-list"),
        payload(scheme, votes_for=4, minute_reference="18/3", delegation=999, status="effective"),
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert response["ETag"] == f'"decisions.decision.{body["id"]}.r1"'
    assert body["delegation"]["id"] == scheme.delegation.pk  # resolved, never taken from the client
    assert body["status"] == "awaiting_ratification"
    assert [r["outcome"] for r in body["ratifications"]] == ["pending"] * 3
    assert body["authority_explanation"].startswith("Partnership Board may approve")


def test_a_decision_without_authority_is_a_400_with_the_reason_and_nothing_is_written(scheme, secretariat):
    attend(scheme.meeting, scheme.members)
    other = factories.MatterFactory(partnership=scheme.partnership, name="To approve the estates strategy")
    before = Decision.objects.count()

    response = secretariat.post(reverse("api:decision-list"), payload(scheme, matter=other.pk), format="json")

    assert response.status_code == 400
    assert response.json()["matter"][0].startswith("Partnership Board holds no authority to approve")
    assert Decision.objects.count() == before


def test_a_recommendation_is_recorded_when_asked(scheme, secretariat):
    meeting = held_meeting(scheme.executive)

    response = secretariat.post(
        reverse("api:decision-list"),
        payload(scheme, body=scheme.executive.pk, meeting=meeting.pk, recorded_as="recommendation"),
        format="json",
    )

    assert response.status_code == 201, response.content
    assert (response.json()["status"], response.json()["recommended_to"]["id"]) == (
        "recommendation",
        scheme.board.pk,
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"votes_for": -1}, "votes_for"),
        ({"votes_for": "many"}, "votes_for"),
        ({"power": "decree"}, "power"),
        ({"outcome": "maybe"}, "outcome"),
        ({"body": "abc"}, "body"),
        ({"body": 10**30}, "body"),
        ({"matter": None}, "matter"),
        ({"resolution": ""}, "resolution"),
        ({"amount_gbp": "-5"}, "amount_gbp"),
        ({"decided_on": "2018-02-30", "urgent": True}, "decided_on"),
        ({"consulted": "the chairs"}, "consulted"),
        ({"urgent": "perhaps"}, "urgent"),
        ({"meeting": None}, "meeting"),
        ({"votes_for": 9}, "votes_for"),  # more than the members present
        ({"restricted": True}, "restriction_reason"),
    ],
)
def test_bad_input_is_answered_with_a_clear_400(scheme, secretariat, change, field):
    attend(scheme.meeting, scheme.members)
    before = Decision.objects.count()

    response = secretariat.post(reverse("api:decision-list"), payload(scheme, **change), format="json")

    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert Decision.objects.count() == before


def test_evidence_is_never_deleted_and_only_its_minute_reference_is_corrected(scheme, secretariat):
    decision = factories.DecisionFactory(body=scheme.board, meeting=scheme.meeting, matter=scheme.matter)
    url = reverse("api:decision-detail", args=[decision.pk])
    etag = secretariat.get(url)["ETag"]

    deleted = secretariat.delete(url, HTTP_IF_MATCH=etag)
    patched = secretariat.patch(
        url, {"minute_reference": "18/3 (corrected)", "outcome": "not_carried", "status": "effective"},
        format="json", HTTP_IF_MATCH=etag,
    )  # fmt: skip

    assert deleted.status_code == 405
    assert deleted.json()["detail"] == "These records are evidence and are never deleted."
    assert patched.status_code == 200, patched.content
    decision.refresh_from_db()
    assert (decision.minute_reference, decision.outcome) == ("18/3 (corrected)", "carried")


def test_rescinding_is_an_action_with_the_reason(scheme, secretariat):
    decision = factories.DecisionFactory(body=scheme.board, meeting=scheme.meeting, matter=scheme.matter)
    url = reverse("api:decision-rescind", args=[decision.pk])

    without_etag = secretariat.post(url, {"reason": "Wrong matter"}, format="json")
    without_reason = secretariat.post(url, {}, format="json", HTTP_IF_MATCH="*")
    rescinded = secretariat.post(url, {"reason": "Wrong matter", "rescinded_on": "2018-03-02"}, format="json",
                                 HTTP_IF_MATCH="*")  # fmt: skip

    assert (without_etag.status_code, without_reason.status_code) == (428, 400)
    assert rescinded.status_code == 200, rescinded.content
    assert (rescinded.json()["status"], rescinded.json()["rescission_reason"]) == (
        "rescinded",
        "Wrong matter",
    )


# -- ratifications ----------------------------------------------------------------------------
def test_a_ratification_is_recorded_by_action_idempotently(scheme, secretariat):
    attend(scheme.meeting, scheme.members)
    decision = services.decision_record(
        body=scheme.board, meeting=scheme.meeting, matter=scheme.matter, power="approve", resolution="Agreed.",
        outcome="carried",
    )  # fmt: skip
    ratification = decision.ratifications.first()
    url = reverse("api:ratification-record", args=[ratification.pk])
    answer = {"outcome": "ratified", "decided_on": "2018-03-15", "minute_reference": "TB/18/22"}

    first = secretariat.post(url, answer, format="json", HTTP_IF_MATCH="*")
    second = secretariat.post(url, answer, format="json", HTTP_IF_MATCH=first["ETag"])

    assert first.status_code == second.status_code == 200
    assert first["ETag"] == second["ETag"]  # nothing changed the second time
    assert first.json()["outcome"] == "ratified"
    assert secretariat.post(url, answer, format="json").status_code == 428
    bad = secretariat.post(
        url, {"outcome": "pending", "decided_on": "soon"}, format="json", HTTP_IF_MATCH="*"
    )
    assert bad.status_code == 400 and {"outcome", "decided_on"} <= set(bad.json())


def test_ratifications_are_created_with_their_decision_not_posted(scheme, secretariat):
    ratification = factories.RatificationFactory(decision__body=scheme.board)

    created = secretariat.post(
        reverse("api:ratification-list"),
        {"decision": ratification.decision_id, "organisation": ratification.organisation_id},
        format="json",
    )
    deleted = secretariat.delete(
        reverse("api:ratification-detail", args=[ratification.pk]), HTTP_IF_MATCH="*"
    )

    assert created.status_code == 403
    assert "created when a decision that needs them is recorded" in created.json()["detail"]
    assert deleted.status_code == 405


def test_the_ratification_tracker_lists_what_is_outstanding_and_for_how_long(scheme, secretariat):
    old = factories.RatificationFactory(
        decision__body=scheme.board, decision__meeting=scheme.meeting, organisation=scheme.parties[0]
    )
    factories.RatificationFactory(decision=old.decision, organisation=scheme.parties[1], outcome="ratified",
                                  decided_on=D(2018, 3, 5))  # fmt: skip
    elsewhere = factories.RatificationFactory()  # another partnership's

    tracker = secretariat.get(
        reverse("api:partnership-ratification-tracker", args=[scheme.partnership.pk]), {"on": "2018-03-31"}
    ).json()
    by_organisation = secretariat.get(
        reverse("api:organisation-ratification-tracker", args=[scheme.parties[0].pk]), {"on": "2018-03-31"}
    ).json()

    assert (tracker["outstanding"], tracker["oldest_days"]) == (1, 30)
    assert tracker["results"][0]["id"] == old.pk
    assert tracker["by_organisation"] == [
        {
            "organisation": {"id": scheme.parties[0].pk, "display": "Party 0 NHS Trust"},
            "outstanding": 1,
            "oldest_days": 30,
        }
    ]
    assert [row["id"] for row in by_organisation["results"]] == [old.pk]
    assert elsewhere.pk not in {row["id"] for row in tracker["results"]}
    bad = secretariat.get(
        reverse("api:partnership-ratification-tracker", args=[scheme.partnership.pk]), {"on": "x"}
    )
    assert bad.status_code == 400 and "on" in bad.json()


# -- restricted records ------------------------------------------------------------------------
def test_restricted_decisions_are_seen_only_by_the_secretariat_and_the_bodys_members(
    scheme, secretariat, viewer
):
    restricted = factories.DecisionFactory(
        body=scheme.board, meeting=scheme.meeting, matter=scheme.matter, restricted=True,
        restriction_reason="Commercially sensitive: contract negotiation in progress",
    )  # fmt: skip
    public = factories.DecisionFactory(body=scheme.board, meeting=scheme.meeting, matter=scheme.matter)
    ratification = factories.RatificationFactory(decision=restricted)
    board_member = user_with(scheme.partnership, "member")
    scheme.members[1].user = board_member
    scheme.members[1].save()
    member = client_for(board_member)
    # A member of the partnership who sits only on the Executive: the board's confidential business is not theirs.
    executive_person = factories.PersonFactory(user=user_with(scheme.partnership, "member"))
    factories.AppointmentFactory(body=scheme.executive, person=executive_person, role="member")
    other_member = client_for(executive_person.user)
    # A former board member: their appointment has ended.
    former_person = factories.PersonFactory(user=user_with(scheme.partnership, "member"))
    factories.AppointmentFactory(
        body=scheme.board, person=former_person, role="member", effective_to=datetime.date(2018, 1, 1)
    )
    former = client_for(former_person.user)
    # Even a secretariat's token never reads restricted records.
    _, key = api_token_issue(
        name="intranet", user=user_with(scheme.partnership, "secretariat"), partnership=scheme.partnership
    )
    token = APIClient()
    token.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    detail = reverse("api:decision-detail", args=[restricted.pk])

    def listed(client, name="api:decision-list"):
        return {row["id"] for row in client.get(reverse(name), {"limit": 1000}).json()["results"]}

    assert secretariat.get(detail).status_code == 200
    assert member.get(detail).status_code == 200
    assert restricted.pk in listed(member) and ratification.pk in listed(member, "api:ratification-list")
    assert other_member.get(detail).status_code == 404
    assert former.get(detail).status_code == 404
    assert public.pk in listed(other_member) and restricted.pk not in listed(other_member)
    assert ratification.pk not in listed(other_member, "api:ratification-list")
    assert viewer.get(detail).status_code == 404
    assert token.get(detail).status_code == 404
    assert restricted.pk in listed(secretariat)
    assert listed(viewer) >= {public.pk} and restricted.pk not in listed(viewer)
    assert public.pk in listed(token) and restricted.pk not in listed(token)
    assert ratification.pk not in listed(viewer, "api:ratification-list")
    exported = b"".join(viewer.get(reverse("api:decision-export"), {"format": "json"}).streaming_content)
    assert b"Commercially sensitive" not in exported
    # Acting on it must not reveal it either: 404, not "you may read this but not change it".
    rescind = viewer.post(
        reverse("api:decision-rescind", args=[restricted.pk]),
        {"reason": "x"},
        format="json",
        HTTP_IF_MATCH="*",
    )
    assert rescind.status_code == 404


def test_a_decision_on_a_restricted_item_is_restricted_with_it(scheme):
    attend(scheme.meeting, scheme.members)
    item = factories.AgendaItemFactory(
        meeting=scheme.meeting, restricted=True, restriction_reason="Personal information"
    )

    decision = services.decision_record(
        body=scheme.board, meeting=scheme.meeting, agenda_item=item, matter=scheme.matter, power="approve",
        resolution="Agreed.", outcome="carried",
    )  # fmt: skip

    assert (decision.restricted, decision.restriction_reason) == (True, "Personal information")


# -- meetings, attendance, declarations ---------------------------------------------------------
def test_attendance_declarations_and_quorum_over_the_api(scheme, secretariat):
    for member in scheme.members:
        response = secretariat.post(
            reverse("api:attendance-list"), {"meeting": scheme.meeting.pk, "person": member.pk}, format="json"
        )
        assert response.status_code == 201, response.content
        assert response.json()["voting"] is True
    item = factories.AgendaItemFactory(meeting=scheme.meeting)
    declared = secretariat.post(
        reverse("api:declaration-list"),
        {"meeting": scheme.meeting.pk, "agenda_item": item.pk, "person": scheme.members[2].pk,
         "nature": "Trustee of a charity bidding", "management": "left_the_meeting"},
        format="json",
    )  # fmt: skip
    quorum = secretariat.get(
        reverse("api:meeting-quorum", args=[scheme.meeting.pk]), {"agenda_item": item.pk}
    )

    assert declared.status_code == 201, declared.content
    assert declared.json()["managed_by"]["id"] == scheme.chair.pk
    assert quorum.json()["excluded"] == ["Member 2 (left the meeting for the item)"]
    assert (quorum.json()["eligible_voters"], quorum.json()["met"]) == (3, True)
    url = reverse("api:meeting-quorum", args=[scheme.meeting.pk])
    other_meetings_item = factories.AgendaItemFactory()
    assert secretariat.get(url, {"agenda_item": other_meetings_item.pk}).status_code == 404
    assert "agenda_item" in secretariat.get(url, {"agenda_item": "-3"}).json()
    decision = secretariat.post(
        reverse("api:decision-list"), payload(scheme, agenda_item=item.pk, votes_for=3), format="json"
    ).json()
    assert [d["person"]["id"] for d in decision["declarations"]] == [scheme.members[2].pk]
    rescinded = secretariat.post(
        reverse("api:declaration-rescind", args=[declared.json()["id"]]), {"reason": "x"}, format="json",
        HTTP_IF_MATCH="*",
    )  # fmt: skip
    assert rescinded.status_code == 400  # a decision on the item already rests on it
    assert "before the decisions that rest on it" in rescinded.json()["meeting"][0]


def test_planning_the_cycle_of_business(scheme, secretariat, viewer):
    data = {"body": scheme.board.pk, "first_starts_at": "2018-09-06T14:00:00+01:00", "until": "2018-12-31"}

    planned = secretariat.post(reverse("api:meeting-plan-cycle"), data, format="json")
    refused = viewer.post(reverse("api:meeting-plan-cycle"), data, format="json")

    assert planned.status_code == 201, planned.content
    assert [m["starts_at"][:10] for m in planned.json()] == [
        "2018-09-06",
        "2018-10-06",
        "2018-11-06",
        "2018-12-06",
    ]
    assert refused.status_code == 403


def test_urgent_decisions_due_and_overdue(scheme, secretariat):
    urgent = services.decision_record(
        body=scheme.board, urgent=True, decided_on=D(2018, 3, 10), matter=scheme.matter, power="approve",
        resolution="Agreed.", outcome="carried", urgency_reason="Deadline", consulted=["Chairs of the parties"],
    )  # fmt: skip
    next_meeting = held_meeting(scheme.board, D(2018, 4, 5), status="scheduled")

    rows = secretariat.get(
        reverse("api:decision-urgent-due"), {"partnership_id": scheme.partnership.pk}
    ).json()

    assert rows["results"] == [
        {
            "decision": {"id": urgent.pk, "display": str(urgent)},
            "body": "Partnership Board",
            "decided_on": "2018-03-10",
            "due_at": next_meeting.pk,
            "due_on": rows["results"][0]["due_on"],
            "overdue": False,
        }
    ]
    assert secretariat.get(reverse("api:decision-urgent-due"), {"overdue": "true"}).json()["count"] == 0
    assert secretariat.get(reverse("api:decision-urgent-due"), {"overdue": "maybe"}).status_code == 400


# -- proposals ---------------------------------------------------------------------------------
def test_a_proposal_is_created_on_its_route_and_advanced_by_action(scheme, secretariat):
    route = factories.ApprovalRouteFactory(partnership=scheme.partnership, category="no_investment")
    stage = factories.ApprovalStageFactory(route=route, position=1, name="Agree proposal", power="approve")
    stage.acting_bodies.set([scheme.board])
    attend(scheme.meeting, scheme.members)

    created = secretariat.post(
        reverse("api:proposal-list"),
        {"partnership": scheme.partnership.pk, "title": "Frailty pathway", "category": "no_investment",
         "amount_gbp": "0", "sro": scheme.chair.pk},
        format="json",
    )  # fmt: skip
    proposal = created.json()
    advanced = secretariat.post(
        reverse("api:proposal-advance", args=[proposal["id"]]),
        {"outcome": "carried", "body": scheme.board.pk, "meeting": scheme.meeting.pk},
        format="json",
        HTTP_IF_MATCH=created["ETag"],
    )
    position = secretariat.get(reverse("api:proposal-position", args=[proposal["id"]])).json()

    assert created.status_code == 201, created.content
    assert proposal["route"]["id"] == route.pk
    assert proposal["next_stage"] == {"position": 1, "name": "Agree proposal", "power": "approve"}
    assert advanced.status_code == 200, advanced.content
    assert (advanced.json()["status"], advanced.json()["next_stage"]) == ("approved", None)
    assert position["stages"][0]["passed"] is True
    assert position["stages"][0]["decisions"][0]["body"] == "Partnership Board"
    no_route = secretariat.post(
        reverse("api:proposal-list"),
        {"partnership": scheme.partnership.pk, "title": "X", "category": "local_investment"},
        format="json",
    )
    assert no_route.status_code == 400 and "category" in no_route.json()


# -- calendars ---------------------------------------------------------------------------------
def test_the_body_and_partnership_calendars_parse_and_keep_restricted_items_out(scheme, secretariat):
    factories.AgendaItemFactory(meeting=scheme.meeting, title="Winter plan")
    factories.AgendaItemFactory(
        meeting=scheme.meeting, title="Chief executive's pay", restricted=True, restriction_reason="Personal"
    )
    cancelled = held_meeting(scheme.board, D(2018, 4, 5), status="cancelled", place="Council House")
    held_meeting(scheme.executive, D(2018, 4, 12), status="scheduled")

    body_feed = secretariat.get(reverse("api:body-calendar", args=[scheme.board.pk]))
    partnership_feed = secretariat.get(reverse("api:partnership-calendar", args=[scheme.partnership.pk]))

    assert body_feed.status_code == 200
    assert body_feed["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(body_feed.content)
    events = calendar.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Partnership Board", "Partnership Board"]
    assert [str(e["STATUS"]) for e in events] == ["CONFIRMED", "CANCELLED"]
    assert events[1]["UID"] == f"meeting-{cancelled.pk}@stp-governance-registry"
    assert str(events[1]["LOCATION"]) == "Council House"
    assert events[0].decoded("DTSTART") == scheme.meeting.starts_at
    assert "Winter plan" in str(events[0]["DESCRIPTION"])
    assert b"Chief executive" not in body_feed.content
    assert len(icalendar.Calendar.from_ical(partnership_feed.content).walk("VEVENT")) == 3
    assert secretariat.get(reverse("api:body-calendar", args=[999999999])).status_code == 404


def test_admin_meeting_and_decision_pages_render(scheme, admin_client):
    attend(scheme.meeting, scheme.members[:1])
    decision = factories.RatificationFactory(
        decision__body=scheme.board, decision__meeting=scheme.meeting
    ).decision

    for url in (
        reverse("admin:decisions_meeting_change", args=[scheme.meeting.pk]),
        reverse("admin:decisions_decision_change", args=[decision.pk]),
        reverse("admin:decisions_decision_add"),
        reverse("admin:decisions_ratification_changelist"),
        reverse("admin:decisions_proposal_add"),
    ):
        assert admin_client.get(url).status_code == 200, url
    delete = admin_client.get(reverse("admin:decisions_decision_delete", args=[decision.pk]))
    assert delete.status_code == 403
    assert Ratification.objects.filter(decision=decision).exists()


def test_attendance_under_a_recorded_decision_cannot_be_deleted(scheme, secretariat):
    attendances = attend(scheme.meeting, scheme.members)
    interest = factories.InterestFactory(partnership=scheme.partnership, person=scheme.members[1])
    declared = secretariat.post(
        reverse("api:declaration-list"),
        {"meeting": scheme.meeting.pk, "person": scheme.members[1].pk, "interest": interest.pk,
         "management": "no_action"},
        format="json",
    )  # fmt: skip
    secretariat.post(reverse("api:decision-list"), payload(scheme), format="json")

    response = secretariat.delete(
        reverse("api:attendance-detail", args=[attendances[0].pk]), HTTP_IF_MATCH="*"
    )

    assert declared.status_code == 201, declared.content
    assert declared.json()["nature"] == interest.description
    assert response.status_code == 400
    assert "correct the status instead" in response.json()["non_field_errors"][0]


@pytest.mark.parametrize(
    "url", ["/api/v1/bodies/abc/meetings.ics", "/api/v1/partnerships/DELETE/meetings.ics"]
)
def test_a_malformed_calendar_url_is_a_404(secretariat, url):
    assert secretariat.get(url).status_code == 404


# -- the register of interests: members declare their own ----------------------------------------
def linked_member(partnership, person=None):
    user = user_with(partnership, "member")
    person = person or factories.PersonFactory()
    person.user = user
    person.save()
    return person, client_for(user)


def test_a_member_declares_their_own_interest_and_no_one_elses(scheme):
    person, member = linked_member(scheme.partnership, scheme.members[1])
    declaration = {
        "partnership": scheme.partnership.pk, "person": person.pk, "kind": "non_financial_professional",
        "description": "Trustee of a hospice charity", "declared_on": "2018-03-01",
    }  # fmt: skip

    own = member.post(reverse("api:interest-list"), declaration, format="json")
    someone_elses = member.post(
        reverse("api:interest-list"), {**declaration, "person": scheme.members[2].pk}, format="json"
    )

    assert own.status_code == 201, own.content
    assert someone_elses.status_code == 400
    assert "your own interests" in someone_elses.json()["person"][0]
    assert list(scheme.partnership.interests.values_list("person", flat=True)) == [person.pk]
    # Correcting their own entry needs its ETag like any write; another's entry they may only read.
    mine = own.json()
    corrected = member.patch(
        mine["url"], {"description": "Trustee of St Mary's hospice"}, format="json", HTTP_IF_MATCH=own["ETag"]
    )
    assert corrected.status_code == 200, corrected.content
    theirs = factories.InterestFactory(partnership=scheme.partnership, person=scheme.members[2])
    refused = member.patch(
        reverse("api:interest-detail", args=[theirs.pk]),
        {"description": "x"},
        format="json",
        HTTP_IF_MATCH="*",
    )
    assert refused.status_code == 403
    theirs.refresh_from_db()
    assert theirs.description != "x"


def test_declaring_needs_the_member_role_and_a_linked_person(scheme, viewer):
    unlinked = client_for(user_with(scheme.partnership, "member"))
    viewer_person = factories.PersonFactory(user=factories.UserFactory())
    grant_role(user=viewer_person.user, partnership=scheme.partnership, role="viewer")
    data = {"partnership": scheme.partnership.pk, "kind": "financial", "description": "Shares"}

    assert (
        unlinked.post(reverse("api:interest-list"), {**data, "person": scheme.members[0].pk}).status_code
        == 403
    )
    assert (
        client_for(viewer_person.user)
        .post(reverse("api:interest-list"), {**data, "person": viewer_person.pk}, format="json")
        .status_code
        == 403
    )
    assert not scheme.partnership.interests.exists()


def test_a_withheld_interest_is_seen_by_its_person_and_the_secretariat_only(scheme, secretariat):
    person, member = linked_member(scheme.partnership)
    _, other_member = linked_member(scheme.partnership, scheme.members[0])
    withheld = factories.InterestFactory(
        partnership=scheme.partnership, person=person, withheld=True,
        withheld_reason="Privacy: a family member's health",
    )  # fmt: skip
    detail = reverse("api:interest-detail", args=[withheld.pk])

    assert member.get(detail).status_code == 200
    assert secretariat.get(detail).status_code == 200
    assert other_member.get(detail).status_code == 404


def test_the_csv_export_keeps_related_ids_when_the_first_row_has_none(scheme, secretariat):
    """The header comes from the first row: an empty related record there must not cost later rows
    their ids (an urgent decision has no meeting; the next one does)."""
    import csv
    import io

    urgent = factories.DecisionFactory(
        body=scheme.board, meeting=None, matter=scheme.matter, urgent=True, decided_on=D(2018, 1, 2),
        urgency_reason="Could not wait", consulted=["Chair"],
    )  # fmt: skip
    minuted = factories.DecisionFactory(body=scheme.board, meeting=scheme.meeting, matter=scheme.matter)

    response = secretariat.get(
        reverse("api:decision-export"),
        {"format": "csv", "body_id": scheme.board.pk, "ordering": "decided_on"},
    )
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))

    by_id = {int(row["id"]): row for row in rows}
    assert by_id[urgent.pk]["meeting_id"] == ""
    assert by_id[minuted.pk]["meeting_id"] == str(scheme.meeting.pk)
    assert rows[0]["id"] == str(urgent.pk)
