"""The task functions; importing this package registers each one (app.jobs.registry)."""

from app.tasks import webhooks

__all__ = ["webhooks"]
