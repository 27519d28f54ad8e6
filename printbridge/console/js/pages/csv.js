import { api, download, upload } from "../api.js";
import { action, field, form, h, table, when } from "../ui.js";

const UNDER_WAY = ["queued", "running"];

// Downloads a file the API serves only with the caller's token, and leaves a link to save it again.
export function downloadAction(text, path) {
  const saved = h("span", {});
  const button = action(text, async () => {
    const { blob, filename } = await download(path);
    const link = h("a", { href: URL.createObjectURL(blob), download: filename }, `Save ${filename} again`);
    saved.replaceChildren(link);
    link.click();
  });
  return h("div", { class: "actions" }, button, saved);
}

// The import at `path` as `first` shows it, read again every second while it is queued or running and
// the page is still shown; `counts(import)` gives the [text, number] pairs to show.
export function followImport(path, counts, first) {
  const report = h("div", {});
  const route = location.hash;
  const render = (imported) => {
    report.replaceChildren(importReport(imported, counts));
    if (UNDER_WAY.includes(imported.status)) {
      setTimeout(async () => {
        if (location.hash !== route) return;
        try {
          render(await api.get(path));
        } catch (error) {
          report.append(h("p", { class: "alert", role: "alert" }, error.message));
        }
      }, 1000);
    }
  };
  render(first);
  return report;
}

function importReport(imported, counts) {
  const finished = !UNDER_WAY.includes(imported.status);
  return h(
    "section",
    { "aria-label": "Import progress" },
    h(
      "p",
      { role: "status" },
      "Status: ",
      h("strong", { "data-import-status": imported.status }, imported.status),
      finished ? ` ${when(imported.finished_at)}` : " (the page follows it)",
    ),
    imported.failure_reason ? h("p", { class: "alert" }, `Why it failed: ${imported.failure_reason}`) : null,
    h("dl", {}, counts(imported).map(([text, number]) => [h("dt", {}, text), h("dd", {}, number)])),
    rowErrors(imported.errors, imported.errors_total),
  );
}

// An import's failed rows (row, column, why), `total` of them in all.
export function rowErrors(errors, total) {
  return errors.length
    ? [
        h("h2", {}, `Rows with errors (${total})`),
        table(
          ["Row", "Column", "What is wrong"],
          errors.map((error) => h("tr", {}, h("td", {}, error.row), h("td", {}, error.column || "—"), h("td", {}, error.message))),
        ),
      ]
    : null;
}

// What the API found in the file as a whole ("file.header.<column>") is shown beside the file field.
function fileProblems(error) {
  const inFile = Object.entries(error.fields || {}).filter(([name]) => name.startsWith("file."));
  if (inFile.length) {
    const kept = Object.fromEntries(Object.entries(error.fields).filter(([name]) => !name.startsWith("file.")));
    kept.file = [error.fields.file, ...inFile.map(([name, message]) => `${name.split(".").pop()}: ${message}`)].filter(Boolean).join("; ");
    error.fields = kept;
  }
  return error;
}

// A CSV upload; `started(import)` is told of the import the API took (202) and runs in the background.
export function uploadForm(label, uploadPath, started) {
  return form(
    label,
    [field("CSV file", "file", { type: "file", accept: ".csv,text/csv", required: true })],
    async (values, sent) => {
      const file = sent.querySelector("input[type=file]").files[0];
      if (!file) throw Object.assign(new Error("Choose a CSV file first."), { fields: { file: "Choose a CSV file first." } });
      try {
        started(await upload(uploadPath, file));
      } catch (error) {
        throw fileProblems(error);
      }
    },
    { button: label },
  );
}
