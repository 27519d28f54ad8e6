import { api, query } from "../api.js";
import { pagedTable } from "../paging.js";
import { action, field, form, h, show, when } from "../ui.js";

// Operator API keys, newest first (revoked ones too), paged with the API's cursor; a new key is shown once,
// on the page that made it, and never again.
export async function apiKeysPage(me, created = null) {
  const reload = (next = null) => apiKeysPage(me, next);
  const list = await pagedTable(
    ["Name", "Key", "Created", "State", ""],
    (cursor) => api.get(`/v1/api-keys${query({ cursor, limit: 20 })}`),
    (key) =>
      h(
        "tr",
        {},
        h("td", {}, key.name),
        h("td", {}, `…${key.key_hint}`),
        h("td", {}, when(key.created_at)),
        h("td", { class: "status", "data-key-state": key.revoked_at ? "revoked" : "active" }, key.revoked_at ? `revoked ${when(key.revoked_at)}` : "active"),
        h(
          "td",
          {},
          key.revoked_at
            ? ""
            : action(`Revoke ${key.name}`, async () => {
                if (!confirm(`Revoke the key ${key.name} (…${key.key_hint})? Every request with it is refused from now on.`)) return;
                await api.delete(`/v1/api-keys/${key.id}`);
                await reload();
              }),
        ),
      ),
    { more: "Show more keys", empty: "No API key yet." },
  );
  show(
    "API keys",
    h("p", { class: "muted" }, "An API key acts as producer staff (operator) for a system of yours, e.g. an ERP or MIS: send it as Authorization: Bearer …"),
    created
      ? h(
          "div",
          { class: "notice", role: "status" },
          h("p", {}, `The key ${created.name}, shown only this once: copy it now into the system that uses it.`),
          h("p", { class: "secret", "data-secret": "" }, created.key),
        )
      : null,
    list,
    h("h2", {}, "New API key"),
    form(
      "New API key",
      [field("Name (what the key is for)", "name", { required: true, hint: "e.g. ERP integration" })],
      async (values) => {
        await reload(await api.post("/v1/api-keys", { name: values.name }));
      },
      { button: "Create key" },
    ),
  );
}
