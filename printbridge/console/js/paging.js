import { action, h, table } from "./ui.js";

// A table of what the API lists, the first page at once and each next one (by the answer's `next_cursor`)
// behind a "Show more …" button. `page(cursor)` fetches one page; `row(item)` makes its table row (or
// rows).
export async function pagedTable(headings, page, row, { more, empty }) {
  const list = table(headings, []);
  const body = list.querySelector("tbody");
  const after = h("div", { class: "actions" });

  async function load(cursor) {
    const answer = await page(cursor);
    body.append(...answer.items.flatMap(row));
    after.replaceChildren(
      answer.next_cursor
        ? action(more, () => load(answer.next_cursor))
        : body.children.length
          ? ""
          : h("p", { class: "muted" }, empty),
    );
    list.hidden = !body.children.length;
  }

  await load(undefined);
  return h("div", {}, list, after);
}

// A comma-separated field's values, trimmed, the empty ones left out.
export function listed(text) {
  return (text || "").split(",").map((part) => part.trim()).filter(Boolean);
}
