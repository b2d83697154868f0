"""Editing people: added and changed with history; a person shared with another partnership
changed only by a secretariat of both; a list with constant queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bodies.models import Person
from core.access import grant_role
from tests import factories
from tests.editing import errors_of, events, form_data
from tests.platform.conftest import user_with_role

pytestmark = pytest.mark.django_db


# -- people --------------------------------------------------------------------------------------
def test_a_person_is_added_and_changed_with_history(secretariat, ours):
    url = reverse("edit-person-create", args=[ours.pk])
    opened = secretariat.get(url)
    assert "user" not in opened.context["form"].fields  # the account link is for administrators

    created = secretariat.post(
        url, form_data(opened, name="Ann Example", email="ann@example.nhs.uk", user=str(secretariat.user.pk))
    )
    person = Person.objects.get(name="Ann Example")
    assert created.status_code == 302 and created["Location"] == reverse("edit-person", args=[person.pk])
    assert person.user is None

    url = reverse("edit-person", args=[person.pk])
    changed = secretariat.post(url, form_data(secretariat.get(url), email="ann.example@nhs.net"))
    person.refresh_from_db()
    assert changed.status_code == 302 and person.email == "ann.example@nhs.net"
    page = secretariat.get(url).content.decode()
    assert "Email: “ann@example.nhs.uk” → “ann.example@nhs.net”" in page
    assert [e.user_id for e in events(person)] == [secretariat.user.pk, secretariat.user.pk]


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"name": ""}, "name", "Enter name."),
        ({"email": "not an address"}, "email", "Enter a valid email address."),
        ({"name": "n" * 201}, "name", "at most 200 characters"),
    ],
)
def test_bad_input_to_a_person_is_a_field_error_with_the_input_kept(
    secretariat, ours, changes, field, message
):
    person = factories.AppointmentFactory(body__partnership=ours).person
    url = reverse("edit-person", args=[person.pk])

    response = secretariat.post(url, form_data(secretariat.get(url), note="My careful note", **changes))

    assert response.status_code == 400
    assert any(message in error for error in errors_of(response)[field])
    assert "My careful note" in response.content.decode()
    assert Person.objects.get(pk=person.pk).revision == 1


def test_a_stale_person_save_is_refused(secretariat, ours):
    person = factories.AppointmentFactory(body__partnership=ours).person
    url = reverse("edit-person", args=[person.pk])
    opened = secretariat.get(url)
    Person.objects.filter(pk=person.pk).update(email="elsewhere@nhs.net")

    response = secretariat.post(url, form_data(opened, email="mine@nhs.net"))

    assert response.status_code == 409
    assert Person.objects.get(pk=person.pk).email == "elsewhere@nhs.net"


def test_a_person_also_in_another_partnership_is_changed_only_by_a_secretariat_of_both(client, ours, theirs):
    person = factories.AppointmentFactory(body__partnership=ours).person
    factories.AppointmentFactory(body__partnership=theirs, person=person)
    url = reverse("edit-person", args=[person.pk])
    ours_only, both = user_with_role(ours, "secretariat"), user_with_role(ours, "secretariat")
    grant_role(user=both, partnership=theirs, role="secretariat")

    client.force_login(ours_only)
    refused = client.post(url, {"name": "Taken over", "expected_revision": "1"})
    client.force_login(both)
    allowed = client.post(url, form_data(client.get(url), name="Renamed by both"))

    assert refused.status_code == 403
    assert allowed.status_code == 302
    assert Person.objects.get(pk=person.pk).name == "Renamed by both"


def test_the_people_list_has_constant_queries(secretariat, ours, board, django_assert_max_num_queries):
    url = reverse("edit-people", args=[ours.pk])
    factories.AppointmentFactory(body=board)
    with CaptureQueriesContext(connection) as few:
        assert secretariat.get(url).status_code == 200
    for _ in range(10):
        factories.AppointmentFactory(body=board)
    shared = factories.AppointmentFactory(body=board).person
    factories.AppointmentFactory(body__partnership=factories.PartnershipFactory(), person=shared)
    with django_assert_max_num_queries(len(few)):
        response = secretariat.get(url)
    page = response.context["page"]
    assert len(page) == 12
    assert [p.editable for p in page if p.pk == shared.pk] == [False]
    assert reverse("edit-person", args=[shared.pk]) not in response.content.decode()
