import { api } from "../api.js";
import { can } from "../app.js";
import { h, show } from "../ui.js";
import { storesTable } from "./stores.js";

// Where everyone starts: the stores the user may see, each with its health and what to do about it.
export async function homePage(me) {
  const intro = me.customer_id
    ? h("p", {}, `You are signed in as ${me.email} (${me.role}).`)
    : h("p", {}, "You are signed in as producer staff.");
  if (!can("stores:read")) {
    show("Home", intro);
    return;
  }
  const page = await api.get("/v1/stores?limit=100");
  const connect = can("stores:connect") ? h("p", {}, h("a", { href: "#/stores/connect" }, "Connect a store")) : null;
  show("Home", intro, h("h2", {}, "Stores"), storesTable(page.items), connect);
}
