#!/usr/bin/env python3
"""Build the advice site and the printable PDF guides from content/.

python build.py [--content DIR] [--out DIR] [--clean] [--formats site,pdf] [--jobs N] [--quiet]
                [--postings FILE]   # the open jobs, as the portal exports them
python build.py serve [--port 8000]    # build, serve dist/site on localhost, rebuild on change
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sitebuilder import BuildConfig, BuildError, build
from sitebuilder.builder import FORMATS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", nargs="?", choices=["build", "serve"], default="build")
    parser.add_argument(
        "--content", type=Path, default=Path("content"), help="sources (default: content/)"
    )
    parser.add_argument(
        "--out", type=Path, default=Path("dist"), help="output folder (default: dist/)"
    )
    parser.add_argument(
        "--clean", action="store_true", help="ignore the cache and build everything"
    )
    parser.add_argument(
        "--formats", default="site,pdf", help="what to build: site, pdf or site,pdf"
    )
    parser.add_argument(
        "--jobs", type=int, default=None, help="worker processes (default: one per core)"
    )
    parser.add_argument(
        "--postings",
        type=Path,
        default=None,
        help="the portal's export of open jobs (flask --app portal jobs export FILE); "
        "default: the postings path in site.yml, if any",
    )
    parser.add_argument("--port", type=int, default=8000, help="with serve: the port on 127.0.0.1")
    parser.add_argument(
        "--quiet",
        action="store_true",
        help="no progress lines, only problems (the default when CI=true)",
    )
    args = parser.parse_args(argv)

    formats = frozenset(f.strip() for f in args.formats.split(",") if f.strip())
    if not formats or not formats <= FORMATS:
        parser.error(f"--formats takes site, pdf or site,pdf, not {args.formats!r}")
    config = BuildConfig(
        content=args.content,
        out=args.out,
        clean=args.clean,
        formats=formats,
        postings=args.postings,
    )
    if args.jobs:
        config.jobs = max(1, args.jobs)
    if args.quiet or os.environ.get("CI") == "true":
        config.progress = lambda message: None
    elif sys.stderr.isatty():
        config.pdf_progress = _pdf_line
    if args.command == "serve":
        from sitebuilder.serve import serve

        return serve(config, port=args.port)
    try:
        build(config)
    except BuildError as exc:
        print(f"Build failed; {args.out}/ was left as it was.", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    return 0


def _pdf_line(count: int, total: int, name: str) -> None:
    """One line on the terminal, rewritten as each PDF is done."""
    end = "\n" if count == total else ""
    print(f"\r\033[K  {count}/{total} PDFs done ({name})", end=end, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
