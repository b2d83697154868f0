from django.apps import AppConfig

from core import registry


class MeetingsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "meetings"
    verbose_name = "The meeting cycle: papers, packs, minutes, actions, interests"

    def ready(self):
        from meetings.reminders import declaration_round_reminders, overdue_action_reminders

        registry.register_daily_reminders(overdue_action_reminders, declaration_round_reminders)
