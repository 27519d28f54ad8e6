"""The producer's system that postbacks go to, for the status-out bench (`bench_status_out.py`) and the
fault suite (`chaos.py`): it verifies each postback's signature with the reference `standardwebhooks`
library and keeps it with its arrival time. The fault suite also takes it down in the two ways an
endpoint goes down: answering 503 (`down`), or not listening at all (`refuse`: its listening socket is
closed, so connections are refused, until `reopen` listens again on the same port)."""

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from printbridge_shared.testing import free_port


@dataclass(frozen=True)
class Postback:
    arrived: float  # time.time() when it came in
    webhook_id: str
    payload: dict[str, Any]

    @property
    def type(self) -> str:
        return str(self.payload.get("type", ""))

    @property
    def data(self) -> dict[str, Any]:
        data = self.payload.get("data")
        return data if isinstance(data, dict) else {}

    @property
    def order_id(self) -> str:
        return str(self.data.get("order_id", ""))

    @property
    def version(self) -> int:
        return int(self.data.get("version", 0))


class PostbackReceiver:
    """Keeps every postback whose signature verifies (under `secret`, set once the endpoint is made);
    answers 400 to a bad signature and, while `down`, 503 to everything (keeping nothing)."""

    PATH = "/postbacks"

    def __init__(self, secret: str = "") -> None:
        self.secret = secret
        self.down = False
        self.answered_503 = 0
        self.bad_signatures = 0
        self.received: list[Postback] = []
        self.lock = threading.Lock()
        self.port = 0
        self._server: contextlib.ExitStack | None = None

    def app(self) -> Any:
        from standardwebhooks.webhooks import Webhook, WebhookVerificationError
        from starlette.applications import Starlette
        from starlette.requests import Request
        from starlette.responses import Response
        from starlette.routing import Route

        async def hook(request: Request) -> Response:
            arrived = time.time()
            if self.down:
                with self.lock:
                    self.answered_503 += 1
                return Response("down for maintenance", status_code=503)
            body = await request.body()
            try:
                payload = Webhook(self.secret).verify(body, dict(request.headers))
            except WebhookVerificationError:
                with self.lock:
                    self.bad_signatures += 1
                return Response(status_code=400)
            with self.lock:
                self.received.append(Postback(arrived, request.headers["webhook-id"], payload))
            return Response(status_code=200)

        return Starlette(routes=[Route(self.PATH, hook, methods=["POST"])])

    @contextlib.contextmanager
    def serving(self) -> Iterator[str]:
        """Listens on a free port of 127.0.0.1 until the end of the block; the endpoint's URL."""
        self.port = free_port()
        self.reopen()
        try:
            yield f"http://127.0.0.1:{self.port}{self.PATH}"
        finally:
            self.refuse()

    def refuse(self) -> None:
        """Stops listening: the socket is closed (requests in flight are answered first), so every new
        connection is refused."""
        if self._server is not None:
            self._server.close()
            self._server = None

    def reopen(self) -> None:
        """Listens again, on the same port."""
        from printbridge_sandbox.serving import running

        if self._server is None:
            stack = contextlib.ExitStack()
            stack.enter_context(running(self.app(), port=self.port))
            self._server = stack

    @property
    def listening(self) -> bool:
        return self._server is not None

    def snapshot(self, start: int = 0) -> list[Postback]:
        """The postbacks kept, from the `start`-th on."""
        with self.lock:
            return list(self.received[start:])
