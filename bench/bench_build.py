"""Benchmark for build.py on a synthetic corpus of 300 guides, with MkDocs 1.6 and Hugo as
references.

    python -m bench.bench_build [--guides 300] [--runs 5] [--pdf-runs 3] [--edits 20]
                                [--skip-pdf] [--skip-serve]

Every build figure is the median wall time of a whole command (interpreter start included,
as a person running it would wait), with build.py, MkDocs and Hugo measured in turn so all
see the same machine. The PDF reference renders the same print HTML in one process with
plain WeasyPrint. The serve figure is the median, over ``--edits`` edits, of the time from
saving a guide to its page holding the edit, under ``build.py serve`` and under MkDocs'
``serve`` (bench/bench_serve.py). Targets (2-core machine): HTML full build at most 0.35 of
MkDocs and 3 times Hugo, no-change rebuild under 0.2 s, one-file-changed rebuild under
0.3 s, edit to reload under 150 ms, per-guide PDFs in at most 0.6 of the single-process
WeasyPrint time. It prints the machine's load average as it goes.
"""

from __future__ import annotations

import argparse
import os
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


HUGO_LAYOUT = {
    "_default/baseof.html": (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title>'
        '<meta name="description" content="{{ .Summary }}"></head><body><header><a href="/">'
        '{{ .Site.Title }}</a></header><main>{{ block "main" . }}{{ end }}</main></body></html>'
    ),
    "_default/single.html": (
        '{{ define "main" }}<h1>{{ .Title }}</h1><nav>{{ .TableOfContents }}</nav>'
        "{{ .Content }}{{ end }}"
    ),
    "_default/list.html": (
        '{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href="'
        '{{ .RelPermalink }}">{{ .Title }}</a> {{ .Params.summary }}</li>{{ end }}</ul>{{ end }}'
    ),
}


def hugo_project(content: Path, folder: Path) -> Path:
    """The same guides as a Hugo site: its own minimal templates (a page with its contents,
    lists, tags), the Markdown as it is."""
    shutil.copytree(content / "guides", folder / "content" / "guides")
    for name, text in HUGO_LAYOUT.items():
        (folder / "layouts" / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / "layouts" / name).write_text(text)
    (folder / "hugo.toml").write_text(
        'baseURL = "https://guides.example.com/"\ntitle = "Synthetic guides"\n'
        "[markup.tableOfContents]\n  startLevel = 2\n  endLevel = 3\n"
    )
    return folder


def ensure_hugo() -> str:
    """Debian's hugo, installed when missing (the benchmark's reference)."""
    found = shutil.which("hugo")
    if found is None:
        subprocess.run(["apt-get", "install", "-y", "-q", "hugo"], check=True, capture_output=True)
        found = shutil.which("hugo")
    if found is None:
        raise SystemExit("hugo is needed as a reference: apt-get install hugo")
    return found


def load() -> float:
    return os.getloadavg()[0]


def bench_html(content: Path, work: Path, runs: int) -> dict[str, float]:
    out, project = work / "dist-html", mkdocs_project(content, work / "mkdocs")
    hugo_cmd = [
        ensure_hugo(),
        "--quiet",
        "--source",
        str(hugo_project(content, work / "hugo")),
        "--destination",
        str(work / "hugo-site"),
        "--cleanDestinationDir",
    ]
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
    ours, theirs, hugos, loads = [], [], [], []
    timed(hugo_cmd)  # Hugo's first run fills its caches; every run after is alike
    for _ in range(runs):
        ours.append(timed(build_cmd(content, out, "site", "--clean")))
        theirs.append(timed(mk_cmd, cwd=project))
        hugos.append(timed(hugo_cmd))
        loads.append(load())
    no_change, one_change = rebuilds(content, out, "site", middle_guide(content), runs)
    return {
        "html_full": median(ours),
        "mkdocs_full": median(theirs),
        "hugo_full": median(hugos),
        "html_no_change": no_change,
        "html_one_change": one_change,
        "load_html": median(loads),
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
    # The print HTML links print.css, which is the design system's: the same base as ours.
    from sitebuilder.content import DESIGN

    out = work / "dist-pdf"
    print_html_files(content, work / "print-html")
    ours, reference = [], []
    for _ in range(runs):
        ours.append(timed(build_cmd(content, out, "pdf", "--clean")))
        result = subprocess.run(
            [PYTHON, "-c", REFERENCE, str(DESIGN) + "/", str(work / "print-html")],
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
        hugo = figures["html_full"] / figures["hugo_full"]
        row("MkDocs 1.6 full build (reference)", figures["mkdocs_full"], "", True)
        row("Hugo full build (reference)", figures["hugo_full"], "", True)
        row(
            "HTML full build",
            figures["html_full"],
            f"≤ 0.35 × MkDocs (is {ratio:.2f} ×)",
            ratio <= 0.35,
        )
        row(
            "HTML full build, beside Hugo",
            figures["html_full"],
            f"≤ 3 × Hugo (is {hugo:.2f} ×)",
            hugo <= 3,
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
    if "serve_reload" in figures:
        lines.append(
            f"| MkDocs 1.6 serve: edit to reload (reference) | "
            f"{figures['mkdocs_reload'] * 1000:.0f} ms |  |  |"
        )
        met = figures["serve_reload"] < 0.150
        lines.append(
            f"| build.py serve: edit to reload (median; worst "
            f"{figures['serve_reload_worst'] * 1000:.0f} ms) | "
            f"{figures['serve_reload'] * 1000:.0f} ms | < 150 ms "
            f"({figures['serve_reload'] / figures['mkdocs_reload']:.2f} × MkDocs) | "
            f"{'yes' if met else 'NO'} |"
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
    loads = [f"{name} {figures[key]:.2f}" for name, key in LOADS if key in figures]
    lines += [
        "",
        f"Load average (1 min, median over each part): {', '.join(loads)}; {os.cpu_count()} cores.",
    ]
    return "\n".join(lines)


LOADS = (("HTML builds", "load_html"), ("serve", "load_serve"), ("PDF builds", "load_pdf"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--guides", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pdf-runs", type=int, default=3)
    parser.add_argument("--edits", type=int, default=20, help="edits timed under serve")
    parser.add_argument("--skip-pdf", action="store_true")
    parser.add_argument("--skip-serve", action="store_true")
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
        if not args.skip_serve:
            from bench.bench_serve import bench_serve

            before = load()
            figures |= bench_serve(
                PYTHON, content, work / "mkdocs", work, args.edits, middle_guide(content, 2)
            )
            figures["load_serve"] = (before + load()) / 2
            print()
            print(report(figures, args.guides), flush=True)
        if not args.skip_pdf:
            figures |= bench_pdf(content, work, args.pdf_runs)
            figures["load_pdf"] = load()
            print()
            print(report(figures, args.guides))
    return 0


if __name__ == "__main__":
    sys.exit(main())
