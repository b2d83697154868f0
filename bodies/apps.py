from django.apps import AppConfig

from core import registry


class BodiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "bodies"
    verbose_name = "Registry: partnerships, organisations and bodies"

    def ready(self):
        from bodies.reminders import terms_of_reference_reminders

        registry.register_daily_reminders(terms_of_reference_reminders)

        from bodies.services import person_link_account

        registry.register_account_linker(person_link_account)

        from bodies.queries import person_id_of, seated_body_ids
        from core.access import register_restricted_reader

        # Restricted records are read by members who sit on their body, and by the person they concern.
        register_restricted_reader("restricted_body_path", seated_body_ids)
        register_restricted_reader("restricted_person_path", person_id_of)
