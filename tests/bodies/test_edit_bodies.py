"""Editing a body: changes recorded with history, a slug made from the name, bad input and
stale saves refused with the input kept."""

import pytest
from django.urls import reverse

from bodies.models import Body
from tests.editing import errors_of, events, form_data

pytestmark = pytest.mark.django_db


# -- bodies --------------------------------------------------------------------------------------
def test_a_secretariat_changes_a_body_and_its_page_shows_the_change_in_its_history(secretariat, board):
    url = reverse("edit-body", args=[board.pk])
    opened = secretariat.get(url)

    response = secretariat.post(url, form_data(opened, short_name="OB", status="shadow"))

    assert response.status_code == 302 and response["Location"].startswith(
        reverse("body-detail", args=[board.pk])
    )
    board.refresh_from_db()
    assert (board.short_name, board.status, board.revision) == ("OB", "shadow", 2)
    last = events(board)[-1]
    assert last.user_id == secretariat.user.pk and last.pgh_diff["short_name"] == ["", "OB"]
    page = secretariat.get(reverse("body-detail", args=[board.pk])).content.decode()
    assert "Short name: “” → “OB”" in page and "Status: “Active” → “Shadow”" in page
    assert "Your changes to the body were saved." in page


def test_a_body_is_added_with_a_slug_made_from_its_name(secretariat, ours):
    url = reverse("edit-body-create", args=[ours.pk])
    response = secretariat.post(
        url, form_data(secretariat.get(url), name="System Delivery Board", kind="programme_board")
    )

    body = Body.objects.get(partnership=ours, name="System Delivery Board")
    assert response.status_code == 302
    assert (body.slug, body.kind, body.status) == ("system-delivery-board", "programme_board", "active")
    assert events(body)[0].pgh_label == "insert" and events(body)[0].user_id == secretariat.user.pk


def test_a_duplicate_body_slug_is_a_form_error_not_a_crash(secretariat, ours, board):
    url = reverse("edit-body-create", args=[ours.pk])
    response = secretariat.post(url, form_data(secretariat.get(url), name="Our Board", kind="board"))

    assert response.status_code == 400
    assert "A body with this slug already exists in this partnership." in response.content.decode()
    assert Body.objects.filter(partnership=ours).count() == 1


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"name": "Board\x00"}, "name", "Null characters are not allowed."),
        ({"short_name": "x" * 101}, "short_name", "at most 100 characters"),
        ({"effective_from": "2018-02-30"}, "effective_from", "Enter a valid date."),
        ({"effective_from": "2019-01-01", "effective_to": "2018-01-01"}, "effective_to", "cannot be before"),
        ({"kind": "statutory_board"}, "kind", "Select a valid choice."),
        ({"status": "dissolved"}, "effective_to", "Give the date the body was dissolved."),
    ],
)
def test_bad_input_to_a_body_comes_back_with_the_error_and_the_input_kept(
    secretariat, board, changes, field, message
):
    url = reverse("edit-body", args=[board.pk])
    response = secretariat.post(
        url, form_data(secretariat.get(url), description="My careful words", **changes)
    )
    html = response.content.decode()

    assert response.status_code == 400
    assert any(message in error for error in errors_of(response)[field])
    assert "There is a problem" in html and f'href="#id_{field}"' in html
    assert "My careful words" in html  # the input is kept
    board.refresh_from_db()
    assert board.revision == 1 and board.description == ""


def test_a_stale_save_of_a_body_is_refused_with_both_versions_shown(secretariat, board):
    url = reverse("edit-body", args=[board.pk])
    opened = secretariat.get(url)
    Body.objects.filter(pk=board.pk).update(short_name="Changed elsewhere")

    response = secretariat.post(url, form_data(opened, short_name="Mine"))
    html = response.content.decode()

    assert response.status_code == 409
    assert "Someone else changed this record" in html and "Mine" in html and "Changed elsewhere" in html
    board.refresh_from_db()
    assert board.short_name == "Changed elsewhere" and board.revision == 2
    # The conflict page offers the user's version again, at the current revision: saving it wins, knowingly.
    retry = response.context["form"]
    assert retry["expected_revision"].value() == "2" and retry["short_name"].value() == "Mine"
    again = secretariat.post(url, form_data(response))
    board.refresh_from_db()
    assert again.status_code == 302 and board.short_name == "Mine"


def test_a_missing_revision_is_treated_as_stale(secretariat, board):
    url = reverse("edit-body", args=[board.pk])
    response = secretariat.post(
        url, form_data(secretariat.get(url), short_name="Mine", expected_revision=None)
    )

    assert response.status_code == 409
    board.refresh_from_db()
    assert board.short_name == ""
