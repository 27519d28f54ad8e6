import { api, query } from "../api.js";
import { followWhile } from "../follow.js";
import { can } from "../app.js";
import { pagedTable } from "../paging.js";
import { action, form, h, show, when } from "../ui.js";
import { draftsSection } from "./drafts.js";
import { productsCsvSection } from "./products-csv.js";
import { fileCheck, specFields, specOf } from "./spec.js";

const STATUS_TEXT = {
  mapped: "mapped",
  unmapped: "unmapped",
  needs_attention: "needs attention",
  inactive: "inactive",
};

// A store's products as synced from the shop, each variant with its mapping status.
export async function productsPage(me, storeId) {
  const store = await api.get(`/v1/stores/${storeId}`);
  // A row for each variant of each product.
  const list = await pagedTable(
    ["Product and variant", "SKU", "Mapping", "Catalog product"],
    (cursor) => api.get(`/v1/stores/${storeId}/products${query({ cursor, limit: 50 })}`),
    (product) =>
      product.variants.map((variant) =>
        h(
          "tr",
          {},
          h("td", {}, h("a", { href: `#/shop-variants/${variant.id}` }, `${product.title} — ${variant.title}`)),
          h("td", {}, variant.sku || "—"),
          h("td", { class: "status", "data-mapping-status": variant.mapping_status }, STATUS_TEXT[variant.mapping_status]),
          h("td", {}, variant.mapping ? variant.mapping.product_uid : "—"),
        ),
      ),
    { more: "Show more products", empty: "No product has been synced from the shop yet." },
  );

  const actions = h("div", { class: "actions" });
  if (can("products:manage")) {
    actions.append(
      action("Sync products now", async () => {
        const before = store.products_synced_at;
        const asked = await api.post(`/v1/stores/${storeId}/products/sync`, {});
        const progress = h("p", { class: "notice", role: "status" });
        actions.append(progress);
        followSync(me, storeId, before, asked.requested_at, progress);
      }),
    );
  }
  show(
    `Products of ${store.name}`,
    h("p", {}, h("a", { href: `#/stores/${storeId}` }, "The store"), ` · synced ${when(store.products_synced_at)}`),
    actions,
    list,
    await productsCsvSection(storeId),
    await draftsSection(store),
  );
}

// A sync asked for at `askedAt`, followed each second while the page is shown: the store's last sync
// moves on from `before` once the shop's products are all in (the page then shows them), or the store's
// problems say why it cannot.
function followSync(me, storeId, before, askedAt, progress) {
  const route = location.hash;
  const look = async () => {
    if (location.hash !== route || !progress.isConnected) return;
    const store = await api.get(`/v1/stores/${storeId}`);
    if (store.products_synced_at && store.products_synced_at !== before) {
      await productsPage(me, storeId);
      return;
    }
    const seconds = Math.round((Date.now() - new Date(askedAt).getTime()) / 1000);
    progress.textContent = store.problems.length
      ? `The sync cannot run: ${store.problems.map((problem) => `${problem.message} — ${problem.fix}`).join(" ")}`
      : `Syncing the shop's products (asked ${Math.max(seconds, 0)} s ago); the list follows when it is done.`;
    setTimeout(look, 1000);
  };
  progress.textContent = "Syncing the shop's products; the list follows when it is done.";
  setTimeout(look, 1000);
}

// One variant: its mapping to a catalog product (attributes offered from the catalog, a design file per
// print area, each checked in the background) and what still stands in the way.
export async function variantPage(me, variantId) {
  const base = `/v1/shop-variants/${variantId}`;
  const variant = await api.get(base);
  const product = await api.get(`/v1/shop-products/${variant.shop_product_id}`);
  const reload = () => variantPage(me, variantId);
  // While a file is being checked the mapping's status and checks are followed; the form below is left
  // as it is being filled in.
  const shown = h("div", {}, mappingSummary(variant));
  followWhile(
    base,
    variant,
    (now) => Boolean(now.mapping) && Object.values(now.mapping.files).some((file) => file.status === "pending"),
    (now) => shown.replaceChildren(...mappingSummary(now).flat(Infinity).filter(Boolean)),
  );
  const sections = [h("p", {}, h("a", { href: `#/stores/${variant.store_id}/products` }, "The store's products")), shown];
  if (can("products:manage")) {
    sections.push(
      h("h2", {}, variant.mapping ? "Change the mapping" : "Map it to a catalog product"),
      await mappingForm(me, variant, product.customer_id, reload),
    );
  }
  if (can("products:manage") && variant.mapping) {
    sections.push(
      h(
        "div",
        { class: "actions" },
        action("Check the files again", async () => {
          await api.post(`${base}/mapping/files/recheck`);
          await reload();
        }),
        action("Remove the mapping", async () => {
          if (!confirm("Remove this variant's mapping? Its orders are held until it is mapped again.")) return;
          await api.delete(`${base}/mapping`);
          await reload();
        }),
      ),
    );
  }
  show(`${product.title} — ${variant.title}${variant.sku ? ` (${variant.sku})` : ""}`, ...sections);
}

// What a variant is mapped to, each design file's check, and what still stands in the way.
function mappingSummary(variant) {
  return [
    h("p", {}, "Mapping: ", h("strong", { "data-mapping-status": variant.mapping_status }, STATUS_TEXT[variant.mapping_status])),
    variant.issues.length
      ? h("div", { class: "alert", role: "alert" }, variant.issues.map((issue) => [h("p", {}, issue.message), h("p", {}, h("strong", {}, "Fix: "), issue.fix)]))
      : null,
    variant.mapping
      ? [
          h("h2", {}, "Mapped to"),
          h("p", {}, variant.mapping.product_uid, " ", Object.entries(variant.mapping.attributes).map(([k, v]) => `${k}: ${v}`).join(", ")),
          Object.entries(variant.mapping.files).map(([area, file]) => h("div", {}, h("h3", {}, `Design file for ${area}`), h("p", {}, file.url), fileCheck(file))),
        ]
      : null,
  ];
}

async function mappingForm(me, variant, customerId, reload) {
  return form(
    "Mapping",
    await specFields(me, variant.mapping, () => customerId),
    async (values) => {
      await api.put(`/v1/shop-variants/${variant.id}/mapping`, specOf(values));
      await reload();
    },
    { button: "Save the mapping" },
  );
}
