"""AWS audit: a CloudTrail trail for the stack with log-file validation, KMS and S3 data events.

The trail records write management events in every region (who changed what in the account while this stack
ran) and S3 data events (object reads and writes) on the registry and feature buckets, i.e. who read or
replaced a model or a feature file, and reads of the audit logs themselves. Logs land in an audit bucket of
their own (private, SSE-KMS with the stack key, versioned, TLS-only) that keeps them ``retention_days``;
digest files let anyone prove a log was not altered (``aws cloudtrail validate-logs``). The trail also
streams into a CloudWatch Logs group (stack key, ``log_retention_days``), where metric filters and alarms
can watch API calls as they happen; the S3 copy stays the durable, validated record.
"""

import pulumi
import pulumi_aws as aws

from components.aws._iam import document, service_trust, statement
from components.aws._naming import aws_name, bucket_name
from components.aws._s3 import abort_multipart_rule, expire_prefix_rule, noncurrent_rule, secure_bucket
from components.aws.args import AwsKeyedArgs
from components.tagging import capability_options


class AwsAuditArgs(AwsKeyedArgs):
    """Inputs of :class:`AwsAudit`."""

    retention_days: int
    log_retention_days: int
    """Days the CloudWatch Logs copy of the trail is kept (one of CloudWatch's retention values)."""
    data_event_bucket_arns: list[pulumi.Input[str]]
    """Buckets whose object-level reads and writes are recorded."""


class AwsAudit(pulumi.ComponentResource):
    """CloudTrail trail (validated, encrypted, multi-region) with S3 data events, and its log bucket."""

    trail_arn: pulumi.Output[str]
    bucket_name: pulumi.Output[str]
    bucket_arn: pulumi.Output[str]

    def __init__(self, name: str, args: AwsAuditArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("mlkeel:index:AwsAudit", name, None, capability_options(opts, args["tags"], "audit"))
        prefix = args["prefix"]
        trail_name = aws_name("cloudtrail", prefix, "audit")
        partition, region, account = args["partition"], args["region"], args["account_id"]
        trail_arn = pulumi.Output.format(
            "arn:{0}:cloudtrail:{1}:{2}:trail/{3}", partition, region, account, trail_name
        )

        def cloudtrail_statements(bucket_arn: pulumi.Output[str]) -> list[dict]:
            only_this_trail = {"StringEquals": {"aws:SourceArn": trail_arn}}
            return [
                statement(
                    "CloudTrailAclCheck",
                    ["s3:GetBucketAcl"],
                    [bucket_arn],
                    principal={"Service": "cloudtrail.amazonaws.com"},
                    conditions=only_this_trail,
                ),
                statement(
                    "CloudTrailWrite",
                    ["s3:PutObject"],
                    [pulumi.Output.format("{0}/AWSLogs/{1}/*", bucket_arn, account)],
                    principal={"Service": "cloudtrail.amazonaws.com"},
                    conditions={
                        "StringEquals": {
                            "aws:SourceArn": trail_arn,
                            "s3:x-amz-acl": "bucket-owner-full-control",
                        }
                    },
                ),
            ]

        bucket, policy = secure_bucket(
            self,
            f"{name}-logs",
            bucket=pulumi.Output.from_input(account).apply(lambda a: bucket_name(prefix, "audit", a)),
            key_arn=args["encryption_key"],
            lifecycle_rules=[
                abort_multipart_rule(),
                noncurrent_rule(30),
                expire_prefix_rule("expire-audit-logs", "AWSLogs/", args["retention_days"]),
            ],
            extra_statements=cloudtrail_statements,
        )
        selectors = [
            aws.cloudtrail.TrailAdvancedEventSelectorArgs(
                name="Write management events",
                field_selectors=[
                    aws.cloudtrail.TrailAdvancedEventSelectorFieldSelectorArgs(
                        field="eventCategory", equals=["Management"]
                    ),
                    aws.cloudtrail.TrailAdvancedEventSelectorFieldSelectorArgs(
                        field="readOnly", equals=["false"]
                    ),
                ],
            )
        ]
        if args["data_event_bucket_arns"]:
            selectors.append(
                aws.cloudtrail.TrailAdvancedEventSelectorArgs(
                    name="S3 data events on the registry and feature buckets",
                    field_selectors=[
                        aws.cloudtrail.TrailAdvancedEventSelectorFieldSelectorArgs(
                            field="eventCategory", equals=["Data"]
                        ),
                        aws.cloudtrail.TrailAdvancedEventSelectorFieldSelectorArgs(
                            field="resources.type", equals=["AWS::S3::Object"]
                        ),
                        aws.cloudtrail.TrailAdvancedEventSelectorFieldSelectorArgs(
                            field="resources.ARN",
                            starts_withs=[
                                pulumi.Output.concat(arn, "/") for arn in args["data_event_bucket_arns"]
                            ],
                        ),
                    ],
                )
            )
        # Reads of the audit logs themselves are recorded too. Only reads: the trail's own deliveries are
        # writes to this bucket, and recording them would log each delivery in the next one, forever.
        # (S3 server access logging is no alternative: it cannot deliver into an SSE-KMS bucket.)
        selectors.append(
            aws.cloudtrail.TrailAdvancedEventSelectorArgs(
                name="S3 data events: reads of the audit logs",
                field_selectors=[
                    aws.cloudtrail.TrailAdvancedEventSelectorFieldSelectorArgs(
                        field="eventCategory", equals=["Data"]
                    ),
                    aws.cloudtrail.TrailAdvancedEventSelectorFieldSelectorArgs(
                        field="resources.type", equals=["AWS::S3::Object"]
                    ),
                    aws.cloudtrail.TrailAdvancedEventSelectorFieldSelectorArgs(
                        field="readOnly", equals=["true"]
                    ),
                    aws.cloudtrail.TrailAdvancedEventSelectorFieldSelectorArgs(
                        field="resources.ARN", starts_withs=[pulumi.Output.concat(bucket.arn, "/")]
                    ),
                ],
            )
        )
        child = pulumi.ResourceOptions(parent=self)
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-trail-logs",
            name=aws_name("log-group", f"/mlkeel/{prefix}", "cloudtrail", separator="/"),
            kms_key_id=args["encryption_key"],
            retention_in_days=args["log_retention_days"],
            opts=child,
        )
        role = aws.iam.Role(
            f"{name}-trail-logs-role",
            name=aws_name("iam-role", prefix, "cloudtrail-logs"),
            path=args["role_path"],
            description="CloudTrail delivery into the stack's encrypted log group",
            assume_role_policy=service_trust(["cloudtrail.amazonaws.com"], account),
            opts=child,
        )
        role_policy = aws.iam.RolePolicy(
            f"{name}-trail-logs-policy",
            role=role.id,
            policy=document(
                [
                    statement(
                        "DeliverTrailEvents",
                        ["logs:CreateLogStream", "logs:PutLogEvents"],
                        [pulumi.Output.concat(log_group.arn, ":log-stream:*")],
                    )
                ]
            ),
            opts=child,
        )
        trail = aws.cloudtrail.Trail(
            f"{name}-trail",
            name=trail_name,
            s3_bucket_name=bucket.bucket,
            kms_key_id=args["encryption_key"],
            enable_logging=True,
            enable_log_file_validation=True,
            is_multi_region_trail=True,
            include_global_service_events=True,
            advanced_event_selectors=selectors,
            # CloudTrail wants the group's ARN with its ":*" suffix.
            cloud_watch_logs_group_arn=pulumi.Output.concat(log_group.arn, ":*"),
            cloud_watch_logs_role_arn=role.arn,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy, role_policy]),
        )
        self.trail_arn = trail.arn
        self.bucket_name = bucket.bucket
        self.bucket_arn = bucket.arn
        self.register_outputs(
            {"trail_arn": trail.arn, "bucket_name": bucket.bucket, "bucket_arn": bucket.arn}
        )
