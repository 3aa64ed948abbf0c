"""The draft pages: one interview's thank-you or follow-up note, ready to copy, mail or print.

The candidate's pages and the recruiter's use the same functions; each blueprint looks the
interview up through its own access query first, then hands it here.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import abort, render_template, request
from markupsafe import Markup, escape

from ..followup import StepKind
from ..models import Interview, PreferredChannel
from ..steps.drafts import CHANNELS, DETAIL_BLANK, KIND_SLUGS, Draft, DraftFacts, write_draft
from ..steps.guidance import guidance
from ..times import due_words, format_local, to_local, utcnow


def draft_facts(interview: Interview) -> DraftFacts:
    candidate = interview.candidate
    return DraftFacts(
        candidate_name=candidate.name,
        candidate_phone=candidate.phone or None,
        interviewer_names=interview.interviewer_names or "",
        employer_name=interview.employer.name,
        position=interview.job.title if interview.job else None,
        interview_day=to_local(interview.starts_at).date(),
        timeline=str(interview.timeline),
        decision_date=interview.decision_date,
    )


def mailto(draft: Draft, to: str = "") -> str:
    """A mailto: link (RFC 6068) that opens the draft in the person's email program,
    addressed to ``to`` (addresses separated by commas) when known."""
    body = draft.body.replace("\n", "\r\n")
    addressees = quote(to.replace(" ", ""), safe="@,")
    return f"mailto:{addressees}?subject={quote(draft.subject or '', safe='')}&body={quote(body, safe='')}"


def as_html(text: str) -> Markup:
    """The draft as paragraphs, escaped, with the one blank to fill in marked."""
    paragraphs = []
    for paragraph in text.split("\n\n"):
        lines = Markup("<br>").join(escape(line) for line in paragraph.split("\n"))
        paragraphs.append(Markup("<p>{}</p>").format(lines))
    html = Markup("\n").join(paragraphs)
    blank = str(escape(DETAIL_BLANK))
    # Built from escaped parts (bandit B704 reviewed).
    return Markup(str(html).replace(blank, f"<mark>{blank}</mark>"))  # nosec B704


def render_draft(interview: Interview, slug: str, template: str, **context) -> str:
    """A draft page for ``interview``; an unknown kind or channel is a 404."""
    kind = KIND_SLUGS.get(slug)
    preferred = interview.employer.preferred_channel
    default = preferred.value if preferred != PreferredChannel.NONE else "email"
    channel = request.args.get("channel", default)
    if kind is None or channel not in CHANNELS:
        abort(404)
    draft = write_draft(kind.value, channel, draft_facts(interview))
    return render_template(
        template,
        interview=interview,
        kind=kind,
        slug=slug,
        draft=draft,
        channel=channel,
        channels=CHANNELS,
        preferred=None if preferred == PreferredChannel.NONE else preferred,
        body_html=as_html(draft.body),
        mailto=mailto(draft, interview.interviewer_emails) if channel == "email" else None,
        mailto_to=interview.interviewer_emails.replace(" ", ""),
        guidance=guidance().get(kind),
        has_blank=DETAIL_BLANK in draft.body,
        when=when_to_send(interview, kind),
        **context,
    )


def when_to_send(interview: Interview, kind: StepKind) -> str | None:
    """The step's timing in words ("Send it by tomorrow 10:30."), or None once it is settled."""
    step = next((s for s in interview.steps if s.kind == kind), None)
    if step is None or step.result is not None:
        return None
    now = utcnow()
    if step.opens_at is not None and step.opens_at > now:
        return f"Send it from {format_local(step.opens_at, '%A %-d %B')}, {due_words(step.due_at, now)}."
    if step.due_at >= now:
        return f"Send it {due_words(step.due_at, now)}."
    return f"It {due_words(step.due_at, now)}: send it as soon as you can."
