"""Finds secrets in log lines: the values a test run registered (passwords, tokens, keys it used) and the
shapes every credential Printbridge handles has (bearer tokens, JWTs, `pbk_` API keys, webhook secrets,
Shopify and WooCommerce credentials, passwords in key=value or JSON form, user:password@ in URLs).

The pytest plugin (printbridge_shared.pytest_plugin) keeps every line logged in-process and checks them
after each test; tests that start the suite as a subprocess check its log file with `scan_file`."""

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

REDACTED = "[redacted]"
# The shortest value registered as a secret: shorter ones ("x", "ok") would match ordinary text.
MIN_KNOWN_LENGTH = 8

PATTERNS: dict[str, re.Pattern[str]] = {
    "bearer token": re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]{16,}"),
    "authorization header": re.compile(
        r"""(?i)\bauthorization\\?["']?\s*[:=]\s*\\?["']?(?!\[redacted\])(?:basic|bearer|token)\s+\S{8,}"""
    ),
    "JWT": re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),
    "Printbridge API key": re.compile(r"\bpbk_[A-Za-z0-9_-]{20,}"),
    "webhook secret": re.compile(r"\bwhsec_[A-Za-z0-9+/=_-]{8,}"),
    "Shopify secret": re.compile(r"\bshp(?:ss|at|ua|rt|ca|pa)_[A-Za-z0-9]{8,}"),
    "WooCommerce key": re.compile(r"\b(?:ck|cs)_[0-9a-f]{32,}"),
    "password": re.compile(
        r"""(?i)\b(?:password|passwd|client_secret|consumer_secret)\\?["']?\s*[:=]\s*\\?["']?"""
        r"""(?!\[redacted\]|\*+|None\b|null\b|["',}\s])[^\s"',}&]{3,}"""
    ),
    # A masked password (`amqp://guest:***@host`, as the event bus logs its URL) is no finding.
    "credentials in a URL": re.compile(
        r"[a-z][a-z0-9+.-]*://[^/\s:@\"']+:(?!\*+@|\[redacted\]@)[^/\s@\"']+@"
    ),
}


@dataclass(frozen=True)
class Finding:
    source: str
    line: str
    kind: str

    def __str__(self) -> str:
        return f"{self.source}: {self.kind} in: {self.line[:500]}"


class KnownSecrets:
    """The secrets a run used, registered as it makes them; thread-safe (servers in threads log too)."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()

    def add(self, *values: str | None) -> None:
        with self._lock:
            self._values.update(v for v in values if v and len(v) >= MIN_KNOWN_LENGTH)

    def values(self) -> list[str]:
        with self._lock:
            return sorted(self._values)


KNOWN = KnownSecrets()
"""The process's registry: tests and fixtures add what they hand the suite as a secret."""


def find_secrets(lines: Iterable[tuple[str, str]], known: Iterable[str] = ()) -> list[Finding]:
    """Every (source, line) that holds a known secret or has a credential's shape, once per line."""
    values = list(known)
    findings: list[Finding] = []
    for source, line in lines:
        kind = next((f"a secret the tests used ({v[:4]}…)" for v in values if v in line), None)
        if kind is None:
            kind = next((name for name, pattern in PATTERNS.items() if pattern.search(line)), None)
        if kind is not None:
            findings.append(Finding(source, line, kind))
    return findings


def scan_file(path: Path, known: Iterable[str] | None = None) -> list[Finding]:
    """The findings in a subprocess's log file (every line of it, as text)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    lines = ((f"{path}:{number}", line) for number, line in enumerate(text.splitlines(), 1))
    return find_secrets(lines, KNOWN.values() if known is None else known)


def assert_no_secrets_in(path: Path) -> None:
    """For a fixture's teardown: fails naming each line of the log file that gives a secret away."""
    findings = scan_file(path)
    assert not findings, "secrets in a log file:\n" + "\n".join(map(str, findings))
