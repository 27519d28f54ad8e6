"""WooCommerce's webhook deliveries (public: authenticated by their signature, not a bearer token)."""

from fastapi import APIRouter, Request

from connectors.deps import OutboxDep, PlatformsDep, SessionDep
from connectors.platforms.woocommerce import deliveries
from connectors.platforms.woocommerce.schemas import WebhookReceived

router = APIRouter(prefix="/v1/webhooks/woocommerce", tags=["webhooks"])


# Partner-facing (WooCommerce calls it), not part of the API clients use: kept out of the OpenAPI document.
@router.post("/{store_id}", response_model=WebhookReceived, include_in_schema=False)
async def receive_woocommerce_webhook(
    store_id: str, request: Request, session: SessionDep, outbox: OutboxDep, platforms: PlatformsDep
) -> WebhookReceived:
    """A store's webhook delivery: the ping (`webhook_id=N`, unsigned) gets 200; anything else must carry
    `X-WC-Webhook-Signature` made with the store's webhook secret (401 otherwise, nothing stored). Each
    change is taken once; the answer says what became of it."""
    body = await request.body()
    outcome = await deliveries.receive(session, outbox, platforms.box, store_id, request.headers, body)
    return WebhookReceived(outcome=outcome)
