from django.apps import AppConfig

from core import registry


class BodiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "bodies"
    verbose_name = "Registry: partnerships, organisations and bodies"

    def ready(self):
        from bodies.reminders import terms_of_reference_reminders

        registry.register_daily_reminders(terms_of_reference_reminders)
