"""Staff pages: real demo data, the partnership's access rules, constant queries, no JavaScript needed."""

import pytest
from django.urls import reverse

from bodies.models import Body, Partnership
from tests import factories
from tests.platform.conftest import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def derbyshire():
    return Partnership.objects.get(slug="derbyshire")


@pytest.fixture
def derbyshire_viewer(client, derbyshire):
    client.force_login(user_with_role(derbyshire, "viewer"))
    return client


def test_pages_need_a_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_home_lists_only_the_users_partnerships(derbyshire_viewer):
    response = derbyshire_viewer.get(reverse("home"))

    assert [p.slug for p in response.context["partnerships"]] == ["derbyshire"]
    assert "Joined Up Care Derbyshire" in response.content.decode()


def test_partnership_page_shows_members_by_standing_and_the_structure_chart(derbyshire_viewer, derbyshire):
    response = derbyshire_viewer.get(
        reverse("partnership-detail", args=[derbyshire.pk]), {"as_at": "2018-01-15"}
    )
    html = response.content.decode()

    assert set(response.context["by_standing"]) == {
        "Party to",
        "Associate member",
        "Within the footprint (not a party)",
    }
    assert len(response.context["by_standing"]["Party to"]) == 15
    assert "<svg" in html and "Governance structure chart" in html
    stp_board = derbyshire.bodies.get(slug="stp-board")
    assert (
        f'href="{reverse("body-detail", args=[stp_board.pk])}?as_at=' in response.context["chart"]
    )  # the as-at date carries
    assert "South Yorkshire and Bassetlaw" in html  # Chesterfield Royal's other partnership


def test_as_at_redraws_the_partnership_as_it_stood(derbyshire_viewer, derbyshire):
    before = derbyshire_viewer.get(
        reverse("partnership-detail", args=[derbyshire.pk]), {"as_at": "2017-01-01"}
    )
    bad = derbyshire_viewer.get(reverse("partnership-detail", args=[derbyshire.pk]), {"as_at": "2017-02-30"})

    assert before.context["by_standing"] == {}
    assert bad.status_code == 200 and "Enter the date as year-month-day" in bad.content.decode()


def test_body_page_shows_terms_of_reference_and_compares_versions(derbyshire_viewer, derbyshire):
    board = derbyshire.bodies.get(slug="stp-board")
    v1 = board.terms_of_reference.get(version=1)
    from bodies.services import terms_of_reference_new_version

    v2 = terms_of_reference_new_version(body=board, based_on=v1)
    v2.objectives.filter(position=7).update(text="To agree changes to the Integrated Care System plan.")

    response = derbyshire_viewer.get(reverse("body-detail", args=[board.pk]), {"from": 1, "to": 2})
    html = response.content.decode()

    assert (
        "To deliver a sustainable (clinically, professionally and financially) Derbyshire care system."
        in html
    )
    changed = [row for row in response.context["comparison"]["rows"] if row["changed"]]
    assert any("Integrated Care System plan" in row["right"] for row in changed)
    assert any("Sustainability and Transformation Plan" in row["left"] for row in changed)


def test_another_partnerships_pages_answer_404(derbyshire_viewer):
    cambridgeshire = Partnership.objects.get(slug="cambridgeshire-and-peterborough")
    their_body = Body.objects.filter(partnership=cambridgeshire).first()

    assert derbyshire_viewer.get(reverse("partnership-detail", args=[cambridgeshire.pk])).status_code == 404
    assert derbyshire_viewer.get(reverse("body-detail", args=[their_body.pk])).status_code == 404
    search = derbyshire_viewer.get(reverse("search"), {"q": "Health and Care Executive"})
    assert not search.context["results"]["Bodies"]


def test_who_can_approve_answers_with_the_chain(client):
    cambridgeshire = Partnership.objects.get(slug="cambridgeshire-and-peterborough")
    client.force_login(user_with_role(cambridgeshire, "member"))
    matter = cambridgeshire.matters.get(slug="approve-business-cases-to-support-delivery-of-the-stp")

    response = client.get(reverse("who-can-approve"), {"partnership": cambridgeshire.pk, "matter": matter.pk})
    html = response.content.decode()

    assert response.context["answer"].paths[0].decider == "Health and Care Executive"
    assert "Health and Care Executive" in html and "Table 5" in html
    both = client.get(
        reverse("who-can-approve"),
        {"partnership": cambridgeshire.pk, "matter": matter.pk, "category": "no_investment"},
    )
    # Both at once: one answer, the authority and the route (issue 20), not a refusal.
    assert both.context["answer"].paths and both.context["answer"].route
    neither = client.get(reverse("who-can-approve"), {"partnership": cambridgeshire.pk, "amount": "£2m"})
    assert neither.context["answer"] is None


@pytest.mark.parametrize("name", ["home", "partnership-detail", "body-detail", "search"])
def test_page_query_counts_do_not_grow_with_rows(name, client, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    partnership = factories.PartnershipFactory(name="Growing Partnership")
    user = user_with_role(partnership, "secretariat")
    client.force_login(user)
    body = factories.BodyFactory(partnership=partnership, name="Growing Board")

    def grow(n):
        for _ in range(n):
            member = factories.MembershipFactory(partnership=partnership)
            child = factories.BodyFactory(partnership=partnership)
            factories.BodyRelationshipFactory(from_body=child, to_body=body)
            factories.AppointmentFactory(body=body, representing=member.organisation)
            factories.DelegationFactory(partnership=partnership, delegate=body)

    args = {"partnership-detail": [partnership.pk], "body-detail": [body.pk]}.get(name, [])
    query = {"q": "Growing"} if name == "search" else {}
    grow(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(name, args=args), query).status_code == 200
    grow(10)
    with django_assert_max_num_queries(len(few)):
        assert client.get(reverse(name, args=args), query).status_code == 200
