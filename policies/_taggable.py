"""Kept only for callers importing ``policies._taggable``; the registry is ``mlkeel.taggable``."""

from __future__ import annotations

from mlkeel.taggable import is_taggable, known_type, tag_field

__all__ = ["is_taggable", "known_type", "tag_field"]
