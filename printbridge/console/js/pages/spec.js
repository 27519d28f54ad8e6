import { api, upload } from "../api.js";
import { choice, field, h } from "../ui.js";

// A production spec as a variant's mapping and a template hold it: a catalog product, its attributes
// offered from the catalog, and a design file per print area by address or uploaded. `customerId()`
// names whose upload it is for producer staff (customer users upload as themselves); `products` are the
// active catalog's (`activeProducts()`), fetched here when the page has not already.
export async function specFields(me, current, customerId, products = null) {
  products ??= await activeProducts();
  const spec = current || { product_uid: "", attributes: {}, files: {} };
  const fields = h("div", {});

  function render(uid) {
    const product = products[uid];
    if (!product) {
      fields.replaceChildren();
      return;
    }
    fields.replaceChildren(
      ...Object.entries(product.attributes).map(([name, options]) =>
        choice(`Attribute: ${name}`, `attributes.${name}`, options.map((o) => [o, o]), { value: spec.attributes[name] || options[0] }),
      ),
      ...product.print_areas.map((area) => {
        const url = field(`Design file address for ${area.name}`, `files.${area.name}`, {
          type: "url",
          value: spec.files[area.name]?.url || "",
          hint: `${area.formats.join(", ").toUpperCase()}, ${area.trim_width_mm} × ${area.trim_height_mm} mm plus ${area.bleed_mm} mm bleed`,
        });
        const input = url.querySelector("input");
        const picker = h("input", { type: "file", id: `${input.id}-upload`, accept: area.formats.map((f) => `.${f}`).join(",") });
        const status = h("p", { class: "muted", role: "status" });
        picker.addEventListener("change", async () => {
          if (!picker.files.length) return;
          status.textContent = "Uploading…";
          try {
            const owner = me.customer_id ? {} : { customer_id: customerId() }; // staff name the customer
            const uploaded = await upload("/v1/files", picker.files[0], owner);
            input.value = uploaded.url;
            status.textContent = `Uploaded ${picker.files[0].name}.`;
          } catch (error) {
            status.textContent = error.message;
          }
        });
        return h("div", {}, url, h("label", { for: picker.id }, `Or upload the design file for ${area.name}`), picker, status);
      }),
    );
  }

  const picker = choice(
    "Catalog product",
    "product_uid",
    [["", "choose a product"], ...Object.values(products).map((product) => [product.product_uid, `${product.name} (${product.product_uid})`])],
    { value: spec.product_uid, onchange: (event) => render(event.target.value) },
  );
  render(spec.product_uid);
  return [picker, fields];
}

// The active catalog products (the first 200) by their product_uid, in the catalog's order.
export async function activeProducts() {
  const catalog = await api.get("/v1/catalog/products?status=active&limit=200");
  return Object.fromEntries(catalog.items.map((product) => [product.product_uid, product]));
}

// The spec a form's values say: files left empty are no file.
export function specOf(values) {
  return {
    product_uid: values.product_uid,
    attributes: values.attributes || {},
    files: Object.fromEntries(Object.entries(values.files || {}).filter(([, url]) => url)),
  };
}

export function fileCheck(file) {
  if (!file) return h("p", { class: "muted" }, "No file.");
  const state = file.status === "failed" ? `failed: ${file.message} Fix: ${file.fix}` : file.status;
  return h("p", { class: file.status === "failed" ? "alert" : "" }, "Check: ", h("span", { "data-file-status": file.status }, state));
}
