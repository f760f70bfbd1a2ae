"""``GcpEncryption``: the stack's Cloud KMS key ring and key, rotated at most every 90 days, and the grants
that let each Google service agent the stack uses encrypt and decrypt with it.

A CMEK-encrypted bucket, dataset, cluster or Vertex resource cannot be created until the service's own
agent holds ``roles/cloudkms.cryptoKeyEncrypterDecrypter`` on the key, so the grants live here with the
key and the other capabilities depend on this component. Agents are named by the project number
(``service-<number>@gs-project-accounts...``), read from the project itself, never typed by hand; the
Vertex AI agent is created with ``ServiceIdentity`` since it does not exist until first use.
"""

from collections.abc import Sequence

import pulumi
import pulumi_gcp as gcp

from components.gcp._naming import gcp_name
from components.gcp.args import GcpCapabilityArgs
from components.tagging import capability_options

#: Service -> the agent e-mail pattern (``{n}`` = project number) of services whose agent always exists.
SERVICE_AGENTS: dict[str, str] = {
    "storage": "service-{n}@gs-project-accounts.iam.gserviceaccount.com",
    "artifactregistry": "service-{n}@gcp-sa-artifactregistry.iam.gserviceaccount.com",
    "container": "service-{n}@container-engine-robot.iam.gserviceaccount.com",
    "compute": "service-{n}@compute-system.iam.gserviceaccount.com",
    "bigquery": "bq-{n}@bigquery-encryption.iam.gserviceaccount.com",
}

#: Services whose agent is created on demand (``gcp.projects.ServiceIdentity``).
IDENTITY_SERVICES: dict[str, str] = {"aiplatform": "aiplatform.googleapis.com"}

#: Every service this component knows how to grant.
KNOWN_SERVICES: tuple[str, ...] = (*SERVICE_AGENTS, *IDENTITY_SERVICES, "logging")

ENCRYPTER_DECRYPTER = "roles/cloudkms.cryptoKeyEncrypterDecrypter"


class GcpEncryptionArgs(GcpCapabilityArgs):
    rotation_days: int
    """Key rotation period in days (1-90 on GCP: the policy pack refuses longer)."""
    services: Sequence[str]
    """Which service agents get the key (subset of ``KNOWN_SERVICES``)."""


def rotation_period(days: int) -> str:
    """Cloud KMS rotation period for ``days`` (``"7776000s"`` for 90)."""
    if not 1 <= days <= 90:
        raise ValueError(f"rotation_days = {days}: GCP keys must rotate at least every 90 days (1-90)")
    return f"{days * 86400}s"


class GcpEncryption(pulumi.ComponentResource):
    """The stack's customer-managed key (see module docstring)."""

    key_id: pulumi.Output[str]
    key_ring_id: pulumi.Output[str]

    def __init__(self, name: str, args: GcpEncryptionArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(
            "mlkeel:index:GcpEncryption", name, None, capability_options(opts, args["tags"], "encryption")
        )
        prefix, region, project = args["prefix"], args["region"], args["project"]
        unknown = sorted(set(args["services"]) - set(KNOWN_SERVICES))
        if unknown:
            raise ValueError(
                f"services {unknown} have no known KMS service agent; known: {', '.join(KNOWN_SERVICES)}"
            )
        child = pulumi.ResourceOptions(parent=self)

        ring = gcp.kms.KeyRing(
            f"{name}-ring", name=gcp_name("kms", prefix, "ring"), project=project, location=region, opts=child
        )
        key = gcp.kms.CryptoKey(
            f"{name}-key",
            name=gcp_name("kms", prefix, "key"),
            key_ring=ring.id,
            purpose="ENCRYPT_DECRYPT",
            rotation_period=rotation_period(args["rotation_days"]),
            version_template=gcp.kms.CryptoKeyVersionTemplateArgs(
                algorithm="GOOGLE_SYMMETRIC_ENCRYPTION", protection_level="SOFTWARE"
            ),
            destroy_scheduled_duration=f"{30 * 86400}s",
            opts=child,
        )
        project_info = gcp.organizations.get_project_output(
            project_id=project, opts=pulumi.InvokeOutputOptions(parent=self)
        )
        number = project_info.number

        members: dict[str, pulumi.Output[str]] = {}
        for service in args["services"]:
            if service in SERVICE_AGENTS:
                pattern = SERVICE_AGENTS[service]
                members[service] = number.apply(lambda n, p=pattern: "serviceAccount:" + p.format(n=n))  # type: ignore[misc]
            elif service in IDENTITY_SERVICES:
                identity = gcp.projects.ServiceIdentity(
                    f"{name}-{service}-agent", project=project, service=IDENTITY_SERVICES[service], opts=child
                )
                members[service] = identity.member
            elif service == "logging":
                settings = gcp.logging.get_project_cmek_settings_output(
                    project=project, opts=pulumi.InvokeOutputOptions(parent=self)
                )
                members[service] = settings.service_account_id.apply(lambda e: f"serviceAccount:{e}")
        grants = [
            gcp.kms.CryptoKeyIAMMember(
                f"{name}-{service}-grant",
                crypto_key_id=key.id,
                role=ENCRYPTER_DECRYPTER,
                member=member,
                opts=child,
            )
            for service, member in members.items()
        ]

        # Consumers receive the key id only once every grant exists (an Output depending on the grants),
        # so each CMEK resource waits for its service agent's permission without further wiring.
        self.key_id = pulumi.Output.all(key.id, *[g.id for g in grants]).apply(lambda ids: str(ids[0]))
        self.key_ring_id = ring.id
        self.project_number = number
        self.agent_members = members
        self.grants = grants
        self.register_outputs({"key_id": self.key_id, "key_ring_id": ring.id, "agents": members})
