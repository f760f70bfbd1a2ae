"""Policy configuration as ``pulumi preview --policy-pack-config`` takes it, merged like the CLI does.

File format (JSON, or YAML): ``{"all": "mandatory", "<policy name, MLK id or former name>": "advisory" | {
"enforcementLevel": "...", "<setting>": value, "exemptions": [{"urn": ..., "reason": ...}]}}``.
For each policy the effective config is the schema defaults, then the pack's initial config, then the
file; it is validated against the policy's schema before anything runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema

from mlkeel.files import MAX_DOCUMENT_BYTES, InputError, parse_json, parse_yaml, read_text

LEVELS = ("advisory", "mandatory", "remediate", "disabled")


class PolicyConfigError(InputError):
    """The policy config is unusable; the message names the file, the policy, the key and what is allowed."""


def load_policy_config(path: Path | None) -> dict[str, Any]:
    """Read a policy config file (empty config when ``path`` is None), through ``mlkeel.files``' limits."""
    if path is None:
        return {}
    try:
        text = read_text(path, what="policy config", max_bytes=MAX_DOCUMENT_BYTES)
        data = (
            parse_json(text, path, what="policy config")
            if str(path).endswith(".json")
            else parse_yaml(text, path)
        )
    except InputError as exc:
        raise PolicyConfigError(
            str(exc), file=exc.file, field=exc.field, value=exc.value, allowed=exc.allowed
        ) from None
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise PolicyConfigError.at(
            path, "(top level)", None, "must be an object of policy name -> enforcement level or settings"
        )
    return dict(data)


def _level(source: str, key: str, value: Any) -> str:
    if value not in LEVELS:
        raise PolicyConfigError(
            f"{source}: {key} enforcementLevel must be one of {', '.join(LEVELS)} (found {value!r})."
        )
    return str(value)


def merge_policy_config(
    policies: Mapping[str, dict[str, Any]],
    initial: Mapping[str, dict[str, Any]],
    user: Mapping[str, Any],
    aliases: Mapping[str, str],
    source: str = "policy config",
) -> dict[str, tuple[str, dict[str, Any]]]:
    """Policy name -> (enforcement level, properties), validated against each policy's schema.

    ``policies`` maps name -> {"enforcementLevel", "configSchema": {"properties", "required"}};
    ``initial`` is the pack's initial config; ``aliases`` maps rule ids and former names to policy names.
    Two keys naming one policy (its name and its id, say) are refused: which should win is a guess.
    """
    resolved_user: dict[str, Any] = {}
    given_as: dict[str, str] = {}
    for key, value in user.items():
        name = aliases.get(key, key)
        if name != "all" and name not in policies:
            raise PolicyConfigError(
                f"{source}: no policy {key!r} in the pack; use a policy name or rule id "
                f"(e.g. {', '.join(sorted(policies)[:3])}, ...) or 'all'."
            )
        if name in given_as:
            raise PolicyConfigError.at(
                source,
                key,
                value,
                f"names policy {name!r} like {given_as[name]!r} does; configure each policy once",
            )
        given_as[name] = key
        resolved_user[name] = value
    all_level = None
    if "all" in resolved_user:
        value = resolved_user["all"]
        all_level = _level(source, "all", value["enforcementLevel"] if isinstance(value, Mapping) else value)
    merged: dict[str, tuple[str, dict[str, Any]]] = {}
    for name, info in policies.items():
        schema = info.get("configSchema") or {}
        props: dict[str, Any] = {
            k: v["default"] for k, v in (schema.get("properties") or {}).items() if "default" in v
        }
        level = str(info.get("enforcementLevel", "advisory"))
        for layer in (initial.get(name), all_level, resolved_user.get(name)):
            if layer is None:
                continue
            if isinstance(layer, str):
                level = _level(source, name, layer)
                continue
            if not isinstance(layer, Mapping):
                raise PolicyConfigError(
                    f"{source}: {name} must be an enforcement level or an object of settings."
                )
            for key, value in layer.items():
                if key == "enforcementLevel":
                    level = _level(source, name, value)
                else:
                    props[key] = value
        allowed = set(schema.get("properties") or {})
        extra = sorted(set(props) - allowed)
        if extra:
            raise PolicyConfigError(
                f"{source}: {name} has no setting {extra[0]!r}; "
                f"allowed: {', '.join(sorted(allowed)) or 'none'}."
            )
        settings_schema = {
            "type": "object",
            "properties": schema.get("properties") or {},
            "required": list(schema.get("required") or []),
        }
        # ``jsonschema.validate`` without its check of the schema against the meta-schema (the rules'
        # own schemas, checked by their tests): that check cost ~80 ms per ``keel check`` for 69 rules.
        error = jsonschema.exceptions.best_match(
            jsonschema.validators.validator_for(settings_schema)(settings_schema).iter_errors(props)
        )
        if error is not None:
            where = ".".join(str(p) for p in error.absolute_path) or "(root)"
            raise PolicyConfigError(f"{source}: {name}.{where}: {error.message}") from None
        merged[name] = (level, props)
    return merged
