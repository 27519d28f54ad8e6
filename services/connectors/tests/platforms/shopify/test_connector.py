"""The connector's polling and subscriptions against scripted GraphQL answers."""

import datetime as dt
import json
import uuid
from typing import Any

import httpx
import pytest

from connectors.config import Settings
from connectors.platforms.base import PlatformContext, PlatformProblem, StoreRef
from connectors.platforms.shopify.connector import WEBHOOK_TOPICS, ShopifyConnector, missing_scopes
from printbridge_shared.events.contracts import Platform

SHOP = "acme.myshopify.com"
STORE = StoreRef(
    id=uuid.uuid4(), customer_id=uuid.uuid4(), platform=Platform.shopify, shop_key=SHOP, name="acme"
)
COST = {
    "cost": {
        "requestedQueryCost": 10,
        "actualQueryCost": 2,
        "throttleStatus": {"maximumAvailable": 1000.0, "currentlyAvailable": 990.0, "restoreRate": 50.0},
    }
}


def money(amount: str) -> dict[str, Any]:
    return {"shopMoney": {"amount": amount, "currencyCode": "EUR"}}


def line(number: int) -> dict[str, Any]:
    return {
        "id": f"gid://shopify/LineItem/{number}",
        "sku": f"SKU-{number}",
        "title": "Poster",
        "variantTitle": None,
        "quantity": 1,
        "originalUnitPriceSet": money("1.00"),
        "variant": None,
        "product": None,
        "customAttributes": [],
    }


def order(number: int, lines: list[dict[str, Any]], more_lines: bool = False) -> dict[str, Any]:
    return {
        "id": f"gid://shopify/Order/{number}",
        "name": f"#{number}",
        "email": None,
        "createdAt": "2026-11-30T10:00:00Z",
        "processedAt": "2026-11-30T10:00:00Z",
        "updatedAt": f"2026-11-30T10:00:{number:02d}Z",
        "cancelledAt": None,
        "cancelReason": None,
        "currencyCode": "EUR",
        "test": False,
        "note": None,
        "displayFinancialStatus": "PAID",
        "totalPriceSet": money("10.00"),
        "subtotalPriceSet": money("10.00"),
        "totalTaxSet": money("0.00"),
        "totalShippingPriceSet": money("0.00"),
        "shippingAddress": None,
        "billingAddress": None,
        "lineItems": {
            "pageInfo": {"hasNextPage": more_lines, "endCursor": "lines-1" if more_lines else None},
            "edges": [{"node": node} for node in lines],
        },
    }


def page(nodes: list[dict[str, Any]], next_cursor: str | None) -> dict[str, Any]:
    return {
        "data": {
            "orders": {
                "pageInfo": {"hasNextPage": next_cursor is not None, "endCursor": next_cursor},
                "edges": [{"node": node} for node in nodes],
            }
        },
        "extensions": COST,
    }


def scripted(answers: list[dict[str, Any]]) -> tuple[PlatformContext, list[dict[str, Any]]]:
    sent: list[dict[str, Any]] = []

    def handle(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return httpx.Response(200, json=answers.pop(0))

    settings = Settings(
        shopify_client_id="cid", shopify_client_secret="secret", public_url="https://pb.example"
    )
    return PlatformContext(
        settings=settings, http=httpx.AsyncClient(transport=httpx.MockTransport(handle))
    ), sent


async def test_polling_pages_through_every_order_changed_since_oldest_first_with_all_their_lines():
    context, sent = scripted(
        [
            page([order(1, [line(11)]), order(2, [line(21)], more_lines=True)], next_cursor="orders-1"),
            {
                "data": {
                    "order": {
                        "lineItems": {
                            "pageInfo": {"hasNextPage": False, "endCursor": None},
                            "edges": [{"node": line(22)}],
                        }
                    }
                },
                "extensions": COST,
            },
            page([order(3, [line(31)])], next_cursor=None),
        ]
    )
    since = dt.datetime(2026, 11, 30, 9, 45, tzinfo=dt.UTC)
    versions = [
        v async for v in ShopifyConnector().fetch_orders(context, STORE, {"access_token": "t"}, since)
    ]
    assert [v.external_id for v in versions] == ["1", "2", "3"]
    assert [line.external_id for line in versions[1].fields["line_items"]] == ["21", "22"]
    first, lines, second = sent
    assert first["variables"] == {"first": 10, "after": None, "query": "updated_at:>='2026-11-30T09:45:00Z'"}
    assert "sortKey: UPDATED_AT" in first["query"]
    assert lines["variables"] == {"id": "gid://shopify/Order/2", "after": "lines-1"}
    assert second["variables"]["after"] == "orders-1"


async def test_without_a_previous_poll_every_order_is_fetched():
    context, sent = scripted([page([], next_cursor=None)])
    assert [
        v async for v in ShopifyConnector().fetch_orders(context, STORE, {"access_token": "t"}, None)
    ] == []
    assert sent[0]["variables"]["query"] is None


def subscriptions(topics: list[str], scopes: list[str], uri: str = "https://pb.example/v1/webhooks/shopify"):
    return {
        "data": {
            "currentAppInstallation": {"accessScopes": [{"handle": s} for s in scopes]},
            "webhookSubscriptions": {
                "pageInfo": {"hasNextPage": False, "endCursor": None},
                "edges": [
                    {"node": {"id": f"gid://shopify/WebhookSubscription/{i}", "topic": t, "uri": uri}}
                    for i, t in enumerate(topics)
                ],
            },
        },
        "extensions": COST,
    }


GRANTED = ["read_orders", "write_products", "write_merchant_managed_fulfillment_orders"]


async def test_ensure_webhooks_does_nothing_when_every_subscription_is_there():
    context, sent = scripted([subscriptions(list(WEBHOOK_TOPICS), GRANTED)])
    await ShopifyConnector().ensure_webhooks(context, STORE, {"access_token": "t"})
    assert len(sent) == 1


async def test_ensure_webhooks_recreates_the_ones_shopify_deleted():
    created = {"data": {"webhookSubscriptionCreate": {"webhookSubscription": {"id": "x"}, "userErrors": []}}}
    context, sent = scripted([subscriptions(list(WEBHOOK_TOPICS[1:]), GRANTED), created])
    await ShopifyConnector().ensure_webhooks(context, STORE, {"access_token": "t"})
    assert sent[1]["variables"] == {
        "topic": "ORDERS_CREATE",
        "subscription": {"uri": "https://pb.example/v1/webhooks/shopify", "format": "JSON"},
    }


async def test_subscriptions_that_cannot_be_created_are_webhooks_missing():
    refused = {
        "data": {
            "webhookSubscriptionCreate": {
                "webhookSubscription": None,
                "userErrors": [{"field": ["webhookSubscription", "uri"], "message": "Address is not valid"}],
            }
        }
    }
    context, _ = scripted([subscriptions([], GRANTED)] + [refused] * len(WEBHOOK_TOPICS))
    with pytest.raises(PlatformProblem) as problem:
        await ShopifyConnector().ensure_webhooks(context, STORE, {"access_token": "t"})
    assert problem.value.code == "webhooks_missing"
    assert "Address is not valid" in problem.value.message


async def test_a_scope_taken_away_is_scope_missing_naming_it():
    context, _ = scripted([subscriptions(list(WEBHOOK_TOPICS), ["write_products"])])
    with pytest.raises(PlatformProblem) as problem:
        await ShopifyConnector().ensure_webhooks(context, STORE, {"access_token": "t"})
    assert problem.value.code == "scope_missing"
    assert "read_orders" in problem.value.message


def test_a_write_scope_implies_its_read_scope():
    wanted = "read_orders,write_products,write_merchant_managed_fulfillment_orders"
    assert (
        missing_scopes(wanted, "write_orders,write_products,write_merchant_managed_fulfillment_orders") == []
    )
    assert missing_scopes(wanted, "read_orders,read_products,write_merchant_managed_fulfillment_orders") == [
        "write_products"
    ]
    assert missing_scopes(wanted, "") == sorted(
        [
            "read_orders",
            "write_products",
            "read_products",
            "write_merchant_managed_fulfillment_orders",
            "read_merchant_managed_fulfillment_orders",
        ]
    )


async def test_remove_webhooks_deletes_only_ours():
    deleted = {"data": {"webhookSubscriptionDelete": {"deletedWebhookSubscriptionId": "x", "userErrors": []}}}
    mixed = subscriptions(["ORDERS_CREATE"], GRANTED)
    mixed["data"]["webhookSubscriptions"]["edges"].append(
        {
            "node": {
                "id": "gid://shopify/WebhookSubscription/99",
                "topic": "ORDERS_CREATE",
                "uri": "https://other.example",
            }
        }
    )
    context, sent = scripted([mixed, deleted])
    await ShopifyConnector().remove_webhooks(context, STORE, {"access_token": "t"})
    assert [s["variables"] for s in sent[1:]] == [{"id": "gid://shopify/WebhookSubscription/0"}]
