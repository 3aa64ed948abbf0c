"""``python build.py serve``: build, serve the site on localhost, rebuild when sources change."""

from __future__ import annotations

import functools
import threading
import traceback
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .builder import BuildConfig, build
from .content import STATIC_ROOTS
from .errors import BuildError
from .pages import TEMPLATES

POLL_SECONDS = 0.5


class _Handler(SimpleHTTPRequestHandler):
    def __init__(self, *args, site: Path, **kwargs):
        self.site = site
        super().__init__(*args, directory=str(site), **kwargs)

    def translate_path(self, path):  # the folder is swapped on every rebuild: resolve it anew
        self.directory = str(self.site)
        return super().translate_path(path)

    def send_error(self, code, message=None, explain=None):
        page = self.site / "404.html"
        if code == 404 and page.is_file():
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        super().send_error(code, message, explain)

    def log_message(self, format, *args):  # one quiet line per request
        print(f"  {self.command} {self.path} {args[1] if len(args) > 1 else ''}")


def snapshot(*watched: Path) -> dict[str, float]:
    """Modification times of the watched files and of every file under the watched folders."""
    files = [p for p in watched if p.is_file()]
    files += [path for folder in watched if folder.is_dir() for path in folder.rglob("*")]
    return {
        str(path): path.stat().st_mtime_ns
        for path in files
        if path.is_file() and "__pycache__" not in path.parts
    }


def _rebuild(config: BuildConfig) -> None:
    try:
        build(config)
    except BuildError as exc:
        print("Build failed; still serving the last good build:")
        for problem in exc.problems:
            print(f"  {problem}")
    except Exception:  # noqa: BLE001  (a bug in the builder must not stop the server the author is using)
        print("The build crashed; still serving the last good build:")
        traceback.print_exc()


def serve(
    config: BuildConfig,
    port: int = 8000,
    stop: threading.Event | None = None,
    on_ready=lambda port: None,
) -> int:
    """Serve ``out/site`` on 127.0.0.1:port until interrupted (or until ``stop`` is set)."""
    watched: tuple[Path, ...] = (config.content, TEMPLATES, *STATIC_ROOTS)
    if config.postings is not None:  # the portal's export of open jobs, wherever it is
        watched += (config.postings,)
    seen = snapshot(*watched)  # before the first build: an edit made during it is not missed
    _rebuild(config)
    site = config.out.resolve() / "site"
    handler = functools.partial(_Handler, site=site)
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    on_ready(server.server_port)
    print(
        f"Serving {site} on http://127.0.0.1:{server.server_port}/ (Ctrl-C to stop); watching {config.content}"
    )
    stop = stop or threading.Event()
    try:
        while not stop.wait(POLL_SECONDS):
            now = snapshot(*watched)
            if now != seen:
                seen = now
                print("Change detected; rebuilding…")
                _rebuild(config)
    except KeyboardInterrupt:
        print("Stopped.")
    finally:
        server.shutdown()
        server.server_close()
    return 0
