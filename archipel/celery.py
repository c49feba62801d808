"""Celery application; tasks run in the schema of the territory that queued them
(tenant-schemas-celery)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archipel.settings")

from tenant_schemas_celery.app import CeleryApp  # noqa: E402

app = CeleryApp("archipel")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
