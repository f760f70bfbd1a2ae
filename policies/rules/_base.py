"""What every rule shares: metadata, configuration, the resource view rules read, and the adapters that
turn a rule into a CrossGuard policy or run it in-process.

A rule is a small class with declarative metadata (``meta``) and one ``check`` method that yields
violation messages. ``Rule.policy()`` wraps it into a ``pulumi_policy`` ``ResourceValidationPolicy`` or
``StackValidationPolicy`` so the same code runs under ``pulumi preview --policy-pack`` and ``keel check``.
Two outcomes are never a pass: a value unknown during preview (the SDK's ``UnknownValueError``) and a
secret that arrived encrypted (``SecretValueError``); both surface as "could not be checked".
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

import jsonschema
from pulumi_policy import (
    EnforcementLevel,
    PolicyComplianceFramework,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from mlkeel.state import effective_tags

#: Value the offline analyzer client sends in place of a secret it cannot decrypt.
SECRET_PLACEHOLDER = "[mlkeel: secret value, encrypted in the state]"

#: Prefix of the not-applicable reason that marks an exempted resource.
EXEMPT_PREFIX = "exempted: "

#: Prefix of a policy tag naming a former name of the rule.
FORMERLY_TAG = "formerly:"

#: Every rule accepts exemptions by URN, each with the reason a reviewer accepted.
EXEMPTIONS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "description": "Resources this rule does not apply to, each with the reason it was accepted.",
    "items": {
        "type": "object",
        "properties": {
            "urn": {"type": "string", "minLength": 1},
            "reason": {"type": "string", "minLength": 1},
        },
        "required": ["urn", "reason"],
        "additionalProperties": False,
    },
    "default": [],
}


_T = TypeVar("_T")


class CouldNotCheck(UnknownValueError):
    """A rule needs a value it cannot see; the resource could not be checked (never a pass).

    Subclasses the SDK's ``UnknownValueError`` so the pack server reports it exactly like a preview
    unknown (a "can't run policy" diagnostic with this message).
    """

    def __init__(self, message: str, path: str = "") -> None:
        Exception.__init__(self, message)
        self.unknown_type_sentinel = ""
        self.props = path.split(".") if path else []
        self.message = message


class SecretValueError(CouldNotCheck):
    """A property needed by a rule is a secret that arrived encrypted in the exported state."""

    def __init__(self, path: str) -> None:
        super().__init__(f"secret value at .{path} is encrypted in the state and could not be checked", path)


@dataclass(frozen=True)
class Framework:
    """A compliance framework control a rule maps to."""

    name: str
    version: str
    reference: str
    specification: str = ""


@dataclass(frozen=True)
class RuleMeta:
    """Declarative description of a rule: the catalogue, the docs and the reports all read it."""

    id: str
    name: str
    title: str
    description: str
    why: str
    severity: Severity
    enforcement: EnforcementLevel
    resources: Mapping[str, str]
    frameworks: tuple[Framework, ...] = ()
    config: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    remediation: str = ""
    #: Names the rule had before (users' policy configs still say them); advertised to the analyzer
    #: client as ``formerly:<name>`` tags so ``keel check`` can accept them with a deprecation note.
    formerly: tuple[str, ...] = ()

    @property
    def area(self) -> str:
        """The area part of the id (``ENC`` in ``MLK_ENC_001``)."""
        return self.id.split("_")[1]


# ----------------------------------------------------------------------------------------------- values


def is_secret_placeholder(value: Any) -> bool:
    """Whether ``value`` is the stand-in for an undecryptable secret."""
    return isinstance(value, str) and value == SECRET_PLACEHOLDER


def dig(obj: Any, path: str, default: Any = None) -> Any:
    """Read ``a.b.0.c`` from nested mappings and lists; ``default`` when any step is missing.

    Reading through the SDK's proxies raises ``UnknownValueError`` on preview unknowns; a secret
    placeholder raises ``SecretValueError``. Both mean "could not be checked", never a pass.
    """
    current = obj
    walked: list[str] = []
    for part in path.split(".") if path else []:
        walked.append(part)
        if current is None:
            return default
        if isinstance(current, Mapping):
            if part not in current:
                return default
            current = current[part]
        elif isinstance(current, Sequence) and not isinstance(current, str):
            if not part.isdigit() or int(part) >= len(current):
                return default
            current = current[int(part)]
        else:
            return default
        if is_secret_placeholder(current):
            raise SecretValueError(".".join(walked))
    return default if current is None else current


def as_list(value: Any) -> list[Any]:
    """A property that may be a single object, a list or missing, as a list."""
    if value is None:
        return []
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [value[i] for i in range(len(value))]
    return [value]


def as_json(value: Any, path: str) -> Any:
    """A JSON document property (IAM and bucket policies are strings) parsed; mappings pass through."""
    if is_secret_placeholder(value):
        raise SecretValueError(path)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def truthy(value: Any) -> bool:
    """Booleans may arrive as strings from some providers' state."""
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)


# --------------------------------------------------------------------------------------------- resources


def _raise_secret(path: str) -> None:
    raise SecretValueError(path)


@dataclass
class Resource:
    """What a rule sees of one resource: type, URN, inputs and its provider, like the engine sends them."""

    type: str
    urn: str
    name: str
    props: Mapping[str, Any]
    provider_type: str = ""
    provider_props: Mapping[str, Any] | None = None

    @classmethod
    def from_args(cls, args: ResourceValidationArgs | PolicyResource) -> Resource:
        provider = args.provider
        return cls(
            type=args.resource_type,
            urn=args.urn,
            name=args.name,
            props=args.props,
            provider_type=provider.resource_type if provider is not None else "",
            provider_props=provider.props if provider is not None else None,
        )

    @property
    def package(self) -> str:
        """``aws``, ``gcp``, ``kubernetes``, ``pulumi`` or a component package."""
        return self.type.split(":", 1)[0]

    def get(self, path: str, default: Any = None) -> Any:
        """``dig`` into this resource's properties."""
        return dig(self.props, path, default)

    def effective_tags(self) -> dict[str, str]:
        """Provider default tags/labels plus the resource's own (own win), as the provider merges them."""
        return effective_tags(
            self.type, self.props, self.provider_type, self.provider_props,
            secret=is_secret_placeholder, on_secret=_raise_secret,
        )  # fmt: skip

    def provider_get(self, path: str) -> Any:
        return dig(self.provider_props, path) if self.provider_props is not None else None

    def location(self) -> str | None:
        """Region or location the resource lives in: its own (pulumi-aws v7 ``region``, GCP ``location``,
        ``region`` or ``zone``), else its provider's."""
        if self.package == "aws":
            return self.get("region") or self.provider_get("region")
        if self.package == "gcp":
            return (
                self.get("location")
                or self.get("region")
                or self.get("zone")
                or self.provider_get("region")
                or self.provider_get("zone")
            )
        return None


# ------------------------------------------------------------------------------------------------- rules


class AbsRule(ABC):
    """Base of every rule: metadata, settings validated at construction, and the CrossGuard wrapper."""

    meta: ClassVar[RuleMeta]

    def __init__(self, enforcement_level: EnforcementLevel | None = None, **settings: Any) -> None:
        self.enforcement_level = enforcement_level or self.meta.enforcement
        self.settings = dict(settings)
        unknown = sorted(set(self.settings) - set(self.config_properties()))
        if unknown:
            raise ValueError(
                f"rule {self.meta.id} ({self.meta.name}) has no setting {unknown[0]!r}; "
                f"allowed: {', '.join(sorted(self.config_properties()))}"
            )
        self.validate_config(self.settings)

    @classmethod
    def config_properties(cls) -> dict[str, dict[str, Any]]:
        """JSON schema of the rule's settings, with defaults; every rule also takes ``exemptions``."""
        props = {key: dict(value) for key, value in cls.meta.config.items()}
        props["exemptions"] = dict(EXEMPTIONS_SCHEMA)
        return props

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        """Schema defaults (computed once per class: rules read config, never mutate it)."""
        cached = cls.__dict__.get("_defaults_cache")
        if cached is None:
            cached = {
                key: value["default"] for key, value in cls.config_properties().items() if "default" in value
            }
            cls._defaults_cache = cached  # type: ignore[attr-defined]
        return dict(cached)

    @classmethod
    def validate_config(cls, config: Mapping[str, Any]) -> None:
        """Raise ``ValueError`` naming the rule, the setting and what is allowed."""
        schema = {"type": "object", "properties": cls.config_properties()}
        try:
            jsonschema.validate(dict(config), schema)
        except jsonschema.ValidationError as exc:
            where = ".".join(str(p) for p in exc.absolute_path) or "(root)"
            raise ValueError(f"rule {cls.meta.id} ({cls.meta.name}) setting {where}: {exc.message}") from None

    def effective_config(self, runtime: Mapping[str, Any] | None) -> dict[str, Any]:
        """Schema defaults, then the factory settings, then the policy config the engine sent."""
        config = self.defaults()
        config.update(self.settings)
        if runtime:
            config.update({k: runtime[k] for k in runtime})
        for (
            key,
            schema,
        ) in self.config_properties().items():  # protobuf Structs carry every number as a double
            value = config.get(key)
            if schema.get("type") == "integer" and isinstance(value, float) and value.is_integer():
                config[key] = int(value)
        return config

    @staticmethod
    def exemption_reason(config: Mapping[str, Any], urn: str) -> str | None:
        for item in config.get("exemptions") or ():
            if item.get("urn") == urn:
                return str(item.get("reason") or "no reason given")
        return None

    def _judged(self, run: Callable[[], list[_T]]) -> list[_T]:
        """``run()``, where a property of an unexpected shape makes the resource "could not be checked".

        Values a provider schema types (a number, a list of blocks) arrive with another shape only from a
        hand-edited or corrupted state, or after a provider changed its schema. That is neither a pass nor
        a reason to fail every other rule's answer for the whole stack, which an exception here would do.
        """
        try:
            return run()
        except CouldNotCheck:
            raise
        except (TypeError, ValueError, AttributeError, KeyError, IndexError) as exc:
            raise CouldNotCheck(
                f"{self.meta.id}: a property has an unexpected shape ({type(exc).__name__}: {exc})"
            ) from exc

    @abstractmethod
    def policy(self) -> ResourceValidationPolicy | StackValidationPolicy:
        """The CrossGuard policy running this rule."""

    def _framework(self) -> PolicyComplianceFramework | None:
        if not self.meta.frameworks:
            return None
        first = self.meta.frameworks[0]
        return PolicyComplianceFramework(
            first.name, first.version, first.reference, first.specification or None
        )

    def _policy_kwargs(self) -> dict[str, Any]:
        return {
            "name": self.meta.name,
            "description": self.meta.title,
            "enforcement_level": self.enforcement_level,
            "config_schema": PolicyConfigSchema(properties=self.config_properties()),
            "display_name": self.meta.title,
            "severity": self.meta.severity,
            "framework": self._framework(),
            "tags": [self.meta.id, self.meta.area.lower(), *(FORMERLY_TAG + n for n in self.meta.formerly)],
            "remediation_steps": self.meta.remediation or None,
        }


class ResourceRule(AbsRule):
    """A rule over one resource at a time; ``types`` limits it (empty = every resource)."""

    types: ClassVar[frozenset[str]] = frozenset()

    def applies_to_type(self, resource_type: str) -> bool:
        """Whether resources of this type are checked at all (decided from the type token alone).

        Rules without a ``types`` table override this; the pack server uses it to skip rules that cannot
        apply, which is exactly what ``validate`` would do for them.
        """
        return not self.types or resource_type in self.types

    def applies(self, resource: Resource) -> bool:
        """Finer, property-based applicability (default: everything the type filter let through)."""
        return True

    @abstractmethod
    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        """Yield one message per violation, stating the required state and the value found."""

    def validate(self, args: ResourceValidationArgs, report: ReportViolation) -> None:
        """CrossGuard entry point: exemptions, then ``check``."""
        if not self.applies_to_type(args.resource_type):
            return
        resource = Resource.from_args(args)
        if not self.applies(resource):
            return
        config = self.effective_config(args.get_config())
        reason = self.exemption_reason(config, args.urn)
        if reason is not None:
            args.not_applicable(EXEMPT_PREFIX + reason)
        for message in self._judged(lambda: list(self.check(resource, config))):
            report(message, None)

    def policy(self) -> ResourceValidationPolicy:
        policy = ResourceValidationPolicy(validate=self.validate, **self._policy_kwargs())
        policy.mlkeel_applies_to_type = self.applies_to_type  # type: ignore[attr-defined]
        return policy


class StackRule(AbsRule):
    """A rule over the whole stack: resources with parents, dependencies and outputs."""

    @abstractmethod
    def check(
        self, resources: Sequence[PolicyResource], config: Mapping[str, Any]
    ) -> Iterator[tuple[str, str]]:
        """Yield ``(message, urn)`` per violation."""

    def validate(self, args: StackValidationArgs, report: ReportViolation) -> None:
        config = self.effective_config(args.get_config())
        exempt = {item["urn"] for item in config.get("exemptions") or ()}
        for message, urn in self._judged(lambda: list(self.check(args.resources, config))):
            if urn not in exempt:
                report(message, urn)

    def policy(self) -> StackValidationPolicy:
        return StackValidationPolicy(validate=self.validate, **self._policy_kwargs())


Rule = ResourceRule | StackRule


@dataclass(frozen=True)
class Expect:
    """One declarative expectation on a property path: ``set``, ``true``, ``false``, ``equals`` or ``one_of``.

    ``when`` names a path that must be present for the expectation to apply (a data-capture key is only
    required when data capture is configured).
    """

    path: str
    kind: str = "set"
    value: Any = None
    when: str | None = None

    def failure(self, resource: Resource) -> str | None:
        if self.when is not None and resource.get(self.when) in (None, "", [], {}):
            return None
        found = resource.get(self.path)
        if self.kind == "set":
            ok = found not in (None, "", [], {})
            want = "must be set"
        elif self.kind == "true":
            ok = found is not None and truthy(found)
            want = "must be true"
        elif self.kind == "false":
            ok = found is None or not truthy(found)
            want = "must be false or unset"
        elif self.kind == "equals":
            ok = found == self.value
            want = f"must be {self.value!r}"
        elif self.kind == "one_of":
            ok = found in self.value
            want = f"must be one of {', '.join(repr(v) for v in self.value)}"
        else:  # pragma: no cover - guarded by construction in rule modules
            raise ValueError(f"unknown expectation kind {self.kind!r}")
        if ok:
            return None
        return f"{self.path} {want} (found {found!r})"


class AbsExpectationRule(ResourceRule):
    """A rule that is a table of type -> expectations; ``check`` reports each failed expectation."""

    expectations: ClassVar[Mapping[str, tuple[Expect, ...]]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "expectations" in cls.__dict__:
            cls.types = frozenset(cls.expectations)

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        for expect in self.expectations.get(resource.type, ()):
            message = expect.failure(resource)
            if message is not None:
                yield f"{resource.type.rsplit(':', 1)[-1]} {message}."
