"""The runtime's one error for "used before fit", shared by every estimator-like class.

Like scikit-learn's ``sklearn.exceptions.NotFittedError`` it is both a ``ValueError`` and an
``AttributeError``, so callers written for either (or for scikit-learn) catch it.
"""

from __future__ import annotations


class NotFittedError(ValueError, AttributeError):
    """An estimator (drift detector, control chart, scheduler, cost estimator) was used before ``fit``."""
