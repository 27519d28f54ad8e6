import { ApiError, api, query } from "../api.js";
import { can, go } from "../app.js";
import { listed, pagedTable } from "../paging.js";
import { action, choice, field, form, h, show, table, when } from "../ui.js";
import { catalogTransfer } from "./catalog-transfer.js";

const FORMATS = ["pdf", "png", "jpeg", "tiff", "svg"];

function areaSummary(area) {
  return `${area.name}: ${area.formats.join(", ")}, ${area.trim_width_mm} × ${area.trim_height_mm} mm, ${area.bleed_mm} mm bleed, at least ${area.min_dpi} dpi`;
}

function row(product) {
  return h(
    "tr",
    {},
    h("td", {}, h("a", { href: `#/catalog/${product.product_uid}` }, product.product_uid)),
    h("td", {}, product.name),
    h("td", {}, product.type),
    h("td", { class: "status", "data-product-status": product.status }, product.status),
    h("td", {}, product.print_areas.map((area) => area.name).join(", ") || "—"),
  );
}

// The catalog by name, searched by name or uid, type and status, paged with the API's cursor; operators
// create products here, every other signed-in user reads it.
export async function catalogPage() {
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  const filters = { q: params.get("q") || "", type: params.get("type") || "", status: params.get("status") || "" };
  const search = form(
    "Search the catalog",
    [
      field("Name or uid contains", "q", { type: "search", value: filters.q }),
      field("Of type", "type", { value: filters.type }),
      choice("Status", "status", [["", "any"], ["active", "active"], ["retired", "retired"]], { value: filters.status }),
    ],
    async (values) => {
      go(`/catalog${query(values)}`);
    },
    { button: "Search" },
  );
  const list = await pagedTable(
    ["Product uid", "Name", "Type", "Status", "Print areas"],
    (cursor) => api.get(`/v1/catalog/products${query({ ...filters, cursor, limit: 50 })}`),
    row,
    { more: "Show more products", empty: "No product matches." },
  );
  const create = can("producer:manage")
    ? [
        h("h2", {}, "New product"),
        productForm(
          "New product",
          null,
          async (body) => {
            const created = await api.post("/v1/catalog/products", body);
            go(`/catalog/${created.product_uid}`);
          },
          "Create product",
        ),
      ]
    : [];
  show("Catalog", search, list, ...create, catalogTransfer());
}

// One product: what it is, and for operators its form, retirement and reactivation.
export async function catalogProductPage(me, uid) {
  const base = `/v1/catalog/products/${uid}`;
  const product = await api.get(base);
  const reload = () => catalogProductPage(me, uid);
  const sections = [
    h("p", {}, h("a", { href: "#/catalog" }, "The catalog")),
    h(
      "dl",
      {},
      h("dt", {}, "Product uid"),
      h("dd", {}, product.product_uid),
      h("dt", {}, "Type"),
      h("dd", {}, product.type),
      h("dt", {}, "Status"),
      h("dd", { class: "status", "data-product-status": product.status }, product.status),
      h("dt", {}, "Changed"),
      h("dd", {}, `${when(product.updated_at)} (version ${product.version})`),
    ),
    h("h2", {}, "Attributes"),
    Object.keys(product.attributes).length
      ? table(
          ["Attribute", "Values"],
          Object.entries(product.attributes).map(([name, values]) => h("tr", {}, h("td", {}, name), h("td", {}, values.join(", ")))),
        )
      : h("p", { class: "muted" }, "No attributes."),
    h("h2", {}, "Print areas"),
    product.print_areas.length
      ? h("ul", {}, product.print_areas.map((area) => h("li", {}, areaSummary(area))))
      : h("p", { class: "muted" }, "No print areas."),
  ];
  if (can("producer:manage")) {
    sections.push(
      h(
        "div",
        { class: "actions" },
        product.status === "active"
          ? action("Retire the product", async () => {
              if (!confirm(`Retire ${product.name}? It is no longer offered; its uid stays taken.`)) return;
              await api.post(`${base}/retire`);
              await reload();
            })
          : action("Reactivate the product", async () => {
              await api.post(`${base}/reactivate`);
              await reload();
            }),
      ),
      h("h2", {}, "Change the product"),
      productForm(
        "Change the product",
        product,
        async (body) => {
          await api.patch(base, body);
          await reload();
        },
        "Save the product",
      ),
    );
  }
  show(product.name, ...sections);
}

function attributeRow(number, name = "", values = []) {
  return h(
    "div",
    { class: "row", "data-attribute": number },
    field(`Attribute ${number + 1}: name`, `attributes.${number}.name`, { value: name }),
    field(`Attribute ${number + 1}: values (comma-separated)`, `attributes.${number}.values`, { value: values.join(", ") }),
  );
}

function areaRow(number, area = {}) {
  const label = (text) => `Print area ${number + 1}: ${text}`;
  const name = (part) => `print_areas.${number}.${part}`;
  return h(
    "div",
    { class: "row", "data-area": number },
    field(label("name"), name("name"), { value: area.name }),
    field(label("formats (comma-separated)"), name("formats"), { value: (area.formats || []).join(", "), hint: FORMATS.join(", ") }),
    field(label("trim width (mm)"), name("trim_width_mm"), { inputmode: "decimal", value: area.trim_width_mm }),
    field(label("trim height (mm)"), name("trim_height_mm"), { inputmode: "decimal", value: area.trim_height_mm }),
    field(label("bleed (mm)"), name("bleed_mm"), { inputmode: "decimal", value: area.bleed_mm, hint: "empty: 0" }),
    field(label("minimum resolution (dpi)"), name("min_dpi"), { inputmode: "numeric", value: area.min_dpi, hint: "empty: 300" }),
  );
}

function numeric(text) {
  return text !== "" && Number.isFinite(Number(text)) ? Number(text) : text;
}

// The product as the API takes it from the form's rows (a row left empty is left out), and the map from
// each sent row's place back to its fields' names, so the API's problems land beside the right field.
function productBody(element, values) {
  const body = { name: values.name, type: values.type, attributes: {}, print_areas: [] };
  const attributeRows = {};
  for (const rowElement of element.querySelectorAll("[data-attribute]")) {
    const number = rowElement.dataset.attribute;
    const name = element.querySelector(`[name="attributes.${number}.name"]`).value.trim();
    const given = listed(element.querySelector(`[name="attributes.${number}.values"]`).value);
    if (!name && !given.length) continue;
    if (name in body.attributes) {
      throw new ApiError(422, {
        title: "Two rows name one attribute",
        errors: [{ loc: ["body", "attributes", number, "name"], msg: `'${name}' is named in an earlier row; give each attribute once` }],
      });
    }
    body.attributes[name] = given;
    attributeRows[name] = number;
  }
  const areaRows = [];
  for (const rowElement of element.querySelectorAll("[data-area]")) {
    const number = rowElement.dataset.area;
    const read = (part) => element.querySelector(`[name="print_areas.${number}.${part}"]`).value.trim();
    const parts = ["name", "formats", "trim_width_mm", "trim_height_mm", "bleed_mm", "min_dpi"];
    if (parts.every((part) => !read(part))) continue;
    const area = { name: read("name"), formats: listed(read("formats")).map((f) => f.toLowerCase()) };
    for (const part of parts.slice(2)) if (read(part) !== "") area[part] = numeric(read(part));
    body.print_areas.push(area);
    areaRows.push(number);
  }
  return { body, attributeRows, areaRows };
}

function placed(error, attributeRows, areaRows) {
  const fields = {};
  for (const [name, message] of Object.entries(error.fields)) {
    const [head, key, ...rest] = name.split(".");
    if (head === "attributes" && key in attributeRows) {
      fields[`attributes.${attributeRows[key]}.${rest[0] === "[key]" ? "name" : "values"}`] = message;
    } else if (head === "print_areas" && key in areaRows) {
      fields[["print_areas", areaRows[key], ...rest].join(".")] = message;
    } else {
      fields[name] = message;
    }
  }
  error.fields = fields;
  return error;
}

function productForm(label, product, send, button) {
  const attributes = h("div", {});
  const areas = h("div", {});
  const current = product || { attributes: {}, print_areas: [] };
  Object.entries(current.attributes).forEach(([name, values], index) => attributes.append(attributeRow(index, name, values)));
  current.print_areas.forEach((area, index) => areas.append(areaRow(index, area)));
  if (!attributes.children.length) attributes.append(attributeRow(0));
  if (!areas.children.length) areas.append(areaRow(0));
  const fields = [
    product ? null : field("Product uid", "product_uid", { required: true, hint: "lower-case letters, digits, _ . - (e.g. flyer_a5_135gsm); never changes" }),
    field("Name", "name", { value: current.name, required: true }),
    field("Type", "type", { value: current.type, required: true, hint: "e.g. flyer, poster" }),
    h(
      "fieldset",
      {},
      h("legend", {}, "Attributes (a row left empty is left out)"),
      attributes,
      h("button", { type: "button", class: "secondary", onclick: () => attributes.append(attributeRow(attributes.children.length)) }, "Add an attribute"),
    ),
    h(
      "fieldset",
      {},
      h("legend", {}, "Print areas (a row left empty is left out)"),
      areas,
      h("button", { type: "button", class: "secondary", onclick: () => areas.append(areaRow(areas.children.length)) }, "Add a print area"),
    ),
  ].filter(Boolean);
  return form(
    label,
    fields,
    async (values, element) => {
      const { body, attributeRows, areaRows } = productBody(element, values);
      if (!product) body.product_uid = values.product_uid;
      try {
        await send(body);
      } catch (error) {
        if (error instanceof ApiError) throw placed(error, attributeRows, areaRows);
        throw error;
      }
    },
    { button },
  );
}
