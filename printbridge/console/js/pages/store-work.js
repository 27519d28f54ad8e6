import { can } from "../app.js";
import { h } from "../ui.js";
import { testOrderSection } from "./testorders.js";

// What a customer user does with a store beyond its health: orders by hand or by CSV for a manual
// store, and the test order.
export async function storeWork(store) {
  const manual =
    store.platform === "manual" && can("orders:read")
      ? [
          h("h2", {}, "Orders by hand or by file"),
          h(
            "p",
            {},
            can("orders:manage") && store.status !== "disconnected" ? [h("a", { href: `#/stores/${store.id}/orders/new` }, "Place an order"), " · "] : null,
            h("a", { href: `#/stores/${store.id}/orders/imports` }, "Import orders from a CSV file"),
          ),
        ]
      : null;
  return [manual, can("orders:read") ? await testOrderSection(store) : null];
}
