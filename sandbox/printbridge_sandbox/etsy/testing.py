"""Helpers for tests that drive the Etsy sandbox over HTTP: an app with a seller and shop in one call
(`Etsy.setup()`), the seller's consent, the OAuth + PKCE dance a connector does, API calls with both
headers, and receipts placed and paid through the control API. Webhook receivers:
`printbridge_sandbox.shopify.testing.receiving()` works for any platform."""

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

REDIRECT = "https://app.example/etsy/callback"
SCOPES = "transactions_r transactions_w listings_r shops_r"
CONTROL = "/_sandbox/etsy"


def pkce() -> tuple[str, str]:
    """A code verifier and its S256 challenge (RFC 7636)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def receipt_body(**overrides: Any) -> dict[str, Any]:
    """A paid receipt for the control API: two posters, one personalised, to Portland."""
    return {
        "paid": True,
        "buyer_email": "jamie@example.com",
        "name": "Jamie Lee",
        "first_line": "221 Baker Street",
        "second_line": "Apt 4",
        "city": "Portland",
        "state": "OR",
        "zip": "97205",
        "country_iso": "US",
        "message_from_buyer": "Gift - no invoice please",
        "total_shipping_cost": "4.50",
        "transactions": [
            {
                "sku": "POSTER-A3-MATT",
                "title": "Custom city map poster",
                "quantity": 2,
                "price": "21.00",
                "variations": [
                    {"property_id": 100, "value_id": 5011, "formatted_name": "Size", "formatted_value": "A3"},
                    {"property_id": 54, "formatted_name": "Personalization", "formatted_value": "Portland"},
                ],
            }
        ],
        **overrides,
    }


@dataclass
class Etsy:
    """One app, one seller with a shop, on a sandbox reached through `http` (its base URL set)."""

    http: httpx.Client
    keystring: str = ""
    shared_secret: str = ""
    webhook_secret: str = ""
    user_id: int = 0
    shop_id: int = 0

    @property
    def api_key(self) -> str:
        return f"{self.keystring}:{self.shared_secret}"

    def control(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(method, CONTROL + path, **kwargs)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    def setup(self, webhook_url: str | None = None, **app: Any) -> "Etsy":
        """Registers an app (redirect URI `REDIRECT`), creates a seller with a shop, signs them in."""
        created = self.control(
            "POST", "/apps", json={"redirect_uris": [REDIRECT], "webhook_url": webhook_url, **app}
        )
        self.keystring, self.shared_secret = created["keystring"], created["shared_secret"]
        self.webhook_secret = created["webhook_secret"]
        seller = self.control("POST", "/sellers", json={"shop_name": f"Shop{secrets.token_hex(4)}"})
        self.user_id, self.shop_id = seller["user_id"], seller["shop_id"]
        self.consent(approve=True)
        return self

    def consent(self, approve: bool = True, user_id: int | None = None) -> None:
        self.control("PUT", "/consent", json={"user_id": user_id or self.user_id, "approve": approve})

    def connect(
        self, challenge: str, scope: str = SCOPES, state: str = "csrf-1", **extra: str
    ) -> httpx.Response:
        params = {
            "response_type": "code",
            "client_id": self.keystring,
            "redirect_uri": REDIRECT,
            "scope": scope,
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            **extra,
        }
        return self.http.get("/oauth/connect", params=params)

    def authorize(self, challenge: str, scope: str = SCOPES) -> dict[str, str]:
        """The query the sandbox redirected back to REDIRECT with."""
        response = self.connect(challenge, scope)
        assert response.status_code == 302, response.text
        location = urlsplit(response.headers["location"])
        assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
        return dict(parse_qsl(location.query))

    def token(self, **form: str) -> httpx.Response:
        return self.http.post("/v3/public/oauth/token", data={"client_id": self.keystring, **form})

    def install(self, scope: str = SCOPES) -> dict[str, Any]:
        """Connect → consent → code → tokens, as a connector does."""
        verifier, challenge = pkce()
        code = self.authorize(challenge, scope)["code"]
        response = self.token(
            grant_type="authorization_code", redirect_uri=REDIRECT, code=code, code_verifier=verifier
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    def refresh(self, refresh_token: str) -> httpx.Response:
        return self.token(grant_type="refresh_token", refresh_token=refresh_token)

    def get(self, access_token: str, path: str, **params: Any) -> httpx.Response:
        headers = {"authorization": f"Bearer {access_token}", "x-api-key": self.api_key}
        return self.http.get(f"/v3/application{path}", params=params, headers=headers)

    def place_receipt(self, **overrides: Any) -> dict[str, Any]:
        return dict(self.control("POST", f"/shops/{self.shop_id}/receipts", json=receipt_body(**overrides)))

    def receipts_path(self, receipt_id: int | None = None) -> str:
        tail = f"/{receipt_id}" if receipt_id is not None else ""
        return f"/shops/{self.shop_id}/receipts{tail}"
