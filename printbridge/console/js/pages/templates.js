import { api, query } from "../api.js";
import { followWhile } from "../follow.js";
import { can, go } from "../app.js";
import { customerOptions } from "../pickers.js";
import { pagedTable } from "../paging.js";
import { action, choice, field, form, h, show, when } from "../ui.js";
import { fileCheck, specFields, specOf } from "./spec.js";

const STATUS_TEXT = {
  ok: "ok",
  product_retired: "product retired",
  spec_invalid: "no longer fits the product",
  file_failed: "a file failed its check",
  file_missing: "a print area has no file",
  file_pending: "files being checked",
};

function statusCell(template) {
  return h("span", { class: "status", "data-template-status": template.status }, STATUS_TEXT[template.status] || template.status);
}

// The customer's saved product configurations by name, searched and paged with the API's cursor.
export async function templatesPage() {
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  const search = params.get("q") || "";
  const list = await pagedTable(
    ["Template", "Catalog product", "Status"],
    (cursor) => api.get(`/v1/templates${query({ q: search, cursor, limit: 50 })}`),
    (template) =>
      h(
        "tr",
        {},
        h("td", {}, h("a", { href: `#/templates/${template.id}` }, template.name)),
        h("td", {}, template.product_uid),
        h("td", {}, statusCell(template)),
      ),
    { more: "Show more templates", empty: "No template matches." },
  );

  const searchForm = form(
    "Search templates",
    [field("Name contains", "q", { type: "search", value: search })],
    async (values) => go(`/templates${values.q ? `?${new URLSearchParams({ q: values.q })}` : ""}`),
    { button: "Search" },
  );
  show(
    "Templates",
    h("p", {}, "A template is a catalog product with its attributes and design files, saved to order again by its id."),
    can("products:manage") ? h("p", {}, h("a", { href: "#/templates/new" }, "New template")) : null,
    searchForm,
    list,
  );
}

// A new template: its name, the catalog product with attributes offered from the catalog, and files.
export async function newTemplatePage(me) {
  // Staff pick whose template it is (and whose upload a design file is).
  const owner = me.customer_id ? null : choice("Customer", "customer_id", [["", "choose a customer"], ...(await customerOptions())]);
  const customerId = () => owner?.querySelector("select").value;
  show(
    "New template",
    h("p", {}, h("a", { href: "#/templates" }, "All templates")),
    form(
      "New template",
      [
        owner,
        field("Name", "name", { required: true }),
        field("Description", "description"),
        ...(await specFields(me, null, customerId)),
      ],
      async (values) => {
        const created = await api.post("/v1/templates", {
          ...(owner ? { customer_id: values.customer_id } : {}),
          name: values.name,
          description: values.description || null,
          ...specOf(values),
        });
        go(`/templates/${created.id}`);
      },
      { button: "Save the template" },
    ),
  );
}

function summary(template) {
  return [
    h(
      "dl",
      {},
      h("dt", {}, "Status"),
      h("dd", {}, statusCell(template)),
      h("dt", {}, "Template id (to order it)"),
      h("dd", {}, template.id),
      h("dt", {}, "Catalog product"),
      h("dd", {}, template.product_uid),
      h("dt", {}, "Attributes"),
      h("dd", {}, Object.entries(template.attributes).map(([name, value]) => `${name}: ${value}`).join(", ") || "—"),
      h("dt", {}, "Description"),
      h("dd", {}, template.description || "—"),
      h("dt", {}, "Changed"),
      h("dd", {}, when(template.updated_at)),
    ),
    template.issues.length
      ? h("div", { class: "alert", role: "alert" }, template.issues.map((issue) => h("p", {}, issue.message)))
      : null,
    Object.entries(template.files).map(([area, file]) => h("div", {}, h("h2", {}, `Design file for ${area}`), h("p", {}, file.url), fileCheck(file))),
  ];
}

// One template: its status with what stands in the way, each file's check (followed while pending),
// and for who may write: change it, check the files again, delete it.
export async function templatePage(me, templateId) {
  const base = `/v1/templates/${templateId}`;
  const template = await api.get(base);
  const reload = () => templatePage(me, templateId);
  const shown = h("div", {}, summary(template));
  // The status and file checks are followed while a file is being checked; the form below is left alone.
  followWhile(
    base,
    template,
    (now) => Object.values(now.files).some((file) => file.status === "pending"),
    (now) => shown.replaceChildren(...summary(now).flat(Infinity).filter(Boolean)),
  );

  const sections = [h("p", {}, h("a", { href: "#/templates" }, "All templates")), shown];
  if (can("products:manage")) {
    sections.push(
      h(
        "div",
        { class: "actions" },
        Object.keys(template.files).length
          ? action("Check the files again", async () => {
              await api.post(`${base}/files/recheck`);
              await reload();
            })
          : null,
        action("Delete the template", async () => {
          if (!confirm(`Delete the template ${template.name}?`)) return;
          await api.delete(base);
          go("/templates");
        }),
      ),
      h("h2", {}, "Change the template"),
      form(
        "Change the template",
        [
          field("Name", "name", { value: template.name, required: true }),
          field("Description", "description", { value: template.description || "" }),
          ...(await specFields(me, template, () => template.customer_id)),
        ],
        async (values) => {
          const spec = specOf(values);
          const files = Object.fromEntries(Object.entries(template.files).map(([area, file]) => [area, file.url]));
          const same =
            spec.product_uid === template.product_uid &&
            JSON.stringify(spec.attributes) === JSON.stringify(template.attributes) &&
            JSON.stringify(spec.files) === JSON.stringify(files);
          await api.patch(base, { name: values.name, description: values.description || null, ...(same ? {} : spec) });
          await reload();
        },
        { button: "Save the template" },
      ),
    );
  }
  show(template.name, ...sections);
}
