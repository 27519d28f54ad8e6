import { api } from "../api.js";
import { can } from "../app.js";
import { action, field, form, h } from "../ui.js";

// What a store connected with the producer's own login needs by hand (Pressero): the webhook to enter in
// the platform's admin, with its security key (rotated on demand), and a new login when the admin user's
// password changed. Only for who may manage stores, and only while the store is connected.
export async function storeSetup(store, reload) {
  if (store.platform !== "pressero" || store.status === "disconnected" || !can("stores:manage")) return null;
  const base = `/v1/stores/${store.id}`;
  const setup = await api.get(`${base}/webhook-setup`);
  return h(
    "section",
    {},
    h("h2", {}, "Webhook in Pressero"),
    h("p", {}, setup.instructions),
    h(
      "dl",
      {},
      h("dt", {}, "Webhook address"),
      h("dd", { class: "secret", "data-setup": "webhook_url" }, setup.webhook_url),
      h("dt", {}, "Security key"),
      h("dd", { class: "secret", "data-setup": "security_key" }, setup.security_key),
      h("dt", {}, "Events to tick"),
      h("dd", {}, setup.events.join(", ")),
    ),
    h(
      "div",
      { class: "actions" },
      action("New security key", async () => {
        if (!confirm("Make a new security key? Pressero's deliveries are refused until you enter it there; orders meanwhile arrive by polling.")) return;
        await api.post(`${base}/webhook-setup/rotate`);
        await reload();
      }),
    ),
    h("h2", {}, "Pressero admin login"),
    h("p", {}, "When the admin user's password changed in Pressero, enter the new one: Pressero checks it at once."),
    form(
      "Pressero admin login",
      [
        field("Admin user name (leave empty to keep it)", "username", { autocomplete: "off" }),
        field("Admin user's new password", "password", { type: "password", required: true, autocomplete: "off" }),
      ],
      async (values) => {
        const body = { password: values.password };
        if (values.username) body.username = values.username;
        await api.put(`${base}/credentials`, body);
        await reload();
      },
      { button: "Save the login" },
    ),
  );
}
