"""Reading pages for risk registers: the seed's Cambridgeshire registers, filters, the heat map, a risk."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bodies.models import Partnership
from risks.models import Risk, RiskRegister
from tests import factories
from tests.platform.conftest import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def cambridgeshire():
    return Partnership.objects.get(slug="cambridgeshire-and-peterborough")


@pytest.fixture
def viewer(client, cambridgeshire):
    client.force_login(user_with_role(cambridgeshire, "viewer"))
    return client


def references(response, name="page"):
    return [risk.reference for risk in response.context[name]]


def test_the_risks_page_lists_open_risks_highest_first_with_the_heat_map(viewer, cambridgeshire):
    response = viewer.get(reverse("partnership-risks", args=[cambridgeshire.pk]))
    html = response.content.decode()

    assert references(response) == [
        "CP-HCE-01", "CP-CCG-01", "CP-DEG-03", "CP-SDB-02", "CP-DEG-01", "CP-SDB-01", "CP-STP-01", "CP-DEG-02",
        "CP-HCE-02",
    ]  # fmt: skip
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and "<?xml" not in html
    assert "9 open risks by current score" in html
    assert 'data-likelihood="4" data-consequence="5" data-count="1"' in html  # CP-HCE-01, 4 x 5
    # Furthest above the appetite's tolerance first: 16 against 6 (three of them), then 20 against 12.
    assert references(response, "above_appetite") == ["CP-CCG-01", "CP-DEG-03", "CP-SDB-02", "CP-HCE-01"]
    assert [e.risk.reference for e in response.context["escalations"]] == ["CP-SDB-02", "CP-CCG-01"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "style=" not in str(response.context["heat_map"]) and "<script" not in str(
        response.context["heat_map"]
    )


def test_the_filters_narrow_the_table_and_the_heat_map(viewer, cambridgeshire):
    url = reverse("partnership-risks", args=[cambridgeshire.pk])
    executive = cambridgeshire.bodies.get(name="Health and Care Executive")

    extreme = viewer.get(url, {"band": "extreme"})
    tolerable = viewer.get(url, {"above_appetite": "no", "category": "", "status": "open"})
    by_body = viewer.get(url, {"body": executive.pk})
    target = viewer.get(url, {"band": "extreme", "scores": "target"})

    assert references(extreme) == ["CP-HCE-01", "CP-CCG-01", "CP-DEG-03", "CP-SDB-02"]
    assert "4 open risks by current score" in extreme.content.decode()
    assert references(tolerable) == ["CP-DEG-01", "CP-SDB-01", "CP-STP-01", "CP-DEG-02", "CP-HCE-02"]
    assert references(by_body) == ["CP-HCE-01", "CP-HCE-02"]
    assert "4 open risks by target score" in target.content.decode()
    assert "Show current scores" in target.content.decode()


def test_bad_filter_values_are_field_messages_not_errors(viewer, cambridgeshire):
    response = viewer.get(
        reverse("partnership-risks", args=[cambridgeshire.pk]), {"band": "purple", "body": "x"}
    )

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"band", "body"}
    assert "There is a problem" in response.content.decode()


def test_a_register_page_shows_only_its_risks(viewer, cambridgeshire):
    register = RiskRegister.objects.get(partnership=cambridgeshire, body__name="System Delivery Board")

    response = viewer.get(reverse("risk-register", args=[register.pk]))

    assert references(response) == ["CP-SDB-02", "CP-SDB-01"]
    # Escalations it made or received: CP-SDB-02 up to the executive; none pending into it.
    assert [e.risk.reference for e in response.context["escalations"]] == ["CP-SDB-02"]
    assert "System Delivery Board risk register" in response.content.decode()


def test_a_risk_page_shows_its_reviews_actions_and_escalations(viewer, cambridgeshire):
    risk = Risk.objects.get(partnership=cambridgeshire, reference="CP-DEG-03")

    response = viewer.get(reverse("risk-detail", args=[risk.pk]))
    html = response.content.decode()

    reviews = list(response.context["reviews"])
    assert reviews == sorted(reviews, key=lambda r: r.reviewed_on, reverse=True) and reviews
    assert response.context["held_by"].to_body.name == "Health and Care Executive"
    assert "System Delivery Board" in html and "Accepted" in html
    for action in risk.actions.all():
        assert action.description in html
    assert "Above appetite" in html


def test_another_partnerships_risk_pages_answer_404(client, cambridgeshire):
    client.force_login(user_with_role(Partnership.objects.get(slug="derbyshire"), "secretariat"))
    risk = Risk.objects.filter(partnership=cambridgeshire).first()

    assert client.get(reverse("partnership-risks", args=[cambridgeshire.pk])).status_code == 404
    assert client.get(reverse("risk-register", args=[risk.register_id])).status_code == 404
    assert client.get(reverse("risk-detail", args=[risk.pk])).status_code == 404
    assert not client.get(reverse("search"), {"q": "CP-HCE"}).context["results"]["Risks"]


@pytest.mark.parametrize("name", ["partnership-risks", "risk-register", "risk-detail"])
def test_risk_page_query_counts_do_not_grow_with_rows(name, client, django_assert_max_num_queries):
    partnership = factories.PartnershipFactory(name="Growing Risks Partnership")
    client.force_login(user_with_role(partnership, "viewer"))
    register = factories.RiskRegisterFactory(partnership=partnership)
    risk = factories.RiskFactory(register=register)

    def grow(n):
        for _ in range(n):
            other = factories.RiskFactory(
                register=register, next_review_due="2018-01-01", current_likelihood=5
            )
            factories.RiskEscalationFactory(risk=other)
            factories.RiskActionFactory(risk=risk)
            factories.RiskReviewFactory(risk=risk)
            factories.RiskEscalationFactory(
                risk=risk, response="returned", responded_on="2018-03-02", response_note="Manage it locally."
            )

    args = {"partnership-risks": partnership.pk, "risk-register": register.pk, "risk-detail": risk.pk}[name]
    grow(1)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(name, args=[args])).status_code == 200
    grow(8)
    with django_assert_max_num_queries(len(few)):
        assert client.get(reverse(name, args=[args])).status_code == 200
