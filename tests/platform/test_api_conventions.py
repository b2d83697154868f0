"""REST conventions every resource follows: protected fields, clear errors, constant queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.suite import flat
from bodies import models
from stp_governance.api.urls import router
from tests import factories
from tests.platform.conftest import client_for
from tests.platform.test_cross_tenant import BUILDERS, SHARED_BUILDERS

pytestmark = pytest.mark.django_db

ROUTES = [(prefix, viewset) for prefix, viewset, _ in router.registry]


@pytest.fixture
def admin_api():
    return client_for(factories.UserFactory(is_superuser=True))


@pytest.mark.parametrize(("prefix", "viewset"), ROUTES, ids=[p for p, _ in ROUTES])
def test_list_query_count_does_not_grow_with_rows(prefix, viewset, admin_api):
    model = viewset.queryset.model
    build = {**BUILDERS, **SHARED_BUILDERS}[model]
    url = reverse(f"api:{router.get_default_basename(viewset)}-list")
    for _ in range(3):
        build(factories.PartnershipFactory())
    with CaptureQueriesContext(connection) as few:
        assert admin_api.get(url, {"limit": 5}).status_code == 200

    for _ in range(12):
        build(factories.PartnershipFactory())

    with CaptureQueriesContext(connection) as many:
        response = admin_api.get(url, {"limit": 200})
    assert len(response.json()["results"]) >= 15
    # By shape (docs/decisions/0007-scale.md): a prefetch with nothing to fetch among the five
    # rows issues no query there, so one more may run among the many; never one per row.
    few_sql, many_sql = [q["sql"] for q in few.captured_queries], [q["sql"] for q in many.captured_queries]
    assert flat(few_sql, many_sql), many_sql


def test_mass_assignment_leaves_protected_fields_unchanged(admin_api):
    terms = factories.TermsOfReferenceFactory(version=1)
    other_body = factories.BodyFactory()
    url = reverse("api:termsofreference-detail", args=[terms.pk])
    etag = admin_api.get(url)["ETag"]

    response = admin_api.patch(
        url,
        {
            "id": 999999,
            "revision": 77,
            "version": 42,
            "status": "approved",
            "approved_on": "2018-01-01",
            "effective_from": "2018-01-01",
            "purpose": "Revised purpose",
        },
        format="json",
        HTTP_IF_MATCH=etag,
    )

    assert response.status_code == 200
    terms.refresh_from_db()
    assert (terms.pk, terms.version, terms.status, terms.approved_on, terms.effective_from) == (
        response.json()["id"],
        1,
        "draft",
        None,
        None,
    )
    assert terms.body_id != other_body.pk
    assert terms.purpose == "Revised purpose"
    assert terms.revision == 2


def test_the_partnership_of_an_existing_record_cannot_be_changed(admin_api):
    membership = factories.MembershipFactory(note="")
    elsewhere = factories.PartnershipFactory()
    url = reverse("api:membership-detail", args=[membership.pk])

    response = admin_api.patch(
        url, {"partnership": elsewhere.pk, "note": "moved?"}, format="json", HTTP_IF_MATCH="*"
    )

    assert response.status_code == 400
    assert response.json()["partnership"] == ["This is set when the record is created and cannot be changed."]
    membership.refresh_from_db()
    assert (membership.partnership_id, membership.note, membership.revision) != (elsewhere.pk, "moved?", 2)
    assert membership.note == ""


@pytest.mark.parametrize(("prefix", "viewset"), ROUTES, ids=[p for p, _ in ROUTES])
def test_every_create_only_field_is_refused_by_name_on_update(prefix, viewset, admin_api):
    """For every serializer with create-only fields: a changed value is a 400 naming the field,
    the stored value sent back (a PUT of what GET returned) is accepted."""
    serializer_class = viewset.serializer_class
    if not serializer_class.create_only_fields:
        pytest.skip("no create-only fields")
    builder = {**BUILDERS, **SHARED_BUILDERS}[viewset.queryset.model]
    record = builder(factories.PartnershipFactory())
    url = reverse(f"api:{router.get_default_basename(viewset)}-detail", args=[record.pk])
    shown = admin_api.get(url).json()
    before = admin_api.get(url)["ETag"]

    for name in serializer_class.create_only_fields:
        stored = shown[name]["id"] if isinstance(shown[name], dict) else shown[name]
        other = 2**31 if isinstance(stored, int) else "something-else"
        response = admin_api.patch(url, {name: other}, format="json", HTTP_IF_MATCH="*")
        assert response.status_code == 400, (name, response.content)
        assert list(response.json()) == [name]
        assert admin_api.get(url)["ETag"] == before

    for name in serializer_class.create_only_fields:
        stored = shown[name]["id"] if isinstance(shown[name], dict) else shown[name]
        response = admin_api.patch(url, {name: stored}, format="json", HTTP_IF_MATCH="*")
        assert response.status_code == 200 or name not in response.json(), (name, response.content)


def test_approving_is_an_action_not_a_patch(admin_api):
    v1 = factories.TermsOfReferenceFactory(approved=True, version=1)
    v2 = factories.TermsOfReferenceFactory(body=v1.body, version=2)
    url = reverse("api:termsofreference-approve", args=[v2.pk])

    without = admin_api.post(url, {"approved_on": "2019-01-01"}, format="json")
    response = admin_api.post(url, {"approved_on": "2019-01-01"}, format="json", HTTP_IF_MATCH="*")

    assert without.status_code == 428
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved"
    v1.refresh_from_db()
    assert (v1.status, v1.effective_to) == ("superseded", datetime.date(2018, 12, 31))


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "Board\x00of NUL"}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"effective_from": "2018-02-30"}, "effective_from"),
        ({"effective_from": "yesterday"}, "effective_from"),
        ({"effective_from": "2019-01-01", "effective_to": "2018-01-01"}, "effective_to"),
        ({"kind": "cabal"}, "kind"),
        ({"organisation": "abc"}, "organisation"),
        ({"organisation": 10**30}, "organisation"),
        ({"organisation": -1}, "organisation"),
        ({"organisation": True}, "organisation"),
        ({"holds_delegated_authority": "perhaps"}, "holds_delegated_authority"),
    ],
)
def test_bad_input_is_a_400_with_field_messages_and_nothing_changes(admin_api, payload, field):
    body = factories.BodyFactory()
    url = reverse("api:body-detail", args=[body.pk])
    before = admin_api.get(url).json()

    response = admin_api.patch(url, payload, format="json", HTTP_IF_MATCH="*")

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert admin_api.get(url).json() == before


@pytest.mark.parametrize(
    "query",
    [
        {"as_at": "2018-13-01"},
        {"partnership_id": "abc"},
        {"id__in": "1,x"},
        {"effective_from__gte": "\x00"},
        {"bogus": "1"},
    ],
)
def test_bad_filters_are_400_not_500(admin_api, query):
    response = admin_api.get(reverse("api:body-list"), query)

    assert response.status_code == 400
    assert set(query) & set(response.json())


def test_malformed_ids_in_urls_are_404(admin_api):
    for raw in ("abc", "99999999999999999999999", "-1", "1.5"):
        assert admin_api.get(f"/api/v1/bodies/{raw}/").status_code == 404


def test_an_integrity_conflict_is_a_409(admin_api, monkeypatch):
    """A race past validation (two writers) ends in the database constraint: answered 409."""
    membership = factories.MembershipFactory(effective_from=datetime.date(2017, 4, 1))
    from core.api.serializers import RegistrySerializer

    monkeypatch.setattr(RegistrySerializer, "validate", lambda self, attrs: attrs)

    response = admin_api.post(
        reverse("api:membership-list"),
        {
            "partnership": membership.partnership_id,
            "organisation": membership.organisation_id,
            "standing": "core",
            "effective_from": "2018-01-01",
        },
        format="json",
    )

    assert response.status_code == 409
    assert "membership_no_overlap" in response.json()["detail"]
    assert models.Membership.objects.filter(organisation=membership.organisation).count() == 1


def test_as_at_filters_effective_dated_lists(admin_api):
    partnership = factories.PartnershipFactory()
    old = factories.MembershipFactory(
        partnership=partnership,
        effective_from=datetime.date(2016, 1, 1),
        effective_to=datetime.date(2017, 12, 31),
    )
    new = factories.MembershipFactory(partnership=partnership, effective_from=datetime.date(2018, 1, 1))
    url = reverse("api:membership-list")

    def ids(on):
        return {
            row["id"]
            for row in admin_api.get(url, {"partnership_id": partnership.pk, "as_at": on}).json()["results"]
        }

    assert ids("2017-06-01") == {old.pk}
    assert ids("2018-06-01") == {new.pk}


def test_brief_representations_nest_related_records(admin_api):
    membership = factories.MembershipFactory()
    url = reverse("api:membership-detail", args=[membership.pk])

    full = admin_api.get(url).json()
    brief = admin_api.get(reverse("api:membership-list"), {"brief": "1", "id": membership.pk}).json()[
        "results"
    ][0]

    assert full["organisation"] == {
        "id": membership.organisation_id,
        "url": f"http://testserver/api/v1/organisations/{membership.organisation_id}/",
        "display": membership.organisation.name,
    }
    assert set(brief) == {"id", "url", "display", "standing", "status"}


def test_export_respects_filters(admin_api):
    body = factories.BodyFactory(name="Exported Board")
    factories.BodyFactory(name="Other Board")

    response = admin_api.get(reverse("api:body-export"), {"format": "csv", "id": body.pk})

    lines = b"".join(response.streaming_content).decode().strip().splitlines()
    assert response["Content-Type"].startswith("text/csv")
    assert lines[0].startswith("id,url,display,revision")
    assert len(lines) == 2 and "Exported Board" in lines[1]


def test_export_neutralises_spreadsheet_formulas(admin_api):
    factories.BodyFactory(name="=HYPERLINK(evil)")

    response = admin_api.get(reverse("api:body-export"), {"format": "csv", "search": "HYPERLINK"})

    assert "'=HYPERLINK(evil)" in b"".join(response.streaming_content).decode()


def test_pagination_refuses_unordered_querysets(rf):
    from django.core.exceptions import ImproperlyConfigured

    from core.api.pagination import RegistryPagination

    request = rf.get("/")
    request.query_params = request.GET
    with pytest.raises(ImproperlyConfigured):
        RegistryPagination().paginate_queryset(models.Body.objects.order_by(), request, view=object())


def test_anonymous_requests_read_public_records_only_and_write_nothing(client):
    body = factories.BodyFactory()  # its partnership has no public site
    listed = client.get(reverse("api:body-list"))
    assert listed.status_code == 200 and listed.json()["results"] == []
    assert client.get(reverse("api:body-detail", args=[body.pk])).status_code == 404
    assert client.post(reverse("api:body-list"), {}, content_type="application/json").status_code == 401
    assert client.get(reverse("api:risk-list")).status_code == 401  # never public


def test_deleting_a_record_others_refer_to_is_a_409_and_deletes_nothing(admin_api):
    body = factories.BodyFactory()
    factories.TermsOfReferenceFactory(body=body)

    response = admin_api.delete(
        reverse("api:body-detail", args=[body.pk]) + "?reason=Entered+twice", HTTP_IF_MATCH="*"
    )
    again = admin_api.get(reverse("api:body-detail", args=[body.pk]))

    assert response.status_code == 409
    assert "still referred to by 1 other record" in response.json()["detail"]
    assert again.status_code == 200


def test_new_terms_of_reference_are_drafts_numbered_after_the_latest(admin_api):
    body = factories.BodyFactory()
    factories.TermsOfReferenceFactory(body=body, version=3, approved=True)

    response = admin_api.post(
        reverse("api:termsofreference-list"), {"body": body.pk, "purpose": "Revised"}, format="json"
    )

    assert response.status_code == 201, response.content
    assert (response.json()["version"], response.json()["status"]) == (4, "draft")
    # One draft at a time: a second is refused with the reason (400), not a database conflict.
    second = admin_api.post(reverse("api:termsofreference-list"), {"body": body.pk}, format="json")
    assert second.status_code == 400 and "already has a draft" in second.json()["non_field_errors"][0]


def test_changing_an_approved_version_is_not_taken_for_a_second_draft(admin_api):
    v1 = factories.TermsOfReferenceFactory(version=1, approved=True)
    factories.TermsOfReferenceFactory(body=v1.body, version=2)
    url = reverse("api:termsofreference-detail", args=[v1.pk])
    etag = admin_api.get(url)["ETag"]

    response = admin_api.patch(url, {"source_reference": "Annex B"}, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 200, response.content
    v1.refresh_from_db()
    assert (v1.status, v1.source_reference) == ("approved", "Annex B")


def test_an_empty_format_is_refused_not_answered_in_the_default_one(db):
    from rest_framework.test import APIClient

    from tests.platform.conftest import user_with_role

    client = APIClient()
    client.force_authenticate(user_with_role(factories.PartnershipFactory(), "viewer"))
    response = client.get("/api/v1/interests/export/?format=")
    assert response.status_code == 400
    assert "format" in response.json()
