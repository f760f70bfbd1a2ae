"""``GcpModelRegistry``: where a team's models live on GCP.

- a Cloud Storage bucket for model artifacts: encrypted with the stack key, uniform bucket-level access,
  public access prevention enforced, versioned, old versions and unfinished uploads cleaned up by
  lifecycle rules, deletes recoverable for 7 days (soft delete). A bucket retention policy cannot be
  combined with object versioning on Cloud Storage, so retention is lifecycle-based;
- a Vertex AI metadata store encrypted with the stack key (lineage of runs, artifacts and models);
- an Artifact Registry Docker repository for serving and training images, encrypted with the stack key,
  immutable tags, and cleanup policies that keep the newest ``images_to_keep`` versions.

pulumi-gcp has no Vertex AI *Model* resource (models are uploaded by pipelines; see ``docs/gcp.md``).
"""

import pulumi
import pulumi_gcp as gcp

from components.gcp._naming import gcp_name
from components.gcp.args import GcpKeyedArgs
from components.tagging import capability_options

DAY_SECONDS = 86400


class GcpModelRegistryArgs(GcpKeyedArgs):
    artifact_retention_days: int
    noncurrent_version_days: int
    images_to_keep: int


class GcpModelRegistry(pulumi.ComponentResource):
    """Artifact bucket, metadata store and image repository (see module docstring)."""

    bucket_name: pulumi.Output[str]
    repository_url: pulumi.Output[str]

    def __init__(self, name: str, args: GcpModelRegistryArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(
            "mlkeel:index:GcpModelRegistry", name, None, capability_options(opts, args["tags"], "registry")
        )
        prefix, region, project, key = args["prefix"], args["region"], args["project"], args["encryption_key"]
        child = pulumi.ResourceOptions(parent=self)

        bucket = gcp.storage.Bucket(
            f"{name}-artifacts",
            # Bucket names are global: the project id makes them unique without a random suffix.
            name=gcp_name("bucket", f"{project}-{prefix}", "artifacts"),
            project=project,
            location=region,
            storage_class="STANDARD",
            uniform_bucket_level_access=True,
            public_access_prevention="enforced",
            versioning=gcp.storage.BucketVersioningArgs(enabled=True),
            encryption=gcp.storage.BucketEncryptionArgs(default_kms_key_name=key),
            soft_delete_policy=gcp.storage.BucketSoftDeletePolicyArgs(
                retention_duration_seconds=7 * DAY_SECONDS
            ),
            lifecycle_rules=[
                gcp.storage.BucketLifecycleRuleArgs(
                    action=gcp.storage.BucketLifecycleRuleActionArgs(type="Delete"),
                    condition=gcp.storage.BucketLifecycleRuleConditionArgs(
                        age=args["artifact_retention_days"], with_state="LIVE"
                    ),
                ),
                gcp.storage.BucketLifecycleRuleArgs(
                    action=gcp.storage.BucketLifecycleRuleActionArgs(type="Delete"),
                    condition=gcp.storage.BucketLifecycleRuleConditionArgs(
                        days_since_noncurrent_time=args["noncurrent_version_days"], with_state="ARCHIVED"
                    ),
                ),
                gcp.storage.BucketLifecycleRuleArgs(
                    action=gcp.storage.BucketLifecycleRuleActionArgs(type="AbortIncompleteMultipartUpload"),
                    condition=gcp.storage.BucketLifecycleRuleConditionArgs(age=1),
                ),
            ],
            force_destroy=False,
            opts=child,
        )
        metadata = gcp.vertex.AiMetadataStore(
            f"{name}-metadata",
            name=gcp_name("vertex_resource", prefix, "metadata"),
            project=project,
            region=region,
            description=f"ML metadata (runs, artifacts, lineage) of {prefix}",
            encryption_spec=gcp.vertex.AiMetadataStoreEncryptionSpecArgs(kms_key_name=key),
            opts=child,
        )
        repository_id = gcp_name("artifact_repository", prefix, "models")
        repository = gcp.artifactregistry.Repository(
            f"{name}-images",
            repository_id=repository_id,
            project=project,
            location=region,
            format="DOCKER",
            description=f"Training and serving images of {prefix}",
            kms_key_name=key,
            docker_config=gcp.artifactregistry.RepositoryDockerConfigArgs(immutable_tags=True),
            cleanup_policy_dry_run=False,
            cleanup_policies=[
                gcp.artifactregistry.RepositoryCleanupPolicyArgs(
                    id="keep-newest",
                    action="KEEP",
                    most_recent_versions=gcp.artifactregistry.RepositoryCleanupPolicyMostRecentVersionsArgs(
                        keep_count=args["images_to_keep"]
                    ),
                ),
                gcp.artifactregistry.RepositoryCleanupPolicyArgs(
                    id="delete-older",
                    action="DELETE",
                    condition=gcp.artifactregistry.RepositoryCleanupPolicyConditionArgs(
                        tag_state="ANY", older_than=f"{30 * DAY_SECONDS}s"
                    ),
                ),
            ],
            opts=child,
        )

        self.bucket = bucket
        self.bucket_name = bucket.name
        self.bucket_url = bucket.url
        self.metadata_store_id = metadata.id
        self.repository_id = repository.repository_id
        self.repository_url = pulumi.Output.concat(
            region, "-docker.pkg.dev/", project, "/", repository.repository_id
        )
        self.register_outputs(
            {
                "bucket_name": bucket.name,
                "metadata_store_id": metadata.id,
                "repository_url": self.repository_url,
            }
        )
