from django.apps import AppConfig


class StpGovernanceConfig(AppConfig):
    name = "stp_governance"
    verbose_name = "STP Governance Registry"
