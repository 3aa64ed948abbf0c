"""The step advice comes from the guides in content/, the same files the site is built from."""

import shutil
from pathlib import Path

import pytest

from portal.followup import StepKind
from portal.models import Role
from portal.steps.guidance import load_guidance

CONTENT = Path(__file__).resolve().parent.parent / "content"


@pytest.fixture
def content(tmp_path) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy)
    return copy


def test_the_real_guides_hold_advice_for_every_step():
    found, problems = load_guidance(CONTENT)
    assert problems == []
    assert set(found) == set(StepKind)
    thank_you = found[StepKind.THANK_YOU]
    assert thank_you.title == "Habit 2: Send a thank-you note within a day"
    assert "within 24 hours" in thank_you.html
    assert 'href="https://advice.finchleylane.example/guides/thank-you-note/"' in thank_you.html
    assert "heading-anchor" not in thank_you.html and "<h2" not in thank_you.html
    assert thank_you.url == "https://advice.finchleylane.example/guides/four-habits/#step-thank-you"


def test_the_advice_keeps_its_sub_headings_in_the_pages_outline(app, world, login_as):
    """Each habit's "What to do" is a heading in the guide; in the portal it sits one level
    below the heading the advice is under, and without an id (a page shows it per step)."""
    found, _ = load_guidance(CONTENT)
    thank_you = found[StepKind.THANK_YOU]
    assert "<h3>What to do</h3>" in thank_you.html and " id=" not in thank_you.html
    assert "<h4>What to do</h4>" in thank_you.under(3)
    assert "<h2>What to do</h2>" in thank_you.under(1)
    page = login_as(Role.CANDIDATE, user=world.user_a).get("/me/").get_data(as_text=True)
    assert "<h4>What to do</h4>" in page and "<strong>What to do</strong>" not in page


def test_a_missing_section_is_named(content):
    guide = content / "guides" / "four-habits.md"
    guide.write_text(guide.read_text().replace("{#step-follow-up}", "{#follow-up-habit}"))
    found, problems = load_guidance(content)
    assert StepKind.FOLLOW_UP not in found and StepKind.THANK_YOU in found
    assert [
        "guides: no guide has a ## section keyed {#step-follow-up}" in str(p) for p in problems
    ] == [True]


def test_a_broken_guide_names_its_file_and_line_and_costs_only_its_own_sections(content):
    (content / "guides" / "keep-looking-forward.md").write_text(
        "---\ntitle: [unclosed\n---\nBody\n"
    )
    found, problems = load_guidance(content)
    assert set(found) == set(StepKind)  # the step sections live in another guide
    assert [str(p) for p in problems] == [
        "guides/keep-looking-forward.md:3: invalid YAML: did not find expected ',' or ']'"
    ]


def test_pages_keep_working_without_the_advice(app, world, login_as, content, caplog):
    (content / "guides" / "four-habits.md").write_text("not a guide at all")
    cached = app.extensions.pop("guidance", None)
    app.config["CONTENT_DIR"] = str(content)
    try:
        page = login_as(Role.CANDIDATE, user=world.user_a).get("/me/")
        assert page.status_code == 200 and "How to do it well" not in page.get_data(as_text=True)
        assert "guides/four-habits.md" in caplog.text
    finally:
        app.config["CONTENT_DIR"] = str(CONTENT)
        app.extensions.pop("guidance", None)
        if cached is not None:
            app.extensions["guidance"] = cached


def test_with_no_advice_site_the_advice_keeps_its_words_and_drops_its_links():
    """Development serves no advice site: links to it would go nowhere."""
    found, problems = load_guidance(CONTENT, site_url="")
    assert problems == []
    thank_you = found[StepKind.THANK_YOU]
    assert thank_you.url == "" and "href" not in thank_you.html
    assert "The full guide: Writing the thank-you note." in thank_you.html


def test_the_advice_can_point_at_the_site_being_served():
    found, _ = load_guidance(CONTENT, site_url="http://127.0.0.1:8000/")
    assert (
        found[StepKind.THANK_YOU].url == "http://127.0.0.1:8000/guides/four-habits/#step-thank-you"
    )
