"""People's sign-ins: passwords, one-time password links, sessions and sign-in throttling.

- ``passwords``: hashing (argon2id) and what makes a new password too easy to guess
- ``links``: invitations and password resets by one-time link, and candidates' accounts
- ``sessions``: signing in and out, session tokens, idle and absolute time limits
- ``throttling``: failed sign-ins counted in the database, and when to refuse more
"""
