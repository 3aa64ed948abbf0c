"""The compliance report: on-time rate by recruiter, candidate or employer, a weekly trend, CSV.

Recruiters see their own candidates' steps; admins see the agency's and may pick a recruiter.
"""

import re
import sys
from datetime import date, timedelta

import pygal
from flask import Response, abort, render_template, request
from flask_login import current_user, fresh_login_required
from pygal.style import Style
from sqlalchemy import select
from wtforms import SelectField
from wtforms.validators import Optional

from .. import compliance
from ..extensions import db
from ..forms import DateInput, Form, options
from ..models import Role, User
from ..steps import record
from ..times import local_day_bounds, local_today, utcnow
from ..views import CountedPagination, page_number, page_size
from . import bp
from .checklist import staff_only

MAX_RANGE_DAYS = 3 * 366

# pygal adds an old-style import hook (for its map plugins, unused here) that makes every
# later import in the process warn on Python 3.11; take it out again.
sys.meta_path[:] = [finder for finder in sys.meta_path if type(finder).__module__ != "pygal"]


class ReportForm(Form):
    """The report's filters (a GET form, no CSRF)."""

    class Meta:
        csrf = False

    group = SelectField("Group by", choices=options(compliance.GROUPS.items()), default="recruiter")
    start = DateInput("From", validators=[Optional()])
    end = DateInput(
        "To",
        validators=[Optional()],
        description="Both days included; by the day each step fell due.",
    )
    recruiter = SelectField("Recruiter", coerce=int, default=0, validate_choice=False)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        today = local_today()
        self.end_day = self.end.data or today
        self.start_day = self.start.data or (self.end_day - timedelta(days=365))
        for field in (self.start, self.end):
            if field.data and not date(2000, 1, 1) <= field.data <= today + timedelta(days=366):
                field.errors = [*field.errors, "That date is out of range; check the year."]
        if not self.start.errors and not self.end.errors:
            if self.start_day > self.end_day:
                self.start.errors = [*self.start.errors, "The start is after the end."]
            elif (self.end_day - self.start_day).days > MAX_RANGE_DAYS:
                self.start.errors = [*self.start.errors, "Choose at most three years."]
        # Show the period in force in the form, not blank boxes.
        self.start.data = self.start.data or (None if self.start.errors else self.start_day)
        self.end.data = self.end.data or (None if self.end.errors else self.end_day)
        if self.recruiter.data and self.recruiter.data not in {
            c.value for c in self.recruiter.choices
        }:
            self.recruiter.errors = ["Choose a recruiter from the list."]
        return ok and not any(f.errors for f in self)


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
    number = page_number()
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
    page = CountedPagination(
        page=number, per_page=page_size(), items=result.rows, total=result.row_count
    )
    if number > 1 and not result.rows:
        abort(404)
    return render_template(
        "recruiter/compliance.html",
        form=form,
        page=page,
        rows=result.rows,
        total=result.total,
        group_label=compliance.GROUPS[form.group.data],
        weeks=result.weeks,
        chart=trend_chart(result.weeks),
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
    body = compliance.to_csv(compliance.GROUPS[form.group.data], result.rows, result.total)
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


CHART_STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#52606d",
    colors=("#1d4e89",),
    font_family="system-ui, sans-serif",
    title_font_size=16,
    label_font_size=12,
    major_label_font_size=12,
)


def trend_chart(weeks: list[compliance.Week]) -> str:
    """The weekly compliance rate as an SVG line chart, drawn on the server (no JavaScript)."""
    chart = pygal.Line(
        style=CHART_STYLE,
        width=880,
        height=320,
        show_legend=False,
        js=(),
        disable_xml_declaration=True,
        range=(0, 100),
        y_labels=[0, 25, 50, 75, 100],
        value_formatter=lambda v: f"{v:.0f}%",
        x_label_rotation=0,
        show_minor_x_labels=False,
        x_labels_major_every=max(len(weeks) // 8, 1),
        title="On-time rate by week",
        explicit_size=False,
        dots_size=2,
        allow_interruptions=True,
        print_values=False,
        margin=16,
        spacing=12,
        truncate_label=-1,
        no_data_text="No steps were due",
    )
    chart.x_labels = [f"{w.starts:%-d %b}" for w in weeks]
    chart.add("On time", [None if w.rate is None else round(w.rate * 100, 1) for w in weeks])
    # pygal writes a small inline script even with js=(): the page allows no inline scripts.
    return SCRIPT_RE.sub("", chart.render(is_unicode=True))


SCRIPT_RE = re.compile(r"<script\b.*?</script>", re.DOTALL | re.IGNORECASE)
