"""Every email the portal sends goes through the outbox: a row first, then the SMTP server.

- ``mail``: the SMTP client (or, in development, the log) that carries a message
- ``reminders``: which reminders are due now (recruiters' digests, candidates' nudges)
- ``messages``: what each email says, written from the data as it is when it is sent
- ``delivery``: claiming queued emails, sending each once, retrying with backoff
- ``report``: what a run did, line by line
"""
