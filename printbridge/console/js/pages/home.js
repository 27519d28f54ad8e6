import { api } from "../api.js";
import { can } from "../app.js";
import { h, show, table } from "../ui.js";

// Where everyone starts: the stores the user may see, each with its health and what to do about it.
export async function homePage(me) {
  const intro = me.customer_id
    ? h("p", {}, `You are signed in as ${me.email} (${me.role}).`)
    : h("p", {}, "You are signed in as producer staff. ", can("producer:manage") ? h("a", { href: "#/customers" }, "Customers") : null);
  if (!can("stores:read")) {
    show("Home", intro);
    return;
  }
  const page = await api.get("/v1/stores?limit=50");
  const rows = page.items.map((store) =>
    h(
      "tr",
      {},
      h("td", {}, store.name),
      h("td", {}, store.platform),
      h("td", { class: "status" }, store.status),
      h("td", {}, (store.problems || []).map((problem) => h("p", {}, `${problem.message} ${problem.fix || ""}`))),
    ),
  );
  show(
    "Home",
    intro,
    h("h2", {}, "Stores"),
    rows.length ? table(["Store", "Platform", "Status", "Problems"], rows) : h("p", { class: "muted" }, "No store is connected yet."),
  );
}
