"""Cricket predictor: predicts each live match's final score, ball by ball."""
