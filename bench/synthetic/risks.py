"""Risk registers (one per live body), their risks, reviews, actions and escalations."""

from __future__ import annotations

import datetime

from bench.synthetic.core import Build, day, src
from risks import models as r


def levels(x: int, salt: int) -> tuple[int, int]:
    return 1 + (x * 7 + salt) % 5, 1 + (x * 11 + salt * 3) % 5


def write_risks(c: Build) -> tuple[int, int]:
    """Every table of the risk registers; returns (first risk id, number of risks)."""
    w = c.w
    decision_bodies = c.decision_bodies
    w.copy(r.ScoringMatrix, ({"partnership_id": p, **src(i)} for i, p in enumerate(c.partnerships)))
    register0 = w.reserve(r.RiskRegister, len(decision_bodies))
    w.copy(
        r.RiskRegister,
        (
            {
                "id": register0 + k,
                "partnership_id": c.partnerships[i],
                "body_id": c.body_id(i, n),
                "review_interval_months": 3,
                **src(k),
            }
            for k, (i, n) in enumerate(decision_bodies)
        ),
    )
    R = c.size.risks_per_register
    risk0 = w.reserve(r.Risk, len(decision_bodies) * R)
    w.copy(r.Risk, _risk_rows(c, register0, risk0))
    risks_total = len(decision_bodies) * R
    w.copy(r.RiskReview, _review_rows(c, risk0, risks_total))
    w.copy(
        r.RiskAction,
        (
            {
                "risk_id": risk0 + x,
                "description": "Recruit to the vacant posts.",
                "owner_id": c.people[(x * 3) % c.size.people],
                "due_on": day(datetime.date(2019, 1, 1), x % 365),
                "status": "completed" if x % 4 == 0 else "in_progress",
                "completed_on": day(datetime.date(2019, 1, 1), x % 365) if x % 4 == 0 else None,
            }
            for x in range(risks_total)
        ),
    )
    w.copy(
        r.RiskEscalation,
        (
            {
                "risk_id": risk0 + k * R,
                "from_register_id": register0 + k,
                "to_body_id": c.body_id(i, 0),
                "escalated_on": datetime.date(2019, 6, 2),
                "reason": "Above appetite for two quarters.",
                "response": "accepted" if k % 2 else "pending",
                "responded_on": datetime.date(2019, 7, 1) if k % 2 else None,
            }
            for k, (i, n) in enumerate(decision_bodies)
            if n != 0 and k % 4 == 1
        ),
    )
    return risk0, risks_total


def _risk_rows(c: Build, register0: int, risk0: int):
    R = c.size.risks_per_register
    matrix = r.ScoringMatrix()
    appetites = [a.value for a in r.Appetite]
    risk_categories = [k for k, _ in r.Risk.Category.choices]
    for k, (i, n) in enumerate(c.decision_bodies):
        members = c.members[c.partnerships[i]]
        for q in range(R):
            x = k * R + q
            il, ic = levels(x, 4)
            cl, cc = min(il, levels(x, 2)[0]), min(ic, levels(x, 2)[1])
            tl, tc = min(cl, 2), min(cc, 2)
            appetite = appetites[x % len(appetites)]
            status = "open" if x % 9 else "closed"
            identified = datetime.date(2017, 1 + x % 12, 1 + x % 28)
            yield {
                "id": risk0 + x,
                "partnership_id": c.partnerships[i],
                "register_id": register0 + k,
                "reference": f"R-{n:02d}-{q:03d}",
                "title": f"Risk {x}: delivery of the programme is delayed",
                "description": "Insufficient capacity to deliver the plan on time.",
                "cause": "Workforce shortages.",
                "effect": "Patients wait longer.",
                "category": risk_categories[x % len(risk_categories)],
                "owner_id": c.appointed[c.body_id(i, n)][x % 4],
                "owner_title": "Director of Finance",
                "lead_organisation_id": members[0] if members else None,
                "inherent_likelihood": il,
                "inherent_consequence": ic,
                "current_likelihood": cl,
                "current_consequence": cc,
                "target_likelihood": tl,
                "target_consequence": tc,
                "inherent_band": matrix.band_for(il * ic),
                "current_band": matrix.band_for(cl * cc),
                "target_band": matrix.band_for(tl * tc),
                "appetite": appetite,
                "tolerable_score": matrix.tolerable_score(appetite),
                "controls": "Monthly monitoring by the committee.",
                "status": status,
                "identified_on": identified,
                "closed_on": day(identified, 400) if status != "open" else None,
                "last_reviewed_on": datetime.date(2019, 6, 1),
                "next_review_due": day(datetime.date(2019, 9, 1), x % 90),
                **src(x),
            }


def _review_rows(c: Build, risk0: int, risks_total: int):
    matrix = r.ScoringMatrix()
    for x in range(risks_total):
        for v, reviewed in enumerate((datetime.date(2019, 3, 1), datetime.date(2019, 6, 1))):
            cl, cc = levels(x, 2 + v)
            tl, tc = min(cl, 2), min(cc, 2)
            yield {
                "risk_id": risk0 + x,
                "reviewed_on": reviewed,
                "reviewer_id": c.people[x % c.size.people],
                "current_likelihood": cl,
                "current_consequence": cc,
                "target_likelihood": tl,
                "target_consequence": tc,
                "current_band": matrix.band_for(cl * cc),
                "target_band": matrix.band_for(tl * tc),
                "note": "Quarterly review: scores unchanged." if v else "",
            }
