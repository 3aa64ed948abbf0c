"""What a person sees: every page, for every role, in a real Chromium.

The pages are walked from the app's own URL map with the data of the ``world`` fixture;
each one is checked with axe-core (no serious or critical violation), for its landmarks,
headings and title, and at 390 px wide for sideways scrolling. Screenshots of the main
pages at phone and desktop widths are kept in test-artifacts/ for people to look at.
"""

import re
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from conftest import PASSWORD, screenshot
from portal.models import Role

pytestmark = pytest.mark.browser

AXE = Axe()
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
}
SKIPPED_RULES = {"/logout", "/healthz", "/design/<path:filename>", "/static/<path:filename>"}
NOT_PAGES = (".pdf", ".ics", ".csv", ".json")


def pages_for(app, world, role: str) -> list[str]:
    """Every GET page this role can open, with real ids (routes from the URL map)."""
    values = {
        "<int:candidate_id>": world.candidate_a.id,
        "<int:interview_id>": world.interview_a.id,
        "<int:employer_id>": world.employer.id,
        "<int:job_id>": world.job.id,
        "<int:user_id>": world.recruiter_a.id,
        "<int:step_id>": world.step_a.id,
        "<slug>": "thank-you",
        "<token>": "not-a-real-link-but-a-page-all-the-same-43c",
        "<int:reminder_id>": 1,
    }
    urls = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.rule in SKIPPED_RULES or rule.rule.endswith(NOT_PAGES):
            continue
        url = rule.rule
        for name, value in values.items():
            url = url.replace(name, str(value))
        if role == "candidate" and not url.startswith(("/me/", "/account/", "/forgot-password")):
            continue
        if role == "recruiter" and url.startswith(("/admin", "/me/")):
            continue
        if role == "admin" and url.startswith("/me/"):
            continue
        if role == "anonymous" and not url.startswith(
            ("/login", "/forgot-password", "/account/set-password")
        ):
            continue
        urls.append(url)
    return urls


def sign_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"^(?!.*/login).*$"))


def serious_violations(page) -> list[str]:
    results = AXE.run(page, options=AXE_OPTIONS).response
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def structure_problems(page) -> list[str]:
    """Landmarks, one h1, headings in order, a skip link, a title that says where you are."""
    found = page.evaluate("""() => {
        const levels = [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')]
            .filter(h => h.offsetParent !== null || h.closest('details')).map(h => +h.tagName[1]);
        return {
            levels, title: document.title, main: document.querySelectorAll('main').length,
            skip: !!document.querySelector('a.skip-link[href="#main"]'),
            header: !!document.querySelector('header'), lang: document.documentElement.lang,
            ids: [...document.querySelectorAll('[id]')].map(e => e.id),
        };
    }""")
    problems = []
    if found["main"] != 1:
        problems.append(f"{found['main']} main landmarks")
    if found["levels"].count(1) != 1:
        problems.append(f"{found['levels'].count(1)} h1 headings")
    for before, after in zip(found["levels"], found["levels"][1:], strict=False):
        if after > before + 1:
            problems.append(f"heading level jumps from h{before} to h{after}")
    if not found["title"] or "·" not in found["title"]:
        problems.append(f"title {found['title']!r} does not say where you are")
    if not found["lang"]:
        problems.append("no lang on <html>")
    twice = sorted({i for i in found["ids"] if found["ids"].count(i) > 1})
    if twice:
        problems.append(f"ids used more than once: {twice}")
    return problems


def phone_problems(page, width: int) -> list[str]:
    """Sideways scrolling, a header taller than a fifth of the screen, a card whose label
    runs into the next line of the card."""
    layout = page.evaluate("""() => {
        const header = document.querySelector('.site-header');
        const cells = [...document.querySelectorAll('table.stack td[data-label]')];
        const overlapping = cells.filter(td =>
            parseFloat(getComputedStyle(td, '::before').height) > td.getBoundingClientRect().height + 1);
        return {
            scrollWidth: document.documentElement.scrollWidth,
            header: header ? header.getBoundingClientRect().height : 0,
            overlapping: overlapping.map(td => td.getAttribute('data-label')),
        };
    }""")
    problems = []
    if layout["scrollWidth"] > width:
        problems.append(f"scrolls sideways at {width} px")
    height = page.viewport_size["height"]
    if layout["header"] > height / 5:
        problems.append(f"the header takes {layout['header']:.0f} of {height} px")
    if layout["overlapping"]:
        problems.append(f"card labels run into the next line: {layout['overlapping']}")
    return problems


def walk(page, urls: list[str], width: int = 1280) -> dict[str, list[str]]:
    page.set_viewport_size({"width": width, "height": 900})
    problems = {}
    for url in urls:
        page.goto(url)
        found = serious_violations(page) + structure_problems(page)
        if width <= 400:
            found += phone_problems(page, width)
        if found:
            problems[url] = found
    return problems


@pytest.mark.parametrize(
    "role, email_of",
    [
        ("admin", "admin"),
        ("recruiter", "recruiter_a"),
        ("candidate", "user_a"),
        ("anonymous", None),
    ],
)
def test_every_page_is_accessible_for_every_role(page, app, busy_world, role, email_of):
    if email_of:
        sign_in(page, getattr(busy_world, email_of).email)
    urls = pages_for(app, busy_world, role)
    assert len(urls) >= {"admin": 35, "recruiter": 25, "candidate": 5, "anonymous": 3}[role]
    problems = walk(page, urls)
    assert problems == {}, "\n".join(f"{url}: {found}" for url, found in problems.items())


@pytest.mark.parametrize(
    "role, email_of", [("recruiter", "recruiter_a"), ("candidate", "user_a"), ("admin", "admin")]
)
def test_every_page_fits_a_phone(page, app, busy_world, role, email_of):
    sign_in(page, getattr(busy_world, email_of).email)
    problems = walk(page, pages_for(app, busy_world, role), width=390)
    assert problems == {}, "\n".join(f"{url}: {found}" for url, found in problems.items())


MAIN_PAGES = {
    "recruiter": [
        "/dashboard",
        "/queue",
        "/candidates",
        "/candidates/{candidate}",
        "/interviews/{interview}",
        "/steps/{step}",
        "/reports/compliance",
        "/interviews/{interview}/drafts/thank-you",
    ],
    "candidate": [
        "/me/",
        "/me/interviews/{interview}/drafts/follow-up",
        "/account/calendar",
        "/account/notifications",
    ],
    "admin": ["/admin/users", "/admin/policy", "/admin/audit", "/admin/outbox"],
}


@pytest.mark.parametrize(
    "role, email_of", [("recruiter", "recruiter_a"), ("candidate", "user_a"), ("admin", "admin")]
)
def test_screenshots_of_the_main_pages_at_phone_and_desktop_widths(
    page, busy_world, role, email_of
):
    sign_in(page, getattr(busy_world, email_of).email)
    for width, label in ((390, "phone"), (1280, "desktop")):
        page.set_viewport_size({"width": width, "height": 900})
        for url in MAIN_PAGES[role]:
            page.goto(
                url.format(
                    candidate=busy_world.candidate_a.id,
                    interview=busy_world.interview_a.id,
                    step=busy_world.step_a.id,
                )
            )
            name = (
                re.sub(
                    r"[^a-z0-9]+",
                    "-",
                    url.strip("/").format(candidate="c", interview="i", step="s"),
                )
                or "home"
            )
            path = screenshot(page, f"page-{role}-{name}-{label}")
            assert path.endswith(".png")


def test_focus_is_visible_and_the_skip_link_works(page, busy_world):
    sign_in(page, busy_world.recruiter_a.email)
    page.goto("/candidates")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    outline = skip.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_the_checks_do_catch_a_bad_page(page):
    """The walk would fail on a page with a known fault: unlabelled input, skipped heading, low contrast."""
    page.set_content("""<!doctype html><html><head><title>Bad</title></head><body>
        <main><h1>Bad</h1><h3>Skipped a level</h3><input type="text">
        <form><input type="hidden" id="csrf_token"></form><form><input type="hidden" id="csrf_token"></form>
        <p style="color:#bbb;background:#fff">Hard to read</p></main></body></html>""")
    violations = " ".join(serious_violations(page))
    assert "label" in violations and "color-contrast" in violations
    problems = structure_problems(page)
    assert "heading level jumps from h1 to h3" in problems and any("title" in p for p in problems)
    assert "ids used more than once: ['csrf_token']" in problems


# The advice site ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(built_site: Path):
    """The built site served over HTTP on localhost."""
    handler = partial(SimpleHTTPRequestHandler, directory=str(built_site))
    handler.log_message = lambda *args: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", sorted(built_site.rglob("*.html")), built_site
    server.shutdown()
    server.server_close()


def test_every_page_of_the_built_site_is_accessible_and_fits_a_phone(browser, site):
    base, files, folder = site
    urls = [f"{base}/{f.relative_to(folder).as_posix()}" for f in files]
    assert len(urls) >= 10
    page = browser.new_page()
    try:
        problems = {
            **walk(page, urls),
            **{f"{url} (phone)": found for url, found in walk(page, urls, 390).items()},
        }
        assert problems == {}, "\n".join(f"{url}: {found}" for url, found in problems.items())
        page.set_viewport_size({"width": 390, "height": 900})
        page.goto(f"{base}/guides/four-habits/")
        screenshot(page, "pages-site-guide-phone")  # test_build_browser keeps site-guide-*
        page.set_viewport_size({"width": 1280, "height": 900})
        screenshot(page, "pages-site-guide-desktop")
    finally:
        page.close()


def test_deep_pages_have_breadcrumbs(app, busy_world, login_as):
    """Any page below a list (an id or a form in its address) shows the way back up."""
    deep = re.compile(r"/\d+|/new$|/edit$")
    for user in (busy_world.admin, busy_world.user_a):
        client = login_as(user.role, user=user)
        for url in pages_for(app, busy_world, "admin" if user.role == Role.ADMIN else "candidate"):
            response = client.get(url)
            printable = url.endswith("/print")  # a bare page to print, with its own "back" link
            if (
                response.status_code == 200
                and response.mimetype == "text/html"
                and deep.search(url)
                and not printable
            ):
                assert 'class="breadcrumbs"' in response.get_data(as_text=True), url


def test_lists_sort_by_their_columns_and_remember_the_choice(page, busy_world, make):
    for name in ("Zed Zimmer", "Abe Abbott"):
        make.candidate(busy_world.recruiter_a, name=name)
    sign_in(page, busy_world.recruiter_a.email)
    page.goto("/candidates")
    names = page.locator("tbody td[data-label=Name]")
    assert names.first.inner_text() == "Abe Abbott"
    page.get_by_role(
        "link", name="Name"
    ).click()  # the second click on the sorted column reverses it
    assert (
        page.locator("th[aria-sort=descending]").count() == 1
        and names.first.inner_text() == "Zed Zimmer"
    )
    page.get_by_role("link", name="Dashboard").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Candidates").click()
    assert "sort=-name" in page.url and names.first.inner_text() == "Zed Zimmer"  # remembered
    page.get_by_role("link", name="Clear", exact=True).click()
    assert page.url.endswith("/candidates") and names.first.inner_text() == "Abe Abbott"


def test_destructive_actions_ask_first_and_slash_jumps_to_search(page, busy_world):
    sign_in(page, busy_world.recruiter_a.email)
    page.goto(f"/steps/{busy_world.step_a.id}")
    asked = []

    def note(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", note)
    page.get_by_role("button", name="Waive step").click()  # no reason: nothing to confirm yet
    expect(page.get_by_text("Give the reason for waiving.", exact=True)).to_be_visible()
    assert asked == []
    page.remove_listener("dialog", note)
    page.get_by_label("Reason").fill("Candidate withdrew by phone")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Waive step").click()
    expect(
        page.get_by_role("heading", name="Waive")
    ).to_be_visible()  # still here: nothing was sent
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Waive step").click()
    expect(page.get_by_text("Thank-you note waived.")).to_be_visible()

    page.context.clear_cookies()
    sign_in(page, busy_world.admin.email)
    page.goto(f"/admin/candidates/{busy_world.candidate_b.id}/erase")
    if "/account/confirm" in page.url:  # a fresh sign-in is asked for first
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()
    page.on("dialog", note)
    page.get_by_label("Type ERASE to confirm").fill("erase")  # the wrong word: no question yet
    page.get_by_role("button", name="Erase this candidate").click()
    expect(page.get_by_text("Type ERASE, in capitals, to confirm.", exact=True)).to_be_visible()
    assert asked == []
    page.get_by_label("Type ERASE to confirm").fill("ERASE")
    page.get_by_role("button", name="Erase this candidate").click()  # asked, and dismissed
    assert len(asked) == 1 and "cannot be undone" in asked[0]
    page.remove_listener("dialog", note)

    page.context.clear_cookies()
    sign_in(page, busy_world.recruiter_a.email)
    page.goto("/candidates")
    page.locator("body").press("/")
    assert page.evaluate("document.activeElement.name") == "q"
