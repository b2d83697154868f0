from django.apps import AppConfig

from core import registry


class RisksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "risks"
    verbose_name = "Risk registers"

    def ready(self):
        from risks.reminders import escalation_reminders, risk_review_reminders

        registry.register_daily_reminders(risk_review_reminders, escalation_reminders)
