"""The build pipeline: read → render → write.

Every output has a key made from the hashes of exactly what it depends on (its sources,
the templates, the static files, the settings and this code). An output whose key is
unchanged since the last build is kept; only changed outputs are rendered. Nothing in
``out/`` is touched until everything has rendered without a problem:

- a full build (the first, or ``--clean``) writes a new tree beside ``out/`` and swaps it in;
- an incremental build stages the changed files beside ``out/``, then moves each into place.

Markdown, Jinja and WeasyPrint are imported only when there is work for them, so a build
with nothing to do costs little more than hashing the sources.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pickle
import shutil
import stat
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from .content import (
    GUIDES_DIR,
    STATIC_ROOTS,
    TEMPLATES,
    GuideCard,
    GuideSource,
    Settings,
    read_guide,
    read_settings,
    with_jobs_link,
)
from .errors import BuildError, Problem
from .postings import AGENCY_ZONE, Postings, read_postings

FORMATS = frozenset({"site", "pdf"})
CACHE_DIR = ".cache"
INPUTS_FILE = f"{CACHE_DIR}/inputs.json"  # small: read first to see whether anything changed
MANIFEST_FILE = f"{CACHE_DIR}/manifest.pickle"
TEMPLATE_CACHE = f"{CACHE_DIR}/templates"  # Jinja's compiled templates, kept between builds
REPORTED_AS = {"listing": "page", "rendered": "page"}
IN_PROCESS_LIMIT = 8  # fewer guides than this render without starting worker processes
CODE = Path(__file__).parent


@dataclass
class BuildConfig:
    content: Path
    out: Path
    formats: frozenset[str] = FORMATS
    clean: bool = False
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    progress: Callable[[str], None] = lambda message: print(message, file=sys.stderr, flush=True)
    # Told of each PDF as it is done (count, of, file); without it, progress hears of
    # every tenth.
    pdf_progress: Callable[[int, int, str], None] | None = None
    # The portal's export of open jobs (``flask jobs export FILE``); without it, the path
    # site.yml gives under ``postings``; without either, the site has no jobs pages.
    postings: Path | None = None
    today: date | None = None  # the day postings are open on (default: today in Toronto)
    # Whether the site's pages offer the PDFs; None: when this build makes them. (serve
    # builds the site alone, offering the PDFs it builds in the background elsewhere.)
    offer_pdfs: bool | None = None

    def offers_pdfs(self) -> bool:
        return "pdf" in self.formats if self.offer_pdfs is None else self.offer_pdfs


@dataclass
class BuildReport:
    built: dict[str, int] = field(default_factory=dict)
    reused: dict[str, int] = field(default_factory=dict)
    unchanged: bool = False
    seconds: float = 0.0

    def count(self, kind: str, built: bool, n: int = 1) -> None:
        if n:
            bucket = self.built if built else self.reused
            bucket[kind] = bucket.get(kind, 0) + n


@dataclass
class Manifest:
    """What the previous build used and produced."""

    inputs: dict = field(default_factory=dict)
    guides: dict[str, tuple[str, GuideSource, object]] = field(
        default_factory=dict
    )  # path → (digest, source, rendered)
    outputs: dict[str, str] = field(default_factory=dict)  # relative path → key


@dataclass
class Output:
    """One file of the build: its cache key and how to make it."""

    key: str
    kind: str  # "guide-page", "listing", "rendered" (needs the rendered guides), "pdf", "file"
    make: Callable[[], str] | None = None
    copy_of: Path | None = None  # a static file, copied as it is
    same_as: str | None = None  # another output of this build, hard-linked
    guide: str | None = None  # guide pages and PDFs: the guide's key
    sort: int = 0  # bigger documents are rendered first


class Plan(dict):
    """Outputs by relative path; two outputs for one path is an error, not an overwrite."""

    def add(self, rel: str, output: Output, owner: str = "") -> None:
        if rel in self:
            raise BuildError(
                [Problem(owner or rel, None, f"two outputs would be written to {rel}")]
            )
        self[rel] = output


def named(items: list[str], limit: int = 4) -> str:
    """A short list for progress lines: the first few names, then how many more."""
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def digest(*parts) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else repr(part).encode())
        h.update(b"\x00")
    return h.hexdigest()


def tree_digest(folder: Path, pattern: str = "**/*") -> str:
    h = hashlib.sha256()
    for path in sorted(
        p for p in folder.glob(pattern) if p.is_file() and "__pycache__" not in p.parts
    ):
        h.update(
            path.relative_to(folder).as_posix().encode() + b"\x00" + path.read_bytes() + b"\x00"
        )
    return h.hexdigest()


def source_date(guides: list[GuideSource]) -> datetime:
    """The date stamped into PDFs: SOURCE_DATE_EPOCH, else the newest 'updated' date among them."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    newest = max(g.updated for g in guides)
    return datetime(newest.year, newest.month, newest.day, tzinfo=UTC)


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


# The last manifest each output folder had, kept in this process with the file's stamp: a
# process that builds again and again (serve) reads it from memory, not from disk.
_KEPT_MANIFESTS: dict[Path, tuple[tuple[int, int, int], Manifest]] = {}


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size, info.st_ino


def _load_manifest(out: Path) -> Manifest:
    stamp = _stamp(out / MANIFEST_FILE)
    kept = _KEPT_MANIFESTS.get(out)
    if stamp is not None and kept is not None and kept[0] == stamp:
        return kept[1]
    try:
        with open(out / MANIFEST_FILE, "rb") as fh:
            # The builder's own cache, in its own output folder (bandit B301 reviewed).
            manifest = pickle.load(fh)  # nosec B301
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return Manifest()
    return manifest if isinstance(manifest, Manifest) else Manifest()


def _keep_manifest(out: Path, manifest: Manifest) -> None:
    stamp = _stamp(out / MANIFEST_FILE)
    if stamp is not None:
        _KEPT_MANIFESTS.clear()  # one folder's is enough; older ones would only hold memory
        _KEPT_MANIFESTS[out] = (stamp, manifest)


# The build --------------------------------------------------------------------------------


def build(config: BuildConfig) -> BuildReport:
    """Build the site and/or PDFs from ``config.content`` into ``config.out``."""
    started = time.perf_counter()
    report = BuildReport()
    formats = frozenset(config.formats)
    if not formats or not formats <= FORMATS:
        raise ValueError(f"formats must be some of {', '.join(sorted(FORMATS))}")
    content, out = config.content.resolve(), config.out.resolve()

    settings = read_settings(content)
    postings = _postings(config, content, settings) if "site" in formats else None
    files = sorted((content / GUIDES_DIR).glob("*.md")) if (content / GUIDES_DIR).is_dir() else []
    inputs: dict[str, Any] = {
        "settings": settings.digest,
        "templates": tree_digest(TEMPLATES),
        "static": digest(*(tree_digest(root) for root in STATIC_ROOTS)),
        "code": tree_digest(CODE, "*.py"),
        "formats": sorted(formats),
        "offer_pdfs": config.offers_pdfs(),
        "epoch": os.environ.get("SOURCE_DATE_EPOCH", ""),
        "sources": {
            f.relative_to(content).as_posix(): hashlib.sha256(f.read_bytes()).hexdigest()
            for f in files
        },
        "postings": None if postings is None else postings.key,
    }
    last = _read_json(out / INPUTS_FILE)
    if (
        not config.clean
        and last.get("inputs") == inputs
        and all((out / rel).is_file() for rel in last.get("outputs", ()))
    ):
        report.unchanged = True
        report.seconds = time.perf_counter() - started
        config.progress(f"Nothing changed since the last build ({report.seconds:.2f}s).")
        return report

    if postings is not None and postings.left_out:
        config.progress(
            f"Left out {postings.left_out} posting(s) of {postings.source} whose closing day "
            "has passed."
        )
    previous = Manifest() if config.clean else _load_manifest(out)
    sources, rendered, to_read = _reused(content, files, inputs, previous, report)
    fresh = config.clean or not previous.outputs or not out.is_dir()
    stage = out.parent / f".{out.name}.building-{os.getpid()}"
    _remove_dead_builds_folders(out)
    _make_stage(stage, out, fresh)
    if postings is not None:
        settings = with_jobs_link(settings)
    setup = PageSetup(
        settings,
        stage,
        (str(out / TEMPLATE_CACHE), str(stage / TEMPLATE_CACHE)),
        jobs=postings is not None,
    )
    workers = Workers(setup, config.jobs)
    try:
        workers.start(guides=len(to_read))
        sources, to_render = _checked(sources, workers.read(content, to_read), files, settings)
        cards = {key: GuideCard.of(source) for key, source in sources.items()}
        plan = plan_outputs(
            settings,
            sources,
            rendered,
            cards,
            inputs,
            formats,
            setup.template_cache,
            postings,
            config.offers_pdfs(),
        )
        if fresh:
            _clear_stage(stage, plan)
        changed = _keep_unchanged(plan, previous, out, stage, fresh, report)
        page_for = config.offers_pdfs() if "site" in formats else None
        if to_render:
            config.progress(
                f"Rendering {len(to_render)} guide(s): {named([s.key for s in to_render])}"
            )
        listings = [rel for rel in changed if plan[rel].kind == "listing"]
        if listings:
            config.progress(f"Writing {len(listings)} listing page(s): {named(listings)}")
        rendering = workers.render(to_render, page_for)
        _make_listings(changed, plan, stage, report)  # while the workers render the guides
        for guide in rendering():
            rendered[guide.key] = guide
        workers.close()
        report.count("markdown", built=True, n=len(to_render))
        report.count("guide-page", built=True, n=len(to_render) if page_for is not None else 0)
        _check(sources, rendered, frozenset(source.key for source in to_render))
        written = {source.key for source in to_render} if page_for is not None else set()
        _make_rest(changed, plan, setup, out, sources, rendered, written, config, report)
        manifest = Manifest(
            inputs=inputs,
            guides={
                s.path: (inputs["sources"][s.path], replace(s, body=""), rendered[s.key])
                for s in sources.values()
            },
            outputs={rel: output.key for rel, output in plan.items()},
        )
        _writable(stage / MANIFEST_FILE)
        with open(stage / MANIFEST_FILE, "wb") as fh:
            pickle.dump(manifest, fh, protocol=pickle.HIGHEST_PROTOCOL)
        _write(
            stage / INPUTS_FILE,
            json.dumps({"inputs": inputs, "outputs": sorted(plan)}, sort_keys=True),
        )
        if fresh:
            _swap(stage, out)
        else:
            _apply(stage, out, changed, set(previous.outputs) - set(plan))
        _keep_manifest(out, manifest)
    finally:
        workers.close()
        shutil.rmtree(stage, ignore_errors=True)
    report.seconds = time.perf_counter() - started
    summary = ", ".join(
        f"{kind} {report.built.get(kind, 0)} built/{report.reused.get(kind, 0)} kept"
        for kind in sorted(set(report.built) | set(report.reused))
    )
    config.progress(f"Built {out} in {report.seconds:.2f}s ({summary}).")
    return report


def _postings(config: BuildConfig, content: Path, settings: Settings) -> Postings | None:
    """The open postings: from --postings (relative to where the builder runs), else from
    site.yml (relative to the content folder); None when neither names a file."""
    if config.postings is not None:
        path, shown_as = config.postings, str(config.postings)
    elif settings.postings:
        path, shown_as = content / settings.postings, settings.postings
    else:
        return None
    if path.resolve().is_relative_to(config.out.resolve()):
        raise BuildError(
            [
                Problem(
                    shown_as,
                    None,
                    f"inside the output folder {config.out}, which a build replaces: "
                    "export the postings to a folder of their own",
                )
            ]
        )
    today = config.today or datetime.now(AGENCY_ZONE).date()
    return read_postings(path, shown_as, today)


# Reading and rendering guides -------------------------------------------------------------


def _reused(content, files, inputs, previous, report):
    """Guides whose bytes are unchanged come from the last build with their rendering; the
    rest are the files to read."""
    reusable = all(previous.inputs.get(k) == inputs[k] for k in ("code", "settings"))
    sources: dict[str, GuideSource] = {}
    rendered: dict = {}
    to_read: list[Path] = []
    for file in files:
        rel = file.relative_to(content).as_posix()
        cached = previous.guides.get(rel)
        if reusable and cached and cached[0] == inputs["sources"][rel]:
            _, source, done = cached
            sources[source.key], rendered[source.key] = source, done
            report.count("markdown", built=False)
        else:
            to_read.append(file)
    return sources, rendered, to_read


def _read_files(content: Path, files: list[Path]) -> list[GuideSource | tuple[Problem, ...]]:
    """Each file's guide, or what is wrong with it (problems cross from a worker process
    as they are: a BuildError does not)."""
    read: list[GuideSource | tuple[Problem, ...]] = []
    for file in files:
        try:
            read.append(read_guide(content, file))
        except BuildError as exc:
            read.append(tuple(exc.problems))
    return read


def _checked(
    kept: dict[str, GuideSource],
    read: list[GuideSource | tuple[Problem, ...]],
    files: list[Path],
    settings: Settings,
) -> tuple[dict[str, GuideSource], list[GuideSource]]:
    """The guides by key, kept and read, in order, and those read; every problem of every
    file at once."""
    problems = [p for item in read if isinstance(item, tuple) for p in item]
    if not files:
        problems.append(Problem(GUIDES_DIR, None, "there are no guides (*.md files) to build"))
    if settings.handbook:
        present = {file.stem for file in files}
        problems += [
            Problem("site.yml", None, f"handbook lists {key!r}, but there is no guides/{key}.md")
            for key in settings.handbook.guides
            if key not in present
        ]
    if problems:
        raise BuildError(problems)
    fresh = [item for item in read if isinstance(item, GuideSource)]
    return dict(sorted((kept | {source.key: source for source in fresh}).items())), fresh


def _check(sources, rendered, changed: frozenset[str]) -> None:
    """Problems found while rendering, section keys used twice, links that land nowhere."""
    from . import render

    problems = [problem for guide in rendered.values() for problem in guide.problems]
    problems += render.duplicate_keys(sources, rendered, changed) + render.check_links(
        sources, rendered
    )
    if problems:
        raise BuildError(problems)


def guide_page_path(stage: Path, key: str) -> Path:
    return stage / "site" / "guides" / key / "index.html"


@dataclass(frozen=True)
class PageSetup:
    """What rendering guides and their pages needs; each worker process gets it through its
    pool's initializer."""

    settings: Settings
    stage: Path
    # Compiled templates are read from the last build and written into this one, so a
    # failed build leaves out/ untouched.
    template_cache: tuple[str, str] | None
    jobs: bool = False  # the site has open jobs: guide pages end with a link to them


class GuideWorker:
    """Renders guides and writes their pages, with its Markdown renderer and Jinja
    environment made once: one in this process, or one in each worker process."""

    def __init__(self, setup: PageSetup):
        from . import pages, render

        self.setup = setup
        self.renderer = render.GuideRenderer(setup.settings.allow_raw_html)
        self.env = pages.environment(setup.template_cache)

    def render(self, sources: list[GuideSource], page_for: bool | None) -> list[Any]:
        """Markdown for each guide and, unless ``page_for`` is None, its page written into the
        stage (``page_for``: whether the page offers the guide's PDF)."""
        out = []
        for source in sources:
            guide = self.renderer.render(source)
            if page_for is not None and not guide.problems:
                self.write_pages([(GuideCard.of(source), guide)], page_for)
            out.append(guide)
        return out

    def write_pages(self, items: list[tuple[GuideCard, Any]], with_pdf: bool) -> list[None]:
        from . import pages

        for card, guide in items:
            html = pages.guide_page(
                self.env, self.setup.settings, card, guide, with_pdf, self.setup.jobs
            )
            _write(guide_page_path(self.setup.stage, card.key), html)
        return [None] * len(items)


@functools.lru_cache(maxsize=2)
def _in_process_worker(setup: PageSetup) -> GuideWorker:
    """The building process's own GuideWorker, made once for a setup (serve builds with
    the same one again and again: its Markdown converter and templates stay ready)."""
    return GuideWorker(setup)


# In a worker process only: the GuideWorker its pool's initializer made. The building
# process never sets it; it uses a GuideWorker of its own.
_this_process_worker: GuideWorker | None = None


def _start_guide_worker(setup: PageSetup) -> None:
    global _this_process_worker
    _this_process_worker = GuideWorker(setup)


def _worker() -> GuideWorker:
    if _this_process_worker is None:
        raise RuntimeError("not in a worker process started by _start_guide_worker")
    return _this_process_worker


def _render_share(sources: list[GuideSource], page_for: bool | None) -> list[Any]:
    return _worker().render(sources, page_for)


def _write_share(items: list[tuple[GuideCard, Any]], with_pdf: bool) -> list[None]:
    return _worker().write_pages(items, with_pdf)


def _remove_dead_builds_folders(out: Path) -> None:
    """The staging folders of builds that died (killed part-way): ``.dist.building-<pid>``
    and ``.dist.old-<pid>`` whose process is gone. A running build's are left alone."""
    for folder in out.parent.glob(f".{out.name}.*-*"):
        kind, _, pid = folder.name.removeprefix(f".{out.name}.").rpartition("-")
        if kind in ("building", "old") and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _end_with_parent(initializer: Callable[..., None], *initargs: Any) -> None:
    """A worker's first step: it ends when the process that started it ends. A build killed
    with kill -9 would otherwise leave its workers (some 70 MB each) running for good.
    Linux: the kernel sends SIGKILL (prctl); elsewhere a thread watches the parent."""
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    else:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # it died before the kernel was told
        os._exit(1)
    initializer(*initargs)


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _pool(jobs: int, initializer: Callable[..., None], initargs: tuple = ()) -> Any:
    """Worker processes. Forked, so they start with everything imported, when this process
    runs one thread; started from a fresh server process otherwise (``serve`` answers
    requests on a thread, and forking a process that has threads can deadlock the child)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing.context import BaseContext

    if threading.active_count() == 1:
        context: BaseContext = multiprocessing.get_context("fork")
    else:
        forkserver = multiprocessing.get_context("forkserver")
        forkserver.set_forkserver_preload(["sitebuilder.builder", "sitebuilder.pages"])
        context = forkserver
    return ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=context,
        initializer=_end_with_parent,
        initargs=(initializer, *initargs),
    )


def _shares(items: list, jobs: int) -> list[list]:
    return [items[i::jobs] for i in range(jobs)]  # interleaved: similar sizes per worker


def _merge(parts: list[list], jobs: int, count: int) -> list:
    results: list = [None] * count
    for worker, part in enumerate(parts):
        results[worker::jobs] = part
    return results


class Workers:
    """Worker processes, when there are enough guides to read and render: started once,
    before the guides are read, they read them and then render them while this process
    writes the listings. With few guides (or one core) this process does it all."""

    def __init__(self, setup: PageSetup, jobs: int):
        self.setup, self.jobs = setup, jobs
        self.pool: Any = None

    def start(self, guides: int) -> None:
        """Worker processes for reading and rendering this many guides, if it is worth it."""
        if guides >= IN_PROCESS_LIMIT and self.jobs > 1:
            from . import pages, render  # noqa: F401  (imported before the fork: every worker has them)

            self.pool = _pool(self.jobs, _start_guide_worker, (self.setup,))

    def read(self, content: Path, files: list[Path]) -> list[GuideSource | tuple[Problem, ...]]:
        """Each file's guide or its problems, in the files' order."""
        if self.pool is None:
            return _read_files(content, files)
        shares = _shares(files, self.jobs)
        parts = [self.pool.submit(_read_files, content, share) for share in shares]
        return _merge([part.result() for part in parts], self.jobs, len(files))

    def render(self, sources: list[GuideSource], page_for: bool | None) -> Callable[[], list]:
        """Starts rendering ``sources``; the call it returns waits for the guides, in order."""
        if self.pool is None:
            return lambda: _in_process_worker(self.setup).render(sources, page_for)
        futures = [
            self.pool.submit(_render_share, share, page_for)
            for share in _shares(sources, self.jobs)
        ]
        return lambda: _merge([f.result() for f in futures], self.jobs, len(sources))

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None


def write_guide_pages(
    items: list[tuple[GuideCard, Any]], setup: PageSetup, with_pdf: bool, jobs: int
) -> None:
    """Guide pages from guides already rendered (the templates changed, the guides did not)."""
    if len(items) < IN_PROCESS_LIMIT or jobs < 2:
        _in_process_worker(setup).write_pages(items, with_pdf)
        return
    with _pool(jobs, _start_guide_worker, (setup,)) as pool:
        list(pool.map(_write_share, _shares(items, jobs), [with_pdf] * jobs))


# Planning outputs -------------------------------------------------------------------------


def plan_outputs(
    settings,
    sources,
    rendered,
    cards,
    inputs,
    formats,
    template_cache=None,
    postings=None,
    offer_pdfs=None,
) -> Plan:
    """Every output of the build with its key; nothing is rendered here."""
    from . import job_pages, pages

    env = pages.environment(template_cache)
    base = digest(inputs["settings"], inputs["templates"], inputs["static"], inputs["code"])
    # Every site page has the navigation, which has "Open jobs" when the site has jobs.
    site = digest(base, postings is not None)
    jobs = "" if postings is None else inputs["postings"]
    src = {key: inputs["sources"][sources[key].path] for key in sources}
    every = list(cards.values())
    card_keys = {key: digest(card) for key, card in cards.items()}
    listing = tuple(card_keys[key] for key in sorted(cards))
    with_pdf = "pdf" in formats
    offer = with_pdf if offer_pdfs is None else offer_pdfs  # the pages link the PDFs
    handbook = settings.handbook.guides if settings.handbook else ()
    plan = Plan()

    if "site" in formats:
        for key in cards:
            plan.add(
                f"site/guides/{key}/index.html",
                Output(digest(site, "guide", src[key], offer), "guide-page", guide=key),
                sources[key].path,
            )
        offer_handbook = offer and bool(handbook)
        plan.add(
            "site/index.html",
            Output(
                digest(site, "home", listing, offer_handbook),
                "listing",
                lambda: pages.home_page(env, settings, every, offer_handbook),
            ),
        )
        plan.add(
            "site/guides/index.html",
            Output(
                digest(site, "guides", listing),
                "listing",
                lambda: pages.guides_index(env, settings, every),
            ),
        )
        tags = sorted({t for c in every for t in c.tags})
        for tag in tags:
            tagged = [cards[key] for key in sorted(cards) if tag in cards[key].tags]
            plan.add(
                f"site/tags/{tag}/index.html",
                Output(
                    digest(site, "tag", tag, [card_keys[c.key] for c in tagged]),
                    "listing",
                    functools.partial(pages.tag_page, env, settings, tag, tagged),
                ),
            )
        plan.add(
            "site/search/index.html",
            Output(
                digest(site, "search"),  # site: whether there are jobs
                "listing",
                lambda: pages.search_page(env, settings, postings is not None),
            ),
        )
        plan.add(
            "site/404.html",
            Output(digest(site, "404"), "listing", lambda: pages.not_found_page(env, settings)),
        )
        plan.add(
            "site/search-index.js",
            Output(
                digest(site, "search-index", listing, sorted(src.items()), jobs),
                "rendered",
                lambda: pages.search_index_js(every, rendered, postings),
            ),
        )
        plan.add(
            "site/sitemap.xml",
            Output(
                digest(site, "sitemap", listing, jobs),
                "listing",
                lambda: pages.sitemap(settings, every, tags, postings),
            ),
        )
        plan.add(
            "site/feed.xml",
            Output(
                digest(site, "feed", listing), "listing", lambda: pages.atom_feed(settings, every)
            ),
        )
        plan.add(
            "site/robots.txt",
            Output(digest(site, "robots"), "listing", lambda: pages.robots_txt(settings)),
        )
        if postings is not None:
            newest = max(card.updated for card in every)
            for rel, depends_on, make in job_pages.plan(env, settings, postings, newest):
                plan.add(rel, Output(digest(site, *depends_on), "listing", make), postings.source)
        for root in STATIC_ROOTS:
            for file in sorted(
                p
                for p in root.rglob("*")
                if p.is_file() and p.suffix != ".py" and "__pycache__" not in p.parts
            ):
                rel = file.relative_to(root).as_posix()
                plan.add(
                    f"site/static/{rel}",
                    Output(digest(inputs["static"], rel), "file", copy_of=file),
                    owner=str(file),
                )

    if "site" in formats:
        _check_nav(settings, plan)
    if with_pdf:
        for key in cards:
            stamp = source_date([sources[key]])
            plan.add(
                f"pdf/{key}.pdf",
                Output(
                    digest(base, "pdf", src[key], stamp), "pdf", guide=key, sort=sources[key].words
                ),
                sources[key].path,
            )
        if handbook:
            chapters = tuple((k, src[k]) for k in handbook)
            stamp = source_date([sources[k] for k in handbook])
            plan.add(
                "pdf/handbook.pdf",
                Output(
                    digest(base, "handbook", chapters, stamp),
                    "pdf",
                    sort=sum(sources[k].words for k in handbook),
                ),
                "site.yml",
            )
        if "site" in formats:  # the site offers the PDFs for download too
            for rel in [r for r in plan if r.startswith("pdf/")]:
                plan.add(f"site/{rel}", Output(plan[rel].key, "file", same_as=rel))
    return plan


def _check_nav(settings: Settings, plan: Plan) -> None:
    """Navigation links written from the site root must lead to a page of the site."""
    problems = []
    for link in settings.nav:
        if "://" in link.url or link.url.startswith(("mailto:", "tel:")):
            continue
        path = link.url.split("#")[0].lstrip("/")
        if f"site/{path}" not in plan and f"site/{path}index.html" not in plan:
            problems.append(
                Problem(
                    "site.yml",
                    None,
                    f"nav link {link.url!r} ({link.title}) leads to no page of the site",
                )
            )
    if problems:
        raise BuildError(problems)


# Writing ------------------------------------------------------------------------------------


def _keep_unchanged(
    plan: Plan, previous: Manifest, out: Path, stage: Path, fresh: bool, report: BuildReport
) -> list[str]:
    """Outputs whose key is unchanged are kept (hard-linked into a fresh tree); returns the rest."""
    changed = []
    for rel, output in plan.items():
        if previous.outputs.get(rel) == output.key and (out / rel).is_file():
            report.count(REPORTED_AS.get(output.kind, output.kind), built=False)
            if fresh:
                _place(out / rel, stage / rel)
        else:
            changed.append(rel)
    return changed


def _place(source: Path, target: Path) -> None:
    _writable(target)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _write(target: Path, data: str) -> None:
    _writable(target)
    target.write_text(data, encoding="utf-8")


def _writable(target: Path) -> None:
    """Ready ``target`` for writing. A file a kept tree has there is written over (much
    cheaper than making a new one on most disks), unless writing it would reach another
    file: a symbolic link, or a file with other names (hard links), is removed first."""
    try:
        found = os.lstat(target)
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
        return
    if stat.S_ISDIR(found.st_mode):
        shutil.rmtree(target)
    elif found.st_nlink > 1 or not stat.S_ISREG(found.st_mode):
        target.unlink()


# Staging ----------------------------------------------------------------------------------


def _spare(out: Path) -> Path:
    """The tree the last fresh build replaced, kept beside ``out`` for the next fresh build
    to be written over."""
    return out.parent / f".{out.name}.spare"


def _make_stage(stage: Path, out: Path, fresh: bool) -> None:
    """The folder a build writes into before its outputs go live: for a fresh build the
    spare tree when there is one (renaming it is atomic: of two builds, one gets it)."""
    shutil.rmtree(stage, ignore_errors=True)
    if fresh:
        try:
            _spare(out).rename(stage)
            return
        except OSError:
            pass
    stage.mkdir(parents=True)


def _clear_stage(stage: Path, plan: Plan) -> None:
    """Remove from a spare tree what this build will not write: the outputs it no longer
    makes, and anything else found there. Compiled templates stay (each is checked against
    its template before use)."""
    keep = set(plan) | {INPUTS_FILE, MANIFEST_FILE}
    folders = {parent.as_posix() for rel in keep for parent in PurePosixPath(rel).parents}
    folders.add(TEMPLATE_CACHE)

    def clear(folder: Path, rel: str) -> None:
        with os.scandir(folder) as entries:
            for entry in entries:
                path = f"{rel}{entry.name}"
                if path in folders and entry.is_dir(follow_symlinks=False):
                    if path != TEMPLATE_CACHE:
                        clear(Path(entry.path), f"{path}/")
                elif path not in keep:
                    if entry.is_dir(follow_symlinks=False):
                        shutil.rmtree(entry.path)
                    else:
                        os.unlink(entry.path)

    clear(stage, "")


def _make_listings(changed: list[str], plan: Plan, stage: Path, report: BuildReport) -> None:
    """Pages that show guides' front matter only, and the static files."""
    for rel in changed:
        output = plan[rel]
        if output.kind == "listing":
            _write(stage / rel, output.make())
            report.count("page", built=True)
        elif output.copy_of is not None:
            _place(output.copy_of, stage / rel)
            report.count("file", built=True)


def _make_rest(changed, plan, setup, out, sources, rendered, written, config, report) -> None:
    """What needs the rendered guides: the search index, pages not yet written, the PDFs."""
    stage, settings = setup.stage, setup.settings
    with_pdf = config.offers_pdfs()
    to_page = [
        rel for rel in changed if plan[rel].kind == "guide-page" and plan[rel].guide not in written
    ]
    if to_page:  # the templates changed but the guide did not
        items = [(GuideCard.of(sources[plan[r].guide]), rendered[plan[r].guide]) for r in to_page]
        write_guide_pages(items, setup, with_pdf, config.jobs)
        report.count("guide-page", built=True, n=len(to_page))
    for rel in changed:
        if plan[rel].kind == "rendered":
            _write(stage / rel, plan[rel].make())
            report.count("page", built=True)
    pdfs = [rel for rel in changed if plan[rel].kind == "pdf"]
    if pdfs:
        render_pdfs(pdfs, plan, sources, rendered, settings, stage, config)
        report.count("pdf", built=True, n=len(pdfs))
    for rel in changed:  # a copy of another output of this build (the site's PDF downloads)
        if plan[rel].same_as is not None:
            staged = stage / plan[rel].same_as
            _place(staged if staged.exists() else out / plan[rel].same_as, stage / rel)
            report.count("file", built=True)


def render_pdfs(
    rels: list[str],
    plan: Plan,
    sources: dict,
    rendered: dict,
    settings: Settings,
    stage: Path,
    config: BuildConfig,
) -> None:
    """Print HTML for each PDF, then WeasyPrint in parallel workers, biggest documents first."""
    from . import pages, pdf

    env = pages.environment()
    jobs = []
    for rel in sorted(rels, key=lambda r: -plan[r].sort):
        output = plan[rel]
        if output.guide:
            source = sources[output.guide]
            stamp = source_date([source])
            html = pages.print_guide(
                env, settings, GuideCard.of(source), rendered[source.key], stamp.isoformat()
            )
        else:
            assert settings.handbook is not None  # planned only when site.yml has one
            chosen = [sources[k] for k in settings.handbook.guides]
            stamp = source_date(chosen)
            html = pages.print_handbook(
                env,
                settings,
                [GuideCard.of(g) for g in chosen],
                rendered,
                stamp.date(),
                stamp.isoformat(),
            )
        _writable(stage / rel)
        jobs.append(pdf.PdfJob(html=html, target=str(stage / rel), identity=output.key))
    workers = min(config.jobs, len(jobs))
    config.progress(f"Rendering {len(jobs)} PDF(s) with {workers} worker(s): {named(sorted(rels))}")
    step = max(1, len(jobs) // 10)
    pool = None
    if workers < 2:
        done = map(pdf.PdfRenderer().render, jobs)
    else:
        pool = _pool(workers, pdf.start_worker)
        done = pool.map(pdf.render_in_worker, jobs, chunksize=1)
    try:
        for count, target in enumerate(done, start=1):
            if config.pdf_progress is not None:
                config.pdf_progress(count, len(jobs), str(Path(target).relative_to(stage)))
            elif count % step == 0 or count == len(jobs):
                config.progress(
                    f"  {count}/{len(jobs)} PDFs done ({Path(target).relative_to(stage)})"
                )
    finally:
        if pool is not None:
            pool.shutdown()


def _swap(stage: Path, out: Path) -> None:
    """Put a complete new tree in place of the old one, which becomes the spare."""
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists():
        out.rename(old)
    stage.rename(out)
    if old.exists():
        if (old / TEMPLATE_CACHE).is_dir():  # compiled templates are keyed by their source
            (out / TEMPLATE_CACHE).mkdir(parents=True, exist_ok=True)
            for compiled in (old / TEMPLATE_CACHE).iterdir():
                if not (out / TEMPLATE_CACHE / compiled.name).exists():
                    compiled.rename(out / TEMPLATE_CACHE / compiled.name)
        try:
            old.rename(_spare(out))
        except OSError:  # another build's spare is there already
            shutil.rmtree(old, ignore_errors=True)
    stage.mkdir()  # so the caller's clean-up has something to remove


def _apply(stage: Path, out: Path, changed: list[str], gone: set[str]) -> None:
    """Move the staged files over the old ones (each move is atomic), drop outputs no longer made."""
    compiled = [p.relative_to(stage).as_posix() for p in (stage / TEMPLATE_CACHE).glob("*")]
    for rel in changed + compiled + [INPUTS_FILE, MANIFEST_FILE]:
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(stage / rel, target)
    for rel in sorted(gone):
        (out / rel).unlink(missing_ok=True)
        folder = (out / rel).parent
        while folder != out and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
