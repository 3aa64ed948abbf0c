"""/admin/policy: the numbers of the follow-up policy (docs/policy.md), and their history."""

from __future__ import annotations

from dataclasses import asdict

from flask import abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from ..audit import audit_trail
from ..background import hand_over
from ..extensions import db, write_lock
from ..models import AuditEvent
from ..steps.applying import POLICY_LOCK, apply_policy, applying
from ..steps.policy import current_policy
from ..steps.sync import change_policy
from ..times import utcnow
from ..web.forms import ConfirmForm, form_status
from . import admin_only, bp
from .forms import PolicyForm


@bp.route("/policy", methods=["GET", "POST"])
@admin_only
def policy():
    """The follow-up policy: changes apply to steps not yet done and go in the audit trail."""
    current = current_policy()
    form = PolicyForm(data=asdict(current)) if request.method == "GET" else PolicyForm()
    if form.validate_on_submit():
        # A fresh transaction under the policy lock: no batch of an earlier change writes
        # between reading the policy in force and saving the new one.
        db.session.commit()
        write_lock(POLICY_LOCK)
        g.pop("policy_in_force", None)  # read again, under the lock
        changes = change_policy(form.policy(), current_user)
        db.session.commit()
        if changes:
            _apply_after_this_request()
            flash(
                "Policy saved; the steps not yet done are being brought under it (this page "
                "shows how far it has got). " + "; ".join(changes),
                "success",
            )
        else:
            flash("Nothing changed.", "info")
        return redirect(url_for("admin.policy"), 303)
    history = audit_trail(AuditEvent.action == "policy.changed", limit=20)
    return render_template(
        "admin/policy.html",
        form=form,
        history=history,
        applying=applying(),
        now=utcnow(),
    ), form_status()


@bp.get("/policy/progress.json")
@admin_only
def policy_progress():
    """How far the newest change has got, for the policy page's progress bar."""
    state = applying()
    if state is None:
        return jsonify(applied=True)
    return jsonify(
        applied=False,
        done=state.done,
        of=state.open_interviews,
        stalled=state.stalled(utcnow()),
    )


@bp.post("/policy/apply")
@admin_only
def resume_applying():
    """Start applying the newest change again when the process applying it has gone."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if applying() is None:
        flash("The policy in force is applied to every open step.", "info")
    else:
        _apply_after_this_request()
        flash("Applying the policy again; this page shows how far it has got.", "success")
    return redirect(url_for("admin.policy"), 303)


def _apply_after_this_request() -> None:
    hand_over("applying the policy", apply_policy, request.host_url)
