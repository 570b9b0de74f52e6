"""Persistence: SQLAlchemy 2 models, engines/sessions, and Alembic migrations (SQLite embedded, PostgreSQL)."""
