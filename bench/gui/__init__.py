"""Desktop benchmark: first paint, poll tick and UI stalls over 10,000 jobs in MariaDB."""
