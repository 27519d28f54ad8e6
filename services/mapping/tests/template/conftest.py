"""What the templates' tests share: catalog products to configure, a template body, callers of every role
of one customer, and a real file server on a local socket serving print files (PDF, PNG), a web page
behind a `.pdf` link and 404s. The app may fetch private addresses here (`allow_private_urls`) unless a
test builds it otherwise."""

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from mapping.config import Settings
from mapping.main import create_app
from mapping.models import messaging
from printbridge_sandbox.serving import running
from printbridge_shared.app import Runtime
from printbridge_shared.events.bus import InProcessBus
from printbridge_shared.events.envelope import Envelope
from printbridge_shared.testing import AuthKeys, bearer, eventually, recorded_events
from printbridge_shared.testing_files import file_server, pdf, png

TEMPLATES = "/v1/templates"
PRODUCTS = "/v1/catalog/products"

# A5 with 3 mm bleed: 154 x 216 mm. What the file server serves; a test may change it.
FILES: dict[str, bytes] = {
    "front.pdf": pdf(154, 216),
    "back.pdf": pdf(154, 216),
    "poster.pdf": pdf(600, 847),
    "tiny.png": png(100, 140),
}


@pytest.fixture(scope="module")
def files_url() -> Iterator[str]:
    with running(file_server(FILES)) as url:
        yield f"{url}/files"


@pytest.fixture
def login_url(files_url: str) -> str:
    return files_url.replace("/files", "/download") + "/front.pdf"


@pytest.fixture
def app(database_url: str, auth: AuthKeys, bus: InProcessBus) -> FastAPI:
    settings = Settings(database_url=database_url, log_json=False, allow_private_urls=True)
    return create_app(settings, Runtime(bus=bus, auth_http=auth.http_client()))


def product(uid: str = "flyer_a5", **changes: Any) -> dict[str, Any]:
    return {
        "product_uid": uid,
        "name": "Flyer A5",
        "type": "flyer",
        "attributes": {"paper": ["matte", "gloss"], "size": ["A5"]},
        "print_areas": [
            {
                "name": "front",
                "formats": ["pdf", "png"],
                "trim_width_mm": 148,
                "trim_height_mm": 210,
                "bleed_mm": 3,
            }
        ],
        **changes,
    }


TWO_SIDED = [
    {"name": "back", "formats": ["pdf"], "trim_width_mm": 148, "trim_height_mm": 210, "bleed_mm": 3},
    {"name": "front", "formats": ["pdf"], "trim_width_mm": 148, "trim_height_mm": 210, "bleed_mm": 3},
]


@pytest.fixture
async def catalog(client: httpx.AsyncClient, operator: dict[str, str]) -> None:
    """Three products: a one-sided flyer, a two-sided one, and a retired poster."""
    for body in (
        product(),
        product("flyer_a5_duplex", name="Flyer A5 duplex", print_areas=TWO_SIDED),
        product("poster_a1", name="Poster A1", type="poster", attributes={}),
    ):
        response = await client.post(PRODUCTS, json=body, headers=operator)
        assert response.status_code == 201, response.text
    assert (await client.post(f"{PRODUCTS}/poster_a1/retire", headers=operator)).status_code == 200


def template(**changes: Any) -> dict[str, Any]:
    return {"name": "Summer flyer", "product_uid": "flyer_a5", "attributes": {"paper": "matte"}, **changes}


class Team:
    """One customer's callers by role, and another customer's admin."""

    def __init__(self, auth: AuthKeys) -> None:
        self.customer_id = uuid.uuid4()
        self.other_customer_id = uuid.uuid4()
        self.headers = {
            role: bearer(
                auth.customer_user_token(
                    customer_id=self.customer_id,
                    role=role,
                    store_ids=[uuid.uuid4()] if role == "store_manager" else None,
                )
            )
            for role in ("admin", "store_manager", "order_manager", "viewer")
        }
        self.headers["other"] = bearer(auth.customer_user_token(customer_id=self.other_customer_id))


@pytest.fixture
def team(auth: AuthKeys) -> Team:
    return Team(auth)


async def template_events(app: Any, type: str = "template.changed") -> list[Envelope]:
    return [e for e in await recorded_events(app.state.db, messaging.outbox) if e.type == type]


async def settled(client: httpx.AsyncClient, headers: dict[str, str], template_id: str) -> dict[str, Any]:
    """The template once no file is pending any more (the app's job runner checks them)."""
    body: dict[str, Any] = {}

    async def done() -> bool:
        nonlocal body
        body = (await client.get(f"{TEMPLATES}/{template_id}", headers=headers)).json()
        return all(file["status"] != "pending" for file in body["files"].values())

    await eventually(done, within=20)
    # Read once more: the read that saw the last check may have read the template's row (its version)
    # just before that check committed and its files just after (two statements, read committed).
    return dict((await client.get(f"{TEMPLATES}/{template_id}", headers=headers)).json())
