"""Finding lessons: filters and their URL, the facet index, full-text search, similar and related lessons."""
