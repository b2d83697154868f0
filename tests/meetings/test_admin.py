"""The meeting cycle in the admin: shown to each partnership's staff for their own partnership (the same
`restrict` as the pages), written by nobody there (the staff pages write through the services)."""

import pytest
from django.contrib import admin
from django.urls import reverse

from meetings import services
from meetings.models import Action, AgendaPack, DeclarationRound, ForwardPlanEntry, Gift, Minutes, Paper
from tests import factories
from tests.meetings.conftest import pdf_upload, user_for

pytestmark = pytest.mark.django_db

MEETING_ADMINS = [Paper, AgendaPack, Minutes, Action, ForwardPlanEntry, Gift, DeclarationRound]


def paper_in(partnership, *, restricted=False, title="Estates paper"):
    meeting = factories.MeetingFactory(body__partnership=partnership)
    item = services.agenda_item_add(
        meeting=meeting,
        title="Estates",
        restricted=restricted,
        restriction_reason="Commercial" if restricted else "",
    )
    return services.paper_upload(agenda_item=item, upload=pdf_upload(title), title=title).paper


def url(model, name, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{name}", args=args)


def test_every_meeting_cycle_record_kind_is_in_the_admin():
    assert all(admin.site.is_registered(model) for model in MEETING_ADMINS)


def test_a_secretariat_sees_its_own_papers_and_never_anothers(client, ours, theirs):
    mine, other = paper_in(ours, title="Our paper"), paper_in(theirs, title="Their paper")
    client.force_login(user_for(ours, "secretariat"))
    listing = client.get(url(Paper, "changelist")).content.decode()
    assert "Our paper" in listing and "Their paper" not in listing
    assert client.get(url(Paper, "change", mine.pk)).status_code == 200
    assert client.get(url(Paper, "change", other.pk)).status_code == 404


def test_a_restricted_items_paper_is_not_shown_to_a_viewer(client, ours):
    hidden = paper_in(ours, restricted=True, title="Restricted paper")
    client.force_login(user_for(ours, "viewer"))
    response = client.get(url(Paper, "changelist"))
    assert response.status_code in (200, 403)
    assert "Restricted paper" not in response.content.decode()
    assert client.get(url(Paper, "change", hidden.pk)).status_code in (403, 404)


@pytest.mark.parametrize("model", MEETING_ADMINS, ids=lambda model: model.__name__)
def test_nothing_is_added_changed_or_deleted_here(model, client, ours):
    client.force_login(user_for(ours, "secretariat"))
    assert client.get(url(model, "changelist")).status_code == 200
    assert client.get(url(model, "add")).status_code == 403
    paper = paper_in(ours)
    before = paper.title
    response = client.post(url(Paper, "change", paper.pk), {"title": "Changed in the admin"})
    assert response.status_code == 403
    paper.refresh_from_db()
    assert paper.title == before
    assert client.post(url(Paper, "delete", paper.pk), {"post": "yes"}).status_code == 403
    assert Paper.objects.filter(pk=paper.pk).exists()


def test_the_papers_list_reads_a_constant_number_of_queries(client, ours, django_assert_max_num_queries):
    client.force_login(user_for(ours, "secretariat"))
    paper_in(ours)
    with django_assert_max_num_queries(30) as few:
        client.get(url(Paper, "changelist"))
    for number in range(5):
        paper_in(ours, title=f"Paper {number}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url(Paper, "changelist")).status_code == 200
