"""Which resource types carry cost tags, decided from the provider SDKs' own signatures.

A hand-kept list of taggable types goes stale with every provider release; the generated SDKs already say
which resources accept ``tags`` (AWS), ``labels`` (GCP) or ``metadata`` (Kubernetes). Each SDK's
``__init__.py`` embeds a token -> class registry; it is parsed once with ``ast`` and only the class asked
about is imported (pulumi-offline notes, section 2.3).
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import json
import re
import threading
from functools import cache
from pathlib import Path
from typing import Literal

TagField = Literal["tags", "labels", "resourceLabels", "nodeConfig.resourceLabels", "metadata.labels"]

_PACKAGES = {"aws": "pulumi_aws", "gcp": "pulumi_gcp", "kubernetes": "pulumi_kubernetes"}

#: Where GCP puts labels on the resources whose field is not ``labels`` (pulumi-offline notes 2.3).
_GCP_SPECIAL: dict[str, TagField] = {
    "gcp:container/cluster:Cluster": "resourceLabels",
    "gcp:container/nodePool:NodePool": "nodeConfig.resourceLabels",
}


@cache
def _registry(package: str) -> dict[str, tuple[str, str]]:
    """Type token -> (python module, class name) for one provider package, without importing it."""
    module_name = _PACKAGES[package]
    spec = importlib.util.find_spec(module_name)
    if spec is None or spec.origin is None:
        return {}
    source = Path(spec.origin).read_text(encoding="utf-8")
    tokens: dict[str, tuple[str, str]] = {}
    match = _RESOURCE_MODULES.search(source)
    # The registry is a JSON literal inside a Python string; the regex finds it in milliseconds, where
    # parsing the whole module (ast) takes most of a second for pulumi_aws.
    blocks = [match.group(1)] if match else _ast_blocks(source)
    for block in blocks:
        for entry in json.loads(block):
            for token, cls in entry.get("classes", {}).items():
                tokens[token] = (entry["fqn"], cls)
    return tokens


_RESOURCE_MODULES = re.compile(r'resource_modules\s*=\s*"""(.*?)"""', re.S)


def _ast_blocks(source: str) -> list[str]:
    blocks = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "register":
            for keyword in node.keywords:
                if keyword.arg == "resource_modules" and isinstance(keyword.value, ast.Constant):
                    blocks.append(str(keyword.value.value))
    return blocks


def known_type(type_token: str) -> bool:
    """Whether ``type_token`` is a resource type of one of the pinned provider SDKs."""
    package = type_token.split(":", 1)[0]
    return package in _PACKAGES and type_token in _registry(package)


# Importing a provider module from several threads at once can expose a half-initialised module.
_lock = threading.RLock()


def tag_field(type_token: str) -> TagField | None:
    """The property that carries cost tags on ``type_token`` (engine camelCase), or None if untaggable."""
    with _lock:
        return _tag_field(type_token)


@cache
def _tag_field(type_token: str) -> TagField | None:
    """The property that carries cost tags on ``type_token`` (engine camelCase), or None if untaggable."""
    package = type_token.split(":", 1)[0]
    if package not in _PACKAGES:
        return None
    if type_token in _GCP_SPECIAL:
        return _GCP_SPECIAL[type_token]
    entry = _registry(package).get(type_token)
    if entry is None:
        return None
    module_name, class_name = entry
    cls = getattr(importlib.import_module(module_name), class_name, None)
    init = getattr(cls, "_internal_init", None)
    if init is None:
        return None
    params = inspect.signature(init).parameters
    # A parameter name alone is not enough: gcp:monitoring/notificationChannel ``labels`` is the channel's
    # configuration, gcp:monitoring/metricDescriptor ``labels`` a list of descriptors, and AWS Auto Scaling
    # groups take a list of tag blocks. The output the provider merges defaults into proves real tags:
    # ``tags_all`` on AWS, ``effective_labels`` on GCP.
    if package == "aws" and hasattr(cls, "tags_all") and _is_string_map(params.get("tags")):
        return "tags"
    if package == "gcp" and hasattr(cls, "effective_labels") and _is_string_map(params.get("labels")):
        return "labels"
    if package == "kubernetes" and "metadata" in params:
        return "metadata.labels"
    return None


def _is_string_map(param: inspect.Parameter | None) -> bool:
    """A key/value map of strings, not a list that happens to share the name.

    ``gcp:monitoring/metricDescriptor`` has ``labels`` (label descriptors) and ``aws:autoscaling/group``
    has ``tags`` (a list with ``propagateAtLaunch``); neither carries cost tags.
    """
    if param is None:
        return False
    annotation = str(param.annotation)
    return "Mapping[str" in annotation or "Dict[str" in annotation or "dict[str" in annotation


def taggable_types(package: str) -> list[str]:
    """Every taggable type token of ``package`` (slow: imports every module; for tests and docs)."""
    return sorted(token for token in _registry(package) if tag_field(token) is not None)
