"""Cricket orchestrator: publishes the training set, then plays live T20 matches ball by ball."""
