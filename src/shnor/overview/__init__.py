"""Pages that compose several apps: the overview, a municipality, the school list and card, the
data uploads, and the navigation with its badges."""
