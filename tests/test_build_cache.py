"""The cache: nothing changed does nothing; one edit rebuilds only what shows that guide."""

import os
import threading
from pathlib import Path

import pytest

from bench.synthetic_corpus import write_corpus
from build_helpers import copy_content, quiet_build, tree
from sitebuilder import BuildError

SITE = frozenset({"site"})


def _inodes(folder: Path) -> dict[str, int]:
    return {
        p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_file()
    }


def _rebuilt(before: dict[str, int], after: dict[str, int]) -> set[str]:
    """Files that were written anew (unchanged ones are hard links to the previous build)."""
    return {rel for rel, inode in after.items() if before.get(rel) != inode and ".cache" not in rel}


@pytest.fixture
def corpus(tmp_path) -> Path:
    return write_corpus(tmp_path / "content", count=30)


def test_no_change_rebuild_does_nothing(corpus, tmp_path):
    out = tmp_path / "dist"
    quiet_build(corpus, out, formats=SITE)
    before = _inodes(out)
    report = quiet_build(corpus, out, formats=SITE)
    assert report.unchanged
    assert _inodes(out) == before


def test_body_edit_rebuilds_that_guide_page_and_the_search_index_only(corpus, tmp_path):
    out = tmp_path / "dist"
    quiet_build(corpus, out, formats=SITE)
    before = _inodes(out)
    guide = corpus / "guides" / "guide-007.md"
    guide.write_text(guide.read_text() + "\nOne more closing paragraph about the calendar.\n")
    report = quiet_build(corpus, out, formats=SITE)
    assert report.built["markdown"] == 1 and report.reused["markdown"] == 29
    assert _rebuilt(before, _inodes(out)) == {
        "site/guides/guide-007/index.html",
        "site/search-index.js",
    }
    assert (
        "closing paragraph about the calendar"
        in (out / "site/guides/guide-007/index.html").read_text()
    )


def test_title_edit_also_rebuilds_the_pages_listing_it(corpus, tmp_path):
    out = tmp_path / "dist"
    quiet_build(corpus, out, formats=SITE)
    before = _inodes(out)
    guide = corpus / "guides" / "guide-007.md"
    text = guide.read_text()
    guide.write_text(text.replace("title: Guide number 7", "title: Renamed guide 7", 1))
    tags = next(line for line in text.split("\n") if line.startswith("tags:"))
    tag_pages = {
        f"site/tags/{t.strip()}/index.html"
        for t in tags.removeprefix("tags: [").rstrip("]").split(",")
    }
    quiet_build(corpus, out, formats=SITE)
    rebuilt = _rebuilt(before, _inodes(out))
    expected = {
        "site/guides/guide-007/index.html",
        "site/search-index.js",
        "site/index.html",
        "site/guides/index.html",
        "site/sitemap.xml",
        "site/feed.xml",
    } | tag_pages
    assert rebuilt == expected
    assert "Renamed guide 7" in (out / "site/index.html").read_text()


def test_template_change_rerenders_pages_but_not_markdown(corpus, tmp_path, monkeypatch):
    out = tmp_path / "dist"
    quiet_build(corpus, out, formats=SITE)
    from sitebuilder import builder

    real = builder.tree_digest
    monkeypatch.setattr(
        builder,
        "tree_digest",
        lambda folder, pattern="**/*": (
            real(folder, pattern) + ("x" if folder == builder.TEMPLATES else "")
        ),
    )
    report = quiet_build(corpus, out, formats=SITE)
    assert report.reused["markdown"] == 30 and "markdown" not in report.built
    assert report.built["guide-page"] == 30


def test_clean_rebuilds_everything(corpus, tmp_path):
    out = tmp_path / "dist"
    quiet_build(corpus, out, formats=SITE)
    before = _inodes(out)
    report = quiet_build(corpus, out, formats=SITE, clean=True)
    assert report.built["markdown"] == 30 and not report.reused
    rendered = {rel for rel in before if ".cache" not in rel and not rel.startswith("site/static/")}
    assert _rebuilt(before, _inodes(out)) == rendered


def test_a_clean_build_is_written_over_the_tree_before_last(corpus, tmp_path):
    """Making a file costs many times what writing over one does on most disks: the tree a
    fresh build replaces is kept as the spare, and the next fresh build writes over it,
    leaving nothing of it that the new build does not make."""
    out, spare = tmp_path / "dist", tmp_path / ".dist.spare"
    quiet_build(corpus, out, formats=SITE)
    assert not spare.exists()  # the first build replaced nothing
    quiet_build(corpus, out, formats=SITE, clean=True)
    page = "site/guides/guide-003/index.html"
    kept = _inodes(spare)
    (spare / "site" / "stale.html").write_text("from a build long gone")
    (corpus / "guides" / "guide-029.md").unlink()
    linking = corpus / "guides" / "guide-028.md"
    linking.write_text(linking.read_text().replace("(guide-029.md#guide-029-s1)", "(guide-000.md)"))
    report = quiet_build(corpus, out, formats=SITE, clean=True)
    assert report.built["guide-page"] == 29
    assert _inodes(out)[page] == kept[page]  # written over, not made anew
    assert not (out / "site" / "stale.html").exists()
    assert not (out / "site/guides/guide-029").exists()
    fresh = tmp_path / "fresh"
    quiet_build(corpus, fresh, formats=SITE)
    assert tree(out) == tree(fresh)


def test_writing_over_the_spare_never_reaches_another_file(corpus, tmp_path):
    """A file of the spare with another name (a hard link), a symbolic link, a folder where
    a page goes and a file where a folder goes: each is replaced, and nothing outside the
    tree is written."""
    out, spare = tmp_path / "dist", tmp_path / ".dist.spare"
    quiet_build(corpus, out, formats=SITE)
    quiet_build(corpus, out, formats=SITE, clean=True)
    linked, pointed = tmp_path / "linked.html", tmp_path / "pointed.html"
    linked.write_text("linked elsewhere")
    pointed.write_text("pointed at")
    (spare / "site/guides/guide-001/index.html").unlink()
    os.link(linked, spare / "site/guides/guide-001/index.html")
    (spare / "site/guides/guide-002/index.html").unlink()
    (spare / "site/guides/guide-002/index.html").symlink_to(pointed)
    (spare / "site/index.html").unlink()
    (spare / "site/index.html").mkdir()
    (spare / "site/index.html/inside.html").write_text("a folder where a page goes")
    for name in ("search", ".cache"):
        target = spare / ("site" if name == "search" else "") / name
        __import__("shutil").rmtree(target)
        target.write_text("a file where a folder goes")
    quiet_build(corpus, out, formats=SITE, clean=True)
    assert linked.read_text() == "linked elsewhere" and pointed.read_text() == "pointed at"
    fresh = tmp_path / "fresh"
    quiet_build(corpus, fresh, formats=SITE)
    assert tree(out) == tree(fresh)
    assert not (out / "site/guides/guide-002/index.html").is_symlink()


def test_deleting_a_guide_that_others_link_to_fails_the_build(corpus, tmp_path):
    out = tmp_path / "dist"
    quiet_build(corpus, out, formats=SITE)
    (corpus / "guides" / "guide-029.md").unlink()
    with pytest.raises(BuildError) as caught:
        quiet_build(corpus, out, formats=SITE)
    assert [str(p).split(": ", 1)[0].split(":")[0] for p in caught.value.problems] == [
        "guides/guide-028.md"
    ]
    assert "there is no guide guide-029.md" in str(caught.value)
    assert (out / "site/guides/guide-029/index.html").exists()  # the last good build stays


def test_a_deleted_guide_disappears_from_the_next_build(corpus, tmp_path):
    out = tmp_path / "dist"
    quiet_build(corpus, out, formats=SITE)
    (corpus / "guides" / "guide-029.md").unlink()
    linking = corpus / "guides" / "guide-028.md"
    linking.write_text(linking.read_text().replace("(guide-029.md#guide-029-s1)", "(guide-000.md)"))
    quiet_build(corpus, out, formats=SITE)
    assert not (out / "site/guides/guide-029").exists()
    assert "guide-029" not in (out / "site/search-index.js").read_text()


def test_one_guide_edit_rebuilds_only_the_pdfs_that_contain_it(tmp_path):
    content = copy_content(tmp_path)
    out = tmp_path / "dist"
    quiet_build(content, out)
    before = _inodes(out)
    guide = content / "guides" / "keep-looking-forward.md"
    guide.write_text(guide.read_text() + "\nA last word on keeping your calendar full.\n")
    report = quiet_build(content, out)
    rebuilt = _rebuilt(before, _inodes(out))
    assert {r for r in rebuilt if r.endswith(".pdf")} == {
        "pdf/keep-looking-forward.pdf",
        "pdf/handbook.pdf",
        "site/pdf/keep-looking-forward.pdf",
        "site/pdf/handbook.pdf",
    }
    assert report.built["pdf"] == 2
    assert tree(out)["pdf/thank-you-note.pdf"] == (out / "site/pdf/thank-you-note.pdf").read_bytes()
    assert os.path.samefile(out / "pdf/thank-you-note.pdf", out / "site/pdf/thank-you-note.pdf")


def test_a_build_beside_other_threads_never_forks_this_process(corpus, tmp_path, monkeypatch):
    """serve answers requests on a thread while it rebuilds: forking a process that has threads
    can deadlock the child, so the workers come from a fresh server process instead."""
    other = threading.Event()
    thread = threading.Thread(target=other.wait, daemon=True)  # like serve's HTTP thread
    thread.start()
    forks = []
    real_fork = os.fork
    monkeypatch.setattr(os, "fork", lambda: forks.append(threading.active_count()) or real_fork())
    try:
        report = quiet_build(corpus, tmp_path / "dist", formats=SITE, jobs=2)
    finally:
        other.set()
        thread.join()
    assert report.built["guide-page"] == 30 and forks == []
    assert (tmp_path / "dist" / "site" / "guides" / "guide-029" / "index.html").is_file()
