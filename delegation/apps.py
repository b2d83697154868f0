from django.apps import AppConfig


class DelegationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "delegation"
    verbose_name = "Schemes of delegation"
