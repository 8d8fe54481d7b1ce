"""Modules and lessons: a course's curriculum and who may read a lesson."""
