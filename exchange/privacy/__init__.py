"""Who may learn who posted: the attribution rule (K rule) over any department-authored content, and the identifying-text check."""
