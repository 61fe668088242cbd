"""Hypothesis profiles: `streamml` (make test, about half a minute) and `thorough`
(``HYPOTHESIS_PROFILE=thorough``, 2,000 examples per property)."""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "streamml", max_examples=60, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("thorough", parent=settings.get_profile("streamml"), max_examples=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "streamml"))
