"""Kubernetes workloads."""
