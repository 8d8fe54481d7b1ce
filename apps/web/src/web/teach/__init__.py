"""Teaching: a teacher's courses, their outline and lessons."""
