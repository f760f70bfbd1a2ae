"""AWS model registry: the artifact bucket, a SageMaker model package group and an ECR repository.

The bucket holds model archives (``models/``), endpoint data capture (``data-capture/``), monitoring
reports (``monitoring/``) and training checkpoints and outputs (``checkpoints/``, ``training-output/``).
Model archives are kept (versioned; old versions expire after ``noncurrent_version_days``) and move to
Intelligent-Tiering; everything else expires after ``artifact_retention_days``. The ECR repository scans on
push, refuses tag overwrites (a tag always means the same image) and keeps the last ``images_to_keep``.
"""

import json

import pulumi
import pulumi_aws as aws

from components.aws._naming import aws_name, bucket_name
from components.aws._s3 import (
    abort_multipart_rule,
    expire_prefix_rule,
    noncurrent_rule,
    secure_bucket,
    tiering_rule,
)
from components.aws.args import AwsKeyedArgs
from components.tagging import capability_options

#: Prefixes in the registry bucket, shared with serving, monitoring and training.
MODELS_PREFIX = "models/"
DATA_CAPTURE_PREFIX = "data-capture/"
MONITORING_PREFIX = "monitoring/"
CHECKPOINTS_PREFIX = "checkpoints/"
TRAINING_OUTPUT_PREFIX = "training-output/"


class AwsModelRegistryArgs(AwsKeyedArgs):
    """Inputs of :class:`AwsModelRegistry`."""

    artifact_retention_days: int
    noncurrent_version_days: int
    images_to_keep: int


def ecr_lifecycle_policy(images_to_keep: int) -> str:
    """Expire untagged images after a week and keep only the newest ``images_to_keep`` images."""
    return json.dumps(
        {
            "rules": [
                {
                    "rulePriority": 1,
                    "description": "Expire untagged images after 7 days",
                    "selection": {
                        "tagStatus": "untagged",
                        "countType": "sinceImagePushed",
                        "countUnit": "days",
                        "countNumber": 7,
                    },
                    "action": {"type": "expire"},
                },
                {
                    "rulePriority": 2,
                    "description": f"Keep the newest {images_to_keep} images",
                    "selection": {
                        "tagStatus": "any",
                        "countType": "imageCountMoreThan",
                        "countNumber": images_to_keep,
                    },
                    "action": {"type": "expire"},
                },
            ]
        }
    )


class AwsModelRegistry(pulumi.ComponentResource):
    """Artifact bucket (private, SSE-KMS, versioned, TLS-only, lifecycle), model package group, ECR."""

    bucket_name: pulumi.Output[str]
    bucket_arn: pulumi.Output[str]
    model_package_group_name: pulumi.Output[str]
    model_package_group_arn: pulumi.Output[str]
    repository_arn: pulumi.Output[str]
    repository_url: pulumi.Output[str]

    def __init__(self, name: str, args: AwsModelRegistryArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(
            "mlkeel:index:AwsModelRegistry", name, None, capability_options(opts, args["tags"], "registry")
        )
        child = pulumi.ResourceOptions(parent=self)
        prefix = args["prefix"]
        retention = args["artifact_retention_days"]
        bucket, _ = secure_bucket(
            self,
            f"{name}-artifacts",
            bucket=pulumi.Output.from_input(args["account_id"]).apply(
                lambda a: bucket_name(prefix, "registry", a)
            ),
            key_arn=args["encryption_key"],
            lifecycle_rules=[
                abort_multipart_rule(),
                noncurrent_rule(args["noncurrent_version_days"]),
                tiering_rule("models-intelligent-tiering", MODELS_PREFIX),
                expire_prefix_rule("expire-data-capture", DATA_CAPTURE_PREFIX, retention),
                expire_prefix_rule("expire-monitoring-reports", MONITORING_PREFIX, retention),
                expire_prefix_rule("expire-checkpoints", CHECKPOINTS_PREFIX, retention),
                expire_prefix_rule("expire-training-output", TRAINING_OUTPUT_PREFIX, retention),
            ],
        )
        group = aws.sagemaker.ModelPackageGroup(
            f"{name}-models",
            model_package_group_name=aws_name("sagemaker", prefix, "models"),
            model_package_group_description=f"Model versions of {prefix}, approved before serving",
            opts=child,
        )
        repository = aws.ecr.Repository(
            f"{name}-images",
            name=aws_name("ecr-repository", f"mlkeel/{prefix}", "models", separator="/"),
            image_tag_mutability="IMMUTABLE",
            image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True),
            encryption_configurations=[
                aws.ecr.RepositoryEncryptionConfigurationArgs(
                    encryption_type="KMS", kms_key=args["encryption_key"]
                )
            ],
            force_delete=False,
            opts=child,
        )
        aws.ecr.LifecyclePolicy(
            f"{name}-images-lifecycle",
            repository=repository.name,
            policy=ecr_lifecycle_policy(args["images_to_keep"]),
            opts=child,
        )
        self.bucket_name = bucket.bucket
        self.bucket_arn = bucket.arn
        self.model_package_group_name = group.model_package_group_name
        self.model_package_group_arn = group.arn
        self.repository_arn = repository.arn
        self.repository_url = repository.repository_url
        self.register_outputs(
            {
                "bucket_name": bucket.bucket,
                "bucket_arn": bucket.arn,
                "model_package_group_name": group.model_package_group_name,
                "model_package_group_arn": group.arn,
                "repository_arn": repository.arn,
                "repository_url": repository.repository_url,
            }
        )
