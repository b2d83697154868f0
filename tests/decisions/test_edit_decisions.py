"""Editing decisions: recorded on their authority and ratified, refused without it with the
reason; rescinded with the reason and kept on record; stale ratifications and rescissions refused."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from decisions.models import Decision, Ratification
from tests import factories
from tests.decisions import conftest as decisions_setup
from tests.editing import errors_of, events, form_data
from tests.platform.conftest import user_with_role

pytestmark = pytest.mark.django_db


# -- decisions and ratifications -----------------------------------------------------------------
@pytest.fixture
def scheme_secretariat(client, scheme):
    decisions_setup.attend(scheme.meeting, scheme.members)  # quorate: four voting members present
    user = user_with_role(scheme.partnership, "secretariat")
    client.force_login(user)
    return client


def test_a_decision_is_recorded_on_its_authority_and_then_ratified(scheme_secretariat, scheme):
    client = scheme_secretariat
    url = reverse("edit-decision-create", args=[scheme.board.pk])
    response = client.post(
        url,
        form_data(
            client.get(url),
            meeting=str(scheme.meeting.pk),
            matter=str(scheme.matter.pk),
            power="approve",
            resolution="Resolved: the business case is approved.",
            outcome="carried",
            amount_gbp="250000",
            minute_reference="STP/18/3",
        ),
    )

    decision = Decision.objects.get(body=scheme.board, minute_reference="STP/18/3")
    assert response.status_code == 302 and response["Location"] == reverse(
        "edit-decision", args=[decision.pk]
    )
    assert decision.status == "awaiting_ratification" and decision.delegation == scheme.delegation
    assert decision.ratifications.count() == 3
    page = client.get(response["Location"]).content.decode()
    assert "Table 4" in page and "Record the answer" in page

    for ratification in decision.ratifications.all():
        url = reverse("edit-ratification", args=[ratification.pk])
        answered = client.post(url, form_data(client.get(url), outcome="ratified", decided_on="2018-03-20"))
        assert answered.status_code == 302
    decision.refresh_from_db()
    assert (decision.status, decision.effective_on) == ("effective", datetime.date(2018, 3, 20))


def test_a_decision_without_authority_is_refused_with_the_reason_and_the_input_kept(
    scheme_secretariat, scheme
):
    client = scheme_secretariat
    url = reverse("edit-decision-create", args=[scheme.board.pk])
    response = client.post(
        url,
        form_data(
            client.get(url),
            meeting=str(scheme.meeting.pk),
            matter=str(scheme.matter.pk),
            power="approve",
            resolution="Resolved: the large business case is approved.",
            outcome="carried",
            amount_gbp="5000000",
        ),
    )
    html = response.content.decode()

    assert response.status_code == 400
    assert "holds no authority to approve" in html
    assert "Resolved: the large business case is approved." in html and 'value="5000000' in html
    assert not Decision.objects.filter(body=scheme.board).exists()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"resolution": ""}, "resolution"),
        ({"resolution": "Resolved\x00"}, "resolution"),
        ({"minute_reference": "x" * 101}, "minute_reference"),
        ({"votes_for": "-1"}, "votes_for"),
        ({"matter": "abc"}, "matter"),
        ({"urgent": "on", "meeting": "", "decided_on": "2018-02-30"}, "decided_on"),
    ],
)
def test_bad_decision_input_is_a_field_error(scheme_secretariat, scheme, changes, field):
    client = scheme_secretariat
    url = reverse("edit-decision-create", args=[scheme.board.pk])
    data = form_data(
        client.get(url),
        meeting=str(scheme.meeting.pk),
        matter=str(scheme.matter.pk),
        resolution="Resolved.",
        outcome="carried",
    )

    response = client.post(url, {**data, **changes})

    assert response.status_code == 400 and field in errors_of(response)
    assert not Decision.objects.filter(body=scheme.board).exists()


def test_a_stale_ratification_is_refused(secretariat, ours):
    ratification = factories.RatificationFactory(decision__body__partnership=ours)
    url = reverse("edit-ratification", args=[ratification.pk])
    opened = secretariat.get(url)
    Ratification.objects.filter(pk=ratification.pk).update(minute_reference="Board/1")

    response = secretariat.post(
        url, form_data(opened, outcome="ratified", decided_on=str(timezone.localdate()))
    )

    assert response.status_code == 409
    ratification.refresh_from_db()
    assert ratification.outcome == "pending"


# -- rescinding a decision -----------------------------------------------------------------------
@pytest.fixture
def decision(ours):
    return factories.DecisionFactory(body__partnership=ours)


def test_a_decision_is_rescinded_with_the_reason_and_stays_on_record(secretariat, decision):
    url = reverse("edit-decision-rescind", args=[decision.pk])
    on = decision.decided_on + datetime.timedelta(days=7)

    response = secretariat.post(
        url,
        form_data(secretariat.get(url), reason="Recorded against the wrong matter.", rescinded_on=str(on)),
    )

    assert response.status_code == 302
    decision.refresh_from_db()
    assert (decision.status, decision.rescinded_on, decision.rescission_reason) == (
        "rescinded",
        on,
        "Recorded against the wrong matter.",
    )
    page = secretariat.get(reverse("edit-decision", args=[decision.pk])).content.decode()
    assert "Rescinded on" in page and "Recorded against the wrong matter." in page
    assert "Status: “" in page and "→ “Rescinded”" in page
    assert events(decision)[-1].user_id == secretariat.user.pk


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"reason": ""}, "reason", "Enter why the decision is rescinded."),
        ({"reason": "r" * 20001}, "reason", "at most 20000 characters"),
        ({"reason": "Wrong", "rescinded_on": "2000-01-01"}, "rescinded_on", "before it was taken"),
        ({"reason": "Wrong", "rescinded_on": "2019-02-30"}, "rescinded_on", "Enter a valid date."),
    ],
)
def test_a_bad_rescission_is_refused_with_the_input_kept(secretariat, decision, changes, field, message):
    url = reverse("edit-decision-rescind", args=[decision.pk])

    response = secretariat.post(url, form_data(secretariat.get(url), **changes))

    assert response.status_code == 400
    assert any(message in error for error in errors_of(response)[field]), errors_of(response)
    assert Decision.objects.get(pk=decision.pk).status != "rescinded"


def test_a_stale_rescission_is_refused(secretariat, decision):
    url = reverse("edit-decision-rescind", args=[decision.pk])
    opened = secretariat.get(url)
    Decision.objects.filter(pk=decision.pk).update(minute_reference="Changed elsewhere")

    response = secretariat.post(url, form_data(opened, reason="Wrong matter"))

    assert response.status_code == 409
    assert Decision.objects.get(pk=decision.pk).status != "rescinded"
