"""Turning rendered guides into the site's pages and the PDFs' print HTML.

Pure: plain values in, strings out. Each function documents what its output depends on,
because the builder's cache keys are made from exactly those values.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
import re
from datetime import date
from html import escape  # for XML too: its five special characters
from urllib.parse import urlsplit

from jinja2 import BytecodeCache, Environment, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.bccache import Bucket
from markupsafe import Markup

from design import STYLESHEETS

from .content import AUDIENCE_LABELS, TEMPLATES, GuideCard, Settings
from .postings import Postings
from .render import GUIDE_LINK, RenderedGuide, Section

GUIDE_LINK_RE = re.compile(r'href="' + re.escape(GUIDE_LINK) + r'([a-z0-9-]+)(?:#([^"]*))?"')


def sort_cards(cards) -> list[GuideCard]:
    return sorted(cards, key=lambda c: (c.audience != "candidate", c.order, c.key))


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def site_url(url: str, root: str) -> str:
    """Nav URLs in site.yml are written from the site root ('/guides/'): make them relative."""
    if re.match(r"^[a-z]+:", url):
        return url
    return root + url.lstrip("/") or "./"  # the home page's link to itself


class StagedBytecodeCache(BytecodeCache):
    """Compiled templates read from one folder (the last build) and written to another (this one)."""

    def __init__(self, read_from: str, write_to: str):
        self.read_from, self.write_to = read_from, write_to

    def load_bytecode(self, bucket: Bucket) -> None:
        for folder in (self.write_to, self.read_from):
            path = os.path.join(folder, f"{bucket.key}.cache")
            if os.path.exists(path):
                with open(path, "rb") as fh:
                    bucket.load_bytecode(fh)
                return

    def dump_bytecode(self, bucket: Bucket) -> None:
        os.makedirs(self.write_to, exist_ok=True)
        path = os.path.join(self.write_to, f"{bucket.key}.cache")
        with open(f"{path}.{os.getpid()}", "wb") as fh:
            bucket.write_bytecode(fh)
        os.replace(f"{path}.{os.getpid()}", path)


def css_string(text: str) -> Markup:
    """Text for a CSS string in double quotes (backslashes, quotes and line breaks escaped)."""
    escaped = "".join(c if c.isalnum() or c in " .,-'&()" else f"\\{ord(c):x} " for c in text)
    # Every character not plainly safe is escaped (bandit B704 reviewed).
    return Markup(escaped)  # nosec B704


# The portal's policy (portal/web/headers.py), as a <meta> the pages carry wherever they are
# served from, a folder on disk included: nothing runs or loads but the site's own files.
# frame-ancestors cannot be set from a <meta>; the web server's headers can add it.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'"
)


@functools.lru_cache(maxsize=2)
def environment(template_cache: tuple[str, str] | None = None) -> Environment:
    """Jinja set up for the templates; ``template_cache`` is (read from, write to) for compiled ones.

    Made once per cache folder in a process: a process that builds again (serve) keeps its
    compiled templates, and Jinja still reloads a template whose file changed."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        bytecode_cache=StagedBytecodeCache(*template_cache) if template_cache else None,
        autoescape=select_autoescape(["html", "xml"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["long_date"] = long_date
    env.filters["site_url"] = site_url
    env.filters["css_string"] = css_string
    # The design system's stylesheets in their order (copied to static/ with the rest of
    # design/, whose files, __init__.py included, are part of every page's cache key).
    env.globals["design_stylesheets"] = STYLESHEETS
    env.globals["content_security_policy"] = CONTENT_SECURITY_POLICY
    return env


def resolve_guide_links(
    html: str, mode: str, own_key: str, base_url: str = "", inside: frozenset[str] = frozenset()
) -> str:
    """Replace ``@guide:KEY#FRAG`` links for a site page, a single-guide PDF or the handbook.

    In the handbook, links to its own chapters stay inside it (``inside``); others go to the website.
    """

    def replace(match: re.Match) -> str:
        key, fragment = match.group(1), match.group(2)
        if mode == "site":
            path = "" if key == own_key else f"../{key}/"
            return f'href="{path}#{fragment}"' if fragment else f'href="{path or "./"}"'
        if mode == "handbook" and key in inside:
            return f'href="#{fragment or "guide-" + key}"'
        url = f"{base_url}guides/{key}/"  # a PDF's links to other guides go to the website
        if key == own_key and fragment and mode == "pdf":
            return f'href="#{fragment}"'
        return f'href="{url}#{fragment}"' if fragment else f'href="{url}"'

    return GUIDE_LINK_RE.sub(replace, html)


def _toc(rendered: RenderedGuide) -> list[dict]:
    toc: list[dict] = []
    for heading in rendered.headings:
        entry = {"id": heading.id, "title": heading.title, "children": []}
        if heading.level == 2 or not toc:
            toc.append(entry)
        else:
            toc[-1]["children"].append(entry)
    return toc


def render_page(
    env: Environment, template: str, settings: Settings, root: str, url: str, **context
) -> str:
    return env.get_template(template).render(
        settings=settings,
        root=root,
        current_url=url,
        canonical=settings.base_url + url.lstrip("/"),
        **context,
    )


def guide_page(
    env, settings: Settings, card: GuideCard, rendered: RenderedGuide, pdf: bool, jobs: bool
) -> str:
    """``jobs``: whether the site has open jobs to end the guide with a link to."""
    # Our guides, raw HTML refused (bandit B704 reviewed).
    body = Markup(resolve_guide_links(rendered.html, "site", card.key))  # nosec B704
    return render_page(
        env,
        "guide.html",
        settings,
        "../../",
        f"/guides/{card.key}/",
        page_title=card.title,
        description=card.summary,
        og_type="article",
        guide=card,
        toc=_toc(rendered),
        body=body,
        pdf=pdf,
        jobs=jobs,
    )


def home_page(env, settings: Settings, cards: list[GuideCard], handbook: bool) -> str:
    cards = sort_cards(cards)
    candidates = [c for c in cards if c.audience == "candidate"]
    start, rest = (candidates[0], candidates[1:]) if candidates else (None, [])
    return render_page(
        env,
        "home.html",
        settings,
        "",
        "/",
        page_title="Home",
        description=settings.tagline or settings.title,
        start=start,
        candidate_guides=rest,
        recruiter_guides=[c for c in cards if c.audience == "recruiter"],
        handbook=handbook,
    )


def tag_counts(cards: list[GuideCard]) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for card in cards:
        for tag in card.tags:
            counts[tag] = counts.get(tag, 0) + 1
    return sorted(counts.items())


def guides_index(env, settings: Settings, cards: list[GuideCard]) -> str:
    cards = sort_cards(cards)
    by_audience = [
        (a, label, [c for c in cards if c.audience == a]) for a, label in AUDIENCE_LABELS.items()
    ]
    return render_page(
        env,
        "guides.html",
        settings,
        "../",
        "/guides/",
        page_title="All guides",
        description=f"Every guide from {settings.agency_name}, for candidates and for recruiters.",
        by_audience=[group for group in by_audience if group[2]],
        tags=tag_counts(cards),
    )


def tag_page(env, settings: Settings, tag: str, cards: list[GuideCard]) -> str:
    return render_page(
        env,
        "tag.html",
        settings,
        "../../",
        f"/tags/{tag}/",
        page_title=f"Topic: {tag}",
        description=f"Guides about {tag}.",
        tag=tag,
        guides=sort_cards(cards),
    )


def search_page(env, settings: Settings, jobs: bool = False) -> str:
    """``jobs``: the index holds the open jobs too."""
    return render_page(
        env,
        "search.html",
        settings,
        "../",
        "/search/",
        page_title="Search",
        description=f"Search the guides{' and open jobs' if jobs else ''} from "
        f"{settings.agency_name}.",
        jobs=jobs,
    )


# The 404 page is served for a missing path at any depth, from wherever the site lives. Its
# links start from base_url's path; when the site is served from another folder, this
# script finds the folder (the nearest one above holding 404.html) and points the page's
# links and stylesheets there. Inline, allowed by its hash alone: nothing else may run.
FIND_ROOT_JS = """(function () {
  "use strict";
  var assumed = document.currentScript.getAttribute("data-root");
  var parts = window.location.pathname.split("/");
  parts.pop();
  var tries = [];
  for (var n = parts.length; n >= 1; n--) tries.push(parts.slice(0, n).join("/") + "/");
  function rebase(root) {
    var nodes = document.querySelectorAll("a[href], link[href]");
    for (var i = 0; i < nodes.length; i++) {
      var href = nodes[i].getAttribute("href");
      if (href.indexOf(assumed) === 0) nodes[i].setAttribute("href", root + href.slice(assumed.length));
    }
  }
  function next(i) {
    if (i >= tries.length || tries[i] === assumed || window.location.protocol === "file:") return;
    fetch(tries[i] + "404.html", { method: "HEAD" }).then(function (answer) {
      if (answer.ok) rebase(tries[i]); else next(i + 1);
    }, function () { next(i + 1); });
  }
  next(0);
})();"""
FIND_ROOT_HASH = base64.b64encode(hashlib.sha256(FIND_ROOT_JS.encode()).digest()).decode()


def not_found_page(env, settings: Settings) -> str:
    root = urlsplit(settings.base_url).path or "/"
    return render_page(
        env,
        "404.html",
        settings,
        root,
        "/404.html",
        page_title="Page not found",
        description="This page is not here.",
        csp=CONTENT_SECURITY_POLICY.replace(
            "script-src 'self'", f"script-src 'self' 'sha256-{FIND_ROOT_HASH}'"
        ),
        find_root_js=Markup(FIND_ROOT_JS),  # nosec B704  (a constant of ours, allowed by its hash)
    )


def search_index_js(
    cards: list[GuideCard], rendered: dict[str, RenderedGuide], postings: Postings | None = None
) -> str:
    """The search index as a script (it loads from disk too): a document per section of
    every guide, with the guide's title and the section's key, and one per open job."""
    docs = []
    for card in sort_cards(cards):
        guide = rendered[card.key]
        for section in guide.sections or (Section("", "", guide.text),):
            docs.append(
                {
                    "id": f"{card.key}#{section.key}" if section.key else card.key,
                    "url": f"guides/{card.key}/",
                    "anchor": section.key,
                    "guide": card.title,
                    "title": section.title or card.title,
                    "summary": "" if section.key else card.summary,
                    "audience": card.audience,
                    "tags": " ".join(card.tags),
                    "text": section.text,
                }
            )
    docs += [
        {
            "id": f"job-{posting.job_id}",
            "url": posting.url,
            "anchor": "",
            "guide": "Open job",
            "title": posting.title,
            "summary": " · ".join(
                [posting.employer, posting.location] + ([posting.pay.words] if posting.pay else [])
            ),
            "audience": "job",
            "tags": posting.practice_area,
            "text": posting.text,
        }
        for posting in (postings.postings if postings else ())
    ]
    payload = json.dumps(docs, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return f"window.GUIDE_SEARCH_INDEX = {payload};\n"


def sitemap(
    settings: Settings, cards: list[GuideCard], tags: list[str], postings: Postings | None = None
) -> str:
    newest = max(c.updated for c in cards).isoformat()
    # search/ searches every guide, a tag's page lists its guides: each changes with them.
    entries: list[tuple[str, str | None]] = [("", newest), ("guides/", newest), ("search/", newest)]
    entries += [(f"guides/{c.key}/", c.updated.isoformat()) for c in sort_cards(cards)]
    entries += [
        (f"tags/{t}/", max(c.updated for c in cards if t in c.tags).isoformat()) for t in tags
    ]
    if postings is not None:
        jobs = list(postings.postings)
        entries.append(("jobs/", jobs[0].published_on.isoformat() if jobs else None))
        entries += [
            (f"jobs/{facet}/{slug}/", max(p.published_on for p in chosen).isoformat())
            for facet, slug, _label, chosen in postings.facet_values
        ]
        entries += [(p.url, p.published_on.isoformat()) for p in jobs]
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for path, lastmod in entries:
        lines.append(
            f"  <url><loc>{escape(settings.base_url + path)}</loc>"
            + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "")
            + "</url>"
        )
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def atom_feed(settings: Settings, cards: list[GuideCard]) -> str:
    newest = sorted(cards, key=lambda c: (c.updated, c.key), reverse=True)
    updated = f"{newest[0].updated.isoformat()}T00:00:00Z"

    def e(text: str) -> str:
        return escape(text)

    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{e(settings.language)}">',
        f"  <title>{e(settings.title)}</title>",
        f"  <subtitle>{e(settings.tagline)}</subtitle>",
        f'  <link rel="self" href="{e(settings.base_url)}feed.xml"/>',
        f'  <link rel="alternate" href="{e(settings.base_url)}"/>',
        f"  <id>{e(settings.base_url)}</id>",
        f"  <updated>{updated}</updated>",
        f"  <author><name>{e(settings.author)}</name></author>",
    ]
    for card in newest:
        url = f"{settings.base_url}guides/{card.key}/"
        lines += [
            "  <entry>",
            f"    <title>{e(card.title)}</title>",
            f'    <link rel="alternate" href="{e(url)}"/>',
            f"    <id>{e(url)}</id>",
            f"    <updated>{card.updated.isoformat()}T00:00:00Z</updated>",
            f"    <summary>{e(card.summary)}</summary>",
            *[f'    <category term="{e(t)}"/>' for t in card.tags],
            "  </entry>",
        ]
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


def robots_txt(settings: Settings) -> str:
    return f"User-agent: *\nAllow: /\n\nSitemap: {settings.base_url}sitemap.xml\n"


# Print HTML for the PDFs ----------------------------------------------------------------


def print_guide(
    env, settings: Settings, card: GuideCard, rendered: RenderedGuide, stamp: str
) -> str:
    # Our guides, raw HTML refused (bandit B704 reviewed).
    body = Markup(resolve_guide_links(rendered.html, "pdf", card.key, settings.base_url))  # nosec B704
    return env.get_template("print_guide.html").render(
        settings=settings,
        guide=card,
        body=body,
        doc_title=card.title,
        description=card.summary,
        keywords=", ".join(card.tags),
        stamp=stamp,
        body_class="single",
    )


def print_handbook(
    env,
    settings: Settings,
    cards: list[GuideCard],
    rendered: dict[str, RenderedGuide],
    edition: date,
    stamp: str,
) -> str:
    handbook = settings.handbook
    if handbook is None:
        raise ValueError("site.yml has no handbook to print")
    inside = frozenset(c.key for c in cards)
    chapters = []
    for c in cards:
        html = resolve_guide_links(
            rendered[c.key].html, "handbook", c.key, settings.base_url, inside
        )
        chapters.append((c, Markup(html)))  # nosec B704  (our guides, raw HTML refused)
    return env.get_template("print_handbook.html").render(
        settings=settings,
        handbook=handbook,
        guides=cards,
        chapters=chapters,
        edition=edition,
        doc_title=handbook.title,
        description=handbook.subtitle or handbook.title,
        keywords=", ".join(sorted({t for c in cards for t in c.tags})),
        stamp=stamp,
        body_class="handbook",
    )
