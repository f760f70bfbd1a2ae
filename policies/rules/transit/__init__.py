"""Encryption in transit."""
