import { api } from "./api.js";

// Reads `path` again every second while `waiting(item)` holds and the page it was shown on is still open,
// and hands each fresh reading to `shown` (which redraws only its part of the page, so a form being
// filled in stays as it is). A reading that fails keeps the last one and is tried again.
export function followWhile(path, item, waiting, shown, route = location.hash) {
  if (!waiting(item)) return;
  setTimeout(async () => {
    if (location.hash !== route) return;
    const now = await api.get(path).catch(() => item);
    shown(now);
    followWhile(path, now, waiting, shown, route);
  }, 1000);
}
