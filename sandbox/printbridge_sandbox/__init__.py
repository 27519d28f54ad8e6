"""Fake partner platforms (WooCommerce, Shopify, …) speaking the real protocols over real sockets."""
