"""The demo data: the five partnerships, their schemes of delegation, meetings and decisions, risk registers."""

from django.db import transaction

from bodies.seed import load_seed as load_partnerships
from bodies.seeding import SeedReport
from decisions.seed import load_decisions_seed
from delegation.seed import load_delegation_seed
from risks.seed import load_risk_seed


def load_all(*, dry_run: bool = False) -> SeedReport:
    with transaction.atomic():
        report = load_partnerships()
        load_delegation_seed(report=report)
        load_decisions_seed(report=report)
        load_risk_seed(report=report)
        if dry_run:
            transaction.set_rollback(True)
    return report
