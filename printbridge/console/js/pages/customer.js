import { api } from "../api.js";
import { go } from "../app.js";
import { field, form, h, show, when } from "../ui.js";
import { teamSection } from "./users.js";

const INVITATION = {
  pending: "pending: the invitation is queued",
  invited: "invited: the e-mail went to the mail server",
  active: "active: the admin accepted and can log in",
  failed: "failed: the e-mail was not delivered",
};

function accessSummary(access) {
  const lines = [
    h("p", {}, "Storefront access is ", h("strong", {}, access.enabled ? "on" : "off"), "."),
  ];
  if (access.admin) {
    lines.push(
      h("p", {}, `Admin: ${access.admin.first_name} ${access.admin.last_name} <${access.admin.email}>`),
      h("p", {}, "Invitation: ", h("span", { class: "status", "data-invitation": access.invitation_status }, INVITATION[access.invitation_status] || access.invitation_status)),
    );
    if (access.invited_at) lines.push(h("p", { class: "muted" }, `Invited ${when(access.invited_at)}`));
    if (access.failure_reason) lines.push(h("p", { class: "alert" }, `Why it failed: ${access.failure_reason}`));
  }
  return lines;
}

// One customer's settings: its details, the Storefront-access switch with the admin's details and the
// invitation's status (resend), and archiving.
export async function customerPage(me, customerId) {
  const base = `/v1/customers/${customerId}`;
  const [customer, access, users] = await Promise.all([
    api.get(base),
    api.get(`${base}/storefront-access`),
    teamSection(customerId),
  ]);
  const reload = () => customerPage(me, customerId);

  const details = form(
    "Customer details",
    [
      field("Name", "name", { value: customer.name, required: true }),
      field("Reference (your ID for the customer)", "reference_id", { value: customer.reference_id }),
      field("Description", "description", { value: customer.description }),
    ],
    async (values) => {
      await api.patch(base, {
        name: values.name,
        reference_id: values.reference_id || null,
        description: values.description || null,
      });
      await reload();
    },
    { button: "Save details" },
  );

  const admin = access.admin || { email: "", first_name: "", last_name: "" };
  const accessForm = form(
    "Storefront access",
    [
      field("Storefront access: the customer's users may log in", "enabled", { type: "checkbox", value: access.enabled }),
      h(
        "fieldset",
        {},
        h("legend", {}, "The customer's admin (receives the invitation)"),
        field("Admin's e-mail address", "admin.email", { type: "email", value: admin.email }),
        field("Admin's first name", "admin.first_name", { value: admin.first_name }),
        field("Admin's last name", "admin.last_name", { value: admin.last_name }),
      ),
    ],
    async (values) => {
      const unchanged =
        access.admin &&
        values.admin.email === admin.email &&
        values.admin.first_name === admin.first_name &&
        values.admin.last_name === admin.last_name;
      const adminGiven = values.admin.email || values.admin.first_name || values.admin.last_name;
      await api.put(`${base}/storefront-access`, {
        enabled: values.enabled,
        admin: unchanged || !adminGiven ? null : values.admin,
      });
      await reload();
    },
    { button: "Save Storefront access" },
  );

  const actions = h("div", { class: "actions" });
  if (access.enabled && access.admin && access.invitation_status !== "active") {
    actions.append(
      h("button", {
        type: "button",
        class: "secondary",
        onclick: async () => {
          await api.post(`${base}/storefront-access/resend-invitation`);
          await reload();
        },
      }, "Resend the invitation"),
    );
  }
  if (!customer.archived) {
    actions.append(
      h("button", {
        type: "button",
        class: "secondary",
        onclick: async () => {
          if (!confirm(`Archive ${customer.name}?`)) return;
          await api.delete(base);
          go("/customers");
        },
      }, "Archive customer"),
    );
  }

  show(
    customer.name,
    h("p", {}, h("a", { href: "#/customers" }, "All customers")),
    customer.archived ? h("p", { class: "alert" }, `Archived ${when(customer.archived_at)}.`) : null,
    h("h2", {}, "Storefront access"),
    h("div", { id: "access-summary", role: "status" }, accessSummary(access)),
    accessForm,
    actions,
    h("h2", {}, "Stores and orders"),
    h(
      "p",
      {},
      h("a", { href: `#/stores?customer=${customer.id}` }, "Its stores"),
      " · ",
      h("a", { href: `#/stores/connect?customer=${customer.id}` }, "Connect a store for it"),
      " · ",
      h("a", { href: `#/orders?customer=${customer.id}` }, "Its orders"),
    ),
    users,
    h("h2", {}, "Details"),
    details,
  );
}
