from django.apps import AppConfig


class DelegationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "delegation"
    verbose_name = "Schemes of delegation"

    def ready(self):
        from delegation import workbook

        workbook.register()  # the "Delegations" sheet of a partnership's workbook (issue 17)
