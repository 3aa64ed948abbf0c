"""The built site in a real Chromium: search from disk, no outside requests, phone width."""

import contextlib
import re
import shutil
import threading
import time
import urllib.error
import urllib.request
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import expect

from build_helpers import copy_content
from conftest import screenshot
from sitebuilder import BuildConfig
from sitebuilder.pages import CONTENT_SECURITY_POLICY
from sitebuilder.serve import serve

pytestmark = pytest.mark.browser


@pytest.fixture
def tab(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.outside = []
    page.on("request", lambda r: r.url.startswith("file:") or page.outside.append(r.url))
    yield page
    context.close()


def test_search_works_from_a_folder_opened_on_disk(built_site, tab):
    tab.goto((built_site / "index.html").as_uri())
    tab.get_by_role("searchbox", name="Search the guides").fill("handwritten")
    tab.get_by_role("searchbox", name="Search the guides").press("Enter")
    expect(tab.get_by_role("status")).to_contain_text("match “handwritten”")
    first = tab.locator("[data-search-results] a").first
    expect(first).to_be_visible()
    first.click()
    expect(tab.get_by_role("heading", level=1)).to_be_visible()
    assert re.search(r"/index\.html(#[a-z0-9-]+)?$", tab.url)
    assert tab.outside == []


def test_search_finds_nothing_politely(built_site, tab):
    tab.goto((built_site / "search" / "index.html").as_uri() + "?q=zebracorn")
    expect(tab.get_by_role("status")).to_contain_text("No guide or job matches “zebracorn”")


def test_search_finds_open_jobs_and_says_so(built_site, tab):
    tab.goto((built_site / "search" / "index.html").as_uri() + "?q=conveyancer")
    expect(tab.get_by_role("status")).to_contain_text("guides and 1 open job match “conveyancer”")
    tab.get_by_role("link", name="Job: Conveyancer, part time").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Conveyancer, part time")


def test_links_work_when_opened_from_disk(built_site, tab):
    tab.goto((built_site / "index.html").as_uri())
    tab.get_by_role("navigation", name="Site").get_by_role("link", name="All guides").click()
    expect(tab.get_by_role("heading", name="All guides")).to_be_visible()
    tab.get_by_role("link", name="Writing the thank-you note").first.click()
    expect(tab.get_by_role("navigation", name="On this page")).to_be_visible()
    assert tab.outside == []


@pytest.fixture(scope="module")
def over_http(built_site):
    """The built site served over HTTP, as a web server would serve it."""
    handler = partial(QuietHandler, directory=str(built_site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def _base(where: str, built_site, over_http) -> str:
    return built_site.as_uri() + "/" if where == "disk" else over_http


def _refusals(tab) -> list[str]:
    refused: list[str] = []
    tab.on("console", lambda m: m.type == "error" and refused.append(m.text))
    return refused


@pytest.mark.parametrize("where", ["disk", "http"])
def test_the_content_security_policy_lets_the_site_work(built_site, over_http, tab, where):
    """The pages carry a policy as strict as the portal's, and everything of the site's own
    still loads and runs under it, opened from a folder or served."""
    refused = _refusals(tab)
    base = _base(where, built_site, over_http)
    for path in ("index.html", "guides/index.html", "guides/thank-you-note/index.html"):
        tab.goto(base + path)
        policy = tab.locator('meta[http-equiv="Content-Security-Policy"]')
        assert policy.get_attribute("content") == CONTENT_SECURITY_POLICY
        expect(tab.get_by_role("heading", level=1)).to_be_visible()
        assert tab.evaluate("getComputedStyle(document.body).fontFamily") != "Times New Roman"
    tab.goto(base + "search/index.html?q=handwritten")  # three scripts, one of them the index
    expect(tab.get_by_role("status")).to_contain_text("match “handwritten”")
    assert refused == []


@pytest.mark.parametrize("where", ["disk", "http"])
def test_the_content_security_policy_refuses_inline_script_and_style(
    built_site, over_http, tab, where
):
    """What slipped into a page (raw HTML a guide was allowed) neither runs nor styles."""
    page = (built_site / "index.html").read_text()
    probe = page.replace(
        "</body>",
        '<p id="probe" style="color: rgb(255, 0, 0)">x</p>'
        "<script>document.body.dataset.inline = 'ran'</script></body>",
    )
    (built_site / "csp-probe.html").write_text(probe)
    try:
        refused = _refusals(tab)
        tab.goto(_base(where, built_site, over_http) + "csp-probe.html")
        assert tab.evaluate("document.body.dataset.inline") is None
        assert tab.evaluate("getComputedStyle(document.getElementById('probe')).color") != (
            "rgb(255, 0, 0)"
        )
        assert any("Content Security Policy" in text for text in refused), refused
    finally:
        (built_site / "csp-probe.html").unlink()


def test_guide_page_on_a_phone_and_by_keyboard(built_site, tab):
    tab.set_viewport_size({"width": 390, "height": 844})
    tab.goto((built_site / "guides" / "ask-about-the-timeline" / "index.html").as_uri())
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390
    tab.keyboard.press("Tab")
    expect(tab.get_by_role("link", name="Skip to content")).to_be_focused()
    screenshot(tab, "site-guide-phone")
    tab.set_viewport_size({"width": 1280, "height": 900})
    screenshot(tab, "site-guide-desktop")


@contextlib.contextmanager
def serving_in_a_thread(config: BuildConfig):
    """build.py serve for ``config``, in a thread, on a free port: its base URL."""
    stop, ready, ports = threading.Event(), threading.Event(), []
    thread = threading.Thread(
        target=serve,
        daemon=True,
        kwargs={
            "config": config,
            "port": 0,
            "stop": stop,
            "on_ready": lambda port: (ports.append(port), ready.set()),
        },
    )
    thread.start()
    assert ready.wait(30), "serve did not start"
    try:
        yield f"http://127.0.0.1:{ports[0]}"
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive(), "serve did not stop"


@pytest.fixture
def serving(tmp_path):
    """build.py serve on a copy of content/: (content, base URL)."""
    content = copy_content(tmp_path)
    config = BuildConfig(
        content=content, out=tmp_path / "dist", formats=frozenset({"site"}), progress=lambda m: None
    )
    with serving_in_a_thread(config) as base:
        yield content, base


def _edit(content: Path, old: str, new: str) -> None:
    guide = content / "guides" / "thank-you-note.md"
    text = guide.read_text()
    assert old in text
    guide.write_text(text.replace(old, new, 1))


def test_serve_serves_and_rebuilds_on_change(serving):
    content, base = serving
    url = f"{base}/guides/thank-you-note/"
    page = urllib.request.urlopen(url).read().decode()
    assert "Writing the thank-you note" in page
    assert '<script src="/__live/live.js" defer></script></head>' in page  # serve's own
    _edit(content, "title: Writing the thank-you note", "title: Thank-you notes, revised")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if "Thank-you notes, revised" in urllib.request.urlopen(url).read().decode():
            break
        time.sleep(0.05)
    else:
        pytest.fail("the served page was not rebuilt after the change")
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"{base}/no-such-page/")
    assert missing.value.code == 404 and "That page is not here" in missing.value.read().decode()


def test_the_built_site_carries_no_live_script(built_site):
    assert not [p for p in built_site.rglob("*.html") if "__live" in p.read_text()]


def test_serve_reloads_the_open_page_and_shows_a_broken_edit_over_it(serving, tab):
    """The writer saves; the page in the browser changes by itself. A broken save shows
    its file:line problem over the last good page; the fix clears it."""
    content, base = serving
    tab.goto(f"{base}/guides/thank-you-note/")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Writing the thank-you note")
    tab.evaluate("window.notReloaded = true")
    # The page's event stream is open. (Asked of the element, not with wait_for_function:
    # when that has to poll, it evaluates its predicate with eval, which the page's
    # Content-Security-Policy refuses.)
    listening = tab.locator("html[data-live='listening']")
    expect(listening).to_have_count(1)
    with tab.expect_event("load"):
        _edit(content, "title: Writing the thank-you note", "title: Thank-you notes, revised")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Thank-you notes, revised")
    assert tab.evaluate("window.notReloaded") is None  # the page reloaded itself

    expect(listening).to_have_count(1)
    _edit(
        content,
        "## Why a written thank-you still matters {#thanks-why}",
        "## Why a written thank-you still matters",
    )
    overlay = tab.get_by_role("alert")
    expect(overlay).to_contain_text("The build failed: this is the last good page")
    line = next(
        n
        for n, text in enumerate(
            (content / "guides" / "thank-you-note.md").read_text().split("\n"), 1
        )
        if text == "## Why a written thank-you still matters"
    )
    expect(overlay).to_contain_text(f"guides/thank-you-note.md:{line}: section")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Thank-you notes, revised")
    screenshot(tab, "serve-broken-edit-overlay")
    with tab.expect_event("load"):
        _edit(
            content,
            "## Why a written thank-you still matters",
            "## Why a written thank-you still matters {#thanks-why}",
        )
    expect(tab.get_by_role("alert")).to_have_count(0)


def test_a_page_opened_while_the_build_is_broken_shows_the_problems(serving, tab):
    content, base = serving
    _edit(content, "## Why a written thank-you still matters {#thanks-why}", "## Why it matters")
    time.sleep(1)
    tab.goto(f"{base}/guides/thank-you-note/")
    expect(tab.get_by_role("alert")).to_contain_text("has no key")


def test_the_jobs_filters_combine_with_scripts_and_are_links_without(
    built_site, over_http, browser, tab
):
    """With scripts: three drop-downs narrow the list together, nothing reloads. Without
    (served, as folders open their index.html only from a web server): the filter links lead
    to the page built for each choice."""
    refused = _refusals(tab)
    tab.goto((built_site / "jobs" / "index.html").as_uri())
    jobs = tab.locator(".job-list > li")
    expect(jobs).to_have_count(3)
    expect(tab.get_by_role("link", name=re.compile("^Mississauga"))).to_be_hidden()
    tab.get_by_role("combobox", name="Location").select_option(label="Toronto")
    expect(tab.locator(".job-list > li:visible")).to_have_count(2)
    tab.get_by_role("combobox", name="Type of job").select_option(label="Temporary")
    expect(tab.locator(".job-list > li:visible")).to_have_count(1)
    expect(tab.locator("[data-job-status]")).to_have_text("1 of 3 open jobs match.")
    expect(tab.get_by_role("link", name="Legal secretary")).to_be_visible()
    tab.get_by_role("combobox", name="Location").select_option(label="Any")
    tab.get_by_role("combobox", name="Type of job").select_option(label="Any")
    expect(tab.locator("[data-job-status]")).to_have_text("3 open jobs.")
    screenshot(tab, "site-jobs-desktop")
    assert refused == [] and tab.outside == []

    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    try:
        plain = context.new_page()
        plain.goto(over_http + "jobs/")
        expect(plain.get_by_role("combobox", name="Location")).to_be_hidden()
        plain.get_by_role("link", name=re.compile("^Mississauga")).click()
        expect(plain.get_by_role("heading", level=1)).to_have_text("Open jobs: Mississauga")
        expect(plain.locator(".job-list > li")).to_have_count(1)
        assert plain.evaluate("document.documentElement.scrollWidth") <= 390
        plain.get_by_role("link", name="Conveyancer, part time").click()
        expect(
            plain.get_by_role("heading", name="What Ontario’s rules ask us to tell you")
        ).to_be_visible()
        screenshot(plain, "site-posting-phone-no-script")
    finally:
        context.close()


class SubfolderHandler(SimpleHTTPRequestHandler):
    """A web server with the site in /advice/ and its 404.html as the error page, as a host
    serving a project's pages from a folder would have it."""

    error_page: Path

    def send_error(self, code, message=None, explain=None):
        if code != 404:
            return super().send_error(code, message, explain)
        body = self.error_page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format, *args):
        pass


def test_the_404_page_works_from_a_folder_the_site_did_not_expect(built_site, tab, tmp_path):
    """base_url says the site is at the domain's root; it is served from /advice/. The
    missing page still finds the site's stylesheets and its links lead into /advice/."""
    shutil.copytree(built_site, tmp_path / "www" / "advice")
    handler = type(
        "Handler", (SubfolderHandler,), {"error_page": tmp_path / "www" / "advice" / "404.html"}
    )
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(handler, directory=str(tmp_path / "www"))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    refused = _refusals(tab)
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        tab.goto(f"{base}/advice/guides/no-such-guide/deeper/")
        expect(tab.get_by_role("heading", level=1)).to_have_text("That page is not here")
        expect(tab.get_by_role("link", name="See all guides")).to_have_attribute(
            "href", "/advice/guides/"
        )
        expect(tab.locator(".site-header")).to_have_css("background-color", "rgb(23, 63, 95)")
        tab.get_by_role("link", name="See all guides").click()
        expect(tab.get_by_role("heading", level=1)).to_have_text("All guides")
        # The finding script ran under the page's own policy (what failed to load is the
        # stylesheets at the root base_url names, and the probes for 404.html on the way).
        assert not [text for text in refused if "Content Security Policy" in text], refused
    finally:
        server.shutdown()
        server.server_close()


def test_the_breadcrumb_has_room_under_the_header(built_site, tab):
    tab.goto((built_site / "guides" / "thank-you-note" / "index.html").as_uri())
    header = tab.locator(".site-header").bounding_box()
    crumbs = tab.locator(".breadcrumbs").bounding_box()
    assert crumbs["y"] - (header["y"] + header["height"]) >= 16


def test_search_lands_on_the_section_with_the_words_marked(built_site, tab):
    """From disk: a result names the section, marks the words and links to the section;
    the guide about the word comes first though every guide uses it."""
    tab.goto((built_site / "search" / "index.html").as_uri() + "?q=thank-you")
    results = tab.locator("[data-search-results] > li")
    expect(results.first).to_be_visible()
    first = results.first.locator("a")
    expect(first).to_have_text("Writing the thank-you note")
    assert first.get_attribute("href") == "../guides/thank-you-note/index.html"
    guides = results.locator(".result-where").all_inner_texts()
    # Sections of guides about thank-you notes come before those of other guides.
    about = [
        n
        for n, text in enumerate(guides)
        if text.startswith("In “") and "thank-you" in text.lower()
    ]
    others = [n for n, text in enumerate(guides) if text.startswith("In “") and n not in about]
    assert about and others and max(about) < min(others)
    assert results.locator("mark").first.inner_text().lower() == "thank-you"
    screenshot(tab, "site-search-sections")

    tab.get_by_role("searchbox", name="Words to look for").fill("handwritten")
    heading = results.first.locator("a")
    expect(heading).to_contain_text("andwritten")  # a section whose heading has the word
    href = heading.get_attribute("href")
    assert "/index.html#" in href
    heading.click()
    section = href.split("#")[1]
    expect(tab.locator(f"#{section}")).to_be_in_viewport()
    assert tab.url.endswith(f"index.html#{section}")


def test_serve_follows_the_postings_export_each_time_it_is_replaced(tmp_path):
    """The export is written whole and moved into place: serve sees every new one."""
    from build_helpers import posting, write_postings

    content = copy_content(tmp_path)
    exports = tmp_path / "site-data"
    exports.mkdir()
    file = write_postings(exports / "postings.json", [posting(1)])
    config = BuildConfig(
        content=content,
        out=tmp_path / "dist",
        formats=frozenset({"site"}),
        postings=file,
        progress=lambda m: None,
    )
    with serving_in_a_thread(config) as base:
        url = f"{base}/jobs/"
        for n in (2, 3):
            fresh = write_postings(
                exports / f".postings.{n}.tmp", [posting(k) for k in range(1, n + 1)]
            )
            fresh.replace(file)
            deadline = time.monotonic() + 20
            while f"Litigation law clerk {n}" not in urllib.request.urlopen(url).read().decode():
                assert time.monotonic() < deadline, f"export {n} was not picked up"
                time.sleep(0.05)
