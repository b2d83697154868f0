"""The floor for each list endpoint: one hand-written SQL query, rows into dicts, orjson.

Each floor returns the same page the API returns (same rows, same order as the viewset's
`ordering`, the same fields the serializer outputs, foreign keys as `{id, url, display}`)
so that the benchmark can check it against the API's `results` before timing anything.
Nested lists (a partnership's stages, a terms of reference's objectives and roles) come
from the same query with `json_agg`. Labels of choices are the model's own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import orjson

from bodies import models as m
from delegation import models as gm
from risks import models as rm

BASE = "http://testserver/api/v1/"
SOURCE_COLUMNS = "{t}.source_document, {t}.source_reference, {t}.source_url"

STAGE = dict(m.PartnershipStage.Stage.choices)
STANDING = dict(m.Membership.Standing.choices)
RELATIONSHIP = dict(m.BodyRelationship.Kind.choices)
TOR_STATUS = dict(m.TermsOfReference.Status.choices)
CATEGORY = dict(m.TermsOfReferenceRole.Category.choices)
ROLE = dict(m.Appointment.Role.choices)


def src(t: str) -> str:
    return SOURCE_COLUMNS.format(t=t)


def ref(prefix: str, pk, display):
    """A foreign key as the API shows it (BriefRelatedField)."""
    if pk is None:
        return None
    return {"id": pk, "url": f"{BASE}{prefix}/{pk}/", "display": display}


def sources(row) -> dict:
    return {"source_document": row[-3], "source_reference": row[-2], "source_url": row[-1]}


@dataclass(frozen=True)
class Floor:
    sql: str
    build: Callable[[tuple], dict]

    def run(self, cursor, limit: int) -> bytes:
        cursor.execute(self.sql, (limit,))
        return orjson.dumps([self.build(row) for row in cursor.fetchall()])


PARTNERSHIP_DISPLAY = "COALESCE(NULLIF({p}.short_name, ''), {p}.name)"


def _person(r):
    return {
        "id": r[0], "url": f"{BASE}people/{r[0]}/", "display": r[2], "revision": r[1], "name": r[2],
        "note": r[3], **sources(r),
    }  # fmt: skip


def _partnership(r):
    return {
        "id": r[0], "url": f"{BASE}partnerships/{r[0]}/", "display": r[3], "revision": r[1], "name": r[2],
        "short_name": r[4], "slug": r[5], "footprint_number": r[6], "region": r[7], "population": r[8],
        "budget_gbp": r[9], "lead": ref("people", r[10], r[11]), "lead_role": r[12], "description": r[13],
        "stages": r[14], **sources(r),
    }  # fmt: skip


def _stage(r):
    return {
        "id": r[0], "url": f"{BASE}partnership-stages/{r[0]}/", "display": f"{r[3]}: {STAGE[r[4]]}",
        "revision": r[1], "partnership": ref("partnerships", r[2], r[3]), "stage": r[4],
        "effective_from": r[5], "effective_to": r[6], **sources(r),
    }  # fmt: skip


def _organisation(r):
    return {
        "id": r[0], "url": f"{BASE}organisations/{r[0]}/", "display": r[2], "revision": r[1], "name": r[2],
        "slug": r[3], "kind": r[4], "is_statutory": r[5], "ods_code": r[6], "other_names": r[7],
        "contact_email": r[10], "established_on": r[8], "dissolved_on": r[9], **sources(r),
    }  # fmt: skip


def _succession(r):
    return {
        "id": r[0], "url": f"{BASE}organisation-successions/{r[0]}/",
        "display": f"{r[3]} → {r[5]} ({r[6].isoformat()})", "revision": r[1],
        "predecessor": ref("organisations", r[2], r[3]), "successor": ref("organisations", r[4], r[5]),
        "effective_on": r[6], "kind": r[7], "share_percent": None if r[9] is None else f"{r[9]:.2f}",
        "note": r[8], **sources(r),
    }  # fmt: skip


def _membership(r):
    return {
        "id": r[0], "url": f"{BASE}memberships/{r[0]}/", "display": f"{r[5]} ({STANDING[r[6]]})",
        "revision": r[1], "partnership": ref("partnerships", r[2], r[3]),
        "organisation": ref("organisations", r[4], r[5]), "standing": r[6], "status": r[7],
        "effective_from": r[8], "effective_to": r[9], "note": r[10], **sources(r),
    }  # fmt: skip


def _agreement(r):
    return {
        "id": r[0], "url": f"{BASE}agreements/{r[0]}/", "display": r[6], "revision": r[1],
        "partnership": ref("partnerships", r[2], r[3]), "slug": r[4], "kind": r[5], "title": r[6],
        "version": r[7], "status": r[8], "agreed_on": r[9], "effective_from": r[10], "effective_to": r[11],
        "review_interval_months": r[12], "note": r[13], **sources(r),
    }  # fmt: skip


def _signature(r):
    return {
        "id": r[0], "url": f"{BASE}signatures/{r[0]}/",
        "display": f"{r[5]}: {r[6] or 'signatory not named'}", "revision": r[1],
        "agreement": ref("agreements", r[2], r[3]), "organisation": ref("organisations", r[4], r[5]),
        "signatory_name": r[6], "signatory_title": r[7], "signed_on": r[8], "withdrawn_on": r[9],
        **sources(r),
    }  # fmt: skip


def _body(r):
    return {
        "id": r[0], "url": f"{BASE}bodies/{r[0]}/", "display": r[6], "revision": r[1],
        "partnership": ref("partnerships", r[2], r[3]), "organisation": ref("organisations", r[4], r[5]),
        "name": r[6], "short_name": r[7], "slug": r[8], "kind": r[9], "status": r[10],
        "holds_delegated_authority": r[11], "decisions_bind_partners": r[12], "description": r[13],
        "effective_from": r[14], "effective_to": r[15], **sources(r),
    }  # fmt: skip


def _relationship(r):
    return {
        "id": r[0], "url": f"{BASE}body-relationships/{r[0]}/",
        "display": f"{r[3]} {RELATIONSHIP[r[4]].lower()} {r[6]}", "revision": r[1],
        "from_body": ref("bodies", r[2], r[3]), "kind": r[4], "to_body": ref("bodies", r[5], r[6]),
        "effective_from": r[7], "effective_to": r[8], "note": r[9], **sources(r),
    }  # fmt: skip


def _terms(r):
    return {
        "id": r[0], "url": f"{BASE}terms-of-reference/{r[0]}/",
        "display": f"{r[3]} v{r[4]} ({TOR_STATUS[r[5]].lower()})", "revision": r[1],
        "body": ref("bodies", r[2], r[3]), "version": r[4], "status": r[5],
        "approved_by": ref("bodies", r[6], r[7]), "approved_on": r[8], "effective_from": r[9],
        "effective_to": r[10], "purpose": r[11], "objectives": r[12], "roles": r[13], "quorum_rule": r[14],
        "quorum_count": r[15], "decision_method": r[16], "meeting_frequency": r[17], "frequency_note": r[18],
        "duration_minutes_min": r[19], "duration_minutes_max": r[20], "review_interval_months": r[21],
        "next_review_due": r[22], **sources(r),
    }  # fmt: skip


def _tor_display(body_name, version, status) -> str:
    return f"{body_name} terms of reference v{version} ({TOR_STATUS[status].lower()})"


def _objective(r):
    return {
        "id": r[0], "url": f"{BASE}terms-of-reference-objectives/{r[0]}/", "display": f"{r[5]}. {r[7][:80]}",
        "revision": r[1], "terms_of_reference": ref("terms-of-reference", r[2], _tor_display(r[3], r[4], r[8])),
        "position": r[5], "heading": r[6], "text": r[7],
    }  # fmt: skip


def _role(r):
    return {
        "id": r[0], "url": f"{BASE}terms-of-reference-roles/{r[0]}/",
        "display": f"{r[6]} ({CATEGORY[r[7]].lower()})", "revision": r[1],
        "terms_of_reference": ref("terms-of-reference", r[2], _tor_display(r[3], r[4], r[5])),
        "position": r[12], "title": r[6], "category": r[7], "voting": r[8], "is_chair": r[9],
        "organisation": ref("organisations", r[10], r[11]), "note": r[13],
    }  # fmt: skip


def _appointment(r):
    return {
        "id": r[0], "url": f"{BASE}appointments/{r[0]}/",
        "display": f"{r[5]}, {ROLE[r[6]].lower()} of {r[3]}", "revision": r[1],
        "body": ref("bodies", r[2], r[3]), "person": ref("people", r[4], r[5]), "role": r[6], "title": r[7],
        "representing": ref("organisations", r[8], r[9]), "voting": r[10], "deputy": ref("people", r[11], r[12]),
        "effective_from": r[13], "effective_to": r[14], **sources(r),
    }  # fmt: skip


FLOORS: dict[str, Floor] = {
    "people": Floor(
        f"SELECT x.id, x.revision, x.name, x.note, {src('x')} FROM bodies_person x "
        "ORDER BY x.name, x.id LIMIT %s",
        _person,
    ),
    "partnerships": Floor(
        f"""SELECT x.id, x.revision, x.name, {PARTNERSHIP_DISPLAY.format(p="x")}, x.short_name, x.slug,
                   x.footprint_number, x.region, x.population, x.budget_gbp::text, x.lead_id, l.name,
                   x.lead_role, x.description,
                   (SELECT COALESCE(json_agg(json_build_object('id', s.id, 'stage', s.stage,
                                'effective_from', s.effective_from, 'effective_to', s.effective_to)
                            ORDER BY s.effective_from NULLS FIRST), '[]')
                      FROM bodies_partnershipstage s WHERE s.partnership_id = x.id),
                   {src("x")}
              FROM bodies_partnership x LEFT JOIN bodies_person l ON l.id = x.lead_id
             ORDER BY x.name LIMIT %s""",
        _partnership,
    ),
    "partnership-stages": Floor(
        f"""SELECT x.id, x.revision, x.partnership_id, {PARTNERSHIP_DISPLAY.format(p="p")}, x.stage,
                   x.effective_from, x.effective_to, {src("x")}
              FROM bodies_partnershipstage x JOIN bodies_partnership p ON p.id = x.partnership_id
             ORDER BY x.partnership_id, x.effective_from, x.id LIMIT %s""",
        _stage,
    ),
    "organisations": Floor(
        f"""SELECT x.id, x.revision, x.name, x.slug, x.kind, x.is_statutory, x.ods_code, x.other_names,
                   x.established_on, x.dissolved_on, x.contact_email, {src("x")}
              FROM bodies_organisation x ORDER BY x.name, x.id LIMIT %s""",
        _organisation,
    ),
    "organisation-successions": Floor(
        f"""SELECT x.id, x.revision, x.predecessor_id, a.name, x.successor_id, b.name, x.effective_on,
                   x.kind, x.note, x.share_percent, {src("x")}
              FROM bodies_organisationsuccession x
              JOIN bodies_organisation a ON a.id = x.predecessor_id
              JOIN bodies_organisation b ON b.id = x.successor_id
             ORDER BY x.effective_on, x.id LIMIT %s""",
        _succession,
    ),
    "memberships": Floor(
        f"""SELECT x.id, x.revision, x.partnership_id, {PARTNERSHIP_DISPLAY.format(p="p")}, x.organisation_id,
                   o.name, x.standing, x.status, x.effective_from, x.effective_to, x.note, {src("x")}
              FROM bodies_membership x
              JOIN bodies_partnership p ON p.id = x.partnership_id
              JOIN bodies_organisation o ON o.id = x.organisation_id
             ORDER BY x.partnership_id, o.name, x.id LIMIT %s""",
        _membership,
    ),
    "agreements": Floor(
        f"""SELECT x.id, x.revision, x.partnership_id, {PARTNERSHIP_DISPLAY.format(p="p")}, x.slug, x.kind,
                   x.title, x.version, x.status, x.agreed_on, x.effective_from, x.effective_to,
                   x.review_interval_months, x.note, {src("x")}
              FROM bodies_agreement x JOIN bodies_partnership p ON p.id = x.partnership_id
             ORDER BY x.partnership_id, x.title, x.id LIMIT %s""",
        _agreement,
    ),
    "signatures": Floor(
        f"""SELECT x.id, x.revision, x.agreement_id, a.title, x.organisation_id, o.name, x.signatory_name,
                   x.signatory_title, x.signed_on, x.withdrawn_on, {src("x")}
              FROM bodies_signature x
              JOIN bodies_agreement a ON a.id = x.agreement_id
              JOIN bodies_organisation o ON o.id = x.organisation_id
             ORDER BY x.agreement_id, o.name, x.id LIMIT %s""",
        _signature,
    ),
    "bodies": Floor(
        f"""SELECT x.id, x.revision, x.partnership_id, {PARTNERSHIP_DISPLAY.format(p="p")}, x.organisation_id,
                   o.name, x.name, x.short_name, x.slug, x.kind, x.status, x.holds_delegated_authority,
                   x.decisions_bind_partners, x.description, x.effective_from, x.effective_to, {src("x")}
              FROM bodies_body x
              LEFT JOIN bodies_partnership p ON p.id = x.partnership_id
              LEFT JOIN bodies_organisation o ON o.id = x.organisation_id
             ORDER BY x.name, x.id LIMIT %s""",
        _body,
    ),
    "body-relationships": Floor(
        f"""SELECT x.id, x.revision, x.from_body_id, a.name, x.kind, x.to_body_id, b.name, x.effective_from,
                   x.effective_to, x.note, {src("x")}
              FROM bodies_bodyrelationship x
              JOIN bodies_body a ON a.id = x.from_body_id
              JOIN bodies_body b ON b.id = x.to_body_id
             ORDER BY x.from_body_id, x.kind, x.id LIMIT %s""",
        _relationship,
    ),
    "terms-of-reference": Floor(
        f"""SELECT x.id, x.revision, x.body_id, b.name, x.version, x.status, x.approved_by_id, a.name,
                   x.approved_on, x.effective_from, x.effective_to, x.purpose,
                   (SELECT COALESCE(json_agg(json_build_object('id', o.id, 'position', o.position,
                                'heading', o.heading, 'text', o.text) ORDER BY o.position), '[]')
                      FROM bodies_termsofreferenceobjective o WHERE o.terms_of_reference_id = x.id),
                   (SELECT COALESCE(json_agg(json_build_object('id', r.id, 'position', r.position,
                                'title', r.title, 'category', r.category, 'voting', r.voting,
                                'is_chair', r.is_chair, 'organisation_id', r.organisation_id, 'note', r.note)
                            ORDER BY r.position), '[]')
                      FROM bodies_termsofreferencerole r WHERE r.terms_of_reference_id = x.id),
                   x.quorum_rule, x.quorum_count, x.decision_method, x.meeting_frequency, x.frequency_note,
                   x.duration_minutes_min, x.duration_minutes_max, x.review_interval_months,
                   x.next_review_due, {src("x")}
              FROM bodies_termsofreference x
              JOIN bodies_body b ON b.id = x.body_id
              LEFT JOIN bodies_body a ON a.id = x.approved_by_id
             ORDER BY x.body_id, x.version LIMIT %s""",
        _terms,
    ),
    "terms-of-reference-objectives": Floor(
        """SELECT x.id, x.revision, x.terms_of_reference_id, b.name, t.version, x.position, x.heading,
                  x.text, t.status
             FROM bodies_termsofreferenceobjective x
             JOIN bodies_termsofreference t ON t.id = x.terms_of_reference_id
             JOIN bodies_body b ON b.id = t.body_id
            ORDER BY x.terms_of_reference_id, x.position LIMIT %s""",
        _objective,
    ),
    "terms-of-reference-roles": Floor(
        """SELECT x.id, x.revision, x.terms_of_reference_id, b.name, t.version, t.status, x.title, x.category,
                  x.voting, x.is_chair, x.organisation_id, o.name, x.position, x.note
             FROM bodies_termsofreferencerole x
             JOIN bodies_termsofreference t ON t.id = x.terms_of_reference_id
             JOIN bodies_body b ON b.id = t.body_id
             LEFT JOIN bodies_organisation o ON o.id = x.organisation_id
            ORDER BY x.terms_of_reference_id, x.position LIMIT %s""",
        _role,
    ),
    "appointments": Floor(
        f"""SELECT x.id, x.revision, x.body_id, b.name, x.person_id, p.name, x.role, x.title,
                   x.representing_id, o.name, x.voting, x.deputy_id, d.name, x.effective_from,
                   x.effective_to, {src("x")}
              FROM bodies_appointment x
              JOIN bodies_body b ON b.id = x.body_id
              JOIN bodies_person p ON p.id = x.person_id
              LEFT JOIN bodies_organisation o ON o.id = x.representing_id
              LEFT JOIN bodies_person d ON d.id = x.deputy_id
             ORDER BY x.body_id, x.role, x.id LIMIT %s""",
        _appointment,
    ),
}


# -- decisions and risks: every related record's display, nested lists, as the API gives them ------
# Written as a hand-writer would for a page: the page of rows first (its own index order), then
# each related record's display by a scalar subquery on its primary key, and the nested lists
# with json_agg; choice labels and display rules applied in Python, as the models word them.


POWER = dict(gm.Power.choices)
OFFICE = dict(gm.Delegation.Office.choices)

MEETING = """(SELECT b.name || ', ' || to_char(m.starts_at AT TIME ZONE 'Europe/London', 'FMDD FMMonth YYYY')
                     || CASE WHEN m.title <> '' THEN ' (' || m.title || ')' ELSE '' END
                FROM decisions_meeting m JOIN bodies_body b ON b.id = m.body_id WHERE m.id = x.{column})"""


def _decision_display(pk, minute_reference, resolution) -> str:
    text = " ".join(resolution.split())
    text = text if len(text) <= 80 else f"{text[:79]}…"
    return f"{minute_reference or f'Decision {pk}'}: {text}"


def _delegation_display(delegation) -> str:
    delegate, office, power, matter = delegation
    delegate = f"{OFFICE[office]} of {delegate}" if office else delegate
    return f"{delegate}: {POWER[power].lower()} — {matter}"


def _decision(r):
    (
        pk, revision, minute_reference, resolution, body_id, body, meeting_id, meeting, agenda_item_id,
        agenda_item, decided_on, urgent, urgency_reason, consulted, taken_by_id, taken_by, reported_at_id,
        reported_at, proposal_id, proposal, stage_id, stage, matter_id, matter, power, amount, outcome,
        votes_for, votes_against, votes_abstaining, delegation_id, delegation, authority_explanation,
        recorded_as, recommended_to_id, recommended_to, status, effective_on, ratifications, declarations,
        restricted, restriction_reason, rescinded_on, rescission_reason, corrected_by_id, corrected_by,
        *_,
    ) = r  # fmt: skip
    return {
        "id": pk, "url": f"{BASE}decisions/{pk}/", "display": _decision_display(pk, minute_reference, resolution),
        "revision": revision, "body": ref("bodies", body_id, body), "meeting": ref("meetings", meeting_id, meeting),
        "agenda_item": ref("agenda-items", agenda_item_id, agenda_item), "decided_on": decided_on,
        "urgent": urgent, "urgency_reason": urgency_reason, "consulted": consulted,
        "taken_by": ref("people", taken_by_id, taken_by), "reported_at": ref("meetings", reported_at_id, reported_at),
        "proposal": ref("proposals", proposal_id, proposal), "approval_stage": ref("approval-stages", stage_id, stage),
        "matter": ref("matters", matter_id, matter), "power": power, "amount_gbp": amount, "resolution": resolution,
        "outcome": outcome, "votes_for": votes_for, "votes_against": votes_against,
        "votes_abstaining": votes_abstaining, "minute_reference": minute_reference,
        "delegation": ref("delegations", delegation_id, delegation and _delegation_display(delegation)),
        "authority_explanation": authority_explanation, "recorded_as": recorded_as,
        "recommended_to": ref("bodies", recommended_to_id, recommended_to), "status": status,
        "effective_on": effective_on,
        "ratifications": [
            {
                "id": rid, "organisation": ref("organisations", org_id, org), "ratifying_board":
                ref("bodies", board_id, board), "outcome": answer, "decided_on": on, "minute_reference": minute,
            }
            for rid, org_id, org, board_id, board, answer, on, minute in ratifications
        ],
        "declarations": [
            {
                "id": did, "person": ref("people", person_id, person), "nature": nature, "management": management,
                "managed_by": ref("people", managed_by_id, managed_by), "minute_reference": minute,
            }
            for did, person_id, person, nature, management, managed_by_id, managed_by, minute in declarations
        ],
        "restricted": restricted, "restriction_reason": restriction_reason, "rescinded_on": rescinded_on,
        "rescission_reason": rescission_reason,
        "corrected_by": ref(
            "decisions", corrected_by_id, corrected_by and _decision_display(corrected_by_id, *corrected_by)
        ),
        **sources(r),
    }  # fmt: skip


def _register_display(body, organisation) -> str:
    return f"{body if body is not None else organisation} risk register"


def _risk(r):
    (
        pk, revision, partnership_id, partnership, register_id, register_body, register_organisation, reference,
        title, description, cause, effect, category, owner_id, owner, owner_title, organisation_id, organisation,
        il, ic, iscore, iband, cl, cc, cscore, cband, tl, tc, tscore, tband, appetite, tolerable, controls, gaps,
        assurances, status, identified_on, closed_on, last_reviewed_on, next_review_due, escalations, *_,
    ) = r  # fmt: skip
    return {
        "id": pk, "url": f"{BASE}risks/{pk}/", "display": f"{reference}: {title}", "revision": revision,
        "partnership": ref("partnerships", partnership_id, partnership),
        "register": ref("risk-registers", register_id, _register_display(register_body, register_organisation)),
        "reference": reference, "title": title, "description": description, "cause": cause, "effect": effect,
        "category": category, "owner": ref("people", owner_id, owner), "owner_title": owner_title,
        "lead_organisation": ref("organisations", organisation_id, organisation),
        "inherent_likelihood": il, "inherent_consequence": ic, "inherent_score": iscore, "inherent_band": iband,
        "current_likelihood": cl, "current_consequence": cc, "current_score": cscore, "current_band": cband,
        "target_likelihood": tl, "target_consequence": tc, "target_score": tscore, "target_band": tband,
        "appetite": appetite, "tolerable_score": tolerable,
        "above_appetite": status == rm.Risk.Status.OPEN and cl * cc > (tolerable or 0),
        "controls": controls, "gaps_in_control": gaps, "assurances": assurances, "status": status,
        "identified_on": identified_on, "closed_on": closed_on, "last_reviewed_on": last_reviewed_on,
        "next_review_due": next_review_due,
        "escalations": [
            {
                "id": eid, "to_body": ref("bodies", body_id, body), "escalated_on": on, "response": response,
                "responded_on": responded_on, "de_escalated_on": de_escalated_on,
            }
            for eid, body_id, body, on, response, responded_on, de_escalated_on in escalations
        ],
        **sources(r),
    }  # fmt: skip


FLOORS["decisions"] = Floor(
    f"""WITH page AS (
            SELECT * FROM decisions_decision ORDER BY body_id, decided_on DESC, id DESC LIMIT %s
        )
        SELECT x.id, x.revision, x.minute_reference, x.resolution,
               x.body_id, (SELECT name FROM bodies_body WHERE id = x.body_id),
               x.meeting_id, {MEETING.format(column="meeting_id")},
               x.agenda_item_id, (SELECT COALESCE(NULLIF(a.reference, ''), a.position::text) || '. ' || a.title
                                    FROM decisions_agendaitem a WHERE a.id = x.agenda_item_id),
               x.decided_on, x.urgent, x.urgency_reason, x.consulted,
               x.taken_by_id, (SELECT name FROM bodies_person WHERE id = x.taken_by_id),
               x.reported_at_id, {MEETING.format(column="reported_at_id")},
               x.proposal_id, (SELECT title FROM decisions_proposal WHERE id = x.proposal_id),
               x.approval_stage_id, (SELECT s.position || '. ' || s.name FROM delegation_approvalstage s
                                      WHERE s.id = x.approval_stage_id),
               x.matter_id, (SELECT name FROM delegation_matter WHERE id = x.matter_id),
               x.power, x.amount_gbp::text, x.outcome, x.votes_for, x.votes_against, x.votes_abstaining,
               x.delegation_id, (SELECT json_build_array(b.name, d.delegate_office, d.power, t.name)
                                   FROM delegation_delegation d JOIN bodies_body b ON b.id = d.delegate_id
                                   JOIN delegation_matter t ON t.id = d.matter_id WHERE d.id = x.delegation_id),
               x.authority_explanation, x.recorded_as,
               x.recommended_to_id, (SELECT name FROM bodies_body WHERE id = x.recommended_to_id),
               x.status, x.effective_on,
               (SELECT COALESCE(json_agg(json_build_array(r.id, r.organisation_id, o.name, r.ratifying_board_id,
                                   rb.name, r.outcome, r.decided_on, r.minute_reference) ORDER BY o.name, r.id), '[]')
                  FROM decisions_ratification r JOIN bodies_organisation o ON o.id = r.organisation_id
                  LEFT JOIN bodies_body rb ON rb.id = r.ratifying_board_id WHERE r.decision_id = x.id),
               (SELECT COALESCE(json_agg(json_build_array(c.id, c.person_id, p.name, c.nature, c.management,
                                   c.managed_by_id, mp.name, c.minute_reference) ORDER BY c.id), '[]')
                  FROM decisions_declaration c JOIN bodies_person p ON p.id = c.person_id
                  LEFT JOIN bodies_person mp ON mp.id = c.managed_by_id
                 WHERE c.meeting_id = x.meeting_id AND c.rescinded_on IS NULL
                   AND (c.agenda_item_id IS NULL OR c.agenda_item_id = x.agenda_item_id)),
               x.restricted, x.restriction_reason, x.rescinded_on, x.rescission_reason,
               x.corrected_by_id, (SELECT json_build_array(c.minute_reference, c.resolution)
                                     FROM decisions_decision c WHERE c.id = x.corrected_by_id),
               {src("x")}
          FROM page x ORDER BY x.body_id, x.decided_on DESC, x.id DESC""",
    _decision,
)

FLOORS["risks"] = Floor(
    f"""WITH page AS (SELECT * FROM risks_risk ORDER BY partnership_id, reference LIMIT %s)
        SELECT x.id, x.revision,
               x.partnership_id, (SELECT {PARTNERSHIP_DISPLAY.format(p="p")} FROM bodies_partnership p
                                   WHERE p.id = x.partnership_id),
               x.register_id, g.body_name, g.organisation_name,
               x.reference, x.title, x.description, x.cause, x.effect, x.category,
               x.owner_id, (SELECT name FROM bodies_person WHERE id = x.owner_id), x.owner_title,
               x.lead_organisation_id, (SELECT name FROM bodies_organisation WHERE id = x.lead_organisation_id),
               x.inherent_likelihood, x.inherent_consequence, x.inherent_score, x.inherent_band,
               x.current_likelihood, x.current_consequence, x.current_score, x.current_band,
               x.target_likelihood, x.target_consequence, x.target_score, x.target_band,
               x.appetite, x.tolerable_score, x.controls, x.gaps_in_control, x.assurances, x.status,
               x.identified_on, x.closed_on, x.last_reviewed_on, x.next_review_due,
               (SELECT COALESCE(json_agg(json_build_array(e.id, e.to_body_id, b.name, e.escalated_on, e.response,
                                   e.responded_on, e.de_escalated_on) ORDER BY e.escalated_on, e.id), '[]')
                  FROM risks_riskescalation e JOIN bodies_body b ON b.id = e.to_body_id WHERE e.risk_id = x.id),
               {src("x")}
          FROM page x
          CROSS JOIN LATERAL (
              SELECT (SELECT name FROM bodies_body WHERE id = rr.body_id) AS body_name,
                     (SELECT name FROM bodies_organisation WHERE id = rr.organisation_id) AS organisation_name
                FROM risks_riskregister rr WHERE rr.id = x.register_id
          ) g
         ORDER BY x.partnership_id, x.reference""",
    _risk,
)
