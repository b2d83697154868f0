from django.apps import AppConfig


class CompositionConfig(AppConfig):
    """What spans the domain apps: home and search pages, exports, the handbook, check runs, the daily
    reminder round and loading the demo data. It may import every domain app; none imports it."""

    name = "composition"
    verbose_name = "Registry pages and jobs across apps"
