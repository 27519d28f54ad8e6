from email_validator import EmailNotValidError, validate_email

from storefront_auth.credentials.exceptions import InvalidEmail


def normalize_email(value: str) -> str:
    """The one spelling under which an address is stored and looked up: trimmed and lower-cased, as
    email-validator normalises it (no DNS lookups)."""
    try:
        return validate_email(value.strip().lower(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise InvalidEmail(str(exc)) from None
