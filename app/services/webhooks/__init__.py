"""Webhooks: subscriptions (street office) and the outbox relay that delivers events to them."""
