"""The course service: catalog, search, curriculum, lessons and reviews."""
