"""The Etsy Open API v3 sandbox (docs/sandbox-etsy.md)."""
