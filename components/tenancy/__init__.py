"""Tenancy: the team's namespace on a Kubernetes cluster, with Pod Security Admission, quota and limits.

One module, ``kubernetes.py``: on AWS and GCP a team's tenancy is its account or project.
"""
