"""Encryption: the stack's customer-managed key and who may use it.

One module per cloud (``aws.py``, ``gcp.py``); each defines the capability's ``ComponentResource``.
"""
