"""Code cites the repository's own protocol notes (docs/*.md) by section: every cited file
exists and every cited section is a heading in it, so a renumbered or dropped section shows
up here rather than as a comment pointing nowhere."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# "docs/soundcloud.md §2.2, §3.1" or "docs/downloads.md §1.6 and §4.1" or "§2.2/§3.5"
_CITATION = re.compile(r"docs/([a-z-]+)\.md((?:(?:,\s*|\s+and\s+|/|\s)§[0-9]+(?:\.[0-9]+)*)*)")
_SECTION = re.compile(r"§([0-9]+(?:\.[0-9]+)*)")
_HEADING = re.compile(r"^#{2,4} ([0-9]+(?:\.[0-9]+)*)\.? ", re.M)


def _sources() -> list[Path]:
    paths = [ROOT / "README.md", ROOT / "ARCHITECTURE.md", ROOT / "PERFORMANCE.md"]
    for top in ("minion_tui", "tests", "bench"):
        paths += sorted((ROOT / top).rglob("*.py"))
    return paths


def _citations() -> list[tuple[str, str, str | None]]:
    """(where, doc name, section or None) for every citation in the tree."""
    found = []
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        for match in _CITATION.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            where = f"{path.relative_to(ROOT)}:{line}"
            sections = _SECTION.findall(match.group(2))
            found += [(where, match.group(1), s) for s in sections] or [
                (where, match.group(1), None)]
    return found


def test_the_tree_cites_the_notes() -> None:
    cited = {doc for _, doc, _ in _citations()}
    assert {"soundcloud", "downloads"} <= cited


def test_every_cited_section_is_a_heading_of_its_doc() -> None:
    headings = {p.stem: set(_HEADING.findall(p.read_text(encoding="utf-8")))
                for p in (ROOT / "docs").glob("*.md")}
    missing = [f"{where}: docs/{doc}.md" + (f" §{section}" if section else "")
               for where, doc, section in _citations()
               if doc not in headings or (section is not None and section not in headings[doc])]
    assert missing == []
