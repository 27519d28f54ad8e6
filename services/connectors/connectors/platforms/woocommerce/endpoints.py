"""WooCommerce's webhook deliveries (public: authenticated by their signature, not a bearer token)."""

from fastapi import APIRouter, Request

from connectors.deps import OutboxDep, PlatformsDep, SessionDep
from connectors.platforms.woocommerce import deliveries
from connectors.platforms.woocommerce.schemas import WebhookReceived
from printbridge_shared.openapi import problems

router = APIRouter(prefix="/v1/webhooks/woocommerce", tags=["webhooks"])


@router.post("/{store_id}", response_model=WebhookReceived, responses=problems(401))
async def receive_woocommerce_webhook(
    store_id: str, request: Request, session: SessionDep, outbox: OutboxDep, platforms: PlatformsDep
) -> WebhookReceived:
    """A store's webhook delivery: the ping (`webhook_id=N`, unsigned) gets 200; anything else must carry
    `X-WC-Webhook-Signature` made with the store's webhook secret (401 otherwise, nothing stored). Each
    change is taken once; the answer says what became of it."""
    body = await request.body()
    outcome = await deliveries.receive(session, outbox, platforms.box, store_id, request.headers, body)
    return WebhookReceived(outcome=outcome)
