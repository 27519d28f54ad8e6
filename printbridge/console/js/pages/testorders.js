import { api, query } from "../api.js";
import { can, go } from "../app.js";
import { field, form, h, show, table, when } from "../ui.js";

const STEPS = {
  received: "Received",
  mapped: "Every item maps to a catalog product",
  files_ok: "Every print file passed its check",
  routed: "Routed to a production line",
  production_api: "Listed in the production API (never made)",
  postback_delivered: "Postbacks delivered",
  storefronts: "Seen by the customer's users",
  shop_update: "The shop takes the tracking update",
};

// On a store's page: place a test order (what to order may be left out) and the store's runs so far.
export async function testOrderSection(store) {
  const runs = await api.get(`/v1/test-orders${query({ store_id: store.id, limit: 10 })}`);
  const manual = store.platform === "manual";
  const place =
    can("orders:manage") && store.status !== "disconnected"
      ? form(
          "Place a test order",
          [
            manual
              ? [
                  field("SKU to order (optional)", "sku"),
                  field("Template id to order (optional)", "template_id", { hint: "left empty: the first of your templates" }),
                ]
              : field("Shop variant id to order (optional)", "external_variant_id", { hint: "left empty: the store's first mapped variant" }),
            field("Quantity", "quantity", { type: "number", min: 1, value: "1" }),
          ],
          async (values) => {
            const body = Object.fromEntries(Object.entries(values).filter(([, value]) => value !== ""));
            if (/^\d+$/.test(body.quantity || "")) body.quantity = Number(body.quantity);
            const run = await api.post(`/v1/stores/${store.id}/test-order`, body);
            go(`/test-orders/${run.id}`);
          },
          { button: "Place a test order" },
        )
      : null;
  return [
    h("h2", {}, "Test order"),
    h("p", {}, "A test order goes the whole way except production and reports each step, with the fix for the one that fails."),
    place,
    runs.items.length
      ? table(
          ["Placed", "Result", "By"],
          runs.items.map((run) =>
            h(
              "tr",
              {},
              h("td", {}, h("a", { href: `#/test-orders/${run.id}` }, when(run.created_at))),
              h("td", { class: "status" }, run.status),
              h("td", {}, run.requested_by),
            ),
          ),
        )
      : h("p", { class: "muted" }, "No test order yet."),
  ];
}

// One test order's report, step by step, read again every second while a step is pending.
export async function testOrderPage(me, runId) {
  const run = await api.get(`/v1/test-orders/${runId}`);
  const route = location.hash;
  if (run.status === "running") setTimeout(() => location.hash === route && testOrderPage(me, runId), 1000);
  show(
    "Test order",
    h(
      "p",
      {},
      h("a", { href: `#/stores/${run.store_id}` }, "The store"),
      " · ",
      h("a", { href: `#/orders/${run.order_id}` }, "The test order itself"),
    ),
    h(
      "p",
      { role: "status" },
      "Result: ",
      h("strong", { "data-test-status": run.status }, run.status),
      run.status === "running" ? " (the page follows it)" : "",
      ` · placed ${when(run.created_at)} by ${run.requested_by}`,
    ),
    table(
      ["Step", "Result", "What was found", "Fix"],
      run.steps.map((step) =>
        h(
          "tr",
          { "data-step": step.name },
          h("td", {}, STEPS[step.name] || step.name),
          h("td", { class: `status ${step.status === "failed" ? "alert" : ""}`.trim(), "data-step-status": step.status }, step.status),
          h("td", {}, step.detail),
          h("td", {}, step.fix || "—"),
        ),
      ),
    ),
  );
}
