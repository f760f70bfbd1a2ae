"""Retention and lifecycle."""
