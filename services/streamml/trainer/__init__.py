"""Cricket trainer: fits the score model from labelled samples and finished matches."""
