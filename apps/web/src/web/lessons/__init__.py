"""The lesson page: content, video, outline, previous/next, mark complete."""
