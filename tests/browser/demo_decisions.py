"""Decisions recorded on the Cambridgeshire demo data with the decisions service, for the journeys.

The Health and Care Executive may approve business cases (Table 5); its decisions do not bind
the partners, so each confirmed party's own board must ratify them.
"""

import datetime

from bodies.models import Body, Partnership
from decisions import services
from decisions.models import Decision, Meeting
from delegation.models import Matter

BUSINESS_CASES = "approve-business-cases-to-support-delivery-of-the-stp"


def held_meeting(body: Body, on: datetime.date) -> Meeting:
    return Meeting.objects.create(
        body=body,
        starts_at=datetime.datetime(on.year, on.month, on.day, 14, 0, tzinfo=datetime.UTC),
        status=Meeting.Status.HELD,
        place="Lockton House, Cambridge",
    )


def record_demo_decisions() -> tuple[Decision, Decision]:
    """An older decision that most partners have ratified, and a newer one none has yet."""
    cambridgeshire = Partnership.objects.get(slug="cambridgeshire-and-peterborough")
    executive = cambridgeshire.bodies.get(name="Health and Care Executive")
    matter = Matter.objects.get(partnership=cambridgeshire, slug=BUSINESS_CASES)
    older = services.decision_record(
        body=executive,
        meeting=held_meeting(executive, datetime.date(2018, 1, 18)),
        matter=matter,
        power="approve",
        amount_gbp=180_000,
        resolution="The outline business case for the integrated neighbourhood teams in Peterborough is approved.",
        outcome="carried",
        minute_reference="HCE/18/04",
    )
    for n, ratification in enumerate(older.ratifications.order_by("organisation__name")):
        if n < 6:
            services.ratification_record(
                ratification=ratification,
                outcome="ratified",
                decided_on=datetime.date(2018, 1, 25) + datetime.timedelta(days=n),
                minute_reference=f"{n + 12}/18",
            )
        elif n == 6:
            services.ratification_record(
                ratification=ratification, outcome="deferred", decided_on=datetime.date(2018, 2, 1)
            )
    newer = services.decision_record(
        body=executive,
        meeting=held_meeting(executive, datetime.date(2018, 3, 15)),
        matter=matter,
        power="approve",
        amount_gbp=250_000,
        resolution="The full business case for the care homes support team is approved, funded from the "
        "System Investment Fund.",
        outcome="carried",
        minute_reference="HCE/18/23",
        source_document="Health and Care Executive minutes, 15 March 2018",
        source_reference="Item 6",
    )
    return older, newer
