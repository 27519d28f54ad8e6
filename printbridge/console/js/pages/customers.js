import { api, query } from "../api.js";
import { go } from "../app.js";
import { pagedTable } from "../paging.js";
import { field, form, h, show } from "../ui.js";

function row(customer) {
  const access = customer.storefront_access;
  return h(
    "tr",
    {},
    h("td", {}, h("a", { href: `#/customers/${customer.id}` }, customer.name)),
    h("td", {}, customer.reference_id || "—"),
    h("td", {}, access.enabled ? `on (${access.invitation_status})` : "off"),
    h("td", {}, customer.archived ? "archived" : "active"),
  );
}

// Producer staff: every customer, searched by name or reference and paged with the API's cursor; a new one.
export async function customersPage() {
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  const search = params.get("query") || "";
  const archived = params.get("archived") === "1";
  const list = await pagedTable(
    ["Name", "Reference", "Storefront access", "State"],
    (cursor) =>
      api.get(`/v1/customers${query({ query: search, include_archived: archived || undefined, cursor, limit: 25 })}`),
    row,
    { more: "Show more customers", empty: "No customer matches." },
  );

  const searchForm = form(
    "Search customers",
    [
      field("Name or reference", "query", { type: "search", value: search }),
      field("Include archived customers", "archived", { type: "checkbox", value: archived }),
    ],
    async (values) => {
      go(`/customers?${new URLSearchParams({ query: values.query, archived: values.archived ? "1" : "" })}`);
    },
    { button: "Search" },
  );
  const createForm = form(
    "New customer",
    [
      field("Name", "name", { required: true }),
      field("Reference (your ID for the customer)", "reference_id"),
      field("Description", "description"),
    ],
    async (values) => {
      const created = await api.post("/v1/customers", {
        name: values.name,
        reference_id: values.reference_id || null,
        description: values.description || null,
      });
      go(`/customers/${created.id}`);
    },
    { button: "Create customer" },
  );
  show("Customers", searchForm, list, h("h2", {}, "New customer"), createForm);
}

