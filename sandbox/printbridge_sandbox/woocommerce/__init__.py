"""A WordPress + WooCommerce sandbox: REST API v3, OAuth 1.0a and Basic auth, webhooks, misbehaviour."""
