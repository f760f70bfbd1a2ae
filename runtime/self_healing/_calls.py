"""Every AWS action the controller calls, with the resource it touches: the least-privilege role's source.

Why as data: the stack's role (components/self_healing/aws.py) is compared with this table by a test, so
a new call here without a grant there fails in CI instead of with AccessDenied in a stack. Resource
kinds: ``bucket`` (with the prefixes in :data:`BUCKET_PREFIXES`), ``key``, ``lease-table``, ``endpoint``,
``endpoint-config``, ``model``, ``training-job``, ``model-package-group``, ``model-package``, ``pass-role``,
``topic``, ``alarm``, ``budget`` (the stack's AWS Budget), ``cost-export`` (the account's cost export
prefix in S3, when configured: components/self_healing/aws.py ``cost_export_statements``), and ``*`` where
IAM has no resource-level permission.
"""

from __future__ import annotations

__all__ = ["AWS_ACTIONS", "BUCKET_PREFIXES", "GCP_PERMISSIONS"]

#: action → resource kinds it is called on.
AWS_ACTIONS: dict[str, tuple[str, ...]] = {
    "s3:ListBucket": ("bucket", "cost-export"),
    "s3:GetObject": ("bucket", "cost-export"),
    "s3:PutObject": ("bucket",),
    "kms:Decrypt": ("key",),
    "kms:GenerateDataKey": ("key",),
    "dynamodb:UpdateItem": ("lease-table",),
    "dynamodb:DeleteItem": ("lease-table",),
    "sagemaker:DescribeEndpoint": ("endpoint",),
    "sagemaker:UpdateEndpoint": ("endpoint", "endpoint-config"),
    "sagemaker:DescribeEndpointConfig": ("endpoint-config",),
    "sagemaker:CreateEndpointConfig": ("endpoint-config",),
    "sagemaker:DescribeModel": ("model",),
    "sagemaker:CreateModel": ("model",),
    "sagemaker:CreateTrainingJob": ("training-job",),
    "sagemaker:DescribeTrainingJob": ("training-job",),
    "sagemaker:AddTags": ("training-job",),
    "sagemaker:ListModelPackages": ("model-package-group",),
    "sagemaker:CreateModelPackage": ("model-package-group", "model-package"),
    "sagemaker:UpdateModelPackage": ("model-package",),
    "iam:PassRole": ("pass-role",),
    "cloudwatch:PutMetricData": ("*",),
    "cloudwatch:GetMetricData": ("*",),
    "cloudwatch:DescribeAlarms": ("alarm",),
    "sns:Publish": ("topic",),
    "budgets:ViewBudget": ("budget",),
}

#: Bucket prefixes: read (``GetObject``/``ListBucket``) and written (``PutObject``).
BUCKET_PREFIXES: dict[str, tuple[str, ...]] = {
    "read": ("data-capture/", "labels/", "models/", "self-healing/", "training-output/"),
    "write": ("self-healing/",),
}

#: Every IAM permission the controller uses on Google Cloud (_gcp.py, _vertex.py, _gcs.py, _prediction_log),
#: with where it is granted: ``project`` (a custom role on the project: Vertex resources
#: have no finer IAM), ``bucket``, ``dataset`` (the request-response log's, and the Cloud Billing export's
#: when configured: the budget guard's figure), ``training-service-account``, ``topic``. The GCP component
#: builds the controller's custom role and bindings from this table, as the AWS role from AWS_ACTIONS.
GCP_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "aiplatform.customJobs.create": ("project",),
    "aiplatform.customJobs.get": ("project",),
    "aiplatform.customJobs.list": ("project",),
    "aiplatform.models.upload": ("project",),
    "aiplatform.models.get": ("project",),
    "aiplatform.models.list": ("project",),
    "aiplatform.endpoints.get": ("project",),
    "aiplatform.endpoints.deploy": ("project",),
    "aiplatform.endpoints.undeploy": ("project",),
    "aiplatform.endpoints.update": ("project",),
    "aiplatform.operations.get": ("project",),
    "bigquery.jobs.create": ("project",),
    "bigquery.tables.getData": ("dataset",),
    "storage.objects.get": ("bucket",),
    "storage.objects.list": ("bucket",),
    "storage.objects.create": ("bucket",),
    "storage.objects.delete": ("bucket",),  # an overwrite under ifGenerationMatch (lease, state) needs it
    "iam.serviceAccounts.actAs": ("training-service-account",),
    "pubsub.topics.publish": ("topic",),
    # Cloud Monitoring (_monitoring.py): the figures written, the candidate's serving metrics read; metrics
    # have no finer IAM than the project
    "monitoring.timeSeries.create": ("project",),
    "monitoring.timeSeries.list": ("project",),
}
