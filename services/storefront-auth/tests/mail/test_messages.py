"""What the invitation and password-reset e-mails say, in both parts."""

import datetime as dt
from email.message import EmailMessage

import pytest

from storefront_auth.mail.messages import invitation_message, password_reset_message, public_link

EXPIRES_AT = dt.datetime(2026, 12, 7, 11, 15, tzinfo=dt.timezone(dt.timedelta(hours=1)))


def parts(message: EmailMessage) -> tuple[str, str]:
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert isinstance(text, EmailMessage) and isinstance(html, EmailMessage)
    return text.get_content(), html.get_content()


def test_invitation_names_both_parties_explains_storefronts_and_when_the_link_expires() -> None:
    message = invitation_message(
        to="ada@acme.example",
        first_name="Ada",
        customer_name="Acme",
        producer_name="Printshop Berlin",
        link="https://print.example/invitations/abc",
        expires_at=EXPIRES_AT,
        sender="Printshop <hello@print.example>",
    )

    assert message["Subject"] == "Printshop Berlin invites you to Storefronts for Acme"
    assert message["From"] == "Printshop <hello@print.example>"
    assert message["Message-ID"].endswith("@print.example>")
    for body in parts(message):
        assert "Hello Ada," in body
        assert "Printshop Berlin invites you to Storefronts for Acme." in body
        assert "Printshop Berlin's production" in body
        assert "https://print.example/invitations/abc" in body
        assert "Monday 7 December 2026 at 10:15 UTC" in body


def test_names_with_line_breaks_cannot_inject_headers() -> None:
    message = invitation_message(
        to="ada@acme.example",
        first_name="Ada",
        customer_name="Acme\r\nBcc: victim@example.com",
        producer_name="Printshop",
        link="https://print.example/invitations/abc",
        expires_at=EXPIRES_AT,
        sender="Printshop <hello@print.example>",
    )

    assert message["Bcc"] is None
    assert message["Subject"] == "Printshop invites you to Storefronts for Acme Bcc: victim@example.com"


def test_password_reset_says_to_ignore_it_when_not_asked_for_and_escapes_html() -> None:
    message = password_reset_message(
        to="ada@acme.example",
        first_name="<i>Ada</i>",
        link="https://print.example/password-reset/x?a=1&b=2",
        expires_at=EXPIRES_AT.replace(tzinfo=None),
        sender="Printbridge <no-reply@printbridge.local>",
        producer_name="Smith & Sons",
    )

    text, html = parts(message)
    assert message["Subject"] == "Reset your Storefronts password"
    assert "If you did not ask for this, ignore this e-mail" in text
    assert "Hello <i>Ada</i>," in text
    assert "Smith & Sons" in text
    assert "https://print.example/password-reset/x?a=1&b=2" in text
    assert "Monday 7 December 2026 at 11:15 UTC" in text  # a naive time is taken as UTC
    assert "Hello &lt;i&gt;Ada&lt;/i&gt;," in html
    assert "Smith &amp; Sons" in html
    assert 'href="https://print.example/password-reset/x?a=1&amp;b=2"' in html


@pytest.mark.parametrize("public_url", ["https://print.example", "https://print.example/"])
def test_public_link_ignores_a_trailing_slash(public_url: str) -> None:
    assert public_link(public_url, "/invitations/abc") == "https://print.example/invitations/abc"
