"""The e-mails storefront-auth sends. Each is plain text with an HTML alternative, both rendered from the
same paragraphs so they can never say different things. Names come from operators and customers, so the
HTML part escapes every value it interpolates."""

import datetime as dt
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from html import escape

LINK = "{link}"  # a paragraph that is only the link becomes a clickable anchor in the HTML part


def public_link(public_url: str, path: str) -> str:
    """Links hang off the public URL, which operators write with or without a trailing slash."""
    return f"{public_url.rstrip('/')}/{path.lstrip('/')}"


def invitation_message(
    *,
    to: str,
    first_name: str,
    customer_name: str,
    producer_name: str,
    link: str,
    expires_at: dt.datetime,
    sender: str,
) -> EmailMessage:
    paragraphs = [
        "{producer_name} invites you to Storefronts for {customer_name}.",
        "Storefronts is {customer_name}'s view of its online shops, their products and their orders. "
        "Orders placed in your connected shops flow straight into {producer_name}'s production, and "
        "their status comes back to Storefronts as the work moves on.",
        "To accept the invitation and choose your password, open this link:",
        LINK,
        "The link expires on {expires_at}. After that, ask {producer_name} for a new invitation.",
    ]
    return _message(
        to=to,
        sender=sender,
        subject=f"{producer_name} invites you to Storefronts for {customer_name}",
        first_name=first_name,
        paragraphs=paragraphs,
        values={"customer_name": customer_name, "producer_name": producer_name, "link": link},
        expires_at=expires_at,
    )


def password_reset_message(
    *, to: str, first_name: str, link: str, expires_at: dt.datetime, sender: str, producer_name: str
) -> EmailMessage:
    paragraphs = [
        "Someone, hopefully you, asked to reset the password of your Storefronts account at {producer_name}.",
        "To choose a new password, open this link:",
        LINK,
        "The link expires on {expires_at}.",
        "If you did not ask for this, ignore this e-mail: your password stays as it is.",
    ]
    return _message(
        to=to,
        sender=sender,
        subject="Reset your Storefronts password",
        first_name=first_name,
        paragraphs=paragraphs,
        values={"producer_name": producer_name, "link": link},
        expires_at=expires_at,
    )


def _message(
    *,
    to: str,
    sender: str,
    subject: str,
    first_name: str,
    paragraphs: list[str],
    values: dict[str, str],
    expires_at: dt.datetime,
) -> EmailMessage:
    values = {**values, "expires_at": _human_utc(expires_at)}
    greeting = f"Hello {first_name.strip()}," if first_name.strip() else "Hello,"
    closing = ["Kind regards,", values["producer_name"]]

    text = "\n\n".join([greeting, *(p.format(**values) for p in paragraphs), "\n".join(closing)])

    escaped = {key: escape(value) for key, value in values.items()}
    anchor = f'<a href="{escaped["link"]}">{escaped["link"]}</a>'
    html_paragraphs = [
        escape(greeting),
        *(anchor if p == LINK else p.format(**escaped) for p in paragraphs),
        "<br>".join(escape(line) for line in closing),
    ]
    body = "\n".join(f"<p>{p}</p>" for p in html_paragraphs)
    html = (
        '<!DOCTYPE html>\n<html><body style="font-family: sans-serif; line-height: 1.5">\n'
        f"{body}\n</body></html>\n"
    )

    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    # Header values may not hold line breaks; a name pasted with one must not break (or inject) headers.
    message["Subject"] = " ".join(subject.split())
    message["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    # Spam filters mark mail without a Message-ID; the sender's domain avoids a slow FQDN lookup.
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or "printbridge.local")
    message.set_content(text + "\n")
    message.add_alternative(html, subtype="html")
    return message


def _human_utc(moment: dt.datetime) -> str:
    """Readers live in many time zones; UTC spelled out is unambiguous. A naive time is UTC by convention."""
    moment = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
    return f"{moment:%A} {moment.day} {moment:%B %Y at %H:%M} UTC"
