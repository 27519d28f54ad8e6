"""A stand-in for Aleyant Pressero's admin API (v6, JSON) and its webhooks (docs/sandbox-pressero.md)."""
