"""Generated data at scale for load tests."""
