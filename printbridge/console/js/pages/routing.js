import { api, query } from "../api.js";
import { go } from "../app.js";
import { listed, pagedTable } from "../paging.js";
import { customerOptions, storeOptions } from "../pickers.js";
import { action, choice, field, form, h, picks, show, table } from "../ui.js";

// Conditions ticked from what the producer has: its customers and their stores.
const PICKED = [
  ["customer_ids", "Customers (none ticked: any customer)", "customers"],
  ["store_ids", "Stores (none ticked: any store)", "stores"],
];
// Conditions typed as comma-separated values.
const TYPED = [
  ["platforms", "Platforms (comma-separated: shopify, woocommerce, etsy, pressero, manual)", "platforms"],
  ["product_types", "Product types, every item one of them (comma-separated)", "product types"],
  ["product_uid_prefixes", "Product uid prefixes, every item one of them (comma-separated)", "product uids starting"],
  ["countries", "Shipping countries (comma-separated, e.g. DE, AT)", "ships to"],
];
const AMOUNTS = [
  ["min_order_value", "Order total at least"],
  ["max_order_value", "Order total at most"],
  ["currency", "Currency of the totals (e.g. EUR)"],
];

// Every production line (they are few: all pages), by code.
async function allLines() {
  const lines = [];
  let cursor;
  do {
    const page = await api.get(`/v1/production-lines${query({ cursor, limit: 200 })}`);
    lines.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return lines;
}

function lineText(line) {
  return line ? `${line.name} (${line.code})${line.is_default ? ", the default line" : ""}` : "a line no longer listed";
}

// The customers and stores a rule may name, to tick and to show by name.
async function choices(rules = []) {
  const named = (name) => rules.flatMap((rule) => rule.conditions[name] || []);
  const [customers, stores] = await Promise.all([customerOptions(named("customer_ids")), storeOptions(named("store_ids"))]);
  return { customer_ids: customers, store_ids: stores, names: new Map([...customers, ...stores]) };
}

function conditionsText(conditions, names) {
  const parts = [...PICKED, ...TYPED]
    .filter(([name]) => conditions[name])
    .map(([name, , short]) => `${short}: ${conditions[name].map((value) => names.get(value) || value).join(", ")}`);
  if (conditions.min_order_value) parts.push(`total at least ${conditions.min_order_value} ${conditions.currency}`);
  if (conditions.max_order_value) parts.push(`total at most ${conditions.max_order_value} ${conditions.currency}`);
  return parts.join("; ") || "every order";
}

function lineFields(line = { code: "", name: "", description: "", is_default: false, active: true }) {
  return [
    field("Line code", "code", { value: line.code, required: true, hint: "lower-case letters, digits, _ and - (e.g. berlin-large)" }),
    field("Line name", "name", { value: line.name, required: true }),
    field("Line description", "description", { value: line.description }),
    line.is_default
      ? h("p", { class: "muted" }, "This is the default line: it takes every order no rule takes. Make another line the default to change that.")
      : field("Make it the default line", "is_default", { type: "checkbox", value: false }),
    line.is_default ? null : field("Active (an inactive line's rules do not match)", "active", { type: "checkbox", value: line.active }),
  ].filter(Boolean);
}

function lineBody(values) {
  const body = { code: values.code, name: values.name, description: values.description || null };
  if (values.is_default !== undefined) body.is_default = values.is_default;
  if (values.active !== undefined) body.active = values.active;
  return body;
}

function ruleFields(lines, offered, rule = { name: "", position: "", enabled: true, production_line_id: "", conditions: {} }) {
  const conditions = rule.conditions;
  return [
    field("Rule name", "name", { value: rule.name, required: true }),
    field("Position (1 is tried first; empty: last)", "position", { inputmode: "numeric", value: rule.position }),
    field("Enabled", "enabled", { type: "checkbox", value: rule.enabled }),
    choice(
      "Production line",
      "production_line_id",
      [["", "choose a line"], ...lines.map((line) => [line.id, lineText(line)])],
      { value: rule.production_line_id },
    ),
    h(
      "fieldset",
      {},
      h("legend", {}, "Conditions: every one given must hold; leave them all empty to take every order"),
      PICKED.map(([name, label]) => picks(label, `conditions.${name}`, offered[name], { selected: conditions[name] || [] })),
      TYPED.map(([name, label]) => field(label, `conditions.${name}`, { value: (conditions[name] || []).join(", ") })),
      AMOUNTS.map(([name, label]) => field(label, `conditions.${name}`, { value: conditions[name] || "" })),
    ),
  ];
}

function ruleBody(values) {
  const conditions = {};
  for (const [name] of PICKED) if (values.conditions[name].length) conditions[name] = values.conditions[name];
  for (const [name] of TYPED) {
    const given = listed(values.conditions[name]);
    if (given.length) conditions[name] = given;
  }
  for (const [name] of AMOUNTS) if (values.conditions[name]) conditions[name] = values.conditions[name];
  const body = { name: values.name, enabled: values.enabled, production_line_id: values.production_line_id || null, conditions };
  if (values.position !== "") body.position = /^\d+$/.test(values.position) ? Number(values.position) : values.position;
  return body;
}

function verdictText(verdict) {
  return verdict.matched ? "matched" : verdict.reasons.join("; ");
}

function dryRunResult(result) {
  return [
    h("p", {}, "Goes to: ", h("strong", {}, `${result.production_line.name} (${result.production_line.code})`)),
    h("p", {}, result.explanation),
    table(
      ["Position", "Rule", "Verdict"],
      result.verdicts.map((verdict) =>
        h(
          "tr",
          {},
          h("td", {}, verdict.position),
          h("td", {}, h("a", { href: `#/routing-rules/${verdict.rule_id}` }, verdict.name)),
          h("td", { "data-matched": verdict.matched }, verdictText(verdict)),
        ),
      ),
    ),
  ];
}

// The producer's production lines and routing rules in their order, and the dry run: where an order would
// go, and every rule's verdict on it.
export async function routingPage() {
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  const [lines, rules, recent] = await Promise.all([
    allLines(),
    api.get("/v1/routing-rules"),
    api.get("/v1/orders?limit=20"),
  ]);
  const offered = await choices(rules.items);
  const byId = Object.fromEntries(lines.map((line) => [line.id, line]));
  const lineList = await pagedTable(
    ["Code", "Name", "Default", "State"],
    (cursor) => api.get(`/v1/production-lines${query({ cursor, limit: 50 })}`),
    (line) =>
      h(
        "tr",
        {},
        h("td", {}, h("a", { href: `#/production-lines/${line.id}` }, line.code)),
        h("td", {}, line.name),
        h("td", {}, line.is_default ? h("strong", {}, "default line") : "—"),
        h("td", {}, line.active ? "active" : "inactive"),
      ),
    { more: "Show more lines", empty: "No production line." },
  );
  const result = h("div", { id: "dry-run", role: "status" });
  const orders = h(
    "datalist",
    { id: "recent-orders" },
    recent.items.map((order) => h("option", { value: order.id }, `${order.external_number || order.external_id} (${order.status})`)),
  );
  show(
    "Routing",
    h("h2", {}, "Routing rules"),
    h("p", { class: "muted" }, "The first enabled rule, in this order, whose conditions all hold sends the order to its line; an order no rule takes goes to the default line."),
    rules.items.length
      ? table(
          ["Position", "Rule", "Conditions", "Production line"],
          rules.items.map((rule) =>
            h(
              "tr",
              {},
              h("td", {}, rule.position),
              h("td", {}, h("a", { href: `#/routing-rules/${rule.id}` }, rule.name), rule.enabled ? "" : " (disabled)"),
              h("td", {}, conditionsText(rule.conditions, offered.names)),
              h("td", {}, lineText(byId[rule.production_line_id])),
            ),
          ),
        )
      : h("p", { class: "muted" }, "No rule yet: every order goes to the default line."),
    h("h2", {}, "Dry run"),
    h("p", { class: "muted" }, "Where would an order go, and why? Nothing changes."),
    form(
      "Dry run",
      [field("Order id", "order_id", { value: params.get("order") || "", required: true, list: "recent-orders", hint: "the latest orders are offered as you type" }), orders],
      async (values) => {
        result.replaceChildren();
        result.replaceChildren(...dryRunResult(await api.post("/v1/routing-rules/test", { order_id: values.order_id })));
      },
      { button: "Route it (dry run)" },
    ),
    result,
    h("h2", {}, "Production lines"),
    lineList,
    h("h2", {}, "New routing rule"),
    form(
      "New routing rule",
      ruleFields(lines, offered),
      async (values) => {
        await api.post("/v1/routing-rules", ruleBody(values));
        await routingPage();
      },
      { button: "Create rule" },
    ),
    h("h2", {}, "New production line"),
    form(
      "New production line",
      lineFields(),
      async (values) => {
        await api.post("/v1/production-lines", lineBody(values));
        await routingPage();
      },
      { button: "Create line" },
    ),
  );
}

// One production line: its details, default and active, and deleting it (never the default line).
export async function productionLinePage(me, lineId) {
  const base = `/v1/production-lines/${lineId}`;
  const line = await api.get(base);
  show(
    `Production line ${line.name}`,
    h("p", {}, h("a", { href: "#/routing" }, "Routing")),
    line.is_default ? h("p", { class: "notice" }, "The default line.") : null,
    form(
      "Production line",
      lineFields(line),
      async (values) => {
        await api.patch(base, lineBody(values));
        await productionLinePage(me, lineId);
      },
      { button: "Save the line" },
    ),
    line.is_default
      ? null
      : h(
          "div",
          { class: "actions" },
          action("Delete the line", async () => {
            if (!confirm(`Delete the production line ${line.code}?`)) return;
            await api.delete(base);
            go("/routing");
          }),
        ),
  );
}

// One routing rule: its place, line and conditions, and deleting it.
export async function routingRulePage(me, ruleId) {
  const base = `/v1/routing-rules/${ruleId}`;
  const [rule, lines] = await Promise.all([api.get(base), allLines()]);
  const offered = await choices([rule]);
  show(
    `Routing rule ${rule.name}`,
    h("p", {}, h("a", { href: "#/routing" }, "Routing")),
    h("p", {}, `Position ${rule.position}: ${conditionsText(rule.conditions, offered.names)}.`),
    form(
      "Routing rule",
      ruleFields(lines, offered, rule),
      async (values) => {
        await api.patch(base, ruleBody(values));
        go("/routing");
      },
      { button: "Save the rule" },
    ),
    h(
      "div",
      { class: "actions" },
      action("Delete the rule", async () => {
        if (!confirm(`Delete the routing rule ${rule.name}? The rules after it move up one.`)) return;
        await api.delete(base);
        go("/routing");
      }),
    ),
  );
}
