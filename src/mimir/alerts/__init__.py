"""Watches, alert matching at ingest, the outbox and notifications."""
