"""/reports/compliance: the on-time rate by recruiter, candidate or employer, a weekly trend, CSV.

Recruiters see their own candidates' steps; admins see the agency's and may pick a recruiter.
"""

from __future__ import annotations

from flask import Response, render_template, request
from flask_login import current_user, fresh_login_required
from sqlalchemy import select

from ..audit import record
from ..extensions import db
from ..jobs.duty import answers_by_employer
from ..models import Role, User
from ..reports import compliance
from ..reports.chart import trend_chart
from ..times import local_day_bounds, utcnow
from ..web.forms import options
from ..web.lists import CountedPagination, page_number, page_size
from . import bp, staff_only
from .forms import ReportForm


def _form() -> ReportForm:
    form = ReportForm(request.args)
    if current_user.role == Role.ADMIN:
        recruiters = db.session.execute(
            select(User.id, User.name).where(User.role == Role.RECRUITER).order_by(User.name)
        ).all()
        form.recruiter.choices = options([(0, "Every recruiter"), *recruiters])
    else:
        form.recruiter.choices = options([(0, "My candidates")])
    return form


def _period(form: ReportForm):
    start, _ = local_day_bounds(form.start_day)
    _, end = local_day_bounds(form.end_day)
    return start, end, (form.recruiter.data or None)


@bp.get("/reports/compliance")
@staff_only
def compliance_report():
    """On-time rate per recruiter, candidate or employer over a date range, with a weekly trend."""
    form = _form()
    if not form.validate():
        return render_template("recruiter/compliance.html", form=form, page=None), 400
    start, end, recruiter_id = _period(form)

    def report_page(number: int) -> tuple[compliance.Report, CountedPagination]:
        result = compliance.report(
            current_user,
            form.group.data,
            start,
            end,
            utcnow(),
            recruiter_id=recruiter_id,
            page=number,
            per_page=page_size(),
        )
        pages = CountedPagination(
            page=number,
            per_page=page_size(),
            items=result.rows,
            total=result.row_count,
            error_out=False,
        )
        return result, pages

    number = page_number()
    result, page = report_page(number)
    if number > page.pages > 0:  # past the last page: show the last one
        result, page = report_page(page.pages)
    return render_template(
        "recruiter/compliance.html",
        form=form,
        page=page,
        rows=result.rows,
        total=result.total,
        group_label=compliance.GROUPS[form.group.data],
        weeks=result.weeks,
        chart=trend_chart(result.weeks),
        answers=answers_by_employer(start, end, utcnow(), _recruiter_scope(recruiter_id))
        if form.group.data == "employer"
        else None,
    )


@bp.get("/reports/compliance.csv")
@staff_only
@fresh_login_required  # an export of personal data: the password again if the session is old
def compliance_csv():
    """The same rows as the report, every page, as a CSV download."""
    form = _form()
    if not form.validate():
        return render_template("recruiter/compliance.html", form=form, page=None), 400
    start, end, recruiter_id = _period(form)
    result = compliance.report(
        current_user, form.group.data, start, end, utcnow(), recruiter_id=recruiter_id
    )
    told = None
    if form.group.data == "employer":
        answers = answers_by_employer(start, end, utcnow(), _recruiter_scope(recruiter_id))
        told = {a.employer_id: (a.employer, a.in_time, a.due) for a in answers}
    body = compliance.to_csv(compliance.GROUPS[form.group.data], result.rows, result.total, told)
    record(
        current_user,
        "export.compliance_csv",
        f"Compliance CSV by {form.group.data}, "
        f"{form.start_day:%Y-%m-%d} to {form.end_day:%Y-%m-%d} ({len(result.rows)} rows)",
    )
    db.session.commit()
    name = f"compliance-by-{form.group.data}-{form.start_day:%Y%m%d}-{form.end_day:%Y%m%d}.csv"
    return Response(
        "\ufeff" + body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _recruiter_scope(recruiter_id: int | None) -> int | None:
    """Whose candidates the 45-day figures count: a recruiter's own, else the chosen one."""
    return current_user.id if current_user.role == Role.RECRUITER else recruiter_id
