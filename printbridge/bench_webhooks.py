"""The webhook part of `make bench`: signed Shopify `orders/create` deliveries, each distinct (its own
64-bit order id, X-Shopify-Webhook-Id and X-Shopify-Event-Id, body signed with the app's client secret
as Shopify signs: base64 HMAC-SHA256 of the raw body), and the wrk script that sends them in turn."""

import base64
import datetime as dt
import hashlib
import hmac
import json
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

TOPIC = "orders/create"
API_VERSION = "2026-10"
PATH = "/v1/webhooks/shopify"
SKUS = (("POSTER-A2-MATT", "Poster", "A2 / Matt", "24.95"), ("MUG-WHITE", "Mug", "White", "12.50"))


@dataclass(frozen=True)
class Delivery:
    headers: dict[str, str]
    body: bytes


def sign(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def order(order_id: int, number: int, moment: dt.datetime, rng: random.Random) -> dict[str, object]:
    """A REST Order resource as an `orders/create` webhook carries it (shaped like the platform notes'
    example: customer, shipping address, line items with print properties, shipping line)."""
    stamp = moment.isoformat(timespec="seconds")
    line_items: list[dict[str, object]] = []
    subtotal = 0.0
    for index in range(rng.randint(1, 3)):
        sku, title, variant, price = SKUS[index % len(SKUS)]
        quantity = rng.randint(1, 4)
        subtotal += quantity * float(price)
        item_id = rng.getrandbits(63)
        line_items.append(
            {
                "id": item_id,
                "admin_graphql_api_id": f"gid://shopify/LineItem/{item_id}",
                "product_id": 8123456789012 + index,
                "variant_id": 45123456789012 + index,
                "sku": sku,
                "title": title,
                "variant_title": variant,
                "name": f"{title} - {variant}",
                "vendor": "Bench Prints",
                "quantity": quantity,
                "current_quantity": quantity,
                "fulfillable_quantity": quantity,
                "price": price,
                "grams": 250,
                "requires_shipping": True,
                "fulfillment_service": "manual",
                "fulfillment_status": None,
                "properties": [
                    {
                        "name": "_artwork_url",
                        "value": f"https://cdn.example.com/u/{uuid.UUID(int=item_id)}.pdf",
                    },
                    {"name": "Personalisation", "value": "Für Oma"},
                ],
            }
        )
    total = subtotal + 5.0
    customer_id = rng.getrandbits(52)
    address = {
        "first_name": "Anna",
        "last_name": "Muster",
        "name": "Anna Muster",
        "company": None,
        "address1": "Hauptstraße 5",
        "address2": "2. OG",
        "city": "Berlin",
        "province": None,
        "province_code": None,
        "zip": "10115",
        "country": "Germany",
        "country_code": "DE",
        "phone": "+49301234567",
    }
    return {
        "id": order_id,
        "admin_graphql_api_id": f"gid://shopify/Order/{order_id}",
        "name": f"#{number}",
        "order_number": number,
        "number": number - 1000,
        "email": f"buyer{number}@example.com",
        "contact_email": f"buyer{number}@example.com",
        "phone": None,
        "created_at": stamp,
        "updated_at": stamp,
        "processed_at": stamp,
        "cancelled_at": None,
        "cancel_reason": None,
        "currency": "EUR",
        "presentment_currency": "EUR",
        "total_price": f"{total:.2f}",
        "subtotal_price": f"{subtotal:.2f}",
        "total_tax": f"{total * 0.19 / 1.19:.2f}",
        "total_discounts": "0.00",
        "financial_status": "paid",
        "fulfillment_status": None,
        "test": False,
        "tags": "",
        "note": "Bitte matt laminieren",
        "note_attributes": [{"name": "delivery_date", "value": "2026-12-20"}],
        "source_name": "web",
        "line_items": line_items,
        "shipping_lines": [{"title": "DHL Paket", "price": "5.00", "code": "dhl"}],
        "shipping_address": address,
        "billing_address": address,
        "customer": {
            "id": customer_id,
            "email": f"buyer{number}@example.com",
            "first_name": "Anna",
            "last_name": "Muster",
        },
    }


def deliveries(
    count: int,
    shop: str,
    secret: str,
    seed: int = 0,
    adjust: Callable[[dict[str, object]], None] | None = None,
) -> Iterator[Delivery]:
    """`count` distinct signed `orders/create` deliveries of `shop` (distinct order ids, webhook and event
    ids), as Shopify sends them. `adjust` changes each order before it is signed (the orders bench points
    its lines at a variant the shop really has)."""
    rng = random.Random(seed)
    start = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    seen: set[int] = set()
    for index in range(count):
        order_id = rng.getrandbits(63)
        while order_id in seen or order_id < 2**40:
            order_id = rng.getrandbits(63)
        seen.add(order_id)
        moment = start + dt.timedelta(milliseconds=index * 7)
        resource = order(order_id, 1001 + index, moment, rng)
        if adjust is not None:
            adjust(resource)
        body = json.dumps(resource, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Shopify-Captain-Hook",
            "X-Shopify-Topic": TOPIC,
            "X-Shopify-Hmac-Sha256": sign(body, secret),
            "X-Shopify-Shop-Domain": shop,
            "X-Shopify-API-Version": API_VERSION,
            "X-Shopify-Webhook-Id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "X-Shopify-Event-Id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "X-Shopify-Triggered-At": moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
            "X-Shopify-Order-Id": str(order_id),
        }
        yield Delivery(headers, body)


# The header names in the data file's column order; the body is the last column. Values and compact JSON
# hold neither tabs nor newlines (json.dumps escapes control characters).
COLUMNS = (
    "X-Shopify-Hmac-Sha256",
    "X-Shopify-Webhook-Id",
    "X-Shopify-Event-Id",
    "X-Shopify-Triggered-At",
    "X-Shopify-Order-Id",
)

LUA = """
-- Sends the pre-generated deliveries in turn, each once (from the first again only after the last).
local data_file = "{data_file}"
local names = {{{names}}}
local shop = "{shop}"
local requests = {{}}
local sent = 0

function init(args)
   for line in io.lines(data_file) do
      local fields = {{}}
      for field in string.gmatch(line, "([^\\t]*)\\t?") do
         table.insert(fields, field)
         if #fields == #names + 1 then break end
      end
      local headers = {{
         ["Content-Type"] = "application/json",
         ["User-Agent"] = "Shopify-Captain-Hook",
         ["X-Shopify-Topic"] = "{topic}",
         ["X-Shopify-Shop-Domain"] = shop,
         ["X-Shopify-API-Version"] = "{api_version}",
      }}
      for i, name in ipairs(names) do headers[name] = fields[i] end
      table.insert(requests, wrk.format("POST", "{path}", headers, fields[#names + 1]))
   end
end

function request()
   sent = sent + 1
   return requests[(sent - 1) % #requests + 1]
end
"""


def write_wrk_script(items: list[Delivery], shop: str, workdir: Path) -> Path:
    """A data file of the deliveries (one a line) and the wrk script that sends them; returns the script."""
    data = workdir / f"deliveries-{uuid.uuid4().hex}.tsv"
    with data.open("wb") as out:
        for item in items:
            columns = [item.headers[name].encode() for name in COLUMNS] + [item.body]
            if any(b"\t" in c or b"\n" in c for c in columns):
                raise ValueError("a delivery holds a tab or a newline")
            out.write(b"\t".join(columns) + b"\n")
    script = workdir / f"wrk-webhooks-{uuid.uuid4().hex}.lua"
    names = ", ".join(f'"{name}"' for name in COLUMNS)
    script.write_text(
        LUA.format(data_file=data, names=names, shop=shop, topic=TOPIC, api_version=API_VERSION, path=PATH)
    )
    return script
