"""The urgent-decision rule, the scheme notes and organisations' earlier names over the API: read-only,
each fact with its source, the partnership's own (the cross-tenant and scale walks cover every route)."""

import datetime

import pytest
from django.urls import reverse

from bodies.models import Partnership
from bodies.successions import record_rename
from tests import factories
from tests.platform.conftest import client_for, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def cambridgeshire():
    return Partnership.objects.get(slug="cambridgeshire-and-peterborough")


def test_the_cambridgeshire_urgent_decision_rule_reads_as_the_framework_says(cambridgeshire):
    api = client_for(user_with_role(cambridgeshire, "viewer"))
    rows = api.get(reverse("api:urgentdecisionrule-list"), {"partnership_id": cambridgeshire.pk}).json()[
        "results"
    ]
    assert len(rows) == 1
    rule = rows[0]
    assert rule["taken_by_office"] == "chair" and rule["taken_by"]["display"] == "Health and Care Executive"
    assert (
        rule["consulted"][2]
        == "the Director of Finance (or their equivalent role) in each partner organisation"
    )
    assert rule["ratification_required"] is True
    assert rule["source_reference"].startswith("9.12")
    note = api.get(reverse("api:schemenote-list"), {"partnership_id": cambridgeshire.pk}).json()["results"][0]
    assert "9.14 Dispute and Conflict Resolution" in note["text"]


def test_another_partnership_sees_neither(cambridgeshire):
    outsider = client_for(user_with_role(factories.PartnershipFactory(), "secretariat"))
    assert outsider.get(reverse("api:urgentdecisionrule-list")).json()["count"] == 0
    assert outsider.get(reverse("api:schemenote-list")).json()["count"] == 0


def test_they_are_read_only_over_the_api(cambridgeshire):
    api = client_for(user_with_role(cambridgeshire, "secretariat"))
    rule = api.get(reverse("api:urgentdecisionrule-list")).json()["results"][0]
    assert (
        api.patch(rule["url"], {"reported_to": "nobody"}, format="json", HTTP_IF_MATCH="*").status_code == 405
    )
    assert api.post(reverse("api:schemenote-list"), {}, format="json").status_code == 405


def test_a_renamed_organisation_lists_its_earlier_name_with_its_dates(ours):
    organisation = factories.MembershipFactory(
        partnership=ours, organisation__name="Old Name Trust"
    ).organisation
    record_rename(
        organisation=organisation, new_name="New Name Trust", effective_on=datetime.date(2020, 4, 1)
    )
    api = client_for(user_with_role(ours, "viewer"))
    rows = api.get(reverse("api:organisationname-list"), {"organisation_id": organisation.pk}).json()[
        "results"
    ]
    assert [(row["name"], row["effective_to"]) for row in rows] == [("Old Name Trust", "2020-03-31")]
    in_force = api.get(
        reverse("api:organisationname-list"), {"organisation_id": organisation.pk, "as_at": "2019-01-01"}
    )
    assert in_force.json()["count"] == 1
    assert (
        api.get(
            reverse("api:organisationname-list"), {"as_at": "2021-01-01", "organisation_id": organisation.pk}
        ).json()["count"]
        == 0
    )
