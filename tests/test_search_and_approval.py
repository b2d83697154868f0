"""Issue 20: search finds what people call things, ranked; "who can approve?" for people (full names,
the matter list for the partnership chosen and searchable, amounts as typed, one combined answer, a
warning before the scheme's source document, the as-at date carried to body pages)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from bodies.models import Body, Partnership
from delegation.forms import parse_amount
from delegation.models import Matter
from delegation.queries import resolve_authority
from tests import factories
from tests.platform.conftest import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(client):
    user = factories.UserFactory(is_superuser=True)
    client.force_login(user)
    return client


def organisations_found(client, query):
    return [o.name for o in client.get(reverse("search"), {"q": query}).context["results"]["Organisations"]]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("DCHS", "Derbyshire Community Health Services NHS Foundation Trust"),
        ("EMAS", "East Midlands Ambulance Service NHS Trust"),
        ("CRH", "Chesterfield Royal Hospital NHS Foundation Trust"),
        ("Chesterfeild", "Chesterfield Royal Hospital NHS Foundation Trust"),
        ("Chesterfield Royal", "Chesterfield Royal Hospital NHS Foundation Trust"),
    ],
)
def test_search_finds_abbreviations_and_near_misses_ranked(reader, query, first):
    found = organisations_found(reader, query)
    assert found and found[0] == first


def test_search_ranks_the_closest_name_first_among_bodies(reader):
    bodies = reader.get(reverse("search"), {"q": "Helth and Care Executive"}).context["results"]["Bodies"]
    assert (
        bodies[0].name.startswith("Health and Care Executive")
        or "Health and Care Executive" in bodies[0].name
    )


@pytest.mark.parametrize(
    ("typed", "pounds"),
    [("£2m", "2000000"), ("2,000,000", "2000000"), ("£250k", "250000"), ("1.5 million", "1500000"),
     ("£12,500.50", "12500.50"), ("250000", "250000"), ("£ 2M", "2000000")],
)  # fmt: skip
def test_amounts_are_read_as_people_type_them(typed, pounds):
    assert parse_amount(typed) == Decimal(pounds)


@pytest.mark.parametrize("typed", ["two million", "2,00", "£-5", "5x", "1e9"])
def test_an_unreadable_amount_is_a_form_error_not_a_crash(typed, reader):
    with pytest.raises(ValidationError):
        parse_amount(typed)
    partnership = Partnership.objects.get(slug="cambridgeshire-and-peterborough")
    matter = Matter.objects.filter(partnership=partnership).first()
    response = reader.get(
        reverse("who-can-approve"), {"partnership": partnership.pk, "matter": matter.pk, "amount": typed}
    )
    assert response.status_code == 200 and "Enter an amount" in response.content.decode()


def cambridgeshire_business_cases():
    partnership = Partnership.objects.get(slug="cambridgeshire-and-peterborough")
    matter = Matter.objects.get(
        partnership=partnership, name="To approve business cases to support delivery of the STP"
    )
    return partnership, matter


def test_the_partnership_picker_shows_full_names_and_the_matters_load_for_the_partnership_chosen(reader):
    page = reader.get(reverse("who-can-approve")).content.decode()
    assert "Cambridgeshire and Peterborough Sustainability and Transformation Partnership" in page
    partnership, matter = cambridgeshire_business_cases()
    chosen = reader.get(reverse("who-can-approve"), {"partnership": partnership.pk})
    assert chosen.status_code == 200 and "There is a problem" not in chosen.content.decode()  # filling in
    assert matter.name in chosen.content.decode()
    searched = reader.get(
        reverse("who-can-approve"), {"partnership": partnership.pk, "matter_search": "business case"}
    )
    names = [name for _, name in searched.context["form"].matter_choices]
    assert matter.name in names and all("business case" in name.lower() for name in names)
    fragment = reader.get(
        reverse("who-can-approve"),
        {"partnership": partnership.pk, "matter_search": "business case"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert fragment.lstrip().startswith('<div id="matter-choice">') and "<html" not in fragment


def test_one_answer_combines_the_authority_and_the_route_still_ahead(reader):
    partnership, matter = cambridgeshire_business_cases()
    response = reader.get(
        reverse("who-can-approve"),
        {"partnership": partnership.pk, "matter": matter.pk, "category": "system_investment_fund", "amount": "£2m",
         "on": "2018-06-01", "stage_reached": "2"},
    )  # fmt: skip
    answer = response.context["answer"]
    assert answer.amount_gbp == Decimal("2000000")
    assert answer.paths and answer.route
    assert next(stage.position for stage in answer.route if stage.ahead) == 3
    page = response.content.decode()
    assert page.count('id="answer"') == 1
    assert "Approval route still ahead" in page and "Table" in page  # the delegation's source table
    assert "9.1.1" in page  # the route's source


def test_a_date_before_the_schemes_source_document_warns(reader):
    partnership, matter = cambridgeshire_business_cases()
    answer = resolve_authority(partnership=partnership, matter=matter, on=datetime.date(2017, 6, 1))
    assert answer.scheme_starts_on == datetime.date(2017, 11, 1)
    assert answer.explanation[0].startswith("No recorded scheme of delegation")
    page = reader.get(
        reverse("who-can-approve"), {"partnership": partnership.pk, "matter": matter.pk, "on": "2017-06-01"}
    ).content.decode()
    assert 'id="no-scheme-then"' in page and "1 November 2017" in page
    later = resolve_authority(partnership=partnership, matter=matter, on=datetime.date(2018, 6, 1))
    assert later.scheme_starts_on is None


def test_the_urgent_decision_rule_is_loaded_and_shown_with_the_answer(reader):
    partnership, matter = cambridgeshire_business_cases()
    rule = partnership.urgent_decision_rule
    assert (rule.discussed_by.slug, rule.taken_by.slug, rule.taken_by_office) == (
        "health-and-care-executive", "health-and-care-executive", "chair",
    )  # fmt: skip
    assert len(rule.consulted) == 3 and rule.ratification_required
    assert rule.source_reference.startswith("9.12")
    page = reader.get(
        reverse("who-can-approve"), {"partnership": partnership.pk, "matter": matter.pk}
    ).content.decode()
    assert "urgent decisions" in page.lower() and "the chair of the Health and Care Executive" in page


def test_the_as_at_date_carries_from_the_partnership_page_to_body_pages_with_a_link_per_version(client):
    partnership = Partnership.objects.get(slug="derbyshire")
    client.force_login(user_with_role(partnership, "viewer"))
    page = client.get(
        reverse("partnership-detail", args=[partnership.pk]), {"as_at": "2018-01-15"}
    ).content.decode()
    board = Body.objects.get(partnership=partnership, slug="stp-board")
    assert f"{reverse('body-detail', args=[board.pk])}?as_at=2018-01-15" in page
    body_page = client.get(reverse("body-detail", args=[board.pk]), {"as_at": "2018-01-15"}).content.decode()
    assert "in force on 15 January 2018" in body_page
    for version in board.terms_of_reference.all():
        assert f'id="version-{version.version}"' in body_page
        assert f"?as_at={version.effective_from:%Y-%m-%d}#current-terms" in body_page


def test_find_matters_without_javascript_keeps_the_form_filling_in(reader):
    partnership, matter = cambridgeshire_business_cases()
    response = reader.get(
        reverse("who-can-approve"),
        {"partnership": partnership.pk, "matter": matter.pk, "matter_search": "investment", "find": "1"},
    )
    assert response.context["answer"] is None
    names = [name for _, name in response.context["form"].matter_choices]
    assert names and all("investment" in name.lower() for name in names)


def test_the_api_answers_both_at_once_and_says_when_no_scheme_was_in_force():
    from tests.platform.conftest import client_for

    partnership, matter = cambridgeshire_business_cases()
    api = client_for(user_with_role(partnership, "viewer"))
    url = reverse("api:partnership-authority", args=[partnership.pk])
    both = api.get(
        url, {"matter": matter.slug, "category": "system_investment_fund", "on": "2018-06-01"}
    ).json()
    assert both["paths"] and both["route"] and both["scheme_starts_on"] is None
    early = api.get(url, {"matter": matter.slug, "on": "2017-06-01"}).json()
    assert early["scheme_starts_on"] == "2017-11-01"
    assert early["explanation"][0].startswith("No recorded scheme of delegation")
    assert api.get(url, {"on": "2018-06-01"}).status_code == 400
