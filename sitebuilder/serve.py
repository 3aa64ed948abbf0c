"""``build.py serve``: build, serve the site on localhost, rebuild on every change and reload
the open pages.

The sources are watched with watchfiles (the operating system's notifications, not
polling). A change is rebuilt in this warm process (imports, templates and the last build's
manifest are already here) as the incremental build it is, site first; the pages served
carry a small script, added by this server only, that listens on ``/__live/events``
(server-sent events) and reloads when the rebuild is done, or shows a broken edit's
``file:line`` problems over the last good page. The PDFs rebuild afterwards in a thread of
their own, into a folder beside the output, and the terminal says when they are ready.
"""

from __future__ import annotations

import functools
import itertools
import json
import queue
import threading
import time
import traceback
from dataclasses import replace
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .builder import BuildConfig, build
from .content import STATIC_ROOTS, TEMPLATES
from .errors import BuildError

LIVE = Path(__file__).parent / "live"
LIVE_TAGS = (
    b'<link rel="stylesheet" href="/__live/live.css"><script src="/__live/live.js" defer></script>'
)
HEARTBEAT_SECONDS = 15.0
STEP_MS = 20  # a change is built once no other has come for this long (an editor's save)
WAKE_MS = 100  # the watcher returns this often with nothing, so stopping is never held up


class Broadcast:
    """The pages listening for news, each with its own queue; and the last build's state,
    told to a page as soon as it connects."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.listeners: list[queue.Queue] = []
        self.problems: list[str] = []

    def listen(self) -> queue.Queue:
        inbox: queue.Queue = queue.Queue()
        with self.lock:
            self.listeners.append(inbox)
            if self.problems:
                inbox.put(("problems", json.dumps(self.problems)))
        return inbox

    def leave(self, inbox: queue.Queue) -> None:
        with self.lock:
            if inbox in self.listeners:
                self.listeners.remove(inbox)

    def send(self, event: str, problems: list[str] | None = None) -> None:
        with self.lock:
            self.problems = list(problems or [])
            data = json.dumps(self.problems) if problems else "{}"
            for inbox in self.listeners:
                inbox.put((event, data))

    def close(self) -> None:
        self.send("bye")


class _Handler(SimpleHTTPRequestHandler):
    """The built site, the live script and its events, and the PDFs built beside it."""

    def __init__(self, *args, site: Path, pdfs: Path | None, news: Broadcast, **kwargs):
        self.site, self.pdfs, self.news = site, pdfs, news
        super().__init__(*args, directory=str(site), **kwargs)

    def translate_path(self, path):  # the folder is swapped on a full rebuild: resolve it anew
        self.directory = str(self.site)
        if self.pdfs is not None and path.split("?")[0].startswith("/pdf/"):
            self.directory = str(self.pdfs)
        return super().translate_path(path)

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/__live/events":
            return self._events()
        if path in ("/__live/live.js", "/__live/live.css"):
            return self._file(LIVE / path.rsplit("/", 1)[1])
        target = Path(self.translate_path(self.path))
        if target.is_dir():
            if not path.endswith("/"):
                return super().do_GET()  # the redirect to the folder's own address
            target = target / "index.html"
        if target.suffix == ".html" and target.is_file():
            return self._page(target.read_bytes(), 200)
        return super().do_GET()

    def _page(self, body: bytes, status: int) -> None:
        """An HTML page with the live script added before </head>."""
        body = body.replace(b"</head>", LIVE_TAGS + b"</head>", 1)
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _file(self, file: Path) -> None:
        body = file.read_bytes()
        kind = "text/javascript" if file.suffix == ".js" else "text/css"
        self.send_response(200)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        inbox = self.news.listen()
        try:
            self.wfile.write(b": listening\n\n")
            self.wfile.flush()
            while True:
                try:
                    event, data = inbox.get(timeout=HEARTBEAT_SECONDS)
                except queue.Empty:
                    self.wfile.write(b": still here\n\n")
                else:
                    if event == "bye":
                        return
                    self.wfile.write(f"event: {event}\ndata: {data}\n\n".encode())
                self.wfile.flush()
        except OSError:  # the page went away
            pass
        finally:
            self.news.leave(inbox)

    def send_error(self, code, message=None, explain=None):
        page = self.site / "404.html"
        if code == 404 and page.is_file():
            return self._page(page.read_bytes(), 404)
        super().send_error(code, message, explain)

    def log_message(self, format, *args):  # one quiet line per request
        if not self.path.startswith("/__live/"):
            print(f"  {self.command} {self.path} {args[1] if len(args) > 1 else ''}")


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a page's open event stream does not keep serve from stopping


def _build(config: BuildConfig) -> list[str]:
    """Build; the problems, if it failed (the last good build stays in place)."""
    try:
        build(config)
    except BuildError as exc:
        return [str(problem) for problem in exc.problems]
    except Exception:  # noqa: BLE001  (a bug in the builder must not stop the server the author is using)
        traceback.print_exc()
        return [
            "The build crashed (the terminal has the traceback); still serving the last good build."
        ]
    return []


class _PdfBuilds(threading.Thread):
    """The PDFs, rebuilt after each site build, one build at a time, never holding up a
    page's reload; asked again while busy, it builds once more when done."""

    def __init__(self, config: BuildConfig):
        super().__init__(daemon=True, name="pdfs")
        self.config = config
        self.wanted = threading.Event()
        self.stopping = False

    def run(self) -> None:
        while True:
            self.wanted.wait()
            if self.stopping:
                return
            self.wanted.clear()
            started = time.perf_counter()
            problems = _build(self.config)
            if problems:
                print("PDFs not rebuilt:")
                for problem in problems:
                    print(f"  {problem}")
            else:
                print(f"PDFs ready ({time.perf_counter() - started:.2f}s).", flush=True)

    def stop(self) -> None:
        self.stopping = True
        self.wanted.set()


def serve(
    config: BuildConfig,
    port: int = 8000,
    stop: threading.Event | None = None,
    on_ready=lambda port: None,
) -> int:
    """Serve ``out/site`` on 127.0.0.1:port until interrupted (or until ``stop`` is set)."""
    import watchfiles

    stop = stop or threading.Event()
    quiet = functools.partial(print, flush=True)
    site_config = replace(
        config,
        formats=frozenset({"site"}),
        offer_pdfs="pdf" in config.formats,
        progress=lambda message: None,
    )
    pdf_folder = config.out.resolve().parent / f".{config.out.resolve().name}.serve-pdf"
    pdfs = None
    if "pdf" in config.formats:
        pdfs = _PdfBuilds(
            replace(
                config,
                formats=frozenset({"pdf"}),
                out=pdf_folder,
                postings=None,
                progress=lambda message: None,
                pdf_progress=None,
            )
        )
    watched: list[Path] = [config.content, TEMPLATES, *STATIC_ROOTS]
    postings = config.postings.resolve() if config.postings is not None else None
    roots: list[Path] | None = None  # with postings: what else in their folder is not ours
    if postings is not None:
        # The portal's export of open jobs, wherever it is. Its folder is watched, not the
        # file: the export replaces the file whole, and a watch on a file ends with it.
        roots = [folder.resolve() for folder in watched]
        watched.append(postings.parent)
    editors = watchfiles.DefaultFilter()  # editors' swap files, .git, __pycache__ …

    def relevant(change, path: str) -> bool:
        if not editors(change, path):
            return False
        if roots is None or Path(path) == postings:
            return True
        return any(Path(path).is_relative_to(root) for root in roots)

    # The watcher is set up before the first build: a save made during it, or just after
    # the server says it is ready, is seen. It wakes every WAKE_MS with nothing, which is
    # how the first call returns once the watch is in place.
    saves = watchfiles.watch(
        *[p for p in watched if p.exists()],
        stop_event=stop,
        watch_filter=relevant,
        step=STEP_MS,
        debounce=1_000,
        rust_timeout=WAKE_MS,
        yield_on_timeout=True,
        raise_interrupt=False,
    )
    early = next(saves, set())
    news = Broadcast()
    problems = _build(site_config)
    _report(problems, None)
    if problems:
        news.send("problems", problems)
    if pdfs is not None:
        pdfs.start()
        pdfs.wanted.set()
    site = config.out.resolve() / "site"
    handler = functools.partial(
        _Handler, site=site, pdfs=pdf_folder if pdfs is not None else None, news=news
    )
    server = _Server(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    on_ready(server.server_port)
    quiet(
        f"Serving {site} on http://127.0.0.1:{server.server_port}/ (Ctrl-C to stop); "
        f"watching {config.content}"
    )
    try:
        for changes in itertools.chain([early], saves):
            if not changes:  # the watcher woke with nothing
                continue
            started = time.perf_counter()
            problems = _build(site_config)
            _report(problems, time.perf_counter() - started, changes)
            news.send("problems" if problems else "reload", problems)
            if not problems and pdfs is not None:
                pdfs.wanted.set()
    finally:
        saves.close()
        news.close()
        server.shutdown()
        server.server_close()
        if pdfs is not None:
            pdfs.stop()
        quiet("Stopped.")
    return 0


def _report(problems: list[str], seconds: float | None, changes=()) -> None:
    # The files that are there now (an editor's or sed's temporary files come and go).
    names = sorted({Path(path).name for _, path in changes if Path(path).is_file()})
    what = f"{', '.join(names[:3])}{' …' if len(names) > 3 else ''} changed; " if names else ""
    if problems:
        print(f"{what}build failed; still serving the last good build:", flush=True)
        for problem in problems:
            print(f"  {problem}", flush=True)
    elif seconds is not None:
        print(f"{what}rebuilt in {seconds:.2f}s; open pages reload.", flush=True)
