"""/admin/imports: the agency's spreadsheets of candidates, employers and jobs, uploaded,
previewed (recognised columns, rows as they will be stored, refused rows and why),
then imported in one transaction once confirmed, with a report to download."""

from __future__ import annotations

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from ..audit import record
from ..background import hand_over
from ..extensions import db
from ..intake.columns import KIND_LABELS, KINDS, fields_of, recognise
from ..intake.duplicates import described
from ..intake.importing import check
from ..intake.running import claim, run, stalled
from ..intake.table import MAX_BYTES, Table, TableRefused, read_table
from ..models import ImportBatch, ImportStatus
from ..times import utcnow
from ..web.forms import ConfirmForm, form_status
from ..web.uploads import takes_files
from . import admin_only, bp
from .forms import ImportUploadForm, import_columns_form

SHOWN_ROWS = 10  # rows shown as they will be stored
SHOWN_REFUSED = 200  # refused rows listed on the page; the report has every one


def _batch_or_404(batch_id: int) -> ImportBatch:
    return db.get_or_404(ImportBatch, batch_id)


@bp.route("/imports", methods=["GET", "POST"])
@admin_only
@takes_files("file", up_to=MAX_BYTES + 64 * 1024)
def imports() -> ResponseReturnValue:
    """Upload a spreadsheet; the imports so far."""
    form = ImportUploadForm()
    if form.validate_on_submit():
        data = form.file.data.read(MAX_BYTES + 1)
        try:
            table = read_table(data)
        except TableRefused as exc:
            form.file.errors = [*form.file.errors, str(exc)]
        else:
            batch = ImportBatch(
                kind=form.kind.data,
                file_name=(form.file.data.filename or "upload.csv")[-200:],
                uploaded_by=current_user,
                uploaded_at=utcnow(),
                content=data,
                mapping=recognise(table.headers, form.kind.data),
                rows=len(table.rows),
            )
            db.session.add(batch)
            db.session.commit()
            return redirect(url_for("admin.import_batch", batch_id=batch.id), 303)
    batches = db.session.scalars(
        select(ImportBatch)
        .order_by(ImportBatch.uploaded_at.desc(), ImportBatch.id.desc())
        .limit(50)
    ).all()
    return render_template(
        "admin/imports.html", form=form, batches=batches, kinds=KIND_LABELS, now=utcnow()
    ), form_status()


@bp.get("/imports/<int:batch_id>")
@admin_only
def import_batch(batch_id: int) -> ResponseReturnValue:
    """The preview before confirming, the bar while importing, the counts after."""
    batch = _batch_or_404(batch_id)
    table = _table(batch)
    return _batch_page(batch, table, import_columns_form(*_columns(batch, table)))


def _table(batch: ImportBatch) -> Table | None:
    """The upload read once for the page (None once imported: its rows are gone)."""
    try:
        return read_table(batch.content) if batch.content else None
    except TableRefused:
        return None


def _columns(batch: ImportBatch, table: Table | None):
    headers = table.headers if table is not None else ()
    mapping = list(batch.mapping) + [""] * (len(headers) - len(batch.mapping))
    return headers, KINDS[batch.kind], mapping


def _batch_page(
    batch: ImportBatch, table: Table | None, columns_form, status: int = 200
) -> ResponseReturnValue:
    checked = None
    if batch.status not in (ImportStatus.PREVIEW, ImportStatus.FAILED):
        table = None
    if table is not None:
        columns_form.default_role.data = columns_form.default_role.data or batch.default_role
        checked = check(batch.kind, table, list(batch.mapping), batch.default_role)
    return render_template(
        "admin/import_batch.html",
        batch=batch,
        table=table,
        checked=checked,
        columns_form=columns_form,
        confirm=ConfirmForm(),
        fields=fields_of(batch.kind),
        kinds=KIND_LABELS,
        described=described,
        shown_rows=SHOWN_ROWS,
        shown_refused=SHOWN_REFUSED,
        stalled=stalled(batch, utcnow()),
    ), status


@bp.post("/imports/<int:batch_id>/columns")
@admin_only
def import_columns(batch_id: int) -> ResponseReturnValue:
    """Say which field each column gives (and a role for rows that say none)."""
    batch = _batch_or_404(batch_id)
    if batch.status != ImportStatus.PREVIEW:
        abort(409, description="This import has started; its columns can no longer change.")
    table = _table(batch)
    headers, fields, mapping = _columns(batch, table)
    form = import_columns_form(headers, fields, mapping, formdata=request.form)
    if not form.validate():
        return _batch_page(batch, table, form, 422)
    chosen = [form[f"column_{i}"].data for i in range(len(headers))]
    twice = {key for key in chosen if key and chosen.count(key) > 1}
    if twice:
        for i, key in enumerate(chosen):
            if key in twice:
                form[f"column_{i}"].errors = ["Another column gives this field too: choose one."]
        return _batch_page(batch, table, form, 422)
    batch.mapping = chosen
    batch.default_role = form.default_role.data if batch.kind == "candidates" else ""
    db.session.commit()
    return redirect(url_for("admin.import_batch", batch_id=batch.id), 303)


@bp.post("/imports/<int:batch_id>/start")
@admin_only
def start_import(batch_id: int) -> ResponseReturnValue:
    """Import the rows, after the response (the page shows the bar meanwhile)."""
    batch = _batch_or_404(batch_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if not batch.content:
        abort(409, description="This file has been imported already.")
    if batch.status == ImportStatus.FAILED:
        batch.status = ImportStatus.PREVIEW
    if not claim(batch, utcnow()):
        db.session.rollback()
        flash("This import has been started already.", "info")
        return redirect(url_for("admin.import_batch", batch_id=batch.id), 303)
    db.session.commit()
    actor_id = current_user.id
    hand_over(f"import {batch.id}", lambda: run(batch.id, actor_id), request.host_url)
    return redirect(url_for("admin.import_batch", batch_id=batch.id), 303)


@bp.get("/imports/<int:batch_id>/progress.json")
@admin_only
def import_progress(batch_id: int) -> ResponseReturnValue:
    """How far the import has got, for the page's bar."""
    batch = _batch_or_404(batch_id)
    return jsonify(
        status=batch.status.value,
        checked=batch.checked,
        rows=batch.rows,
        stalled=stalled(batch, utcnow()),
    )


@bp.get("/imports/<int:batch_id>/report.csv")
@admin_only
def import_report(batch_id: int) -> ResponseReturnValue:
    """Every row of the file and what was done with it."""
    batch = _batch_or_404(batch_id)
    if batch.status != ImportStatus.DONE:
        abort(404, description="The report is ready once the import is done.")
    record(current_user, "export.import_report", f"Report of import #{batch.id} downloaded")
    db.session.commit()
    name = f"import-{batch.id}-report.csv"
    return Response(
        "\ufeff" + batch.report,  # Excel reads UTF-8 with its mark
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.post("/imports/<int:batch_id>/discard")
@admin_only
def discard_import(batch_id: int) -> ResponseReturnValue:
    """Drop an upload not imported (its rows with it), or an import's report (the rows it
    lists are people's names)."""
    batch = _batch_or_404(batch_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if batch.status == ImportStatus.RUNNING and not stalled(batch, utcnow()):
        abort(409, description="This import is running; it cannot be discarded now.")
    done = batch.status == ImportStatus.DONE
    db.session.delete(batch)
    db.session.commit()
    flash(
        f"The report of {batch.file_name} is deleted; what it imported stays."
        if done
        else f"The upload of {batch.file_name} is discarded; nothing was imported.",
        "success",
    )
    return redirect(url_for("admin.imports"), 303)
