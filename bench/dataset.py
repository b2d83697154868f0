"""A deterministic synthetic registry for the benchmark, written with bulk_create.

Fifty partnerships, 2,000 organisations and 1,000 bodies with everything that hangs off them
(stages, memberships, agreements and signatures, successions, relationships, terms of
reference with objectives and roles, appointments). The same seed gives the same rows, so
every run of the benchmark reads the same pages.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils.text import slugify

SEED = 2016
PARTNERSHIPS = 50
PEOPLE = 1_500
ORGANISATIONS = 2_000
BODIES_PER_PARTNERSHIP = 18  # 900 partnership bodies ...
STATUTORY_BOARDS = 100  # ... and 100 member organisations' own boards: 1,000 bodies
SUCCESSIONS = 200
OBJECTIVES_PER_TOR = 4
ROLES_PER_TOR = 6
APPOINTMENTS_PER_BODY = 4

# Bump when the generator changes: the benchmark database is then rebuilt from scratch.
VERSION = (
    f"bench dataset v1 seed={SEED} partnerships={PARTNERSHIPS} organisations={ORGANISATIONS} "
    f"bodies={PARTNERSHIPS * BODIES_PER_PARTNERSHIP + STATUTORY_BOARDS}"
)

PLACES = [
    "Ashfield", "Barnsley", "Bassetlaw", "Bedford", "Blackburn", "Bolton", "Bradford", "Bristol",
    "Bury", "Calderdale", "Cambridge", "Carlisle", "Chesterfield", "Coventry", "Crewe", "Darlington",
    "Derby", "Doncaster", "Dorset", "Durham", "Erewash", "Exeter", "Gateshead", "Gloucester",
    "Grimsby", "Halifax", "Harrogate", "Hartlepool", "Hereford", "Huntingdon", "Ipswich", "Kendal",
    "Kirklees", "Leeds", "Leicester", "Lincoln", "Luton", "Mansfield", "Middlesbrough", "Newark",
    "Newcastle", "Northampton", "Norwich", "Nottingham", "Oldham", "Oxford", "Peterborough",
    "Plymouth", "Preston", "Reading", "Rotherham", "Salford", "Sheffield", "Shropshire", "Stockport",
    "Stockton", "Sunderland", "Swindon", "Telford", "Wakefield", "Walsall", "Warrington", "Wigan",
    "Wirral", "Worcester", "York",
]  # fmt: skip
SPECIALTIES = [
    "Teaching Hospitals", "Community Health", "Mental Health", "Healthcare", "Hospitals",
    "Ambulance Service", "Partnership", "Children's", "Royal", "University Hospitals",
]  # fmt: skip
FIRST_NAMES = [
    "Aisha", "Alan", "Amrit", "Andrew", "Anne", "Bernadette", "Chris", "Claire", "David", "Deborah",
    "Eleanor", "Fiona", "Gareth", "Hannah", "Ian", "Imran", "Jane", "John", "Julie", "Karen", "Kevin",
    "Linda", "Mark", "Mary", "Michael", "Nadia", "Neil", "Patricia", "Paul", "Priya", "Rachel",
    "Richard", "Sarah", "Simon", "Steve", "Susan", "Tracy", "Wendy",
]  # fmt: skip
LAST_NAMES = [
    "Ahmed", "Atkinson", "Bailey", "Barker", "Bennett", "Brown", "Clarke", "Cooper", "Davies", "Evans",
    "Fletcher", "Green", "Hall", "Harris", "Hughes", "Jackson", "Johnson", "Jones", "Khan", "Lee",
    "Lewis", "Marshall", "Martin", "Moore", "Patel", "Roberts", "Robinson", "Shaw", "Singh", "Smith",
    "Taylor", "Thomas", "Thompson", "Walker", "Ward", "Watson", "White", "Williams", "Wilson", "Wright",
]  # fmt: skip
COMMITTEES = [
    "Finance Committee", "Quality Committee", "Audit Committee", "Remuneration Committee",
    "Clinical Reference Group", "Estates Board", "Digital Programme Board", "Workforce Group",
    "Primary Care Committee", "Urgent Care Delivery Group", "Population Health Forum",
    "Mental Health Programme Board", "Maternity Working Group", "Prevention Board",
    "Provider Collaborative", "Joint Committee of CCGs", "Citizens' Panel",
]  # fmt: skip
SOURCE = "Synthetic benchmark data"
BATCH = 1_000


def generate() -> dict[str, int]:
    """Write the whole dataset in one transaction; return the row count per model."""
    from bodies import models as m

    rng = random.Random(SEED)
    counts: dict[str, int] = {}

    def save(model, objects):
        created = model.objects.bulk_create(objects, batch_size=BATCH)
        counts[model.__name__] = counts.get(model.__name__, 0) + len(created)
        return created

    def src(i: int) -> dict[str, str]:
        return {
            "source_document": f"{SOURCE}, paper {i % 97}",
            "source_reference": f"section {i % 13 + 1}" if i % 3 else "",
            "source_url": f"https://example.org/papers/{i}.pdf" if i % 2 else "",
        }

    with transaction.atomic():
        people = save(
            m.Person,
            [
                m.Person(
                    name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    note="Interim appointment." if i % 11 == 0 else "",
                    **src(i),
                )
                for i in range(PEOPLE)
            ],
        )

        places = rng.sample(PLACES, PARTNERSHIPS)
        partnerships = save(
            m.Partnership,
            [
                m.Partnership(
                    name=f"{place} Health and Care Partnership",
                    short_name=place if i % 5 else "",  # some have none: the name is shown
                    slug=slugify(place),
                    footprint_number=i + 1,
                    region=rng.choice(
                        ["North East and Yorkshire", "Midlands", "East of England", "South West"]
                    ),
                    population=rng.randrange(300_000, 3_000_000),
                    budget_gbp=Decimal(rng.randrange(500_000_000, 5_000_000_000)) / 100,
                    lead=people[i],
                    lead_role="Accountable Officer, NHS " + place + " CCG",
                    description=f"The health and care partnership for {place}.",
                    **src(i),
                )
                for i, place in enumerate(places)
            ],
        )

        stages = []
        for i, p in enumerate(partnerships):
            stages.append(
                m.PartnershipStage(
                    partnership=p,
                    stage="stp",
                    effective_from=datetime.date(2016, 3, 1),
                    effective_to=datetime.date(2018, 3, 31),
                    **src(i),
                )
            )
            if i % 3 == 0:
                stages.append(
                    m.PartnershipStage(
                        partnership=p,
                        stage="shadow_acs",
                        effective_from=datetime.date(2018, 4, 1),
                        effective_to=datetime.date(2019, 3, 31),
                        **src(i),
                    )
                )
            stages.append(
                m.PartnershipStage(
                    partnership=p,
                    stage="ics" if i % 2 else "acs",
                    effective_from=datetime.date(2019, 4, 1) if i % 3 == 0 else datetime.date(2018, 4, 1),
                    **src(i),
                )
            )
        save(m.PartnershipStage, stages)

        kinds = [k for k, _ in m.Organisation.Kind.choices]
        organisations = []
        for i in range(ORGANISATIONS):
            kind = rng.choice(kinds)
            place = rng.choice(PLACES)
            name = {
                "ccg": f"NHS {place} CCG",
                "nhs_foundation_trust": f"{place} {rng.choice(SPECIALTIES)} NHS Foundation Trust",
                "nhs_trust": f"{place} {rng.choice(SPECIALTIES)} NHS Trust",
                "local_authority": f"{place} {rng.choice(['City', 'County', 'Borough'])} Council",
                "general_practice": f"{rng.choice(LAST_NAMES)} Road Surgery, {place}",
                "healthwatch": f"Healthwatch {place}",
                "lmc": f"{place} Local Medical Committee",
            }.get(kind, f"{place} {rng.choice(['Care', 'Together', 'Voice', 'Alliance'])} {i}")
            established = datetime.date(1990 + i % 30, 1 + i % 12, 1)
            organisations.append(
                m.Organisation(
                    name=name,
                    slug=f"{slugify(name)}-{i}",
                    kind=kind,
                    is_statutory=kind in ("ccg", "nhs_foundation_trust", "nhs_trust", "local_authority"),
                    ods_code=f"{chr(65 + i % 26)}{i:05d}" if i % 4 else None,
                    other_names=[f"{place} {kind.upper()}", f"Formerly {name}"] if i % 7 == 0 else [],
                    established_on=established if i % 5 else None,
                    dissolved_on=datetime.date(2020, 3, 31) if i % 5 and i % 17 == 0 else None,
                    **src(i),
                )
            )
        organisations = save(m.Organisation, organisations)

        pairs = set()
        successions = []
        while len(successions) < SUCCESSIONS:
            a, b = rng.sample(organisations, 2)
            if (a.pk, b.pk) in pairs:
                continue
            pairs.add((a.pk, b.pk))
            successions.append(
                m.OrganisationSuccession(
                    predecessor=a,
                    successor=b,
                    effective_on=datetime.date(2018 + len(successions) % 4, 4, 1),
                    kind=rng.choice([k for k, _ in m.OrganisationSuccession.Kind.choices]),
                    note="Statutory merger." if len(successions) % 4 == 0 else "",
                    **src(len(successions)),
                )
            )
        save(m.OrganisationSuccession, successions)

        standings = [k for k, _ in m.Membership.Standing.choices]
        statuses = [k for k, _ in m.Membership.Status.choices]
        members: dict[int, list] = {p.pk: [] for p in partnerships}
        memberships = []
        for i, org in enumerate(organisations):
            for p in {partnerships[i % PARTNERSHIPS], partnerships[(i * 7 + 3) % PARTNERSHIPS]}:
                members[p.pk].append(org)
                memberships.append(
                    m.Membership(
                        partnership=p,
                        organisation=org,
                        standing=rng.choice(standings),
                        status=rng.choice(statuses),
                        effective_from=datetime.date(2016, 3, 1) if i % 3 else None,
                        effective_to=datetime.date(2021, 6, 30) if i % 9 == 0 else None,
                        note="Joined at the footprint's formation." if i % 6 == 0 else "",
                        **src(i),
                    )
                )
        save(m.Membership, memberships)

        agreements = []
        for i, p in enumerate(partnerships):
            for n, (kind, title) in enumerate(
                [("mou", "Memorandum of understanding"), ("governance_framework", "Governance framework")]
            ):
                agreements.append(
                    m.Agreement(
                        partnership=p,
                        slug=f"{kind}-{n}",
                        kind=kind,
                        title=f"{p.short_name or p.name} {title}",
                        version=f"{1 + i % 3}.{n}",
                        status="in_force" if i % 4 else "expired",
                        agreed_on=datetime.date(2017, 1 + i % 12, 1),
                        effective_from=datetime.date(2017, 4, 1),
                        effective_to=None if i % 4 else datetime.date(2019, 3, 31),
                        review_interval_months=12 if n else None,
                        **src(i),
                    )
                )
        agreements = save(m.Agreement, agreements)
        signatures = []
        for i, a in enumerate(agreements):
            for j, org in enumerate(members[a.partnership_id][:20]):
                signed = datetime.date(2017, 3, 1 + j)
                signatures.append(
                    m.Signature(
                        agreement=a,
                        organisation=org,
                        signatory_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" if j % 5 else "",
                        signatory_title="Accountable Officer" if j % 2 else "Chief Executive",
                        signed_on=signed if j % 6 else None,
                        withdrawn_on=datetime.date(2019, 4, 1) if j % 6 and j % 10 == 1 else None,
                        **src(i * 20 + j),
                    )
                )
        save(m.Signature, signatures)

        body_kinds = [k for k, _ in m.Body.Kind.choices if k not in ("board", "statutory_board")]
        bodies = []
        for i, p in enumerate(partnerships):
            label = p.short_name or p.name.removesuffix(" Health and Care Partnership")
            for n in range(BODIES_PER_PARTNERSHIP):
                name = f"{label} Partnership Board" if n == 0 else f"{label} {COMMITTEES[(n + i) % 17]}"
                status = "active" if n % 9 else ("dissolved" if n else "active")
                bodies.append(
                    m.Body(
                        partnership=p,
                        name=name,
                        short_name="" if n % 4 else f"{label[:3].upper()}-{n}",
                        slug=f"{slugify(name)}-{n}",
                        kind="board" if n == 0 else rng.choice(body_kinds),
                        status=status,
                        holds_delegated_authority=bool(n % 3),
                        decisions_bind_partners=n % 5 == 0,
                        description=f"{name}: established under the partnership's governance framework.",
                        effective_from=datetime.date(2016, 3, 1) if n % 2 else datetime.date(2017, 4, 1),
                        effective_to=datetime.date(2020, 3, 31) if status == "dissolved" else None,
                        **src(i * BODIES_PER_PARTNERSHIP + n),
                    )
                )
        for i, org in enumerate(rng.sample(organisations, STATUTORY_BOARDS)):
            bodies.append(
                m.Body(
                    organisation=org,
                    name=f"{org.name} Board",
                    slug=f"board-{org.slug}",
                    kind="statutory_board",
                    status="active",
                    decisions_bind_partners=False,
                    effective_from=org.established_on,
                    **src(i),
                )
            )
        bodies = save(m.Body, bodies)
        boards = {b.partnership_id: b for b in bodies if b.kind == "board"}

        relationships = []
        for i, b in enumerate(bodies):
            if b.partnership_id is None or b is boards[b.partnership_id]:
                continue
            relationships.append(
                m.BodyRelationship(
                    from_body=b,
                    to_body=boards[b.partnership_id],
                    kind="reports_to" if i % 4 else "accountable_to",
                    effective_from=b.effective_from,
                    effective_to=b.effective_to,
                    note="Reports after each meeting." if i % 5 == 0 else "",
                    **src(i),
                )
            )
        save(m.BodyRelationship, relationships)

        frequencies = [k for k, _ in m.TermsOfReference.Frequency.choices]
        methods = [k for k, _ in m.TermsOfReference.DecisionMethod.choices]
        terms = []
        for i, b in enumerate(bodies):
            approver = None
            if b.partnership_id is not None and b is not boards[b.partnership_id]:
                approver = boards[b.partnership_id]
            versions = [("approved", datetime.date(2017, 4, 1), None)]
            if i % 3 == 0:
                versions = [
                    ("superseded", datetime.date(2017, 4, 1), datetime.date(2019, 3, 31)),
                    ("approved", datetime.date(2019, 4, 1), None),
                ]
            if i % 10 == 0:
                versions.append(("draft", None, None))
            for v, (status, start, end) in enumerate(versions, start=1):
                low = 60 + 30 * (i % 3)
                terms.append(
                    m.TermsOfReference(
                        body=b,
                        version=v,
                        status=status,
                        approved_by=approver if status != "draft" else None,
                        approved_on=start - datetime.timedelta(days=14) if start else None,
                        effective_from=start,
                        effective_to=end,
                        purpose=f"To oversee {b.name.lower()} business on behalf of the partners. " * 3,
                        quorum_rule="One third of the voting members, including the chair or vice chair.",
                        quorum_count=3 + i % 4 if i % 2 else None,
                        decision_method=rng.choice(methods),
                        meeting_frequency=rng.choice(frequencies),
                        frequency_note="Meets monthly for two hours." if i % 4 == 0 else "",
                        duration_minutes_min=low if i % 5 else None,
                        duration_minutes_max=low + 60 if i % 5 else None,
                        review_interval_months=12,
                        next_review_due=datetime.date(2020 + i % 3, 4, 1),
                        **src(i),
                    )
                )
        terms = save(m.TermsOfReference, terms)

        objectives, roles = [], []
        categories = [k for k, _ in m.TermsOfReferenceRole.Category.choices]
        for i, t in enumerate(terms):
            for n in range(1, OBJECTIVES_PER_TOR + 1):
                objectives.append(
                    m.TermsOfReferenceObjective(
                        terms_of_reference=t,
                        position=n,
                        heading="Assurance" if n == 1 else "",
                        text=(
                            f"To provide assurance to the partnership board on objective {n} of the "
                            f"{t.body.name}, including the risks to its delivery and the actions taken."
                        ),
                    )
                )
            for n in range(1, ROLES_PER_TOR + 1):
                roles.append(
                    m.TermsOfReferenceRole(
                        terms_of_reference=t,
                        position=n,
                        title="Chair" if n == 1 else f"{rng.choice(['Director', 'Lead', 'Officer'])} {n}",
                        category=categories[0] if n <= 4 else rng.choice(categories),
                        voting=None if n == 6 else n <= 4,
                        is_chair=n == 1,
                        organisation=organisations[(i * 13 + n) % ORGANISATIONS] if n % 2 else None,
                        note="Or a nominated deputy." if n == 2 else "",
                    )
                )
        save(m.TermsOfReferenceObjective, objectives)
        save(m.TermsOfReferenceRole, roles)

        appointments = []
        roles_in_order = ["chair", "vice_chair", "member", "member", "attendee", "sro"]
        for i, b in enumerate(bodies):
            chosen = rng.sample(people, APPOINTMENTS_PER_BODY + 1)
            for n in range(APPOINTMENTS_PER_BODY):
                appointments.append(
                    m.Appointment(
                        body=b,
                        person=chosen[n],
                        role=roles_in_order[n],
                        title=f"Director of {rng.choice(['Finance', 'Nursing', 'Strategy', 'Public Health'])}",
                        representing=organisations[(i * 5 + n) % ORGANISATIONS] if n % 2 == 0 else None,
                        voting=n < 3,
                        deputy=chosen[-1] if n == 0 else None,
                        effective_from=datetime.date(2017, 4, 1),
                        **src(i),
                    )
                )
        save(m.Appointment, appointments)
    return counts
