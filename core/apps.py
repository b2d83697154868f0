from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The platform core: access, effective dating, revisions, history, API and editing bases,
    outbox, tokens, notifications, webhook transport. It imports no domain app.

    Its label stays `stp_governance`, the label its tables, migrations and permissions were created
    under before the core had a package of its own (docs/decisions/0008-layers.md).
    """

    name = "core"
    label = "stp_governance"
    verbose_name = "STP Governance Registry"

    def ready(self):
        from core import checks, security  # noqa: F401 (checks register themselves)

        security.connect()
