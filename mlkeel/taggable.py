"""Which resource types carry cost tags, and where: one registry for the engine, the policy pack and cost.

A hand-kept list of taggable types goes stale with every provider release and silently exempts new types
from the cost-tag rule (or, in cost, from the tags billing groups by). The generated SDKs already say which
resources accept ``tags`` (AWS), ``labels`` (GCP) or ``metadata`` (Kubernetes): each SDK's ``__init__.py``
embeds a token -> module/class registry, and each class's ``_internal_init`` signature lists its inputs.

Both are read as *source text*, never imported: ``runtime`` (cost) uses this module and must not import
Pulumi, and importing a provider class costs a second or more where parsing its file costs milliseconds.
Answers are cached in memory and on disk (keyed by the provider package versions), so every process on a
machine pays for each type once.

The vocabulary, used everywhere: a type's tag field is a ``TagField`` (an engine property path), or None
when the type carries no cost tags.
"""

from __future__ import annotations

import ast
import contextlib
import importlib.metadata
import importlib.util
import json
import os
import re
import threading
from functools import cache
from pathlib import Path
from typing import Literal, get_args

from mlkeel.files import InputError, atomic_write_text, load_json

TagField = Literal["tags", "labels", "resourceLabels", "nodeConfig.resourceLabels", "metadata.labels"]

#: Every tag field, in the order cost reads them.
TAG_FIELDS: tuple[TagField, ...] = get_args(TagField)

#: Provider package (first token segment) -> Python SDK module.
PROVIDER_MODULES: dict[str, str] = {
    "aws": "pulumi_aws",
    "gcp": "pulumi_gcp",
    "kubernetes": "pulumi_kubernetes",
}
_PACKAGES = PROVIDER_MODULES

#: Packages a state may hold whose resources carry no cost tags (generated database passwords): their
#: tokens are checked against the installed SDK like the providers', and nothing else is read from them.
UNTAGGED_MODULES: dict[str, str] = {"random": "pulumi_random"}

#: Custom resources mlkeel's Kubernetes layer creates. pulumi-kubernetes names them ``kubernetes:<group>/
#: <version>:<Kind>`` from their apiVersion and kind, which no SDK class lists; their CRDs are bundled in
#: components/kubernetes/crds (a test keeps this set and the bundle together).
KUBERNETES_CUSTOM_RESOURCES: frozenset[str] = frozenset(
    {
        "kubernetes:serving.kserve.io/v1beta1:InferenceService",
        "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
        "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
        "kubernetes:karpenter.sh/v1:NodePool",
        "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass",
        "kubernetes:kueue.x-k8s.io/v1beta1:ClusterQueue",
        "kubernetes:kueue.x-k8s.io/v1beta1:LocalQueue",
        "kubernetes:kueue.x-k8s.io/v1beta1:ResourceFlavor",
    }
)

#: Resources of mlkeel's Pulumi dynamic providers. Python dynamic resources all share one type token; mlkeel's
#: (components/serving/vertex_deployment.py ``ModelDeployment``) take the cost labels as ``labels`` and put
#: them on what they create in the cloud, so the tag rules hold them to the same standard.
DYNAMIC_RESOURCES: frozenset[str] = frozenset({"pulumi-python:dynamic:Resource"})

#: Where GCP puts labels on the resources whose field is not ``labels`` (pulumi-offline notes 2.3).
_GCP_SPECIAL: dict[str, TagField] = {
    "gcp:container/cluster:Cluster": "resourceLabels",
    "gcp:container/nodePool:NodePool": "nodeConfig.resourceLabels",
}

#: Bump when the meaning of cached answers changes.
_CACHE_FORMAT = "6"


@cache
def _registry_entries(package: str) -> tuple[tuple[str, str, str, str], ...]:
    """(token, python module, class name, registry module path) for one provider package, not imported."""
    module_name = _PACKAGES.get(package) or UNTAGGED_MODULES[package]
    spec = importlib.util.find_spec(module_name)
    if spec is None or spec.origin is None:
        return ()
    source = Path(spec.origin).read_text(encoding="utf-8")
    match = _RESOURCE_MODULES.search(source)
    # The registry is a JSON literal inside a Python string; the regex finds it in milliseconds, where
    # parsing the whole module (ast) takes most of a second for pulumi_aws.
    blocks = [match.group(1)] if match else _ast_blocks(source)
    entries = []
    for block in blocks:
        for entry in json.loads(block):
            for token, cls in entry.get("classes", {}).items():
                entries.append((token, entry["fqn"], cls, str(entry.get("mod", ""))))
    return tuple(entries)


@cache
def _registry(package: str) -> dict[str, tuple[str, str]]:
    """Type token -> (python module, class name) for one provider package, without importing it."""
    return {token: (fqn, cls) for token, fqn, cls, _ in _registry_entries(package)}


@cache
def _entries(package: str) -> dict[str, tuple[str, str, str]]:
    return {token: (fqn, cls, mod) for token, fqn, cls, mod in _registry_entries(package)}


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
    """Whether ``type_token`` is a resource type of one of the installed provider SDKs, or a custom resource
    of mlkeel's Kubernetes layer, or of its dynamic providers."""
    if type_token in KUBERNETES_CUSTOM_RESOURCES or type_token in DYNAMIC_RESOURCES:
        return True
    package = type_token.split(":", 1)[0]
    return (package in _PACKAGES or package in UNTAGGED_MODULES) and type_token in _registry(package)


def known_types(package: str) -> frozenset[str]:
    """Every resource type token the installed SDK of ``package`` knows (empty for other packages)."""
    return frozenset(_registry(package)) if package in _PACKAGES else frozenset()


# -- reading one class from its source file ------------------------------------------------------------------
def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


@cache
def _module_dir(module_fqn: str) -> Path | None:
    top = module_fqn.split(".", 1)[0]
    spec = importlib.util.find_spec(top)
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent.parent.joinpath(*module_fqn.split("."))


def _class_file(module_fqn: str, class_name: str, mod: str) -> str | None:
    """The source of the file defining ``class_name`` in the SDK package ``module_fqn``."""
    folder = _module_dir(module_fqn)
    if folder is None:
        return None
    last = mod.rsplit("/", 1)[-1]
    candidates = [folder / f"{_snake(last)}.py", folder / f"{last}.py", folder / f"{class_name}.py",
                  folder / f"{_snake(class_name)}.py"]  # fmt: skip
    definition = re.compile(rf"^class {re.escape(class_name)}\(", re.M)
    seen: set[Path] = set()
    for path in [*candidates, *sorted(folder.glob("*.py"))]:
        if path in seen or not path.is_file():
            continue
        seen.add(path)
        text = path.read_text(encoding="utf-8")
        if definition.search(text):
            return text
    return None


def _class_shape(source: str, class_name: str) -> tuple[dict[str, str], set[str]] | None:
    """``_internal_init`` parameter -> annotation text, and the class's property names."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            params: dict[str, str] | None = None
            properties: set[str] = set()
            for item in node.body:
                if not isinstance(item, ast.FunctionDef):
                    continue
                if item.name == "_internal_init":
                    args = [*item.args.posonlyargs, *item.args.args, *item.args.kwonlyargs]
                    params = {a.arg: ast.unparse(a.annotation) if a.annotation else "" for a in args}
                if any(_decorator_name(d) == "property" for d in item.decorator_list):
                    properties.add(item.name)
            return (params, properties) if params is not None else None
    return None


def _decorator_name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Call):
        return _decorator_name(node.func)
    return ""


def _is_string_map(annotation: str | None) -> bool:
    """A key/value map of strings, not a list that happens to share the name.

    ``gcp:monitoring/metricDescriptor`` has ``labels`` (label descriptors) and ``aws:autoscaling/group``
    has ``tags`` (a list with ``propagateAtLaunch``); neither carries cost tags.
    """
    if not annotation:
        return False
    return "Mapping[str" in annotation or "Dict[str" in annotation or "dict[str" in annotation


def _decide(type_token: str) -> TagField | None:
    if type_token in KUBERNETES_CUSTOM_RESOURCES:  # every Kubernetes object's labels live in its metadata
        return "metadata.labels"
    if type_token in DYNAMIC_RESOURCES:
        return "labels"
    package = type_token.split(":", 1)[0]
    if package not in _PACKAGES:
        return None
    if type_token in _GCP_SPECIAL:
        return _GCP_SPECIAL[type_token] if known_type(type_token) else None
    entry = _entries(package).get(type_token)
    if entry is None:
        return None
    module_fqn, class_name, mod = entry
    source = _class_file(module_fqn, class_name, mod)
    shape = _class_shape(source, class_name) if source is not None else None
    if shape is None:
        return None
    params, properties = shape
    # A parameter name alone is not enough: gcp:monitoring/notificationChannel ``labels`` is the channel's
    # configuration, gcp:monitoring/metricDescriptor ``labels`` a list of descriptors, and AWS Auto Scaling
    # groups take a list of tag blocks. The output the provider merges defaults into proves real tags:
    # ``tags_all`` on AWS, ``effective_labels`` on GCP.
    if package == "aws" and "tags_all" in properties and _is_string_map(params.get("tags")):
        return "tags"
    if package == "gcp" and "effective_labels" in properties and _is_string_map(params.get("labels")):
        return "labels"
    if package == "kubernetes" and "metadata" in params:
        return "metadata.labels"
    return None


# -- cached answers ------------------------------------------------------------------------------------------
def _cache_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mlkeel" / "taggable-types.json"


@cache
def _versions() -> str:
    parts = [f"format={_CACHE_FORMAT}"]
    for package, module in sorted(_PACKAGES.items()):
        try:
            parts.append(f"{package}={importlib.metadata.version(module.replace('_', '-'))}")
        except importlib.metadata.PackageNotFoundError:
            parts.append(f"{package}=none")
    return ",".join(parts)


_memory: dict[str, TagField | None] | None = None
# Server threads may ask at once; one lock around lookup and cache update keeps the file consistent.
_lock = threading.RLock()


def _answers() -> dict[str, TagField | None]:
    global _memory
    if _memory is None:
        _memory = {}
        try:
            data = load_json(_cache_path(), what="taggable-types cache")
        except InputError:  # missing, unreadable or corrupt: recompute
            data = None
        if (
            isinstance(data, dict)
            and data.get("versions") == _versions()
            and isinstance(data.get("types"), dict)
        ):
            _memory = {
                str(token): field
                for token, field in data["types"].items()
                if field is None or field in TAG_FIELDS
            }
    return _memory


def _save(answers: dict[str, TagField | None]) -> None:
    with contextlib.suppress(OSError):  # a read-only home must not break a plan, a check or an estimate
        atomic_write_text(
            _cache_path(), json.dumps({"versions": _versions(), "types": answers}, sort_keys=True)
        )


def tag_field(type_token: str) -> TagField | None:
    """The property that carries cost tags on ``type_token`` (engine camelCase path),
    or None if untaggable."""
    with _lock:
        answers = _answers()
        if type_token in answers:
            return answers[type_token]
        found = _decide(type_token)
        if known_type(type_token):  # unknown tokens are not remembered: a later SDK may know them
            answers[type_token] = found
            _save(answers)
        return found


def is_taggable(type_token: str) -> bool:
    """Whether resources of type ``type_token`` carry cost tags (AWS tags, GCP labels, Kubernetes labels)."""
    return tag_field(type_token) is not None


def takes_no_tags(type_token: str) -> bool:
    """A type an installed SDK knows that carries no cost tags: billing shows its cost untagged.

    False for types no installed SDK knows: nothing is claimed about them.
    """
    with _lock:
        answers = _answers()
        if type_token in answers:  # only known types are remembered
            return answers[type_token] is None
    return known_type(type_token) and tag_field(type_token) is None


def taggable_types(package: str) -> list[str]:
    """Every taggable type token of ``package`` (reads every class file; for tests and docs)."""
    return sorted(token for token in _registry(package) if tag_field(token) is not None)
