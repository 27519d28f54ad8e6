"""Postbacks: every status change of an order, signed (Standard Webhooks) and delivered to the
producer's systems, retried for a day, in order per order (docs/postbacks.md)."""
