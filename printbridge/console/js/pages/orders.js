import { api, query } from "../api.js";
import { can, go } from "../app.js";
import { pagedTable } from "../paging.js";
import { choice, field, form, h, show, table, when } from "../ui.js";

const STATUSES = [
  "received", "on_hold", "routed", "accepted", "in_production", "printed", "shipped", "in_transit",
  "delivered", "cancelled", "failed", "returned",
];

function money(order) {
  return `${order.total_price} ${order.currency}`;
}

// Orders newest first, filtered by status and store, paged with the API's cursor.
export async function ordersPage() {
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  const filters = {
    status: params.get("status") || "",
    store_id: params.get("store") || "",
    customer_id: params.get("customer") || "",
  };
  const list = await pagedTable(
    ["Order", "Platform", "Status", "Total", "Placed"],
    (cursor) => api.get(`/v1/orders${query({ ...filters, cursor, limit: 50 })}`),
    (order) =>
      h(
        "tr",
        {},
        h("td", {}, h("a", { href: `#/orders/${order.id}` }, order.external_number || order.external_id)),
        h("td", {}, order.platform),
        h("td", { class: "status" }, order.status, order.test ? " (test)" : ""),
        h("td", {}, money(order)),
        h("td", {}, when(order.placed_at)),
      ),
    { more: "Show more orders", empty: "No order matches." },
  );

  const filter = form(
    "Filter orders",
    [choice("Status", "status", [["", "any"], ...STATUSES.map((s) => [s, s])], { value: filters.status })],
    async (values) => {
      const kept = { status: values.status, store: filters.store_id, customer: filters.customer_id };
      go(`/orders?${new URLSearchParams(Object.entries(kept).filter(([, value]) => value))}`);
    },
    { button: "Filter" },
  );
  show("Orders", filter, list);
}

function address(shipping) {
  if (!shipping) return "—";
  return [
    [shipping.first_name, shipping.last_name].filter(Boolean).join(" "),
    shipping.company,
    shipping.address1,
    shipping.address2,
    [shipping.zip, shipping.city].filter(Boolean).join(" "),
    shipping.country_code,
  ].filter(Boolean).join(", ");
}

// One order: its lines with what production makes of them, why it is held, its parcels and its history.
export async function orderPage(me, orderId) {
  const base = `/v1/orders/${orderId}`;
  const order = await api.get(base);
  const reload = () => orderPage(me, orderId);
  const manage = can("orders:manage") && ["received", "on_hold", "routed"].includes(order.status);
  const actions = [];
  if (manage && order.status === "on_hold") {
    actions.push(
      form("Release the order", [], async () => {
        await api.post(`${base}/release`);
        await reload();
      }, { button: "Release" }),
    );
  }
  if (manage) {
    actions.push(
      form("Hold the order", [field("Why it is held", "reason", { required: true })], async (values) => {
        await api.post(`${base}/hold`, { reason: values.reason });
        await reload();
      }, { button: "Hold" }),
      form("Cancel the order", [field("Why it is cancelled", "reason", { required: true })], async (values) => {
        await api.post(`${base}/cancel`, { reason: values.reason });
        await reload();
      }, { button: "Cancel the order" }),
    );
  }
  show(
    `Order ${order.external_number || order.external_id}`,
    h(
      "p",
      {},
      h("a", { href: "#/orders" }, "All orders"),
      " · ",
      h("a", { href: `#/stores/${order.store_id}` }, "Its store"),
      can("producer:manage") ? [" · ", h("a", { href: `#/routing?order=${order.id}` }, "Where routing sends it (dry run)")] : null,
    ),
    h(
      "dl",
      {},
      h("dt", {}, "Status"),
      h("dd", { class: "status", "data-order-status": order.status }, order.status),
      h("dt", {}, "Total"),
      h("dd", {}, money(order)),
      h("dt", {}, "Placed"),
      h("dd", {}, when(order.placed_at)),
      h("dt", {}, "Ship to"),
      h("dd", {}, address(order.shipping_address)),
    ),
    order.hold_reasons.length
      ? h(
          "div",
          { class: "alert", role: "alert" },
          h("p", {}, "Held because:"),
          order.hold_reasons.map((reason) => [
            h("p", {}, reason.position === null ? "" : `Line ${reason.position + 1}: `, reason.message),
            h("p", {}, h("strong", {}, "Fix: "), reason.fix),
          ]),
        )
      : null,
    h("h2", {}, "Lines"),
    table(
      ["Line", "Quantity", "Status", "Production"],
      order.line_items.map((line) =>
        h(
          "tr",
          {},
          h("td", {}, [line.title, line.variant_title].filter(Boolean).join(" — "), line.sku ? ` (${line.sku})` : ""),
          h("td", {}, line.quantity),
          h("td", {}, line.status),
          h("td", {}, line.item ? `${line.item.product_uid} × ${line.item.quantity}` : "—"),
        ),
      ),
    ),
    order.tracking.length ? h("h2", {}, "Parcels") : null,
    order.tracking.length
      ? table(
          ["Tracking", "Carrier", "Shipped"],
          order.tracking.map((parcel) =>
            h(
              "tr",
              {},
              h("td", {}, parcel.url ? h("a", { href: parcel.url, rel: "noopener noreferrer" }, parcel.number) : parcel.number),
              h("td", {}, parcel.company || "—"),
              h("td", {}, when(parcel.at)),
            ),
          ),
        )
      : null,
    actions,
    h("h2", {}, "History"),
    table(
      ["When", "What", "Status", "By"],
      order.history.map((entry) =>
        h("tr", {}, h("td", {}, when(entry.at)), h("td", {}, entry.detail), h("td", {}, entry.status || ""), h("td", {}, entry.actor || "")),
      ),
    ),
  );
}
