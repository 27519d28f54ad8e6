"""The yardstick of `make bench`: a bare FastAPI app that answers the benchmark's calls with the same
JSON as the customers service (and a webhook endpoint that reads the body and answers 200), without
authentication, signature check, middleware, database or events. The suite's
throughput is reported as a share of this one's, measured in the same run on the same machine."""

import datetime as dt
import uuid

from fastapi import FastAPI, Request, Response
from pydantic import BaseModel

app = FastAPI()


class CustomerCreate(BaseModel):
    name: str
    description: str | None = None


class StorefrontAccessSummary(BaseModel):
    enabled: bool
    invitation_status: str


class Customer(BaseModel):
    id: uuid.UUID
    name: str
    reference_id: str | None
    description: str | None
    archived: bool
    archived_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    storefront_access: StorefrontAccessSummary


def _customer(customer_id: uuid.UUID, name: str, description: str | None) -> Customer:
    now = dt.datetime.now(dt.UTC)
    return Customer(
        id=customer_id,
        name=name,
        reference_id=None,
        description=description,
        archived=False,
        archived_at=None,
        created_at=now,
        updated_at=now,
        storefront_access=StorefrontAccessSummary(enabled=False, invitation_status="not_invited"),
    )


@app.post("/v1/customers", status_code=201)
async def create_customer(body: CustomerCreate) -> Customer:
    return _customer(uuid.uuid4(), body.name, body.description)


@app.get("/v1/customers/{customer_id}")
async def get_customer(customer_id: uuid.UUID) -> Customer:
    return _customer(customer_id, "Bench Get", None)


@app.post("/v1/webhooks/shopify")
async def shopify_webhook(request: Request) -> Response:
    await request.body()
    return Response(status_code=200)
