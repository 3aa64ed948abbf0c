"""Job postings in the portal: written, checked against Ontario's rules, published as kept
versions, taken down."""

import json
import threading
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEvent, Job, JobPosting, PostingChanged, Role


@pytest.fixture
def recruiter(login_as):
    return login_as(Role.RECRUITER)


@pytest.fixture
def employer(make):
    return make.employer(name="Harrowgate Quill LLP")


def local_today() -> date:
    return datetime.now(ZoneInfo("America/Toronto")).date()


def posting_form(employer, **changes) -> dict:
    """A job form as a recruiter fills it in for a posting that may go up."""
    closes = local_today() + timedelta(days=30)
    return {
        "employer_id": employer.id,
        "title": "Litigation law clerk",
        "practice_area": "Litigation",
        "status": "open",
        "recruiter_id": "",
        "public_title": "Litigation law clerk, Toronto",
        "location": "Toronto",
        "work_arrangement": "hybrid",
        "employment_type": "permanent",
        "schedule": "full_time",
        "hours_per_week": "37.5",
        "closes_on": closes.isoformat(),
        "description": "Draft pleadings, manage the court calendar and keep the files moving.",
        "pay_low": "62000",
        "pay_high": "74000",
        "pay_per": "year",
        "employer_size": "25_or_more",
        "uses_ai": "no",
        "existing_vacancy": "yes",
        **changes,
    }


def postings(app) -> list[JobPosting]:
    with app.app_context():
        return list(db.session.scalars(select(JobPosting).order_by(JobPosting.id)))


def jobs_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Job.id)))


@pytest.mark.parametrize(
    "changes, field, message",
    [
        (
            {"pay_low": "55000", "pay_high": "110000"},
            "pay_high",
            "The range is $55,000 wide; the law allows at most $50,000 a year",
        ),
        (
            {"pay_low": "28", "pay_high": "55", "pay_per": "hour"},
            "pay_high",
            "The range is $52,650 wide ($54,600–$107,250 a year)",
        ),
        ({"pay_low": "", "pay_high": ""}, "pay_low", "State the expected pay or a range"),
        ({"uses_ai": ""}, "uses_ai", "Say whether artificial intelligence is used"),
        (
            {"existing_vacancy": ""},
            "existing_vacancy",
            "Say whether the posting is for an existing",
        ),
        (
            {"description": "Three years of Canadian experience in a busy litigation office."},
            "description",
            "Remove “Canadian experience”: a posting may not require Canadian experience",
        ),
        (
            {"public_title": "Law clerk (experience in Canada required)"},
            "public_title",
            "Remove “experience in Canada”",
        ),
        ({"closes_on": "2020-01-31"}, "closes_on", "The closing date has passed"),
        ({"employer_size": ""}, "employer_size", "Say how many employees the employer has"),
        ({"description": ""}, "description", "Describe the job"),
        ({"status": "filled"}, "status", "Only an open job can be published."),
    ],
)
def test_a_posting_that_breaks_a_rule_is_refused_with_the_reason_and_nothing_is_saved(
    app, recruiter, employer, changes, field, message
):
    response = recruiter.post(
        "/jobs/new", data={**posting_form(employer, **changes), "publish": "Save and publish"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Not published: each field marked below stops it going up." in page
    assert f'id="{field}-error"' in page
    assert message in page.replace("&#8220;", "“").replace("&#8221;", "”")
    assert jobs_count(app) == 0 and postings(app) == []


def test_under_25_employees_the_pay_and_disclosures_are_not_required(app, recruiter, employer):
    form = posting_form(
        employer, employer_size="under_25", pay_low="", pay_high="", uses_ai="", existing_vacancy=""
    )
    response = recruiter.post("/jobs/new", data={**form, "publish": "Save and publish"})
    assert response.status_code == 303
    (posting,) = postings(app)
    assert posting.covered is False and posting.content["pay"] is None


def test_the_form_shows_hourly_pay_as_a_yearly_amount(recruiter, employer):
    response = recruiter.post(
        "/jobs/new",
        data={
            **posting_form(employer, pay_low="28", pay_high="55", pay_per="hour"),
            "publish": "Save and publish",
        },
    )
    assert (
        "$28–$55 an hour × 37.5 hours a week × 52 weeks = $54,600–$107,250 a year"
        in response.get_data(as_text=True)
    )


def test_publish_keeps_each_version_as_it_went_up_and_takes_the_one_before_down(
    app, recruiter, employer
):
    response = recruiter.post(
        "/jobs/new", data={**posting_form(employer), "publish": "Save and publish"}
    )
    assert response.status_code == 303
    with app.app_context():
        job = db.session.scalar(select(Job))
        job_id = job.id
    assert response.location.endswith(f"/jobs/{job_id}")
    page = recruiter.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Published: version 1" in page
    assert "$62,000–$74,000 a year" in page
    assert "Artificial intelligence is not used to screen, assess or select applicants" in page
    assert "This posting is for an existing vacancy." in page

    # A saved edit changes the draft, not what is up; publishing it makes version 2.
    edited = posting_form(employer, pay_low="64000", pay_high="76000")
    assert recruiter.post(f"/jobs/{job_id}/edit", data=edited).status_code == 303
    first = postings(app)[0]
    assert first.content["pay"]["low"] == "62000" and first.taken_down_at is None
    assert recruiter.post(f"/jobs/{job_id}/publish").status_code == 303
    first, second = postings(app)
    assert (first.version, second.version) == (1, 2)
    assert first.taken_down_at is not None and second.taken_down_at is None
    assert (first.content["pay"]["low"], first.content["pay"]["high"]) == ("62000", "74000")
    assert (second.content["pay"]["low"], second.content["pay"]["high"]) == ("64000", "76000")
    assert second.content["title"] == "Litigation law clerk, Toronto"
    assert second.content["schema"] == 1 and second.content["uses_ai"] is False
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions.count("job.published") == 2

    # Taken down: off the site, its copy kept three years after.
    assert recruiter.post(f"/jobs/{job_id}/take-down").status_code == 303
    page = recruiter.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Not published" in page
    kept = local_today().replace(year=local_today().year + 3)
    assert kept.strftime("%-d %b %Y") in page
    assert postings(app)[1].taken_down_at is not None
    listing = recruiter.get("/jobs").get_data(as_text=True)
    assert "Not published" in listing


def test_a_published_version_cannot_be_changed(app, recruiter, employer):
    recruiter.post("/jobs/new", data={**posting_form(employer), "publish": "Save and publish"})
    with app.app_context():
        posting = db.session.scalar(select(JobPosting))
        posting.content = {**posting.content, "title": "Something else"}
        with pytest.raises(PostingChanged):
            db.session.flush()
        db.session.rollback()
        posting = db.session.scalar(select(JobPosting))
        posting.taken_down_at = datetime.now(UTC)
        db.session.commit()  # coming down is recorded, once
        posting.taken_down_at = datetime.now(UTC) + timedelta(minutes=1)
        with pytest.raises(PostingChanged):
            db.session.flush()


def test_publishing_a_saved_draft_with_problems_shows_the_form_with_the_reasons(
    app, recruiter, employer, make
):
    job = make.job(employer, title="Real estate clerk", practice_area="Real estate")
    page = recruiter.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Before it can be published" in page and "Describe the job" in page
    response = recruiter.post(f"/jobs/{job.id}/publish")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert 'id="description-error"' in text and f'action="/jobs/{job.id}/edit"' in text
    assert postings(app) == []


def test_a_posting_past_its_closing_day_is_down_without_anyone_taking_it_down(
    app, recruiter, employer
):
    recruiter.post("/jobs/new", data={**posting_form(employer), "publish": "Save and publish"})
    with app.app_context():
        job_id = db.session.scalar(select(Job.id))
        # As if the closing day had passed: the version's own record says when it closed.
        db.session.execute(JobPosting.__table__.update().values(closes_on=date(2026, 1, 15)))
        db.session.commit()
    page = recruiter.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Not published" in page and "Closed 15 Jan 2026" in page
    assert "15 Jan 2029" in page  # kept three years after it came down


def test_the_owner_is_a_recruiter_from_the_list_or_no_one(app, recruiter, employer, make):
    candidate = make.user(Role.CANDIDATE)
    refused = recruiter.post(
        "/jobs/new", data=posting_form(employer, recruiter_id=str(candidate.id))
    )
    assert refused.status_code == 422
    assert "Choose a recruiter from the list." in refused.get_data(as_text=True)
    assert jobs_count(app) == 0
    owner = make.user(Role.RECRUITER, name="Priya Owner")
    assert (
        recruiter.post("/jobs/new", data=posting_form(employer, recruiter_id=str(owner.id)))
    ).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Job.recruiter_id)) == owner.id
    page = recruiter.get("/jobs/new").get_data(as_text=True)
    assert f'<option selected value="{recruiter.user.id}">' in page  # mine by default


def test_the_retention_review_lists_copies_kept_three_years_and_deletes_only_those(
    app, recruiter, employer, login_as
):
    for title in ("Conveyancer", "Family law clerk"):
        recruiter.post(
            "/jobs/new",
            data={**posting_form(employer, public_title=title), "publish": "Save and publish"},
        )
    old, recent = postings(app)
    with app.app_context():
        table = JobPosting.__table__
        three_years_ago = datetime.now(UTC) - timedelta(days=3 * 366 + 2)
        db.session.execute(
            table.update().where(table.c.id == old.id).values(taken_down_at=three_years_ago)
        )
        db.session.execute(
            table.update()
            .where(table.c.id == recent.id)
            .values(taken_down_at=datetime.now(UTC) - timedelta(days=3 * 365 - 5))
        )
        db.session.commit()
    admin = login_as(Role.ADMIN)
    page = admin.get("/admin/retention").get_data(as_text=True)
    assert "Conveyancer" in page and "Family law clerk" not in page
    assert admin.post(f"/admin/retention/postings/{recent.id}/delete").status_code == 404
    assert admin.post(f"/admin/retention/postings/{old.id}/delete").status_code == 303
    assert [p.id for p in postings(app)] == [recent.id]
    assert "None: every copy is still within its three years." in admin.get(
        "/admin/retention"
    ).get_data(as_text=True)


def test_marking_a_job_filled_takes_its_posting_down(app, recruiter, employer):
    recruiter.post("/jobs/new", data={**posting_form(employer), "publish": "Save and publish"})
    with app.app_context():
        job_id = db.session.scalar(select(Job.id))
    recruiter.post(f"/jobs/{job_id}/edit", data=posting_form(employer, status="filled"))
    (posting,) = postings(app)
    assert posting.taken_down_at is not None
    assert "Not published" in recruiter.get(f"/jobs/{job_id}").get_data(as_text=True)


def test_the_export_holds_the_published_versions_only_and_is_rewritten_only_on_change(
    app, recruiter, employer, runner, tmp_path, make, monkeypatch
):
    recruiter.post("/jobs/new", data={**posting_form(employer), "publish": "Save and publish"})
    recruiter.post(
        "/jobs/new",
        data={**posting_form(employer, public_title="Taken down clerk"), "publish": "x"},
    )
    with app.app_context():
        first, second = db.session.scalars(select(Job.id).order_by(Job.id))
    recruiter.post(f"/jobs/{second}/take-down")
    # A draft edit after publishing stays out of the export until it is published.
    recruiter.post(f"/jobs/{first}/edit", data=posting_form(employer, description="Draft words"))
    make.job(employer, title="Never published")

    out = tmp_path / "site-data" / "postings.json"
    monkeypatch.setitem(app.config, "PORTAL_URL", None)
    refused = runner.invoke(args=["jobs", "export", str(out)])
    assert refused.exit_code == 2 and "Set PORTAL_URL or pass --portal-url" in refused.output
    assert not out.exists()
    portal = ["--portal-url", "https://portal.finchleylane.example/"]
    result = runner.invoke(args=["jobs", "export", str(out), *portal])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"{out}: 1 posting."
    document = json.loads(out.read_text())
    assert document["schema"] == 1 and document["content_schema"] == 1
    (posting,) = document["postings"]
    assert posting["job_id"] == first and posting["version"] == 1
    assert posting["title"] == "Litigation law clerk, Toronto"
    assert posting["description"].startswith("Draft pleadings")
    assert posting["pay"] == {
        "low": "62000",
        "high": "74000",
        "per": "year",
        "yearly_low": "62000",
        "yearly_high": "74000",
    }
    assert set(posting) == {
        "schema", "job_id", "title", "description", "employer", "practice_area", "location",
        "work_arrangement", "employment_type", "schedule", "hours_per_week", "pay", "uses_ai",
        "existing_vacancy", "covered", "closes_on", "version", "published_on", "apply_url",
        "published_at", "description_html", "pay_words", "pay_working", "statements",
    }  # fmt: skip
    assert posting["pay_words"] == "$62,000–$74,000 a year" and posting["pay_working"] is None
    assert posting["description_html"].startswith("<p>Draft pleadings")
    assert len(posting["statements"]) == 2
    assert posting["apply_url"] == f"https://portal.finchleylane.example/apply/{first}"
    written = out.stat().st_mtime_ns
    again = runner.invoke(args=["jobs", "export", str(out), *portal])
    assert again.output.strip() == f"{out}: 1 posting, unchanged."
    assert out.stat().st_mtime_ns == written


def test_the_job_page_offers_to_publish_only_what_differs_from_what_is_up(app, recruiter, employer):
    recruiter.post("/jobs/new", data={**posting_form(employer), "publish": "Save and publish"})
    with app.app_context():
        job_id = db.session.scalar(select(Job.id))
    page = recruiter.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "The posting as published" in page and "Publish these changes" not in page
    recruiter.post(f"/jobs/{job_id}/edit", data=posting_form(employer, location="Oakville"))
    page = recruiter.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "The posting as edited, not yet published" in page and "Publish these changes" in page


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"pay_low": "30.005"}, "pay_low", "Use at most 2 decimals."),
        ({"hours_per_week": "37.55"}, "hours_per_week", "Use at most 1 decimals."),
        ({"pay_low": "sNaN"}, "pay_low", "Enter a number."),
        ({"hours_per_week": "Infinity"}, "hours_per_week", "Enter a number."),
    ],
)
def test_numbers_are_kept_as_typed_or_refused(app, recruiter, employer, changes, field, message):
    response = recruiter.post("/jobs/new", data=posting_form(employer, **changes))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and message in page
    assert jobs_count(app) == 0


def test_taking_down_a_posting_past_its_closing_day_records_nothing(app, recruiter, employer):
    recruiter.post("/jobs/new", data={**posting_form(employer), "publish": "Save and publish"})
    with app.app_context():
        job_id = db.session.scalar(select(Job.id))
        db.session.execute(JobPosting.__table__.update().values(closes_on=date(2026, 1, 15)))
        db.session.commit()
    response = recruiter.post(f"/jobs/{job_id}/take-down", follow_redirects=True)
    assert "The posting is not up." in response.get_data(as_text=True)
    (posting,) = postings(app)
    assert posting.taken_down_at is None
    with app.app_context():
        actions = set(db.session.scalars(select(AuditEvent.action)))
    assert "job.taken_down" not in actions


def test_publishing_at_the_same_moment_numbers_each_version_once(app, employer, make, login_as):
    owner = make.user(Role.RECRUITER)
    first = login_as(Role.RECRUITER, user=owner)
    first.post("/jobs/new", data={**posting_form(employer), "publish": "Save and publish"})
    with app.app_context():
        job_id = db.session.scalar(select(Job.id))
    clients = [login_as(Role.RECRUITER, user=owner) for _ in range(4)]
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def press(client):
        barrier.wait()
        statuses.append(client.post(f"/jobs/{job_id}/publish").status_code)

    threads = [threading.Thread(target=press, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert statuses == [303] * 4
    versions = postings(app)
    assert [p.version for p in versions] == [1, 2, 3, 4, 5]
    assert [p.taken_down_at is None for p in versions] == [False] * 4 + [True]


def test_a_job_owned_by_someone_who_left_keeps_its_owner_when_edited(
    app, recruiter, employer, make
):
    gone = make.user(Role.RECRUITER, name="Olu Departed", active=False)
    job = make.job(employer, recruiter_id=gone.id)
    page = recruiter.get(f"/jobs/{job.id}/edit").get_data(as_text=True)
    assert f'<option selected value="{gone.id}">Olu Departed (no longer active)</option>' in page
    data = {**posting_form(employer), "recruiter_id": str(gone.id), "title": job.title}
    assert recruiter.post(f"/jobs/{job.id}/edit", data=data).status_code == 303
    with app.app_context():
        assert db.session.get(Job, job.id).recruiter_id == gone.id
