"""Autoscaling bounds and instance allow-lists."""
