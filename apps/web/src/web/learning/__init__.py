"""My learning: the student's courses with their progress."""
