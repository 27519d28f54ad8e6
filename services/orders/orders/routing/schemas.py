"""Production lines', routing rules' and the dry run's request and response bodies. Every bound here is
documented in docs/routing.md."""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from orders.manual.schemas import CountryCode, Currency
from printbridge_shared.events.contracts import Platform
from printbridge_shared.fields import DecimalInput, ProductUid, Text, display_name, matching

MAX_CONDITION_VALUES = 100
MAX_RULES = 1_000
MAX_DRY_RUN_ITEMS = 500
MAX_DESCRIPTION = 2_000

LineCode = Annotated[
    Text,
    matching(
        r"[a-z0-9][a-z0-9_-]{0,63}",
        "code is up to 64 lower-case letters, digits, '_' and '-', starting with a letter or digit "
        "(e.g. berlin-large-format)",
    ),
    Field(examples=["berlin-large-format"]),
]
LineName = Annotated[Text, AfterValidator(display_name("give the line's name, e.g. Berlin large format"))]
RuleName = Annotated[Text, AfterValidator(display_name("give the rule's name, e.g. Posters to Berlin"))]
Description = Annotated[Text, Field(max_length=MAX_DESCRIPTION)]
ProductType = Annotated[
    Text,
    matching(
        r"[a-z][a-z0-9_-]{0,49}",
        "a product type is up to 50 lower-case letters, digits, '_' and '-', starting with a letter, as in "
        "the catalog (e.g. flyer)",
    ),
    Field(examples=["flyer"]),
]
Amount = Annotated[DecimalInput, Field(ge=0, max_digits=18, decimal_places=6, allow_inf_nan=False)]


def _not_empty(values: list[Any]) -> list[Any]:
    if not values:
        raise ValueError("must not be empty; leave the condition out to match every order")
    return values


def _values(description: str) -> Any:
    return Field(
        None, description=f"{description} Up to {MAX_CONDITION_VALUES} values; leave it out to match any."
    )


Listed = AfterValidator(_not_empty)
Bounded = Field(max_length=MAX_CONDITION_VALUES)
Uuids = Annotated[list[uuid.UUID], Bounded, Listed]
Platforms = Annotated[list[Platform], Bounded, Listed]
ProductTypes = Annotated[list[ProductType], Bounded, Listed]
Prefixes = Annotated[list[ProductUid], Bounded, Listed]
Countries = Annotated[list[CountryCode], Bounded, Listed]


class Conditions(BaseModel):
    """What an order must have for the rule to match: every condition given (AND); none given matches
    every order. `product_types` and `product_uid_prefixes` hold only when every item of the order
    matches."""

    model_config = ConfigDict(extra="forbid")

    customer_ids: Uuids | None = _values("The order's customer is one of these.")
    store_ids: Uuids | None = _values("The order's store is one of these.")
    platforms: Platforms | None = _values("The order's store is on one of these platforms.")
    product_types: ProductTypes | None = _values("Every item's catalog product is of one of these types.")
    product_uid_prefixes: Prefixes | None = _values("Every item's product_uid starts with one of these.")
    countries: Countries | None = _values("The order ships to one of these countries (ISO 3166-1 alpha-2).")
    min_order_value: Amount | None = Field(
        None, description='The order\'s total is at least this, in `currency` (a decimal string, `"50.00"`).'
    )
    max_order_value: Amount | None = Field(
        None, description="The order's total is at most this, in `currency`."
    )
    currency: Currency | None = Field(
        None,
        validate_default=True,
        description="The currency of the value bounds (required with either); an order in another currency "
        "does not match them.",
    )

    @field_validator("max_order_value")
    @classmethod
    def _not_below_minimum(cls, high: Decimal | None, info: ValidationInfo) -> Decimal | None:
        low = info.data.get("min_order_value")
        if high is not None and low is not None and high < low:
            raise ValueError(f"must not be below min_order_value ({low}); no order could match")
        return high

    @field_validator("currency")
    @classmethod
    def _currency_with_values(cls, currency: str | None, info: ValidationInfo) -> str | None:
        bounded = info.data.get("min_order_value") is not None or info.data.get("max_order_value") is not None
        if currency is None and bounded:
            raise ValueError("required with min_order_value or max_order_value: the currency of the amounts")
        if (
            currency is not None
            and not bounded
            and {"min_order_value", "max_order_value"} <= info.data.keys()
        ):
            raise ValueError("only goes with min_order_value or max_order_value; leave it out")
        return currency


def _not_null(value: object) -> object:
    if value is None:
        raise ValueError("cannot be null; leave the field out to keep its value")
    return value


class ProductionLineCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: LineCode
    name: LineName
    description: Description | None = None
    is_default: bool = Field(
        False, description="Make this the default line (the one the line before stops being)."
    )
    active: bool = True


class ProductionLineUpdate(BaseModel):
    """Only the fields sent change; only `description` may be null (it removes it)."""

    model_config = ConfigDict(extra="forbid")

    code: LineCode = None  # type: ignore[assignment]
    name: LineName = None  # type: ignore[assignment]
    description: Description | None = None
    is_default: bool = Field(
        None,  # type: ignore[assignment]
        description="true makes this the default line; false on the default is refused (make another "
        "line the default instead).",
    )
    active: bool = None  # type: ignore[assignment]

    _present = field_validator("code", "name", "is_default", "active", mode="before")(_not_null)


class ProductionLine(BaseModel):
    id: uuid.UUID
    code: str
    name: str
    description: str | None
    is_default: bool
    active: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class ProductionLinePage(BaseModel):
    items: list[ProductionLine]
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` to get the next page; null at the end."
    )


class RoutingRuleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: RuleName
    position: int | None = Field(
        None,
        ge=1,
        le=MAX_RULES,
        description="Where the rule goes (1 is tried first); the rules from there move down one. Without "
        "it the rule goes last.",
    )
    enabled: bool = True
    production_line_id: uuid.UUID = Field(description="An active production line.")
    conditions: Conditions = Field(default_factory=Conditions)


class RoutingRuleUpdate(BaseModel):
    """Only the fields sent change; `conditions` is replaced whole. A new `position` moves the rule
    there, and the rules in between move by one."""

    model_config = ConfigDict(extra="forbid")

    name: RuleName = None  # type: ignore[assignment]
    position: int = Field(None, ge=1, le=MAX_RULES)  # type: ignore[assignment]
    enabled: bool = None  # type: ignore[assignment]
    production_line_id: uuid.UUID = None  # type: ignore[assignment]
    conditions: Conditions = None  # type: ignore[assignment]

    _present = field_validator(
        "name", "position", "enabled", "production_line_id", "conditions", mode="before"
    )(_not_null)


class RoutingRule(BaseModel):
    id: uuid.UUID
    name: str
    position: int
    enabled: bool
    production_line_id: uuid.UUID
    conditions: Conditions
    created_at: dt.datetime
    updated_at: dt.datetime


class RoutingRuleList(BaseModel):
    items: list[RoutingRule] = Field(description=f"Every rule, by position (at most {MAX_RULES}).")


class DryRunItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_uid: ProductUid
    product_type: ProductType


class DryRunOrder(BaseModel):
    """An order as routing sees it."""

    model_config = ConfigDict(extra="forbid")

    customer_id: uuid.UUID
    store_id: uuid.UUID
    platform: Platform
    country_code: CountryCode | None = Field(None, description="The shipping country; null when none.")
    total_price: Amount
    currency: Currency
    items: list[DryRunItem] = Field(min_length=1, max_length=MAX_DRY_RUN_ITEMS)


class RoutingDryRun(BaseModel):
    """What to route: an order of the system (`order_id`, routed as it is resolved) or one described in
    full (`order`); exactly one of them."""

    model_config = ConfigDict(extra="forbid")

    order_id: uuid.UUID | None = Field(None, description="An order whose items are resolved.")
    order: DryRunOrder | None = Field(None, validate_default=True)

    @field_validator("order")
    @classmethod
    def _one_order(cls, order: DryRunOrder | None, info: ValidationInfo) -> DryRunOrder | None:
        if "order_id" in info.data and (info.data["order_id"] is None) == (order is None):
            raise ValueError(
                "give exactly one of order_id (an order of the system) or order (customer_id, store_id, "
                "platform, … and items)"
            )
        return order


class LineRef(BaseModel):
    id: uuid.UUID
    code: str
    name: str


class RuleRef(BaseModel):
    id: uuid.UUID
    name: str


class Verdict(BaseModel):
    rule_id: uuid.UUID
    name: str
    position: int
    matched: bool
    reasons: list[str] = Field(description="Why the rule did not match: one sentence per failed condition.")


class RoutingDryRunResult(BaseModel):
    production_line: LineRef
    rule: RuleRef | None = Field(description="The rule that matched; null: the default line.")
    explanation: str
    verdicts: list[Verdict] = Field(description="Every rule, by position.")
