"""Reviews by enrolled students, and the course's rating they add up to."""
