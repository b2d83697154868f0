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
        "established_on": r[8], "dissolved_on": r[9], **sources(r),
    }  # fmt: skip


def _succession(r):
    return {
        "id": r[0], "url": f"{BASE}organisation-successions/{r[0]}/",
        "display": f"{r[3]} → {r[5]} ({r[6].isoformat()})", "revision": r[1],
        "predecessor": ref("organisations", r[2], r[3]), "successor": ref("organisations", r[4], r[5]),
        "effective_on": r[6], "kind": r[7], "note": r[8], **sources(r),
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
                   x.established_on, x.dissolved_on, {src("x")}
              FROM bodies_organisation x ORDER BY x.name, x.id LIMIT %s""",
        _organisation,
    ),
    "organisation-successions": Floor(
        f"""SELECT x.id, x.revision, x.predecessor_id, a.name, x.successor_id, b.name, x.effective_on,
                   x.kind, x.note, {src("x")}
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
