"""storefront_auth"""
