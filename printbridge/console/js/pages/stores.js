import { api, query } from "../api.js";
import { can, go } from "../app.js";
import { action, choice, field, form, h, show, table, when } from "../ui.js";
import { customerOptions } from "../pickers.js";
import { storeSetup } from "./store-setup.js";
import { storeWork } from "./store-work.js";

// What each platform asks to connect a store, as the API's connect request names it.
const PLATFORMS = {
  shopify: {
    name: "Shopify",
    fields: () => [field("Shop (acme.myshopify.com)", "shop", { required: true })],
    grants: true,
  },
  etsy: { name: "Etsy", fields: () => [], grants: true },
  woocommerce: {
    name: "WooCommerce",
    fields: () => [
      field("Shop address (https://shop.example)", "url", { type: "url", required: true }),
      field("Consumer key (ck_…)", "consumer_key", { required: true, autocomplete: "off" }),
      field("Consumer secret (cs_…)", "consumer_secret", { type: "password", required: true, autocomplete: "off" }),
    ],
  },
  pressero: {
    name: "Pressero",
    fields: () => [
      field("Admin address", "admin_url", { type: "url", required: true }),
      field("Site domain", "site_domain", { required: true }),
      field("Integration id", "integration_id", { required: true }),
      field("Subscriber id", "subscriber_id", { required: true }),
      field("Consumer id", "consumer_id", { required: true }),
      field("Admin user name", "username", { required: true, autocomplete: "off" }),
      field("Admin user's password", "password", { type: "password", required: true, autocomplete: "off" }),
    ],
  },
  manual: { name: "Manual store (orders by API or CSV)", fields: () => [] },
};

export function storeRows(stores) {
  return stores.map((store) =>
    h(
      "tr",
      {},
      h("td", {}, h("a", { href: `#/stores/${store.id}` }, store.name)),
      h("td", {}, PLATFORMS[store.platform]?.name || store.platform),
      h("td", { class: "status" }, store.status),
      h("td", {}, store.problems.map((problem) => h("p", {}, `${problem.message} — ${problem.fix}`))),
    ),
  );
}

export function storesTable(stores) {
  return stores.length
    ? table(["Store", "Platform", "Status", "Problems and their fixes"], storeRows(stores))
    : h("p", { class: "muted" }, "No store is connected yet.");
}

// The stores the user may see (a customer's own; operators: every customer's, or one customer's).
export async function storesPage(me) {
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  const customerId = params.get("customer") || undefined;
  const page = await api.get(`/v1/stores${query({ customer_id: customerId, limit: 100 })}`);
  const connect = can("stores:connect")
    ? h("p", {}, h("a", { href: `#/stores/connect${customerId ? `?customer=${customerId}` : ""}` }, "Connect a store"))
    : null;
  show("Stores", connect, storesTable(page.items));
}

export async function connectPage(me) {
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  const customerId = params.get("customer") || me.customer_id;
  // Staff connect a store for a customer: the one they came from, or one they pick.
  const customers = me.customer_id ? null : await customerOptions([customerId]);
  const platformFields = h("div", {});
  const render = (platform) => platformFields.replaceChildren(...PLATFORMS[platform].fields());
  const picker = choice(
    "Platform",
    "platform",
    Object.entries(PLATFORMS).map(([key, platform]) => [key, platform.name]),
    { value: "shopify", onchange: (event) => render(event.target.value) },
  );
  render("shopify");
  const fields = [picker, platformFields, field("Name in Printbridge (optional)", "name")];
  if (customers) {
    fields.unshift(choice("Customer", "customer_id", [["", "choose a customer"], ...customers], { value: customerId || "" }));
  }
  show(
    "Connect a store",
    h("p", {}, "Shopify and Etsy ask you to grant access on their site and send you back here."),
    form(
      "Connect a store",
      fields,
      async (values) => {
        const body = Object.fromEntries(Object.entries(values).filter(([, value]) => value !== ""));
        if (PLATFORMS[values.platform].grants) body.return_url = `${location.origin}/console/#/stores`;
        const answer = await api.post("/v1/stores", body);
        if (answer.authorize_url) {
          location.assign(answer.authorize_url);
          return;
        }
        go(`/stores/${answer.store.id}`);
      },
      { button: "Connect" },
    ),
  );
}

// One store: its health with each problem's fix, what can be done about it, and its history.
export async function storePage(me, storeId) {
  const base = `/v1/stores/${storeId}`;
  const store = await api.get(base);
  const reload = () => storePage(me, storeId);
  const actions = h("div", { class: "actions" });
  if (can("stores:manage") && store.status !== "disconnected") {
    actions.append(
      action("Poll the shop now", async () => {
        await api.post(`${base}/reconcile`);
        await reload();
      }),
    );
    if (PLATFORMS[store.platform]?.grants) {
      actions.append(
        action("Grant access again", async () => {
          const answer = await api.post(`${base}/reconnect`, { return_url: `${location.origin}/console/#/stores/${storeId}` });
          if (answer.authorize_url) location.assign(answer.authorize_url);
        }),
      );
    }
    actions.append(
      action("Disconnect", async () => {
        if (!confirm(`Disconnect ${store.name}? Its orders stop arriving.`)) return;
        await api.delete(base);
        await reload();
      }),
    );
  }
  const rename = can("stores:manage")
    ? form(
        "Rename the store",
        [field("Name", "name", { value: store.name, required: true })],
        async (values) => {
          await api.patch(base, { name: values.name });
          await reload();
        },
        { button: "Rename" },
      )
    : null;
  show(
    store.name,
    h(
      "p",
      {},
      h("a", { href: "#/stores" }, "All stores"),
      " · ",
      h("a", { href: `#/stores/${store.id}/products` }, "Its products"),
      " · ",
      h("a", { href: `#/orders?store=${store.id}` }, "Its orders"),
    ),
    h(
      "dl",
      {},
      h("dt", {}, "Platform"),
      h("dd", {}, PLATFORMS[store.platform]?.name || store.platform),
      h("dt", {}, "Shop"),
      h("dd", {}, store.shop),
      h("dt", {}, "Status"),
      h("dd", { class: "status", "data-store-status": store.status }, store.status),
      h("dt", {}, "Last polled"),
      h("dd", {}, when(store.last_polled_at)),
      h("dt", {}, "Products synced"),
      h("dd", {}, when(store.products_synced_at)),
    ),
    store.problems.length
      ? h(
          "div",
          { class: "alert", role: "alert" },
          store.problems.map((p) => [h("p", {}, p.message), h("p", {}, h("strong", {}, "Fix: "), p.fix)]),
        )
      : h("p", { class: "notice" }, "No problems."),
    actions,
    await storeSetup(store, reload),
    await storeWork(store),
    rename,
    h("h2", {}, "History"),
    table(
      ["When", "What"],
      store.history.map((entry) => h("tr", {}, h("td", {}, when(entry.at)), h("td", {}, entry.kind))),
    ),
  );
}
