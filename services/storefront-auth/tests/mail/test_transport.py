"""The mail transports against a real SMTP server (aiosmtpd on loopback) and a real directory."""

import datetime as dt
import email
import email.policy
import re
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from pydantic import SecretStr
from structlog.testing import capture_logs

from printbridge_shared.testing import free_port
from storefront_auth.config import Settings
from storefront_auth.mail.exceptions import MailDeliveryFailed
from storefront_auth.mail.messages import invitation_message
from storefront_auth.mail.transport import EmlDirectoryTransport, SmtpTransport, transport_from_settings

PASSWORD = "s3cret-smtp-pa55word"


class CollectingHandler:
    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 OK"


class RejectingHandler(CollectingHandler):
    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        return "550 no such user"


def smtp_server(handler: CollectingHandler) -> Iterator[Controller]:
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


@pytest.fixture
def collecting() -> CollectingHandler:
    return CollectingHandler()


@pytest.fixture
def smtp(collecting: CollectingHandler) -> Iterator[Controller]:
    yield from smtp_server(collecting)


@pytest.fixture
def rejecting_smtp() -> Iterator[Controller]:
    yield from smtp_server(RejectingHandler())


def transport(port: int, **overrides: Any) -> SmtpTransport:
    options: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "username": None,
        "password": None,
        "starttls": False,
        "timeout": 2.0,
    }
    return SmtpTransport(**(options | overrides))


def an_invitation(customer_name: str = "<b>Acme & Co</b>") -> EmailMessage:
    return invitation_message(
        to="ada@acme.example",
        first_name="Ada",
        customer_name=customer_name,
        producer_name="Printshop Berlin",
        link="http://127.0.0.1:8000/invitations/tok-123_abc",
        expires_at=dt.datetime(2026, 12, 7, 10, 15, tzinfo=dt.UTC),
        sender="Printbridge <no-reply@printbridge.local>",
    )


async def test_smtp_delivers_the_invitation_with_text_and_html_parts(
    smtp: Controller, collecting: CollectingHandler
) -> None:
    await transport(smtp.port).send(an_invitation())

    [envelope] = collecting.envelopes
    assert envelope.rcpt_tos == ["ada@acme.example"]
    assert envelope.mail_from == "no-reply@printbridge.local"
    received = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert isinstance(received, EmailMessage)
    assert received["Subject"] == "Printshop Berlin invites you to Storefronts for <b>Acme & Co</b>"
    text_part, html_part = received.get_body(("plain",)), received.get_body(("html",))
    assert text_part is not None and html_part is not None
    text, html = text_part.get_content(), html_part.get_content()

    link = re.search(r"https?://\S+/invitations/\S+", text)
    assert link is not None and link.group() == "http://127.0.0.1:8000/invitations/tok-123_abc"
    assert "<b>Acme & Co</b>" in text
    assert "&lt;b&gt;Acme &amp; Co&lt;/b&gt;" in html
    assert "<b>Acme" not in html
    assert 'href="http://127.0.0.1:8000/invitations/tok-123_abc"' in html


async def test_refused_recipient_fails_permanently_with_the_servers_answer(
    rejecting_smtp: Controller,
) -> None:
    with pytest.raises(MailDeliveryFailed) as failure:
        await transport(rejecting_smtp.port).send(an_invitation())

    assert "refused the recipient" in failure.value.reason
    assert "550" in failure.value.reason
    assert failure.value.permanent


async def test_unreachable_server_fails_quickly_and_may_be_retried() -> None:
    started = time.monotonic()
    with pytest.raises(MailDeliveryFailed) as failure:
        await transport(free_port()).send(an_invitation())

    assert time.monotonic() - started < 2.5
    assert failure.value.reason.startswith("mail server unreachable")
    assert not failure.value.permanent


async def test_failed_login_never_reveals_the_password(smtp: Controller) -> None:
    # aiosmtpd offers no AUTH over plain text, so the login cannot even be attempted.
    mailer = transport(smtp.port, username="printbridge", password=SecretStr(PASSWORD))
    with capture_logs() as logs, pytest.raises(MailDeliveryFailed) as failure:
        await mailer.send(an_invitation())

    assert "cannot be used as configured" in failure.value.reason
    assert PASSWORD not in failure.value.reason
    assert PASSWORD not in repr(mailer.__dict__)
    assert logs and all(PASSWORD not in repr(line) for line in logs)


async def test_eml_directory_keeps_each_message_as_a_file(tmp_path: Path) -> None:
    directory = tmp_path / "var" / "mail"
    message = an_invitation(customer_name="Acme")

    with capture_logs() as logs:
        await EmlDirectoryTransport(directory).send(message)

    [path] = directory.glob("*.eml")
    assert re.fullmatch(r"\d{8}T\d{6}\.\d{6}Z-[0-9a-f-]{36}\.eml", path.name)
    written = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert written["Subject"] == message["Subject"]
    assert written["To"] == "ada@acme.example"
    [line] = [line for line in logs if line["event"] == "mail_written"]
    assert line["path"] == str(path) and line["recipient"] == "ada@acme.example"


def test_smtp_is_used_when_a_host_is_configured(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        smtp_host="mail.example",
        smtp_port=2525,
        smtp_username="printbridge",
        smtp_password=SecretStr(PASSWORD),
        smtp_starttls=True,
    )

    mailer = transport_from_settings(settings)

    assert isinstance(mailer, SmtpTransport)
    assert (mailer.host, mailer.port, mailer.username, mailer.starttls) == (
        "mail.example",
        2525,
        "printbridge",
        True,
    )


@pytest.mark.parametrize("smtp_host", [None, ""])
def test_without_smtp_mail_goes_to_the_data_dir(tmp_path: Path, smtp_host: str | None) -> None:
    mailer = transport_from_settings(Settings(data_dir=tmp_path, smtp_host=smtp_host))

    assert isinstance(mailer, EmlDirectoryTransport)
    assert mailer.directory == tmp_path / "mail"
