"""Test orders go the way of any order through resolution: they share resolution's builders of mapping's
events (a catalog product, a variant's mapping, a template)."""

from ..resolution.conftest import catalog_product, mapping, shop_variant_id, template

__all__ = ["catalog_product", "mapping", "shop_variant_id", "template"]
