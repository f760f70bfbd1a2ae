"""Monitoring: alert channels, alerts on latency, errors and drift, a dashboard.

One module per cloud (``aws.py``, ``gcp.py``); each defines the capability's ``ComponentResource``.
"""
