"""Reading what Pressero answers: the token answer in its likely forms, case-insensitive names, and an
order's approved items as one version whose time moves only when an item is approved."""

import datetime as dt
from decimal import Decimal

import pytest

from connectors.platforms.base import ConnectRefused
from connectors.platforms.pressero.client import NotPressero, TokenRefused, token_from, unwrapped
from connectors.platforms.pressero.connector import normalise_admin_url, normalise_site_domain
from connectors.platforms.pressero.deliveries import order_number
from connectors.platforms.pressero.normalise import NotAnOrder, order_version


@pytest.mark.parametrize(
    "answer",
    [
        {"Code": 200, "Data": "tok"},
        {"code": "200", "data": "tok"},
        "tok",
        {"Data": {"Token": "tok"}},
        {"token": "tok"},
    ],
)
def test_the_token_is_read_from_each_likely_answer(answer: object) -> None:
    assert token_from(answer) == "tok"


def test_a_code_other_than_200_is_a_refusal_and_no_token_is_not_pressero() -> None:
    with pytest.raises(TokenRefused, match="Invalid"):
        token_from({"Code": 401, "Message": "Invalid credentials"})
    with pytest.raises(NotPressero):
        token_from({"Code": 200, "Data": None})
    with pytest.raises(NotPressero):
        token_from([1, 2])


def test_admin_urls_and_site_domains_are_normalised() -> None:
    assert normalise_admin_url("admin.chi.v6.pressero.com/api/", allow_private=False) == (
        "https://admin.chi.v6.pressero.com"
    )
    assert normalise_admin_url("HTTPS://Admin.SG.v6.pressero.com:443/docs/api/", allow_private=False) == (
        "https://admin.sg.v6.pressero.com"
    )
    with pytest.raises(ConnectRefused) as refused:
        normalise_admin_url("http://admin.chi.v6.pressero.com", allow_private=False)
    assert refused.value.code == "url-not-allowed"
    assert normalise_site_domain("https://Print.Acme.com/store/") == "print.acme.com"
    with pytest.raises(ConnectRefused):
        normalise_site_domain("print acme")


ORDER = {"OrderNumber": 100001, "OrderDate": "2030-01-01T10:00:00", "OrderTotal": 130.0, "OrderTax": 5}


def item(number: int, **fields: object) -> dict[str, object]:
    return {
        "OrderItemId": f"id-{number}",
        "OrderItemNumber": number,
        "ProductName": f"Item {number}",
        "Quantity": 2,
        "Price": 50.0,
        "IsApproved": True,
        "IsDenied": False,
        **fields,
    }


def test_only_approved_items_go_and_none_when_nothing_is_approved() -> None:
    waiting = item(2, IsApproved=False)
    denied = item(3, IsApproved=False, IsDenied=True)
    version = order_version(ORDER, [waiting, item(1), denied])
    assert version is not None
    assert [line.external_id for line in version.fields["line_items"]] == ["id-1"]
    assert version.fields["total_price"] == Decimal("50.00")
    assert order_version(ORDER, [waiting, denied]) is None


def test_names_are_read_regardless_of_case_and_all_approved_takes_the_orders_totals() -> None:
    lowered = {k.lower(): v for k, v in ORDER.items()}
    version = order_version(lowered, [{k.upper(): v for k, v in item(1).items()}, item(2)], "eur")
    assert version is not None
    assert version.fields["total_price"] == Decimal("130.00") and version.fields["currency"] == "EUR"
    assert version.fields["line_items"][0].unit_price == Decimal("25.0000")


def test_the_version_time_is_the_newest_approval_or_the_order_date() -> None:
    placed = order_version(ORDER, [item(1), item(2, IsApproved=False)])
    approved = order_version(ORDER, [item(1), item(2, ApprovedDate="2030-01-03T08:00:00Z")])
    assert placed is not None and approved is not None
    assert placed.source_updated_at == dt.datetime(2030, 1, 1, 10, tzinfo=dt.UTC)
    assert approved.source_updated_at == dt.datetime(2030, 1, 3, 8, tzinfo=dt.UTC)


def test_attributes_and_form_fields_become_properties_once() -> None:
    row = item(
        1,
        Attributes=[{"AttributeName": "Paper", "AttributeValue": "Gloss"}],
        ProductAttributeName1="Paper",
        ProductAttributeValue1="Gloss",
        ProductFormField1="Name on card",
        ProductFormValue1="Ann Lee",
    )
    version = order_version(ORDER, [row])
    assert version is not None
    assert [(p.name, p.value) for p in version.fields["line_items"][0].properties] == [
        ("Paper", "Gloss"),
        ("Name on card", "Ann Lee"),
    ]


def test_an_order_without_its_number_or_date_is_not_an_order() -> None:
    with pytest.raises(NotAnOrder):
        order_version({"OrderDate": "2030-01-01T10:00:00"}, [item(1)])
    with pytest.raises(NotAnOrder):
        order_version({"OrderNumber": 1}, [item(1)])


def test_answers_wrapped_like_the_token_answer_are_read_as_their_data() -> None:
    assert unwrapped({"Code": 200, "Data": {"OrderNumber": 1}, "Message": None}) == {"OrderNumber": 1}
    assert unwrapped({"code": 200, "data": [1]}) == [1]
    order = {"OrderNumber": 1, "Data": {"x": 1}}
    assert unwrapped(order) == order


@pytest.mark.parametrize(
    "envelope",
    [
        {"data": {"OrderNumber": 100001}},
        {"data": {"ordernumber": "100001"}},
        {"data": '{"OrderNumber": 100001}'},
        {"ordernumber": 100001},
    ],
)
def test_the_order_number_is_found_in_each_form_of_the_notice(envelope: dict[str, object]) -> None:
    assert order_number(envelope) == "100001"


def test_a_notice_without_an_order_number_names_no_order() -> None:
    assert order_number({"data": {"UserId": "u-1"}}) is None
    assert order_number({"data": "not json"}) is None
