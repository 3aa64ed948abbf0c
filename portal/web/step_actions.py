"""Acting on a step from a page: mark it done, undo, waive. One set of views for everyone.

The recruiter works a step on its own page; the candidate marks their notes as sent from
their checklist. What differs between the two (which page to show again, where to go
next, what they may not do) is a ``StepDesk``; the order of checks, the transaction and
the answers are the same, here.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from flask import flash, redirect, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from ..extensions import db
from ..models import Step
from ..steps.actions import mark_done, undo, waive
from .forms import required
from .step_forms import StepDoneForm, UndoForm, WaiveForm


class StepDesk(ABC):
    """Where a person works on steps, and what they may do there."""

    @abstractmethod
    def page(self, step: Step, *, status: int = 200, **forms: Any) -> ResponseReturnValue:
        """The page the step is worked on, shown again (with a refused form, or as it stands)."""

    @abstractmethod
    def done_form(self, step: Step) -> StepDoneForm:
        """The submitted "done" form, as this desk lays it out."""

    @abstractmethod
    def done_fields(self, step: Step, form: StepDoneForm) -> dict[str, Any]:
        """What of the form this person records (``mark_done``'s keyword arguments)."""

    @abstractmethod
    def url_after(self, step: Step, action: str) -> str:
        """Where to go after ``action`` ("done", "undo", "waive", "refused")."""

    @abstractmethod
    def changed_message(self, step: Step) -> str:
        """Said when someone else changed the step while this person had the page open."""

    def done_refusal(self, step: Step) -> tuple[str, str] | None:
        """Why this person may not mark the step done now, with the message's category."""
        if step.done_at is not None or step.waived_at is not None:
            return (
                f"{step.kind.label} is already {step.result_words}; undo it first to change it.",
                "error",
            )
        return None

    def undo_refusal(self, step: Step) -> str | None:
        """Why this person may not undo the step."""
        if step.done_at is None and step.waived_at is None:
            return f"{step.kind.label} is not done or waived; nothing to undo."
        return None

    def done_message(self, step: Step) -> str:
        return f"{step.kind.label}: {step.result_words}."


def changed_meanwhile(step: Step) -> bool:
    """The form was filled in from an older version of the step than the one stored now:
    someone else changed it while this person had the page open."""
    posted = request.form.get("version")
    return posted is not None and posted != str(step.version)


def _refuse_stale(desk: StepDesk, step: Step) -> ResponseReturnValue:
    """Show the step as it is now, saying why nothing was saved."""
    flash(desk.changed_message(step), "error")
    return desk.page(step, status=409)


def mark_step_done(desk: StepDesk, step: Step) -> ResponseReturnValue:
    """Record a step as done from ``desk``'s form; one view for every desk."""
    if changed_meanwhile(step):
        return _refuse_stale(desk, step)
    refusal = desk.done_refusal(step)
    if refusal is not None:
        flash(*refusal)
        return redirect(desk.url_after(step, "refused"), 303)
    form = desk.done_form(step)
    if not form.validate_on_submit():
        return desk.page(step, done_form=form, status=422)
    mark_done(step, current_user, required(form.done_at_utc), **desk.done_fields(step, form))
    db.session.commit()
    flash(desk.done_message(step), "success")
    return redirect(desk.url_after(step, "done"), 303)


def undo_step(desk: StepDesk, step: Step) -> ResponseReturnValue:
    """Put a done or waived step back to open, when this person may."""
    if changed_meanwhile(step):
        return _refuse_stale(desk, step)
    back = redirect(desk.url_after(step, "undo"), 303)
    if not UndoForm().validate_on_submit():
        flash("The form expired; please try again.", "error")
        return back
    refusal = desk.undo_refusal(step)
    if refusal is not None:
        flash(refusal, "error")
        return back
    undo(step, current_user)
    db.session.commit()
    flash(f"{step.kind.label} is open again.", "success")
    return back


def waive_step(desk: StepDesk, step: Step) -> ResponseReturnValue:
    """Waive a step, with a reason; it leaves the compliance figures."""
    if changed_meanwhile(step):
        return _refuse_stale(desk, step)
    if step.done_at is not None or step.waived_at is not None:
        flash(f"{step.kind.label} is already {step.result_words}; undo it first.", "error")
        return redirect(desk.url_after(step, "refused"), 303)
    form = WaiveForm()
    if not form.validate_on_submit():
        return desk.page(step, waive_form=form, status=422)
    waive(step, current_user, required(form.reason.data))
    db.session.commit()
    flash(f"{step.kind.label} waived.", "success")
    return redirect(desk.url_after(step, "waive"), 303)
