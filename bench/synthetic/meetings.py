"""The meeting cycle around the generated agenda items: per item a paper with two versions, a
minute (some amended) and an action with its updates; per meeting its minutes and packs; per live
body its forward plan; per partnership gifts and a declaration round with returns. Files are named,
not written (the API lists them; downloads are not benchmarked)."""

from __future__ import annotations

import datetime

from bench.synthetic.core import Build, day
from decisions.models import AgendaItem
from meetings import models as m

UPLOADED = datetime.datetime(2017, 1, 3, 9, 0, tzinfo=datetime.UTC)


def write_meeting_cycle(c: Build) -> None:
    items = list(AgendaItem.objects.order_by("id").values_list("id", "meeting_id", "meeting__body_id"))
    meetings = sorted({meeting for _, meeting, _ in items})
    _write_papers_and_packs(c, items, meetings)
    _write_minutes(c, items, meetings)
    _write_actions(c, items)
    _write_plans_and_registers(c)


def _write_papers_and_packs(c: Build, items: list[tuple[int, int, int]], meetings: list[int]) -> None:
    w = c.w
    paper0 = w.reserve(m.Paper, len(items))
    w.copy(
        m.Paper,
        (
            {
                "id": paper0 + x,
                "agenda_item_id": item,
                "title": f"Report to item {item}",
                "current_version": 2,
            }
            for x, (item, _, _) in enumerate(items)
        ),
    )
    w.copy(
        m.PaperVersion,
        (
            {
                "paper_id": paper0 + x,
                "number": number,
                "file": f"papers/synthetic/{paper0 + x}-v{number}.pdf",
                "kind": "pdf",
                "original_name": "report.pdf",
                "size": 40_000 + x,
                "sha256": f"{paper0 + x:032x}{number:032x}",
                "pages": 4,
                "uploaded_at": UPLOADED,
            }
            for x in range(len(items))
            for number in (1, 2)
        ),
    )
    w.copy(
        m.AgendaPack,
        (
            {
                "meeting_id": meeting,
                "members_only": members_only,
                "status": "done",
                "progress": 100,
                "file": f"packs/synthetic/{meeting}-{int(members_only)}.pdf",
                "pages": 12,
                "requested_at": UPLOADED,
                "finished_at": UPLOADED,
            }
            for meeting in meetings
            for members_only in (False, True)
        ),
    )


def _write_minutes(c: Build, items: list[tuple[int, int, int]], meetings: list[int]) -> None:
    w = c.w
    minutes0 = w.reserve(m.Minutes, len(meetings))
    minutes_of = {meeting: minutes0 + x for x, meeting in enumerate(meetings)}
    w.copy(m.Minutes, ({"id": minutes_of[meeting], "meeting_id": meeting} for meeting in meetings))
    entry0 = w.reserve(m.MinuteEntry, len(items))
    w.copy(
        m.MinuteEntry,
        (
            {"id": entry0 + x, "minutes_id": minutes_of[meeting], "agenda_item_id": item, "text": "Noted."}
            for x, (item, meeting, _) in enumerate(items)
        ),
    )
    w.copy(
        m.MinuteAmendment,
        (
            {"entry_id": entry0 + x, "previous_text": "Note.", "text": "Noted.", "reason": "A typing error."}
            for x in range(len(items))
            for _ in range(x % 3)
        ),
    )


def _write_actions(c: Build, items: list[tuple[int, int, int]]) -> None:
    w = c.w
    action0 = w.reserve(m.Action, len(items))
    w.copy(
        m.Action,
        (
            {
                "id": action0 + x,
                "body_id": body,
                "agenda_item_id": item,
                "description": "Bring the revised plan to the next meeting.",
                "owner_id": c.people[(x * 5) % c.size.people],
                "due_on": day(datetime.date(2017, 3, 1), x % 300),
            }
            for x, (item, _, body) in enumerate(items)
        ),
    )
    w.copy(
        m.ActionUpdate,
        (
            {"action_id": action0 + x, "on": day(datetime.date(2017, 2, 1), u), "text": "In hand."}
            for x in range(len(items))
            for u in range(x % 4)
        ),
    )


def _write_plans_and_registers(c: Build) -> None:
    w = c.w
    w.copy(
        m.ForwardPlanEntry,
        (
            {"body_id": c.body_id(i, n), "title": title, "month": month}
            for i, n in c.decision_bodies
            for title, month in (("Annual report", 6), ("Budget", 3))
        ),
    )
    w.copy(
        m.Gift,
        (
            {
                "partnership_id": c.partnerships[i],
                "person_id": c.people[(i * 7 + g) % c.size.people],
                "kind": "hospitality_meal",
                "description": "Dinner at a conference",
                "offered_by": "A supplier",
                "value_gbp": 30 + g,
                "offered_on": day(datetime.date(2017, 5, 1), g),
                "accepted": True,
                "declared_on": day(datetime.date(2017, 5, 2), g),
            }
            for i in range(c.P)
            for g in range(4)
        ),
    )
    round0 = w.reserve(m.DeclarationRound, c.P)
    w.copy(
        m.DeclarationRound,
        (
            {
                "id": round0 + i,
                "partnership_id": c.partnerships[i],
                "year": 2017,
                "opens_on": datetime.date(2017, 4, 1),
                "closes_on": datetime.date(2017, 5, 31),
            }
            for i in range(c.P)
        ),
    )
    w.copy(
        m.DeclarationReturn,
        (
            {"round_id": round0 + i, "person_id": person, "nil_return": r % 2 == 0, "confirmed_at": UPLOADED}
            for i in range(c.P)
            for r, person in enumerate(sorted({c.people[(i * 11 + k) % c.size.people] for k in range(i + 2)}))
        ),
    )
