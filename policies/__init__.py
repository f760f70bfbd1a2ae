"""Rules: CrossGuard policy packs, the rule library they use, and the offline analyzer client.

``policies.rules`` holds one rule per module (``rules/<area>/<rule-name>.py``); ``policies/packs/<pack>/``
are pack directories that ``pulumi preview --policy-pack`` runs; ``policies.analyzer`` plays the engine so
``keel check`` runs the same packs offline; ``check_files`` is the library function behind ``keel check``.
Which types carry cost tags is not decided here: the rules ask ``mlkeel.taggable``, the one registry the
engine, the pack and cost share.
"""

from __future__ import annotations

from typing import Any

# The checker and reports import gRPC and rich; pack processes only need the rules, so load them lazily.
_LAZY = {"DEFAULT_PACK": "._check", "check_files": "._check", "FORMATS": "._reports", "render": "._reports"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module 'policies' has no attribute {name!r}")


__all__ = ["DEFAULT_PACK", "FORMATS", "check_files", "render"]
