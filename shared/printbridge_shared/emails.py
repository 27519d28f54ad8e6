"""E-mail addresses: one spelling under which every service stores and compares them."""

from email_validator import EmailNotValidError, validate_email


def normalize_email(value: str) -> str:
    """Trimmed and lower-cased, as email-validator normalises it (no DNS lookups); ValueError with the
    reason when it is not an address."""
    try:
        return validate_email(value.strip().lower(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from None
