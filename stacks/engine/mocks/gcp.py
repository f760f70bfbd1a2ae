"""What the Google provider answers: names, ids, self links, emails and merged default labels.

Same shape as the AWS module: ``RESOURCES`` per type token, ``CALLS`` per invoke token, and a generic
treatment for everything else (auto-named ``name``, a ``projects/.../locations/...`` id, ``selfLink``,
``effectiveLabels`` and ``terraformLabels``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._schema import input_names

if TYPE_CHECKING:
    from . import MockContext

Outputs = dict[str, Any]
ResourceHandler = Callable[[Any, "MockContext", Outputs], str | None]
CallHandler = Callable[[Any, "MockContext"], dict[str, Any]]

RESOURCES: dict[str, ResourceHandler] = {}
CALLS: dict[str, CallHandler] = {}


def _collection(token: str) -> tuple[str, str]:
    _, middle, cls = token.split(":", 2)
    module = middle.split("/", 1)[0]
    return module, cls[:1].lower() + cls[1:] + "s"


def new_resource(args: Any, ctx: MockContext) -> tuple[str, Outputs]:
    outputs: Outputs = dict(args.inputs)
    names = input_names(args.typ)
    if "name" in names and not outputs.get("name"):
        outputs["name"] = ctx.autoname(args.name)
    if "project" in names:
        outputs.setdefault("project", ctx.project)
    module, collection = _collection(args.typ)
    location = outputs.get("location") or outputs.get("region") or ctx.region
    name = str(outputs.get("name") or args.name)
    project = outputs.get("project", ctx.project)
    resource_id = f"projects/{project}/locations/{location}/{collection}/{name}"
    if module == "compute":
        scope = "global" if "region" not in names and "zone" not in names else f"regions/{location}"
        resource_id = f"projects/{project}/{scope}/{collection}/{name}"
        outputs.setdefault("selfLink", f"https://www.googleapis.com/compute/v1/{resource_id}")
    if "labels" in names:
        merged = {**ctx.default_labels(), **(outputs.get("labels") or {})}
        outputs["effectiveLabels"] = merged
        outputs["terraformLabels"] = merged
    handler = RESOURCES.get(args.typ)
    if handler is not None:
        resource_id = handler(args, ctx, outputs) or resource_id
    outputs["id"] = resource_id
    return resource_id, outputs


def call(args: Any, ctx: MockContext) -> dict[str, Any]:
    handler = CALLS.get(args.token)
    return handler(args, ctx) if handler is not None else {}


def _service_account(args: Any, ctx: MockContext, out: Outputs) -> str:
    project = out.get("project", ctx.project)
    email = f"{out['accountId']}@{project}.iam.gserviceaccount.com"
    out["email"] = email
    out["member"] = f"serviceAccount:{email}"
    out["name"] = f"projects/{project}/serviceAccounts/{email}"
    out["uniqueId"] = str(int(ctx.digest("sa", args.name, length=12), 16))
    return str(out["name"])


def _key_ring(args: Any, ctx: MockContext, out: Outputs) -> str:
    return f"projects/{out.get('project', ctx.project)}/locations/{out['location']}/keyRings/{out['name']}"


def _crypto_key(args: Any, ctx: MockContext, out: Outputs) -> str:
    return f"{out['keyRing']}/cryptoKeys/{out['name']}"


def _storage_bucket(args: Any, ctx: MockContext, out: Outputs) -> str:
    out["url"] = f"gs://{out['name']}"
    out["selfLink"] = f"https://www.googleapis.com/storage/v1/b/{out['name']}"
    return str(out["name"])


RESOURCES.update(
    {
        "gcp:serviceaccount/account:Account": _service_account,
        "gcp:kms/keyRing:KeyRing": _key_ring,
        "gcp:kms/cryptoKey:CryptoKey": _crypto_key,
        "gcp:storage/bucket:Bucket": _storage_bucket,
    }
)

CALLS.update(
    {
        "gcp:organizations/getProject:getProject": lambda args, ctx: {
            "projectId": (args.args or {}).get("projectId") or ctx.project,
            "number": ctx.project_number,
            "name": ctx.project,
            "id": f"projects/{ctx.project}",
        },
        "gcp:organizations/getClientConfig:getClientConfig": lambda args, ctx: {
            "project": ctx.project,
            "region": ctx.region,
            "accessToken": "offline",
            "id": "offline",
        },
    }
)
