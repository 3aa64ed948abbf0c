"""PDF rendering with WeasyPrint, in worker processes that each keep their own caches.

Imported only when PDFs are built: WeasyPrint takes a while to import, and the parent
imports it once before forking so every worker starts with it loaded.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from .content import DESIGN

PDF_VARIANT = "pdf/ua-1"  # tagged, with the title shown and the language set


@dataclass(frozen=True)
class PdfJob:
    html: str
    target: str
    identity: str  # the output's cache key; also makes the PDF's /ID fixed and reproducible


_worker: dict = {}


def start_worker() -> None:
    """One font configuration and one image/stylesheet cache per worker process."""
    _worker["fonts"] = FontConfiguration()
    _worker["cache"] = {}


def render(job: PdfJob) -> str:
    if not _worker:
        start_worker()
    Path(job.target).parent.mkdir(parents=True, exist_ok=True)
    HTML(string=job.html, base_url=str(DESIGN) + "/").write_pdf(  # print.css is the design system's
        job.target,
        font_config=_worker["fonts"],
        cache=_worker["cache"],
        pdf_variant=PDF_VARIANT,
        pdf_identifier=hashlib.sha256(job.identity.encode()).hexdigest()[:32].encode(),
        custom_metadata=False,
    )
    return job.target
