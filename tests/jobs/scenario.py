"""A partnership where a board may decide, an API client with a webhook, and a secretariat user."""

import datetime
from dataclasses import dataclass

from bodies.models import Body, Partnership
from core.access import grant_role
from core.models import WebhookEndpoint
from core.tokens import api_token_issue
from core.webhooks import new_secret
from decisions.models import Meeting
from delegation.models import Matter
from tests import factories

DECIDED_ON = datetime.date(2018, 1, 15)


@dataclass
class Scenario:
    partnership: Partnership
    board: Body
    matter: Matter
    meeting: Meeting
    secretariat: object
    endpoint: WebhookEndpoint | None

    def decision_payload(self) -> dict:
        return {
            "body": self.board.pk,
            "meeting": self.meeting.pk,
            "matter": self.matter.pk,
            "power": "approve",
            "resolution": "The business case is approved.",
            "outcome": "carried",
        }


def scenario(webhook_url: str | None = None, name: str = "Webhook Partnership") -> Scenario:
    partnership = factories.PartnershipFactory(name=name)
    board = factories.BodyFactory(
        partnership=partnership, name=f"{name} Board", decisions_bind_partners=False
    )
    matter = factories.MatterFactory(partnership=partnership, name="To approve business cases")
    factories.DelegationFactory(partnership=partnership, matter=matter, delegate=board)
    factories.MembershipFactory(partnership=partnership, organisation__name=f"{name} Party NHS Trust")
    meeting = factories.MeetingFactory(
        body=board,
        starts_at=datetime.datetime(2018, 1, 15, 10, 0, tzinfo=datetime.UTC),
        status="held",
    )
    secretariat = factories.UserFactory(email=f"secretariat@{partnership.slug}.example")
    grant_role(user=secretariat, partnership=partnership, role="secretariat")
    endpoint = None
    if webhook_url:
        reader = factories.UserFactory()
        grant_role(user=reader, partnership=partnership, role="viewer")
        token, _ = api_token_issue(name="Trust intranet", user=reader, partnership=partnership)
        endpoint = WebhookEndpoint.objects.create(token=token, url=webhook_url, secret=new_secret())
    return Scenario(partnership, board, matter, meeting, secretariat, endpoint)
