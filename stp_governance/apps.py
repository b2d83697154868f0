from django.apps import AppConfig


class StpGovernanceConfig(AppConfig):
    name = "stp_governance"
    verbose_name = "STP Governance Registry"

    def ready(self):
        from stp_governance import checks, security  # noqa: F401 (checks register themselves)

        security.connect()
