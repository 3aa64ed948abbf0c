"""The agency's one design system, shared by the portal, the advice site and the PDFs.

``foundation.css`` holds the colours, type and spacing (in one place, as custom
properties) and the shared components: buttons, forms, tables, status badges, flash
messages, empty states. ``print.css`` is the print stylesheet of the PDF guides, the
handouts and printing from a browser. ``vendor/`` holds modern-normalize (MIT), vendored:
no CDN, no build step.
"""

from pathlib import Path

DIRECTORY = Path(__file__).resolve().parent
STYLESHEETS = (
    "vendor/modern-normalize.css",
    "foundation.css",
)  # in this order, before a page's own
