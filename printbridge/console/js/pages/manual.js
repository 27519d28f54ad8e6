import { api, query } from "../api.js";
import { can, go } from "../app.js";
import { choice, field, form, h, show, table, when } from "../ui.js";
import { downloadAction, followImport, uploadForm } from "./csv.js";

const PRODUCT_KINDS = [
  ["product_uid", "Catalog product (product_uid)"],
  ["sku", "Your SKU (mapped like a shop's)"],
  ["template_id", "Saved template (its id)"],
];

// A fresh Idempotency-Key per order form: a request sent again after a lost answer places no second order.
function idempotencyKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

// One print file of a line: its print area names the request field, so the API's complaint about the
// file lands beside its address.
function fileRow(line, number) {
  const area = field(`Line ${line}: print area of file ${number}`, "", { value: number === 1 ? "front" : "", hint: "front, back, cover, …" });
  const url = field(`Line ${line}: address of file ${number} (https://…)`, "", { type: "url" });
  const areaInput = area.querySelector("input");
  const urlInput = url.querySelector("input");
  areaInput.removeAttribute("name");
  const rename = () => {
    if (areaInput.value.trim()) urlInput.name = `line_items.${line - 1}.files.${areaInput.value.trim()}`;
    else urlInput.removeAttribute("name");
  };
  areaInput.addEventListener("input", rename);
  rename();
  return h("div", { class: "file" }, area, url);
}

function lineFields(line) {
  const at = `line_items.${line - 1}`;
  const product = field(`Line ${line}: product`, `${at}.product_uid`, { required: true });
  const productInput = product.querySelector("input");
  const kind = choice(`Line ${line}: what the product is`, "", PRODUCT_KINDS, {
    value: "product_uid",
    onchange: (event) => {
      productInput.name = `${at}.${event.target.value}`;
    },
  });
  kind.querySelector("select").removeAttribute("name");
  const files = h("div", {}, fileRow(line, 1));
  const addFile = h("button", { type: "button", class: "secondary" }, `Line ${line}: add a file`);
  addFile.addEventListener("click", () => files.append(fileRow(line, files.children.length + 1)));
  return h(
    "fieldset",
    { class: "line" },
    h("legend", {}, `Line ${line}`),
    kind,
    product,
    field(`Line ${line}: quantity`, `${at}.quantity`, { type: "number", min: 1, value: "1", required: true }),
    files,
    addFile,
  );
}

// The request body from the form's values: lines as a list, numbers as numbers, empty fields left out.
function orderBody(values) {
  const kept = (object) => Object.fromEntries(Object.entries(object || {}).filter(([, value]) => value !== ""));
  const lines = Object.entries(values.line_items || {})
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, line]) => {
      const body = kept(line);
      body.files = kept(line.files);
      if (body.quantity !== undefined && /^\d+$/.test(body.quantity)) body.quantity = Number(body.quantity);
      return body;
    });
  return {
    ...kept({ reference: values.reference, currency: values.currency, email: values.email, note: values.note }),
    shipping_address: kept(values.shipping_address),
    line_items: lines,
  };
}

// A manual store: one order placed by hand (sent with an Idempotency-Key).
export async function manualOrderPage(me, storeId) {
  const store = await api.get(`/v1/stores/${storeId}`);
  const key = idempotencyKey();
  const lines = h("div", {}, lineFields(1));
  const addLine = h("button", { type: "button", class: "secondary" }, "Add a line");
  addLine.addEventListener("click", () => lines.append(lineFields(lines.children.length + 1)));
  const address = (label, name, extra = {}) => field(label, `shipping_address.${name}`, extra);
  const order = form(
    "Place an order",
    [
      field("Your order reference", "reference", { hint: "unique in this store; without one the order's id is used" }),
      field("Currency", "currency", { value: "EUR", required: true, hint: "ISO 4217, e.g. EUR, USD, GBP" }),
      field("Buyer's e-mail address", "email", { type: "email" }),
      field("Note for production", "note"),
      h(
        "fieldset",
        {},
        h("legend", {}, "Ship to"),
        address("First name", "first_name"),
        address("Last name", "last_name", { required: true }),
        address("Company", "company"),
        address("Address line 1", "address1", { required: true }),
        address("Address line 2", "address2"),
        address("Postcode", "zip"),
        address("City", "city", { required: true }),
        address("Country code", "country_code", { required: true, hint: "ISO 3166-1, e.g. DE, GB, US" }),
        address("Phone", "phone", { type: "tel" }),
      ),
      lines,
      addLine,
    ],
    async (values) => {
      const placed = await api.post(`/v1/stores/${storeId}/orders`, orderBody(values), { "Idempotency-Key": key });
      go(`/orders/${placed.id}`);
    },
    { button: "Place the order" },
  );
  show(`Place an order in ${store.name}`, h("p", {}, h("a", { href: `#/stores/${storeId}` }, "The store")), order);
}

const ORDER_COUNTS = (imported) => [
  ["Rows read", imported.rows_read],
  ["Orders created", imported.orders_created],
  ["Orders already there (left as they are)", imported.orders_existing],
  ["Rows failed", imported.rows_failed],
];

// A manual store's CSV order imports: the template, a new upload, and the imports so far.
export async function orderImportsPage(me, storeId) {
  const store = await api.get(`/v1/stores/${storeId}`);
  const page = await api.get(`/v1/stores/${storeId}/orders/imports${query({ limit: 50 })}`);
  const manage = can("orders:manage");
  show(
    `Import orders into ${store.name}`,
    h("p", {}, h("a", { href: `#/stores/${storeId}` }, "The store")),
    manage
      ? [
          h("p", {}, "One row per order line; the template has every column and an example row."),
          downloadAction("Download the CSV template", `/v1/stores/${storeId}/orders/import-template.csv`),
          uploadForm("Import orders", `/v1/stores/${storeId}/orders/imports`, (started) => go(`/order-imports/${started.id}`)),
        ]
      : null,
    h("h2", {}, "Imports so far"),
    page.items.length
      ? table(
          ["File", "Status", "Orders created", "Rows failed", "Started"],
          page.items.map((imported) =>
            h(
              "tr",
              {},
              h("td", {}, h("a", { href: `#/order-imports/${imported.id}` }, imported.filename || imported.id)),
              h("td", { class: "status" }, imported.status),
              h("td", {}, imported.orders_created),
              h("td", {}, imported.rows_failed),
              h("td", {}, when(imported.created_at)),
            ),
          ),
        )
      : h("p", { class: "muted" }, "No file imported yet."),
  );
}

// One order import: its progress, followed while it runs, and each failed row with the reason.
export async function orderImportPage(me, importId) {
  const path = `/v1/order-imports/${importId}`;
  const first = await api.get(path);
  const report = followImport(path, ORDER_COUNTS, first);
  show(
    `Order import ${first.filename || ""}`.trim(),
    h("p", {}, h("a", { href: `#/stores/${first.store_id}/orders/imports` }, "The store's imports"), " · ", h("a", { href: `#/orders?store=${first.store_id}` }, "Its orders")),
    report,
  );
}
