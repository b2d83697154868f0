"""The risk registers over REST: writes, workflows as actions, filters, heat maps as JSON and SVG, clear errors."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from core.access import grant_role
from risks.models import Risk, RiskEscalation, RiskReview, ScoringMatrix
from tests import factories
from tests.platform.conftest import client_for

pytestmark = pytest.mark.django_db

D = datetime.date
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def partnership():
    return factories.PartnershipFactory()


@pytest.fixture
def api(partnership):
    user = factories.UserFactory()
    grant_role(user=user, partnership=partnership, role="secretariat")
    return client_for(user)


@pytest.fixture
def register(partnership):
    return factories.RiskRegisterFactory(partnership=partnership)


def new_risk(**overrides):
    return {
        "reference": "CP-001",
        "title": "System control total not achieved",
        "category": "financial",
        "inherent_likelihood": 5,
        "inherent_consequence": 5,
        "current_likelihood": 4,
        "current_consequence": 5,
        "target_likelihood": 3,
        "target_consequence": 4,
        "appetite": "cautious",
        "next_review_due": "2018-04-12",
        **overrides,
    }


# -- risks -------------------------------------------------------------------------------------
def test_creating_a_risk_answers_with_its_scores_bands_and_tolerance(api, register):
    response = api.post(reverse("api:risk-list"), new_risk(register=register.pk), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["partnership"]["id"] == register.partnership_id
    assert (body["inherent_score"], body["inherent_band"]) == (25, "extreme")
    assert (body["current_score"], body["current_band"]) == (20, "extreme")
    assert (body["target_score"], body["target_band"]) == (12, "high")
    assert (body["tolerable_score"], body["above_appetite"]) == (12, True)
    assert response["ETag"] == f'"risks.risk.{body["id"]}.r1"'


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"current_likelihood": 6}, "current_likelihood", "The current likelihood is scored from 1 to 5 in this partnership's matrix; 6 is outside it."),
        ({"target_consequence": 0}, "target_consequence", "The target consequence is scored from 1 to 5 in this partnership's matrix; 0 is outside it."),
        ({"inherent_likelihood": "high"}, "inherent_likelihood", "A valid integer is required."),
        ({"category": "cosmic"}, "category", '"cosmic" is not a valid choice.'),
        ({"appetite": "reckless"}, "appetite", '"reckless" is not a valid choice.'),
        ({"status": "closed"}, "closed_on", "Give the date the risk was closed."),
        ({"reference": ""}, "reference", "This field may not be blank."),
        ({"register": 10**30}, "register", f"No such object ({10**30}), or not one you can see."),
        ({"next_review_due": "2018-02-30"}, "next_review_due", None),
    ],
)  # fmt: skip
def test_bad_input_is_a_400_with_field_messages_and_nothing_is_written(
    api, register, overrides, field, message
):
    payload = {"register": register.pk, **overrides}

    response = api.post(reverse("api:risk-list"), new_risk(**payload), format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()
    if message:
        assert response.json()[field] == [message]
    assert not Risk.objects.filter(register=register).exists()


def test_a_duplicate_reference_in_the_partnership_is_a_400(api, register):
    factories.RiskFactory(register=register, reference="CP-001")

    response = api.post(reverse("api:risk-list"), new_risk(register=register.pk), format="json")

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["This partnership already has a risk with this reference."]
    }


def test_a_smaller_matrix_is_enforced_over_the_api(api, partnership, register):
    factories.ScoringMatrixFactory(
        partnership=partnership, likelihood_scale=4, consequence_scale=4, likelihood_labels=[], consequence_labels=[],
        low_max=2, moderate_max=4, high_max=9, tolerable_open=12, tolerable_eager=16,
    )  # fmt: skip

    response = api.post(
        reverse("api:risk-list"),
        new_risk(register=register.pk, inherent_likelihood=4, inherent_consequence=4),
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "current_consequence": [
            "The current consequence is scored from 1 to 4 in this partnership's matrix; 5 is outside it."
        ]
    }


def test_changing_a_score_rebands_the_risk(api, register):
    risk = factories.RiskFactory(register=register)
    url = reverse("api:risk-detail", args=[risk.pk])

    response = api.patch(
        url,
        {"current_likelihood": 5, "current_consequence": 4},
        format="json",
        HTTP_IF_MATCH=api.get(url)["ETag"],
    )

    assert response.status_code == 200
    assert (
        response.json()["current_score"],
        response.json()["current_band"],
        response.json()["revision"],
    ) == (20, "extreme", 2)


def test_risk_lists_filter_by_band_category_owner_status_body_and_the_secretariats_lists(
    api, partnership, register
):
    owner = factories.PersonFactory()
    today = datetime.date.today()
    extreme = factories.RiskFactory(
        register=register, current_likelihood=5, current_consequence=4, owner=owner, category="workforce"
    )
    overdue = factories.RiskFactory(register=register, next_review_due=today - datetime.timedelta(days=1))
    closed = factories.RiskFactory(register=register, status="closed", closed_on=D(2018, 1, 1))
    escalated = factories.RiskEscalationFactory(risk__register=register).risk
    other_register = factories.RiskRegisterFactory(partnership=partnership)
    elsewhere = factories.RiskFactory(register=other_register)

    def ids(**query):
        response = api.get(reverse("api:risk-list"), {"partnership_id": partnership.pk, **query})
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids(current_band="extreme") == {extreme.pk}
    assert ids(current_band__in="extreme,moderate") == {extreme.pk}
    assert ids(category="workforce") == {extreme.pk}
    assert ids(owner_id=owner.pk) == {extreme.pk}
    assert ids(status="closed") == {closed.pk}
    assert ids(body_id=other_register.body_id) == {elsewhere.pk}
    assert ids(overdue="true") == {overdue.pk}
    assert extreme.pk in ids(above_appetite="true")  # 20 > 12
    assert ids(awaiting_response="true") == {escalated.pk}
    assert escalated.pk not in ids(awaiting_response="false")
    assert ids(current_score__gte=20) == {extreme.pk}
    top = api.get(
        reverse("api:risk-list"), {"partnership_id": partnership.pk, "ordering": "-current_score"}
    ).json()
    assert top["results"][0]["id"] == extreme.pk


@pytest.mark.parametrize(
    "query",
    [
        {"overdue": "perhaps"},
        {"current_band": "purple"},
        {"owner_id": "x"},
        {"band": "high"},
        {"ordering": "owner"},
    ],
)
def test_bad_filters_are_400s(api, query):
    response = api.get(reverse("api:risk-list"), query)

    assert response.status_code == 400
    assert set(query) & set(response.json())


# -- reviews ------------------------------------------------------------------------------------
def test_recording_a_review_updates_the_risk_and_keeps_the_history(api, register):
    risk = factories.RiskFactory(register=register, current_likelihood=4, current_consequence=4)

    response = api.post(
        reverse("api:riskreview-list"),
        {
            "risk": risk.pk,
            "reviewed_on": "2018-03-14",
            "current_likelihood": 3,
            "meeting": factories.MeetingFactory(
                body=register.body, starts_at=datetime.datetime(2018, 3, 14, 14, tzinfo=datetime.UTC)
            ).pk,
        },
        format="json",
    )
    history = api.get(
        reverse("api:riskreview-list"), {"register_id": register.pk, "ordering": "reviewed_on"}
    ).json()

    assert response.status_code == 201, response.content
    assert (response.json()["current_score"], response.json()["current_band"]) == (12, "high")
    risk.refresh_from_db()
    assert (risk.current_score, risk.last_reviewed_on, risk.next_review_due) == (
        12,
        D(2018, 3, 14),
        D(2018, 4, 14),
    )
    assert [(row["reviewed_on"], row["current_score"]) for row in history["results"]] == [("2018-03-14", 12)]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"current_likelihood": 9}, "current_likelihood"),
        ({"current_likelihood": "lots"}, "current_likelihood"),
        ({"reviewed_on": "yesterday"}, "reviewed_on"),
        ({"next_review_due": "2018-01-01"}, "next_review_due"),
        ({"risk": "abc"}, "risk"),
    ],
)
def test_a_bad_review_is_a_400_and_nothing_is_written(api, register, payload, field):
    risk = factories.RiskFactory(register=register)

    response = api.post(
        reverse("api:riskreview-list"),
        {"risk": risk.pk, "reviewed_on": "2018-03-14", **payload},
        format="json",
    )

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not RiskReview.objects.filter(risk=risk).exists()
    assert Risk.objects.get(pk=risk.pk).revision == 1


def test_a_recorded_reviews_scores_cannot_be_rewritten(api, register):
    review = factories.RiskReviewFactory(risk__register=register)
    url = reverse("api:riskreview-detail", args=[review.pk])

    response = api.patch(url, {"current_likelihood": 1, "note": "Minuted."}, format="json", HTTP_IF_MATCH="*")

    assert response.status_code == 200
    review.refresh_from_db()
    assert (review.current_likelihood, review.note) == (3, "Minuted.")
    assert api.delete(url, HTTP_IF_MATCH="*").status_code == 405


# -- escalation -------------------------------------------------------------------------------------
@pytest.fixture
def line(partnership):
    group = factories.BodyFactory(partnership=partnership, name="Delivery Group")
    board = factories.BodyFactory(partnership=partnership, name="System Delivery Board")
    executive = factories.BodyFactory(partnership=partnership, name="Health and Care Executive")
    factories.BodyRelationshipFactory(from_body=group, to_body=board, kind="escalates_risks_to")
    risk = factories.RiskFactory(register=factories.RiskRegisterFactory(partnership=partnership, body=group))
    return risk, board, executive


def test_escalating_answering_and_de_escalating_over_the_api(api, line):
    risk, board, _ = line

    created = api.post(
        reverse("api:riskescalation-list"),
        {"risk": risk.pk, "to_body": board.pk, "escalated_on": "2018-03-01", "reason": "Beyond our remit."},
        format="json",
    )
    url = reverse("api:riskescalation-respond", args=[created.json()["id"]])
    without_etag = api.post(url, {"response": "accepted", "responded_on": "2018-03-08"}, format="json")
    accepted = api.post(
        url,
        {"response": "accepted", "responded_on": "2018-03-08"},
        format="json",
        HTTP_IF_MATCH=created["ETag"],
    )
    stale = api.post(
        reverse("api:riskescalation-de-escalate", args=[created.json()["id"]]),
        {"de_escalated_on": "2018-05-01"},
        format="json",
        HTTP_IF_MATCH=created["ETag"],
    )
    de_escalated = api.post(
        reverse("api:riskescalation-de-escalate", args=[created.json()["id"]]),
        {"de_escalated_on": "2018-05-01", "de_escalation_note": "Score reduced."},
        format="json",
        HTTP_IF_MATCH=accepted["ETag"],
    )

    assert created.status_code == 201, created.content
    assert created.json()["response"] == "pending"
    assert (without_etag.status_code, accepted.status_code, stale.status_code) == (428, 200, 412)
    assert de_escalated.status_code == 200
    assert (de_escalated.json()["response"], de_escalated.json()["de_escalated_on"]) == (
        "accepted",
        "2018-05-01",
    )
    assert (
        api.get(reverse("api:risk-detail", args=[risk.pk])).json()["escalations"][0]["response"] == "accepted"
    )


def test_an_escalation_off_the_reporting_lines_is_a_400_that_says_where_it_may_go(api, line):
    risk, _, executive = line

    response = api.post(
        reverse("api:riskescalation-list"),
        {"risk": risk.pk, "to_body": executive.pk, "escalated_on": "2018-03-01", "reason": "Skip a level."},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "to_body": [
            "Delivery Group does not escalate risks to Health and Care Executive: on 1 March 2018 it escalates "
            "risks to System Delivery Board."
        ]
    }
    assert not RiskEscalation.objects.filter(risk=risk).exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"response": "returned", "responded_on": "2018-03-08"}, "response_note"),
        ({"response": "pending", "responded_on": "2018-03-08"}, "response"),
        ({"response": "accepted", "responded_on": "2018-02-08"}, "responded_on"),
        ({"response": "accepted"}, "responded_on"),
    ],
)
def test_a_bad_answer_is_a_400(api, line, payload, field):
    risk, board, _ = line
    escalation = factories.RiskEscalationFactory(risk=risk, to_body=board)

    response = api.post(
        reverse("api:riskescalation-respond", args=[escalation.pk]), payload, format="json", HTTP_IF_MATCH="*"
    )

    assert response.status_code == 400, response.content
    assert field in response.json()
    escalation.refresh_from_db()
    assert escalation.response == "pending"


def test_a_viewer_reads_escalations_but_cannot_answer_them(partnership, line):
    risk, board, _ = line
    escalation = factories.RiskEscalationFactory(risk=risk, to_body=board)
    viewer = factories.UserFactory()
    grant_role(user=viewer, partnership=partnership, role="viewer")
    api = client_for(viewer)

    assert api.get(reverse("api:riskescalation-detail", args=[escalation.pk])).status_code == 200
    response = api.post(
        reverse("api:riskescalation-respond", args=[escalation.pk]),
        {"response": "accepted", "responded_on": "2018-03-08"},
        format="json",
        HTTP_IF_MATCH="*",
    )
    assert response.status_code == 403
    assert (
        api.post(reverse("api:riskreview-list"), {"risk": risk.pk, "reviewed_on": "2018-03-14"}).status_code
        == 403
    )


# -- the matrix -------------------------------------------------------------------------------------
def test_changing_the_matrix_over_the_api_rebands_the_partnerships_risks(api, partnership, register):
    risk = factories.RiskFactory(
        register=register, current_likelihood=3, current_consequence=5
    )  # 15: extreme
    created = api.post(reverse("api:scoringmatrix-list"), {"partnership": partnership.pk}, format="json")
    url = reverse("api:scoringmatrix-detail", args=[created.json()["id"]])

    changed = api.patch(url, {"high_max": 15}, format="json", HTTP_IF_MATCH=created["ETag"])
    narrower = api.patch(url, {"likelihood_scale": 2}, format="json", HTTP_IF_MATCH=changed["ETag"])

    assert created.status_code == 201, created.content
    assert changed.status_code == 200, changed.content
    assert Risk.objects.get(pk=risk.pk).current_band == "high"
    assert narrower.status_code == 400
    assert narrower.json() == {"likelihood_scale": ["A scale has 3 to 5 levels."]}
    assert ScoringMatrix.objects.get(partnership=partnership).high_max == 15


def test_a_scale_narrower_than_the_risks_is_refused_over_the_api(api, partnership, register):
    factories.RiskFactory(register=register, reference="CP-5", inherent_likelihood=5)

    response = api.post(
        reverse("api:scoringmatrix-list"),
        {
            "partnership": partnership.pk,
            "likelihood_scale": 4,
            "likelihood_labels": [],
            "tolerable_open": 12,
            "tolerable_eager": 16,
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "likelihood_scale": [
            "Risks of this partnership are scored at a likelihood above 4 (CP-5): rescore them before narrowing the scale."
        ]
    }


# -- heat maps and top risks ------------------------------------------------------------------------
@pytest.fixture
def scored(register):
    for current in [(4, 5), (4, 5), (3, 3), (1, 2)]:
        factories.RiskFactory(
            register=register, current_likelihood=current[0], current_consequence=current[1]
        )
    return register


def test_a_registers_heat_map_as_json(api, scored):
    response = api.get(reverse("api:riskregister-heat-map", args=[scored.pk]))

    assert response.status_code == 200
    cells = {(c["likelihood"], c["consequence"]): c for c in response.json()["cells"]}
    assert (cells[(4, 5)]["count"], cells[(4, 5)]["band"], cells[(3, 3)]["count"], cells[(1, 2)]["count"]) == (
        2, "extreme", 1, 1,
    )  # fmt: skip
    assert response.json()["total"] == 4
    target = api.get(reverse("api:riskregister-heat-map", args=[scored.pk]), {"scores": "target"}).json()
    assert {(c["likelihood"], c["consequence"]): c["count"] for c in target["cells"] if c["count"]} == {
        (2, 2): 4
    }


def test_a_registers_heat_map_as_svg(api, scored):
    response = api.get(reverse("api:riskregister-heat-map", args=[scored.pk]), {"format": "svg"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{SVG}svg"
    cells = {(int(g.get("data-likelihood")), int(g.get("data-consequence"))): g for g in root.iter(f"{SVG}g")}
    assert len(cells) == 25
    counts = {key: g.get("data-count") for key, g in cells.items() if g.get("data-count") != "0"}
    assert counts == {(4, 5): "2", (3, 3): "1", (1, 2): "1"}
    assert cells[(4, 5)].find(f"{SVG}rect").get("fill") == "#e00000"
    assert [t.text for t in cells[(4, 5)].iter(f"{SVG}text")] == ["20", "2"]
    texts = {t.text for t in root.iter(f"{SVG}text")}
    assert {"Consequence", "Likelihood", "5 Almost certain", "Catastrophic", "Extreme 15–25"} <= texts


def test_text_in_the_svg_is_escaped(api, partnership):
    body = factories.BodyFactory(partnership=partnership, name='<script>alert("x")</script> & Co')
    register = factories.RiskRegisterFactory(partnership=partnership, body=body)

    response = api.get(reverse("api:riskregister-heat-map", args=[register.pk]), HTTP_ACCEPT="image/svg+xml")

    assert b"<script>" not in response.content
    root = ET.fromstring(response.content)
    assert root.find(f"{SVG}title").text.startswith('<script>alert("x")</script> & Co risk register')


def test_the_partnerships_heat_map_and_top_risks(api, partnership, scored):
    factories.RiskFactory(
        register=factories.RiskRegisterFactory(partnership=partnership),
        current_likelihood=5,
        current_consequence=5,
    )

    heat_map = api.get(reverse("api:partnership-risk-heat-map", args=[partnership.pk]))
    svg = api.get(reverse("api:partnership-risk-heat-map", args=[partnership.pk]), {"format": "svg"})
    top = api.get(reverse("api:partnership-top-risks", args=[partnership.pk]), {"limit": 3})

    assert heat_map.json()["total"] == 5
    assert svg["Content-Type"].startswith("image/svg+xml")
    ET.fromstring(svg.content)
    assert [row["current_score"] for row in top.json()] == [25, 20, 20]


@pytest.mark.parametrize(
    ("name", "query", "field"),
    [
        ("api:riskregister-heat-map", {"scores": "residual"}, "scores"),
        ("api:riskregister-heat-map", {"format": "png"}, "format"),
        ("api:partnership-risk-heat-map", {"scores": "residual"}, "scores"),
        ("api:partnership-risk-heat-map", {"format": "png"}, "format"),
        ("api:partnership-top-risks", {"limit": "0"}, "limit"),
        ("api:partnership-top-risks", {"limit": "many"}, "limit"),
    ],
)
def test_bad_heat_map_and_top_risk_questions_are_400s(api, partnership, scored, name, query, field):
    target = scored.pk if name.startswith("api:riskregister") else partnership.pk

    response = api.get(reverse(name, args=[target]), query)

    assert response.status_code == 400
    assert field in response.json()


def test_a_risk_as_it_stood_and_its_history(api, register):
    risk = factories.RiskFactory(register=register, current_likelihood=4, current_consequence=4)
    url = reverse("api:risk-detail", args=[risk.pk])
    api.patch(url, {"current_likelihood": 2}, format="json", HTTP_IF_MATCH=api.get(url)["ETag"])

    history = api.get(reverse("api:risk-history", args=[risk.pk])).json()
    today = api.get(url, {"as_at": datetime.date.today().isoformat()}).json()
    before = api.get(url, {"as_at": "2000-01-01"})

    assert [event["label"] for event in history] == ["insert", "update"]
    assert history[1]["diff"]["current_band"] == ["extreme", "high"]
    assert (today["current_likelihood"], today["current_score"], today["current_band"]) == (2, 8, "high")
    assert before.status_code == 404
