"""What every platform makes of a product draft (create & publish) the same way: its plain-text
description as HTML, and each option's values in the order the variants use them."""

import html

from printbridge_shared.events.contracts import ShopProductPublishRequested


def description_html(text: str) -> str:
    """The draft's plain-text description as HTML: escaped, one `<p>` per blank-line-separated block,
    single line breaks kept as `<br>`."""
    blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n") if block.strip()]
    return "".join(f"<p>{html.escape(block).replace(chr(10), '<br>')}</p>" for block in blocks)


def option_values(draft: ShopProductPublishRequested, name: str) -> list[str]:
    """An option's values in the order the variants first use them (a shop lists them so)."""
    values: list[str] = []
    for variant in draft.variants:
        value = variant.options.get(name)
        if value is not None and value not in values:
            values.append(value)
    return values
