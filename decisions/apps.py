from django.apps import AppConfig

from core import registry


class DecisionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "decisions"
    verbose_name = "Meetings, decisions and ratifications"

    def ready(self):
        from decisions.reminders import (
            meeting_notice_reminders,
            ratification_reminders,
            urgent_decision_reminders,
        )

        registry.register_daily_reminders(
            ratification_reminders, urgent_decision_reminders, meeting_notice_reminders
        )
