"""Enrollment service: students in courses, and their progress through lessons."""
