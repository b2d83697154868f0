"""Partnerships that change form: STP, shadow ACS/ICS, ICS, then an ICS whose integrated care board
(ICB) is a statutory organisation (1 July 2022, Health and Care Act 2022, s. 19 and sch. 4: the ICBs
were established and the CCGs abolished, their functions passing to the ICBs).

What changes at the statutory stage: the ICB is an organisation (kind `icb`, statutory) and a party
to the partnership; it succeeds the CCGs (a transfer of functions, recorded with
`record_succession`), so every answer as at a later date asks the ICB where it asked a CCG; the ICB's
board and committees are bodies (its own, like a member's statutory board); the integrated care
partnership (ICP), the statutory joint committee of the ICB and the local authorities, is a body of
the partnership.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from bodies.models import Body, BodyRelationship, Membership, Organisation, Partnership, PartnershipStage
from bodies.services import membership_end
from bodies.successions import record_succession

STATUTORY_ICB_DAY = datetime.date(2022, 7, 1)
HEALTH_AND_CARE_ACT = {
    "source_document": "Health and Care Act 2022",
    "source_reference": "s. 19 and schedule 4 (integrated care boards; abolition of CCGs), in force 1 July 2022",
    "source_url": "https://www.legislation.gov.uk/ukpga/2022/31/contents/enacted",
}


@transaction.atomic
def partnership_stage_change(
    *, partnership: Partnership, stage: str, effective_from: datetime.date, **source
) -> PartnershipStage:
    """The partnership is at `stage` from `effective_from`; the stage before it ends the day before."""
    Partnership.objects.select_for_update().order_by().get(pk=partnership.pk)
    if stage not in PartnershipStage.Stage.values:
        raise ValidationError({"stage": f"Unknown stage “{stage}”."})
    current = partnership.stages.in_force(effective_from).first()
    if current is not None:
        if current.stage == stage:
            return current
        if current.effective_from and current.effective_from >= effective_from:
            raise ValidationError(
                {
                    "effective_from": f"The partnership is at another stage from {current.effective_from:%d %B %Y}."
                }
            )
        current.effective_to = effective_from - datetime.timedelta(days=1)
        current.full_clean()
        current.save(update_fields=["effective_to"])
    new = PartnershipStage(partnership=partnership, stage=stage, effective_from=effective_from, **source)
    new.full_clean()
    new.save()
    return new


@dataclass
class StatutoryIcb:
    stage: PartnershipStage
    icb: Organisation
    board: Body
    committees: list[Body] = field(default_factory=list)
    partnership_body: Body | None = None


@transaction.atomic
def icb_establish(
    *,
    partnership: Partnership,
    icb: Organisation,
    ccgs: list[Organisation],
    effective_on: datetime.date = STATUTORY_ICB_DAY,
    board_name: str | None = None,
    committees: tuple[str, ...] = (),
    icp_name: str | None = None,
    source: dict | None = None,
) -> StatutoryIcb:
    """The partnership becomes an ICS with a statutory ICB on `effective_on`: the ICB succeeds each CCG
    (their memberships end the day before; the ICB becomes a party), its board and committees are
    recorded as its bodies and the ICP as a body of the partnership."""
    source = source or HEALTH_AND_CARE_ACT
    if icb.kind != Organisation.Kind.ICB:
        raise ValidationError({"icb": f"{icb.name} is not recorded as an integrated care board."})
    icb = Organisation.objects.select_for_update().order_by().get(pk=icb.pk)
    if icb.established_on is None:
        icb.established_on = effective_on
        icb.is_statutory = True
        icb.full_clean()
        icb.save(update_fields=["established_on", "is_statutory"])
    stage = partnership_stage_change(
        partnership=partnership,
        stage=PartnershipStage.Stage.STATUTORY_ICS,
        effective_from=effective_on,
        **source,
    )
    for ccg in ccgs:
        if ccg.kind != Organisation.Kind.CCG:
            raise ValidationError({"ccgs": f"{ccg.name} is not a clinical commissioning group."})
        record_succession(
            predecessor=ccg, successor=icb, effective_on=effective_on, kind="transfer",
            note="The CCG was abolished; its functions passed to the integrated care board.", **source,
        )  # fmt: skip
        for membership in Membership.objects.in_force(effective_on).filter(
            partnership=partnership, organisation=ccg
        ):
            membership_end(membership=membership, ended_on=effective_on - datetime.timedelta(days=1))
    if (
        not Membership.objects.in_force(effective_on)
        .filter(partnership=partnership, organisation=icb)
        .exists()
    ):
        membership = Membership(
            partnership=partnership, organisation=icb, standing=Membership.Standing.PARTY_TO,
            effective_from=effective_on, note="The statutory integrated care board.", **source,
        )  # fmt: skip
        membership.full_clean()
        membership.save()
    board = _body(
        organisation=icb, partnership=None, kind=Body.Kind.STATUTORY_BOARD,
        name=board_name or f"{icb.name} Board", effective_from=effective_on, source=source,
    )  # fmt: skip
    result = StatutoryIcb(stage=stage, icb=icb, board=board)
    for name in committees:
        committee = _body(
            organisation=icb, partnership=None, kind=Body.Kind.COMMITTEE, name=name,
            effective_from=effective_on, source=source,
        )  # fmt: skip
        relation = BodyRelationship(
            from_body=committee,
            to_body=board,
            kind=BodyRelationship.Kind.REPORTS_TO,
            effective_from=effective_on,
        )
        relation.full_clean()
        relation.save()
        result.committees.append(committee)
    if icp_name:
        result.partnership_body = _body(
            organisation=None, partnership=partnership, kind=Body.Kind.INTEGRATED_CARE_PARTNERSHIP,
            name=icp_name, effective_from=effective_on, source=source,
            decisions_bind_partners=False,
        )  # fmt: skip
    return result


def _body(*, organisation, partnership, kind, name, effective_from, source, **extra) -> Body:
    body = Body(
        organisation=organisation,
        partnership=partnership,
        kind=kind,
        name=name,
        slug=slugify(name)[:120],
        effective_from=effective_from,
        **extra,
        **source,
    )
    body.full_clean()
    body.save()
    return body
