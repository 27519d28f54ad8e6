import { sendFile } from "../api.js";
import { can } from "../app.js";
import { field, form, h } from "../ui.js";
import { downloadAction, rowErrors } from "./csv.js";

const CHOOSE = "Choose a CSV or JSON file first.";

// The whole catalog out (CSV or JSON, the format the import takes) for everyone who reads it, and in for
// producer staff: products created or changed by product_uid, each row with an error left out and shown.
export function catalogTransfer() {
  const result = h("div", { role: "status" });
  const importing = can("producer:manage")
    ? [
        form(
          "Import products",
          [
            field("CSV or JSON file", "file", {
              type: "file",
              accept: ".csv,.json,text/csv,application/json",
              required: true,
              hint: "products are created or changed by product_uid; a row with an error changes nothing",
            }),
          ],
          async (values, sent) => {
            const file = sent.querySelector("input[type=file]").files[0];
            if (!file) throw Object.assign(new Error(CHOOSE), { fields: { file: CHOOSE } });
            const json = file.name.toLowerCase().endsWith(".json") || file.type === "application/json";
            result.replaceChildren(...report(await sendFile("/v1/catalog/products/import", file, json ? "application/json" : "text/csv")));
          },
        ),
        result,
      ]
    : [];
  return h(
    "section",
    {},
    h("h2", {}, "Export and import"),
    downloadAction("Export as CSV", "/v1/catalog/products/export.csv"),
    downloadAction("Export as JSON", "/v1/catalog/products/export.json"),
    importing,
  );
}

function report(imported) {
  const counts = `Created ${imported.created}, changed ${imported.updated}, unchanged ${imported.unchanged}, left out for their errors ${imported.failed}.`;
  return [h("p", { class: imported.failed ? "alert" : "notice" }, counts), rowErrors(imported.errors, imported.failed)].flat().filter(Boolean);
}
