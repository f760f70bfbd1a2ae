"""Data residency."""
