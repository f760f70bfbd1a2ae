"""Training pools: a private Kubernetes cluster with spot node pools for training.

One module per cloud (``aws.py``, ``gcp.py``); each defines the capability's ``ComponentResource``.
"""
