"""A broken content file stops the build, names the file and line, and leaves dist/ alone."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from build_helpers import copy_content, quiet_build, tree
from sitebuilder import BuildError

GUIDE = "guides/thank-you-note.md"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def content(tmp_path) -> Path:
    return copy_content(tmp_path)


@pytest.fixture
def built(content, tmp_path) -> Path:
    out = tmp_path / "dist"
    quiet_build(content, out, formats=frozenset({"site"}))
    return out


def _edit(content: Path, rel: str, old: str, new: str) -> None:
    path = content / rel
    text = path.read_text()
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1))


def _line_of(content: Path, rel: str, needle: str) -> int:
    return next(
        n for n, line in enumerate((content / rel).read_text().split("\n"), 1) if needle in line
    )


CASES = {
    "bad YAML": (GUIDE, "audience: candidate", "audience: [candidate", "invalid YAML"),
    "missing title": (GUIDE, "title: ", "heading: ", "missing field 'title'"),
    "duplicate field": (
        GUIDE,
        "audience: candidate",
        "audience: candidate\naudience: recruiter",
        "duplicate field 'audience'",
    ),
    "unknown field": (
        GUIDE,
        "audience: candidate",
        "audience: candidate\nauthor: Someone",
        "unknown field 'author'",
    ),
    "bad audience": (
        GUIDE,
        "audience: candidate",
        "audience: everyone",
        "field 'audience' must be",
    ),
    "bad date": (GUIDE, "updated: 2026", "updated: soon-2026", "field 'updated' must be"),
    "key not the file name": (GUIDE, "key: thank-you-note", "key: thanks", "field 'key'"),
    "raw HTML": (
        GUIDE,
        "## ",
        "A <div>block</div> here.\n\n## ",
        "raw HTML '<div>' is not allowed",
    ),
    "broken link": (
        GUIDE,
        "## ",
        "See [this](no-such-guide.md).\n\n## ",
        "broken link 'no-such-guide.md'",
    ),
    "broken anchor": (
        GUIDE,
        "## ",
        "See [this](four-habits.md#nowhere).\n\n## ",
        "no section #nowhere in four-habits.md",
    ),
    "section without key": (GUIDE, "## ", "## A section with no key\n\nText.\n\n## ", "has no key"),
    "duplicate section key": (
        GUIDE,
        "## ",
        "## Copy {#step-thank-you}\n\nText.\n\n## ",
        "is already used in guides/four-habits.md",
    ),
    "h1 in body": (GUIDE, "## Choosing", "# A second title\n\n## Choosing", "use ## for sections"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_broken_file_names_file_and_line_and_leaves_output(content, built, case):
    rel, old, new, message = CASES[case]
    before = tree(built)
    _edit(content, rel, old, new)
    with pytest.raises(BuildError) as caught:
        quiet_build(content, built, formats=frozenset({"site"}))
    problem = next(p for p in caught.value.problems if message in p.message)
    assert problem.path == rel
    first_new_line = new.split("\n")[-2] if new.count("\n") > 1 else new.split("\n")[0]
    if case == "missing title":
        assert problem.line == 1
    elif case == "bad YAML":
        assert problem.line in (
            _line_of(content, rel, "audience:"),
            _line_of(content, rel, "audience:") + 1,
        )
    else:
        needle = {"duplicate field": "audience: recruiter", "unknown field": "author:"}.get(
            case, first_new_line.strip() or new.strip()
        )
        assert problem.line == _line_of(content, rel, needle.split("\n")[0]), str(problem)
    assert str(problem).startswith(f"{rel}:{problem.line}: ")
    assert tree(built) == before
    assert not list(built.parent.glob(".dist.building-*"))


def test_raw_html_is_allowed_when_the_settings_say_so(content, tmp_path):
    _edit(content, GUIDE, "## ", "Line one<br>line two.\n\n## ")
    _edit(content, "site.yml", "allow_raw_html: false", "allow_raw_html: true")
    quiet_build(content, tmp_path / "out", formats=frozenset({"site"}))
    assert (
        "Line one<br>line two."
        in (tmp_path / "out/site/guides/thank-you-note/index.html").read_text()
    )


def test_settings_problems_are_located(content, tmp_path):
    _edit(content, "site.yml", "language: en-CA", "language: en-CA\ncolour: teal")
    with pytest.raises(BuildError, match=r"site.yml:\d+: unknown setting 'colour'"):
        quiet_build(content, tmp_path / "out", formats=frozenset({"site"}))


def test_handbook_naming_a_missing_guide_is_refused(content, tmp_path):
    _edit(
        content,
        "site.yml",
        "    - coaching-follow-up",
        "    - coaching-follow-up\n    - no-such-guide",
    )
    with pytest.raises(BuildError, match="handbook lists 'no-such-guide'"):
        quiet_build(content, tmp_path / "out", formats=frozenset({"site"}))


def test_all_problems_are_reported_together(content, tmp_path):
    _edit(content, GUIDE, "audience: candidate", "audience: nobody")
    _edit(content, "guides/four-habits.md", "order: 1", "order: first")
    with pytest.raises(BuildError) as caught:
        quiet_build(content, tmp_path / "out", formats=frozenset({"site"}))
    assert {p.path for p in caught.value.problems} == {GUIDE, "guides/four-habits.md"}


def test_the_command_line_exits_1_with_the_problem(content, tmp_path, capsys):
    import build as cli

    _edit(content, GUIDE, "title: ", "headline: ")
    assert (
        cli.main(["--content", str(content), "--out", str(tmp_path / "out"), "--formats", "site"])
        == 1
    )
    err = capsys.readouterr().err
    assert f"{GUIDE}:1: missing field 'title'" in err and "was left as it was" in err


def test_the_command_line_says_each_stage_unless_quiet(content, tmp_path, capsys, monkeypatch):
    import build as cli

    monkeypatch.delenv("CI", raising=False)
    args = ["--content", str(content), "--out", str(tmp_path / "out"), "--formats", "site"]
    assert cli.main(args) == 0
    err = capsys.readouterr().err
    assert "Rendering " in err and "Writing " in err and "Built " in err
    assert cli.main([*args, "--clean", "--quiet"]) == 0
    assert capsys.readouterr().err == ""
    monkeypatch.setenv("CI", "true")  # CI logs get problems only
    assert cli.main([*args, "--clean"]) == 0
    assert capsys.readouterr().err == ""
    _edit(content, GUIDE, "title: ", "headline: ")  # problems are said however quiet
    assert cli.main([*args, "--quiet"]) == 1
    assert f"{GUIDE}:1: missing field 'title'" in capsys.readouterr().err


def test_a_nav_link_to_no_page_is_refused(content, tmp_path):
    _edit(content, "site.yml", "    url: /search/", "    url: /serch/")
    with pytest.raises(BuildError, match="nav link '/serch/' \\(Search\\) leads to no page"):
        quiet_build(content, tmp_path / "out", formats=frozenset({"site"}))


# A build killed part-way -------------------------------------------------------------


def _children(pid: int) -> set[int]:
    """The processes whose parent is ``pid``."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_a_build_killed_mid_pdf_leaves_no_workers_and_the_next_build_tidies_up(content, tmp_path):
    out = tmp_path / "dist"
    build = subprocess.Popen(
        [sys.executable, "build.py", "--content", str(content), "--out", str(out)]
        + ["--formats", "pdf", "--jobs", "2", "--clean"],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "CI"},  # its progress lines, even in CI
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert build.stdout is not None
        for line in build.stdout:
            if "worker(s)" in line:
                break
        deadline = time.monotonic() + 30
        while len(_children(build.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        workers = _children(build.pid)
        assert len(workers) == 2, "the PDF workers did not start"
        assert all(_running(w) for w in workers)
    finally:
        build.kill()  # kill -9, mid-render
        build.wait()
        build.stdout.close()
    deadline = time.monotonic() + 10
    while any(_running(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_running(w) for w in workers), "the workers outlived their build"
    stale = tmp_path / f".dist.building-{build.pid}"
    assert stale.is_dir() and not out.exists()
    quiet_build(content, out, formats=frozenset({"site"}))
    assert not stale.exists() and list(tmp_path.glob(".dist.*")) == []
    assert (out / "site" / "index.html").is_file()
