"""Spot capacity for training."""
