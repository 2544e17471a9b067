"""The database: SQLAlchemy models and Alembic migrations (jobs, and the contact memory).

SQLite in the data directory by default; PostgreSQL through DRAFTER_DATABASE_URL.
"""
