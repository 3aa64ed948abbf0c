"""Benchmark for build.py on a synthetic corpus of 300 guides, with MkDocs 1.6 as reference.

    python -m bench.bench_build [--guides 300] [--runs 5] [--pdf-runs 3] [--skip-pdf]

Every figure is the median wall time of a whole command (interpreter start included, as a
person running it would wait), with build.py and MkDocs measured alternately so both see
the same machine. The PDF reference renders the same print HTML in one process with
plain WeasyPrint. Targets (2-core machine): HTML full build at most half of MkDocs,
no-change rebuild under 0.2 s, one-file-changed rebuild under 0.3 s, and per-guide PDFs
in at most 0.6 of the single-process WeasyPrint time.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.synthetic_corpus import write_corpus

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def timed(command: list[str], cwd: Path = ROOT) -> float:
    started = time.perf_counter()
    subprocess.run(
        command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - started


def build_cmd(content: Path, out: Path, formats: str, *extra: str) -> list[str]:
    return [
        PYTHON,
        str(ROOT / "build.py"),
        "--content",
        str(content),
        "--out",
        str(out),
        "--formats",
        formats,
        *extra,
    ]


def mkdocs_project(content: Path, folder: Path) -> Path:
    """The same Markdown as an MkDocs project with its default theme."""
    docs = folder / "docs"
    shutil.copytree(content / "guides", docs)
    (docs / "index.md").write_text("# Synthetic guides\n\nA generated corpus.\n")
    (folder / "mkdocs.yml").write_text(
        "site_name: Synthetic guides\nsite_url: https://guides.example.com/\n"
        "markdown_extensions:\n  - attr_list\n  - tables\n  - toc:\n      permalink: true\n"
    )
    return folder


def edit(guide: Path, n: int) -> None:
    guide.write_text(guide.read_text() + f"\nAn added closing paragraph, edit number {n}.\n")


def median(values: list[float]) -> float:
    return statistics.median(values)


def middle_guide(content: Path, offset: int = 0) -> str:
    guides = sorted(p.stem for p in (content / "guides").glob("*.md"))
    return guides[(len(guides) // 2 + offset) % len(guides)]


def bench_html(content: Path, work: Path, runs: int) -> dict[str, float]:
    out, project = work / "dist-html", mkdocs_project(content, work / "mkdocs")
    mk_cmd = [
        PYTHON,
        "-m",
        "mkdocs",
        "build",
        "--quiet",
        "--clean",
        "--site-dir",
        str(work / "mkdocs-site"),
    ]
    ours, theirs = [], []
    for _ in range(runs):
        ours.append(timed(build_cmd(content, out, "site", "--clean")))
        theirs.append(timed(mk_cmd, cwd=project))
    no_change, one_change = rebuilds(content, out, "site", middle_guide(content), runs)
    return {
        "html_full": median(ours),
        "mkdocs_full": median(theirs),
        "html_no_change": no_change,
        "html_one_change": one_change,
    }


def rebuilds(content: Path, out: Path, formats: str, guide: str, runs: int) -> tuple[float, float]:
    """Medians of a rebuild with nothing changed and of one after editing one guide."""
    timed(build_cmd(content, out, formats))
    no_change = [timed(build_cmd(content, out, formats)) for _ in range(runs)]
    one_change = []
    for n in range(runs):
        edit(content / "guides" / f"{guide}.md", n)
        one_change.append(timed(build_cmd(content, out, formats)))
    return median(no_change), median(one_change)


REFERENCE = """
import sys, time
from pathlib import Path
from weasyprint import HTML
static, folder = sys.argv[1], Path(sys.argv[2])
pages = sorted(folder.glob("*.html"))
started = time.perf_counter()
for page in pages:
    HTML(string=page.read_text(), base_url=static).write_pdf(str(page.with_suffix(".pdf")))
print(time.perf_counter() - started)
"""


def print_html_files(content: Path, folder: Path) -> None:
    """The exact print HTML build.py hands to WeasyPrint, one file per guide."""
    from sitebuilder import pages
    from sitebuilder.builder import source_date
    from sitebuilder.content import GuideCard, read_guides, read_settings
    from sitebuilder.render import GuideRenderer

    settings, renderer, env = read_settings(content), GuideRenderer(), pages.environment()
    folder.mkdir(parents=True, exist_ok=True)
    for source in read_guides(content):
        rendered = renderer.render(source)
        html = pages.print_guide(
            env, settings, GuideCard.of(source), rendered, source_date([source]).isoformat()
        )
        (folder / f"{source.key}.html").write_text(html)


def bench_pdf(content: Path, work: Path, runs: int) -> dict[str, float]:
    from sitebuilder.content import STATIC

    out = work / "dist-pdf"
    print_html_files(content, work / "print-html")
    ours, reference = [], []
    for _ in range(runs):
        ours.append(timed(build_cmd(content, out, "pdf", "--clean")))
        result = subprocess.run(
            [PYTHON, "-c", REFERENCE, str(STATIC) + "/", str(work / "print-html")],
            check=True,
            capture_output=True,
            text=True,
        )
        reference.append(float(result.stdout.strip()))
    no_change, one_change = rebuilds(content, out, "pdf", middle_guide(content, 1), runs)
    return {
        "pdf_full": median(ours),
        "weasyprint_one_process": median(reference),
        "pdf_no_change": no_change,
        "pdf_one_change": one_change,
    }


def report(figures: dict[str, float], guides: int) -> str:
    lines = [
        f"Synthetic corpus: {guides} guides, 6 sections each, lists, a table, cross-links.",
        "",
    ]
    lines.append("| measurement | median | target | met |")
    lines.append("| --- | --- | --- | --- |")

    def row(name, value, target_text, ok):
        lines.append(f"| {name} | {value:.2f} s | {target_text} | {'yes' if ok else 'NO'} |")

    if "html_full" in figures:
        ratio = figures["html_full"] / figures["mkdocs_full"]
        row("MkDocs 1.6 full build (reference)", figures["mkdocs_full"], "", True)
        row(
            "HTML full build",
            figures["html_full"],
            f"≤ 0.5 × MkDocs (is {ratio:.2f} ×)",
            ratio <= 0.5,
        )
        row(
            "HTML no-change rebuild",
            figures["html_no_change"],
            "< 0.2 s",
            figures["html_no_change"] < 0.2,
        )
        row(
            "HTML one-file-changed rebuild",
            figures["html_one_change"],
            "< 0.3 s",
            figures["html_one_change"] < 0.3,
        )
    if "pdf_full" in figures:
        ratio = figures["pdf_full"] / figures["weasyprint_one_process"]
        row(
            "plain WeasyPrint, one process (reference)", figures["weasyprint_one_process"], "", True
        )
        row(
            "PDF full build (per-guide PDFs)",
            figures["pdf_full"],
            f"≤ 0.6 × reference (is {ratio:.2f} ×)",
            ratio <= 0.6,
        )
        row("PDF no-change rebuild", figures["pdf_no_change"], "", True)
        row("PDF one-file-changed rebuild", figures["pdf_one_change"], "", True)
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--guides", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pdf-runs", type=int, default=3)
    parser.add_argument("--skip-pdf", action="store_true")
    args = parser.parse_args()
    # Byte-compile the builder as pip does for installed packages such as MkDocs (where
    # PYTHONDONTWRITEBYTECODE is set, sources would otherwise be compiled on every run).
    subprocess.run(
        [PYTHON, "-m", "compileall", "-q", str(ROOT / "sitebuilder"), str(ROOT / "build.py")],
        check=True,
    )
    # Work inside the project (like dist/), not /tmp, which is much slower per file on some machines.
    with tempfile.TemporaryDirectory(dir=ROOT, prefix=".bench-") as tmp:
        work = Path(tmp)
        content = write_corpus(work / "content", args.guides)
        figures = bench_html(content, work, args.runs)
        print(report(figures, args.guides), flush=True)
        if not args.skip_pdf:
            figures |= bench_pdf(content, work, args.pdf_runs)
            print()
            print(report(figures, args.guides))
    return 0


if __name__ == "__main__":
    sys.exit(main())
