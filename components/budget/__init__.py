"""Budget: the stack's monthly budget with alerts at its thresholds.

One module per cloud (``aws.py``, ``gcp.py``); each defines the capability's ``ComponentResource``.
"""
