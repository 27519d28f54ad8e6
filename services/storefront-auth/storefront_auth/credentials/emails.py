from printbridge_shared import emails
from storefront_auth.credentials.exceptions import InvalidEmail


def normalize_email(value: str) -> str:
    """The one spelling under which an address is stored and looked up (see printbridge_shared.emails)."""
    try:
        return emails.normalize_email(value)
    except ValueError as exc:
        raise InvalidEmail(str(exc)) from None
