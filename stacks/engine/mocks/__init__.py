"""Plausible outputs per provider for resources and invokes under the SDK mock runtime.

A provider would answer ``Create`` with the resource's inputs plus what the cloud computes (ids, ARNs,
self links, endpoints, merged default tags). Each cloud's module here (``aws``, ``gcp``, ``kubernetes``)
knows its cloud's shapes; this module dispatches by package and gives them a ``MockContext`` with the
resource's provider configuration (region, project, default tags).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pulumi

from . import aws, gcp, kubernetes

PROVIDERS: dict[str, ModuleType] = {"aws": aws, "gcp": gcp, "kubernetes": kubernetes}

#: The account / project the offline engine pretends to deploy into.
ACCOUNT_ID = "123456789012"
PROJECT_NUMBER = "123456789012"


def _decode(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


@dataclass
class MockContext:
    """What a provider knows when it creates a resource: its own configuration and the stack."""

    package: str
    stack: str
    provider: Mapping[str, Any] = field(default_factory=dict)
    config: Mapping[str, str] = field(default_factory=dict)

    def setting(self, key: str, default: Any = None) -> Any:
        """A provider setting from the explicit provider, else the stack's ``<package>:<key>`` config."""
        if key in self.provider and self.provider[key] not in (None, ""):
            return _decode(self.provider[key])
        value = self.config.get(f"{self.package}:{key}")
        return _decode(value) if value is not None else default

    @property
    def region(self) -> str:
        default = "us-east-1" if self.package == "aws" else "us-central1"
        return str(self.setting("region", default))

    @property
    def account_id(self) -> str:
        return ACCOUNT_ID

    @property
    def project(self) -> str:
        return str(self.setting("project", "mlkeel-offline"))

    @property
    def project_number(self) -> str:
        return PROJECT_NUMBER

    def default_tags(self) -> dict[str, str]:
        tags = self.setting("defaultTags") or {}
        return dict(tags.get("tags") or {}) if isinstance(tags, Mapping) else {}

    def default_labels(self) -> dict[str, str]:
        labels = self.setting("defaultLabels") or {}
        return dict(labels) if isinstance(labels, Mapping) else {}

    def digest(self, *parts: str, length: int = 7) -> str:
        """A deterministic hex string: the same program always gets the same ids."""
        return hashlib.sha256("/".join((self.stack, *parts)).encode()).hexdigest()[:length]

    def autoname(self, logical_name: str) -> str:
        """Pulumi's auto-naming: the logical name plus a 7-character suffix."""
        return f"{logical_name}-{self.digest('autoname', logical_name)}"


class PlatformMocks(pulumi.runtime.Mocks):
    """Mocks that answer like the AWS, GCP and Kubernetes providers would."""

    def __init__(self, stack: str, config: Mapping[str, str]):
        self.stack = stack
        self.config = dict(config)
        #: provider reference (``urn::id``) -> the provider's inputs; filled by the recording monitor.
        self.providers: dict[str, dict[str, Any]] = {}

    def _context(self, package: str, provider_ref: str | None) -> MockContext:
        return MockContext(
            package=package,
            stack=self.stack,
            provider=self.providers.get(provider_ref or "", {}),
            config=self.config,
        )

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        if args.typ.startswith("pulumi:providers:"):
            ctx = self._context(args.typ.rsplit(":", 1)[1], None)
            return ctx.digest("provider", args.name, length=32), dict(args.inputs)
        package = args.typ.split(":", 1)[0]
        module = PROVIDERS.get(package)
        ctx = self._context(package, args.provider)
        if module is None:
            return f"{args.name}-{ctx.digest(args.typ, args.name)}", dict(args.inputs)
        return module.new_resource(args, ctx)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list[tuple[str, str]]]:
        package = args.token.split(":", 1)[0]
        module = PROVIDERS.get(package)
        if module is None:
            return {}, []
        return module.call(args, self._context(package, args.provider)), []
