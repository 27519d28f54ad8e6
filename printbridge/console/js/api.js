// The public API, called with the signed-in user's own token, as any partner's SPA would call it.
// Tokens live in sessionStorage: they end with the tab, and the strict Content-Security-Policy runs no
// script but the console's own.

const TOKENS = "printbridge.console.tokens";

export class ApiError extends Error {
  // A problem+json answer (RFC 9457): `fields` maps a request field ("name", "admin.email") to its message.
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `The API answered ${status}.`);
    this.status = status;
    this.problem = problem || {};
    this.fields = {};
    for (const error of this.problem.errors || []) {
      const loc = (error.loc || []).filter((part) => part !== "body" && part !== "query");
      if (loc.length) this.fields[loc.join(".")] = error.msg;
    }
  }
}

function tokens() {
  try {
    return JSON.parse(sessionStorage.getItem(TOKENS));
  } catch {
    return null;
  }
}

function keep(pair) {
  sessionStorage.setItem(TOKENS, JSON.stringify({ access: pair.access_token, refresh: pair.refresh_token }));
}

export function signedIn() {
  return tokens() !== null;
}

let refreshing = null;

async function refreshed() {
  // One refresh at a time: each refresh token works once.
  if (!refreshing) {
    refreshing = (async () => {
      const held = tokens();
      if (!held) return false;
      const response = await fetch("/v1/auth/refresh", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ refresh_token: held.refresh }),
      });
      if (!response.ok) {
        sessionStorage.removeItem(TOKENS);
        return false;
      }
      keep(await response.json());
      return true;
    })().finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

// `fetch` with the signed-in user's token; an access token the API refuses is refreshed once and the call
// made again. `signedOut`: a call that sends no token (logging in, refreshing, logging out).
async function authorized(path, init = {}, { signedOut = false } = {}) {
  for (let attempt = 0; ; attempt++) {
    const held = signedOut ? null : tokens();
    const headers = { ...init.headers, ...(held ? { Authorization: `Bearer ${held.access}` } : {}) };
    const response = await fetch(path, { ...init, headers });
    if (response.status === 401 && held && attempt === 0 && (await refreshed())) continue;
    return response;
  }
}

// The answer's JSON (none for a 204, which may name JSON and send nothing), or its problem as an ApiError.
async function answered(response) {
  const type = response.headers.get("Content-Type") || "";
  const text = type.includes("json") ? await response.text() : "";
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export async function request(method, path, { body, signedOut = false, headers: extra = {} } = {}) {
  const headers = { Accept: "application/json", ...extra };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const init = { method, headers, body: body === undefined ? undefined : JSON.stringify(body) };
  return answered(await authorized(path, init, { signedOut }));
}

export const api = {
  get: (path) => request("GET", path),
  post: (path, body, headers) => request("POST", path, { body, headers }),
  put: (path, body) => request("PUT", path, { body }),
  patch: (path, body) => request("PATCH", path, { body }),
  delete: (path) => request("DELETE", path),
};

// A file sent as multipart/form-data (field `file`), with the caller's token.
export async function upload(path, file, fields = {}) {
  const body = new FormData();
  for (const [name, value] of Object.entries(fields)) body.append(name, value);
  body.append("file", file);
  return answered(await authorized(path, { method: "POST", headers: { Accept: "application/json" }, body }));
}

// A file sent as the request's body itself, typed by `contentType` (an import that takes CSV or JSON).
export async function sendFile(path, file, contentType) {
  const init = { method: "POST", headers: { Accept: "application/json", "Content-Type": contentType }, body: file };
  return answered(await authorized(path, init));
}

// A file the API serves only to a signed-in caller (a CSV export or template): fetched with the token and
// handed to the browser as a Blob, since a plain link would carry no token.
export async function download(path) {
  const response = await authorized(path);
  if (!response.ok) await answered(response);
  const disposition = response.headers.get("Content-Disposition") || "";
  const named = disposition.match(/filename="?([^";]+)"?/);
  return { blob: await response.blob(), filename: named ? named[1] : path.split("/").pop() };
}

export async function logIn(email, password) {
  keep(await request("POST", "/v1/auth/login", { body: { email, password }, signedOut: true }));
}

export async function logOut() {
  const held = tokens();
  sessionStorage.removeItem(TOKENS);
  if (held) {
    await request("POST", "/v1/auth/logout", { body: { refresh_token: held.refresh }, signedOut: true }).catch(
      () => undefined,
    );
  }
}

export function query(params) {
  const kept = Object.entries(params).filter(([, value]) => value !== undefined && value !== null && value !== "");
  return kept.length ? `?${new URLSearchParams(kept)}` : "";
}
