"""The open jobs on the static site: build.py reads the portal's postings export and writes
/jobs/, its filter pages, a page per posting with schema.org JobPosting, a feed, and
sitemap and search entries; a broken export names the file, line and field."""

import html
import json
import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from build_helpers import (
    SAMPLE,
    TODAY,
    check_job_posting,
    copy_content,
    json_ld,
    posting,
    quiet_build,
    tree,
    write_postings,
)
from sitebuilder import BuildError

BASE = "https://advice.finchleylane.example/"
ATOM = {"a": "http://www.w3.org/2005/Atom"}


def export(tmp_path: Path, postings: list[dict], name: str = "postings.json", **document) -> Path:
    return write_postings(tmp_path / name, postings, **document)


def build_with(content: Path, out: Path, postings: Path | None, **options):
    return quiet_build(
        content, out, formats=frozenset({"site"}), jobs=1, postings=postings, today=TODAY,
        **options,
    )  # fmt: skip


@pytest.fixture(scope="module")
def jobs_site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("jobs")
    out = folder / "dist"
    build_with(copy_content(folder), out, export(folder, SAMPLE))
    return out / "site"


def read(site: Path, rel: str) -> str:
    return (site / rel).read_text()


def test_the_jobs_list_shows_every_open_posting_newest_first(jobs_site):
    page = read(jobs_site, "jobs/index.html")
    titles = re.findall(r'<h3 class="card-title"><a href="\.\./(jobs/\d+/)">([^<]+)</a>', page)
    # Newest first: job 3 was published on the 13th, 2 on the 12th, 1 on the 11th.
    assert titles == [
        ("jobs/3/", "Legal secretary"),
        ("jobs/2/", "Conveyancer, part time"),
        ("jobs/1/", "Litigation law clerk 1"),
    ]
    assert "$31.50 an hour" in page and "Mississauga (remote)" in page
    assert "3 open jobs." in page
    nav = re.search(r'<nav aria-label="Site">.*?</nav>', page, re.DOTALL).group(0)
    assert re.findall(r">([^<]+)</a>", nav) == ["Home", "All guides", "Open jobs", "Search"]
    assert 'href="../jobs/feed.xml"' in page  # the feed, for readers and as <link rel>


def test_filters_are_pages_of_their_own_so_they_work_without_scripts(jobs_site):
    page = read(jobs_site, "jobs/index.html")
    for href in ("area/litigation", "area/real-estate", "location/mississauga", "type/contract"):
        assert f'href="../jobs/{href}/"' in page
    remote = read(jobs_site, "jobs/location/mississauga/index.html")
    assert "Conveyancer, part time" in remote and "Litigation law clerk 1" not in remote
    assert "1 open job of 3." in remote and 'aria-current="page">Mississauga' in remote
    toronto = read(jobs_site, "jobs/location/toronto/index.html")
    assert "Litigation law clerk 1" in toronto and "Legal secretary" in toronto
    assert "Conveyancer" not in toronto
    temporary = read(jobs_site, "jobs/type/temporary/index.html")
    assert "Legal secretary" in temporary and "Litigation law clerk" not in temporary
    assert sorted(p.name for p in (jobs_site / "jobs" / "area").iterdir()) == [
        "family", "litigation", "real-estate",
    ]  # fmt: skip


def test_a_posting_page_states_its_pay_the_ontario_statements_and_where_to_apply(jobs_site):
    page = read(jobs_site, "jobs/1/index.html")
    assert "<h1>Litigation law clerk 1</h1>" in page
    assert "$62,000–$74,000 a year" in page
    assert "This posting is for an existing vacancy." in page
    assert "Artificial intelligence is not used to screen" in page
    assert "within 45 days of your last interview" in page
    assert page.count('href="https://portal.finchleylane.example/apply/1"') == 2
    assert "<li>Two years in a law office</li>" in page  # the description's own HTML
    hourly = read(jobs_site, "jobs/2/index.html")
    assert "$31.50 an hour × 20 hours a week × 52 weeks = $32,760 a year" in hourly
    small = read(jobs_site, "jobs/3/index.html")
    assert "fewer than 25 employees" in small and "Pay</dt><dd>Not stated" in small
    assert "within 45 days" not in small


@pytest.mark.parametrize("job_id", [1, 2, 3])
def test_each_posting_carries_a_schema_org_job_posting(jobs_site, job_id):
    data = json_ld(read(jobs_site, f"jobs/{job_id}/index.html"))
    assert check_job_posting(data) == []
    assert data["url"] == f"{BASE}jobs/{job_id}/"
    assert data["validThrough"] == f"{(TODAY + timedelta(days=30)).isoformat()}T23:59:59-05:00"
    if job_id == 1:
        assert data["baseSalary"]["value"] == {
            "@type": "QuantitativeValue", "minValue": 62000, "maxValue": 74000, "unitText": "YEAR",
        }  # fmt: skip
        assert data["employmentType"] == ["FULL_TIME"]
        assert "jobLocationType" not in data
    if job_id == 2:
        assert data["baseSalary"]["value"] == {
            "@type": "QuantitativeValue", "value": 31.5, "unitText": "HOUR",
        }  # fmt: skip
        assert data["employmentType"] == ["PART_TIME", "CONTRACTOR"]
        assert data["jobLocationType"] == "TELECOMMUTE"
    if job_id == 3:
        assert "baseSalary" not in data and data["employmentType"] == ["FULL_TIME", "TEMPORARY"]


def test_the_checker_catches_what_schema_org_would_refuse():
    """The JSON-LD check above can fail: each break is named."""
    good = {
        "@context": "https://schema.org", "@type": "JobPosting", "title": "Clerk",
        "description": "<p>Work</p>", "datePosted": "2026-11-20T09:00:00-05:00",
        "validThrough": "2026-12-20T23:59:59-05:00", "employmentType": ["FULL_TIME"],
        "hiringOrganization": {"@type": "Organization", "name": "Firm"},
        "jobLocation": {"@type": "Place", "address": {
            "@type": "PostalAddress", "addressLocality": "Toronto", "addressRegion": "ON",
            "addressCountry": "CA"}},
    }  # fmt: skip
    assert check_job_posting(good) == []
    assert check_job_posting({**good, "salary": 5}) == ["salary is not a JobPosting property"]
    assert check_job_posting({**good, "employmentType": ["PERMANENT"]})
    assert check_job_posting({**good, "validThrough": "2026-11-01T00:00:00-05:00"})
    assert check_job_posting({**good, "baseSalary": {"@type": "MonetaryAmount", "value": 5}})
    assert "missing jobLocation" in check_job_posting(
        {k: v for k, v in good.items() if k != "jobLocation"}
    )


def test_the_jobs_feed_is_atom_with_an_entry_per_posting(jobs_site):
    feed = ET.parse(jobs_site / "jobs" / "feed.xml").getroot()
    entries = feed.findall("a:entry", ATOM)
    assert [e.find("a:id", ATOM).text for e in entries] == [
        f"{BASE}jobs/3/", f"{BASE}jobs/2/", f"{BASE}jobs/1/",
    ]  # fmt: skip
    assert feed.find("a:updated", ATOM).text == entries[0].find("a:updated", ATOM).text
    assert "$31.50 an hour" in entries[1].find("a:summary", ATOM).text
    for entry in entries:
        datetime.fromisoformat(entry.find("a:updated", ATOM).text)


def test_sitemap_and_search_index_hold_the_jobs(jobs_site):
    sitemap = ET.parse(jobs_site / "sitemap.xml").getroot()
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = {
        u.find("s:loc", ns).text: getattr(u.find("s:lastmod", ns), "text", None)
        for u in sitemap.findall("s:url", ns)
    }
    assert urls[f"{BASE}jobs/"] == "2026-11-13"
    assert urls[f"{BASE}jobs/2/"] == "2026-11-12"
    assert urls[f"{BASE}jobs/area/litigation/"] == "2026-11-11"
    index = json.loads(read(jobs_site, "search-index.js").split("=", 1)[1].rstrip(";\n"))
    jobs = {doc["url"]: doc for doc in index if doc["audience"] == "job"}
    assert set(jobs) == {"jobs/1/", "jobs/2/", "jobs/3/"}
    assert jobs["jobs/1/"]["title"] == "Litigation law clerk 1"
    assert "Two years in a law office" in jobs["jobs/1/"]["text"]


def test_the_guides_end_with_a_link_to_the_open_jobs(jobs_site):
    page = read(jobs_site, "guides/thank-you-note/index.html")
    assert 'href="../../jobs/">Browse our open jobs</a>' in page
    assert page.index("Browse our open jobs") > page.index('class="prose"')


def test_without_postings_the_site_is_as_it_was(tmp_path):
    out = tmp_path / "dist"
    build_with(copy_content(tmp_path), out, None)
    site = out / "site"
    assert not (site / "jobs").exists()
    assert "Open jobs" not in read(site, "index.html")
    assert "Browse our open jobs" not in read(site, "guides/thank-you-note/index.html")
    assert "example/jobs/" not in read(site, "sitemap.xml")


def test_postings_named_in_site_yml_are_read_from_the_content_folder(tmp_path):
    content = copy_content(tmp_path)
    (content / "data").mkdir()
    export(content / "data", [posting(7)])
    with open(content / "site.yml", "a") as fh:
        fh.write("postings: data/postings.json\n")
    out = tmp_path / "dist"
    build_with(content, out, None)
    assert "Litigation law clerk 7" in read(out / "site", "jobs/7/index.html")


def test_a_closed_posting_leaves_the_site_and_its_empty_filters_with_it(tmp_path):
    content, out = copy_content(tmp_path), tmp_path / "dist"
    file = export(tmp_path, SAMPLE)
    build_with(content, out, file)
    site = out / "site"
    assert (site / "jobs" / "2" / "index.html").exists()
    # Job 2 comes down in the portal: the next export no longer has it.
    export(tmp_path, [SAMPLE[0], SAMPLE[2]])
    report = build_with(content, out, file)
    assert not (site / "jobs" / "2").exists()
    assert not (site / "jobs" / "area" / "real-estate").exists()
    assert not (site / "jobs" / "location" / "mississauga").exists()
    assert "Conveyancer" not in read(site, "jobs/index.html")
    assert "jobs/2/" not in read(site, "sitemap.xml") + read(site, "search-index.js")
    assert report.built.get("guide-page", 0) == 0  # the guides did not change

    # An export older than the build: a posting past its closing day is left out all the same.
    export(tmp_path, [posting(1, closes_on=(TODAY - timedelta(days=1)).isoformat()), SAMPLE[2]])
    build_with(content, out, file)
    assert not (site / "jobs" / "1").exists() and (site / "jobs" / "3").exists()
    # Closing today: still open until the day ends.
    export(tmp_path, [posting(1, closes_on=TODAY.isoformat())])
    build_with(content, out, file)
    assert (site / "jobs" / "1" / "index.html").exists()


def test_no_open_jobs_gives_an_empty_list_that_says_so(tmp_path):
    out = tmp_path / "dist"
    build_with(copy_content(tmp_path), out, export(tmp_path, []))
    page = read(out / "site", "jobs/index.html")
    assert "No jobs are open right now." in page and 'class="job-list"' not in page
    feed = ET.parse(out / "site" / "jobs" / "feed.xml").getroot()
    assert feed.findall("a:entry", ATOM) == [] and feed.find("a:updated", ATOM).text


def test_an_unchanged_export_rebuilds_nothing_and_a_new_posting_only_the_jobs_pages(tmp_path):
    content, out = copy_content(tmp_path), tmp_path / "dist"
    file = export(tmp_path, SAMPLE)
    build_with(content, out, file)
    before = tree(out)
    again = build_with(content, out, file)
    assert again.unchanged and tree(out) == before

    export(tmp_path, [*SAMPLE, posting(4, title="Paralegal, Oakville", location="Oakville")])
    report = build_with(content, out, file)
    after = tree(out)
    changed = {rel for rel in after if before.get(rel) != after[rel]}
    assert changed == {
        "site/jobs/index.html", "site/jobs/feed.xml", "site/jobs/4/index.html",
        "site/jobs/location/oakville/index.html", "site/jobs/area/litigation/index.html",
        "site/jobs/type/permanent/index.html", "site/sitemap.xml", "site/search-index.js",
        # Every filter page shows the filter counts, which changed.
        "site/jobs/location/toronto/index.html", "site/jobs/location/mississauga/index.html",
        "site/jobs/area/family/index.html", "site/jobs/area/real-estate/index.html",
        "site/jobs/type/contract/index.html", "site/jobs/type/temporary/index.html",
    }  # fmt: skip
    assert report.built.get("guide-page", 0) == 0 and report.built.get("markdown", 0) == 0


HOSTILE = posting(
    9,
    title="Clerk </script><script>alert(1)</script>",
    employer="Firm <b>& Co</b>",
    description_html='<p onclick="x()">Hi<script>alert(2)</script>'
    '<a href="javascript:alert(3)">go</a><img src=x onerror=alert(4)></p>',
)


def test_hostile_words_in_an_export_stay_words(tmp_path):
    out = tmp_path / "dist"
    build_with(copy_content(tmp_path), out, export(tmp_path, [HOSTILE]))
    page = read(out / "site", "jobs/9/index.html")
    assert "<script>alert" not in page and "onclick" not in page and "onerror" not in page
    assert "javascript:" not in page and "<img" not in page
    assert "Clerk &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page
    data = json_ld(page)  # the data block is not ended early by the title
    assert (
        data["title"] == HOSTILE["title"]
        and data["hiringOrganization"]["name"] == "Firm <b>& Co</b>"
    )
    assert "<script>" not in data["description"] and "Hi" in data["description"]
    index = read(out / "site", "search-index.js")
    assert "</script>" not in index
    assert "&lt;b&gt;" in read(out / "site", "jobs/feed.xml")


def _raw(text: str):
    return lambda f: f.write_text(text)


def _one(**changes):
    return lambda f: write_postings(f, [posting(1, **changes)])


@pytest.mark.parametrize(
    "write, line, message",
    [
        (_raw('{"schema": 1,\n "postings": [\n}'), 3, "not valid JSON"),
        (lambda f: write_postings(f, [], schema=2), 1, "schema is 2; this builder reads 1"),
        (lambda f: write_postings(f, [], schema=True), 1, "schema is True; this builder reads 1"),
        (_raw("[]"), 1, "not a postings export"),
        (_raw('{"schema": 1, "content_schema": 1, "postings": [], "postings": []}'), None,
         "the field 'postings' is given twice"),
        (_raw('{"schema": 1, "content_schema": 1, "postings": [' + "9" * 5000 + "]}"), None,
         "not valid JSON"),
        (lambda f: write_postings(f, [posting(1), posting(2, title="")]), 69,
         "posting 2 (job 2), title: needs text, not ''"),
        (_one(work_arrangement="moon"), 37,
         "posting 1 (job 1), work_arrangement: is 'moon'; one of on_site, hybrid, remote"),
        (_one(work_arrangement=["hybrid"]), 37, "work_arrangement: is ['hybrid']; one of"),
        (_one(closes_on="2026-02-30"), 6,
         "closes_on: must be a date written YYYY-MM-DD, not '2026-02-30'"),
        (_one(closes_on="20261230"), 6, "closes_on: must be a date written YYYY-MM-DD"),
        (_one(apply_url="javascript:alert(1)"), 5, "apply_url: must be an http(s) address"),
        (_one(pay=None), 16, "pay: is missing: Ontario's rules require it for this employer"),
        (_one(statements=[]), 30, "statements: needs both of the statements"),
        (_one(uses_ai=None), 35, "uses_ai: must be answered, true or false"),
        (lambda f: write_postings(f, [posting(1), posting(1)]), 39, "job 1 is posted twice"),
        (lambda f: write_postings(f, [{**posting(1), "job_id": 10**40}]), 14, "job_id: must be a whole number from 1 to 2147483647"),
        (_one(published_at="2026-11-20T09:30:00"), 26,
         "published_at: must be a time with its offset"),
        (_one(published_at="2026-W47-1T09:30Z"), 26, "published_at: must be a time"),
        (_one(pay={**posting(1)["pay"], "low": "NaN"}), 18, "pay.low: must be an amount above 0"),
        (_one(pay={**posting(1)["pay"], "low": "1e100000000"}), 18, "pay.low: must be an amount"),
        (_one(pay={**posting(1)["pay"], "low": "0"}), 18, "pay.low: must be an amount above 0"),
        (_one(hours_per_week="lots"), 13, "hours_per_week: must be hours a week as text"),
        (lambda f: f.write_text(json.dumps(  # ASCII only: the surrogate written as \\ud800
            {"schema": 1, "content_schema": 1, "postings": [posting(1, title="Clerk \ud800")]},
            indent=2, sort_keys=True)), 34, "title: holds the character U+D800"),
        (_one(title="Clerk \u202ekrelc"), 34, "title: holds the character U+202E"),
        (_one(employer="Firm\x00"), 10, "employer: holds the character U+0000"),
        (lambda f: write_postings(f, [{}]), 4, "posting 1, job_id: must be a whole number"),
        (lambda f: f.write_bytes(b'{"postings": "\xff"}'), 1, "not UTF-8 text"),
        (lambda f: f.mkdir(), None, "not a file: name the export the portal wrote"),
        (lambda f: None, None, "not found: export the postings first"),
    ],
)  # fmt: skip
def test_a_broken_export_names_file_line_and_field_and_leaves_the_site(
    tmp_path, write, line, message
):
    content, out = copy_content(tmp_path), tmp_path / "dist"
    file = export(tmp_path, SAMPLE)
    build_with(content, out, file)
    before = tree(out)
    file.unlink()
    write(file)
    with pytest.raises(BuildError) as caught:
        build_with(content, out, file)
    problems = caught.value.problems
    assert all(problem.path == str(file) for problem in problems)
    assert any(p.line == line and message in p.message for p in problems), problems
    assert tree(out) == before


def test_a_thousand_broken_postings_are_told_in_fifty_lines(tmp_path):
    file = export(tmp_path, [posting(n, title="") for n in range(1, 1001)])
    with pytest.raises(BuildError) as caught:
        build_with(copy_content(tmp_path), tmp_path / "dist", file)
    problems = caught.value.problems
    assert len(problems) == 51 and str(problems[0]) == f"{file}: and 950 more"


def test_an_export_inside_the_output_folder_is_refused(tmp_path):
    """A full build replaces the output folder: an export kept there would be deleted."""
    out = tmp_path / "dist"
    out.mkdir()
    file = export(out, [posting(1)])
    with pytest.raises(BuildError) as caught:
        build_with(copy_content(tmp_path), out, file)
    assert "inside the output folder" in str(caught.value)
    assert file.exists()


def test_names_that_make_one_folder_share_a_filter_and_others_do_not(tmp_path):
    out = tmp_path / "dist"
    postings = [
        posting(1, location="Toronto"),
        posting(2, location="Toronto"),
        posting(3, location="TORONTO!"),
        posting(4, location="東京"),
        posting(5, location="Other"),
        posting(6, location="Montréal"),
    ]
    build_with(copy_content(tmp_path), out, export(tmp_path, postings))
    folders = sorted(p.name for p in (out / "site" / "jobs" / "location").iterdir())
    tokyo = next(name for name in folders if name.startswith("x-"))
    assert folders == sorted(["toronto", "other", "montreal", tokyo])
    toronto = read(out / "site", "jobs/location/toronto/index.html")
    assert "<h1>Open jobs: Toronto</h1>" in toronto and "3 open jobs of 6." in toronto
    assert "<h1>Open jobs: 東京</h1>" in read(out / "site", f"jobs/location/{tokyo}/index.html")
    assert "Litigation law clerk 4" not in read(out / "site", "jobs/location/other/index.html")


def test_the_command_line_builds_with_postings_and_says_what_is_wrong(tmp_path, capsys):
    import build

    content, out = copy_content(tmp_path), tmp_path / "dist"
    file = export(tmp_path, [posting(1)])
    args = ["--content", str(content), "--out", str(out), "--formats", "site", "--quiet"]
    assert build.main([*args, "--postings", str(file)]) == 0
    assert (out / "site" / "jobs" / "1" / "index.html").exists()
    file.write_text("{")
    assert build.main([*args, "--postings", str(file)]) == 1
    assert f"{file}:1: not valid JSON" in capsys.readouterr().err


def test_the_portal_export_builds_into_the_site(app, make, runner, tmp_path):
    """The contract: what ``flask jobs export`` writes is what build.py reads."""
    from portal.extensions import db
    from portal.jobs.posting import publish
    from portal.models import EmployerSize, Job, PayPer, Role, User, WorkArrangement
    from portal.times import local_today, utcnow

    admin = make.user(Role.ADMIN)
    job = make.job(make.employer(name="Ashdown & Velasco LLP"), title="Estates law clerk")
    with app.app_context():
        row = db.session.get(Job, job.id)
        row.location, row.work_arrangement = "Oakville", WorkArrangement.REMOTE
        row.description = "Estates work.\n\n- **Probate** applications\n\n<script>x()</script>"
        row.employer_size, row.uses_ai, row.existing_vacancy = EmployerSize.COVERED, True, False
        row.pay_low, row.pay_high, row.pay_per = Decimal(30), Decimal("34.5"), PayPer.HOUR
        row.hours_per_week = Decimal(35)
        closes = row.closes_on = local_today() + timedelta(days=10)
        publish(row, db.session.get(User, admin.id), utcnow())
        db.session.commit()
    file = tmp_path / "postings.json"
    result = runner.invoke(
        args=["jobs", "export", str(file), "--portal-url", "https://portal.example/"]
    )
    assert result.exit_code == 0, result.output
    out = tmp_path / "dist"
    quiet_build(copy_content(tmp_path), out, formats=frozenset({"site"}), jobs=1, postings=file)
    page = read(out / "site", f"jobs/{job.id}/index.html")
    assert f'href="https://portal.example/apply/{job.id}"' in page
    assert "<strong>Probate</strong>" in page and "x()" not in page
    assert "$30–$34.50 an hour × 35 hours a week × 52 weeks = $54,600–$62,790 a year" in page
    assert "Artificial intelligence is used to screen" in page
    assert "not for an existing vacancy" in page
    assert html.escape("Ashdown & Velasco LLP") in page
    data = json_ld(page)
    assert check_job_posting(data) == []
    assert data["baseSalary"]["value"]["minValue"] == 30
    assert data["baseSalary"]["value"]["maxValue"] == 34.5
    assert data["jobLocationType"] == "TELECOMMUTE"
    assert date.fromisoformat(data["validThrough"][:10]) == closes
