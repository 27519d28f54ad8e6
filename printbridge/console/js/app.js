// The console: hash routes (`#/customers/…`) over pages that each call the public API. Who is signed in
// (GET /v1/auth/me) decides the navigation and which buttons a page offers; the API refuses the rest anyway.

import { api, logOut, signedIn } from "./api.js";
import { h, show } from "./ui.js";
import { apiKeysPage } from "./pages/api_keys.js";
import { catalogPage, catalogProductPage } from "./pages/catalog.js";
import { customerPage } from "./pages/customer.js";
import { customersPage } from "./pages/customers.js";
import { draftPage, newDraftPage } from "./pages/drafts.js";
import { homePage } from "./pages/home.js";
import { loginPage, passwordResetPage } from "./pages/login.js";
import { orderPage, ordersPage } from "./pages/orders.js";
import { postbackEndpointPage, postbacksPage } from "./pages/postbacks.js";
import { productsPage, variantPage } from "./pages/products.js";
import { productionLinePage, routingPage, routingRulePage } from "./pages/routing.js";
import { connectPage, storePage, storesPage } from "./pages/stores.js";
import { manualOrderPage, orderImportPage, orderImportsPage } from "./pages/manual.js";
import { productImportPage } from "./pages/products-csv.js";
import { newTemplatePage, templatePage, templatesPage } from "./pages/templates.js";
import { testOrderPage } from "./pages/testorders.js";
import { userPage, usersPage } from "./pages/users.js";

const ID = "([0-9a-f-]{36})";
const ROUTES = [
  [/^\/customers(\?.*)?$/, customersPage],
  [new RegExp(`^/customers/${ID}$`), customerPage],
  [/^\/stores(\?.*)?$/, storesPage],
  [/^\/stores\/connect(\?.*)?$/, connectPage],
  [new RegExp(`^/stores/${ID}$`), storePage],
  [new RegExp(`^/stores/${ID}/products$`), productsPage],
  [new RegExp(`^/stores/${ID}/products/new$`), newDraftPage],
  [new RegExp(`^/product-drafts/${ID}$`), draftPage],
  [new RegExp(`^/shop-variants/${ID}$`), variantPage],
  [/^\/orders(\?.*)?$/, ordersPage],
  [new RegExp(`^/orders/${ID}$`), orderPage],
  // The producer's set-up: the catalog (everyone reads it), routing, postbacks, API keys.
  [/^\/catalog(\?.*)?$/, catalogPage],
  [/^\/catalog\/([a-z0-9][a-z0-9_.-]*)$/, catalogProductPage],
  [/^\/routing(\?.*)?$/, routingPage],
  [new RegExp(`^/production-lines/${ID}$`), productionLinePage],
  [new RegExp(`^/routing-rules/${ID}$`), routingRulePage],
  [/^\/postbacks$/, postbacksPage],
  [new RegExp(`^/postbacks/${ID}(\\?.*)?$`), postbackEndpointPage],
  [/^\/api-keys$/, apiKeysPage],
  // Customer users' pages: the team, manual orders and their CSV imports, products CSV, templates,
  // test orders.
  [/^\/users$/, usersPage],
  [new RegExp(`^/users/${ID}$`), userPage],
  [new RegExp(`^/stores/${ID}/orders/new$`), manualOrderPage],
  [new RegExp(`^/stores/${ID}/orders/imports$`), orderImportsPage],
  [new RegExp(`^/order-imports/${ID}$`), orderImportPage],
  [new RegExp(`^/product-imports/${ID}$`), productImportPage],
  [/^\/templates(\?.*)?$/, templatesPage],
  [/^\/templates\/new$/, newTemplatePage],
  [new RegExp(`^/templates/${ID}$`), templatePage],
  [new RegExp(`^/test-orders/${ID}$`), testOrderPage],
  [/^\/$/, homePage],
];

let me = null;

export function can(permission) {
  return Boolean(me && me.permissions.includes(permission));
}

export function go(path) {
  if (location.hash === `#${path}`) route();
  else location.hash = path;
}

function navigation() {
  const links = [["#/", "Home"]];
  if (can("producer:manage")) links.push(["#/customers", "Customers"]);
  if (can("stores:read")) links.push(["#/stores", "Stores"]);
  if (can("orders:read")) links.push(["#/orders", "Orders"]);
  links.push(["#/catalog", "Catalog"]);
  if (can("producer:manage")) links.push(["#/routing", "Routing"], ["#/postbacks", "Postbacks"], ["#/api-keys", "API keys"]);
  if (can("products:read")) links.push(["#/templates", "Templates"]);
  if (me.customer_id && can("users:read")) links.push(["#/users", "Users"]);
  document.getElementById("nav").replaceChildren(...links.map(([href, text]) => h("a", { href }, text)));
  document.getElementById("who").replaceChildren(
    h("span", {}, me.email || "API key", " "),
    h("button", { type: "button", class: "secondary", onclick: signOut }, "Log out"),
  );
}

async function signOut() {
  await logOut();
  me = null;
  document.getElementById("nav").replaceChildren();
  document.getElementById("who").replaceChildren();
  go("/login");
}

export async function signedInAs() {
  me = await api.get("/v1/auth/me");
  navigation();
  return me;
}

async function route() {
  const path = location.hash.replace(/^#/, "") || "/";
  if (path === "/password-reset") {
    passwordResetPage();
    return;
  }
  if (path === "/login" || !signedIn()) {
    loginPage();
    return;
  }
  try {
    if (!me) await signedInAs();
    for (const [pattern, page] of ROUTES) {
      const match = path.match(pattern);
      if (match) {
        await page(me, ...match.slice(1).filter((part) => part && !part.startsWith("?")));
        return;
      }
    }
    show("Not found", h("p", {}, "This page does not exist. ", h("a", { href: "#/" }, "Go home")));
  } catch (error) {
    if (error.status === 401) {
      me = null;
      loginPage();
      return;
    }
    show("Something went wrong", h("p", { class: "alert", role: "alert" }, error.message));
  }
}

window.addEventListener("hashchange", route);
route();
