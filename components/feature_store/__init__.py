"""Feature store: feature groups with online and offline storage.

One module per cloud (``aws.py``, ``gcp.py``); each defines the capability's ``ComponentResource``.
"""
