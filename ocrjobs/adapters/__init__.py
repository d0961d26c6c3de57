"""Adapters: the only code that talks to the database (SQLAlchemy) and AWS (boto3)."""
