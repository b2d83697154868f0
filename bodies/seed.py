"""Loading the seed partnerships from `fixtures/partnerships/*.yaml` (format: fixtures/README.md).

Records are matched on natural keys and written only when something differs, so loading
twice changes nothing (and writes no audit events). Organisations shared by several
partnerships are defined in each file and must agree.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from decimal import Decimal
from functools import partial
from pathlib import Path

import yaml
from django.db import transaction

from bodies.models import (
    Agreement,
    Appointment,
    Body,
    BodyRelationship,
    Membership,
    Organisation,
    OrganisationSuccession,
    Partnership,
    PartnershipStage,
    Person,
    Signature,
    TermsOfReference,
    TermsOfReferenceObjective,
    TermsOfReferenceRole,
)
from bodies.seeding import (
    SeedAbort,
    SeedError,
    SeedLoader,
    SeedReport,
    TrackedDict,
    parse_date,
    read_yaml,
    source_fields,
    unread_keys,
)
from bodies.successions import record_succession

SEED_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "partnerships"
# The demo organisations' ODS codes, cited from the published register (issue 17).
ODS_CODES_FILE = SEED_DIR.parent / "ods_codes.yaml"


@functools.cache
def demo_ods_codes() -> dict[str, str]:
    """slug -> ODS code, from fixtures/ods_codes.yaml (its header cites the register)."""
    if not ODS_CODES_FILE.is_file():
        return {}
    return {
        slug: str(code)
        for slug, code in (yaml.safe_load(ODS_CODES_FILE.read_text()) or {}).get("codes", {}).items()
    }


ALLOWED_KEYS = {
    "file": {"partnership", "organisations", "successions", "memberships", "people", "bodies", "agreements"},
    "partnership": {
        "slug", "name", "short_name", "footprint_number", "region", "population", "budget_gbp",
        "lead", "lead_role", "stages", "source", "description",
    },
    "stage": {"stage", "effective_from", "effective_to", "source"},
    "organisation": {
        "slug", "name", "kind", "statutory", "ods_code", "other_names", "established_on", "dissolved_on", "source",
    },
    "succession": {"predecessor", "successor", "effective_on", "kind", "note", "share_percent", "source"},
    "membership": {"organisation", "standing", "status", "effective_from", "effective_to", "note", "source"},
    "person": {"name", "note", "email", "source"},
    "body": {
        "slug", "name", "short_name", "kind", "status", "organisation", "holds_delegated_authority",
        "decisions_bind_partners", "description", "effective_from", "effective_to", "source",
        "relationships", "terms_of_reference", "appointments",
    },
    "relationship": {"kind", "to", "note", "effective_from", "effective_to", "source"},
    "terms_of_reference": {
        "version", "status", "approved_by", "approved_on", "effective_from", "effective_to", "purpose",
        "objectives", "roles", "quorum_rule", "quorum_count", "decision_method", "meeting_frequency",
        "frequency_note", "duration_minutes_min", "duration_minutes_max", "review_interval_months",
        "next_review_due", "source",
    },
    "objective": {"heading", "text"},
    "role": {"title", "category", "voting", "is_chair", "organisation", "note"},
    "appointment": {
        "person", "role", "title", "representing", "voting", "deputy", "effective_from", "effective_to", "source",
    },
    "agreement": {
        "slug", "kind", "title", "version", "status", "agreed_on", "effective_from", "effective_to",
        "review_interval_months", "note", "source", "signatures",
    },
    "signature": {"organisation", "signatory_name", "signatory_title", "signed_on", "withdrawn_on", "source"},
    "source": {"document", "reference", "url", "inferred"},
}  # fmt: skip


def read_seed_files(paths: Iterable[Path]) -> list[tuple[Path, dict]]:
    documents = []
    problems = []
    for path in sorted(paths):
        try:
            data = read_yaml(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as error:
            problems.append(f"{path.name}: not valid YAML: {error}")
            continue
        if not isinstance(data, dict) or "partnership" not in data:
            problems.append(f"{path.name}: expected a mapping with a 'partnership' key")
            continue
        documents.append((path, data))
    if problems:
        raise SeedError(problems)
    return documents


def load_seed(paths: Iterable[Path] | None = None, *, dry_run: bool = False) -> SeedReport:
    """Load (or, with dry_run, validate against the database and roll back) the seed files."""
    paths = list(paths) if paths is not None else sorted(SEED_DIR.glob("*.yaml"))
    documents = read_seed_files(paths)
    report = SeedReport(files=[path.name for path, _ in documents])
    loader = SeedLoader(report, ALLOWED_KEYS)
    organisations = _merge_organisations(loader, documents)
    if loader.problems:
        raise SeedError(loader.problems)
    try:
        with transaction.atomic():
            org_by_slug = {
                slug: _upsert_organisation(loader, slug, definition)
                for slug, definition in organisations.items()
            }
            for path, data in documents:
                try:
                    with transaction.atomic():
                        _load_partnership(loader, path.name, data, org_by_slug)
                except SeedAbort:
                    continue
            if not loader.problems:  # a file stopped early leaves keys unread: its first problem says why
                for path, data in documents:
                    loader.problems.extend(unread_keys(data, f"partnerships/{path.name}"))
            if loader.problems:
                raise SeedAbort
            if dry_run:
                transaction.set_rollback(True)
    except SeedAbort:
        raise SeedError(loader.problems) from None
    return report


def _merge_organisations(loader: SeedLoader, documents: list[tuple[Path, dict]]) -> dict[str, dict]:
    merged: dict[str, dict] = {}
    defined_in: dict[str, str] = {}
    for path, data in documents:
        loader.check_keys(path.name, "file", data)
        for index, org in enumerate(data.get("organisations") or []):
            where = f"{path.name}: organisations[{index}]"
            loader.check_keys(where, "organisation", org)
            if not isinstance(org, dict) or not org.get("slug"):
                loader.problems.append(f"{where}: missing slug")
                continue
            slug = org["slug"]
            if slug in merged:
                earlier = merged[slug]
                # Every fact of a second definition is compared with the first (none is ignored);
                # other names add up and each file cites its own source.
                for key in sorted((set(org) | set(earlier)) - {"slug", "other_names", "source"}):
                    if earlier.get(key) != org.get(key):
                        loader.problems.append(
                            f"{where}: organisation '{slug}' has {key}={org.get(key)!r} here but "
                            f"{earlier.get(key)!r} in {defined_in[slug]}: shared organisations must agree"
                        )
                if isinstance(org, TrackedDict):
                    org.mark_read()
                    if isinstance(org.get("source"), TrackedDict):
                        org["source"].mark_read()
                merged[slug] = TrackedDict(
                    earlier,
                    other_names=sorted(
                        set(earlier.get("other_names") or []) | set(org.get("other_names") or [])
                    ),
                )
                merged[slug].read = earlier.read  # reads of the merged definition count for the first
            else:
                merged[slug] = org
                defined_in[slug] = path.name
    return merged


def _upsert_organisation(loader: SeedLoader, slug: str, org: dict) -> Organisation:
    return loader.upsert(
        Organisation,
        {"slug": slug},
        {
            "name": org.get("name") or "",
            "kind": org.get("kind") or "",
            "is_statutory": bool(org.get("statutory", False)),
            "ods_code": org.get("ods_code") or demo_ods_codes().get(slug),
            "other_names": list(org.get("other_names") or []),
            "established_on": parse_date(org.get("established_on")),
            "dissolved_on": parse_date(org.get("dissolved_on")),
            **source_fields(org.get("source")),
        },
        f"organisation {slug}",
    )


class _PartnershipFile:
    """One partnership file being loaded: what it has written so far, for the records that refer
    to it by slug or name. An unknown reference is a problem and stops the file."""

    def __init__(self, loader: SeedLoader, file: str, org_by_slug: dict[str, Organisation]):
        self.loader = loader
        self.file = file
        self.org_by_slug = org_by_slug
        self.people: dict[str, Person] = {}
        self.bodies: dict[str, Body] = {}
        self.partnership: Partnership | None = None

    def _known(self, found: dict, key: str | None, where: str, unknown: str):
        if not key:
            return None
        if key not in found:
            self.loader.problems.append(f"{where}: {unknown}")
            raise SeedAbort
        return found[key]

    def org(self, slug: str | None, where: str) -> Organisation | None:
        return self._known(self.org_by_slug, slug, where, f"unknown organisation '{slug}'")

    def person(self, name: str | None, where: str) -> Person | None:
        return self._known(self.people, name, where, f"'{name}' is not listed under people")

    def body(self, slug: str | None, where: str) -> Body | None:
        return self._known(self.bodies, slug, where, f"unknown body '{slug}'")

    def each(self, data: dict, key: str, kind: str, label: str | None = None):
        """(where, item) for each item of data[key], its keys checked."""
        for index, item in enumerate(data.get(key) or []):
            where = f"{self.file}: {label or key}[{index}]"
            self.loader.check_keys(where, kind, item)
            yield where, item


def _load_partnership(
    loader: SeedLoader, file: str, data: dict, org_by_slug: dict[str, Organisation]
) -> None:
    f = _PartnershipFile(loader, file, org_by_slug)
    _load_people(f, data)
    _load_partnership_row(f, data["partnership"])
    _load_memberships(f, data)
    _load_successions(f, data)
    # Bodies first, then what refers to them (relationships, approvals, appointments).
    body_data = data.get("bodies") or []
    _load_bodies(f, body_data)
    for b in body_data:
        _load_body_parts(f, b)
    _load_agreements(f, data)
    if loader.problems:
        raise SeedAbort


def _load_people(f: _PartnershipFile, data: dict) -> None:
    for where, person in f.each(data, "people", "person"):
        f.people[person["name"]] = f.loader.upsert(
            Person,
            {"name": person["name"]},
            {
                "note": person.get("note") or "",
                "email": person.get("email") or "",
                **source_fields(person.get("source")),
            },
            where,
        )


def _load_partnership_row(f: _PartnershipFile, p: dict) -> None:
    loader, file = f.loader, f.file
    loader.check_keys(f"{file}: partnership", "partnership", p)
    partnership = f.partnership = loader.upsert(
        Partnership,
        {"slug": p["slug"]},
        {
            "name": p["name"],
            "short_name": p.get("short_name") or "",
            "footprint_number": p.get("footprint_number"),
            "region": p.get("region") or "",
            "population": p.get("population"),
            "budget_gbp": Decimal(str(p["budget_gbp"])) if p.get("budget_gbp") is not None else None,
            "lead": f.person(p.get("lead"), f"{file}: partnership.lead"),
            "lead_role": p.get("lead_role") or "",
            "description": p.get("description") or "",
            **source_fields(p.get("source")),
        },
        f"{file}: partnership",
    )
    for where, stage in f.each(p, "stages", "stage", "partnership.stages"):
        loader.upsert(
            PartnershipStage,
            {
                "partnership": partnership,
                "stage": stage["stage"],
                "effective_from": parse_date(stage.get("effective_from")),
            },
            {
                "effective_to": parse_date(stage.get("effective_to")),
                **source_fields(stage.get("source") or p.get("source")),
            },
            where,
        )


def _load_memberships(f: _PartnershipFile, data: dict) -> None:
    for where, membership in f.each(data, "memberships", "membership"):
        f.loader.upsert(
            Membership,
            {
                "partnership": f.partnership,
                "organisation": f.org(membership.get("organisation"), where),
                "effective_from": parse_date(membership.get("effective_from")),
            },
            {
                "standing": membership.get("standing") or "",
                "status": membership.get("status") or Membership.Status.CONFIRMED,
                "effective_to": parse_date(membership.get("effective_to")),
                "note": membership.get("note") or "",
                **source_fields(membership.get("source")),
            },
            where,
        )


def _load_successions(f: _PartnershipFile, data: dict) -> None:
    """Through the service, so its rules (no cycle, no successor dissolved first, shares of a split)
    apply to the demo data too; unchanged successions are not written again."""
    for where, succession in f.each(data, "successions", "succession"):
        predecessor = f.org(succession.get("predecessor"), where)
        successor = f.org(succession.get("successor"), where)
        existed = OrganisationSuccession.objects.filter(predecessor=predecessor, successor=successor).exists()
        arguments = {
            "predecessor": predecessor,
            "successor": successor,
            "effective_on": parse_date(succession.get("effective_on")),
            "kind": succession.get("kind") or OrganisationSuccession.Kind.MERGER,
            "note": succession.get("note") or "",
            "share_percent": succession.get("share_percent"),
            **source_fields(succession.get("source")),
        }
        written = f.loader.through_service(where, partial(record_succession, **arguments))
        if written.changed:
            f.loader.report.count(OrganisationSuccession, created=not existed)


def _load_bodies(f: _PartnershipFile, body_data: list) -> None:
    for index, b in enumerate(body_data):
        where = f"{f.file}: bodies[{index}] ({b.get('slug') if isinstance(b, dict) else '?'})"
        f.loader.check_keys(where, "body", b)
        owner = f.org(b.get("organisation"), where)
        statutory = b.get("kind") == Body.Kind.STATUTORY_BOARD
        f.bodies[b["slug"]] = f.loader.upsert(
            Body,
            {"partnership": None if statutory else f.partnership, "slug": b["slug"]},
            {
                "organisation": owner,
                "name": b["name"],
                "short_name": b.get("short_name") or "",
                "kind": b.get("kind") or "",
                "status": b.get("status") or Body.Status.ACTIVE,
                "holds_delegated_authority": bool(b.get("holds_delegated_authority", True)),
                "decisions_bind_partners": bool(b.get("decisions_bind_partners", False)),
                "description": (b.get("description") or "").strip(),
                "effective_from": parse_date(b.get("effective_from")),
                "effective_to": parse_date(b.get("effective_to")),
                **source_fields(b.get("source")),
            },
            where,
        )


def _load_body_parts(f: _PartnershipFile, b: dict) -> None:
    """A body's relationships, terms of reference and appointments, once every body is known."""
    loader = f.loader
    this = f.bodies[b["slug"]]
    label = f"bodies.{b['slug']}"
    for where, rel in f.each(b, "relationships", "relationship", f"{label}.relationships"):
        loader.upsert(
            BodyRelationship,
            {
                "from_body": this,
                "to_body": f.body(rel.get("to"), where),
                "kind": rel.get("kind") or "",
                "effective_from": parse_date(rel.get("effective_from")),
            },
            {
                "effective_to": parse_date(rel.get("effective_to")),
                "note": rel.get("note") or "",
                **source_fields(rel.get("source") or b.get("source")),
            },
            where,
        )
    for where, tor in f.each(b, "terms_of_reference", "terms_of_reference", f"{label}.terms_of_reference"):
        _load_terms_of_reference(loader, where, this, tor, f.body, f.org)
    for where, appointment in f.each(b, "appointments", "appointment", f"{label}.appointments"):
        # Whether the person votes is often not stated: the model's default (voting) is recorded and cited
        # as inferred, never a silent "non-voting" (issue 20's audit: null used to load as False).
        voting = appointment.get("voting")
        unstated = "voting not stated" if voting is None else ""
        loader.upsert(
            Appointment,
            {
                "body": this,
                "person": f.person(appointment.get("person"), where),
                "role": appointment.get("role") or "",
                "effective_from": parse_date(appointment.get("effective_from")),
            },
            {
                "title": appointment.get("title") or "",
                "representing": f.org(appointment.get("representing"), where),
                "voting": True if voting is None else bool(voting),
                "deputy": f.person(appointment.get("deputy"), where),
                "effective_to": parse_date(appointment.get("effective_to")),
                **source_fields(appointment.get("source") or b.get("source"), unstated),
            },
            where,
        )


def _load_agreements(f: _PartnershipFile, data: dict) -> None:
    loader = f.loader
    for where, a in f.each(data, "agreements", "agreement"):
        agreement = loader.upsert(
            Agreement,
            {"partnership": f.partnership, "slug": a["slug"]},
            {
                "kind": a.get("kind") or "",
                "title": a.get("title") or "",
                "version": str(a.get("version") or ""),
                "status": a.get("status") or Agreement.Status.DRAFT,
                "agreed_on": parse_date(a.get("agreed_on")),
                "effective_from": parse_date(a.get("effective_from")),
                "effective_to": parse_date(a.get("effective_to")),
                "review_interval_months": a.get("review_interval_months"),
                "note": (a.get("note") or "").strip(),
                **source_fields(a.get("source")),
            },
            where,
        )
        for s_index, s in enumerate(a.get("signatures") or []):
            s_where = f"{where}.signatures[{s_index}]"
            loader.check_keys(s_where, "signature", s)
            loader.upsert(
                Signature,
                {"agreement": agreement, "organisation": f.org(s.get("organisation"), s_where)},
                {
                    "signatory_name": s.get("signatory_name") or "",
                    "signatory_title": s.get("signatory_title") or "",
                    "signed_on": parse_date(s.get("signed_on")),
                    "withdrawn_on": parse_date(s.get("withdrawn_on")),
                    **source_fields(s.get("source") or a.get("source")),
                },
                s_where,
            )


def _load_terms_of_reference(loader: SeedLoader, where: str, this: Body, tor: dict, body, org) -> None:
    terms = loader.upsert(
        TermsOfReference,
        {"body": this, "version": tor.get("version") or 1},
        {
            "status": tor.get("status") or TermsOfReference.Status.DRAFT,
            "approved_by": body(tor.get("approved_by"), where),
            "approved_on": parse_date(tor.get("approved_on")),
            "effective_from": parse_date(tor.get("effective_from")),
            "effective_to": parse_date(tor.get("effective_to")),
            "purpose": (tor.get("purpose") or "").strip(),
            "quorum_rule": (tor.get("quorum_rule") or "").strip(),
            "quorum_count": tor.get("quorum_count"),
            "decision_method": tor.get("decision_method") or "",
            "meeting_frequency": tor.get("meeting_frequency") or "",
            "frequency_note": tor.get("frequency_note") or "",
            "duration_minutes_min": tor.get("duration_minutes_min"),
            "duration_minutes_max": tor.get("duration_minutes_max"),
            "review_interval_months": tor.get("review_interval_months"),
            "next_review_due": parse_date(tor.get("next_review_due")),
            **source_fields(tor.get("source")),
        },
        where,
    )
    objectives = tor.get("objectives") or []
    for position, objective in enumerate(objectives, start=1):
        if isinstance(objective, str):
            objective = {"text": objective}
        loader.check_keys(f"{where}.objectives[{position - 1}]", "objective", objective)
        loader.upsert(
            TermsOfReferenceObjective,
            {"terms_of_reference": terms, "position": position},
            {
                "heading": objective.get("heading") or "",
                "text": (objective.get("text") or "").strip(),
            },
            f"{where}.objectives[{position - 1}]",
        )
    loader.delete_extra(terms.objectives.filter(position__gt=len(objectives)))
    roles = tor.get("roles") or []
    for position, role in enumerate(roles, start=1):
        r_where = f"{where}.roles[{position - 1}]"
        loader.check_keys(r_where, "role", role)
        loader.upsert(
            TermsOfReferenceRole,
            {"terms_of_reference": terms, "position": position},
            {
                "title": role.get("title") or "",
                "category": role.get("category") or "",
                "voting": role.get("voting"),
                "is_chair": bool(role.get("is_chair", False)),
                "organisation": org(role.get("organisation"), r_where),
                "note": role.get("note") or "",
            },
            r_where,
        )
    loader.delete_extra(terms.roles.filter(position__gt=len(roles)))
