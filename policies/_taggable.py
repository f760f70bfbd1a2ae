"""Which resource types take cost tags, decided from the provider SDKs' own signatures.

A hand-written list of taggable types goes stale with every provider release and silently exempts new
types from the cost-tag rule. Each provider SDK already embeds its token -> class registry
(``_utilities.register(resource_modules=...)`` in its ``__init__.py``); parsing that with ``ast`` is
fast, and importing only the requested class lets ``inspect.signature(cls._internal_init)`` say whether
it takes ``tags`` (AWS, with a ``tags_all`` output), ``labels`` / ``resource_labels`` (GCP, with an
``effective_labels`` output) or ``metadata`` (Kubernetes). Answers are
cached in memory and on disk (keyed by the provider package version) so a pack process pays the
imports once per machine, not once per run.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import importlib.util
import json
import os
import tempfile
import threading
from pathlib import Path

from mlkeel import taggable

#: Provider package (first token segment) -> Python SDK module.
PROVIDER_MODULES: dict[str, str] = {
    "aws": "pulumi_aws",
    "gcp": "pulumi_gcp",
    "kubernetes": "pulumi_kubernetes",
}

#: Per provider: SDK parameter -> engine property holding the tags, and the output property that proves
#: the parameter really is resource tags the provider merges its defaults into. A parameter name alone is
#: not enough: ``gcp:monitoring/notificationChannel`` ``labels`` is the channel's configuration and
#: ``gcp:monitoring/metricDescriptor`` ``labels`` a list of label descriptors; AWS Auto Scaling groups take
#: a list of tag blocks that provider default tags never reach.
_TAG_PARAMETERS: dict[str, tuple[tuple[str, str], ...]] = {
    "aws": (("tags", "tags"),),
    "gcp": (("labels", "labels"), ("resource_labels", "resourceLabels")),
    "kubernetes": (("metadata", "metadata"),),
}
_TAG_MARKERS: dict[str, str | None] = {"aws": "tags_all", "gcp": "effective_labels", "kubernetes": None}

#: Bump when the meaning of cached answers changes.
_CACHE_FORMAT = "3"

# Importing a provider module from several server threads at once can expose a half-initialised module
# (its classes not yet set); one lock around lookup, import and cache update keeps answers exact.
_lock = threading.RLock()


class _ClassNotFound(LookupError):
    pass


def _package_of(token: str) -> str:
    return token.split(":", 1)[0]


def _registry(package: str) -> dict[str, tuple[str, str]]:
    """Token -> (module, class name) for one provider: the shared lookup in ``mlkeel.taggable``."""
    return taggable._registry(package) if package in PROVIDER_MODULES else {}


def known_resource_types(package: str) -> frozenset[str]:
    """Every resource type token the installed SDK of ``package`` (``aws``, ``gcp``, ``kubernetes``) knows."""
    return frozenset(_registry(package))


def is_known_type(token: str) -> bool:
    """Whether ``token`` is a resource type of an installed provider SDK (False for other packages)."""
    return token in _registry(_package_of(token))


def _cache_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mlkeel" / "taggable-types.json"


def _versions() -> str:
    parts = [f"format={_CACHE_FORMAT}"]
    for package, module in sorted(PROVIDER_MODULES.items()):
        try:
            parts.append(f"{package}={importlib.metadata.version(module.replace('_', '-'))}")
        except importlib.metadata.PackageNotFoundError:
            parts.append(f"{package}=none")
    return ",".join(parts)


@functools.cache
def _disk_cache() -> dict[str, str | None]:
    path = _cache_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("versions") != _versions():
        return {}
    types = data.get("types", {})
    return dict(types) if isinstance(types, dict) else {}


def _save_disk_cache(cache: dict[str, str | None]) -> None:
    path = _cache_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as handle:
            json.dump({"versions": _versions(), "types": cache}, handle, sort_keys=True)
        os.replace(handle.name, path)
    except OSError:  # a read-only home must not break a policy run
        pass


#: ``mlkeel.taggable`` field -> the property rules read (``metadata`` means ``metadata.labels``). GKE node
#: pools keep their labels inside ``nodeConfig``, which the GKE rules check; the tag rule does not.
_RULE_PROPERTY: dict[str, str | None] = {
    "tags": "tags",
    "labels": "labels",
    "resourceLabels": "resourceLabels",
    "metadata.labels": "metadata",
    "nodeConfig.resourceLabels": None,
}


def _inspect_tag_property(token: str) -> str | None:
    """One decision for the whole project: the components' transform and these rules must agree."""
    if not is_known_type(token):
        return None
    field = taggable.tag_field(token)
    return None if field is None else _RULE_PROPERTY[field]


def tag_property(token: str) -> str | None:
    """Engine property that holds the tags of ``token`` (``tags``, ``labels``, ``resourceLabels``,
    ``metadata``), or None when the type cannot carry tags."""
    with _lock:
        cache = _disk_cache()
        if token in cache:
            return cache[token]
        try:
            found = _inspect_tag_property(token)
        except _ClassNotFound:
            return None  # not cached: a later lookup may succeed
        cache[token] = found
        _save_disk_cache(cache)
        return found


def is_taggable(token: str) -> bool:
    """Whether resources of type ``token`` carry cost tags (AWS tags, GCP labels, Kubernetes labels)."""
    return tag_property(token) is not None
