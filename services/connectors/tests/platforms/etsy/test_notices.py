"""Reading Etsy's notices: the flat shape Etsy sends, the nested one its first documentation showed."""

import pytest

from connectors.platforms.etsy.webhooks import NoticeUnreadable, read_notice


def test_the_flat_notice_names_the_shop_and_the_receipt_in_its_resource_url():
    body = (
        b'{"event_type":"order.paid","resource_url":"https://openapi.etsy.com/v3/application/shops/'
        b'23456789/receipts/3456789012","shop_id":23456789}'
    )
    notice = read_notice(body)
    assert (notice.event_type, notice.shop_id, notice.receipt_id) == ("order.paid", "23456789", "3456789012")


def test_the_nested_notice_of_the_first_documentation_is_read_too():
    body = b'{"type":"ORDER_PAID","data":{"shop_id":"23456789","receipt_id":3456789012}}'
    notice = read_notice(body)
    assert (notice.event_type, notice.shop_id, notice.receipt_id) == ("ORDER_PAID", "23456789", "3456789012")


def test_a_notice_without_a_receipt_still_names_its_shop():
    notice = read_notice(b'{"event_type":"shop.updated","shop_id":23456789}')
    assert (notice.shop_id, notice.receipt_id) == ("23456789", None)


@pytest.mark.parametrize("body", [b"not json", b"[1]", b'{"event_type":"order.paid"}', b'{"shop_id":"abc"}'])
def test_a_body_without_a_shop_is_unreadable(body):
    with pytest.raises(NoticeUnreadable):
        read_notice(body)
