import { api, query } from "../api.js";
import { go } from "../app.js";
import { pagedTable } from "../paging.js";
import { customerOptions } from "../pickers.js";
import { action, choice, field, form, h, picks, show, when } from "../ui.js";

const EVENTS = [
  "received", "on_hold", "routed", "accepted", "in_production", "printed", "shipped", "in_transit",
  "delivered", "cancelled", "failed", "returned",
].map((status) => `order.${status}`);

// The signing secret of the endpoint just created or rotated: shown on its page once, kept nowhere else.
let secretShown = null;

const customerNames = new Map();

// A link to the customer, named once the API has answered (many rows may share one customer).
function customerLink(customerId) {
  if (!customerId) return "every customer";
  const link = h("a", { href: `#/customers/${customerId}` }, customerId);
  if (!customerNames.has(customerId)) customerNames.set(customerId, api.get(`/v1/customers/${customerId}`).then((c) => c.name, () => customerId));
  customerNames.get(customerId).then((name) => {
    link.textContent = name;
  });
  return link;
}

function health(endpoint) {
  if (!endpoint.enabled) return `disabled${endpoint.disabled_reason ? `: ${endpoint.disabled_reason}` : ""}`;
  if (endpoint.failing_since) return `failing since ${when(endpoint.failing_since)} (${endpoint.consecutive_failures} failed attempts)`;
  if (endpoint.last_success_at) return `healthy, last delivered ${when(endpoint.last_success_at)}`;
  return "nothing sent yet";
}

async function endpointFields(endpoint = { url: "", description: "", customer_id: "", events: null, enabled: true }) {
  const customers = await customerOptions([endpoint.customer_id]);
  return [
    field("Address (https://…)", "url", { type: "url", value: endpoint.url, required: true }),
    field("Description", "description", { value: endpoint.description }),
    choice("Orders of", "customer_id", [["", "every customer"], ...customers], { value: endpoint.customer_id || "" }),
    picks(
      "Order statuses sent (none ticked: every status)",
      "events",
      EVENTS.map((type) => [type, type]),
      { selected: endpoint.events || [] },
    ),
  ];
}

function endpointBody(values) {
  return {
    url: values.url,
    description: values.description || null,
    customer_id: values.customer_id || null,
    events: values.events.length ? values.events : null,
  };
}

// The producer's postback endpoints with their health, and a new one (its signing secret shown once).
export async function postbacksPage() {
  const list = await pagedTable(
    ["Address", "Orders of", "Statuses", "Health", "Waiting"],
    (cursor) => api.get(`/v1/postbacks/endpoints${query({ cursor, limit: 50 })}`),
    (endpoint) =>
      h(
        "tr",
        {},
        h("td", {}, h("a", { href: `#/postbacks/${endpoint.id}` }, endpoint.url), endpoint.description ? h("p", { class: "muted" }, endpoint.description) : null),
        h("td", {}, customerLink(endpoint.customer_id)),
        h("td", {}, endpoint.events ? endpoint.events.join(", ") : "every status"),
        h("td", { class: "status", "data-health": endpoint.enabled ? (endpoint.failing_since ? "failing" : "ok") : "disabled" }, health(endpoint)),
        h("td", {}, `${endpoint.pending_count} pending`),
      ),
    { more: "Show more endpoints", empty: "No postback endpoint yet." },
  );
  show(
    "Postbacks",
    h("p", { class: "muted" }, "Every change of an order's status is POSTed, signed (Standard Webhooks), to each endpoint that asks for it."),
    list,
    h("h2", {}, "New endpoint"),
    form(
      "New endpoint",
      [...(await endpointFields()), field("Enabled", "enabled", { type: "checkbox", value: true })],
      async (values) => {
        const created = await api.post("/v1/postbacks/endpoints", { ...endpointBody(values), enabled: values.enabled });
        secretShown = { id: created.id, secret: created.secret, what: "Its signing secret" };
        go(`/postbacks/${created.id}`);
      },
      { button: "Create endpoint" },
    ),
  );
}

function attemptText(attempt) {
  const answer = attempt.status_code === null ? attempt.error : `answered ${attempt.status_code}`;
  return `${when(attempt.at)}: ${answer} in ${attempt.duration_ms} ms${attempt.response_excerpt ? ` — ${attempt.response_excerpt}` : ""}`;
}

function deliveryRow(delivery) {
  const row = h("tr", { "data-delivery": delivery.id });
  const last = delivery.attempt_log.at(-1);
  row.append(
    h("td", {}, when(delivery.created_at)),
    h("td", {}, delivery.event_type),
    h("td", {}, delivery.order_id ? h("a", { href: `#/orders/${delivery.order_id}` }, `order (version ${delivery.order_version})`) : "—"),
    h("td", { class: "status", "data-delivery-status": delivery.status }, delivery.status),
    h(
      "td",
      {},
      `${delivery.attempts} attempt${delivery.attempts === 1 ? "" : "s"}`,
      last ? h("p", { class: "muted" }, `last: ${attemptText(last)}`) : null,
      delivery.next_attempt_at && delivery.status === "pending" ? h("p", { class: "muted" }, `next: ${when(delivery.next_attempt_at)}`) : null,
      delivery.attempt_log.length > 1
        ? h("details", {}, h("summary", {}, "Every attempt"), h("ul", {}, delivery.attempt_log.map((attempt) => h("li", {}, attemptText(attempt)))))
        : null,
    ),
    h(
      "td",
      {},
      delivery.status === "pending"
        ? ""
        : action("Redeliver", async () => {
            await api.post(`/v1/postbacks/deliveries/${delivery.id}/redeliver`);
            await follow(delivery.id, row, location.hash, 30);
          }),
    ),
  );
  return row;
}

// A redelivered delivery's row, read again each second while it is pending and its page is open.
async function follow(deliveryId, row, route, left) {
  const delivery = await api.get(`/v1/postbacks/deliveries/${deliveryId}`);
  const fresh = deliveryRow(delivery);
  row.replaceWith(fresh);
  if (delivery.status === "pending" && left > 0) {
    setTimeout(() => location.hash === route && fresh.isConnected && follow(deliveryId, fresh, route, left - 1), 1000);
  }
}

function pingText(ping) {
  const answer = ping.status_code === null ? ping.error : `answered ${ping.status_code}`;
  return `${ping.delivered ? "Delivered" : "Not delivered"}: ${answer} in ${ping.duration_ms} ms.${ping.response_excerpt ? ` ${ping.response_excerpt}` : ""}`;
}

// One endpoint: its health, the test ping, enabling, its secret's rotation, its settings and its delivery
// log (newest first, by status, paged with the API's cursor), each delivery redelivered on demand.
export async function postbackEndpointPage(me, endpointId, note = null) {
  const base = `/v1/postbacks/endpoints/${endpointId}`;
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  const status = params.get("status") || "";
  const endpoint = await api.get(base);
  const reload = (next = null) => postbackEndpointPage(me, endpointId, next);
  let secret = null;
  if (secretShown && secretShown.id === endpoint.id) {
    secret = h(
      "div",
      { class: "notice", role: "status" },
      h("p", {}, `${secretShown.what}, shown only this once: copy it now into the receiving system.`),
      h("p", { class: "secret", "data-secret": "" }, secretShown.secret),
    );
    secretShown = null;
  }
  const deliveries = await pagedTable(
    ["Created", "Event", "Order", "Status", "Attempts", ""],
    (cursor) => api.get(`${base}/deliveries${query({ status, cursor, limit: 20 })}`),
    deliveryRow,
    { more: "Show more deliveries", empty: "No delivery yet." },
  );
  show(
    endpoint.description || "Postback endpoint",
    h("p", {}, h("a", { href: "#/postbacks" }, "All postback endpoints")),
    secret,
    note,
    h(
      "dl",
      {},
      h("dt", {}, "Address"),
      h("dd", {}, endpoint.url),
      h("dt", {}, "Health"),
      h("dd", { class: "status", "data-health": endpoint.enabled ? (endpoint.failing_since ? "failing" : "ok") : "disabled" }, health(endpoint)),
      h("dt", {}, "Waiting to be sent"),
      h("dd", {}, endpoint.pending_count),
      h("dt", {}, "Orders of"),
      h("dd", {}, customerLink(endpoint.customer_id)),
      h("dt", {}, "Statuses"),
      h("dd", {}, endpoint.events ? endpoint.events.join(", ") : "every status"),
      endpoint.previous_secret_expires_at ? [h("dt", {}, "Previous secret signs until"), h("dd", {}, when(endpoint.previous_secret_expires_at))] : null,
    ),
    h(
      "div",
      { class: "actions" },
      action("Send a test ping", async () => {
        const ping = await api.post(`${base}/test`);
        await reload(h("p", { class: ping.delivered ? "notice" : "alert", role: "status" }, `Test ping: ${pingText(ping)}`));
      }),
      action(endpoint.enabled ? "Disable" : "Enable", async () => {
        await api.patch(base, { enabled: !endpoint.enabled });
        await reload();
      }),
      action("Rotate the signing secret", async () => {
        if (!confirm("Make a new signing secret? The current one keeps signing beside it for 24 hours.")) return;
        const rotated = await api.post(`${base}/secret/rotate`);
        secretShown = { id: endpoint.id, secret: rotated.secret, what: "The new signing secret" };
        await reload();
      }),
      action("Delete the endpoint", async () => {
        if (!confirm(`Delete the endpoint ${endpoint.url} and its delivery log?`)) return;
        await api.delete(base);
        go("/postbacks");
      }),
    ),
    h("h2", {}, "Delivery log"),
    form(
      "Deliveries by status",
      [choice("Status", "status", [["", "any"], ["pending", "pending"], ["delivered", "delivered"], ["failed", "failed"]], { value: status })],
      async (values) => go(`/postbacks/${endpointId}${query({ status: values.status })}`),
      { button: "Show" },
    ),
    deliveries,
    h("h2", {}, "Settings"),
    form(
      "Endpoint settings",
      await endpointFields(endpoint),
      async (values) => {
        await api.patch(base, endpointBody(values));
        await reload(h("p", { class: "notice", role: "status" }, "Saved."));
      },
      { button: "Save the endpoint" },
    ),
  );
}
