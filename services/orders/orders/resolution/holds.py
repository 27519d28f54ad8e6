"""Why an order cannot be produced: one reason per problem, per line or for the whole order, each with a
message saying what is wrong and a fix saying what to do (docs/orders-resolution.md)."""

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class HoldCode(StrEnum):
    unmapped_item = "unmapped_item"
    inactive_product = "inactive_product"
    product_retired = "product_retired"
    spec_mismatch = "spec_mismatch"
    file_unreachable = "file_unreachable"
    file_format = "file_format"
    file_too_small = "file_too_small"
    file_too_large = "file_too_large"
    address_invalid = "address_invalid"
    cannot_produce = "cannot_produce"
    held_by_user = "held_by_user"


# A design file's check problem (printbridge_shared.printfiles.checker.FileProblem) → the hold it causes.
FILE_HOLDS = {
    "file_unreachable": HoldCode.file_unreachable,
    "url_not_allowed": HoldCode.file_unreachable,
    "file_format": HoldCode.file_format,
    "file_too_small": HoldCode.file_too_small,
    "file_too_large": HoldCode.file_too_large,
}


@dataclass(frozen=True)
class Hold:
    """One reason; `position` is the line's (from 0), None for the order as a whole."""

    code: HoldCode
    position: int | None
    message: str
    fix: str

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "code": self.code.value}
