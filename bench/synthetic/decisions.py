"""Meetings with their attendance, agendas, interests and declarations; proposals; decisions and
the ratifications that decisions of non-binding bodies wait for."""

from __future__ import annotations

import datetime
import decimal

from bench.synthetic.core import Build, day, src
from decisions import models as d

URGENT_EVERY = 50  # one in fifty is an urgent decision outside a meeting
OUTCOMES = ["carried"] * 8 + ["not_carried", "deferred"]


def write_meetings(c: Build) -> None:
    """Every live body's meetings, each approving the minutes of the one before; attendance at
    every fourth; one agenda item each body."""
    w, M = c.w, c.M
    decision_bodies = c.decision_bodies
    c.meeting0 = w.reserve(d.Meeting, len(decision_bodies) * M)
    w.copy(d.Meeting, _meeting_rows(c), batch=M * 4_000)  # a body's meetings in one COPY: they refer on
    w.copy(d.Attendance, _attendance_rows(c))


def _meeting_rows(c: Build):
    M = c.M
    for k, (i, n) in enumerate(c.decision_bodies):
        for j in range(M):
            starts = datetime.datetime.combine(c.meeting_day(k, j), datetime.time(10, 0), tzinfo=datetime.UTC)
            yield {
                "id": c.meeting_id(k, j),
                "body_id": c.body_id(i, n),
                "title": "Extraordinary meeting" if j % 7 == 6 else "",
                "starts_at": starts,
                "ends_at": starts + datetime.timedelta(hours=2),
                "place": f"Room {1 + j % 4}, {c.labels[i]} House",
                "status": "held",
                "notice_given_on": c.meeting_day(k, j) - datetime.timedelta(days=7),
                "minutes_approved_at_id": c.meeting_id(k, j + 1) if j + 1 < M else None,
                **src(k),
            }


def _attendance_rows(c: Build):
    for k, (i, n) in enumerate(c.decision_bodies):
        for j in range(0, c.M, 4):
            for a, person in enumerate(c.appointed[c.body_id(i, n)]):
                represented = a == 0 and j % 8 == 4
                yield {
                    "meeting_id": c.meeting_id(k, j),
                    "person_id": person,
                    "status": "represented_by_deputy"
                    if represented
                    else ("apologies" if a == 3 else "present"),
                    "deputy_id": c.people[(k * 4 + 5) % c.size.people] if represented else None,
                    "voting": True,
                }


def write_interests_and_proposals(c: Build) -> None:
    """An agenda item per body's first meeting, declared interests, and three proposals per
    partnership, one on each approval route."""
    w, P, decision_bodies = c.w, c.P, c.decision_bodies
    agenda0 = w.reserve(d.AgendaItem, len(decision_bodies))
    w.copy(
        d.AgendaItem,
        (
            {
                "id": agenda0 + k,
                "meeting_id": c.meeting_id(k, 0),
                "position": 1,
                "reference": "1",
                "title": "Business case for approval",
                **src(k),
            }
            for k in range(len(decision_bodies))
        ),
    )
    interest0 = w.reserve(d.Interest, P * 4)
    w.copy(d.Interest, _interest_rows(c, interest0))
    w.copy(
        d.Declaration,
        (
            {
                "meeting_id": c.meeting_id(k, 0),
                "agenda_item_id": agenda0 + k,
                "person_id": c.appointed[c.body_id(i, n)][2],
                "nature": "A financial interest in a bidder.",
                "management": "left_the_meeting",
                "managed_by_id": c.appointed[c.body_id(i, n)][0],
                **src(k),
            }
            for k, (i, n) in enumerate(decision_bodies)
            if k % 5 == 0
        ),
    )
    proposal0 = w.reserve(d.Proposal, P * 3)
    w.copy(
        d.Proposal,
        (
            {
                "id": proposal0 + 3 * i + r,
                "partnership_id": p,
                "title": f"Proposal {r + 1} of {c.labels[i]}",
                "category": c.route_categories[r],
                "route_id": c.route0 + 3 * i + r,
                "amount_gbp": decimal.Decimal(250_000 * (r + 1)),
                "stage_reached": 1,
                "status": "in_progress",
                **src(i),
            }
            for i, p in enumerate(c.partnerships)
            for r in range(3)
        ),
    )


def _interest_rows(c: Build, interest0: int):
    for i, p in enumerate(c.partnerships):
        members = c.members[p]
        for a in range(4):
            yield {
                "id": interest0 + 4 * i + a,
                "partnership_id": p,
                "person_id": c.appointed[c.body_id(i, 1)][a],
                "kind": "financial" if a % 2 else "non_financial_professional",
                "description": "Director of a provider company.",
                "organisation_id": members[a % len(members)] if members else None,
                "declared_on": datetime.date(2017, 4, 1),
                "effective_from": datetime.date(2017, 4, 1),
                "withheld": a == 3,
                "withheld_reason": "Personal safety." if a == 3 else "",
                **src(i),
            }


def write_decisions(c: Build) -> None:
    """Decisions at every meeting (one in fifty urgent, between meetings); those of bodies whose
    decisions do not bind the partners wait for, or have, the partners' ratifications."""
    w = c.w
    decision_count = len(c.decision_bodies) * c.M * c.size.decisions_per_meeting
    decision0 = w.reserve(d.Decision, decision_count)
    ratify: list[tuple[int, int, datetime.date, bool]] = []  # (decision, partnership index, date, pending)
    w.copy(d.Decision, _decision_rows(c, decision0, ratify))
    w.copy(d.Ratification, _ratification_rows(c, ratify))


def _decision_rows(c: Build, decision0: int, ratify: list):
    M, D = c.M, c.size.decisions_per_meeting
    for k, (i, n) in enumerate(c.decision_bodies):
        matters_here = [m for m in range(min(c.matters_of[i], 40)) if n in c.chain(m)] or [0]
        for j in range(M):
            on = c.meeting_day(k, j)
            for e in range(D):
                x = (k * M + j) * D + e
                m = matters_here[x % len(matters_here)]
                row = _decision_row(c, k, (i, n), j, e, x, m, on)
                row["id"] = decision0 + x
                status = _decision_status(c, row, j)
                if status is None:
                    status = "awaiting_ratification" if j >= M - 2 else "effective"
                    ratify.append((row["id"], i, on, status == "awaiting_ratification"))
                row["status"] = status
                row["effective_on"] = on if status == "effective" else None
                yield row


def _decision_status(c: Build, row: dict, j: int) -> str | None:
    """Rescinded, effective, or None: a carried decision that the partners ratify."""
    if row["rescinded_on"] is not None:
        return "rescinded"
    if c.binds[row["body_id"]] or row["outcome"] != "carried":
        return "effective"
    return None


def _decision_row(c: Build, k: int, at: tuple[int, int], j: int, e: int, x: int, m: int, on) -> dict:
    i, n = at
    body = c.body_id(i, n)
    urgent = x % URGENT_EVERY == 7
    chain = c.chain(m)
    depth = chain.index(n) if n in chain else None
    rescinded = x % 101 == 0
    restricted = x % 37 == 0
    voted = bool(e % 2)
    return {
        "id": None,
        "body_id": body,
        "meeting_id": None if urgent else c.meeting_id(k, j),
        "urgent": urgent,
        "urgency_reason": "A contract deadline before the next meeting." if urgent else "",
        "taken_by_id": c.appointed[body][0] if urgent else None,
        "reported_at_id": c.meeting_id(k, j + 1) if urgent and j + 1 < c.M else None,
        "matter_id": c.matter_base[i] + m,
        "power": "approve",
        "amount_gbp": decimal.Decimal(10_000 + (x * 7919) % 400_000),
        "resolution": f"The committee approved business case {x} within its delegated limit.",
        "outcome": OUTCOMES[x % len(OUTCOMES)],
        "votes_for": 6 if voted else None,
        "votes_against": 1 if voted else None,
        "votes_abstaining": 0 if voted else None,
        "minute_reference": f"{j + 1}.{e + 1}",
        "decided_on": on,
        "delegation_id": (
            c.delegation0 + c.delegation_base[i] + m * 5 + depth if depth is not None else None
        ),
        "authority_explanation": "Delegated by the partnership board within the limit.",
        "recorded_as": "decision",
        "status": None,
        "effective_on": None,
        "restricted": restricted,
        "restriction_reason": "Commercially confidential." if restricted else "",
        "rescinded_on": day(on, 60) if rescinded else None,
        "rescission_reason": "Superseded by a later decision." if rescinded else "",
        **src(x),
    }


def _ratification_rows(c: Build, ratify: list):
    for pk, i, on, pending in ratify:
        parties = c.members[c.partnerships[i]]
        for q in range(2):
            organisation = parties[(pk + q) % len(parties)] if len(parties) > 1 else None
            if organisation is None or (
                q == 1 and parties[(pk + 1) % len(parties)] == parties[pk % len(parties)]
            ):
                continue
            yield {
                "decision_id": pk,
                "organisation_id": organisation,
                "outcome": "pending" if pending else "ratified",
                "decided_on": None if pending else day(on, 21),
                "minute_reference": "" if pending else f"R{pk % 1000}",
                **src(pk),
            }
