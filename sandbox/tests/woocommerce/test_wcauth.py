"""Connecting by app authorization (`/wc-auth/v1/authorize`): the merchant approves in the browser, the
shop POSTs a new key as JSON to the https callback_url, and the browser returns to return_url."""

import json
import re
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

CONTROL = "/_sandbox/woocommerce"
RETURN_URL = "https://printbridge.test/stores/woocommerce/connected"


def authorize_params(callback_url: str, **overrides: str) -> dict[str, str]:
    return {
        "app_name": "Printbridge",
        "scope": "read_write",
        "user_id": "store-42",
        "return_url": RETURN_URL,
        "callback_url": callback_url,
    } | overrides


def approve_link(page: httpx.Response) -> str:
    found = re.search(r'href="([^"]+)" class="[^"]*wc-auth-approve', page.text)
    assert found, page.text
    return unescape(found.group(1))


async def test_approving_posts_a_key_to_the_callback_and_returns_the_browser(
    https: httpx.AsyncClient, shop: Any, tls_receiver: Any
) -> None:
    grant_page = await https.get(
        f"{shop.url}/wc-auth/v1/authorize", params=authorize_params(tls_receiver.url)
    )

    approved = await https.get(approve_link(grant_page))

    assert grant_page.status_code == 200
    assert approved.status_code == 302
    location = urlsplit(approved.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == RETURN_URL
    assert parse_qs(location.query) == {"success": ["1"], "user_id": ["store-42"]}
    [callback] = tls_receiver.requests
    assert callback.headers["content-type"].startswith("application/json")
    granted = json.loads(callback.body)
    assert granted["user_id"] == "store-42"
    assert granted["key_permissions"] == "read_write"
    assert granted["consumer_key"].startswith("ck_") and granted["consumer_secret"].startswith("cs_")
    orders = await https.get(f"{shop.api}/orders", auth=(granted["consumer_key"], granted["consumer_secret"]))
    assert orders.status_code == 200


async def test_the_deny_link_returns_with_success_0(
    https: httpx.AsyncClient, shop: Any, tls_receiver: Any
) -> None:
    grant_page = await https.get(
        f"{shop.url}/wc-auth/v1/authorize", params=authorize_params(tls_receiver.url)
    )

    deny = re.search(r'href="([^"]+)" class="[^"]*wc-auth-deny', grant_page.text)

    assert deny is not None
    assert parse_qs(urlsplit(unescape(deny.group(1))).query) == {"success": ["0"], "user_id": ["store-42"]}


async def test_an_http_callback_is_refused_unless_the_site_allows_it(
    https: httpx.AsyncClient, shop: Any, new_shop: Any, receiver: Any
) -> None:
    lenient = await new_shop(allow_http_callback=True)

    refused = await https.get(f"{shop.url}/wc-auth/v1/authorize", params=authorize_params(receiver.url))
    allowed_page = await https.get(
        f"{lenient.url}/wc-auth/v1/authorize", params=authorize_params(receiver.url)
    )
    allowed = await https.get(approve_link(allowed_page))

    assert refused.status_code == 401
    assert "Error: The callback_url needs to be over SSL." in refused.text
    assert allowed.status_code == 302
    assert len(receiver.requests) == 1


async def test_a_missing_parameter_or_scope_is_refused(https: httpx.AsyncClient, shop: Any) -> None:
    params = authorize_params("https://printbridge.test/callback")
    del params["user_id"]

    missing = await https.get(f"{shop.url}/wc-auth/v1/authorize", params=params)
    bad_scope = await https.get(
        f"{shop.url}/wc-auth/v1/authorize", params=authorize_params("https://x.test/cb", scope="admin")
    )

    assert missing.status_code == 401
    assert "Missing parameter user_id" in missing.text
    assert "Invalid scope admin" in bad_scope.text


async def test_a_callback_not_answering_200_leaves_no_key(
    https: httpx.AsyncClient, shop: Any, tls_receiver: Any
) -> None:
    tls_receiver.answer_status = 201
    grant_page = await https.get(
        f"{shop.url}/wc-auth/v1/authorize", params=authorize_params(tls_receiver.url)
    )
    keys_before = (await https.get(f"{CONTROL}/sites/{shop.slug}")).json()["keys"]

    approved = await https.get(approve_link(grant_page))

    assert approved.status_code == 401
    assert "unable to send the consumer data" in approved.text
    assert (await https.get(f"{CONTROL}/sites/{shop.slug}")).json()["keys"] == keys_before


async def test_granting_without_the_pages_nonce_is_refused(
    https: httpx.AsyncClient, shop: Any, tls_receiver: Any
) -> None:
    forged = await https.get(
        f"{shop.url}/wc-auth/v1/access_granted",
        params=authorize_params(tls_receiver.url, wc_auth_nonce="0000000000"),
    )

    assert forged.status_code == 401
    assert "Invalid nonce verification" in forged.text
    assert tls_receiver.requests == []
