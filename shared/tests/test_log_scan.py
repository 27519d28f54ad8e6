"""The log scan finds secrets in log lines, and a test run whose logs hold one fails: lines logged in the
test's process, and the log files end-to-end tests' subprocesses write."""

import re
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from printbridge_shared.log_scan import KnownSecrets, find_secrets, scan_file

LEAKS = {
    "bearer token": 'request failed {"headers": {"authorization": "Bearer abcdefghijklmnopqrstuvwx"}}',
    "JWT": "token eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlX2J5dGVz",
    "Printbridge API key": "created pbk_Q2h1bmt5QmFjb25DaHVua3lCYWNvbg",
    "webhook secret": '{"event": "endpoint_created", "signing": "whsec_c2VjcmV0LXNlY3JldA=="}',
    "Shopify secret": "token exchange answered shpat_0123456789abcdef0123456789abcdef",
    "WooCommerce key": "calling ?consumer_key=ck_0123456789abcdef0123456789abcdef01234567",
    "password": 'login {"email": "a@b.example", "password": "hunter22"}',
    "credentials in a URL": "connecting to amqp://guest:guest@127.0.0.1:5672/",
}
CLEAN = [
    '{"event": "login", "password": "[redacted]", "authorization": "[redacted]"}',
    '{"event": "request_finished", "path": "/v1/auth/password-reset", "status": 202}',
    "password_hash column migrated; password=None",
    "connecting to https://shop.example/wp-json/wc/v3/orders",
    '{"url": "amqp://guest:***@127.0.0.1:5672/", "event": "event_bus_unreachable"}',
    "the store's consumer_secret was refused by WooCommerce (401)",
]


@pytest.mark.parametrize("kind", LEAKS)
def test_each_shape_of_secret_is_found(kind):
    findings = find_secrets([("here", LEAKS[kind])])

    assert [(f.source, f.kind) for f in findings] == [("here", kind)]


def test_redacted_values_and_ordinary_lines_are_not_findings():
    assert find_secrets(("here", line) for line in CLEAN) == []


def test_a_secret_the_tests_used_is_found_whatever_its_shape_and_short_ones_are_ignored():
    known = KnownSecrets()
    known.add("a long and quiet river", "short", None)

    findings = find_secrets(
        [("a", "reset for a long and quiet river"), ("b", "short answer")], known.values()
    )

    assert [f.source for f in findings] == ["a"]
    assert "a secret the tests used" in findings[0].kind
    assert "a long and quiet river" not in findings[0].kind  # the report does not repeat it whole


def test_a_log_file_is_scanned_line_by_line():
    # Outside pytest's temporary directory, whose *.log files the plugin scans after end-to-end tests.
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "suite.log"
        log.write_text("started\n" + LEAKS["password"] + "\nstopped\n")

        findings = scan_file(log, known=())

    assert [f.source for f in findings] == [f"{log}:2"]


PLANTED = """
import logging

import pytest
import structlog

SMTP_PASSWORD = "s3cret-planted-pa55word"


def test_structlog_line_with_a_token():
    structlog.get_logger("planted").info("refreshed", header="Bearer abcdefghijklmnopqrstuvwxyz012345")


def test_stdlib_line_with_a_password_a_test_constant_names():
    logging.getLogger("planted").warning("mail login with %s failed", SMTP_PASSWORD)


def test_redacted_field_passes():
    structlog.get_logger("planted").info("login", password=SMTP_PASSWORD, email="a@b.example")


def test_debug_line_below_the_level_is_not_written_and_passes():
    logging.getLogger("planted").debug("mail login with %s", SMTP_PASSWORD)


@pytest.mark.e2e
def test_subprocess_log_file_with_a_password(tmp_path):
    (tmp_path / "suite.log").write_text('{"event": "smtp_login", "password": "hunter22"}\\n')
"""


def test_a_run_whose_tests_log_a_secret_fails_naming_the_line(tmp_path: Path):
    """A pytest run of its own with the plugin: the two tests that log a secret error at teardown."""
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_planted.py").write_text(textwrap.dedent(PLANTED))

    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "printbridge_shared.pytest_plugin",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            "-q",
            str(tests),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert run.returncode == 1, run.stdout + run.stderr
    assert re.search(r"5 passed(, 1 warning)?, 3 errors", run.stdout), run.stdout
    assert "ERROR at teardown of test_structlog_line_with_a_token" in run.stdout
    assert "bearer token in:" in run.stdout
    assert "ERROR at teardown of test_stdlib_line_with_a_password_a_test_constant_names" in run.stdout
    assert "a secret the tests used (s3cr…)" in run.stdout
    assert "planted (" in run.stdout  # the logger and the file and line that logged it
    assert "ERROR at teardown of test_subprocess_log_file_with_a_password" in run.stdout
    assert "suite.log (after byte 0): password in:" in run.stdout
