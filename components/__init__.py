"""Clouds: one folder per platform capability, one ``ComponentResource`` module per cloud inside it.

``components.platform.Platform`` composes them from a validated ``StackSpec``.
"""
