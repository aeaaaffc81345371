"""Celery application. Broker from settings: Redis when configured, else the filesystem."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "acompana.config.settings")

app = Celery("acompana")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
