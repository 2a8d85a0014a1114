"""The README's table of dashboard pages is the navigation: every page, in its order, under its title."""
from __future__ import annotations

from tests.api.test_access import dashboard_pages
from tests.conftest import REPO


def readme_pages() -> list[str]:
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    start = lines.index("| page | for | shows |") + 2  # after the header and its rule
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append(line.split("|")[1].strip())
    return rows


def test_the_readme_lists_every_page_of_the_navigation_in_order():
    assert readme_pages() == [title for _, _, title, _ in dashboard_pages()]
