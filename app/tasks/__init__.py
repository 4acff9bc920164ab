"""The task functions; importing this package registers each one (app.jobs.registry)."""

from app.tasks import maintenance, reminders, webhooks

__all__ = ["maintenance", "reminders", "webhooks"]
