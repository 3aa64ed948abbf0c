"""/admin/policy: the numbers of the follow-up policy (docs/policy.md), and their history."""

from __future__ import annotations

from dataclasses import asdict

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..audit import audit_trail
from ..extensions import db
from ..models import AuditEvent
from ..steps.policy import current_policy
from ..steps.sync import change_policy
from ..web.forms import form_status
from . import admin_only, bp
from .forms import PolicyForm


@bp.route("/policy", methods=["GET", "POST"])
@admin_only
def policy():
    """The follow-up policy: changes apply to steps not yet done and go in the audit trail."""
    current = current_policy()
    form = PolicyForm(data=asdict(current)) if request.method == "GET" else PolicyForm()
    if form.validate_on_submit():
        changes = change_policy(form.policy(), current_user)
        db.session.commit()
        if changes:
            flash(
                "Policy saved; steps not yet done now follow it. " + "; ".join(changes), "success"
            )
        else:
            flash("Nothing changed.", "info")
        return redirect(url_for("admin.policy"), 303)
    history = audit_trail(AuditEvent.action == "policy.changed", limit=20)
    return render_template("admin/policy.html", form=form, history=history), form_status()
