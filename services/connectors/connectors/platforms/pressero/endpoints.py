"""Pressero's webhook deliveries (public: authenticated by their MessageHash, not a bearer token)."""

from fastapi import APIRouter, Request

from connectors.deps import PlatformsDep, SessionDep
from connectors.platforms.pressero import deliveries
from connectors.platforms.pressero.schemas import WebhookReceived

router = APIRouter(prefix="/v1/webhooks/pressero", tags=["webhooks"])


# Partner-facing (Pressero calls it), not part of the API clients use: kept out of the OpenAPI document.
@router.post("/{store_id}", response_model=WebhookReceived, include_in_schema=False)
async def receive_pressero_webhook(
    store_id: str, request: Request, session: SessionDep, platforms: PlatformsDep
) -> WebhookReceived:
    """A store's webhook delivery: it must carry `MessageHash` made with the store's security key (401
    otherwise, nothing stored). Each message is taken once; its order is pulled in the background."""
    body = await request.body()
    outcome = await deliveries.receive(session, platforms.box, store_id, request.headers, body)
    return WebhookReceived(outcome=outcome)
