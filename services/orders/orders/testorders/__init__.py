"""Test orders: "verify the integration", automated. A test order of a store goes through everything a
real one does except production, and its run reports each step (docs/test-orders.md)."""
