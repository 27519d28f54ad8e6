"""Test orders go the way of any order: they share resolution's builders of mapping's events (a catalog
product, a variant's mapping, a template) and postbacks' receiver and app (with the secret keys that
seal endpoints' secrets)."""

from ..postbacks.conftest import allow_private_urls, app, create_endpoint, receiver
from ..resolution.conftest import catalog_product, mapping, shop_variant_id, template

__all__ = [
    "allow_private_urls",
    "app",
    "catalog_product",
    "create_endpoint",
    "mapping",
    "receiver",
    "shop_variant_id",
    "template",
]
