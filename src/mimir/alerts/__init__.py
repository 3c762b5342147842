"""Watches, alert matching at ingest, the outbox and notifications.

Notification layer (see docs/alerts.md): ``channels`` (Apprise URLs, validation, redaction),
``notify`` (the Notifier: one delivery, one DeliveryResult), ``webhook`` and ``signing``
(signed generic webhooks), ``digest`` and ``templates/`` (alert and digest messages, digest
windows), ``highlight`` (matched terms), ``outfeeds`` (Atom, RSS, JSON Feed), ``backoff``
(when to retry).
"""
