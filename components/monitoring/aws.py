"""AWS monitoring: an encrypted SNS topic, alarms per endpoint, a dashboard, data-quality monitoring.

Alarms per endpoint (all variants together, with CloudWatch metric math):

- latency: the slowest variant's p99 ``ModelLatency`` above ``latency_p99_ms`` for 3 minutes;
- errors: ``Invocation5XXErrors`` as a percentage of ``Invocations`` above ``error_rate_percent``;
- drift: the runtime's drift metric above ``drift_share_threshold``. The runtime publishes it as namespace
  ``mlkeel/ModelMonitoring``, metric ``DriftShare`` (share of drifted features, 0-1), dimension
  ``Endpoint`` = the endpoint name (see :data:`DRIFT_NAMESPACE` and friends).

Latency and error alarms are also the endpoint's rollback alarms: a blue/green deployment that trips one
rolls back by itself. Every alarm notifies the topic, which is encrypted with the stack key.

Data-quality monitoring (:class:`AwsDataQualityMonitor`, one per endpoint) runs SageMaker Model Monitor on
the captured requests on the drift schedule, inside the VPC, writing reports under ``monitoring/``.
"""

from typing import Any, TypedDict

import pulumi
import pulumi_aws as aws

from components.aws._iam import document, statement
from components.aws._naming import aws_name
from components.aws.args import AwsKeyedArgs
from components.tagging import capability_options

#: The runtime's drift metric (what ``runtime`` publishes and the drift alarm watches).
DRIFT_NAMESPACE = "mlkeel/ModelMonitoring"
DRIFT_METRIC = "DriftShare"
DRIFT_DIMENSION = "Endpoint"
#: Schedules of the data-quality job per spec value (cron in UTC).
SCHEDULES = {"hourly": "cron(0 * ? * * *)", "daily": "cron(0 0 ? * * *)"}
PERIODS = {"hourly": 3600, "daily": 86400}
MONITOR_INSTANCE_TYPE = "ml.m5.large"


class AwsEndpointWatch(TypedDict):
    """An endpoint to watch: its physical name and production variant names (known from the spec)."""

    key: str
    endpoint_name: str
    variants: list[str]


class AwsMonitoringArgs(AwsKeyedArgs):
    """Inputs of :class:`AwsMonitoring`."""

    alert_emails: list[str]
    latency_p99_ms: int
    error_rate_percent: float
    drift_share_threshold: float
    drift_schedule: str
    endpoints: list[AwsEndpointWatch]


def _metric(
    metric_id: str, name: str, stat: str, endpoint: str, variant: str
) -> aws.cloudwatch.MetricAlarmMetricQueryArgs:
    return aws.cloudwatch.MetricAlarmMetricQueryArgs(
        id=metric_id,
        return_data=False,
        metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
            namespace="AWS/SageMaker",
            metric_name=name,
            period=60,
            stat=stat,
            dimensions={"EndpointName": endpoint, "VariantName": variant},
        ),
    )


def latency_queries(endpoint: str, variants: list[str]) -> list[aws.cloudwatch.MetricAlarmMetricQueryArgs]:
    """The slowest variant's p99 latency (microseconds, as SageMaker reports it)."""
    metrics = [_metric(f"lat{i}", "ModelLatency", "p99", endpoint, v) for i, v in enumerate(variants)]
    ids = ",".join(f"lat{i}" for i in range(len(variants)))
    return [
        *metrics,
        aws.cloudwatch.MetricAlarmMetricQueryArgs(
            id="worst",
            expression=f"MAX([{ids}])",
            label="p99 ModelLatency, slowest variant (us)",
            return_data=True,
        ),
    ]


def error_rate_queries(endpoint: str, variants: list[str]) -> list[aws.cloudwatch.MetricAlarmMetricQueryArgs]:
    """5xx errors as a percentage of invocations over all variants (0 when there is no traffic)."""
    errors = [_metric(f"err{i}", "Invocation5XXErrors", "Sum", endpoint, v) for i, v in enumerate(variants)]
    calls = [_metric(f"inv{i}", "Invocations", "Sum", endpoint, v) for i, v in enumerate(variants)]
    e = ",".join(f"err{i}" for i in range(len(variants)))
    c = ",".join(f"inv{i}" for i in range(len(variants)))
    expression = f"IF(SUM([{c}]) > 0, 100 * SUM([{e}]) / SUM([{c}]), 0)"
    return [
        *errors,
        *calls,
        aws.cloudwatch.MetricAlarmMetricQueryArgs(
            id="rate", expression=expression, label="5xx error rate (%)", return_data=True
        ),
    ]


def dashboard_body(region: str, endpoints: list[AwsEndpointWatch]) -> str:
    """One row per endpoint: latency, invocations and errors, drift share."""
    import json

    widgets: list[dict[str, Any]] = []
    for row, ep in enumerate(endpoints):
        name = ep["endpoint_name"]
        y = row * 6

        def per_variant(
            metric: str, stat: str, name: str = name, variants: list[str] = ep["variants"]
        ) -> list[list[Any]]:
            return [
                ["AWS/SageMaker", metric, "EndpointName", name, "VariantName", v, {"stat": stat}]
                for v in variants
            ]

        widgets += [
            {
                "type": "metric",
                "x": 0,
                "y": y,
                "width": 8,
                "height": 6,
                "properties": {
                    "title": f"{name}: p99 latency (us)",
                    "region": region,
                    "view": "timeSeries",
                    "metrics": per_variant("ModelLatency", "p99"),
                },
            },
            {
                "type": "metric",
                "x": 8,
                "y": y,
                "width": 8,
                "height": 6,
                "properties": {
                    "title": f"{name}: invocations and 5xx",
                    "region": region,
                    "view": "timeSeries",
                    "metrics": per_variant("Invocations", "Sum") + per_variant("Invocation5XXErrors", "Sum"),
                },
            },
            {
                "type": "metric",
                "x": 16,
                "y": y,
                "width": 8,
                "height": 6,
                "properties": {
                    "title": f"{name}: drift share",
                    "region": region,
                    "view": "timeSeries",
                    "metrics": [[DRIFT_NAMESPACE, DRIFT_METRIC, DRIFT_DIMENSION, name, {"stat": "Maximum"}]],
                },
            },
        ]
    if not widgets:
        widgets.append(
            {
                "type": "text",
                "x": 0,
                "y": 0,
                "width": 24,
                "height": 2,
                "properties": {"markdown": "No endpoint is declared in this stack yet."},
            }
        )
    return json.dumps({"widgets": widgets})


class AwsMonitoring(pulumi.ComponentResource):
    """SNS topic (KMS) with subscribers, latency/5xx/drift alarms per endpoint, a dashboard."""

    topic_arn: pulumi.Output[str]
    rollback_alarms: dict[str, list[pulumi.Output[str]]]
    """Endpoint key -> names of the alarms a deployment rolls back on (plan-time Python attribute)."""

    def __init__(self, name: str, args: AwsMonitoringArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(
            "mlkeel:index:AwsMonitoring", name, None, capability_options(opts, args["tags"], "monitoring")
        )
        child = pulumi.ResourceOptions(parent=self)
        prefix = args["prefix"]
        topic = aws.sns.Topic(
            f"{name}-alerts",
            name=aws_name("sns-topic", prefix, "alerts"),
            display_name=f"mlkeel {prefix} alerts",
            kms_master_key_id=args["encryption_key"],
            opts=child,
        )
        aws.sns.TopicPolicy(
            f"{name}-alerts-policy",
            arn=topic.arn,
            policy=document(
                [
                    statement(
                        "AlarmsAndBudgetsPublish",
                        ["sns:Publish"],
                        [topic.arn],
                        principal={"Service": ["budgets.amazonaws.com", "cloudwatch.amazonaws.com"]},
                        conditions={"StringEquals": {"aws:SourceAccount": args["account_id"]}},
                    )
                ]
            ),
            opts=child,
        )
        for index, email in enumerate(args["alert_emails"]):
            aws.sns.TopicSubscription(
                f"{name}-alerts-email-{index}", topic=topic.arn, protocol="email", endpoint=email, opts=child
            )
        actions = [topic.arn]
        self.rollback_alarms = {}
        for ep in args["endpoints"]:
            endpoint, key = ep["endpoint_name"], ep["key"]
            latency = aws.cloudwatch.MetricAlarm(
                f"{name}-{key}-latency",
                name=aws_name("alarm", endpoint, "p99-latency"),
                alarm_description=(
                    f"p99 model latency of {endpoint} above {args['latency_p99_ms']} ms (rollback alarm)"
                ),
                comparison_operator="GreaterThanThreshold",
                threshold=args["latency_p99_ms"] * 1000,
                evaluation_periods=3,
                datapoints_to_alarm=3,
                metric_queries=latency_queries(endpoint, ep["variants"]),
                treat_missing_data="notBreaching",
                alarm_actions=actions,
                ok_actions=actions,
                opts=child,
            )
            errors = aws.cloudwatch.MetricAlarm(
                f"{name}-{key}-errors",
                name=aws_name("alarm", endpoint, "5xx-rate"),
                alarm_description=(
                    f"5xx error rate of {endpoint} above {args['error_rate_percent']}% (rollback alarm)"
                ),
                comparison_operator="GreaterThanThreshold",
                threshold=args["error_rate_percent"],
                evaluation_periods=3,
                datapoints_to_alarm=2,
                metric_queries=error_rate_queries(endpoint, ep["variants"]),
                treat_missing_data="notBreaching",
                alarm_actions=actions,
                ok_actions=actions,
                opts=child,
            )
            aws.cloudwatch.MetricAlarm(
                f"{name}-{key}-drift",
                name=aws_name("alarm", endpoint, "drift"),
                alarm_description=(
                    f"Share of drifted features of {endpoint} above {args['drift_share_threshold']} "
                    f"({DRIFT_NAMESPACE}/{DRIFT_METRIC}, published by the mlkeel runtime)"
                ),
                namespace=DRIFT_NAMESPACE,
                metric_name=DRIFT_METRIC,
                dimensions={DRIFT_DIMENSION: endpoint},
                statistic="Maximum",
                period=PERIODS[args["drift_schedule"]],
                evaluation_periods=1,
                comparison_operator="GreaterThanThreshold",
                threshold=args["drift_share_threshold"],
                treat_missing_data="notBreaching",
                alarm_actions=actions,
                opts=child,
            )
            self.rollback_alarms[key] = [latency.name, errors.name]
        dashboard = aws.cloudwatch.Dashboard(
            f"{name}-dashboard",
            dashboard_name=aws_name("dashboard", prefix, "models"),
            dashboard_body=dashboard_body(args["region"], args["endpoints"]),
            opts=child,
        )
        self.topic_arn = topic.arn
        self.register_outputs(
            {
                "topic_arn": topic.arn,
                "dashboard_name": dashboard.dashboard_name,
                "rollback_alarms": {k: v for k, v in self.rollback_alarms.items()},
            }
        )


class AwsDataQualityMonitorArgs(AwsKeyedArgs):
    """Inputs of :class:`AwsDataQualityMonitor`."""

    endpoint_key: str
    endpoint_name: pulumi.Input[str]
    role_arn: pulumi.Input[str]
    bucket_name: pulumi.Input[str]
    subnet_ids: pulumi.Input[list[str]]
    security_group_ids: list[pulumi.Input[str]]
    schedule: str


class AwsDataQualityMonitor(pulumi.ComponentResource):
    """SageMaker Model Monitor data-quality job definition and schedule over one endpoint's captured data."""

    schedule_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: AwsDataQualityMonitorArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__(
            "mlkeel:index:AwsDataQualityMonitor",
            name,
            None,
            capability_options(opts, args["tags"], "monitoring"),
        )
        child = pulumi.ResourceOptions(parent=self)
        key = args["encryption_key"]
        image = aws.sagemaker.get_prebuilt_ecr_image_output(
            repository_name="sagemaker-model-monitor-analyzer",
            image_tag="latest",
            region=args["region"],
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        job_name = aws_name("sagemaker", args["prefix"], f"{args['endpoint_key']}-data-quality")
        definition = aws.sagemaker.DataQualityJobDefinition(
            f"{name}-definition",
            name=job_name,
            role_arn=args["role_arn"],
            data_quality_app_specification=aws.sagemaker.DataQualityJobDefinitionDataQualityAppSpecificationArgs(
                image_uri=image.registry_path,
            ),
            data_quality_job_input=aws.sagemaker.DataQualityJobDefinitionDataQualityJobInputArgs(
                endpoint_input=aws.sagemaker.DataQualityJobDefinitionDataQualityJobInputEndpointInputArgs(
                    endpoint_name=args["endpoint_name"],
                    local_path="/opt/ml/processing/input/endpoint",
                    s3_data_distribution_type="FullyReplicated",
                    s3_input_mode="File",
                )
            ),
            data_quality_job_output_config=aws.sagemaker.DataQualityJobDefinitionDataQualityJobOutputConfigArgs(
                kms_key_id=key,
                monitoring_outputs=aws.sagemaker.DataQualityJobDefinitionDataQualityJobOutputConfigMonitoringOutputsArgs(
                    s3_output=aws.sagemaker.DataQualityJobDefinitionDataQualityJobOutputConfigMonitoringOutputsS3OutputArgs(
                        s3_uri=pulumi.Output.format(
                            "s3://{0}/monitoring/{1}/data-quality", args["bucket_name"], args["endpoint_key"]
                        ),
                        local_path="/opt/ml/processing/output",
                        s3_upload_mode="EndOfJob",
                    )
                ),
            ),
            job_resources=aws.sagemaker.DataQualityJobDefinitionJobResourcesArgs(
                cluster_config=aws.sagemaker.DataQualityJobDefinitionJobResourcesClusterConfigArgs(
                    instance_count=1,
                    instance_type=MONITOR_INSTANCE_TYPE,
                    volume_size_in_gb=20,
                    volume_kms_key_id=key,
                )
            ),
            network_config=aws.sagemaker.DataQualityJobDefinitionNetworkConfigArgs(
                enable_inter_container_traffic_encryption=True,
                enable_network_isolation=True,
                vpc_config=aws.sagemaker.DataQualityJobDefinitionNetworkConfigVpcConfigArgs(
                    subnets=args["subnet_ids"], security_group_ids=args["security_group_ids"]
                ),
            ),
            stopping_condition=aws.sagemaker.DataQualityJobDefinitionStoppingConditionArgs(
                max_runtime_in_seconds=3600
            ),
            opts=child,
        )
        schedule = aws.sagemaker.MonitoringSchedule(
            f"{name}-schedule",
            name=aws_name("sagemaker", args["prefix"], f"{args['endpoint_key']}-data-quality"),
            monitoring_schedule_config=aws.sagemaker.MonitoringScheduleMonitoringScheduleConfigArgs(
                monitoring_job_definition_name=definition.name,
                monitoring_type="DataQuality",
                schedule_config=aws.sagemaker.MonitoringScheduleMonitoringScheduleConfigScheduleConfigArgs(
                    schedule_expression=SCHEDULES[args["schedule"]]
                ),
            ),
            opts=child,
        )
        self.schedule_name = schedule.name
        self.register_outputs({"job_definition_name": definition.name, "schedule_name": schedule.name})
