"""Standard-Webhooks signatures and PKCE values, against the specs' own examples where they give one."""

import base64
import hashlib
import hmac
import time
from urllib.parse import parse_qs, urlsplit

from connectors.platforms.etsy import pkce
from printbridge_shared import standard_webhooks as signatures

from .conftest import WEBHOOK_SECRET

BODY = b'{"event_type":"order.paid","resource_url":"https://openapi.etsy.com/v3/application/shops/1/receipts/2","shop_id":1}'
MSG_ID = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"


def documented_signature(secret: str, msg_id: str, timestamp: str, body: bytes) -> str:
    """standard-webhooks spec: base64(HMAC-SHA256(base64-decoded key, `id.timestamp.body`)), prefixed v1,."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def test_a_signature_made_as_the_spec_says_is_accepted():
    now = str(int(time.time()))
    signature = documented_signature(WEBHOOK_SECRET, MSG_ID, now, BODY)
    assert signatures.verify(WEBHOOK_SECRET, MSG_ID, now, signature, BODY)


def test_a_signature_made_with_another_secret_or_over_other_bytes_is_refused():
    now = str(int(time.time()))
    other = "whsec_" + base64.b64encode(b"another-key").decode()
    assert not signatures.verify(
        WEBHOOK_SECRET, MSG_ID, now, documented_signature(other, MSG_ID, now, BODY), BODY
    )
    signed = documented_signature(WEBHOOK_SECRET, MSG_ID, now, BODY)
    assert not signatures.verify(WEBHOOK_SECRET, MSG_ID, now, signed, BODY + b" ")
    assert not signatures.verify(WEBHOOK_SECRET, "msg_other", now, signed, BODY)


def test_a_timestamp_more_than_five_minutes_away_is_refused():
    for offset in (-301, 301):
        then = str(int(time.time()) + offset)
        signature = documented_signature(WEBHOOK_SECRET, MSG_ID, then, BODY)
        assert not signatures.verify(WEBHOOK_SECRET, MSG_ID, then, signature, BODY)
    almost = str(int(time.time()) - 290)
    assert signatures.verify(
        WEBHOOK_SECRET, MSG_ID, almost, documented_signature(WEBHOOK_SECRET, MSG_ID, almost, BODY), BODY
    )


def test_one_good_signature_among_several_is_enough():
    now = str(int(time.time()))
    good = documented_signature(WEBHOOK_SECRET, MSG_ID, now, BODY)
    listed = f"v1,Zm9vYmFy v2,{good.split(',', 1)[1]} {good}"
    assert signatures.verify(WEBHOOK_SECRET, MSG_ID, now, listed, BODY)
    assert not signatures.verify(WEBHOOK_SECRET, MSG_ID, now, "v1,Zm9vYmFy", BODY)


def test_missing_headers_are_refused():
    now = str(int(time.time()))
    good = documented_signature(WEBHOOK_SECRET, MSG_ID, now, BODY)
    assert not signatures.verify(WEBHOOK_SECRET, None, now, good, BODY)
    assert not signatures.verify(WEBHOOK_SECRET, MSG_ID, None, good, BODY)
    assert not signatures.verify(WEBHOOK_SECRET, MSG_ID, "soon", good, BODY)
    assert not signatures.verify(WEBHOOK_SECRET, MSG_ID, now, None, BODY)


def test_the_pkce_challenge_is_rfc_7636s_example():
    # RFC 7636 appendix B.
    assert pkce.challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == (
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )


def test_a_new_verifier_is_43_to_128_unreserved_characters():
    verifier = pkce.new_verifier()
    assert 43 <= len(verifier) <= 128
    assert set(verifier) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    assert pkce.new_verifier() != verifier


def test_the_authorize_url_carries_every_parameter_etsy_documents():
    url = pkce.authorize_url(
        "https://www.etsy.com/oauth/connect",
        "key",
        "https://pb.example/cb",
        "shops_r  email_r",
        "st",
        "v" * 43,
    )
    parts = urlsplit(url)
    assert "scope=shops_r%20email_r" in parts.query
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.etsy.com", "/oauth/connect")
    assert parse_qs(parts.query) == {
        "response_type": ["code"],
        "client_id": ["key"],
        "redirect_uri": ["https://pb.example/cb"],
        "scope": ["shops_r email_r"],
        "state": ["st"],
        "code_challenge": [pkce.challenge("v" * 43)],
        "code_challenge_method": ["S256"],
    }
