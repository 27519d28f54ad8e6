"""Events: the envelope, versioned contracts, the transactional outbox and the buses that carry them."""

from printbridge_shared.events.envelope import Envelope

__all__ = ["Envelope"]
