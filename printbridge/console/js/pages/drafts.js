import { api, query } from "../api.js";
import { can, go } from "../app.js";
import { action, choice, field, form, h, show, table, when } from "../ui.js";
import { listed, pagedTable } from "../paging.js";
import { activeProducts, specFields, specOf } from "./spec.js";

// Create & publish: a product designed here from a catalog product (or a template) and created in the
// shop when published. Only connected Shopify and WooCommerce stores take products.
const PUBLISHING_PLATFORMS = ["shopify", "woocommerce"];
const MAX_OPTIONS = 3;

const STATUS_TEXT = {
  draft: "draft",
  publishing: "publishing",
  published: "published",
  failed: "failed",
};

function statusOf(draft) {
  return h("span", { class: "status", "data-draft-status": draft.status }, STATUS_TEXT[draft.status] || draft.status);
}

export function takesProducts(store) {
  return PUBLISHING_PLATFORMS.includes(store.platform) && store.status === "connected";
}

// The store's drafts, newest first, for its products page.
export async function draftsSection(store) {
  if (!PUBLISHING_PLATFORMS.includes(store.platform)) return null;
  const drafts = await pagedTable(
    ["Designed product", "Status", "Created"],
    (cursor) => api.get(`/v1/stores/${store.id}/product-drafts${query({ cursor, limit: 50 })}`),
    (draft) =>
      h(
        "tr",
        {},
        h("td", {}, h("a", { href: `#/product-drafts/${draft.id}` }, draft.title)),
        h("td", {}, statusOf(draft)),
        h("td", {}, when(draft.created_at)),
      ),
    { more: "Show more designed products", empty: "No product has been designed here yet." },
  );
  return h(
    "section",
    {},
    h("h2", {}, "Create & publish"),
    can("products:manage") && takesProducts(store)
      ? h("p", {}, h("a", { href: `#/stores/${store.id}/products/new` }, "Design a product for the shop"))
      : null,
    drafts,
  );
}

// One variant's fields; its option fields follow the product's option names (`setOptions`).
function variantFields(number) {
  const at = `variants.${number - 1}`;
  const options = h("div", {});
  const fieldset = h(
    "fieldset",
    { class: "variant" },
    h("legend", {}, `Variant ${number}`),
    field(`Variant ${number}: SKU`, `${at}.sku`, { required: true }),
    field(`Variant ${number}: price`, `${at}.price`, { required: true, inputmode: "decimal", hint: "in the shop's currency, e.g. 19.00" }),
    options,
  );
  // Where this variant is produced differently from the product (e.g. Gloss on gloss paper).
  const attributes = h("div", {});
  fieldset.append(attributes);
  fieldset.setProduct = (product) => {
    const entries = Object.entries(product?.attributes || {});
    attributes.replaceChildren(
      ...entries.map(([name, choices]) =>
        choice(`Variant ${number}: ${name}`, `${at}.attributes.${name}`, [["", "as the product"], ...choices.map((c) => [c, c])]),
      ),
    );
  };
  fieldset.setOptions = (names) => {
    const before = Object.fromEntries(
      [...options.querySelectorAll("input")].map((input) => [input.name.slice(`${at}.options.`.length), input.value]),
    );
    options.replaceChildren(
      ...names.map((name) => field(`Variant ${number}: ${name}`, `${at}.options.${name}`, { required: true, value: before[name] || "" })),
    );
  };
  return fieldset;
}

// The request body from the form's values: variants as a list in the form's order, empty fields left out,
// the spec either a template's or the catalog product's with its attributes and files.
function draftBody(values) {
  const body = {
    title: values.title,
    description: values.description,
    options: listed(values.options),
    variants: Object.entries(values.variants || {})
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([, variant]) => ({
        sku: variant.sku,
        price: variant.price,
        options: variant.options || {},
        attributes: Object.fromEntries(Object.entries(variant.attributes || {}).filter(([, value]) => value)),
      })),
    image_urls: listed(values.image_urls),
  };
  if (values.product_type) body.product_type = values.product_type;
  if (values.template_id) body.template_id = values.template_id;
  else Object.assign(body, specOf(values));
  return body;
}

export async function newDraftPage(me, storeId) {
  const store = await api.get(`/v1/stores/${storeId}`);
  const back = h("p", {}, h("a", { href: `#/stores/${storeId}/products` }, "The store's products"));
  if (!takesProducts(store)) {
    show(
      `Design a product for ${store.name}`,
      back,
      h("p", { class: "alert", role: "alert" }, "Only a connected Shopify or WooCommerce store takes products designed here."),
    );
    return;
  }
  const templates = await api.get(`/v1/templates${query({ customer_id: store.customer_id, limit: 200 })}`);
  const products = await activeProducts();
  const templateProducts = Object.fromEntries(templates.items.map((t) => [t.id, t.product_uid]));
  const spec = h("div", {}, ...(await specFields(me, null, () => store.customer_id, products)));
  const template = choice(
    "Start from a template (optional)",
    "template_id",
    [["", "no template: choose the catalog product below"], ...templates.items.map((t) => [t.id, `${t.name} (${t.product_uid})`])],
  );
  // The catalog product the variants are made of: the template's, else the one chosen below.
  const product = () => {
    const chosen = template.querySelector("select").value;
    return products[chosen ? templateProducts[chosen] : spec.querySelector("select[name=product_uid]").value];
  };
  const variants = h("div", {});
  const optionNames = () => listed(optionsField.querySelector("input").value).slice(0, MAX_OPTIONS);
  const addVariant = () => {
    const variant = variantFields(variants.children.length + 1);
    variant.setOptions(optionNames());
    variant.setProduct(product());
    variants.append(variant);
  };
  const productChanged = () => {
    spec.hidden = Boolean(template.querySelector("select").value);
    for (const variant of variants.children) variant.setProduct(product());
  };
  template.addEventListener("change", productChanged);
  spec.querySelector("select[name=product_uid]").addEventListener("change", productChanged);
  const optionsField = field("Options", "options", {
    hint: `up to ${MAX_OPTIONS} names, comma-separated, e.g. Size, Finish; each variant gives one value per option`,
  });
  optionsField.querySelector("input").addEventListener("input", () => {
    for (const variant of variants.children) variant.setOptions(optionNames());
  });
  addVariant();
  const more = h("button", { type: "button", class: "secondary" }, "Add a variant");
  more.addEventListener("click", addVariant);
  const description = h("textarea", { id: "draft-description", name: "description", rows: 4 });

  show(
    `Design a product for ${store.name}`,
    back,
    h("p", {}, "Nothing reaches the shop until you publish it; its variants are then mapped to what you choose here."),
    form(
      "Design a product",
      [
        field("Title", "title", { required: true }),
        h("div", { class: "field" }, h("label", { for: description.id }, "Description (HTML)"), description),
        field("Product type", "product_type", { hint: "the shop's product type, e.g. Flyer (optional)" }),
        template,
        spec,
        optionsField,
        variants,
        more,
        field("Image addresses", "image_urls", { hint: "https://… addresses of product pictures, comma-separated (optional)" }),
      ],
      async (values) => {
        const draft = await api.post(`/v1/stores/${storeId}/products`, draftBody(values));
        go(`/product-drafts/${draft.id}`);
      },
      { button: "Save the draft" },
    ),
  );
}

// A draft: what goes to the shop, the spec its variants are mapped to, and publishing (followed until
// the shop has it or refused it).
export async function draftPage(me, draftId) {
  const draft = await api.get(`/v1/product-drafts/${draftId}`);
  const route = location.hash;
  if (draft.status === "publishing") setTimeout(() => location.hash === route && draftPage(me, draftId), 1000);
  const reload = () => draftPage(me, draftId);
  show(
    draft.title,
    h("p", {}, h("a", { href: `#/stores/${draft.store_id}/products` }, "The store's products")),
    h("p", {}, "Status: ", statusOf(draft), draft.external_product_id ? ` · the shop's product ${draft.external_product_id}` : ""),
    draft.status === "failed"
      ? h("div", { class: "alert", role: "alert" }, h("p", {}, `The shop refused it: ${draft.error}`), h("p", {}, h("strong", {}, "Fix: "), "correct what the shop names in a new draft, or publish again when the shop's problem is gone."))
      : null,
    draft.status === "published" ? h("p", { class: "notice", role: "status" }, "The shop has it, and its variants are mapped.") : null,
    can("products:manage") && ["draft", "failed"].includes(draft.status)
      ? h(
          "div",
          { class: "actions" },
          action(
            draft.status === "failed" ? "Publish again" : "Publish to the shop",
            async () => {
              await api.post(`/v1/product-drafts/${draftId}/publish`);
              await reload();
            },
            { secondary: false },
          ),
        )
      : null,
    h("h2", {}, "Production"),
    h("p", {}, `Catalog product ${draft.product_uid}`),
    ...Object.entries(draft.files).map(([area, url]) => h("p", {}, `Design file for ${area}: `, url)),
    h("h2", {}, "Variants"),
    table(
      ["SKU", "Price", ...draft.options, "Production attributes"],
      draft.variants.map((variant) =>
        h(
          "tr",
          {},
          h("td", {}, variant.sku),
          h("td", {}, variant.price),
          draft.options.map((name) => h("td", {}, variant.options[name])),
          h("td", {}, Object.entries(variant.attributes).map(([k, v]) => `${k}: ${v}`).join(", ")),
        ),
      ),
    ),
    draft.description ? [h("h2", {}, "Description"), h("p", {}, draft.description)] : null,
    h("p", { class: "muted" }, `Designed ${when(draft.created_at)}, changed ${when(draft.updated_at)}.`),
  );
}
