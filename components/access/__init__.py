"""Access: identities per persona and per workload with least-privilege grants.

One module per cloud (``aws.py``, ``gcp.py``); each defines the capability's ``ComponentResource``.
"""
