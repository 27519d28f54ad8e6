"""The project's documents stand on their own: every file the README, `docs/` and the other READMEs
point to is in the repository (a user's clone has nothing beside it)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = sorted(
    [
        ROOT / "README.md",
        *ROOT.glob("docs/**/*.md"),
        *ROOT.glob("deploy/**/*.md"),
        *ROOT.glob("services/*/README.md"),
    ]
)
MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
# A path in backticks that leaves its folder or names a Markdown file in a folder: `../x`, `docs/events.md`.
QUOTED_PATH = re.compile(r"`((?:\.\./)[^`\s]*|[^`\s]*/[^`\s]*\.md)`")


def _targets(document: Path) -> list[tuple[str, list[Path]]]:
    """Each link of the document with the places it may mean: relative to the document (and, for a
    quoted path, relative to the repository's root, as the README writes them)."""
    text = document.read_text(encoding="utf-8")
    found = []
    for target in MARKDOWN_LINK.findall(text):
        if re.match(r"^[a-z][a-z0-9+.-]*:|^#", target):  # https:, mailto:, an anchor in the page
            continue
        found.append((target, [document.parent / target.split("#", 1)[0]]))
    for target in QUOTED_PATH.findall(text):
        found.append((target, [document.parent / target, ROOT / target]))
    return found


def _inside_and_present(path: Path) -> bool:
    resolved = path.resolve()
    return resolved.is_relative_to(ROOT) and resolved.exists()


def _broken(document: Path) -> list[str]:
    return [target for target, places in _targets(document) if not any(map(_inside_and_present, places))]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_file_a_document_points_to_is_in_the_repository(document: Path):
    broken = _broken(document)
    assert not broken, f"{document.relative_to(ROOT)} points outside the repository or to nothing: {broken}"


def test_a_link_outside_the_repository_or_to_nothing_is_found(tmp_path: Path):
    page = tmp_path / "page.md"
    page.write_text(
        "[site](https://example.org) [top](#top) [design](../shared/DESIGN.md)\n"
        "see `docs/no-such-page.md` and `docs/events.md`\n",
        encoding="utf-8",
    )
    assert _broken(page) == ["../shared/DESIGN.md", "docs/no-such-page.md"]
