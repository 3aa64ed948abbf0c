"""The four steps of each interview, as stored: kept in line with the rules, acted on, shown.

The rules themselves are pure (``portal.followup``); this package reads interviews and the
policy from the database, asks the rules, and writes the answers back. Helpers here flush
but never commit: the view (or the command) owns the transaction.

- ``calendar``: the agency's business calendar (weekends and Ontario holidays)
- ``policy``: the policy in force and its saved versions
- ``sync``: the stored steps of one interview or of many, recomputed from the rules
- ``actions``: what people do to a step: mark it done, undo, waive
- ``checklist``: how steps stand now, for the interview page and the candidate's checklist
- ``guidance``: the advice for each step, read from the guides in content/
- ``drafts``: drafts of the thank-you and follow-up notes (pure)
- ``handout``: the printable checklist (PDF)
"""
