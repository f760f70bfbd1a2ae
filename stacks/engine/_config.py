"""Read a stack's config the way the Pulumi CLI hands it to the language host.

Pulumi.yaml ``config:`` defaults first (``default:`` for project keys, ``value:`` for provider keys),
then the stack file on top; structured values JSON-encoded, everything a string. ``secure:`` values need
the CLI's secrets provider to decrypt, so offline they become a placeholder and their key is marked secret,
exactly as the language host marks decrypted secrets.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stacks.stackspec import Problem, SpecError
from stacks.stackspec._errors import MISSING

#: What a ``secure:`` value reads as offline, where no secrets provider can decrypt it.
SECRET_PLACEHOLDER = "offline-secret-placeholder"

_STACK_FILE = re.compile(r"^Pulumi\.(?P<stack>[A-Za-z0-9_.-]+)\.ya?ml$")


@dataclass(frozen=True)
class StackConfig:
    """One stack's config as the language host would give it to the program."""

    project: str
    stack: str
    file: Path
    project_dir: Path
    values: dict[str, str]
    secret_keys: frozenset[str] = field(default_factory=frozenset)


def _read_yaml(path: Path) -> Any:
    from mlkeel.files import InputError, load_yaml

    try:
        return load_yaml(path, what="stack file" if path.name != "Pulumi.yaml" else "project file")
    except InputError as exc:
        value = MISSING if exc.value is None else exc.value
        raise SpecError([Problem(exc.field, value, exc.allowed, file=str(path))]) from None


def find_project_file(start: Path) -> Path:
    """The Pulumi.yaml governing ``start`` (searching upwards), as the CLI does."""
    for folder in [start if start.is_dir() else start.parent, *start.resolve().parents]:
        candidate = folder / "Pulumi.yaml"
        if candidate.exists():
            return candidate
    raise SpecError(
        [Problem("", MISSING, "no Pulumi.yaml found in this folder or above it", file=str(start))]
    )


def _go_numbers(value: Any) -> Any:
    """Numbers as Go's encoding/json writes them: a whole float (``2.0``) becomes ``2``."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    if isinstance(value, dict):
        return {k: _go_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_go_numbers(v) for v in value]
    return value


def _encode(value: Any) -> str:
    """A config value as the language host receives it: strings as they are, the rest as the CLI's JSON."""
    return value if isinstance(value, str) else json.dumps(_go_numbers(value), allow_nan=False)


def _has_secure(value: Any) -> bool:
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return True
        return any(_has_secure(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_secure(v) for v in value)
    return False


def _replace_secure(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return SECRET_PLACEHOLDER
        return {k: _replace_secure(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_secure(v) for v in value]
    return value


def _qualify(key: str, project: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def project_defaults(project_file: Path) -> tuple[str, dict[str, Any]]:
    """The project name and its config defaults (``default:`` / ``value:``), keys fully qualified."""
    data = _read_yaml(project_file)
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise SpecError(
            [Problem("name", data, "a Pulumi project file needs a 'name'", file=str(project_file))]
        )
    project = data["name"]
    declared = data.get("config") or {}
    if not isinstance(declared, dict):
        raise SpecError(
            [
                Problem(
                    "config",
                    declared,
                    "must be a mapping of config keys to declarations",
                    file=str(project_file),
                )
            ]
        )
    defaults: dict[str, Any] = {}
    for key, decl in declared.items():
        if isinstance(decl, dict):
            if "default" in decl:
                defaults[_qualify(key, project)] = decl["default"]
            elif "value" in decl:
                defaults[_qualify(key, project)] = decl["value"]
        else:
            defaults[_qualify(key, project)] = decl
    return project, defaults


def stack_config_dir(project_file: Path) -> Path:
    """The folder the project keeps its stack files in (``stackConfigDir``, else the project's folder)."""
    data = _read_yaml(project_file)
    folder = data.get("stackConfigDir", ".") if isinstance(data, dict) else "."
    if not isinstance(folder, str) or not folder.strip():
        raise SpecError(
            [
                Problem(
                    "stackConfigDir",
                    folder,
                    "must be a folder path relative to the project",
                    file=str(project_file),
                )
            ]
        )
    return project_file.parent / folder


def load_stack_config(stack_file: Path, project_file: Path | None = None) -> StackConfig:
    """Read ``Pulumi.<stack>.yaml`` (and its project's Pulumi.yaml) into the language host's config map."""
    stack_file = Path(stack_file)
    match = _STACK_FILE.match(stack_file.name)
    if not match:
        raise SpecError(
            [Problem("", MISSING, "a stack file is named Pulumi.<stack>.yaml", file=str(stack_file))]
        )
    project_file = project_file or find_project_file(stack_file.parent)
    return stack_config_from_data(_read_yaml(stack_file), stack_file, project_file)


def stack_config_from_data(data: Any, stack_file: Path, project_file: Path) -> StackConfig:
    """A parsed stack file (``{"config": {...}}``) as the language host's config map."""
    match = _STACK_FILE.match(stack_file.name)
    if not match:
        raise SpecError(
            [Problem("", MISSING, "a stack file is named Pulumi.<stack>.yaml", file=str(stack_file))]
        )
    project, defaults = project_defaults(project_file)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SpecError(
            [Problem("", data, "a stack file is a mapping with a 'config:' key", file=str(stack_file))]
        )
    unknown = sorted(
        set(data) - {"config", "encryptionsalt", "secretsprovider", "encryptedkey", "environment"}
    )
    if unknown:
        raise SpecError(
            [
                Problem(
                    key,
                    MISSING,
                    "unknown top-level key; a stack file has config, encryptionsalt, secretsprovider, "
                    "encryptedkey, environment",
                    file=str(stack_file),
                )
                for key in unknown
            ]
        )
    config = data.get("config") or {}
    if not isinstance(config, dict):
        raise SpecError([Problem("config", config, "must be a mapping of config keys", file=str(stack_file))])
    merged: dict[str, Any] = dict(defaults)
    secret_keys: set[str] = set()
    for key, value in config.items():
        qualified = _qualify(str(key), project)
        if _has_secure(value):
            secret_keys.add(qualified)
            value = _replace_secure(value)
        merged[qualified] = value
    values = {key: _encode(value) for key, value in merged.items() if value is not None}
    return StackConfig(
        project=project,
        stack=match.group("stack"),
        file=stack_file,
        project_dir=project_file.parent,
        values=values,
        secret_keys=frozenset(secret_keys),
    )
