"""The JSON the Etsy API answers with, field names and types as in Etsy's OpenAPI specification
(ShopReceipt, ShopReceiptTransaction, TransactionVariations, ShopReceiptShipment, Money, Shop, Self)."""

from typing import Any

from printbridge_sandbox.etsy.state import Listing, Receipt, Shop, Transaction, User


def money(amount: int, currency_code: str) -> dict[str, Any]:
    return {"amount": amount, "divisor": 100, "currency_code": currency_code}


def transaction_json(receipt: Receipt, transaction: Transaction) -> dict[str, Any]:
    currency = receipt.currency_code
    return {
        "transaction_id": transaction.transaction_id,
        "title": transaction.title,
        "description": None,
        "seller_user_id": receipt.seller_user_id,
        "buyer_user_id": receipt.buyer_user_id,
        "create_timestamp": transaction.created,
        "created_timestamp": transaction.created,
        "paid_timestamp": transaction.paid,
        "shipped_timestamp": transaction.shipped,
        "quantity": transaction.quantity,
        "listing_image_id": None,
        "receipt_id": receipt.receipt_id,
        "is_digital": False,
        "file_data": "",
        "listing_id": transaction.listing_id,
        "transaction_type": "listing",
        "product_id": transaction.product_id,
        "sku": transaction.sku,
        "price": money(transaction.price, currency),
        "shipping_cost": money(transaction.shipping_cost, currency),
        "variations": [
            {
                "property_id": v.property_id,
                "value_id": v.value_id,
                "formatted_name": v.formatted_name,
                "formatted_value": v.formatted_value,
            }
            for v in transaction.variations
        ],
        "product_data": [],
        "shipping_profile_id": None,
        "min_processing_days": 1,
        "max_processing_days": 3,
        "shipping_method": None,
        "shipping_upgrade": None,
        "expected_ship_date": None,
        "buyer_coupon": 0,
        "shop_coupon": 0,
    }


def formatted_address(receipt: Receipt) -> str:
    lines = [receipt.name, receipt.first_line, receipt.second_line or ""]
    lines.append(" ".join(part for part in (receipt.city, receipt.state or "", receipt.zip) if part))
    lines.append(receipt.country_iso)
    return "\n".join(line for line in lines if line)


def receipt_json(receipt: Receipt, seller: User) -> dict[str, Any]:
    currency = receipt.currency_code
    return {
        "receipt_id": receipt.receipt_id,
        "receipt_type": 0,
        "seller_user_id": receipt.seller_user_id,
        "seller_email": seller.primary_email,
        "buyer_user_id": receipt.buyer_user_id,
        "buyer_email": receipt.buyer_email,
        "name": receipt.name,
        "first_line": receipt.first_line,
        "second_line": receipt.second_line,
        "city": receipt.city,
        "state": receipt.state,
        "zip": receipt.zip,
        "status": receipt.status,
        "formatted_address": formatted_address(receipt),
        "country_iso": receipt.country_iso,
        "payment_method": receipt.payment_method,
        "payment_email": "",
        "message_from_seller": None,
        "message_from_buyer": receipt.message_from_buyer,
        "message_from_payment": None,
        "is_paid": receipt.is_paid,
        "is_shipped": receipt.is_shipped,
        "create_timestamp": receipt.created,
        "created_timestamp": receipt.created,
        "update_timestamp": receipt.updated,
        "updated_timestamp": receipt.updated,
        "is_gift": receipt.is_gift,
        "gift_message": receipt.gift_message,
        "grandtotal": money(receipt.grandtotal, currency),
        "subtotal": money(receipt.subtotal, currency),
        "total_price": money(receipt.total_price, currency),
        "total_shipping_cost": money(receipt.total_shipping_cost, currency),
        "total_tax_cost": money(receipt.total_tax_cost, currency),
        "total_vat_cost": money(0, currency),
        "discount_amt": money(receipt.discount_amt, currency),
        "gift_wrap_price": money(0, currency),
        "shipments": [
            {
                "receipt_shipping_id": s.receipt_shipping_id,
                "shipment_notification_timestamp": s.notified,
                "carrier_name": s.carrier_name,
                "tracking_code": s.tracking_code,
            }
            for s in receipt.shipments
        ],
        "transactions": [transaction_json(receipt, t) for t in receipt.transactions],
        "refunds": [],
    }


def shop_json(shop: Shop, owner: User, base_url: str) -> dict[str, Any]:
    return {
        "shop_id": shop.shop_id,
        "user_id": shop.user_id,
        "shop_name": shop.shop_name,
        "create_date": shop.created,
        "created_timestamp": shop.created,
        "title": shop.title,
        "announcement": None,
        "currency_code": shop.currency_code,
        "is_vacation": False,
        "vacation_message": None,
        "sale_message": None,
        "digital_sale_message": None,
        "update_date": shop.updated,
        "updated_timestamp": shop.updated,
        "listing_active_count": sum(1 for listing in shop.listings.values() if listing.state == "active"),
        "digital_listing_count": 0,
        "login_name": owner.login_name,
        "accepts_custom_requests": False,
        "url": f"{base_url}/shop/{shop.shop_name}",
        "shop_location_country_iso": shop.country_iso,
        "shipping_from_country_iso": shop.country_iso,
        "transaction_sold_count": len(shop.receipts),
        "review_count": 0,
        "review_average": None,
    }


def listing_json(shop: Shop, listing: Listing) -> dict[str, Any]:
    return {
        "listing_id": listing.listing_id,
        "shop_id": shop.shop_id,
        "user_id": shop.user_id,
        "title": listing.title,
        "state": listing.state,
        "creation_timestamp": listing.created,
        "created_timestamp": listing.created,
        "last_modified_timestamp": listing.updated,
        "updated_timestamp": listing.updated,
        "listing_type": "physical",
        "url": f"https://www.etsy.com/listing/{listing.listing_id}",
        "has_variations": len(listing.products) > 1,
        "skus": [product.sku for product in listing.products],
        "price": money(min(p.price for p in listing.products), shop.currency_code),
        "quantity": sum(p.quantity for p in listing.products),
    }


def inventory_json(shop: Shop, listing: Listing) -> dict[str, Any]:
    return {
        "products": [
            {
                "product_id": product.product_id,
                "sku": product.sku,
                "is_deleted": False,
                "offerings": [
                    {
                        "offering_id": product.product_id + 1,
                        "quantity": product.quantity,
                        "is_enabled": True,
                        "is_deleted": False,
                        "price": money(product.price, shop.currency_code),
                    }
                ],
                "property_values": product.property_values,
            }
            for product in listing.products
        ],
        "price_on_property": [],
        "quantity_on_property": [],
        "sku_on_property": [],
    }
