"""The two signatures, checked against values computed here from Shopify's documented algorithms."""

import base64
import hashlib
import hmac
import json

from connectors.platforms.shopify.signatures import body_signed, query_signed

SECRET = "hush"


def documented_query_hmac(params: dict[str, str], secret: str) -> str:
    """shopify.dev: drop `hmac`, sort the rest by name, join `k=v` with `&`, HMAC-SHA256 hex."""
    message = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "hmac")
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def callback(**overrides: str) -> dict[str, str]:
    params = {
        "code": "0907a61c0c8d55e99db179b68161bc00",
        "host": "YWNtZS5teXNob3BpZnkuY29tL2FkbWlu",
        "shop": "acme.myshopify.com",
        "state": "0.6784241404160823",
        "timestamp": "1337178173",
        **overrides,
    }
    params["hmac"] = documented_query_hmac(params, SECRET)
    return params


def test_a_callback_signed_as_documented_verifies_whatever_the_parameter_order():
    params = callback()
    assert query_signed(list(params.items()), [SECRET])
    assert query_signed(list(reversed(params.items())), [SECRET])


def test_a_changed_parameter_a_wrong_secret_or_no_hmac_fails():
    params = callback()
    tampered = {**params, "shop": "evil.myshopify.com"}
    assert not query_signed(list(tampered.items()), [SECRET])
    assert not query_signed(list(params.items()), ["other"])
    assert not query_signed([(k, v) for k, v in params.items() if k != "hmac"], [SECRET])
    assert not query_signed([*params.items(), ("hmac", params["hmac"])], [SECRET])


def test_the_previous_secret_still_verifies_during_a_rotation():
    params = callback()
    assert query_signed(list(params.items()), ["new-secret", SECRET])
    assert not query_signed(list(params.items()), ["new-secret", ""])


def test_a_webhook_body_verifies_on_its_exact_bytes_only():
    body = json.dumps({"id": 5912345678901234567, "note": "Für Oma"}, ensure_ascii=False).encode()
    header = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()
    assert body_signed(body, header, [SECRET])
    reserialised = json.dumps(json.loads(body)).encode()  # same JSON, other bytes
    assert not body_signed(reserialised, header, [SECRET])
    assert not body_signed(body, header, ["other"])
    assert not body_signed(body, None, [SECRET])
    assert not body_signed(body, "", [SECRET])


def test_values_with_spaces_verify_as_shopify_api_js_signs_them():
    """shopify-api-js' own test: spaces are `%20` in the signed message."""
    params = {"code": "some code goes here", "shop": "the shop URL", "timestamp": "1337178173"}
    message = "code=some%20code%20goes%20here&shop=the%20shop%20URL&timestamp=1337178173"
    signed = {**params, "hmac": hmac.new(SECRET.encode(), message.encode(), hashlib.sha256).hexdigest()}
    assert query_signed(list(signed.items()), [SECRET])


def test_values_with_reserved_characters_verify_as_shopifys_python_library_signs_them():
    params = {"host": "YWRtaW4=", "return": "a&b%c", "shop": "acme.myshopify.com"}
    message = "host=YWRtaW4=&return=a%26b%25c&shop=acme.myshopify.com"
    signed = {**params, "hmac": hmac.new(SECRET.encode(), message.encode(), hashlib.sha256).hexdigest()}
    assert query_signed(list(signed.items()), [SECRET])
