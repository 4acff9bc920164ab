"""The task functions; importing this package registers each one (app.jobs.registry)."""

from app.tasks import reminders, webhooks

__all__ = ["reminders", "webhooks"]
