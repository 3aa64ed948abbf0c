"""The built website: pages, navigation, feeds, search index."""

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from build_helpers import CONTENT, SAMPLE, TODAY, quiet_build, write_postings
from sitebuilder.content import read_guides
from sitebuilder.pages import FIND_ROOT_HASH, FIND_ROOT_JS

GUIDES = read_guides(CONTENT)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    postings = write_postings(out.parent / f"{out.name}-postings.json", SAMPLE)
    quiet_build(CONTENT, out, formats=frozenset({"site"}), postings=postings, today=TODAY)
    return out / "site"


def test_every_guide_has_a_page_with_title_toc_and_anchors(site):
    for guide in GUIDES:
        html = (site / "guides" / guide.key / "index.html").read_text()
        assert f"<h1>{guide.title}</h1>".replace("'", "&#39;") in html
        assert f"<title>{guide.title}".replace("'", "&#39;") in html
        toc = html.split('aria-labelledby="toc-title"')[1].split("</nav>")[0]
        section_ids = re.findall(r'<h[23] id="([^"]+)"><a class="heading-anchor" href="#\1">', html)
        assert section_ids, guide.key
        for section in section_ids:
            assert f'href="#{section}"' in toc


def test_the_four_step_sections_have_their_stable_keys(site):
    html = (site / "guides" / "four-habits" / "index.html").read_text()
    for key in ("step-timeline-asked", "step-thank-you", "step-follow-up", "step-move-on"):
        assert f'<h2 id="{key}">' in html


def test_cross_links_resolve_to_clean_urls(site):
    html = (site / "guides" / "four-habits" / "index.html").read_text()
    assert 'href="../thank-you-note/"' in html or 'href="../thank-you-note/#' in html
    assert "@guide:" not in html and ".md" not in re.sub(
        r"<p[^>]*>.*?</p>", "", html.split("<main")[0]
    )
    for page in site.rglob("*.html"):
        assert "@guide:" not in page.read_text(), page


def test_no_page_carries_inline_script_or_style(site):
    """The pages' Content-Security-Policy refuses both: anything inline would not work."""
    for page in site.rglob("*.html"):
        html = page.read_text()
        assert 'http-equiv="Content-Security-Policy"' in html, page
        if page.name == "404.html":  # one script of ours, which its policy allows by hash
            assert f"'sha256-{FIND_ROOT_HASH}'" in html.replace("&#39;", "'")
            html = html.replace(f'<script data-root="/">{FIND_ROOT_JS}</script>', "")
        # JSON-LD is data, not script: the policy does not apply to it.
        assert not re.search(r'<script(?![^>]*\b(?:src=|type="application/ld\+json"))[^>]*>', html)
        assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=", html), page


def test_no_link_is_empty(site):
    """The home page's links to itself are "./", not "" (which some tools read as no link)."""
    for page in site.rglob("*.html"):
        assert 'href=""' not in page.read_text(), page
    assert '<a class="brand" href="./">' in (site / "index.html").read_text()


def test_each_habit_says_what_to_do_under_a_heading(site):
    html = (site / "guides" / "four-habits" / "index.html").read_text()
    for key in ("timeline-to-do", "thank-you-to-do", "follow-up-to-do", "move-on-to-do"):
        assert f'<h3 id="{key}"><a class="heading-anchor" href="#{key}">What to do</a></h3>' in html
    assert "<strong>What to do</strong>" not in html


def test_every_internal_link_lands_on_a_file_and_anchor(site):
    for page in site.rglob("*.html"):
        if page.name == "404.html":
            continue
        html = page.read_text()
        for href in re.findall(r'href="([^"]+)"', html):
            if re.match(r"^(https?:|mailto:|tel:)", href):
                continue
            path, _, fragment = href.partition("#")
            target = (page.parent / path).resolve() if path else page
            if target.is_dir():
                target = target / "index.html"
            assert target.is_file(), f"{page.relative_to(site)} links to missing {href}"
            if fragment:
                assert f'id="{fragment}"' in target.read_text(), (
                    f"{page.relative_to(site)}: #{fragment}"
                )


def test_index_by_audience_and_tag(site):
    index = (site / "guides" / "index.html").read_text()
    assert "For candidates" in index and "For recruiters" in index
    for guide in GUIDES:
        assert f'href="../guides/{guide.key}/"' in index
        for tag in guide.tags:
            assert guide.key in (site / "tags" / tag / "index.html").read_text()


def test_home_page_and_meta(site):
    home = (site / "index.html").read_text()
    assert '<meta property="og:title"' in home and '<meta name="description"' in home
    assert '<link rel="canonical" href="https://advice.finchleylane.example/">' in home
    assert '<a class="skip-link" href="#main">' in home and '<main id="main"' in home


def test_no_external_resources_are_referenced(site):
    for page in list(site.rglob("*.html")) + list(site.rglob("*.css")) + list(site.rglob("*.js")):
        text = page.read_text()
        for attr in re.findall(r'(?:src|href)="(https?://[^"]+)"', text):
            if attr.startswith("https://portal.finchleylane.example/apply/"):
                assert f'<a class="button primary" href="{attr}">' in text  # a link to apply
                continue
            assert attr.startswith("https://advice.finchleylane.example/"), f"{page}: {attr}"
        assert "@import" not in text and "url(http" not in text


def test_search_index_holds_every_section_of_every_guide(site):
    script = (site / "search-index.js").read_text()
    docs = json.loads(script.removeprefix("window.GUIDE_SEARCH_INDEX = ").rstrip().rstrip(";"))
    sections = [d for d in docs if d["audience"] != "job"]
    assert {d["url"] for d in sections} == {f"guides/{g.key}/" for g in GUIDES}
    by_id = {d["id"]: d for d in sections}
    timeline = by_id["ask-about-the-timeline#timeline-why"]
    assert timeline["title"] == "Why ask before you leave"
    assert timeline["guide"] == "Ask about the timeline before you leave"
    assert timeline["anchor"] == "timeline-why" and "decision date" in timeline["text"]
    # Each section's words are its own: the next section's are not in them.
    assert "Why ask before you leave" not in by_id["ask-about-the-timeline"]["text"]
    assert (site / "static" / "vendor" / "minisearch" / "minisearch.js").is_file()


def test_sitemap_and_feed_are_valid_xml_with_the_right_urls(site):
    sitemap = ET.parse(site / "sitemap.xml").getroot()
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = {loc.text for loc in sitemap.findall("s:url/s:loc", ns)}
    undated = [
        u.find("s:loc", ns).text
        for u in sitemap.findall("s:url", ns)
        if u.find("s:lastmod", ns) is None
    ]
    assert undated == []  # search and tag pages too: each changes with the guides it lists
    tag = next(
        u for u in sitemap.findall("s:url", ns) if "/tags/follow-up/" in u.find("s:loc", ns).text
    )
    assert (
        tag.find("s:lastmod", ns).text
        == max(g.updated for g in GUIDES if "follow-up" in g.tags).isoformat()
    )
    for guide in GUIDES:
        assert f"https://advice.finchleylane.example/guides/{guide.key}/" in locs
    feed = ET.parse(site / "feed.xml").getroot()
    atom = {"a": "http://www.w3.org/2005/Atom"}
    entries = feed.findall("a:entry", atom)
    assert len(entries) == len(GUIDES)
    assert (
        feed.find("a:updated", atom).text
        == f"{max(g.updated for g in GUIDES).isoformat()}T00:00:00Z"
    )
    assert all(
        e.find("a:id", atom).text.startswith("https://advice.finchleylane.example/guides/")
        for e in entries
    )
    robots = (site / "robots.txt").read_text()
    assert "Sitemap: https://advice.finchleylane.example/sitemap.xml" in robots


def test_404_page_uses_site_root_links(site):
    page = (site / "404.html").read_text()
    assert 'href="/guides/"' in page and "That page is not here" in page


def test_site_only_build_offers_no_pdf_links(site):
    assert not (site / "pdf").exists()
    assert ".pdf" not in (site / "guides" / "four-habits" / "index.html").read_text()
