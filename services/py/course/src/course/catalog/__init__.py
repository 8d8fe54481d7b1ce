"""Courses and categories: the catalog, search, and a teacher's own courses."""
