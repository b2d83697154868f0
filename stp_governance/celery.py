"""The Celery app: Redis as the broker; tasks run eagerly only when no Redis is reachable."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stp_governance.settings")

app = Celery("stp_governance")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
