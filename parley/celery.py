"""The Celery app: the embedded folder broker by default, Redis or RabbitMQ when configured."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parley.settings")

app = Celery("parley")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.conf.beat_schedule = {
    "sweep-envelopes": {"task": "parley.channels.tasks.sweep_envelopes", "schedule": 15.0},
    "sweep-outbox": {"task": "parley.conversations.tasks.sweep_outbox", "schedule": 15.0},
    "poll-email-inboxes": {"task": "parley.channels.email.tasks.poll_email_inboxes", "schedule": 60.0},
}
