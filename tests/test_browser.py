"""Journeys through the portal in a real headless Chromium."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, screenshot
from mailserver import body
from portal.models import Role

pytestmark = pytest.mark.browser

NEW_PASSWORD = "lantern harbour violet"


def sign_in(page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def choose_password_from(page, mailbox, address: str) -> None:
    """Follow the invitation that reached the SMTP server and choose a password."""
    [message] = mailbox.to(address)
    link = re.search(r"http://portal\.test(/account/set-password/\S+)", body(message)).group(1)
    page.goto(link)
    page.get_by_label("Choose a password").fill(NEW_PASSWORD)
    page.get_by_label("Repeat the password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save password and sign in").click()


def test_admin_sets_up_a_recruiter_who_logs_an_interview(page, make, mailbox):
    admin = make.user(Role.ADMIN, name="Avery Admin")

    # The admin invites a recruiter and a candidate and assigns the candidate.
    sign_in(page, admin.email, PASSWORD)
    expect(page.get_by_role("heading", name="Accounts")).to_be_visible()
    for name, email, role in [
        ("Quinn Rasmussen", "quinn@example.com", "Recruiter"),
        ("Yara Ouellette", "yara@example.com", "Candidate"),
    ]:
        page.get_by_role("navigation", name="Admin").get_by_role("link", name="Accounts").click()
        page.get_by_role("link", name="Create an account").click()
        page.get_by_label("Full name").fill(name)
        page.get_by_label("Email").fill(email)
        page.get_by_label("Role", exact=True).select_option(label=role)
        page.get_by_role("button", name="Create and invite").click()
        expect(page.get_by_text(f"Account created for {name}.")).to_be_visible()
        expect(page.get_by_text(f"An invitation is on its way to {email}")).to_be_visible()

    page.get_by_role("navigation", name="Admin").get_by_role("link", name="Assignments").click()
    page.get_by_role("link", name="Assign Yara Ouellette").click()
    page.get_by_label("Recruiter").select_option(label="Quinn Rasmussen")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("Yara Ouellette is now assigned to Quinn Rasmussen.")).to_be_visible()
    expect(page.get_by_role("cell", name="Current")).to_be_visible()
    sign_out(page)

    # The recruiter chooses a password from the invitation, adds an employer and a job,
    # then logs an interview.
    choose_password_from(page, mailbox, "quinn@example.com")
    expect(page.get_by_role("heading", name="Your dashboard")).to_be_visible()
    page.get_by_role("link", name="Employers").click()
    page.get_by_role("link", name="Add an employer").first.click()
    page.get_by_label("Name").fill("Kettering Lowther LLP")
    page.get_by_label("Preferred contact channel").select_option(label="Email")
    page.get_by_role("button", name="Save employer").click()
    expect(page.get_by_role("heading", name="Kettering Lowther LLP")).to_be_visible()
    page.get_by_role("link", name="Add a job").first.click()
    page.get_by_label("Title", exact=True).fill("Real estate law clerk")
    page.get_by_label("Practice area").select_option(label="Real estate")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Real estate law clerk")
    expect(page.get_by_text("Not published", exact=True)).to_be_visible()

    page.get_by_role("link", name="Candidates").first.click()
    page.get_by_role("link", name="Yara Ouellette").click()
    page.get_by_role("link", name="Log an interview").click()
    when = (datetime.now(ZoneInfo("America/Toronto")) + timedelta(days=3)).replace(
        hour=10, minute=30
    )
    page.get_by_label("Employer").select_option(label="Kettering Lowther LLP")
    page.get_by_label("Job", exact=True).select_option(label="Real estate law clerk")
    page.get_by_label("Starts at").fill(when.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Duration (minutes)").fill("45")
    page.get_by_label("Video").check()
    page.get_by_label("Interviewer names").fill("Harriet Pemberton")
    page.get_by_label("Decision date given").check()
    page.get_by_label("Decision date", exact=True).fill(
        (when + timedelta(days=7)).strftime("%Y-%m-%d")
    )
    page.get_by_role("button", name="Save interview").click()
    expect(page.get_by_text("Interview logged.")).to_be_visible()
    expect(
        page.locator("dl.facts").get_by_text(when.strftime("%a %-d %b %Y, 10:30"))
    ).to_be_visible()
    expect(
        page.get_by_text(f"Interview at Kettering Lowther LLP on {when:%a %-d %b %Y}, 10:30 logged")
    ).to_be_visible()

    page.get_by_role("link", name="Dashboard").click()
    upcoming = page.get_by_role("region", name="Interviews in the next 14 days")
    expect(upcoming.get_by_role("row", name="Yara Ouellette")).to_contain_text(
        "Kettering Lowther LLP"
    )
    screenshot(page, "recruiter-dashboard-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "recruiter-dashboard-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_form_errors_are_shown_next_to_the_fields(page, make):
    recruiter = make.user(Role.RECRUITER)
    candidate = make.candidate(recruiter, name="Bashir Achterberg")
    make.employer(name="Ravensworth Ellery LLP")
    sign_in(page, recruiter.email, PASSWORD)
    page.goto(f"/candidates/{candidate.id}/interviews/new")
    page.get_by_label("Duration (minutes)").fill("0")
    page.get_by_role("button", name="Save interview").click()
    expect(page.get_by_role("alert")).to_contain_text("Please correct the highlighted fields.")
    duration = page.get_by_label("Duration (minutes)")
    expect(duration).to_have_attribute("aria-invalid", "true")
    expect(duration).to_have_accessible_description(
        "An interview lasts between 1 minute and a day (1440 minutes)."
    )
    screenshot(page, "interview-form-errors")


def test_candidate_works_their_checklist_on_a_phone(page, make):
    """Sign in on a phone, copy the thank-you draft, mark it sent: the checklist shows it done."""
    user = make.user(Role.CANDIDATE, name="Esther Lachance")
    candidate = make.candidate(
        make.user(Role.RECRUITER, name="Malik Szabo"), user=user, name="Esther Lachance"
    )
    started = datetime.now(ZoneInfo("America/Toronto")) - timedelta(hours=5)
    make.interview(
        candidate,
        make.employer(name="Pellow Underhill LLP"),
        interviewer_names="Greta Nakamura",
        starts_at=started,
    )
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, user.email, PASSWORD)
    expect(page.get_by_role("heading", name="Hello, Esther")).to_be_visible()
    block = page.get_by_role("region", name="Pellow Underhill LLP")
    expect(block).to_contain_text("with Greta Nakamura")
    thank_you = block.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name="2. Thank-you note")
    )
    expect(thank_you).to_contain_text("Due soon")
    screenshot(page, "candidate-checklist-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    thank_you.get_by_role("link", name="Get a draft").click()
    expect(
        page.get_by_role("heading", name="Thank-you note: a draft for Pellow Underhill LLP")
    ).to_be_visible()
    page.get_by_role("button", name="Copy the message").click()
    expect(page.get_by_role("status")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()").startswith("Dear Greta Nakamura,")
    screenshot(page, "candidate-draft-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.get_by_role("link", name="My checklist").first.click()
    thank_you.get_by_text("I’ve sent it").click()
    thank_you.get_by_label("Handwritten note").check()
    thank_you.get_by_role("button", name="Mark as sent").click()
    expect(
        page.get_by_text("Thank-you note for Pellow Underhill LLP marked as sent")
    ).to_be_visible()
    expect(thank_you).to_contain_text("Done on time")
    expect(thank_you).to_contain_text("by handwritten note")


def test_recruiter_clears_an_overdue_step_from_the_queue(page, make):
    """Dashboard queue → step page → mark the thank-you sent → the checklist shows it done."""
    recruiter = make.user(Role.RECRUITER, name="Riley Browser")
    candidate = make.candidate(recruiter, name="Noor Lindqvist")
    employer = make.employer(name="Stanbury Wetherby LLP")
    started = datetime.now(ZoneInfo("America/Toronto")) - timedelta(days=4)
    make.interview(candidate, employer, starts_at=started)
    sign_in(page, recruiter.email, PASSWORD)
    queue = page.locator("section", has=page.get_by_role("heading", name="Overdue and due today"))
    expect(queue.get_by_text("Noor Lindqvist").first).to_be_visible()
    queue.get_by_role("link", name="Thank-you note").click()
    expect(page.get_by_role("heading", name="Thank-you note")).to_be_visible()
    page.get_by_label("When").fill((started + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Email").check()
    page.get_by_role("button", name="Mark done").click()
    expect(page.get_by_role("heading", name="Follow-up checklist")).to_be_visible()
    step = page.locator(".check-step", has_text="Thank-you note")
    expect(step.get_by_text("Done late")).to_be_visible()
    screenshot(page, "interview-checklist-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "interview-checklist-phone")
    page.goto("/reports/compliance")
    expect(page.locator("figure.chart svg")).to_be_visible()
    hint = page.get_by_text("scroll it sideways to see every week")
    expect(hint).to_be_visible()  # wider than the phone: it says so
    screenshot(page, "compliance-report-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(hint).to_be_hidden()


def test_an_invited_candidate_sets_a_password_from_the_email(page, make, mailbox):
    """Recruiter invites → the email arrives at the SMTP server → the link → password → checklist."""
    recruiter = make.user(Role.RECRUITER, name="Ines Invite")
    candidate = make.candidate(recruiter, name="Tomas Okafor", email="tomas.okafor@example.com")
    sign_in(page, recruiter.email, PASSWORD)
    page.goto(f"/candidates/{candidate.id}")
    expect(page.get_by_text("Not invited yet")).to_be_visible()
    page.get_by_role("button", name="Invite to the portal").click()
    expect(page.get_by_text("Invitation on its way to tomas.okafor@example.com")).to_be_visible()
    sign_out(page)

    [message] = mailbox.to("tomas.okafor@example.com")
    link = re.search(r"http://portal\.test(/account/set-password/\S+)", body(message)).group(1)
    page.goto(link)
    expect(page.get_by_role("heading", name="Welcome, Tomas Okafor")).to_be_visible()
    page.get_by_label("Choose a password").fill(NEW_PASSWORD)
    page.get_by_label("Repeat the password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save password and sign in").click()
    expect(page.get_by_role("heading", name="Hello, Tomas")).to_be_visible()
    sign_out(page)
    page.goto(link)
    expect(page.get_by_role("heading", name="This link has already been used")).to_be_visible()


def test_the_job_picker_narrows_to_the_employer_and_to_what_is_typed(page, make):
    """Many employers and jobs: choose the employer, type a few letters, pick the job."""
    recruiter = make.user(Role.RECRUITER, name="Pia Picker")
    candidate = make.candidate(recruiter, name="Noor Picker")
    wanted = make.employer(name="Ashdown Velasco LLP")
    other = make.employer(name="Brightwater Legal Department")
    for n in range(12):
        make.job(wanted, title=f"Litigation clerk {n}", location="Toronto")
        make.job(other, title=f"Litigation clerk {n}", location="Ottawa")
    make.job(wanted, title="Conveyancer", location="Mississauga")
    sign_in(page, recruiter.email, PASSWORD)
    page.goto(f"/candidates/{candidate.id}/interviews/new")
    jobs = page.get_by_label("Job", exact=True)
    assert jobs.locator("option").count() == 1 + 25  # every job, grouped by employer
    page.get_by_label("Employer").select_option(label="Ashdown Velasco LLP")
    assert jobs.locator("option").count() == 1 + 13  # only that employer's
    page.get_by_placeholder("Type to find a job").fill("missis")
    expect(jobs.locator("option")).to_have_count(2)
    jobs.select_option(label="Conveyancer · Mississauga")
    screenshot(page, "interview-form-job-picker")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "interview-form-job-picker-phone")
    page.get_by_label("Starts at").fill("2026-07-02T10:00")
    page.get_by_label("Duration (minutes)").fill("60")
    page.get_by_label("Video").check()
    page.get_by_role("button", name="Save interview").click()
    expect(page.get_by_text("Interview logged.")).to_be_visible()
    expect(page.locator("dl.facts").get_by_text("Conveyancer")).to_be_visible()


def test_a_draft_keeps_my_edits_across_a_reload_until_i_start_again_or_sign_out(page, make):
    user = make.user(Role.CANDIDATE, name="Ines Draftwell")
    candidate = make.candidate(make.user(Role.RECRUITER), user=user, name="Ines Draftwell")
    interview = make.interview(
        candidate,
        make.employer(name="Marchetti Oyelaran LLP"),
        interviewer_names="Tom Reyes",
        interviewer_emails="tom.reyes@marchetti.example",
        starts_at=datetime.now(ZoneInfo("America/Toronto")) - timedelta(hours=4),
    )
    sign_in(page, user.email, PASSWORD)
    page.goto(f"/me/interviews/{interview.id}/drafts/thank-you")
    message = page.get_by_label("Message (you can edit it here)")
    written = message.input_value()
    kept_note = page.get_by_text("Your changes are kept in this browser")
    expect(kept_note).to_be_hidden()
    message.fill(written + "\nP.S. Thank you for the tour of the records room.")
    expect(kept_note).to_be_visible()
    mailto = page.get_by_role("link", name=re.compile("Open in my email program"))
    assert mailto.get_attribute("href").startswith("mailto:tom.reyes@marchetti.example?subject=")
    assert "records%20room" in mailto.get_attribute("href")

    page.reload()
    expect(message).to_have_value(re.compile("tour of the records room"))
    expect(kept_note).to_be_visible()
    page.get_by_role("button", name="Start again from the draft").click()
    expect(message).to_have_value(written)
    page.reload()
    expect(message).to_have_value(written)

    message.fill("My own words")
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, user.email, PASSWORD)
    page.goto(f"/me/interviews/{interview.id}/drafts/thank-you")
    expect(page.get_by_label("Message (you can edit it here)")).to_have_value(written)


def test_a_recruiter_finds_a_candidate_as_they_would_write_the_name(page, make):
    recruiter = make.user(Role.RECRUITER, name="Sasha Searcher")
    make.candidate(recruiter, name="Zoë Nguyễn", email="zoe.n@example.com", phone="416-555-0199")
    make.candidate(recruiter, name="Desmond Mensah", email="d.mensah@example.com")
    for n in range(8):
        make.candidate(recruiter, name=f"Other Person {n}")
    make.interview(
        make.candidate(recruiter, name="Quentin Queue"),
        make.employer(name="Fairweather Orr LLP"),
        starts_at=datetime.now(ZoneInfo("America/Toronto")) - timedelta(days=3),
    )
    sign_in(page, recruiter.email, PASSWORD)
    page.goto("/candidates")
    search = page.get_by_label("Search name, email or phone")
    for typed, found in (("nguyen zoe", "Zoë Nguyễn"), ("mensah desmond", "Desmond Mensah")):
        search.fill(typed)
        search.press("Enter")
        expect(page.get_by_role("link", name=found)).to_be_visible()
        expect(page.get_by_text("1 candidate", exact=True)).to_be_visible()
    search.fill("+1 416 555 0199")
    search.press("Enter")
    expect(page.get_by_role("link", name="Zoë Nguyễn")).to_be_visible()
    screenshot(page, "candidate-search-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "candidate-search-phone")
    page.goto("/queue")
    expect(page.get_by_role("link", name="Quentin Queue").first).to_be_visible()
    screenshot(page, "queue-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "queue-desktop")


def test_only_what_counts_as_done_on_time_or_late_carries_a_tick(page, make, app):
    """Badges pair a symbol with the word: too early, wrong channel and missed count against
    the rate, so their symbol is not a tick."""
    from sqlalchemy import select

    from portal.extensions import db
    from portal.followup import StepKind, StepResult
    from portal.models import Step

    recruiter = make.user(Role.RECRUITER)
    interview = make.interview(
        make.candidate(recruiter),
        make.employer(),
        starts_at=datetime.now(ZoneInfo("America/Toronto")) - timedelta(days=20),
    )
    results = {
        StepKind.TIMELINE: StepResult.DONE_ON_TIME,
        StepKind.THANK_YOU: StepResult.TOO_EARLY,
        StepKind.FOLLOW_UP: StepResult.WRONG_CHANNEL,
        StepKind.MOVE_ON: StepResult.MISSED,
    }
    with app.app_context():  # stored results, as the rules would leave them
        for step in db.session.scalars(select(Step).where(Step.interview_id == interview.id)):
            step.result = results[step.kind]
        db.session.commit()
    sign_in(page, recruiter.email, PASSWORD)
    page.goto(f"/interviews/{interview.id}")
    symbols = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('.status')].map(
        b => [b.className.match(/status-(\\w+)/)[1],
              getComputedStyle(b.querySelector('.status-icon'), '::before').content]))""")
    assert symbols["done_on_time"] == '"✓"'
    assert all("✓" not in symbols[s] for s in ("too_early", "wrong_channel", "missed")), symbols


def test_an_admin_edits_a_person_hands_over_a_caseload_and_ends_a_session(
    page, make, mailbox, browser, live_server
):
    """The people pages, end to end: a new address confirmed from it, a caseload shared
    between two recruiters after a preview, a session ended; screenshots at both widths."""
    admin = make.user(Role.ADMIN, name="Avery Admin")
    leaving = make.user(Role.RECRUITER, name="Lou Lindqvist", email="lou@example.com")
    make.user(Role.RECRUITER, name="Bea Achterberg")
    make.user(Role.RECRUITER, name="Cal Moreau")
    employer = make.employer(name="Halloran Vesey LLP")
    for n, name in enumerate(["Ana Duarte", "Ben Okoro", "Cleo Marsh", "Dev Patil"]):
        client = make.candidate(leaving, name=name)
        if n < 2:
            make.interview(client, employer)
    sign_in(page, admin.email, PASSWORD)
    page.goto(f"/admin/users/{leaving.id}")
    expect(page.get_by_text("still has 4 candidates")).to_be_visible()
    screenshot(page, "admin-person-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "admin-person-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1280, "height": 900})

    # A new address, confirmed from it.
    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Email").fill("lou.lindqvist@example.com")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("A link to confirm lou.lindqvist@example.com went")).to_be_visible()
    [confirmation] = mailbox.to("lou.lindqvist@example.com")
    assert mailbox.to("lou@example.com"), "the old address is told"
    link = re.search(r"http://portal\.test(/account/confirm-email/\S+)", body(confirmation))[1]
    lous = browser.new_context(base_url=live_server)  # Lou, in a browser of their own
    lou = lous.new_page()
    lou.goto(link)
    lou.get_by_role("button", name="Use this address").click()
    expect(lou.get_by_text("Your sign-in address is now lou.lindqvist@example.com")).to_be_visible()
    sign_in(lou, "lou.lindqvist@example.com", PASSWORD)
    expect(lou.get_by_role("heading", name="Your dashboard")).to_be_visible()

    # The caseload, shared after a preview.
    page.goto(f"/admin/users/{leaving.id}")
    page.get_by_role("link", name="Hand over the caseload").click()
    page.get_by_label("Bea Achterberg").check()
    page.get_by_label("Cal Moreau").check()
    page.get_by_role("button", name="Preview the hand-over").click()
    expect(
        page.get_by_role("heading", name=re.compile("Bea Achterberg takes on 2"))
    ).to_be_visible()
    screenshot(page, "admin-handover-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "admin-handover-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Confirm the hand-over").click()
    expect(page.get_by_text("4 candidates handed over from Lou Lindqvist.")).to_be_visible()
    expect(page.get_by_text("None.")).to_be_visible()

    # Lou's session, ended by the admin; then the admin's own sessions.
    page.get_by_role("button", name=re.compile("^End the session of")).click()
    expect(page.get_by_text("That session of Lou Lindqvist is ended.")).to_be_visible()
    lou.reload()
    expect(lou.get_by_role("heading", name="Sign in")).to_be_visible()
    lous.close()
    page.get_by_role("link", name="Sessions").click()
    expect(page.get_by_text("This session")).to_be_visible()
    screenshot(page, "account-sessions-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "account-sessions-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_an_admin_lifts_a_lock_and_assigns_the_unassigned(page, make, app):
    """A locked-out recruiter is unlocked from their page; two candidates nobody looks after
    are given a recruiter from the Unassigned list."""
    admin = make.user(Role.ADMIN, name="Avery Admin")
    locked = make.user(Role.RECRUITER, name="Kit Lockhart")
    make.user(Role.RECRUITER, name="Rae Active")
    make.candidate(name="Uma Nobody")
    make.candidate(name="Vic Nobody")
    guesser = app.test_client()
    for n in range(5):
        guesser.post("/login", data={"email": locked.email, "password": f"wrong {n}"})
    sign_in(page, admin.email, PASSWORD)
    page.goto(f"/admin/users/{locked.id}")
    expect(
        page.get_by_text(re.compile(r"Locked until \d\d:\d\d after 5 failed sign-ins"))
    ).to_be_visible()
    page.get_by_role("button", name="Unlock Kit Lockhart").click()
    expect(page.get_by_text("Kit Lockhart can sign in again.")).to_be_visible()
    page.get_by_role("navigation", name="Admin").get_by_role("link", name="Unassigned").click()
    page.get_by_label("Uma Nobody").check()
    page.get_by_label("Vic Nobody").check()
    page.get_by_label("Assign them to").select_option(label="Rae Active")
    page.get_by_role("button", name="Assign the chosen candidates").click()
    expect(page.get_by_text("2 candidates assigned to Rae Active.")).to_be_visible()
    expect(page.get_by_text("Every candidate has an active recruiter.")).to_be_visible()
    sign_out(page)
    sign_in(page, locked.email, PASSWORD)
    expect(page.get_by_role("heading", name="Your dashboard")).to_be_visible()


def test_the_policy_page_follows_a_change_until_every_open_step_has_it(page, make, app):
    """A change saved while nothing applies it (the process that saved it stopped): the page
    shows how far it has got, then, as the batches run, says it is applied, by itself."""
    from dataclasses import replace

    from portal.extensions import db
    from portal.steps.applying import apply_policy
    from portal.steps.policy import current_policy
    from portal.steps.sync import change_policy

    admin = make.user(Role.ADMIN, name="Avery Admin")
    recruiter = make.user(Role.RECRUITER, name="Riley Recruiter")
    employer = make.employer(name="Ashcombe Birchall LLP")
    past = datetime.now(ZoneInfo("UTC")) - timedelta(days=2)
    for n in range(3):
        candidate = make.candidate(recruiter, name=f"Candidate {n}")
        make.interview(candidate, employer, starts_at=past + timedelta(hours=n))
    with app.test_request_context():
        change_policy(replace(current_policy(), thank_you_hours=48), db.session.merge(admin))
        db.session.commit()

    sign_in(page, admin.email, PASSWORD)
    page.goto("/admin/policy")
    expect(page.get_by_role("heading", name=re.compile("Applying the change of"))).to_be_visible()
    expect(page.get_by_text("0 of 3 interviews with open steps follow it so far.")).to_be_visible()
    screenshot(page, "admin-policy-applying")
    with app.test_request_context():
        apply_policy()
    expect(page.get_by_text("Applied: every open step follows it.")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Applied the change of"))).to_be_visible()
    expect(page.get_by_text("Until an interview's turn comes")).to_be_hidden()
    assert page.locator("progress").evaluate("bar => bar.value === bar.max")


def test_a_recruiter_writes_a_posting_is_refused_for_a_wide_range_then_publishes(page, make):
    """The posting form in Chromium: a range too wide and "Canadian experience" refused on
    their fields, the hourly working shown; then published, the job page shows version 1."""
    recruiter = make.user(Role.RECRUITER, name="Pia Poster")
    make.employer(name="Ashdown Velasco LLP")
    sign_in(page, recruiter.email, PASSWORD)
    page.goto("/jobs/new")
    page.get_by_label("Employer", exact=True).select_option(label="Ashdown Velasco LLP")
    page.get_by_label("Title", exact=True).fill("Litigation law clerk")
    page.get_by_label("Location").fill("Toronto")
    page.get_by_label("Work arrangement").select_option(label="Hybrid")
    page.get_by_label("Hours a week").fill("37.5")
    closes = datetime.now(ZoneInfo("America/Toronto")).date() + timedelta(days=30)
    page.get_by_label("Applications close on").fill(closes.isoformat())
    page.get_by_label("Description").fill(
        "Draft pleadings and keep the court calendar. Canadian experience required."
    )
    page.get_by_label("Pay, or the bottom of the range").fill("28")
    page.get_by_label("Top of the range").fill("55")
    page.get_by_label("Per", exact=True).select_option(label="an hour")
    page.get_by_label("The employer's staff today").select_option(label="25 or more employees")
    page.get_by_label("Is artificial intelligence used").select_option(label="No")
    page.get_by_label("Is the posting for an existing vacancy?").select_option(label="Yes")
    page.get_by_role("button", name="Save and publish").click()

    expect(page.get_by_role("alert")).to_contain_text("Not published")
    top = page.get_by_label("Top of the range")
    expect(top).to_have_attribute("aria-invalid", "true")
    expect(top).to_have_accessible_description(
        "Leave empty for a single figure. The range is $52,650 wide ($54,600–$107,250 a year); "
        "the law allows at most $50,000 a year unless the top is over $200,000."
    )
    expect(page.get_by_label("Description")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#pay-working")).to_have_text(
        "$28–$55 an hour × 37.5 hours a week × 52 weeks = $54,600–$107,250 a year"
    )
    screenshot(page, "job-posting-refused-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "job-posting-refused-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    top.fill("52")
    page.get_by_label("Description").fill("Draft pleadings and keep the court calendar.")
    page.get_by_role("button", name="Save and publish").click()
    expect(page.get_by_text("is published (version 1)")).to_be_visible()
    expect(page.get_by_text("Published: version 1", exact=False)).to_be_visible()
    expect(page.get_by_text("Pay: $28–$52 an hour")).to_be_visible()
    screenshot(page, "job-page-published-desktop")


def test_an_applicant_applies_with_a_resume_and_the_recruiter_finds_them(page, make, app, tmp_path):
    """The public form in Chromium, as a stranger: no sign-in, a résumé chosen from disk, the
    thank-you page; then the job's recruiter finds the candidate and the résumé."""
    from portal.extensions import db
    from portal.jobs.posting import publish
    from portal.models import EmployerSize, Job, User

    owner = make.user(Role.RECRUITER, name="Pia Owner")
    admin = make.user(Role.ADMIN)
    job = make.job(make.employer(name="Ashdown Velasco LLP"), title="Estates law clerk")
    with app.app_context():
        row = db.session.get(Job, job.id)
        row.recruiter_id, row.location, row.description = owner.id, "Oakville", "Estates work."
        row.employer_size, row.uses_ai, row.existing_vacancy = EmployerSize.COVERED, False, True
        row.pay_low, row.pay_high = 58_000, 66_000
        row.closes_on = datetime.now(ZoneInfo("America/Toronto")).date() + timedelta(days=10)
        publish(row, db.session.get(User, admin.id), datetime.now(ZoneInfo("UTC")))
        db.session.commit()
    resume = tmp_path / "Noor Haddad CV.pdf"
    resume.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")

    page.goto(f"/apply/{job.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Apply: Estates law clerk")
    page.get_by_label("Your full name").fill("Noor Haddad")
    page.get_by_label("Email").fill("noor.haddad@example.com")
    page.get_by_label("The role you are looking for").select_option(label="Law clerk")
    page.get_by_label("Résumé (optional)").set_input_files(str(resume))
    screenshot(page, "apply-form-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "apply-form-phone")
    page.get_by_role("button", name="Send my application").click()
    expect(page.get_by_role("alert")).to_contain_text("Please correct")  # consent not given
    page.get_by_label(re.compile("I have read the privacy notice")).check()
    page.get_by_label("Résumé (optional)").set_input_files(str(resume))
    page.wait_for_timeout(3_100)  # as long as a person takes at the very least
    page.get_by_role("button", name="Send my application").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    screenshot(page, "apply-sent-phone")

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, owner.email, PASSWORD)
    page.goto(f"/jobs/{job.id}")
    page.get_by_role("link", name="Noor Haddad").click()
    expect(page.get_by_role("heading", name="Applications")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Noor Haddad CV.pdf").click()
    assert download.value.suggested_filename == "Noor Haddad CV.pdf"
    screenshot(page, "candidate-with-application-desktop")


def test_a_posting_goes_from_the_portal_to_the_site_and_an_applicant_back(
    page, browser, make, runner, live_server, tmp_path
):
    """The whole way, in Chromium: a recruiter writes a posting and is refused for a rule,
    publishes it; cron's export and build put it on the site with its JobPosting and in the
    feed; a reader applies from its page with a résumé; the recruiter finds them."""
    import json
    import xml.etree.ElementTree as ET

    from build_helpers import CONTENT, check_job_posting, quiet_build

    recruiter = make.user(Role.RECRUITER, name="Rhea Recruiter")
    make.employer(name="Pellow Quarrington LLP")
    sign_in(page, recruiter.email, PASSWORD)
    page.goto("/jobs/new")
    page.get_by_label("Employer", exact=True).select_option(label="Pellow Quarrington LLP")
    page.get_by_label("Title", exact=True).fill("Real estate law clerk")
    page.get_by_label("Practice area").select_option(label="Real estate")
    page.get_by_label("Location").fill("Mississauga")
    page.get_by_label("Work arrangement").select_option(label="Hybrid")
    page.get_by_label("Hours a week").fill("35")
    closes = datetime.now(ZoneInfo("America/Toronto")).date() + timedelta(days=21)
    page.get_by_label("Applications close on").fill(closes.isoformat())
    page.get_by_label("Description").fill(
        "Open and close residential deals.\n\n- **Teraview** searches and registrations"
    )
    page.get_by_label("Pay, or the bottom of the range").fill("60000")
    page.get_by_label("Per", exact=True).select_option(label="a year")
    page.get_by_label("The employer's staff today").select_option(label="25 or more employees")
    page.get_by_label("Is artificial intelligence used").select_option(label="No")
    page.get_by_role("button", name="Save and publish").click()
    expect(page.get_by_role("alert")).to_contain_text("Not published")
    vacancy = page.get_by_label("Is the posting for an existing vacancy?")
    expect(vacancy).to_have_attribute("aria-invalid", "true")
    vacancy.select_option(label="Yes")
    page.get_by_role("button", name="Save and publish").click()
    expect(page.get_by_text("is published (version 1)")).to_be_visible()
    job_id = int(re.search(r"/jobs/(\d+)", page.url).group(1))

    # What cron runs: the export, then the build (README, "Publishing the open jobs").
    postings = tmp_path / "postings.json"
    result = runner.invoke(args=["jobs", "export", str(postings), "--portal-url", live_server])
    assert result.exit_code == 0, result.output
    out = tmp_path / "dist"
    quiet_build(CONTENT, out, formats=frozenset({"site"}), jobs=1, postings=postings)
    site = out / "site"
    feed = ET.parse(site / "jobs" / "feed.xml").getroot()
    atom = {"a": "http://www.w3.org/2005/Atom"}
    assert [e.find("a:title", atom).text for e in feed.findall("a:entry", atom)] == [
        "Real estate law clerk"
    ]

    reader = browser.new_context(viewport={"width": 390, "height": 844})
    reader.set_default_timeout(10_000)
    try:
        tab = reader.new_page()
        tab.goto((site / "guides" / "thank-you-note" / "index.html").as_uri())
        tab.get_by_role("link", name="Browse our open jobs").click()
        tab.get_by_role("link", name="Real estate law clerk").click()
        expect(tab.get_by_role("heading", level=1)).to_have_text("Real estate law clerk")
        expect(tab.get_by_text("This posting is for an existing vacancy.")).to_be_visible()
        data = json.loads(tab.locator('script[type="application/ld+json"]').text_content())
        assert check_job_posting(data) == []
        assert data["baseSalary"]["value"]["value"] == 60000
        assert "<strong>Teraview</strong>" in data["description"]
        screenshot(tab, "site-posting-phone")
        tab.get_by_role("link", name="Apply for this job").first.click()
        expect(tab.get_by_role("heading", level=1)).to_have_text("Apply: Real estate law clerk")
        assert tab.url == f"{live_server}/apply/{job_id}"
        resume = tmp_path / "Ines Okafor resume.pdf"
        resume.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
        tab.get_by_label("Your full name").fill("Ines Okafor")
        tab.get_by_label("Email").fill("ines.okafor@example.com")
        tab.get_by_label("The role you are looking for").select_option(label="Law clerk")
        tab.get_by_label("Résumé (optional)").set_input_files(str(resume))
        tab.get_by_label(re.compile("I have read the privacy notice")).check()
        tab.wait_for_timeout(3_100)  # as long as a person takes at the very least
        tab.get_by_role("button", name="Send my application").click()
        expect(tab.get_by_role("heading", name="Thank you")).to_be_visible()
    finally:
        reader.close()

    page.goto(f"/jobs/{job_id}")
    page.get_by_role("link", name="Ines Okafor").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Ines Okafor resume.pdf").click()
    assert download.value.suggested_filename == "Ines Okafor resume.pdf"


def test_an_admin_imports_the_agency_spreadsheet_then_merges_a_duplicate_and_undoes_it(
    page, make, app
):
    """Moving in: the French Excel sample is previewed (columns, rows as stored, refusals),
    imported with the bar, its report downloaded; the person it holds twice is merged from
    the duplicates list, and the merge undone from the candidate's merges page."""
    from pathlib import Path

    from portal.extensions import db
    from portal.models import Candidate

    admin = make.user(Role.ADMIN, name="Avery Admin")
    sample = Path(__file__).resolve().parent.parent / "docs" / "samples" / "candidates.csv"
    sign_in(page, admin.email, PASSWORD)
    page.goto("/admin/imports")
    page.get_by_label("What the file lists").select_option("candidates")
    page.get_by_label("CSV file").set_input_files(str(sample))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_text("Windows-1252, semicolon-separated")).to_be_visible()
    expect(page.get_by_label("Courriel")).to_have_value("email")
    expect(page.get_by_label("Remarques")).to_have_value("notes")
    expect(page.get_by_role("cell", name="+1 905-555-0103 ext. 21")).to_be_visible()
    expect(
        page.get_by_text(re.compile("phone “555-0111”: a phone number has 10 digits"))
    ).to_be_visible()
    expect(page.get_by_role("cell", name="no email")).to_be_visible()
    screenshot(page, "admin-import-preview")
    page.get_by_role("button", name="Import 4 rows").click()
    expect(page.get_by_role("heading", name=re.compile("^Imported"))).to_be_visible(timeout=20_000)
    expect(page.get_by_text("4 added, of which 1 may be people already on file")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the report (CSV)").click()
    report = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "refused" in report and "Tomás Silva" in report
    screenshot(page, "admin-import-done")

    page.get_by_role("link", name="see the duplicates").click()
    expect(page.get_by_role("heading", name="Likely duplicates")).to_be_visible()
    screenshot(page, "duplicates")
    page.get_by_role("link", name=re.compile("Compare and merge")).click()
    page.get_by_role("radio", name="Email: elodie.t@mail.example.com").check()
    screenshot(page, "merge")
    page.get_by_role("button", name="Merge into one record").click()
    expect(page.get_by_text(re.compile("is merged into Élodie Tremblay"))).to_be_visible()
    with app.app_context():
        assert (
            db.session.scalar(
                db.select(db.func.count(Candidate.id)).where(Candidate.name == "Élodie Tremblay")
            )
            == 1
        )
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=re.compile("Undo this merge")).click()
    expect(page.get_by_text(re.compile("The merge is undone"))).to_be_visible()
    with app.app_context():
        emails = set(
            db.session.scalars(
                db.select(Candidate.email).where(Candidate.name == "Élodie Tremblay")
            )
        )
    assert emails == {"elodie.tremblay@mail.example.com", "elodie.t@mail.example.com"}


def test_adding_a_candidate_who_may_be_on_file_warns_before_saving(page, make):
    recruiter = make.user(Role.RECRUITER, name="Riley Recruiter")
    make.candidate(recruiter, name="Nguyen Zoe", email="zoe@old.example.com", phone="416-555-0199")
    sign_in(page, recruiter.email, PASSWORD)
    page.goto("/candidates/new")
    page.get_by_label("Full name").fill("Zoë Nguyễn")
    page.get_by_label("Email").fill("zoe.n@example.com")
    page.get_by_label("Phone").fill("(416) 555 0199")
    page.get_by_role("button", name="Save candidate").click()
    expect(page.get_by_role("heading", name="This may be someone already on file")).to_be_visible()
    expect(page.get_by_role("link", name="Nguyen Zoe")).to_be_visible()
    screenshot(page, "candidate-likely-duplicate")
    page.get_by_label("This is a different person: add them anyway").check()
    page.get_by_role("button", name="Save candidate").click()
    expect(page.get_by_text(re.compile("listed with their likely duplicates"))).to_be_visible()
    expect(page.get_by_text("+1 416-555-0199")).to_be_visible()


def test_moving_in_on_the_large_agency(page, app, tmp_path):
    """The large demo agency (20,000 candidates, 100,000 interviews, 400,000 steps): an
    admin imports 2,000 more, looks through the duplicates and merges a pair, then undoes
    it; the demo recruiter sees only the pairs of their own candidates and is warned when
    adding someone already on their list."""
    from bench.bench_import import spreadsheet
    from portal.demo import ADMIN_EMAIL, DEMO_PASSWORD, seed, sign_ins
    from portal.extensions import db
    from portal.models import Candidate, User

    with app.app_context():
        seed("large")
        db.session.commit()
        recruiter_email = next(email for role, email in sign_ins() if role == "recruiter")
        recruiter = db.session.scalar(db.select(User).where(User.email == recruiter_email))
        theirs = db.session.scalars(
            db.select(Candidate).where(Candidate.recruiter_id == recruiter.id).limit(1)
        ).one()
        total = db.session.scalar(db.select(db.func.count(Candidate.id)))
    sheet = tmp_path / "agency.csv"
    sheet.write_bytes(spreadsheet(2000, recruiter_email))

    sign_in(page, ADMIN_EMAIL, DEMO_PASSWORD)
    page.goto("/admin/imports")
    page.get_by_label("CSV file").set_input_files(str(sheet))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_text("2,000 rows, Windows-1252, semicolon-separated")).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^Import 1,99\d rows$")).click()
    expect(page.get_by_role("heading", name=re.compile("^Imported"))).to_be_visible(timeout=60_000)
    screenshot(page, "large-import-done")
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Candidate.id))) > total + 1900

    page.goto("/duplicates")
    expect(page.get_by_role("heading", name="Likely duplicates")).to_be_visible()
    expect(page.get_by_role("navigation", name="Pages")).to_contain_text(re.compile("page 1 of"))
    page.get_by_role("link", name=re.compile("Compare and merge")).first.click()
    page.get_by_role("button", name="Merge into one record").click()
    expect(page.get_by_text(re.compile("You can undo this for 30 days"))).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=re.compile("Undo this merge")).click()
    expect(page.get_by_text(re.compile("The merge is undone"))).to_be_visible()
    sign_out(page)

    sign_in(page, recruiter_email, DEMO_PASSWORD)
    page.goto("/duplicates")
    links = page.locator("table.duplicates td a[href*='/candidates/']").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    assert links, "the demo recruiter has pairs of their own candidates"
    with app.app_context():
        ids = [int(href.rsplit("/", 1)[1]) for href in links]
        owners = set(
            db.session.scalars(db.select(Candidate.recruiter_id).where(Candidate.id.in_(ids)))
        )
    assert owners == {recruiter.id}  # never a pair with someone else's candidate
    screenshot(page, "large-duplicates-recruiter")
    page.goto("/candidates/new")
    page.get_by_label("Full name").fill(theirs.name)
    page.get_by_label("Email").fill("second.address@example.com")
    page.get_by_label("City").fill(theirs.city)
    page.get_by_role("button", name="Save candidate").click()
    expect(page.get_by_role("heading", name="This may be someone already on file")).to_be_visible()
    expect(page.get_by_role("link", name=theirs.name).first).to_be_visible()
