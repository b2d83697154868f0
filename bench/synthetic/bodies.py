"""People, partnerships, organisations and their memberships and agreements; bodies, their terms
of reference and appointments."""

from __future__ import annotations

import datetime
import decimal

from bench.synthetic.core import COMMITTEES, FIRST_NAMES, LAST_NAMES, ORGANISATION_KINDS, PLACES, Build, src
from bodies import models as b

REGIONS = ["North East and Yorkshire", "Midlands", "East of England", "South West"]


def write_people(c: Build) -> None:
    size, w = c.size, c.w
    person0 = w.reserve(b.Person, size.people)
    w.copy(
        b.Person,
        (
            {
                "id": person0 + i,
                "name": f"{FIRST_NAMES[i % 32]} {LAST_NAMES[(i * 7) % 31]} {i}",
                "note": "Interim appointment." if i % 11 == 0 else "",
                **src(i),
            }
            for i in range(size.people)
        ),
    )
    c.people = range(person0, person0 + size.people)


def write_partnerships(c: Build) -> None:
    w, P, people = c.w, c.P, c.people
    partnership0 = w.reserve(b.Partnership, P)
    labels = c.labels = [f"{PLACES[i % len(PLACES)]} {i // len(PLACES) + 1}" for i in range(P)]
    w.copy(
        b.Partnership,
        (
            {
                "id": partnership0 + i,
                "name": f"{labels[i]} Health and Care Partnership",
                "short_name": labels[i] if i % 5 else "",
                "slug": f"partnership-{i}",
                "footprint_number": i + 1,
                "region": REGIONS[i % 4],
                "population": 300_000 + (i * 7919) % 2_700_000,
                "budget_gbp": decimal.Decimal(500_000_000 + (i * 104_729) % 4_500_000_000) / 100,
                "lead_id": people[i],
                "lead_role": f"Accountable Officer, NHS {labels[i]} CCG",
                "description": f"The health and care partnership for {labels[i]}.",
                **src(i),
            }
            for i in range(P)
        ),
    )
    c.partnerships = range(partnership0, partnership0 + P)
    w.copy(b.PartnershipStage, _stage_rows(c))


def _stage_rows(c: Build):
    for i, p in enumerate(c.partnerships):
        yield {
            "partnership_id": p,
            "stage": "stp",
            "effective_from": datetime.date(2016, 3, 1),
            "effective_to": datetime.date(2018, 3, 31),
            **src(i),
        }
        yield {
            "partnership_id": p,
            "stage": "ics",
            "effective_from": datetime.date(2018, 4, 1),
            **src(i),
        }


def write_organisations(c: Build) -> None:
    """Organisations (their kinds drawn from the seeded generator), mergers, and memberships: each
    organisation is a member of one partnership, every third of a second one too."""
    size, w = c.size, c.w
    organisation0 = w.reserve(b.Organisation, size.organisations)
    w.copy(b.Organisation, _organisation_rows(c, organisation0))
    organisations = c.organisations = range(organisation0, organisation0 + size.organisations)
    w.copy(
        b.OrganisationSuccession,
        (
            {
                "predecessor_id": organisations[2 * i],
                "successor_id": organisations[2 * i + 1],
                "effective_on": datetime.date(2018 + i % 4, 4, 1),
                "kind": "merger",
                **src(i),
            }
            for i in range(size.organisations // 20)
        ),
    )
    w.copy(
        b.OrganisationName,
        (
            {
                "organisation_id": organisations[i],
                "name": f"Former name of organisation {i}",
                "effective_from": datetime.date(2013, 4, 1),
                "effective_to": datetime.date(2019, 3, 31),
                **src(i),
            }
            for i in range(0, size.organisations, 10)
        ),
    )
    c.members = {p: [] for p in c.partnerships}
    w.copy(b.Membership, _membership_rows(c))


def _organisation_rows(c: Build, organisation0: int):
    for i in range(c.size.organisations):
        kind = ORGANISATION_KINDS[c.rng.randrange(len(ORGANISATION_KINDS))]
        place = PLACES[i % len(PLACES)]
        name = {
            "ccg": f"NHS {place} CCG {i}",
            "nhs_foundation_trust": f"{place} Hospitals NHS Foundation Trust {i}",
            "nhs_trust": f"{place} Community Health NHS Trust {i}",
            "local_authority": f"{place} Council {i}",
            "general_practice": f"{LAST_NAMES[i % 31]} Road Surgery {i}, {place}",
        }[kind]
        yield {
            "id": organisation0 + i,
            "name": name,
            "slug": f"organisation-{i}",
            "kind": kind,
            "is_statutory": kind != "general_practice",
            "ods_code": f"{chr(65 + i % 26)}{i:05d}" if i % 4 else None,
            "other_names": [f"Formerly {name}"] if i % 7 == 0 else [],
            "established_on": datetime.date(1990 + i % 30, 1 + i % 12, 1) if i % 5 else None,
            **src(i),
        }


def _membership_rows(c: Build):
    P, partnerships = c.P, c.partnerships
    standings = [k for k, _ in b.Membership.Standing.choices]
    for i, o in enumerate(c.organisations):
        homes = [partnerships[i % P]]
        if i % 3 == 0 and P > 1:
            homes.append(partnerships[(i * 7 + 1) % P])
        for p in dict.fromkeys(homes):
            c.members[p].append(o)
            yield {
                "partnership_id": p,
                "organisation_id": o,
                "standing": standings[i % len(standings)],
                "status": "confirmed" if i % 10 else "to_be_confirmed",
                "effective_from": datetime.date(2016, 3, 1) if i % 3 else None,
                **src(i),
            }


def write_agreements(c: Build) -> None:
    w, P, partnerships, labels, members = c.w, c.P, c.partnerships, c.labels, c.members
    agreement0 = w.reserve(b.Agreement, 2 * P)
    w.copy(
        b.Agreement,
        (
            {
                "id": agreement0 + 2 * i + n,
                "partnership_id": p,
                "slug": kind,
                "kind": kind,
                "title": f"{labels[i]} {title}",
                "version": f"1.{n}",
                "status": "in_force",
                "agreed_on": datetime.date(2017, 1 + i % 12, 1),
                "effective_from": datetime.date(2017, 4, 1),
                "review_interval_months": 12,
                **src(i),
            }
            for i, p in enumerate(partnerships)
            for n, (kind, title) in enumerate(
                [("mou", "Memorandum of understanding"), ("governance_framework", "Governance framework")]
            )
        ),
    )
    w.copy(
        b.Signature,
        (
            {
                "agreement_id": agreement0 + 2 * i + n,
                "organisation_id": o,
                "signatory_name": f"{FIRST_NAMES[j % 32]} {LAST_NAMES[j % 31]}",
                "signatory_title": "Accountable Officer" if j % 2 else "Chief Executive",
                "signed_on": datetime.date(2017, 3, 1 + j % 28),
                **src(j),
            }
            for i, p in enumerate(partnerships)
            for n in range(2)
            for j, o in enumerate(members[p][:20])
        ),
    )


def write_bodies(c: Build) -> None:
    """Each partnership's bodies (the last dissolved) and the statutory boards, and how each
    reports to its partnership's board."""
    w, B = c.w, c.B
    c.body0 = w.reserve(b.Body, c.size.bodies)
    w.copy(b.Body, _body_rows(c))
    w.copy(
        b.BodyRelationship,
        (
            {
                "from_body_id": c.body_id(i, n),
                "to_body_id": c.body_id(i, 0),
                "kind": "reports_to" if n % 4 else "accountable_to",
                "effective_from": datetime.date(2016, 3, 1),
                **src(n),
            }
            for i in range(c.P)
            for n in range(1, B)
        ),
    )


def _body_rows(c: Build):
    kinds = ["committee", "sub_committee", "advisory_group", "forum", "programme_board"]
    B, labels = c.B, c.labels
    for i, p in enumerate(c.partnerships):
        for n in range(B):
            name = f"{labels[i]} {COMMITTEES[n % len(COMMITTEES)]}"
            dissolved = n == B - 1
            c.binds[c.body_id(i, n)] = n % 3 != 0  # a third need their decisions ratified
            yield {
                "id": c.body_id(i, n),
                "partnership_id": p,
                "name": name,
                "short_name": "" if n % 4 else f"{labels[i][:3].upper()}-{n}",
                "slug": f"body-{n}",
                "kind": "board" if n == 0 else kinds[n % len(kinds)],
                "status": "dissolved" if dissolved else "active",
                "holds_delegated_authority": True,
                "decisions_bind_partners": c.binds[c.body_id(i, n)],
                "description": f"{name}: established under the partnership's governance framework.",
                "effective_from": datetime.date(2016, 3, 1),
                "effective_to": datetime.date(2022, 3, 31) if dissolved else None,
                **src(i * B + n),
            }
    for k in range(c.size.statutory_boards):
        o = c.organisations[(k * 17) % c.size.organisations]
        yield {
            "id": c.body0 + c.P * B + k,
            "organisation_id": o,
            "name": f"Board of organisation {o}",
            "slug": f"board-{o}",
            "kind": "statutory_board",
            "status": "active",
            "decisions_bind_partners": False,
            **src(k),
        }


def all_bodies(c: Build) -> range:
    return range(c.body0, c.body0 + c.size.bodies)


def write_terms_of_reference(c: Build) -> None:
    """Terms of reference (a third superseded once, a tenth with a draft), objectives and roles."""
    w, organisations = c.w, c.organisations
    terms = list(_terms_rows(c))
    terms0 = w.reserve(b.TermsOfReference, len(terms))
    for n, row in enumerate(terms):
        row["id"] = terms0 + n
    w.copy(b.TermsOfReference, terms)
    w.copy(
        b.TermsOfReferenceObjective,
        (
            {
                "terms_of_reference_id": t["id"],
                "position": n,
                "heading": "Assurance" if n == 1 else "",
                "text": f"To provide assurance to the partnership board on objective {n}.",
            }
            for t in terms
            for n in range(1, 4)
        ),
    )
    w.copy(
        b.TermsOfReferenceRole,
        (
            {
                "terms_of_reference_id": t["id"],
                "position": n,
                "title": "Chair" if n == 1 else f"Director {n}",
                "category": "member",
                "voting": True,
                "is_chair": n == 1,
                "organisation_id": organisations[(t["id"] * 13 + n) % c.size.organisations]
                if n % 2
                else None,
            }
            for t in terms
            for n in range(1, 5)
        ),
    )


def _terms_versions(k: int) -> list[tuple[str, datetime.date | None, datetime.date | None]]:
    versions = [("approved", datetime.date(2017, 4, 1), None)]
    if k % 3 == 0:
        versions = [
            ("superseded", datetime.date(2017, 4, 1), datetime.date(2019, 3, 31)),
            ("approved", datetime.date(2019, 4, 1), None),
        ]
    if k % 10 == 0:
        versions.append(("draft", None, None))
    return versions


def _terms_rows(c: Build):
    P, B = c.P, c.B
    for k, body in enumerate(all_bodies(c)):
        approver = c.body_id(k // B, 0) if k < P * B and k % B else None
        for v, (status, start, end) in enumerate(_terms_versions(k), start=1):
            yield {
                "body_id": body,
                "version": v,
                "status": status,
                "approved_by_id": approver if status != "draft" else None,
                "approved_on": start - datetime.timedelta(days=14) if start else None,
                "effective_from": start,
                "effective_to": end,
                "purpose": "To oversee the body's business on behalf of the partners.",
                "quorum_rule": "One third of the voting members, including the chair or vice chair.",
                "quorum_count": 3 if k % 2 else None,
                "decision_method": "consensus",
                "meeting_frequency": "monthly",
                "duration_minutes_min": 60,
                "duration_minutes_max": 120,
                "review_interval_months": 12,
                "next_review_due": datetime.date(2020 + k % 3, 4, 1),
                **src(k),
            }


def write_appointments(c: Build) -> None:
    """Four appointments per body, four different people: a chair, a vice chair, two members."""
    c.w.copy(b.Appointment, _appointment_rows(c))


def _appointment_rows(c: Build):
    roles = ["chair", "vice_chair", "member", "member"]
    people, organisations, size = c.people, c.organisations, c.size
    for k, body in enumerate(all_bodies(c)):
        chosen = [people[(k * 4 + n) % size.people] for n in range(4)]
        c.appointed[body] = chosen
        for n, person in enumerate(chosen):
            yield {
                "body_id": body,
                "person_id": person,
                "role": roles[n],
                "title": "Director of Finance" if n % 2 else "Chief Executive",
                "representing_id": organisations[(k * 5 + n) % size.organisations] if n % 2 == 0 else None,
                "voting": True,
                "deputy_id": people[(k * 4 + 5) % size.people] if n == 0 else None,
                "effective_from": datetime.date(2017, 4, 1),
                **src(k),
            }
