"""Audit: data-access logging for the ML services and storage.

One module per cloud (``aws.py``, ``gcp.py``); each defines the capability's ``ComponentResource``.
"""
