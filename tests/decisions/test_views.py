"""Reading pages for decisions and ratifications, and ratifying from the tracker in two clicks."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.effective_dating import today
from decisions import services
from decisions.models import Decision, Ratification
from tests import factories
from tests.decisions.conftest import ON, attend, held_meeting
from tests.platform.conftest import user_with_role

pytestmark = pytest.mark.django_db


def record(scheme, meeting=None, **kwargs):
    meeting = meeting or scheme.meeting
    if not meeting.attendances.exists():
        attend(meeting, scheme.members)
    values = {
        "body": scheme.board,
        "meeting": meeting,
        "matter": scheme.matter,
        "power": "approve",
        "resolution": "The business case for community diagnostics is approved.",
        "outcome": "carried",
        "minute_reference": "PB/18/07",
        "votes_for": 4,
        "votes_against": 0,
        "votes_abstaining": 0,
    }
    return services.decision_record(**{**values, **kwargs})


def signed_in(client, scheme, role: str):
    client.force_login(user_with_role(scheme.partnership, role))
    return client


def tracker(scheme):
    return reverse("ratification-tracker", args=[scheme.partnership.pk])


# -- the tracker ----------------------------------------------------------------------------
def test_the_tracker_shows_what_each_organisation_owes_and_for_how_long(client, scheme):
    decision = record(scheme)
    later = record(
        scheme, meeting=held_meeting(scheme.board, datetime.date(2018, 5, 1)), minute_reference="PB/18/19"
    )
    services.ratification_record(
        ratification=later.ratifications.get(organisation=scheme.parties[0]),
        outcome="ratified",
        decided_on=datetime.date(2018, 5, 10),
    )

    response = signed_in(client, scheme, "viewer").get(tracker(scheme))

    age = (today() - ON).days
    assert response.status_code == 200
    assert response.context["summary"] == [
        {"organisation_id": p.pk, "organisation": p.name, "outstanding": n, "oldest_days": age}
        for p, n in [
            (scheme.parties[0], 1),
            (scheme.parties[1], 2),
            (scheme.parties[2], 2),
        ]  # oldest, then name
    ]
    rows = list(response.context["page"])
    assert [(r.decision_id, r.organisation.name) for r in rows][:3] == [
        (decision.pk, "Party 0 NHS Trust"),
        (decision.pk, "Party 1 NHS Trust"),
        (decision.pk, "Party 2 NHS Trust"),
    ]
    assert rows[0].age_days == age
    assert len(rows) == 5
    assert "Ratify" not in response.content.decode()  # a viewer may not change records


def test_the_tracker_filters_by_organisation(client, scheme):
    record(scheme)

    response = signed_in(client, scheme, "viewer").get(
        tracker(scheme), {"organisation": scheme.parties[1].pk}
    )

    assert [r.organisation for r in response.context["page"]] == [scheme.parties[1]]
    assert response.context["organisation"]["organisation"] == "Party 1 NHS Trust"


def test_the_tracker_query_count_does_not_grow_with_rows(client, scheme, django_assert_max_num_queries):
    client = signed_in(client, scheme, "secretariat")
    attend(scheme.meeting, scheme.members)

    def grow(n):
        for _ in range(n):
            meeting = factories.MeetingFactory(body=scheme.board)
            attend(meeting, scheme.members)
            record(scheme, meeting=meeting)

    grow(1)
    with CaptureQueriesContext(connection) as few:
        assert client.get(tracker(scheme)).status_code == 200
    grow(6)
    with django_assert_max_num_queries(len(few)):
        response = client.get(tracker(scheme))
    assert response.context["page"].paginator.count == 21


# -- ratifying in two clicks ----------------------------------------------------------------
def test_ratify_is_two_clicks_and_the_last_makes_the_decision_effective(client, scheme):
    board = factories.BodyFactory(
        partnership=None, kind="statutory_board", organisation=scheme.parties[0], name="Party 0 Trust Board"
    )
    decision = record(scheme)
    client = signed_in(client, scheme, "secretariat")

    page = client.get(tracker(scheme))
    assert page.context["can_ratify"]
    first = decision.ratifications.get(organisation=scheme.parties[0])
    ratify_url = reverse("ratify", args=[first.pk])
    assert ratify_url in page.content.decode()  # click one: the row's Ratify

    form = client.get(ratify_url).context["form"]
    assert form.initial["decided_on"] == today()
    assert form.initial["ratifying_board"] == board.pk
    assert list(form.fields["ratifying_board"].queryset) == [board]

    for n, ratification in enumerate(decision.ratifications.order_by("organisation__name")):
        response = client.post(  # click two: confirm
            reverse("ratify", args=[ratification.pk]),
            {
                "decided_on": "2018-03-20",
                "ratifying_board": board.pk if n == 0 else "",
                "minute_reference": f"TB/18/{n}",
                "expected_revision": ratification.revision,
            },
        )
        assert response.status_code == 302
        assert response["Location"] == f"{tracker(scheme)}?recorded={ratification.pk}"

    decision.refresh_from_db()
    assert decision.status == Decision.Status.EFFECTIVE
    assert decision.effective_on == datetime.date(2018, 3, 20)
    first.refresh_from_db()
    assert (first.outcome, first.minute_reference, first.ratifying_board) == ("ratified", "TB/18/0", board)
    confirmation = client.get(tracker(scheme), {"recorded": first.pk}).content.decode()
    assert "Party 0 NHS Trust" in confirmation and "effective" in confirmation


def test_ratifying_twice_changes_nothing(client, scheme):
    decision = record(scheme)
    ratification = decision.ratifications.first()
    client = signed_in(client, scheme, "secretariat")
    data = {"decided_on": "2018-03-20", "expected_revision": ratification.revision}

    client.post(reverse("ratify", args=[ratification.pk]), data)
    ratification.refresh_from_db()
    revision = ratification.revision
    again = client.post(reverse("ratify", args=[ratification.pk]), data)  # the same form submitted again

    assert again.status_code == 302
    ratification.refresh_from_db()
    assert (ratification.outcome, ratification.revision) == ("ratified", revision)


def test_a_stale_ratify_form_is_refused_and_nothing_changes(client, scheme):
    decision = record(scheme)
    ratification = decision.ratifications.first()
    client = signed_in(client, scheme, "secretariat")
    opened = ratification.revision
    services.ratification_record(
        ratification=ratification, outcome="deferred", decided_on=datetime.date(2018, 3, 9)
    )

    response = client.post(
        reverse("ratify", args=[ratification.pk]), {"decided_on": "2018-03-20", "expected_revision": opened}
    )

    assert response.status_code == 409
    assert "Someone else recorded" in response.content.decode()
    ratification.refresh_from_db()
    assert (ratification.outcome, ratification.decided_on) == ("deferred", datetime.date(2018, 3, 9))


def test_bad_input_is_a_field_message_and_nothing_changes(client, scheme):
    decision = record(scheme)
    ratification = decision.ratifications.first()
    client = signed_in(client, scheme, "secretariat")

    bad_date = client.post(
        reverse("ratify", args=[ratification.pk]), {"decided_on": "2018-02-30", "expected_revision": 1}
    )
    too_early = client.post(
        reverse("ratify", args=[ratification.pk]),
        {"decided_on": "2018-01-01", "expected_revision": ratification.revision},
    )

    assert bad_date.status_code == 200 and bad_date.context["form"].errors["decided_on"]
    assert too_early.status_code == 200
    assert too_early.context["form"].errors["decided_on"] == [
        "A board cannot ratify a decision before it was taken."
    ]
    assert "2018-01-01" in too_early.content.decode()  # the user's input is kept
    ratification.refresh_from_db()
    assert ratification.outcome == "pending"


def test_only_those_who_may_change_records_can_ratify(client, scheme):
    ratification = record(scheme).ratifications.first()
    url = reverse("ratify", args=[ratification.pk])
    data = {"decided_on": "2018-03-20", "expected_revision": ratification.revision}

    viewer = signed_in(client, scheme, "viewer")
    assert viewer.get(url).status_code == 403
    assert viewer.post(url, data).status_code == 403
    stranger = factories.PartnershipFactory(name="Stranger Partnership")
    client.force_login(user_with_role(stranger, "secretariat"))
    assert client.post(url, data).status_code == 404

    ratification.refresh_from_db()
    assert ratification.outcome == "pending"


def test_ratify_returns_only_to_this_site(client, scheme):
    ratification = record(scheme).ratifications.first()
    client = signed_in(client, scheme, "secretariat")

    response = client.post(
        reverse("ratify", args=[ratification.pk]),
        {
            "decided_on": "2018-03-20",
            "expected_revision": ratification.revision,
            "next": "https://evil.example/",
        },
    )

    assert response["Location"] == f"{tracker(scheme)}?recorded={ratification.pk}"


def test_ratify_returns_to_the_tracker_as_it_was_filtered(client, scheme):
    ratification = record(scheme).ratifications.first()
    client = signed_in(client, scheme, "secretariat")
    came_from = f"{tracker(scheme)}?organisation={ratification.organisation_id}&recorded=1"

    response = client.post(
        reverse("ratify", args=[ratification.pk]),
        {"decided_on": "2018-03-20", "expected_revision": ratification.revision, "next": came_from},
    )

    assert response["Location"] == (
        f"{tracker(scheme)}?organisation={ratification.organisation_id}&recorded={ratification.pk}"
    )


# -- decisions list and detail --------------------------------------------------------------
def test_the_decisions_list_filters_by_status_body_and_dates(client, scheme):
    first = record(scheme)
    second = record(
        scheme, meeting=held_meeting(scheme.board, datetime.date(2018, 6, 1)), minute_reference="PB/18/30"
    )
    client = signed_in(client, scheme, "viewer")
    url = reverse("decision-list", args=[scheme.partnership.pk])

    everything = client.get(url)
    june = client.get(url, {"decided_from": "2018-05-01", "decided_to": "2018-12-31"})
    by_body = client.get(url, {"body": scheme.executive.pk})
    effective = client.get(url, {"status": "effective"})
    backwards = client.get(url, {"decided_from": "2018-05-01", "decided_to": "2018-01-01"})
    malformed = client.get(url, {"decided_from": "someday", "status": "nonsense"})

    assert list(everything.context["page"]) == [second, first]
    assert everything.context["page"][0].ratifications_outstanding == 3
    assert list(june.context["page"]) == [second]
    assert list(by_body.context["page"]) == []
    assert list(effective.context["page"]) == []
    assert backwards.context["form"].errors["decided_to"] == ["The end of the range is before its start."]
    assert malformed.status_code == 200 and set(malformed.context["form"].errors) == {
        "decided_from",
        "status",
    }


def test_the_decisions_list_query_count_does_not_grow_with_rows(
    client, scheme, django_assert_max_num_queries
):
    client = signed_in(client, scheme, "viewer")
    url = reverse("decision-list", args=[scheme.partnership.pk])

    def grow(n):
        for _ in range(n):
            record(scheme, meeting=factories.MeetingFactory(body=scheme.board))

    grow(1)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    grow(5)
    with django_assert_max_num_queries(len(few)):
        assert client.get(url).context["page"].paginator.count == 6


def test_a_decision_page_shows_authority_votes_declarations_and_ratifications(client, scheme):
    attend(scheme.meeting, scheme.members)
    services.declaration_record(
        meeting=scheme.meeting,
        person=scheme.members[3],
        nature="Director of a company bidding for the contract",
        management="no_action",
        managed_by=scheme.chair,
    )
    decision = record(scheme)

    response = signed_in(client, scheme, "member").get(reverse("decision-detail", args=[decision.pk]))
    html = response.content.decode()

    path = response.context["authority_path"]
    assert [link.delegate for link in path.chain] == ["Partnership Board"]
    assert "Source: Table 4" in html
    assert "4 for, 0 against, 0 abstaining" in html
    assert "Director of a company bidding for the contract" in html and "No action" in html
    assert [r.organisation.name for r in response.context["ratifications"]] == [
        "Party 0 NHS Trust",
        "Party 1 NHS Trust",
        "Party 2 NHS Trust",
    ]
    assert "Awaiting ratification" in html


# -- restricted records and other partnerships ----------------------------------------------
def test_restricted_decisions_are_hidden_from_viewers_but_not_the_secretariat(client, scheme):
    public = record(scheme)
    secret = record(
        scheme,
        meeting=held_meeting(scheme.board, datetime.date(2018, 4, 1)),
        resolution="The confidential estates deal is approved.",
        minute_reference="PB/18/12 (part 2)",
        restricted=True,
        restriction_reason="Commercially confidential",
    )
    viewer = user_with_role(scheme.partnership, "viewer")
    secretariat = user_with_role(scheme.partnership, "secretariat")
    decisions_url = reverse("decision-list", args=[scheme.partnership.pk])

    client.force_login(viewer)
    assert {r.decision_id for r in client.get(tracker(scheme)).context["page"]} == {public.pk}
    assert [s["outstanding"] for s in client.get(tracker(scheme)).context["summary"]] == [1, 1, 1]
    assert list(client.get(decisions_url).context["page"]) == [public]
    assert client.get(reverse("decision-detail", args=[secret.pk])).status_code == 404
    assert client.get(reverse("ratify", args=[secret.ratifications.first().pk])).status_code == 404
    assert not client.get(reverse("search"), {"q": "confidential estates"}).context["results"]["Decisions"]
    home = client.get(reverse("home")).context["partnerships"]
    assert home[0].attention["ratifications_outstanding"] == 3

    client.force_login(secretariat)
    assert {r.decision_id for r in client.get(tracker(scheme)).context["page"]} == {public.pk, secret.pk}
    assert client.get(reverse("decision-detail", args=[secret.pk])).status_code == 200
    assert client.get(reverse("search"), {"q": "confidential estates"}).context["results"]["Decisions"] == [
        secret
    ]


def test_another_partnerships_decision_pages_answer_404(client, scheme):
    decision = record(scheme)
    stranger = factories.PartnershipFactory(name="Stranger Partnership")
    client.force_login(user_with_role(stranger, "secretariat"))

    for url in (
        tracker(scheme),
        reverse("decision-list", args=[scheme.partnership.pk]),
        reverse("decision-detail", args=[decision.pk]),
        reverse("ratify", args=[decision.ratifications.first().pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert Ratification.objects.filter(decision=decision, outcome="pending").count() == 3
