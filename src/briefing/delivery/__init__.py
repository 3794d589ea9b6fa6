"""Who gets what, and getting it to them once: letters, SMTP and the outbox, the send log, approvals, status."""
