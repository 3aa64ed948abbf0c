"""Odd content gets a located problem, never a traceback; the cache never serves a stale file.

Each case here once crashed, pointed at the wrong line, or let something through.
"""

from datetime import date
from pathlib import Path

import pytest

from build_helpers import CONTENT, copy_content, quiet_build
from sitebuilder import BuildError
from sitebuilder.content import GuideCard, GuideSource, read_guides, read_settings
from sitebuilder.pages import environment, print_handbook
from sitebuilder.render import GuideRenderer

GUIDE = "guides/thank-you-note.md"
SITE = frozenset({"site"})


@pytest.fixture
def content(tmp_path) -> Path:
    return copy_content(tmp_path)


def _set(content: Path, rel: str, old: str, new: str) -> None:
    path = content / rel
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def _problems(content: Path, out: Path, **options) -> list[str]:
    with pytest.raises(BuildError) as caught:
        quiet_build(content, out, **options)
    return [str(p) for p in caught.value.problems]


def _line(content: Path, rel: str, needle: str, occurrence: int = 1) -> int:
    hits = [
        n for n, line in enumerate((content / rel).read_text().split("\n"), 1) if needle in line
    ]
    return hits[occurrence - 1]


@pytest.mark.parametrize(
    "old, new, needle, message",
    [
        (
            "updated: 2026-11-12",
            "updated: 2024-02-30",
            "updated:",
            "field 'updated' has a value that cannot be read",
        ),
        ("order: 3", "order: !!int abc", "order:", "field 'order' has a value that cannot be read"),
        (
            "updated: 2026-11-12",
            "updated: !!timestamp nope",
            "updated:",
            "field 'updated' has a value that cannot be read",
        ),
        (
            "updated: 2026-11-12",
            "updated: 2024-01-01 10:00:00",
            "updated:",
            "field 'updated' must be a date",
        ),
        ("order: 3", "? [x, y]\n: 1\norder: 3", "? [x, y]", "field names are plain words"),
    ],
)
def test_odd_front_matter_is_located(content, tmp_path, old, new, needle, message):
    _set(content, GUIDE, old, new)
    problems = _problems(content, tmp_path / "out", formats=SITE)
    assert any(
        p.startswith(f"{GUIDE}:{_line(content, GUIDE, needle)}: {message}") for p in problems
    ), problems


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("language: en-CA", "language: en-CA\n1: x", "site.yml:7: field names are plain words"),
        ("language: en-CA", "language: en-CA\nyes: x", "site.yml:7: field names are plain words"),
        ("    - coaching-follow-up", "    - {a: 1}", "handbook guides are listed by key"),
        ("language: en-CA", "language: 'en\" x=\"1'", "language must be a tag like en-CA"),
    ],
)
def test_odd_settings_are_located(content, tmp_path, old, new, message):
    _set(content, "site.yml", old, new)
    problems = _problems(content, tmp_path / "out", formats=SITE)
    assert any(message in p for p in problems), problems


def test_settings_not_in_utf8(content, tmp_path):
    (content / "site.yml").write_bytes(
        (content / "site.yml").read_bytes().replace(b"Finchley", "Finchl\xe9y".encode("latin-1"))
    )
    assert _problems(content, tmp_path / "out", formats=SITE) == [
        "site.yml:2: not valid UTF-8 text"
    ]


def test_a_control_character_is_refused_where_it_is(content, tmp_path):
    _set(content, GUIDE, "title: Writing", "title: Writ\x1bing")
    assert _problems(content, tmp_path / "out", formats=SITE) == [
        f"{GUIDE}:2: contains a control character ('\\x1b') that cannot be shown"
    ]


def test_an_alias_bomb_gives_a_short_message(content, tmp_path):
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]" for n in range(1, 9)]
    _set(content, GUIDE, "title: Writing the thank-you note", "\n".join(levels) + "\ntitle: *a8")
    problems = _problems(content, tmp_path / "out", formats=SITE)
    assert sum(len(p) for p in problems) < 5000


def test_a_byte_order_mark_is_accepted(content, tmp_path):
    path = content / GUIDE
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    quiet_build(content, tmp_path / "out", formats=SITE)
    assert (
        "Writing the thank-you note"
        in (tmp_path / "out/site/guides/thank-you-note/index.html").read_text()
    )


def test_a_guide_that_is_only_front_matter(content, tmp_path):
    text = (
        "---\ntitle: Empty\nsummary: Nothing yet.\naudience: candidate\norder: 9\ntags: [x]\n"
        "updated: 2026-11-01\nkey: empty\n---\n"
    )
    (content / "guides/empty.md").write_text(text)
    assert _problems(content, tmp_path / "out", formats=SITE) == [
        "guides/empty.md:9: the guide has no ## sections"
    ]


def test_attribute_lists_cannot_add_event_handlers(content, tmp_path):
    _set(
        content,
        GUIDE,
        "## Choosing",
        'Click me\n{: onclick="alert(1)" style="position:fixed" }\n\n## Choosing',
    )
    problems = _problems(content, tmp_path / "out", formats=SITE)
    line = _line(content, GUIDE, "onclick=")
    assert (
        f"{GUIDE}:{line}: the attribute 'onclick' is not allowed (set allow_raw_html: true in site.yml to permit it)"
        in problems
    )
    assert any("'style' is not allowed" in p for p in problems)


@pytest.mark.parametrize(
    "href", ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<p>x</p>"]
)
@pytest.mark.parametrize("attributes", ["", "{: .heading-anchor }", '{: class="heading-anchor" }'])
def test_a_script_or_data_link_is_refused_whatever_its_class(content, tmp_path, href, attributes):
    """The heading's own link is the one link not checked; an author's link dressed in its
    class once slipped through to the site, the portal's advice and the handout."""
    _set(content, GUIDE, "## Choosing", f"[Read this]({href}){attributes}\n\n## Choosing")
    problems = _problems(content, tmp_path / "out", formats=SITE)
    line = _line(content, GUIDE, "[Read this]")
    assert any(p.startswith(f"{GUIDE}:{line}: link {href!r}") for p in problems), problems


def test_a_column_alignment_becomes_a_class_not_an_inline_style(content):
    _set(
        content,
        GUIDE,
        "## Choosing",
        "| Step | Days |\n|:-----|-----:|\n| Thank-you | 1 |\n\n## Choosing",
    )
    [guide] = [g for g in read_guides(content) if g.path == GUIDE]
    html = GuideRenderer().render(guide).html
    assert '<th class="align-left">Step</th>' in html and '<td class="align-right">1</td>' in html
    assert "style=" not in html


def test_raw_html_after_code_that_shows_it_is_located(content, tmp_path):
    _set(
        content, GUIDE, "## Choosing", "Use `<b>` for bold.\n\nBut not <b>here</b>.\n\n## Choosing"
    )
    problems = _problems(content, tmp_path / "out", formats=SITE)
    assert (
        f"{GUIDE}:{_line(content, GUIDE, 'not <b>here')}: raw HTML '<b>' is not allowed"
        in " ".join(problems)
    )


def test_a_key_used_twice_in_one_guide_points_at_the_second(content, tmp_path):
    _set(
        content,
        GUIDE,
        "## Choosing the channel {#thanks-channel}",
        "## Choosing the channel {#thanks-why}",
    )
    problems = _problems(content, tmp_path / "out", formats=SITE)
    assert (
        f"{GUIDE}:{_line(content, GUIDE, '{#thanks-why}', 2)}: section key 'thanks-why' is used twice in this guide"
        in problems
    )


def test_a_key_taken_from_another_guide_blames_the_edited_guide_in_an_incremental_build(
    content, tmp_path
):
    out = tmp_path / "out"
    quiet_build(content, out, formats=SITE)
    _set(
        content,
        GUIDE,
        "## Choosing",
        "## A copied section {#step-thank-you}\n\nText.\n\n## Choosing",
    )
    problems = _problems(content, out, formats=SITE)
    assert problems == [
        f"{GUIDE}:{_line(content, GUIDE, '{#step-thank-you}')}: section key 'step-thank-you' is already used in guides/four-habits.md"
    ]


def test_pdf_only_then_site_and_pdf(content, tmp_path):
    out = tmp_path / "out"
    quiet_build(content, out, formats=frozenset({"pdf"}))
    quiet_build(content, out)
    assert (out / "site/pdf/handbook.pdf").read_bytes() == (out / "pdf/handbook.pdf").read_bytes()
    (out / "site/pdf/four-habits.pdf").unlink()
    quiet_build(content, out)
    assert (out / "site/pdf/four-habits.pdf").read_bytes() == (
        out / "pdf/four-habits.pdf"
    ).read_bytes()


def test_a_deleted_output_is_made_again(content, tmp_path):
    out = tmp_path / "out"
    quiet_build(content, out, formats=SITE)
    (out / "site/index.html").unlink()
    report = quiet_build(content, out, formats=SITE)
    assert not report.unchanged and (out / "site/index.html").is_file()


def test_a_failed_first_build_leaves_no_output_folder(content, tmp_path):
    _set(content, GUIDE, "## Choosing", "See [x](nowhere.md).\n\n## Choosing")
    _problems(content, tmp_path / "out", formats=SITE)
    assert not (tmp_path / "out").exists()
    assert list(tmp_path.glob(".out.*")) == []


def test_a_failed_incremental_build_changes_nothing_at_all(content, tmp_path):
    out = tmp_path / "out"
    quiet_build(content, out, formats=SITE)
    everything = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (content / "guides/new-guide.md").write_text("---\ntitle: New\n---\n")
    _problems(content, out, formats=SITE)
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == everything


def test_handbook_links_to_guides_outside_it_go_to_the_website(tmp_path):
    content = copy_content(tmp_path)
    settings = read_settings(content)
    guides = {g.key: g for g in read_guides(content)}
    renderer = GuideRenderer()
    rendered = {key: renderer.render(g) for key, g in guides.items()}
    chapters = [GuideCard.of(guides["four-habits"])]
    html = print_handbook(
        environment(), settings, chapters, rendered, guides["four-habits"].updated, "2026-01-01"
    )
    assert 'href="https://advice.finchleylane.example/guides/thank-you-note/' in html
    assert 'href="#step-' not in html or 'id="step-' in html


def test_quotes_apostrophes_and_dashes_are_typographic_outside_code(content, tmp_path):
    """As Python-Markdown's smarty does: prose gets “curly” quotes, ’ and dashes; code spans
    and blocks keep what was typed, and the search text and headings carry the characters."""
    _set(
        content,
        GUIDE,
        "## ",
        '## The "first" note\'s timing -- and why {#odd-quotes}\n\nIt\'s "short" -- really --- '
        "short. Type `it's \"raw\" -- here` as it is.\n\n```\nkeep 'these' -- as typed\n```\n\n## ",
    )
    out = tmp_path / "dist"
    quiet_build(content, out, formats=SITE)
    page = (out / "site" / "guides" / "thank-you-note" / "index.html").read_text()
    assert "It’s “short” – really — short." in page
    assert '<code>it\'s "raw" -- here</code>' in page.replace("&quot;", '"').replace("&#39;", "'")
    assert "keep 'these' -- as typed" in page.replace("&#39;", "'")
    assert 'href="#odd-quotes">The “first” note’s timing – and why</a>' in page  # the contents
    index = (out / "site" / "search-index.js").read_text()
    assert "It’s “short” – really — short." in index
    assert "The “first” note’s timing – and why" in index


SMARTY_CASES = [
    'He said "hi" to me.',
    "It's the candidate's note, from the '90s.",
    '"Quoted *emphasis* here," she said.',
    '*"Emphasis quoted"* then',
    "Dashes -- and --- too...",
    "Don't 'quote' me (\"bracketed\") or rock 'n' roll",
    '**Bold:** "Thanks for today." ["link"](https://example.com/) "Why?" she asked.',
]


def _words(html_text: str) -> str:
    import html
    import re

    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", html_text)).split())


@pytest.mark.parametrize("text", SMARTY_CASES)
def test_typography_matches_python_markdowns_smarty(text):
    """smarty is the reference; ours works in the guide's own pass, at half the cost."""
    import markdown

    source = GuideSource(
        path="guides/g.md", key="g", title="G", summary="S", audience="candidate", order=1,
        tags=(), updated=date(2026, 1, 1),
        body=f"## Heading {{#h}}\n\n{text}\n", body_line=1, digest="",
    )  # fmt: skip
    ours = GuideRenderer().render(source).html.split("</h2>", 1)[1]
    reference = markdown.markdown(text, extensions=["smarty"])
    assert _words(ours) == _words(reference)


def test_every_guide_reads_as_smarty_would_set_it():
    import markdown

    extensions = ["attr_list", "tables", "fenced_code", "sane_lists", "smarty"]
    renderer = GuideRenderer()
    for source in read_guides(CONTENT):
        ours = renderer.render(source).html.replace('class="heading-anchor" ', "")
        reference = markdown.markdown(source.body, extensions=extensions)
        assert _words(ours) == _words(reference), source.key


INLINE_CASES = [
    "Two spaces end this line  \nand the next follows.",
    "An entity &amp; a bare & and &copy; here.",
    "An autolink <https://example.com/a--b> and <someone@example.com>.",
    "Escaped \\*stars\\* and \\_lines\\_ and a backslash \\\\ too.",
    'Code `it\'s -- "raw"` and ``double ` tick``.',
    "*em* and _em_ and **strong** and ***both*** and a * b _ c.",
    "A [link](thank-you-note.md#thanks-why) and a [missing](nowhere.md).",
    "An image ![alt](picture.png) is refused.",
    "Raw <b>bold</b> HTML is refused.",
    "Plain words with 'quotes' -- dashes... and nothing else.",
    "- a list item with *emphasis*\n- and a plain one\n\n| a | b |\n| --- | --- |\n| plain | *em* |",
    # Blocks, each next to prose that merely looks like it (the block processors' shortcuts)
    "### A heading {#a-heading}\n\nA paragraph with # a hash and a [link](#a-heading).",
    "A setext heading\n================\n\nAnother one\n-----------\n\nProse - with - dashes.",
    "Rules:\n\n---\n\n* * *\n\n_  _  _\n\n-  -  -\n\nAnd follow-up after-hours check-in.",
    "> A quote\n> on two lines\n\nMore > less, and a>b.",
    "| one |\n| --- |\n| single column |\n\nA | pipe in prose.",
    (
        'A [reference link][ref] and [another][].\n\n[ref]: https://example.com/ref "Title"\n'
        "[another]: https://example.com/another"
    ),
    "```\ncode -- 'as typed' \\*\n```\n\n~~~ text\nmore\n~~~\n\nAnd ``` in prose.",
    "A backslash \\ alone, \\# and \\| escaped.",
]


@pytest.mark.parametrize("text", INLINE_CASES)
def test_passing_by_what_cannot_match_changes_nothing(text):
    """Text without inline markup skips Python-Markdown's inline pass, a block without a
    block processor's mark skips its pattern, a guide without a backslash skips the
    unescaping; the pages, words, sections and problems are what the full passes give."""
    source = GuideSource(
        path="guides/g.md", key="g", title="G", summary="S", audience="candidate", order=1,
        tags=(), updated=date(2026, 1, 1), body=f"## Heading {{#h}}\n\n{text}\n", body_line=1,
        digest="",
    )  # fmt: skip
    assert _same(GuideRenderer().render(source), GuideRenderer(shortcuts=False).render(source))


def test_passing_by_what_cannot_match_changes_no_guide(tmp_path):
    """Our guides and the benchmark's 300, alike with and without the shortcuts."""
    from bench.synthetic_corpus import write_corpus

    fast, full = GuideRenderer(), GuideRenderer(shortcuts=False)
    corpus = write_corpus(tmp_path / "corpus", 300)
    for source in [*read_guides(CONTENT), *read_guides(corpus)]:
        assert _same(fast.render(source), full.render(source)), source.key


def _same(one, other) -> bool:
    """Two renderings alike (a Problem compares by its words)."""
    from dataclasses import replace

    return replace(one, problems=tuple(map(str, one.problems))) == replace(
        other, problems=tuple(map(str, other.problems))
    )


def test_an_autolinked_email_address_is_a_link_like_any_other():
    source = GuideSource(
        path="guides/g.md", key="g", title="G", summary="S", audience="candidate", order=1,
        tags=(), updated=date(2026, 1, 1), body="## H {#h}\n\nWrite to <someone@example.com>.\n",
        body_line=1, digest="",
    )  # fmt: skip
    rendered = GuideRenderer().render(source)
    assert rendered.problems == ()
    assert "someone@example.com" in rendered.text
