"""The browser the console's tests drive fails a test whose pages' scripts failed, so a page that breaks
in the browser cannot pass by showing text that was there before the error."""

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from printbridge_sandbox.serving import running
from printbridge_shared.testing_browser import chromium

pytestmark = pytest.mark.e2e

BROKEN = "<!doctype html><title>t</title><p>shown</p><script>undefinedFunction()</script>"


def test_a_page_whose_script_fails_fails_the_test() -> None:
    async def page(_: Request) -> HTMLResponse:
        return HTMLResponse(BROKEN)

    with running(Starlette(routes=[Route("/", page)])) as url:
        with pytest.raises(AssertionError, match="undefinedFunction is not defined"):
            with chromium(url) as browser:
                browser.open("/")
                browser.sees("shown")
