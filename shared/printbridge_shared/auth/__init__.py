"""Authentication every service shares: the principal, access-token format, verification, dependencies."""
