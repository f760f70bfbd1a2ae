"""Serving: online endpoints with autoscaling and progressive rollout.

One module per cloud (``aws.py``, ``gcp.py``); each defines the capability's ``ComponentResource``.
"""
