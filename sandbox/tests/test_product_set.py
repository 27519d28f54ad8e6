"""`productSet` and `productByIdentifier` as an app sees them: a product created with its options, variants
(option values, SKUs, prices), files and metafields; userErrors for invalid input, with nothing created;
an upsert by handle that makes no second product; write_products required; products/create fired; the
lost-answer misbehaviour."""

import json
from typing import Any

from printbridge_sandbox.shopify.testing import SHOP, Receiver, Sandbox

WRITE = "read_orders,write_products"
PRODUCT_SET = """mutation($input: ProductSetInput!, $identifier: ProductSetIdentifiers) {
  productSet(input: $input, synchronous: true, identifier: $identifier) {
    product {
      id handle title status productType descriptionHtml
      options { name values }
      metafield(namespace: "printbridge", key: "request_id") { value }
      variants(first: 10) { nodes { id sku price title selectedOptions { name value } } }
    }
    userErrors { field message code }
  }
}"""
BY_HANDLE = """query($identifier: ProductIdentifierInput!) {
  productByIdentifier(identifier: $identifier) { id handle title }
}"""


def flyer(**changes: Any) -> dict[str, Any]:
    return {
        "title": "Flyer",
        "handle": "pb-flyer",
        "descriptionHtml": "<p>Glossy</p>",
        "productType": "Print",
        "status": "ACTIVE",
        "productOptions": [
            {"name": "Size", "position": 1, "values": [{"name": "A5"}, {"name": "A4"}]},
            {"name": "Paper", "position": 2, "values": [{"name": "Matte"}]},
        ],
        "variants": [
            {
                "optionValues": [
                    {"optionName": "Size", "name": "A5"},
                    {"optionName": "Paper", "name": "Matte"},
                ],
                "sku": "FL-A5",
                "price": "12.00",
            },
            {
                "optionValues": [
                    {"optionName": "Size", "name": "A4"},
                    {"optionName": "Paper", "name": "Matte"},
                ],
                "sku": "FL-A4",
                "price": "15.50",
            },
        ],
        "files": [{"originalSource": "https://cdn.example.com/flyer.png", "contentType": "IMAGE"}],
        "metafields": [
            {
                "namespace": "printbridge",
                "key": "request_id",
                "type": "single_line_text_field",
                "value": "r-1",
            }
        ],
    } | changes


def product_set(sandbox: Sandbox, token: str, given: dict[str, Any], identifier: Any = None) -> Any:
    return sandbox.data(token, PRODUCT_SET, {"input": given, "identifier": identifier})["productSet"]


def shop_products(sandbox: Sandbox) -> list[dict[str, Any]]:
    return list(sandbox.control("GET", f"/shops/{SHOP}/products"))


def test_product_set_creates_the_product_with_options_variants_skus_and_fires_products_create(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    token = sandbox.install(scope=WRITE)["access_token"]
    sandbox.subscribe(token, "PRODUCTS_CREATE", receiver.url)

    answer = product_set(sandbox, token, flyer())

    assert answer["userErrors"] == []
    product = answer["product"]
    assert (product["handle"], product["title"], product["status"], product["productType"]) == (
        "pb-flyer",
        "Flyer",
        "ACTIVE",
        "Print",
    )
    assert product["descriptionHtml"] == "<p>Glossy</p>"
    assert product["options"] == [
        {"name": "Size", "values": ["A5", "A4"]},
        {"name": "Paper", "values": ["Matte"]},
    ]
    assert product["metafield"] == {"value": "r-1"}
    variants = product["variants"]["nodes"]
    assert [(v["sku"], v["price"], v["title"]) for v in variants] == [
        ("FL-A5", "12.00", "A5 / Matte"),
        ("FL-A4", "15.50", "A4 / Matte"),
    ]
    assert variants[0]["selectedOptions"] == [
        {"name": "Size", "value": "A5"},
        {"name": "Paper", "value": "Matte"},
    ]
    [request] = receiver.wait_for(1)
    assert request.headers["x-shopify-topic"] == "products/create"
    body = json.loads(request.body)
    assert body["admin_graphql_api_id"] == product["id"]
    assert [o["name"] for o in body["options"]] == ["Size", "Paper"]
    assert body["images"][0]["src"] == "https://cdn.example.com/flyer.png"
    found = sandbox.data(token, BY_HANDLE, {"identifier": {"handle": "pb-flyer"}})["productByIdentifier"]
    assert found["id"] == product["id"]
    assert sandbox.data(token, BY_HANDLE, {"identifier": {"handle": "nope"}})["productByIdentifier"] is None


def test_invalid_input_is_answered_with_user_errors_and_creates_nothing(sandbox: Sandbox) -> None:
    token = sandbox.install(scope=WRITE)["access_token"]
    size = {"name": "Size", "values": [{"name": "A5"}, {"name": "A5"}]}
    cases = {
        "INVALID_PRODUCT": flyer(title=""),
        "DUPLICATED_OPTION_VALUE": flyer(productOptions=[size]),
        "DUPLICATED_OPTION_NAME": flyer(
            productOptions=[
                {"name": "Size", "values": [{"name": "A5"}]},
                {"name": "size", "values": [{"name": "A4"}]},
            ]
        ),
        "OPTION_VALUE_DOES_NOT_EXIST": flyer(
            variants=[
                {
                    "optionValues": [
                        {"optionName": "Size", "name": "A3"},
                        {"optionName": "Paper", "name": "Matte"},
                    ]
                }
            ]
        ),
        "INVALID_VARIANT": flyer(
            variants=[{"optionValues": [{"optionName": "Size", "name": "A5"}], "sku": "X", "price": "1.00"}]
        ),
    }
    for code, given in cases.items():
        answer = product_set(sandbox, token, given)
        assert answer["product"] is None, code
        assert code in [error["code"] for error in answer["userErrors"]], answer
        assert all(error["message"] and error["field"][0] == "input" for error in answer["userErrors"])
    assert shop_products(sandbox) == []

    product_set(sandbox, token, flyer())
    taken = product_set(sandbox, token, flyer(title="Other"))
    assert [e["code"] for e in taken["userErrors"]] == ["HANDLE_NOT_UNIQUE"]


def test_an_upsert_by_handle_updates_the_product_instead_of_making_a_second(sandbox: Sandbox) -> None:
    token = sandbox.install(scope=WRITE)["access_token"]
    first = product_set(sandbox, token, flyer(), {"handle": "pb-flyer"})["product"]
    again = product_set(sandbox, token, flyer(title="Flyer 2"), {"handle": "pb-flyer"})

    assert again["userErrors"] == [] and again["product"]["id"] == first["id"]
    assert [v["id"] for v in again["product"]["variants"]["nodes"]] == [
        v["id"] for v in first["variants"]["nodes"]
    ]
    assert [p["title"] for p in shop_products(sandbox)] == ["Flyer 2"]
    mismatch = product_set(sandbox, token, flyer(handle="other"), {"handle": "pb-flyer"})
    assert [e["code"] for e in mismatch["userErrors"]] == ["INPUT_MISMATCH"]


def test_product_set_needs_write_products_and_costs_as_a_mutation(sandbox: Sandbox) -> None:
    token = sandbox.install(scope="read_orders,read_products")["access_token"]
    body = sandbox.graphql(token, PRODUCT_SET, {"input": flyer()}).json()
    assert body["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"
    assert "write_products" in body["errors"][0]["message"]
    assert body["extensions"]["cost"]["requestedQueryCost"] == 10
    assert shop_products(sandbox) == []


def test_a_lost_mutation_answer_is_a_504_after_the_product_was_made(sandbox: Sandbox) -> None:
    token = sandbox.install(scope=WRITE)["access_token"]
    sandbox.control("PUT", f"/shops/{SHOP}/misbehaviour", json={"api_lose_mutation_answers": 1})
    lost = sandbox.graphql(token, PRODUCT_SET, {"input": flyer()})
    assert lost.status_code == 504
    assert [p["handle"] for p in shop_products(sandbox)] == ["pb-flyer"]
    assert sandbox.data(token, BY_HANDLE, {"identifier": {"handle": "pb-flyer"}})["productByIdentifier"]
