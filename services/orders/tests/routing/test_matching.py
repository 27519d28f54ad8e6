"""Matching without a database: every condition, mixed orders, currencies, disabled rules, inactive lines,
and the first match winning (the rules after it are not evaluated)."""

import uuid
from decimal import Decimal
from typing import Any

import pytest

from orders.routing.matching import (
    Conditions,
    ItemFacts,
    LineFacts,
    OrderFacts,
    RuleFacts,
    decide,
    failed_conditions,
)
from printbridge_shared.events.contracts import Platform

CUSTOMER, STORE = uuid.uuid4(), uuid.uuid4()
DEFAULT = LineFacts(uuid.uuid4(), "default", True)
BERLIN = LineFacts(uuid.uuid4(), "berlin", True)
POSTER = ItemFacts("poster_a2_matte", "poster")
FLYER = ItemFacts("flyer_a5_135gsm", "flyer")


def order(**changes: Any) -> OrderFacts:
    values: dict[str, Any] = {
        "customer_id": CUSTOMER,
        "store_id": STORE,
        "platform": Platform.shopify,
        "country_code": "DE",
        "total_price": Decimal("119.90"),
        "currency": "EUR",
        "items": (POSTER,),
    }
    return OrderFacts(**(values | changes))


def rule(
    position: int = 1, *, enabled: bool = True, line: LineFacts = BERLIN, **conditions: Any
) -> RuleFacts:
    return RuleFacts(
        id=uuid.uuid4(),
        name=f"rule {position}",
        position=position,
        enabled=enabled,
        conditions=Conditions.from_stored(conditions),
        line=line,
    )


def reasons(order_facts: OrderFacts, **conditions: Any) -> tuple[str, ...]:
    return failed_conditions(Conditions.from_stored(conditions), order_facts)


def test_a_rule_without_conditions_matches_every_order():
    decision = decide([rule()], DEFAULT, order(country_code=None, items=()))

    assert (decision.production_line_id, decision.production_line_code) == (BERLIN.id, "berlin")
    assert decision.verdicts[0].matched and decision.verdicts[0].reasons == ()


def test_without_rules_the_order_goes_to_the_default_line():
    decision = decide([], DEFAULT, order())

    assert (decision.production_line_id, decision.rule_id, decision.verdicts) == (DEFAULT.id, None, ())
    assert "no routing rules" in decision.explanation
    assert "'default'" in decision.explanation


@pytest.mark.parametrize(
    ("conditions", "matching", "other"),
    [
        ({"customer_ids": [str(CUSTOMER)]}, {}, {"customer_id": uuid.uuid4()}),
        ({"store_ids": [str(STORE), str(uuid.uuid4())]}, {}, {"store_id": uuid.uuid4()}),
        ({"platforms": ["shopify", "etsy"]}, {}, {"platform": Platform.woocommerce}),
        ({"countries": ["DE", "AT"]}, {}, {"country_code": "FR"}),
        ({"countries": ["DE"]}, {}, {"country_code": None}),
        ({"product_types": ["poster"]}, {}, {"items": (FLYER,)}),
        ({"product_types": ["poster"]}, {}, {"items": ()}),
        ({"product_uid_prefixes": ["poster_", "canvas_"]}, {}, {"items": (FLYER,)}),
        ({"product_uid_prefixes": ["poster_"]}, {}, {"items": ()}),
        (
            {"min_order_value": "100.00", "currency": "EUR"},
            {"total_price": Decimal("100")},
            {"total_price": Decimal("99.99")},
        ),
        (
            {"max_order_value": "100.00", "currency": "EUR"},
            {"total_price": Decimal("100.00")},
            {"total_price": Decimal("100.01")},
        ),
        (
            {"min_order_value": "10", "max_order_value": "200", "currency": "EUR"},
            {},
            {"currency": "USD"},
        ),
    ],
)
def test_each_condition_holds_for_a_matching_order_and_names_why_another_fails(conditions, matching, other):
    assert reasons(order(**matching), **conditions) == ()

    [reason] = reasons(order(**other), **conditions)

    assert reason and reason[0].islower() and not reason.endswith(".")


def test_the_reasons_name_the_values_concerned():
    assert reasons(order(platform=Platform.etsy), platforms=["shopify", "woocommerce"]) == (
        "the order comes from etsy, the rule takes shopify, woocommerce",
    )
    assert reasons(order(country_code="FR"), countries=["DE", "AT"]) == (
        "the order ships to FR, the rule takes AT, DE",
    )
    assert reasons(order(total_price=Decimal("5.00")), min_order_value="10.00", currency="EUR") == (
        "the order's total 5.00 EUR is below the minimum 10.00 EUR",
    )
    assert reasons(order(currency="GBP"), max_order_value="10.00", currency="EUR") == (
        "the order is in GBP, the rule's order value is in EUR",
    )


def test_a_long_list_of_values_is_shortened_in_the_reason():
    countries = ["AT", "BE", "CH", "DK", "ES", "FI", "IT"]

    [reason] = reasons(order(country_code="FR"), countries=countries)

    assert reason == "the order ships to FR, the rule takes AT, BE, CH, DK, ES and 2 more"


def test_all_conditions_must_hold_and_each_failed_one_gives_a_reason():
    found = reasons(
        order(country_code="FR", platform=Platform.etsy),
        countries=["DE"],
        platforms=["shopify"],
        store_ids=[str(STORE)],
    )

    assert len(found) == 2
    assert any("etsy" in reason for reason in found) and any("FR" in reason for reason in found)


def test_a_mixed_order_does_not_go_to_a_line_that_makes_only_part_of_it():
    mixed = order(items=(POSTER, FLYER, ItemFacts("poster_a1", "poster"), ItemFacts("flyer_a6", "flyer")))

    [by_type] = reasons(mixed, product_types=["poster"])
    [by_prefix] = reasons(mixed, product_uid_prefixes=["poster_"])

    assert by_type == (
        "item 2 (flyer_a5_135gsm, of type flyer) (and 1 more) is not among the product types poster, and "
        "every item must be"
    )
    assert by_prefix == (
        "item 2 (flyer_a5_135gsm, of type flyer) (and 1 more) is not among the products starting with "
        "poster_, and every item must be"
    )
    assert reasons(mixed, product_types=["poster", "flyer"]) == ()
    assert reasons(mixed, product_uid_prefixes=["poster_", "flyer_"]) == ()


def test_an_order_in_another_currency_matches_no_value_condition():
    for bounds in ({"min_order_value": "0"}, {"max_order_value": "1000000"}):
        assert reasons(order(currency="USD"), currency="EUR", **bounds) != ()
        assert reasons(order(currency="EUR"), currency="EUR", **bounds) == ()


def test_the_first_matching_rule_wins_and_later_ones_are_not_evaluated():
    other = LineFacts(uuid.uuid4(), "munich", True)
    first = rule(1, countries=["FR"])
    second = rule(2, countries=["DE"])
    third = rule(3, line=other)

    decision = decide([third, first, second], DEFAULT, order())

    assert (decision.production_line_code, decision.rule_id) == ("berlin", second.id)
    assert [(v.position, v.matched) for v in decision.verdicts] == [(1, False), (2, True), (3, False)]
    assert decision.verdicts[2].reasons == ("not evaluated: rule 'rule 2' (position 2) matched first",)
    assert decision.explanation == (
        "Rule 'rule 2' (position 2) is the first enabled rule whose conditions all hold: the order goes to "
        "production line 'berlin'."
    )


def test_a_disabled_rule_is_not_tried_and_says_so():
    disabled = rule(1, enabled=False)
    fallback = rule(2, countries=["FR"])

    decision = decide([disabled, fallback], DEFAULT, order())

    assert (decision.production_line_id, decision.rule_id) == (DEFAULT.id, None)
    assert decision.verdicts[0].reasons == ("disabled",)
    assert not decision.verdicts[0].matched
    assert decision.explanation == (
        "No rule matched (1 tried, 1 disabled): the order goes to the default production line 'default'."
    )


def test_a_rule_whose_line_is_inactive_does_not_match():
    closed = LineFacts(uuid.uuid4(), "closed", False)

    decision = decide([rule(1, line=closed), rule(2)], DEFAULT, order())

    assert decision.production_line_code == "berlin"
    assert decision.verdicts[0].reasons == ("its production line 'closed' is inactive",)
