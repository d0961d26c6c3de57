"""Alembic migrations (applied by ``ocrjobs init`` and the local stack)."""
