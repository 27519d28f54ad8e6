"""/console: the web console, static files served by the suite's gateway in both run modes (the embedded
gateway reads them from the package; nginx from the site directory it is given). No build step: the
browser loads the ES modules as they are in `printbridge/console/` (decision 0018)."""

import mimetypes
from pathlib import Path

CONSOLE_DIR = Path(__file__).resolve().parent / "console"
CONSOLE_PREFIX = "/console"
CONSOLE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
"""Only the console's own scripts and styles run, it talks only to its own origin, and cannot be framed."""

TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
}


def console_file(path: str) -> Path | None:
    """The file an address under /console names (`/console` and `/console/` are the page itself), or None
    for anything that is not a file inside the console's directory."""
    relative = path[len(CONSOLE_PREFIX) :].lstrip("/") or "index.html"
    if any(part in ("", ".", "..") or part.startswith(".") for part in relative.split("/")):
        return None
    candidate = (CONSOLE_DIR / relative).resolve()
    if not candidate.is_relative_to(CONSOLE_DIR) or not candidate.is_file():
        return None
    return candidate


def content_type(path: Path) -> str:
    return TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
