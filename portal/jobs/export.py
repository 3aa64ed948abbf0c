"""The published postings as a JSON file for the static site (``flask jobs export``).

Only what the public may read: each posting's published version (never the draft being
edited), under a versioned schema. The same postings give the same bytes, so a build run
from cron after each export finds nothing changed and rebuilds nothing.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..models import Job, JobPosting, JobStatus
from ..times import to_local
from ..web.notes import render_note
from .posting import CONTENT_SCHEMA, up_on, words_of

EXPORT_SCHEMA = 1  # the file's shape; CONTENT_SCHEMA is each posting's


def published_postings(today: date, portal_url: str) -> list[dict[str, Any]]:
    """Every posting up today, newest first, as the public sees it, with the address of
    its application form on the portal at ``portal_url``: its stored fields, and the words
    and HTML the portal shows of them (the description sanitised as notes are), so the
    site says exactly what the portal's preview said."""
    rows = db.session.scalars(
        select(JobPosting)
        .join(Job, Job.id == JobPosting.job_id)
        .where(up_on(today), Job.status == JobStatus.OPEN)
        .order_by(JobPosting.published_at.desc(), JobPosting.id.desc())
    )
    return [
        {
            **posting.content,
            **words_of(posting.content),
            "description_html": str(render_note(posting.content.get("description"))),
            "version": posting.version,
            "published_on": to_local(posting.published_at).date().isoformat(),
            "published_at": to_local(posting.published_at).isoformat(timespec="seconds"),
            "apply_url": f"{portal_url.rstrip('/')}/apply/{posting.job_id}",
        }
        for posting in rows
    ]


def export_document(today: date, portal_url: str) -> dict[str, Any]:
    return {
        "schema": EXPORT_SCHEMA,
        "content_schema": CONTENT_SCHEMA,
        "postings": published_postings(today, portal_url),
    }


def write_export(path: Path, document: dict[str, Any]) -> bool:
    """Write the file whole (a reader never sees half of it); False when it already held
    exactly this, in which case it is left as it was."""
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    data = text.encode("utf-8")
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True
