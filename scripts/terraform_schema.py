"""Generate ``stacks/export/terraform-schema.json``: the Terraform names and shapes of every resource type
mlkeel's stacks create, read from the CDKTF prebuilt providers.

Why CDKTF: ``@cdktf/provider-aws`` and ``@cdktf/provider-google`` are generated from the Terraform
providers' own schemas, so their ``synthesizeHclAttributes()`` lists every configurable attribute with its
Terraform name, whether it is a block, and its collection type (list, set, map); blocks built without
``listMapperHcl`` are single (MaxItems=1) blocks. Computed-only attributes are read from the resource
class's getters. Sensitive attributes come from the Pulumi SDKs' ``additional_secret_outputs`` (the bridge
sets them from Terraform's ``Sensitive``). No Terraform CLI, no guesses.

Usage (from the repository root):

    .venv/bin/python scripts/terraform_schema.py [--aws DIR_OR_VERSION] [--google DIR_OR_VERSION]
        [--states STATE...] [-o stacks/export/terraform-schema.json]

``--aws``/``--google`` take an unpacked package folder (holding ``package.json`` and ``lib/``) or an npm
version to ``npm pack`` into a temporary folder. Without ``--states`` the example and template stacks are
planned to find the types they create.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mlkeel.files import atomic_write_text  # noqa: E402
from mlkeel.state import load_state  # noqa: E402
from stacks.export.names import PACKAGES, snake, type_candidates  # noqa: E402

DEFAULT_VERSIONS = {"aws": "21.22.1", "google": "16.12.1"}
NPM_NAMES = {"aws": "@cdktf/provider-aws", "google": "@cdktf/provider-google"}
OUTPUT = ROOT / "stacks" / "export" / "terraform-schema.json"
#: Terraform meta blocks Pulumi expresses as resource options, not properties.
SKIPPED = {"timeouts"}

_ENTRY = re.compile(
    r"(\w+): \{\s*value: ([^\n]+?),\s*isBlock: (true|false),\s*"
    r"type: \"(\w+)\",\s*storageClassType: \"(\w+)\",\s*\}"
)
_BLOCK_FN = re.compile(r"cdktf\.listMapperHcl\((?:\w+\.)?(\w+)ToHclTerraform, (true|false)\)")
_SINGLE_FN = re.compile(r"^(?:\(0, \w+\.)?(\w+)ToHclTerraform\)?\(")
_GETTER = re.compile(r"this\.get(\w*)Attribute\('(\w+)'\)")
_NEW_COMPLEX = re.compile(r"new (\w+\.)?(\w+?)(List|OutputReference|Map)\(this, \"(\w+)\"")


def _package(provider: str, given: str | None, tmp: Path) -> Path:
    """The unpacked package folder: a given folder, else ``npm pack`` of a version into ``tmp``."""
    if given and Path(given).is_dir():
        return Path(given)
    version = given or DEFAULT_VERSIONS[provider]
    spec = f"{NPM_NAMES[provider]}@{version}"
    out = tmp / provider
    out.mkdir()
    tgz = subprocess.run(
        ["npm", "pack", spec, "--silent"], cwd=out, check=True, capture_output=True, text=True
    ).stdout.split()[-1]
    subprocess.run(["tar", "xzf", tgz], cwd=out, check=True)
    return out / "package"


def _function_body(text: str, name: str) -> str:
    start = text.find(f"function {name}(struct)")
    if start < 0:
        return ""
    end = min((i for i in (text.find("\nfunction ", start + 1), text.find("\nclass ", start + 1)) if i > 0),
              default=len(text))  # fmt: skip
    return text[start:end]


def _class_body(text: str, name: str) -> str:
    start = text.find(f"class {name} extends")
    if start < 0:
        return ""
    end = text.find("\nclass ", start + 1)
    return text[start : end if end > 0 else len(text)]


def _attributes(text: str, body: str, depth: int = 0) -> dict[str, Any]:
    """Attributes of one ``const attrs = {...}`` body (a resource's or a nested block's), recursively."""
    attrs: dict[str, Any] = {}
    for name, value, is_block, kind, _storage in _ENTRY.findall(body):
        if name in SKIPPED and depth == 0:
            continue
        listed = _BLOCK_FN.search(value) if "listMapperHcl(cdktf." not in value else None
        single = _SINGLE_FN.match(value)
        if listed or (single and not value.startswith("cdktf.") and single.group(1) != "cdktf"):
            fn = (listed or single).group(1)  # type: ignore[union-attr]
            nested = _attributes(text, _function_body(text, f"{fn}ToHclTerraform"), depth + 1)
            if is_block == "true":
                shape = ("block_set" if kind == "set" else "block_list") if listed else "block"
            else:  # a nested attribute (plugin framework): objects, not blocks
                shape = ("object_set" if kind == "set" else "object_list") if listed else "object"
            attrs[name] = {"kind": shape, "attributes": nested}
        elif kind in ("list", "set"):
            attrs[name] = {"kind": kind}
        elif kind == "map":
            attrs[name] = {"kind": "map"}
        else:
            attrs[name] = {"kind": "scalar"}
    return attrs


def _computed(text: str, class_body: str, known: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    """Attributes only the provider sets (``arn``, ``tags_all``, computed lists), from a class's getters."""
    found: dict[str, Any] = {}
    for getter, name in _GETTER.findall(class_body):
        if name in known or name in found:
            continue
        if "Map" in getter:
            found[name] = {"kind": "map"}
        elif "List" in getter:
            found[name] = {"kind": "list"}
        else:
            found[name] = {"kind": "scalar"}
    for _cdktf, cls, suffix, name in _NEW_COMPLEX.findall(class_body):
        if name in known or name in found or name in SKIPPED:
            continue
        if suffix == "Map":
            found[name] = {"kind": "map"}
            continue
        element = _class_body(text, f"{cls}OutputReference")
        nested = _computed(text, element, {}, depth + 1) if depth < 6 else {}
        found[name] = {"kind": "block_list" if suffix == "List" else "block", "attributes": nested}
    return found


def _resource_schema(folder: Path, tf_type: str) -> dict[str, Any]:
    # Large resources keep their nested-block functions in index-structs/*.js: search them all.
    text = "\n".join(p.read_text() for p in [folder / "index.js", *sorted(folder.glob("index-structs/*.js"))])
    marker = f"terraformResourceType: '{tf_type}'"
    if marker not in text:
        raise SystemExit(f"{folder}/index.js does not declare {marker}")
    class_name = re.search(r"class (\w+) extends cdktf\.TerraformResource", text)
    if class_name is None:
        raise SystemExit(f"{folder}/index.js has no TerraformResource class")
    body = _class_body(text, class_name.group(1))
    hcl = body[body.find("synthesizeHclAttributes()") :]
    attrs = _attributes(text, hcl[: hcl.find("\n    }\n")])
    attrs.update(_computed(text, body, attrs))
    attrs.setdefault("id", {"kind": "scalar"})
    return dict(sorted(attrs.items()))


def _sensitive(token: str) -> list[str]:
    """Top-level properties the Pulumi SDK marks secret (the bridge's copy of Terraform ``Sensitive``)."""
    package, path, _member = token.split(":")
    module, member = path.split("/", 1)
    spec = importlib.util.find_spec(f"pulumi_{package}")
    if spec is None or spec.origin is None:
        return []
    source = Path(spec.origin).parent / module.lower() / f"{snake(member)}.py"
    if not source.exists():
        return []
    match = re.search(r"additional_secret_outputs=\[([^\]]*)\]", source.read_text())
    return sorted(snake(m) for m in re.findall(r"\"(\w+)\"", match.group(1))) if match else []


def _tokens(states: list[Path]) -> set[str]:
    return {r.type for s in states for r in load_state(s).resources if r.custom and not r.is_provider}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--aws", help="unpacked @cdktf/provider-aws folder or npm version")
    parser.add_argument("--google", help="unpacked @cdktf/provider-google folder or npm version")
    parser.add_argument("--states", nargs="*", type=Path, help="state files (default: plan the examples)")
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if args.states:
            states = list(args.states)
        else:
            from stacks.export.examples import plan_examples

            states = list(plan_examples(tmp / "plans").values())
        tokens = _tokens(states)
        packages: dict[str, Path] = {}
        providers: dict[str, Any] = {}
        known: dict[str, Path] = {}
        for provider in ("aws", "google"):
            folder = _package(provider, getattr(args, provider), tmp)
            meta = json.loads((folder / "package.json").read_text())
            packages[provider] = folder
            providers[provider] = {
                "package": f"{meta['name']}@{meta['version']}",
                "terraform_provider": "{name}@{version}".format(**meta["cdktf"]["provider"]),
            }
            for child in (folder / "lib").iterdir():
                if (child / "index.js").exists() and not child.name.startswith(("data-", "provider")):
                    known[f"{provider}_{child.name.replace('-', '_')}"] = child
        resources: dict[str, Any] = {}
        types: dict[str, str] = {}
        unmapped: list[str] = []
        for token in sorted(tokens):
            tf_type = next((c for c in type_candidates(token) if c in known), None)
            if tf_type is None:
                if token.split(":", 1)[0] in PACKAGES:
                    unmapped.append(token)
                continue
            types[token] = tf_type
            resources[tf_type] = {
                "attributes": _resource_schema(known[tf_type], tf_type),
                "sensitive": _sensitive(token),
            }
    document = {
        "generated_by": "scripts/terraform_schema.py",
        "providers": providers,
        "types": types,
        "unmapped": unmapped,
        "resources": dict(sorted(resources.items())),
    }
    atomic_write_text(args.output, json.dumps(document, indent=1, sort_keys=False) + "\n")
    print(f"wrote {args.output}: {len(resources)} Terraform types; unmapped: {', '.join(unmapped) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
