"""The shop's address, OAuth 1.0a request signatures and webhook signatures, each checked against values
computed here from the documented algorithms."""

import base64
import hashlib
import hmac

import httpx
import pytest

from connectors.platforms.base import ConnectRefused
from connectors.platforms.woocommerce import oauth1
from connectors.platforms.woocommerce.deliveries import change_key, is_ping, signature_matches
from connectors.platforms.woocommerce.site import normalise_site_url


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://Shop.Example/", "https://shop.example"),
        ("shop.example", "https://shop.example"),
        ("https://shop.example/store/?utm=x#top", "https://shop.example/store"),
        ("https://shop.example:443/store/", "https://shop.example/store"),
        ("https://shop.example:8443", "https://shop.example:8443"),
        ("https://shop.example/wp-admin/admin.php?page=wc-settings", "https://shop.example"),
        ("https://shop.example/blog/wp-json/wc/v3", "https://shop.example/blog"),
    ],
)
def test_a_site_url_is_normalised_to_scheme_lower_case_host_and_path(given: str, expected: str) -> None:
    assert normalise_site_url(given, allow_private=False) == expected


@pytest.mark.parametrize(
    "given",
    [
        "http://shop.example",
        "https://127.0.0.1",
        "https://10.1.2.3/shop",
        "https://localhost:8443",
        "https://[::1]",
    ],
)
def test_plain_http_and_private_addresses_are_refused_without_the_setting(given: str) -> None:
    with pytest.raises(ConnectRefused) as refused:
        normalise_site_url(given, allow_private=False)
    assert refused.value.code == "url-not-allowed"
    assert refused.value.extra["errors"][0]["loc"] == ["body", "url"]


def test_plain_http_and_private_addresses_are_taken_with_the_setting() -> None:
    assert (
        normalise_site_url("http://127.0.0.1:8080/shop/", allow_private=True) == "http://127.0.0.1:8080/shop"
    )
    assert normalise_site_url("HTTP://LocalHost:80", allow_private=True) == "http://localhost"


@pytest.mark.parametrize("given", ["ftp://shop.example", "https://", "not a shop", "https://shop"])
def test_what_is_not_a_shop_address_is_refused_as_invalid(given: str) -> None:
    with pytest.raises(ConnectRefused) as refused:
        normalise_site_url(given, allow_private=False)
    assert refused.value.code in ("url-invalid", "url-not-allowed")
    assert refused.value.extra["errors"][0]["loc"] == ["body", "url"]


def test_the_signature_base_string_is_rfc_5849s_own_example() -> None:
    """RFC 5849 section 3.4.1.1: the request's query, body and OAuth parameters, sorted and encoded."""
    url = httpx.URL("http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b")
    params = [
        ("b5", "=%3D"),
        ("a3", "a"),
        ("c@", ""),
        ("a2", "r b"),
        ("oauth_consumer_key", "9djdj82h48djs9d2"),
        ("oauth_token", "kkk9d7dh3k39sjv7"),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", "137131201"),
        ("oauth_nonce", "7d8f3e4a"),
        ("c2", ""),
        ("a3", "2 q"),
    ]
    assert oauth1.signature_base_string("POST", url, params) == (
        "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D"
        "%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26"
        "oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7"
    )


def _encode(text: str) -> str:
    """RFC 3986 unreserved characters stay, every other byte becomes %XX (upper-case hex)."""
    unreserved = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    return "".join(chr(b) if b in unreserved else f"%{b:02X}" for b in text.encode())


def test_a_plain_http_request_is_signed_with_hmac_sha256_of_the_consumer_secret() -> None:
    url = httpx.URL("http://shop.example:8080/wp-json/wc/v3/orders")
    params = [("modified_after", "2025-05-14T09:13:02"), ("per_page", "100"), ("page", "2")]
    signed = oauth1.sign("get", url, params, "ck_abc", "cs_s3cret", timestamp=1747213964, nonce="n0nce")

    expected_pairs = sorted(
        [
            *params,
            ("oauth_consumer_key", "ck_abc"),
            ("oauth_nonce", "n0nce"),
            ("oauth_signature_method", "HMAC-SHA256"),
            ("oauth_timestamp", "1747213964"),
        ]
    )
    parameter_string = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in expected_pairs)
    base = "GET&" + _encode("http://shop.example:8080/wp-json/wc/v3/orders") + "&" + _encode(parameter_string)
    assert "modified_after%3D2025-05-14T09%253A13%253A02" in base  # values are encoded twice
    expected = base64.b64encode(hmac.new(b"cs_s3cret&", base.encode(), hashlib.sha256).digest()).decode()

    sent = dict(signed)
    assert sent["oauth_signature"] == expected
    assert sent["oauth_signature_method"] == "HMAC-SHA256"
    assert "oauth_version" not in sent
    assert {k: sent[k] for k, _ in params} == dict(params)


def test_each_signed_request_has_its_own_nonce_and_the_current_time() -> None:
    url = httpx.URL("http://shop.example/wp-json/wc/v3/orders")
    first = dict(oauth1.sign("GET", url, [], "ck", "cs"))
    second = dict(oauth1.sign("GET", url, [], "ck", "cs"))
    assert first["oauth_nonce"] != second["oauth_nonce"]
    assert len(first["oauth_nonce"]) == 32
    assert abs(int(first["oauth_timestamp"]) - __import__("time").time()) < 60


def test_a_webhook_signature_is_base64_hmac_sha256_of_the_exact_bytes() -> None:
    body = b'{"id":7231,"status":"processing","total":"84.90"}'
    good = base64.b64encode(hmac.new(b"whsec", body, hashlib.sha256).digest()).decode()
    assert signature_matches("whsec", body, good)
    assert not signature_matches("whsec", body + b" ", good)  # a re-serialised body differs
    assert not signature_matches("other", body, good)
    assert not signature_matches("whsec", body, None)
    assert not signature_matches("whsec", body, "")


def test_the_ping_is_the_unsigned_form_encoded_webhook_id() -> None:
    assert is_ping({}, b"webhook_id=12")
    assert not is_ping({"x-wc-webhook-signature": "x"}, b"webhook_id=12")
    assert not is_ping({}, b'{"id": 12}')
    assert not is_ping({}, b"webhook_id=12&more=1")


def test_a_change_is_named_by_resource_id_and_modification_time() -> None:
    order = {"id": 7231, "date_modified_gmt": "2025-05-14T09:13:02"}
    assert change_key("order.updated", order, b"") == "order:7231:2025-05-14T09:13:02"
    assert change_key("order.created", order, b"") == change_key("order.updated", order, b"other bytes")
    assert change_key("order.deleted", {"id": 7231}, b"") == "order:7231:deleted"
    product = {"id": 5, "date_modified_gmt": "x"}
    assert change_key("product.updated", product, b"a").startswith("product:5:x:")
    assert change_key("product.updated", product, b"a") != change_key("product.updated", product, b"b")
    assert change_key("order.updated", None, b"junk").startswith("order.updated:sha256:")
