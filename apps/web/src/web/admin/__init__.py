"""Admin: verifying teachers."""
