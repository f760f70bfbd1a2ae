"""Model registry: artifact storage, model metadata and container images.

One module per cloud (``aws.py``, ``gcp.py``); each defines the capability's ``ComponentResource``.
"""
