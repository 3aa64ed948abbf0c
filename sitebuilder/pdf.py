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


class PdfRenderer:
    """WeasyPrint with one font configuration and one image and stylesheet cache, kept
    across the PDFs it renders: one in the building process, or one in each worker."""

    def __init__(self) -> None:
        self.fonts = FontConfiguration()
        self.cache: dict = {}

    def render(self, job: PdfJob) -> str:
        Path(job.target).parent.mkdir(parents=True, exist_ok=True)
        HTML(
            string=job.html, base_url=str(DESIGN) + "/"
        ).write_pdf(  # print.css: the design system's
            job.target,
            font_config=self.fonts,
            cache=self.cache,
            pdf_variant=PDF_VARIANT,
            pdf_identifier=hashlib.sha256(job.identity.encode()).hexdigest()[:32].encode(),
            custom_metadata=False,
        )
        return job.target


# In a worker process only: the renderer its pool's initializer made.
_this_process_renderer: PdfRenderer | None = None


def start_worker() -> None:
    """A worker process's initializer: its one renderer."""
    global _this_process_renderer
    _this_process_renderer = PdfRenderer()


def render_in_worker(job: PdfJob) -> str:
    if _this_process_renderer is None:
        raise RuntimeError("not in a worker process started by start_worker")
    return _this_process_renderer.render(job)
