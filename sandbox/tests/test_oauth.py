"""OAuth as a Shopify app sees it: the callback's hmac, code exchange, expiring tokens and their refresh."""

import hashlib
import hmac

from printbridge_sandbox.shopify.testing import REDIRECT, SHOP, Sandbox

SHOP_QUERY = "{ shop { myshopifyDomain } }"


def documented_hmac(params: dict[str, str], secret: str) -> str:
    """Shopify's documented check, written independently of the sandbox: drop hmac, sort, join k=v with &."""
    message = "&".join(f"{key}={value}" for key, value in sorted(params.items()) if key != "hmac")
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def test_callback_carries_code_shop_state_timestamp_host_and_an_hmac_that_verifies(sandbox: Sandbox) -> None:
    callback = sandbox.authorize(state="xyz-42")

    assert set(callback) == {"code", "hmac", "host", "shop", "state", "timestamp"}
    assert callback["shop"] == SHOP and callback["state"] == "xyz-42"
    assert hmac.compare_digest(callback["hmac"], documented_hmac(callback, sandbox.client_secret))
    assert callback["hmac"] != documented_hmac(callback, "some-other-secret")


def test_forged_hmac_on_demand_does_not_verify(sandbox: Sandbox) -> None:
    sandbox.control("PUT", f"/shops/{SHOP}/misbehaviour", json={"oauth_forge_hmac": True})

    callback = sandbox.authorize()

    assert callback["hmac"] != documented_hmac(callback, sandbox.client_secret)


def test_declined_installation_redirects_with_access_denied_and_no_code(sandbox: Sandbox) -> None:
    sandbox.control("PUT", f"/shops/{SHOP}/misbehaviour", json={"oauth_decline": True})

    callback = sandbox.authorize(state="s1")

    assert callback["error"] == "access_denied" and callback["state"] == "s1"
    assert "code" not in callback


def test_withheld_scopes_are_missing_from_the_granted_scope(sandbox: Sandbox) -> None:
    sandbox.control("PUT", f"/shops/{SHOP}/misbehaviour", json={"oauth_withhold_scopes": ["read_products"]})

    token = sandbox.install(scope="read_orders,read_products")

    assert token["scope"] == "read_orders"
    scopes = sandbox.data(token["access_token"], "{ currentAppInstallation { accessScopes { handle } } }")
    assert scopes["currentAppInstallation"]["accessScopes"] == [{"handle": "read_orders"}]


def test_unlisted_redirect_uri_is_refused(sandbox: Sandbox) -> None:
    response = sandbox.http.get(
        f"{sandbox.admin}/oauth/authorize",
        params={
            "client_id": sandbox.client_id,
            "scope": "read_orders",
            "redirect_uri": "https://evil.example/cb",
        },
    )
    assert response.status_code == 400


def test_a_code_is_single_use(sandbox: Sandbox) -> None:
    code = sandbox.authorize()["code"]
    body = {"client_id": sandbox.client_id, "client_secret": sandbox.client_secret, "code": code}

    first = sandbox.http.post(f"{sandbox.admin}/oauth/access_token", json=body)
    second = sandbox.http.post(f"{sandbox.admin}/oauth/access_token", json=body)

    assert first.status_code == 200 and set(first.json()) == {"access_token", "scope"}
    assert second.status_code == 400
    assert second.json() == {
        "error": "invalid_request",
        "error_description": "The authorization code was not found or was already used",
    }


def test_wrong_client_secret_gets_invalid_client(sandbox: Sandbox) -> None:
    code = sandbox.authorize()["code"]
    response = sandbox.http.post(
        f"{sandbox.admin}/oauth/access_token",
        data={"client_id": sandbox.client_id, "client_secret": "wrong-secret", "code": code},
    )
    assert response.status_code == 400 and response.json()["error"] == "invalid_client"


def test_form_encoded_exchange_works_like_json(sandbox: Sandbox) -> None:
    code = sandbox.authorize()["code"]
    response = sandbox.http.post(
        f"{sandbox.admin}/oauth/access_token",
        data={
            "client_id": sandbox.client_id,
            "client_secret": sandbox.client_secret,
            "code": code,
            "expiring": "1",
        },
    )
    assert response.status_code == 200
    assert {"access_token", "scope", "expires_in", "refresh_token", "refresh_token_expires_in"} <= set(
        response.json()
    )


def test_expiring_token_refresh_rotates_and_the_old_refresh_token_dies_once_the_new_pair_is_used(
    sandbox: Sandbox,
) -> None:
    first = sandbox.install(expiring=True)
    assert first["expires_in"] == 3600 and first["refresh_token_expires_in"] == 90 * 24 * 3600

    def refresh(token: str) -> object:
        return sandbox.http.post(
            f"{sandbox.admin}/oauth/access_token",
            json={
                "client_id": sandbox.client_id,
                "client_secret": sandbox.client_secret,
                "grant_type": "refresh_token",
                "refresh_token": token,
            },
        )

    second = refresh(first["refresh_token"]).json()  # type: ignore[attr-defined]
    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] != first["refresh_token"]
    # A new expiring token revokes the earlier one.
    assert sandbox.graphql(first["access_token"], SHOP_QUERY).status_code == 401
    # The new access token works; using it retires the refresh token it replaced.
    assert sandbox.graphql(second["access_token"], SHOP_QUERY).status_code == 200
    stale = refresh(first["refresh_token"])
    assert stale.status_code == 400 and stale.json()["error"] == "invalid_grant"  # type: ignore[attr-defined]
    assert refresh(second["refresh_token"]).status_code == 200  # type: ignore[attr-defined]


def test_a_lost_refresh_response_can_be_retried_with_the_old_refresh_token(sandbox: Sandbox) -> None:
    first = sandbox.install(expiring=True)
    body = {
        "client_id": sandbox.client_id,
        "client_secret": sandbox.client_secret,
        "grant_type": "refresh_token",
        "refresh_token": first["refresh_token"],
    }
    lost = sandbox.http.post(f"{sandbox.admin}/oauth/access_token", json=body)
    retried = sandbox.http.post(f"{sandbox.admin}/oauth/access_token", json=body)

    assert lost.status_code == 200 and retried.status_code == 200
    assert sandbox.graphql(retried.json()["access_token"], SHOP_QUERY).status_code == 200


def test_expired_token_gets_401_as_shopify_answers(sandbox: Sandbox) -> None:
    token = sandbox.install(expiring=True)["access_token"]
    sandbox.control("POST", f"/shops/{SHOP}/actions/expire_tokens")

    response = sandbox.graphql(token, SHOP_QUERY)

    assert response.status_code == 401
    assert response.json() == {
        "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
    }


def test_callback_redirect_keeps_an_existing_query_string(sandbox: Sandbox) -> None:
    assert REDIRECT.startswith("https://")
    callback = sandbox.authorize()
    assert "code" in callback
