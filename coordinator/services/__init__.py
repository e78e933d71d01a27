"""Use cases. Each validates, changes models, writes audit (and later outbox) rows and
flushes; the view or job that called it commits once."""
