"""Request parameters checked the way the WordPress REST server checks them against a route's schema:
every bad one is named in one `rest_invalid_param` answer (400)."""

import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from printbridge_sandbox.woocommerce.wire import WPError

# rest_parse_date(): RFC 3339 date-time, the offset optional.
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?$")
_TRUE = ("1", "true", "yes")
_FALSE = ("0", "false", "no", "")


def _one_of(values: tuple[str, ...]) -> str:
    return ", ".join(values[:-1]) + (", and " if len(values) > 2 else " and ") + values[-1]


class Params:
    """One request's parameters; the `get_*` methods collect what is wrong, `check()` raises it."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values
        self.invalid: dict[str, str] = {}
        self.missing: list[str] = []

    def check(self) -> None:
        if self.missing:
            raise WPError(
                "rest_missing_callback_param",
                f"Missing parameter(s): {', '.join(self.missing)}",
                400,
                params=self.missing,
            )
        if self.invalid:
            raise WPError(
                "rest_invalid_param",
                f"Invalid parameter(s): {', '.join(self.invalid)}",
                400,
                params=self.invalid,
            )

    def present(self, name: str) -> bool:
        return name in self.values

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def required(self, name: str) -> bool:
        if self.values.get(name) in (None, ""):
            self.missing.append(name)
            return False
        return True

    def integer(
        self, name: str, default: int | None = None, minimum: int | None = None, maximum: int | None = None
    ) -> int | None:
        value = self.values.get(name)
        if value is None:
            return default
        try:
            number = value if isinstance(value, int) and not isinstance(value, bool) else int(str(value))
        except ValueError:
            self.invalid[name] = f"{name} is not of type integer."
            return default
        if minimum is not None and maximum is not None and not minimum <= number <= maximum:
            self.invalid[name] = f"{name} must be between {minimum} (inclusive) and {maximum} (inclusive)"
        elif minimum is not None and number < minimum:
            self.invalid[name] = f"{name} must be greater than or equal to {minimum}"
        return number

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        text = str(value).lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        self.invalid[name] = f"{name} is not of type boolean."
        return default

    def choice(self, name: str, values: tuple[str, ...], default: str | None = None) -> str | None:
        value = self.values.get(name)
        if value is None:
            return default
        if value not in values:
            self.invalid[name] = f"{name} is not one of {_one_of(values)}."
            return default
        return str(value)

    def choices(self, name: str, values: tuple[str, ...], default: list[str]) -> list[str]:
        """An array parameter: `a,b`, `name[]=a&name[]=b` or a JSON list."""
        items = self._list(name)
        if items is None:
            return default
        for item in items:
            if item not in values:
                self.invalid[name] = f"{name}[{items.index(item)}] is not one of {_one_of(values)}."
                return default
        return items

    def integers(self, name: str) -> list[int] | None:
        items = self._list(name)
        if items is None:
            return None
        try:
            return [int(item) for item in items]
        except ValueError:
            self.invalid[name] = f"{name}[0] is not of type integer."
            return None

    def _list(self, name: str) -> list[str] | None:
        value = self.values.get(name)
        if value is None:
            return None
        if isinstance(value, dict):
            return [str(item) for item in value.values()]
        if isinstance(value, list):
            return [str(item) for item in value]
        return [item for item in (part.strip() for part in str(value).split(",")) if item]

    def date_time(self, name: str, zone: ZoneInfo | None) -> datetime | None:
        """A date-time read in `zone` (UTC when None) unless it carries an offset; returned in UTC."""
        value = self.values.get(name)
        if value is None:
            return None
        text = str(value)
        if not _DATE_TIME.match(text):
            self.invalid[name] = "Invalid date."
            return None
        try:
            parsed = datetime.fromisoformat(text.replace("z", "Z").replace("t", "T"))
        except ValueError:
            self.invalid[name] = "Invalid date."
            return None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=zone or UTC)
        return parsed.astimezone(UTC)

    def text(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None:
            return None
        if not isinstance(value, str | int | float):
            self.invalid[name] = f"{name} is not of type string."
            return None
        return str(value)
