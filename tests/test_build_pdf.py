"""The PDF guides and the handbook, read back: pages, contents, bookmarks, metadata, text."""

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from build_helpers import CONTENT, quiet_build, tree
from sitebuilder.content import read_guides, read_settings

GUIDES = {g.key: g for g in read_guides(CONTENT)}
SETTINGS = read_settings(CONTENT)


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    quiet_build(CONTENT, out)
    return out


def _text(reader: PdfReader, index: int) -> str:
    return " ".join(reader.pages[index].extract_text().split())


def _outline_titles(outline, depth=0):
    for item in outline:
        if isinstance(item, list):
            yield from _outline_titles(item, depth + 1)
        else:
            yield depth, item.title


def test_one_pdf_per_guide_with_its_text_metadata_and_bookmarks(dist):
    for key, guide in GUIDES.items():
        reader = PdfReader(dist / "pdf" / f"{key}.pdf")
        assert 1 <= len(reader.pages) <= 8, key
        text = " ".join(_text(reader, i) for i in range(len(reader.pages)))
        assert guide.title.split(":")[0] in text
        assert f"Page 1 of {len(reader.pages)}" in _text(reader, 0)
        meta = reader.metadata
        assert meta.title == guide.title and meta.author == SETTINGS.author
        assert meta.creation_date.date() == guide.updated  # reproducible: from the guide's own date
        assert reader.trailer["/Root"]["/Lang"] == SETTINGS.language
        assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged (PDF/UA)
        titles = [title for _, title in _outline_titles(reader.outline)]
        assert titles[0] == guide.title
        assert len(titles) > 3


def test_pdf_fonts_are_embedded(dist):
    reader = PdfReader(dist / "pdf" / "four-habits.pdf")
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descriptor = font.get_object()
            if "/DescendantFonts" in descriptor:
                descriptor = descriptor["/DescendantFonts"][0].get_object()
            fd = descriptor["/FontDescriptor"]
            assert any(k in fd for k in ("/FontFile", "/FontFile2", "/FontFile3")), descriptor[
                "/BaseFont"
            ]


def test_handbook_contents_page_numbers_match_where_each_guide_starts(dist):
    reader = PdfReader(dist / "pdf" / "handbook.pdf")
    cover, contents = _text(reader, 0), _text(reader, 1)
    assert SETTINGS.handbook.title in cover and SETTINGS.agency_name.upper() in cover.upper()
    assert contents.startswith("Contents")
    for key in SETTINGS.handbook.guides:
        title = GUIDES[key].title
        match = re.search(re.escape(title) + r"[ .]*?(\d+)", contents)
        assert match, f"{title} missing from contents"
        page_number = int(match.group(1))
        start = _text(reader, page_number - 1)
        assert title in start, f"{title} should start on page {page_number}"
        assert f"Page {page_number} of {len(reader.pages)}" in start
        opening = " ".join(GUIDES[key].summary.split()[:8])
        assert opening in start, f"{title} should open on page {page_number}"
        assert opening not in _text(reader, page_number - 2), (
            f"{title} must not start before page {page_number}"
        )


def test_handbook_bookmarks_follow_the_chapters(dist):
    reader = PdfReader(dist / "pdf" / "handbook.pdf")
    top = [title for depth, title in _outline_titles(reader.outline) if depth == 0]
    assert top == ["Contents"] + [GUIDES[k].title for k in SETTINGS.handbook.guides]
    assert reader.metadata.title == SETTINGS.handbook.title
    chapters = [GUIDES[k] for k in SETTINGS.handbook.guides]
    assert reader.metadata.creation_date.date() == max(g.updated for g in chapters)


def test_site_offers_the_same_pdfs(dist):
    for pdf in (dist / "pdf").glob("*.pdf"):
        assert (dist / "site" / "pdf" / pdf.name).read_bytes() == pdf.read_bytes()
    assert 'href="pdf/handbook.pdf"' in (dist / "site" / "index.html").read_text()


def test_two_builds_of_the_same_sources_are_byte_identical(dist, tmp_path):
    again = tmp_path / "again"
    quiet_build(CONTENT, again, clean=True)
    first, second = tree(dist), tree(again)
    assert first.keys() == second.keys()
    different = [name for name in first if first[name] != second[name]]
    assert different == []


def test_source_date_epoch_sets_the_pdf_dates(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    quiet_build(CONTENT, tmp_path / "out", formats=frozenset({"pdf"}))
    reader = PdfReader(tmp_path / "out" / "pdf" / "thank-you-note.pdf")
    assert reader.metadata.creation_date.year == 2026 and reader.metadata.creation_date.month == 1


def _fonts_of(reader: PdfReader, words: str) -> set[str]:
    """The fonts the text runs holding ``words`` are set in, on any page."""
    found: set[str] = set()

    def visit(text, _cm, _tm, font, _size):
        if words in text and font is not None:
            found.add(str(font.get("/BaseFont", "")))

    for page in reader.pages:
        page.extract_text(visitor_text=visit)
    return found


def test_every_heading_of_a_pdf_is_set_in_the_sans_family_and_the_body_in_the_serif(dist):
    """One family for the headings, as the site has: the "What to do" lines of the four
    habits are h3 headings, set like the h2 above them."""
    reader = PdfReader(dist / "pdf" / "four-habits.pdf")
    heading = _fonts_of(reader, "What to do")
    assert heading and all(font.endswith("DejaVu-Sans-Bold") for font in heading), heading
    section = _fonts_of(reader, GUIDES["four-habits"].title.split(":")[0])
    assert section and all("DejaVu-Sans" in font for font in section), section
    body = _fonts_of(reader, "recruiter")
    assert any("Serif" in font for font in body), body
