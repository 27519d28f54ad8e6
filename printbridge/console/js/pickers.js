import { api } from "./api.js";

// What producer staff pick from instead of typing ids: the customers (the first 200 by name) and the
// stores (the first 200), as [id, text] pairs for `choice` and `picks`. An id already chosen that is not
// among them (a later page, an archived customer) stays offered by its id.
function withChosen(options, chosen) {
  const offered = new Set(options.map(([id]) => id));
  return [...options, ...chosen.filter((id) => id && !offered.has(id)).map((id) => [id, id])];
}

export async function customerOptions(chosen = []) {
  const page = await api.get("/v1/customers?limit=200");
  return withChosen(page.items.map((customer) => [customer.id, customer.name]), chosen);
}

export async function storeOptions(chosen = []) {
  const page = await api.get("/v1/stores?limit=200");
  return withChosen(page.items.map((store) => [store.id, `${store.name} (${store.platform})`]), chosen);
}
