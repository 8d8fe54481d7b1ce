"""The course page: outline, reviews and the one action that fits the visitor."""
