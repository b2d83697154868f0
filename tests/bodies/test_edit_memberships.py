"""Editing memberships: changed with history, added (an overlapping one refused), ended not
deleted; a list with constant queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bodies.models import (
    Membership,
)
from tests import factories
from tests.editing import errors_of, events, form_data

pytestmark = pytest.mark.django_db


# -- memberships ---------------------------------------------------------------------------------
def test_a_membership_is_changed_and_its_page_shows_the_history(secretariat, ours):
    membership = factories.MembershipFactory(partnership=ours)
    url = reverse("edit-membership", args=[membership.pk])

    response = secretariat.post(
        url, form_data(secretariat.get(url), standing="associate", note="Moved by the MoU")
    )

    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.standing, membership.note, membership.revision) == ("associate", "Moved by the MoU", 2)
    page = secretariat.get(url).content.decode()
    assert "Standing: “Party to” → “Associate member”" in page
    assert secretariat.user.username in page


def test_a_membership_is_added_and_an_overlapping_one_refused(secretariat, ours):
    organisation = factories.OrganisationFactory()
    url = reverse("edit-membership-create", args=[ours.pk])
    data = form_data(
        secretariat.get(url),
        organisation=str(organisation.pk),
        standing="party_to",
        effective_from="2018-04-01",
    )

    first = secretariat.post(url, data)
    second = secretariat.post(url, {**data, "effective_from": "2019-01-01"})

    assert first.status_code == 302
    assert (
        second.status_code == 400 and "This period overlaps <a href=" in second.content.decode()
    )  # named (issue 17)
    assert Membership.objects.filter(partnership=ours, organisation=organisation).count() == 1


def test_a_membership_is_ended_not_deleted(secretariat, ours):
    membership = factories.MembershipFactory(partnership=ours, effective_from=datetime.date(2017, 4, 1))
    url = reverse("edit-membership-end", args=[membership.pk])
    opened = secretariat.get(url)

    too_early = secretariat.post(url, form_data(opened, effective_to="2016-01-01"))
    ended = secretariat.post(url, form_data(opened, effective_to="2019-03-31", withdrawn="on"))

    assert (
        too_early.status_code == 400
        and "it cannot end before that" in errors_of(too_early)["effective_to"][0]
    )
    assert ended.status_code == 302
    membership.refresh_from_db()
    assert (membership.effective_to, membership.status) == (datetime.date(2019, 3, 31), "withdrawn")
    assert [e.pgh_label for e in events(membership)] == ["insert", "update"]


def test_a_stale_membership_end_is_refused_and_nothing_written(secretariat, ours):
    membership = factories.MembershipFactory(partnership=ours)
    url = reverse("edit-membership-end", args=[membership.pk])
    opened = secretariat.get(url)
    Membership.objects.filter(pk=membership.pk).update(note="Changed elsewhere")

    response = secretariat.post(url, form_data(opened, effective_to="2019-03-31"))

    assert response.status_code == 409 and "Someone else changed this record" in response.content.decode()
    membership.refresh_from_db()
    assert membership.effective_to is None


def test_the_memberships_list_has_constant_queries(secretariat, ours, django_assert_max_num_queries):
    url = reverse("edit-memberships", args=[ours.pk])
    for _ in range(2):
        factories.MembershipFactory(partnership=ours)
    with CaptureQueriesContext(connection) as few:
        assert secretariat.get(url).status_code == 200
    for _ in range(12):
        factories.MembershipFactory(partnership=ours)
    with django_assert_max_num_queries(len(few)):
        response = secretariat.get(url)
    assert len(response.context["page"]) == 14
