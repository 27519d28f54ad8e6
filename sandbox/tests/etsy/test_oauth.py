"""OAuth 2.0 with PKCE as Etsy documents it: connect → consent → code → tokens, refresh rotation,
revocation by a password change, expiry."""

import base64
import hashlib
from urllib.parse import parse_qsl, urlsplit

import httpx

from printbridge_sandbox.etsy.testing import REDIRECT, SCOPES, Etsy, pkce


def redirected_query(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    return dict(parse_qsl(location.query))


def test_a_consenting_seller_gets_a_code_that_buys_a_bearer_token_prefixed_with_their_user_id(
    etsy: Etsy,
) -> None:
    verifier, challenge = pkce()
    callback = redirected_query(etsy.connect(challenge, state="xyz"))
    assert callback["state"] == "xyz" and callback["code"]

    response = etsy.token(
        grant_type="authorization_code", redirect_uri=REDIRECT, code=callback["code"], code_verifier=verifier
    )

    assert response.status_code == 200, response.text
    tokens = response.json()
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 3600
    assert tokens["access_token"].startswith(f"{etsy.user_id}.")
    assert tokens["refresh_token"] and tokens["refresh_token"] != tokens["access_token"]
    me = etsy.get(tokens["access_token"], "/users/me")
    assert me.json() == {"user_id": etsy.user_id, "shop_id": etsy.shop_id}


def test_the_challenge_is_the_base64url_sha256_of_the_verifier_computed_independently(etsy: Etsy) -> None:
    verifier = "a" * 50
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    code = etsy.authorize(challenge)["code"]

    ok = etsy.token(grant_type="authorization_code", redirect_uri=REDIRECT, code=code, code_verifier=verifier)

    assert ok.status_code == 200, ok.text


def test_a_wrong_verifier_is_refused_and_uses_the_code_up(etsy: Etsy) -> None:
    verifier, challenge = pkce()
    code = etsy.authorize(challenge)["code"]

    wrong = etsy.token(
        grant_type="authorization_code", redirect_uri=REDIRECT, code=code, code_verifier="b" * 50
    )
    again = etsy.token(
        grant_type="authorization_code", redirect_uri=REDIRECT, code=code, code_verifier=verifier
    )

    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_a_code_works_once(etsy: Etsy) -> None:
    verifier, challenge = pkce()
    code = etsy.authorize(challenge)["code"]
    form = {
        "grant_type": "authorization_code",
        "redirect_uri": REDIRECT,
        "code": code,
        "code_verifier": verifier,
    }

    first, second = etsy.token(**form), etsy.token(**form)

    assert first.status_code == 200
    assert second.status_code == 400
    assert second.json() == {"error": "invalid_grant", "error_description": "code has already been used"}


def test_a_code_expires(etsy: Etsy) -> None:
    verifier, challenge = pkce()
    code = etsy.authorize(challenge)["code"]
    etsy.control("POST", "/actions/advance_clock", json={"seconds": 601})

    late = etsy.token(
        grant_type="authorization_code", redirect_uri=REDIRECT, code=code, code_verifier=verifier
    )

    assert late.status_code == 400 and late.json()["error_description"] == "code has expired"


def test_the_redirect_uri_of_the_token_request_must_be_the_one_authorized(etsy: Etsy) -> None:
    verifier, challenge = pkce()
    code = etsy.authorize(challenge)["code"]

    other = etsy.token(
        grant_type="authorization_code", redirect_uri=REDIRECT + "/x", code=code, code_verifier=verifier
    )

    assert other.status_code == 400 and other.json()["error"] == "invalid_grant"


def test_the_plain_method_is_refused_back_to_the_redirect_uri(etsy: Etsy) -> None:
    verifier, _challenge = pkce()

    callback = redirected_query(etsy.connect(verifier, code_challenge_method="plain"))

    assert callback["error"] == "invalid_request" and "S256" in callback["error_description"]
    assert callback["state"] == "csrf-1" and "code" not in callback


def test_every_connect_parameter_is_required(etsy: Etsy) -> None:
    _verifier, challenge = pkce()
    for name in ("response_type", "scope", "state", "code_challenge", "code_challenge_method"):
        callback = redirected_query(etsy.connect(challenge, **{name: ""}))
        assert callback["error"] == "invalid_request", name
        assert name in callback["error_description"]


def test_an_unknown_or_blank_scope_is_invalid_scope(etsy: Etsy) -> None:
    _verifier, challenge = pkce()

    unknown = redirected_query(etsy.connect(challenge, scope="transactions_r orders_r"))
    blank = redirected_query(etsy.connect(challenge, scope="   "))

    assert unknown["error"] == "invalid_scope" and "orders_r" in unknown["error_description"]
    assert blank["error"] == "invalid_scope"


def test_a_verifier_outside_rfc_7636s_form_is_refused(etsy: Etsy) -> None:
    _verifier, challenge = pkce()
    code = etsy.authorize(challenge)["code"]

    short = etsy.token(grant_type="authorization_code", redirect_uri=REDIRECT, code=code, code_verifier="abc")

    assert short.status_code == 400 and short.json()["error"] == "invalid_request"
    assert "code_verifier" in short.json()["error_description"]


def test_an_unregistered_redirect_uri_or_client_gets_an_error_page_and_no_redirect(etsy: Etsy) -> None:
    _verifier, challenge = pkce()

    other_uri = etsy.connect(challenge, redirect_uri="https://evil.example/cb")
    other_client = etsy.connect(challenge, client_id="nosuchkey")

    assert other_uri.status_code == 400 and "location" not in other_uri.headers
    assert "redirect URL is not permitted" in other_uri.text
    assert other_client.status_code == 400 and "location" not in other_client.headers


def test_a_seller_who_refuses_sends_the_browser_back_with_access_denied(etsy: Etsy) -> None:
    etsy.consent(approve=False)
    _verifier, challenge = pkce()

    callback = redirected_query(etsy.connect(challenge))

    assert callback == {"error": "access_denied", "state": "csrf-1"}


def test_nobody_signed_in_gets_a_sign_in_page(etsy: Etsy) -> None:
    etsy.control("PUT", "/consent", json={"user_id": None})
    _verifier, challenge = pkce()

    page = etsy.connect(challenge)

    assert page.status_code == 200 and "location" not in page.headers and "Sign in" in page.text


def test_each_refresh_rotates_the_refresh_token_and_the_old_one_is_refused(etsy: Etsy) -> None:
    first = etsy.install()

    refreshed = etsy.refresh(first["refresh_token"])
    old_again = etsy.refresh(first["refresh_token"])

    assert refreshed.status_code == 200, refreshed.text
    second = refreshed.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"].startswith(f"{etsy.user_id}.")
    assert old_again.status_code == 400 and old_again.json()["error"] == "invalid_grant"
    assert etsy.refresh(second["refresh_token"]).status_code == 200


def test_with_a_grace_two_racing_refreshes_both_win_and_leave_two_live_refresh_tokens(etsy: Etsy) -> None:
    etsy.control("PATCH", "/settings", json={"refresh_grace_seconds": 30})
    first = etsy.install()

    one, two = etsy.refresh(first["refresh_token"]), etsy.refresh(first["refresh_token"])
    etsy.control("POST", "/actions/advance_clock", json={"seconds": 31})
    late = etsy.refresh(first["refresh_token"])

    assert one.status_code == two.status_code == 200
    assert one.json()["refresh_token"] != two.json()["refresh_token"]
    assert late.status_code == 400 and late.json()["error"] == "invalid_grant"


def test_a_password_change_revokes_every_token_of_the_seller(etsy: Etsy) -> None:
    tokens = etsy.install()

    revoked = etsy.control("POST", f"/sellers/{etsy.user_id}/change_password")
    refresh = etsy.refresh(tokens["refresh_token"])
    call = etsy.get(tokens["access_token"], "/users/me")

    assert revoked == {"revoked": 2}
    assert refresh.status_code == 400
    assert refresh.json() == {"error": "invalid_grant", "error_description": "refresh_token is revoked"}
    assert call.status_code == 401 and call.json()["error"] == "invalid_token"


def test_access_tokens_expire_after_their_lifetime_and_on_demand(etsy: Etsy) -> None:
    tokens = etsy.install()
    etsy.control("POST", "/actions/advance_clock", json={"seconds": 3601})
    expired = etsy.get(tokens["access_token"], "/users/me")
    fresh = etsy.refresh(tokens["refresh_token"]).json()["access_token"]

    forced = etsy.control("POST", "/actions/expire_access_tokens", json={"user_id": etsy.user_id})
    now_expired = etsy.get(fresh, "/users/me")

    assert expired.status_code == 401
    assert expired.json() == {"error": "invalid_token", "error_description": "access token is expired"}
    assert forced == {"expired": 1} and now_expired.status_code == 401


def test_the_token_endpoint_refuses_an_unknown_client_a_json_body_and_unknown_grants(etsy: Etsy) -> None:
    unknown = etsy.http.post(
        "/v3/public/oauth/token",
        data={"grant_type": "refresh_token", "client_id": "nope", "refresh_token": "x"},
    )
    as_json = etsy.http.post(
        "/v3/public/oauth/token",
        json={"grant_type": "refresh_token", "client_id": etsy.keystring, "refresh_token": "x"},
    )
    password = etsy.token(grant_type="password")
    missing = etsy.token(grant_type="authorization_code", redirect_uri=REDIRECT, code="c")

    assert unknown.status_code == 401 and unknown.json()["error"] == "invalid_client"
    assert as_json.status_code == 400 and as_json.json()["error"] == "invalid_request"
    assert password.status_code == 400 and password.json()["error"] == "unsupported_grant_type"
    assert missing.status_code == 400
    assert missing.json() == {"error": "invalid_request", "error_description": "code_verifier is required"}


def test_tokens_carry_the_scopes_granted(etsy: Etsy) -> None:
    narrow = etsy.install(scope="shops_r")["access_token"]
    wide = etsy.install(scope=SCOPES)["access_token"]

    assert etsy.get(narrow, etsy.receipts_path()).status_code == 403
    assert etsy.get(wide, etsy.receipts_path()).status_code == 200
