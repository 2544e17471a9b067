"""Alembic migrations (package data): run through `drafter.store.db.migrate`."""
