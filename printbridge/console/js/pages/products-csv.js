import { api, query } from "../api.js";
import { can, go } from "../app.js";
import { h, show, table, when } from "../ui.js";
import { downloadAction, followImport, uploadForm } from "./csv.js";

const COUNTS = (imported) => [
  ["Rows in the file", imported.total_rows],
  ["Rows done", imported.processed_rows],
  ["Variants mapped or changed", imported.applied_rows],
  ["Already mapped as the row says", imported.unchanged_rows],
  ["Skipped (no product_uid)", imported.skipped_rows],
  ["Rows failed", imported.failed_rows],
];

// On a store's products page: the CSV export to fill in, its import, and the imports so far.
export async function productsCsvSection(storeId) {
  const page = await api.get(`/v1/stores/${storeId}/products/imports${query({ limit: 10 })}`);
  return [
    h("h2", {}, "Map many variants by CSV"),
    h("p", {}, "Export the variants, fill in product_uid, the attr:<name> and file columns, and import the file."),
    downloadAction("Export the products CSV", `/v1/stores/${storeId}/products/export.csv`),
    can("products:manage")
      ? uploadForm("Import the products CSV", `/v1/stores/${storeId}/products/import`, (started) => go(`/product-imports/${started.id}`))
      : null,
    page.items.length
      ? table(
          ["File", "Status", "Mapped", "Failed", "Started"],
          page.items.map((imported) =>
            h(
              "tr",
              {},
              h("td", {}, h("a", { href: `#/product-imports/${imported.id}` }, imported.filename || imported.id)),
              h("td", { class: "status" }, imported.status),
              h("td", {}, imported.applied_rows),
              h("td", {}, imported.failed_rows),
              h("td", {}, when(imported.created_at)),
            ),
          ),
        )
      : h("p", { class: "muted" }, "No file imported yet."),
  ];
}

// One products CSV import: its progress, followed while it runs, and each failed row with the fix.
export async function productImportPage(me, importId) {
  const path = `/v1/product-imports/${importId}`;
  const first = await api.get(path);
  show(
    `Products import ${first.filename || ""}`.trim(),
    h("p", {}, h("a", { href: `#/stores/${first.store_id}/products` }, "The store's products")),
    followImport(path, COUNTS, first),
  );
}
