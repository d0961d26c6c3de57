"""Pure domain model: no SQLAlchemy, boto3 or Qt imports here (tests/unit/test_layering.py)."""
