"""A spec's status: `ok` when the product is active, the attributes and areas still fit it, and every print
area has a file that passed (or, for a variant's mapping, is covered by an artwork property: its file comes
with each order and is checked there); otherwise every issue, and as the status the most pressing one."""

from collections.abc import Collection, Mapping, Sequence

from mapping.models import CatalogProduct, DesignFile
from mapping.specs.schemas import FileStatus, SpecIssue, SpecStatus
from mapping.specs.validation import area_problems, attribute_problems

PRIORITY = list(SpecStatus)  # the enum lists the most pressing first


def evaluate(
    product: CatalogProduct | None,
    attributes: Mapping[str, str],
    files: Sequence[DesignFile],
    artwork_areas: Collection[str] = (),
) -> tuple[SpecStatus, list[SpecIssue]]:
    """`artwork_areas`: the print areas an order's artwork covers (a mapping's artwork properties;
    templates have none): not `file_missing` without a design file."""
    if product is None:  # products are never deleted; a spec is only ever made for one that exists
        return SpecStatus.spec_invalid, [SpecIssue(code=SpecStatus.spec_invalid, message="no such product")]
    issues: list[SpecIssue] = []
    if product.status != "active":
        issues.append(
            SpecIssue(
                code=SpecStatus.product_retired,
                message=f"the catalog product '{product.product_uid}' is retired; choose another product",
            )
        )
    by_area = {row.area: row for row in files}
    problems = [
        *attribute_problems(product, attributes),
        *area_problems(product, list(by_area)),
        *area_problems(product, list(artwork_areas), "artwork_properties"),
    ]
    for loc, msg in problems:
        issues.append(SpecIssue(code=SpecStatus.spec_invalid, message=f"{'.'.join(loc)}: {msg}"))
    for spec in product.print_areas:
        area = spec["name"]
        row = by_area.get(area)
        if row is None and area in artwork_areas:
            continue
        if row is None:
            issues.append(
                SpecIssue(code=SpecStatus.file_missing, area=area, message=f"no design file for '{area}'")
            )
        elif row.status == FileStatus.failed:
            issues.append(
                SpecIssue(code=SpecStatus.file_failed, area=area, message=f"{row.message}; fix: {row.fix}")
            )
        elif row.status == FileStatus.pending:
            issues.append(
                SpecIssue(code=SpecStatus.file_pending, area=area, message="the file is being checked")
            )
    status = min((issue.code for issue in issues), key=PRIORITY.index, default=SpecStatus.ok)
    return status, issues
