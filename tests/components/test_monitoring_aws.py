"""Monitoring: encrypted alerts, alarms, dashboard, data quality (audit and budget have their own modules)."""

from __future__ import annotations

import json

from components.monitoring.aws import DRIFT_DIMENSION, DRIFT_METRIC, DRIFT_NAMESPACE, dashboard_body

from .aws_plans import full, one


def test_monitoring_aws_topic_encrypted_subscribed_and_publishable_by_alarms_and_budgets() -> None:
    plan = full()
    topics = plan.by_type("aws:sns/topic:Topic")
    assert len(topics) == 1
    emails = sorted(
        s["inputs"]["endpoint"] for s in plan.by_type("aws:sns/topicSubscription:TopicSubscription")
    )
    assert emails == ["ml-platform@example.com", "payments-oncall@example.com"]
    policy = json.loads(plan.by_type("aws:sns/topicPolicy:TopicPolicy")[0]["inputs"]["policy"])
    publish = policy["Statement"][0]
    assert publish["Principal"] == {"Service": ["budgets.amazonaws.com", "cloudwatch.amazonaws.com"]}
    assert publish["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}


def test_monitoring_aws_drift_alarm_watches_the_runtime_metric() -> None:
    plan = full()
    alarm = one(plan, "aws:cloudwatch/metricAlarm:MetricAlarm", "fraud-score-drift")["inputs"]
    assert (
        (alarm["namespace"], alarm["metricName"])
        == (DRIFT_NAMESPACE, DRIFT_METRIC)
        == ("mlkeel/ModelMonitoring", "DriftShare")
    )
    assert alarm["dimensions"] == {DRIFT_DIMENSION: "payments-prod-fraud-score"}
    assert alarm["threshold"] == 0.4
    assert alarm["period"] == 86400  # daily drift schedule
    topic = plan.by_type("aws:sns/topic:Topic")[0]["outputs"]["arn"]
    for each in plan.by_type("aws:cloudwatch/metricAlarm:MetricAlarm"):
        assert each["inputs"]["alarmActions"] == [topic]


def test_monitoring_aws_latency_and_error_thresholds_from_the_spec() -> None:
    plan = full()
    latency = one(plan, "aws:cloudwatch/metricAlarm:MetricAlarm", "fraud-score-latency")["inputs"]
    assert latency["threshold"] == 250 * 1000  # ModelLatency is in microseconds
    assert latency["metricQueries"][-1]["expression"] == "MAX([lat0,lat1])"
    errors = one(plan, "aws:cloudwatch/metricAlarm:MetricAlarm", "fraud-score-errors")["inputs"]
    assert errors["threshold"] == 0.5
    assert "Invocation5XXErrors" in {
        q["metric"]["metricName"] for q in errors["metricQueries"] if "metric" in q
    }


def test_monitoring_aws_data_quality_schedule_on_captured_data() -> None:
    plan = full()
    job = plan.by_type("aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition")
    assert len(job) == 1  # refunds captures nothing, so it is not monitored
    inputs = job[0]["inputs"]
    assert inputs["dataQualityJobInput"]["endpointInput"]["endpointName"] == "payments-prod-fraud-score"
    assert inputs["dataQualityAppSpecification"]["imageUri"] == (
        "468650794304.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-model-monitor-analyzer:latest"
    )
    assert inputs["networkConfig"]["enableNetworkIsolation"] is True
    assert inputs["networkConfig"]["enableInterContainerTrafficEncryption"] is True
    schedule = plan.by_type("aws:sagemaker/monitoringSchedule:MonitoringSchedule")[0]["inputs"][
        "monitoringScheduleConfig"
    ]
    assert schedule["monitoringJobDefinitionName"] == inputs["name"]
    assert schedule["scheduleConfig"]["scheduleExpression"] == "cron(0 0 ? * * *)"


def test_monitoring_aws_dashboard_has_a_row_per_endpoint() -> None:
    body = json.loads(full().by_type("aws:cloudwatch/dashboard:Dashboard")[0]["inputs"]["dashboardBody"])
    titles = [w["properties"]["title"] for w in body["widgets"]]
    assert len(titles) == 6 and "payments-prod-refunds: drift share" in titles
    assert json.loads(dashboard_body("us-east-1", []))["widgets"][0]["type"] == "text"
