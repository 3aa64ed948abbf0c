"""Valid markup: the built site and a sample of portal pages pass the Nu HTML Checker (vnu).

vnu.jar comes from npm (pinned in tools/) and runs on the machine's Java; both are
installed by scripts/ensure-system-packages, which ``make test`` and CI run.
"""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
VNU = ROOT / "tools" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


@pytest.fixture(scope="module")
def vnu():
    java = shutil.which("java")
    if java is None or not VNU.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail("the Nu HTML Checker is not installed; run scripts/ensure-system-packages")
        pytest.skip(
            "the Nu HTML Checker is not installed (scripts/ensure-system-packages installs it)"
        )

    def check(files: list[Path]) -> list[str]:
        """Errors vnu finds in these HTML (and CSS) files, as 'file:line: message'."""
        result = subprocess.run(
            [
                java,
                "-jar",
                str(VNU),
                "--errors-only",
                "--format",
                "json",
                "--also-check-css",
                *map(str, files),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        messages = json.loads(result.stderr or '{"messages": []}')["messages"]
        return [
            f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}"
            for m in messages
            if m.get("type") == "error"
        ]

    return check


def test_the_built_site_is_valid(vnu, built_site):
    pages = sorted(built_site.rglob("*.html"))
    # print.css is paged-media CSS for WeasyPrint (running headers, bookmarks), which the
    # checker's CSS profile does not know; the site's screen stylesheets are checked.
    stylesheets = sorted(p for p in (built_site / "static").rglob("*.css") if p.name != "print.css")
    assert len(pages) >= 10 and stylesheets
    problems = vnu(pages + stylesheets)
    assert problems == [], "\n".join(problems)


def sign_in_with_csrf(client, user) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_portal_pages_are_valid(vnu, app, busy_world, tmp_path, monkeypatch):
    """With CSRF on, as in production: each form's hidden token is in the markup checked
    (a page with two forms once had two elements with one id)."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    world = busy_world
    sample = {
        None: ["/login", "/forgot-password", "/account/set-password/not-a-real-link"],
        world.recruiter_a: [
            "/dashboard",
            "/queue",
            "/candidates",
            f"/candidates/{world.candidate_a.id}",
            f"/candidates/{world.candidate_a.id}/edit",
            f"/interviews/{world.interview_a.id}",
            f"/interviews/{world.interview_a.id}/edit",
            f"/steps/{world.step_a.id}",
            f"/interviews/{world.interview_a.id}/drafts/thank-you",
            f"/interviews/{world.interview_a.id}/drafts/thank-you/print?channel=handwritten",
            "/employers",
            f"/employers/{world.employer.id}",
            "/jobs",
            "/jobs/new",
            "/reports/compliance",
            "/reports/compliance?start=oops",
            "/account/calendar",
            "/account/notifications",
            "/account/password",
            "/no/such/page",
        ],
        world.user_a: [
            "/me/",
            f"/me/interviews/{world.interview_a.id}/drafts/follow-up?channel=email",
        ],
        world.admin: [
            "/admin/users",
            "/admin/users/new",
            f"/admin/users/{world.recruiter_a.id}",
            f"/admin/users/{world.recruiter_a.id}/edit",
            f"/admin/users/{world.recruiter_a.id}/handover",
            (
                f"/admin/users/{world.recruiter_a.id}/handover"
                f"?candidates={world.candidate_a.id}&to={world.recruiter_b.id}"
            ),
            f"/admin/users/{world.recruiter_a.id}/handover?to=",
            "/admin/candidates/unassigned",
            "/admin/candidates",
            f"/admin/candidates/{world.candidate_a.id}/assignment",
            "/admin/policy",
            "/admin/outbox",
            "/admin/audit",
            "/admin/retention",
            f"/admin/candidates/{world.candidate_b.id}/erase",
        ],
    }
    files = []
    for user, urls in sample.items():
        client = app.test_client()
        if user is not None:
            sign_in_with_csrf(client, user)
        for url in urls:
            response = client.get(url)
            assert response.mimetype == "text/html", url
            if url.startswith(("/login", "/steps/", "/admin/users/")):
                assert 'name="csrf_token"' in response.get_data(as_text=True), url
            file = tmp_path / f"page{len(files):02d}.html"
            file.write_bytes(response.data)
            files.append(file)
    problems = vnu(files)
    assert problems == [], "\n".join(problems)
