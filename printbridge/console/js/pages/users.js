import { api, query } from "../api.js";
import { followWhile } from "../follow.js";
import { can, go } from "../app.js";
import { pagedTable } from "../paging.js";
import { action, choice, field, form, h, picks, show, when } from "../ui.js";

const ROLES = [
  ["admin", "Admin: everything, and the team"],
  ["store_manager", "Store manager: the stores ticked below and their products"],
  ["order_manager", "Order manager: orders"],
  ["viewer", "Viewer: sees stores, products and orders"],
];
const ROLE_NAMES = { admin: "admin", store_manager: "store manager", order_manager: "order manager", viewer: "viewer" };

const STATUS = {
  not_invited: "not invited: no invitation is open",
  pending: "pending: the invitation is queued",
  invited: "invited: the e-mail went to the mail server",
  expired: "expired: the link ran out before it was used",
  failed: "failed: the e-mail was not delivered",
  active: "active",
};

function storeNames(user, stores) {
  if (user.role !== "store_manager") return "all";
  return user.store_ids.map((id) => stores[id]?.name || id).join(", ");
}

function status(user) {
  return [
    h("span", { "data-user-status": user.status }, STATUS[user.status] || user.status),
    user.failure_reason ? h("p", { class: "alert" }, `Why: ${user.failure_reason}`) : null,
  ];
}

// A customer's team, paged with the API's cursor; `link` makes each user's name lead to its page.
async function team(customerId, stores, { link }) {
  return pagedTable(
    ["Name", "E-mail address", "Role", "Status", "Stores"],
    (cursor) => api.get(`/v1/users${query({ customer_id: customerId, cursor, limit: 50 })}`),
    (user) => {
      const name = `${user.first_name} ${user.last_name}`;
      return h(
        "tr",
        {},
        h("td", {}, link ? h("a", { href: `#/users/${user.id}` }, name) : name),
        h("td", {}, user.email),
        h("td", {}, ROLE_NAMES[user.role]),
        h("td", { class: "status" }, status(user)),
        h("td", {}, storeNames(user, stores)),
      );
    },
    { more: "Show more users", empty: "No user yet." },
  );
}

async function storesOf(customerId) {
  const page = await api.get(`/v1/stores${query({ customer_id: customerId, limit: 100 })}`);
  return Object.fromEntries(page.items.map((store) => [store.id, store]));
}

// The role choice and, for a store manager, the customer's stores to tick (shown for that role only).
function roleFields(stores, { role = "viewer", storeIds = [] } = {}) {
  const ticks = picks(
    "Stores the store manager manages",
    "store_ids",
    Object.values(stores).map((store) => [store.id, store.name]),
    { selected: storeIds, empty: "The customer has no store yet." },
  );
  ticks.hidden = role !== "store_manager";
  const picker = choice("Role", "role", ROLES, {
    value: role,
    onchange: (event) => {
      ticks.hidden = event.target.value !== "store_manager";
    },
  });
  return [picker, ticks];
}

// The stores a user gets: those ticked, for a store manager only.
function storeIds(values) {
  return values.role === "store_manager" ? values.store_ids : [];
}

// Customer admins: their team with each user's role, status and stores, and inviting a new user.
export async function usersPage(me) {
  const stores = await storesOf(undefined);
  const manage = can("users:manage");
  const list = await team(undefined, stores, { link: true });
  const invite = manage
    ? form(
        "Invite a user",
        [
          field("E-mail address", "email", { type: "email", required: true, autocomplete: "off" }),
          field("First name", "first_name", { required: true }),
          field("Last name", "last_name", { required: true }),
          ...roleFields(stores),
        ],
        async (values) => {
          const user = await api.post("/v1/users", {
            email: values.email,
            first_name: values.first_name,
            last_name: values.last_name,
            role: values.role,
            store_ids: storeIds(values),
          });
          go(`/users/${user.id}`);
        },
        { button: "Send the invitation" },
      )
    : null;
  show("Users", list, manage ? [h("h2", {}, "Invite a user"), invite] : null);
}

// One user: its role, stores and invitation; admins change the role and stores, resend, remove.
export async function userPage(me, userId) {
  const base = `/v1/users/${userId}`;
  const user = await api.get(base);
  const stores = await storesOf(me.customer_id ? undefined : user.customer_id);
  const reload = () => userPage(me, userId);
  const manage = can("users:manage");
  const statusCell = h("dd", { class: "status" }, status(user));
  // While the invitation is queued its status is followed, in its cell only.
  followWhile(base, user, (now) => now.status === "pending", (now) => statusCell.replaceChildren(...status(now)));
  const sections = [
    h("p", {}, h("a", { href: "#/users" }, "All users")),
    h(
      "dl",
      {},
      h("dt", {}, "E-mail address"),
      h("dd", {}, user.email),
      h("dt", {}, "Role"),
      h("dd", { "data-user-role": user.role }, ROLE_NAMES[user.role]),
      h("dt", {}, "Stores"),
      h("dd", {}, storeNames(user, stores)),
      h("dt", {}, "Status"),
      statusCell,
      h("dt", {}, "Invited"),
      h("dd", {}, when(user.invited_at)),
      h("dt", {}, "Active since"),
      h("dd", {}, when(user.activated_at)),
    ),
  ];
  if (manage) {
    const actions = h("div", { class: "actions" });
    if (user.status !== "active") {
      actions.append(
        action("Resend the invitation", async () => {
          await api.post(`${base}/resend-invitation`);
          await reload();
        }),
      );
    }
    actions.append(
      action("Remove from the team", async () => {
        if (!confirm(`Remove ${user.email}? Their logins end at once.`)) return;
        await api.delete(base);
        go("/users");
      }),
    );
    sections.push(
      h("h2", {}, "Change the user"),
      form(
        "Change the user",
        [
          field("First name", "first_name", { value: user.first_name, required: true }),
          field("Last name", "last_name", { value: user.last_name, required: true }),
          ...roleFields(stores, { role: user.role, storeIds: user.store_ids }),
        ],
        async (values) => {
          await api.patch(base, {
            first_name: values.first_name,
            last_name: values.last_name,
            role: values.role,
            store_ids: storeIds(values),
          });
          await reload();
        },
        { button: "Save the user" },
      ),
      actions,
    );
  }
  show(`${user.first_name} ${user.last_name}`, ...sections);
}

// Producer staff: a customer's team as it stands, read-only (the customer's admins manage it).
export async function teamSection(customerId) {
  return [h("h2", {}, "Users"), await team(customerId, await storesOf(customerId), { link: false })];
}
