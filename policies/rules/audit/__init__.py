"""Audit logging."""
