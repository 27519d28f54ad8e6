"""What every platform makes of a draft: the description as escaped HTML paragraphs, option values in
the order the variants first use them."""

import uuid
from decimal import Decimal

from connectors.platforms.drafts import description_html, option_values
from printbridge_shared.events.contracts import ShopProductDraftVariant, ShopProductPublishRequested


def test_the_description_is_escaped_and_split_into_paragraphs() -> None:
    text = "A5 <b>flyer</b> & more\r\nsecond line\n\n\n  Printed on both sides.  \n\n"
    assert description_html(text) == (
        "<p>A5 &lt;b&gt;flyer&lt;/b&gt; &amp; more<br>second line</p><p>Printed on both sides.</p>"
    )
    assert description_html("") == ""


def test_option_values_follow_the_order_the_variants_use_them() -> None:
    def variant(size: str, paper: str) -> ShopProductDraftVariant:
        return ShopProductDraftVariant(
            sku=f"{size}-{paper}", options={"Size": size, "Paper": paper}, price=Decimal("1")
        )

    draft = ShopProductPublishRequested(
        request_id=uuid.uuid4(),
        store_id=uuid.uuid4(),
        customer_id=uuid.uuid4(),
        title="Flyer",
        options=("Size", "Paper"),
        variants=(variant("A4", "Matte"), variant("A5", "Gloss"), variant("A4", "Gloss")),
    )
    assert option_values(draft, "Size") == ["A4", "A5"]
    assert option_values(draft, "Paper") == ["Matte", "Gloss"]
    assert option_values(draft, "Colour") == []
