"""`python -m printbridge_sandbox` seeds the Etsy sandbox with the printed app, a signed-in seller and a
shop, ready for a connector's first connect."""

import argparse

import httpx

from printbridge_sandbox.__main__ import _etsy_flags, _start_etsy
from printbridge_sandbox.etsy.testing import REDIRECT, Etsy
from printbridge_sandbox.serving import running


def test_the_seeded_sandbox_prints_its_settings_and_connects_a_seller_at_once() -> None:
    parser = argparse.ArgumentParser()
    _etsy_flags(parser)
    args = parser.parse_args(["--etsy-redirect-uri", REDIRECT])
    started = _start_etsy(args, "http://127.0.0.1:9103")
    printed = dict(line.strip().split("=", 1) for line in started.lines if "PRINTBRIDGE_ETSY_" in line)

    assert printed["PRINTBRIDGE_ETSY_API_URL"] == "http://127.0.0.1:9103"
    assert printed["PRINTBRIDGE_ETSY_CONNECT_URL"] == "http://127.0.0.1:9103/oauth/connect"
    with running(started.app) as url, httpx.Client(base_url=url, follow_redirects=False) as http:
        [app] = http.get("/_sandbox/etsy/apps").json()
        [seller] = http.get("/_sandbox/etsy/sellers").json()
        etsy = Etsy(http, app["keystring"], app["shared_secret"], app["webhook_secret"])
        token = etsy.install()["access_token"]
        me = etsy.get(token, "/users/me").json()

    assert (app["keystring"], app["shared_secret"], app["webhook_secret"]) == (
        printed["PRINTBRIDGE_ETSY_KEYSTRING"],
        printed["PRINTBRIDGE_ETSY_SHARED_SECRET"],
        printed["PRINTBRIDGE_ETSY_WEBHOOK_SECRET"],
    )
    assert me == {"user_id": seller["user_id"], "shop_id": seller["shop_id"]}
