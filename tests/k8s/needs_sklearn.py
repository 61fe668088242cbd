"""A command module that needs scikit-learn (test_dockerfiles: a missing library is reported)."""

import sklearn  # noqa: F401
