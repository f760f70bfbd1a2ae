"""AWS feature store: SageMaker feature groups with online and offline stores, both on the stack key.

The offline store is an S3 bucket of its own (same protections as the registry bucket) catalogued in a
Glue database the stack owns, so Athena queries see one table per group. SageMaker writes to the offline
store with a role that can touch only that bucket's ``offline-store/`` prefix, the stack key and the
stack's Glue database.
"""

import pulumi
import pulumi_aws as aws

from components.args import FeatureGroupArgs
from components.aws._iam import document, service_trust, statement
from components.aws._naming import aws_name, bucket_name
from components.aws._s3 import abort_multipart_rule, noncurrent_rule, secure_bucket
from components.aws.args import AwsKeyedArgs
from components.tagging import capability_options

#: Spec feature types -> SageMaker feature types.
FEATURE_TYPES = {"string": "String", "integer": "Integral", "fractional": "Fractional"}
OFFLINE_PREFIX = "offline-store"


class AwsFeatureStoreArgs(AwsKeyedArgs):
    """Inputs of :class:`AwsFeatureStore`."""

    noncurrent_version_days: int
    groups: list[FeatureGroupArgs]


class AwsFeatureStore(pulumi.ComponentResource):
    """SageMaker feature groups (online + offline, KMS), their S3 bucket and Glue database."""

    bucket_name: pulumi.Output[str]
    bucket_arn: pulumi.Output[str]
    feature_group_arns: pulumi.Output[list[str]]
    feature_group_names: pulumi.Output[list[str]]
    glue_database: pulumi.Output[str]

    def __init__(self, name: str, args: AwsFeatureStoreArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(
            "mlkeel:index:AwsFeatureStore",
            name,
            None,
            capability_options(opts, args["tags"], "feature-store"),
        )
        child = pulumi.ResourceOptions(parent=self)
        prefix = args["prefix"]
        key = args["encryption_key"]
        bucket, bucket_policy = secure_bucket(
            self,
            f"{name}-offline",
            bucket=pulumi.Output.from_input(args["account_id"]).apply(
                lambda a: bucket_name(prefix, "features", a)
            ),
            key_arn=key,
            lifecycle_rules=[abort_multipart_rule(), noncurrent_rule(args["noncurrent_version_days"])],
        )
        database = aws.glue.CatalogDatabase(
            f"{name}-catalog",
            name=aws_name("glue-database", prefix.replace("-", "_"), "features", separator="_"),
            description=f"Offline feature store tables of {prefix}",
            opts=child,
        )
        partition, region, account = args["partition"], args["region"], args["account_id"]
        glue = lambda resource: pulumi.Output.format(  # noqa: E731
            "arn:{0}:glue:{1}:{2}:{3}", partition, region, account, resource
        )
        role = aws.iam.Role(
            f"{name}-role",
            name=aws_name("iam-role", prefix, "feature-store"),
            path=args["role_path"],
            description="SageMaker Feature Store writing the offline store of this stack",
            assume_role_policy=service_trust(["sagemaker.amazonaws.com"], account),
            opts=child,
        )
        role_policy = aws.iam.RolePolicy(
            f"{name}-role-policy",
            role=role.id,
            policy=document(
                [
                    statement(
                        "OfflineStoreObjects",
                        ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                        [pulumi.Output.concat(bucket.arn, f"/{OFFLINE_PREFIX}/*")],
                    ),
                    statement("OfflineStoreBucket", ["s3:GetBucketAcl", "s3:ListBucket"], [bucket.arn]),
                    statement(
                        "StackKey",
                        ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
                        [key],
                    ),
                    statement(
                        "OfflineStoreCatalog",
                        [
                            "glue:CreateTable",
                            "glue:GetDatabase",
                            "glue:GetTable",
                            "glue:UpdateTable",
                            "glue:BatchCreatePartition",
                            "glue:CreatePartition",
                            "glue:GetPartition",
                        ],
                        [
                            glue("catalog"),
                            pulumi.Output.concat(glue("database/"), database.name),
                            pulumi.Output.concat(glue("table/"), database.name, "/*"),
                        ],
                    ),
                ]
            ),
            opts=child,
        )
        arns = []
        names = []
        for group in args["groups"]:
            group_name = aws_name("feature-group", prefix, group["name"])
            feature_group = aws.sagemaker.FeatureGroup(
                f"{name}-{group['name']}",
                feature_group_name=group_name,
                description=f"Features '{group['name']}' of {prefix}",
                record_identifier_feature_name=group["record_identifier"],
                event_time_feature_name=group["event_time"],
                feature_definitions=[
                    aws.sagemaker.FeatureGroupFeatureDefinitionArgs(
                        feature_name=f["name"], feature_type=FEATURE_TYPES[f["type"]]
                    )
                    for f in group["features"]
                ],
                online_store_config=aws.sagemaker.FeatureGroupOnlineStoreConfigArgs(
                    enable_online_store=group["online"],
                    security_config=aws.sagemaker.FeatureGroupOnlineStoreConfigSecurityConfigArgs(
                        kms_key_id=key
                    ),
                )
                if group["online"]
                else None,
                offline_store_config=aws.sagemaker.FeatureGroupOfflineStoreConfigArgs(
                    s3_storage_config=aws.sagemaker.FeatureGroupOfflineStoreConfigS3StorageConfigArgs(
                        s3_uri=pulumi.Output.format("s3://{0}/{1}", bucket.bucket, OFFLINE_PREFIX),
                        kms_key_id=key,
                    ),
                    data_catalog_config=aws.sagemaker.FeatureGroupOfflineStoreConfigDataCatalogConfigArgs(
                        catalog="AwsDataCatalog",
                        database=database.name,
                        table_name=group_name.lower().replace("-", "_"),
                    ),
                    disable_glue_table_creation=False,
                ),
                role_arn=role.arn,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[role_policy, bucket_policy]),
            )
            arns.append(feature_group.arn)
            names.append(feature_group.feature_group_name)
        self.bucket_name = bucket.bucket
        self.bucket_arn = bucket.arn
        self.feature_group_arns = pulumi.Output.all(*arns)
        self.feature_group_names = pulumi.Output.all(*names)
        self.glue_database = database.name
        self.register_outputs(
            {
                "bucket_name": bucket.bucket,
                "bucket_arn": bucket.arn,
                "feature_group_arns": self.feature_group_arns,
                "feature_group_names": self.feature_group_names,
                "glue_database": database.name,
                "role_arn": role.arn,
            }
        )
