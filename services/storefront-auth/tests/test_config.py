"""The links in e-mails lead to the gateway that runs, unless PRINTBRIDGE_PUBLIC_URL says otherwise."""

import pytest

from storefront_auth.config import Settings


@pytest.fixture
def environ(monkeypatch: pytest.MonkeyPatch, tmp_path) -> pytest.MonkeyPatch:
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    for name in ("PRINTBRIDGE_PUBLIC_URL", "PRINTBRIDGE_HOST", "PRINTBRIDGE_PORT"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_public_url_follows_the_gateway_port(environ):
    environ.setenv("PRINTBRIDGE_PORT", "8765")
    assert Settings().public_url == "http://127.0.0.1:8765"


def test_public_url_follows_the_gateway_host_and_a_wildcard_host_means_this_machine(environ):
    environ.setenv("PRINTBRIDGE_HOST", "print.local")
    assert Settings().public_url == "http://print.local:8000"
    environ.setenv("PRINTBRIDGE_HOST", "0.0.0.0")
    assert Settings().public_url == "http://127.0.0.1:8000"


def test_a_configured_public_url_wins_over_host_and_port(environ):
    environ.setenv("PRINTBRIDGE_PORT", "8765")
    environ.setenv("PRINTBRIDGE_PUBLIC_URL", "https://print.example.com")
    assert Settings().public_url == "https://print.example.com"
