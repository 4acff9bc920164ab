"""The task functions; importing this package registers each one (app.jobs.registry)."""

from app.tasks import exports, maintenance, notifications, permits, reminders, webhooks

__all__ = ["exports", "maintenance", "notifications", "permits", "reminders", "webhooks"]
