"""The headless worker: consumes SQS messages, runs OCR on each item, records the outcome."""
